"""Incentives services: bonus pools and their approval, the reward ledger, recognition, badges."""

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.utils import timezone

from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.incentives import services
from opsteam.incentives.choices import BadgeCriterion, PoolStatus, RewardKind
from opsteam.incentives.models import BadgeAward, BonusLine, BonusPool, Kudos, RewardEntry
from opsteam.incentives.tests.factories import (
    BadgeFactory,
    BonusPolicyFactory,
    CompanyValueFactory,
    CompensationFactory,
    KudosFactory,
    ReviewCycleFactory,
    ReviewFactory,
)
from opsteam.org.choices import StaffStatus
from opsteam.org.tests.factories import StaffFactory
from opsteam.training.choices import EnrolmentStatus
from opsteam.training.tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    PlanCourseFactory,
    TrainingPlanFactory,
)

# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def hr(user_as):
    return user_as("hr")


@pytest.fixture
def hr2(user_as):
    return user_as("hr")


@pytest.fixture
def admin(user_as):
    return user_as("admin")


@pytest.fixture
def cycle(db):
    return ReviewCycleFactory()  # 2026-01-01 .. 2026-03-31, 90 days


def graded(cycle, unit, grade, salary="10000", **staff_fields):
    """A person in ``unit`` with a monthly salary since 2025 and a review of ``grade``."""
    person = StaffFactory(unit=unit, **staff_fields)
    CompensationFactory(staff=person, effective_from=dt.date(2025, 1, 1), base_salary=D(salary))
    ReviewFactory(cycle=cycle, staff=person, grade=grade)
    return person


@pytest.fixture
def d1_people(org_tree, cycle):
    """Department D1 (teams T1, T2) plus people who must stay out of a D1 pool."""
    return {
        "a": graded(cycle, org_tree.t1, "A"),
        "b": graded(cycle, org_tree.t2, "B"),
        # Joined on 15 February: 45 of the period's 90 days.
        "late": graded(cycle, org_tree.t1, "B", hire_date=dt.date(2026, 2, 15)),
        "ungraded": graded(cycle, org_tree.t1, ""),
        "other_department": graded(cycle, org_tree.t3, "S"),
    }


@pytest.fixture
def pool(hr, cycle, org_tree, d1_people):
    return services.pool_create(
        actor=hr,
        cycle=cycle,
        unit=org_tree.d1,
        policy_row=BonusPolicyFactory(),
        budget=D("35000"),
        name="D1 2026 Q1 奖金",
    )


@pytest.fixture
def allocated(hr, pool):
    services.pool_allocate(actor=hr, pool=pool)
    pool.refresh_from_db()
    return pool


@pytest.fixture
def submitted(hr, allocated):
    return services.pool_submit(actor=hr, pool=allocated)


def amounts(pool):
    return {line.staff_id: line.amount for line in BonusLine.objects.filter(pool=pool)}


# --- allocation ---------------------------------------------------------------------------------


def test_allocation_splits_the_budget_exactly_among_the_graded_people_of_the_subtree(
    hr, pool, d1_people
):
    allocation = services.pool_allocate(actor=hr, pool=pool)

    people = d1_people
    # Weights: A 10000 x 1.5 = 15000, B 10000, late joiner 10000 x 45/90 = 5000; total 30000.
    # Budget 35000 -> 35000/30000 of each weight, rounded to whole yuan by largest remainder.
    lines = amounts(pool)
    assert set(lines) == {people["a"].pk, people["b"].pk, people["late"].pk}
    assert sum(lines.values()) == D("35000")
    assert allocation.allocated == D("35000")
    pool.refresh_from_db()
    assert (pool.allocated, pool.unallocated) == (D("35000"), D("0"))
    assert pool.allocated_at is not None
    assert lines[people["a"].pk] == D("17500")
    assert lines[people["b"].pk] > lines[people["late"].pk]


def test_a_better_grade_gets_more_at_equal_salary(hr, pool, d1_people):
    services.pool_allocate(actor=hr, pool=pool)

    lines = amounts(pool)
    assert lines[d1_people["a"].pk] > lines[d1_people["b"].pk]


def test_someone_hired_half_way_through_the_period_gets_about_half(hr, pool, d1_people):
    services.pool_allocate(actor=hr, pool=pool)

    late = BonusLine.objects.get(pool=pool, staff=d1_people["late"])
    full = BonusLine.objects.get(pool=pool, staff=d1_people["b"])
    assert (late.days, late.period_days) == (45, 90)
    assert (full.days, full.period_days) == (90, 90)
    assert abs(late.amount * 2 - full.amount) <= D("2")


def test_the_base_is_the_salary_in_force_at_period_end_times_the_policy_months(hr, cycle, org_tree):
    person = StaffFactory(unit=org_tree.t1)
    CompensationFactory(staff=person, effective_from=dt.date(2025, 1, 1), base_salary=D("8000"))
    CompensationFactory(staff=person, effective_from=dt.date(2026, 3, 1), base_salary=D("9000"))
    # A raise after the period does not count.
    CompensationFactory(staff=person, effective_from=dt.date(2026, 4, 1), base_salary=D("20000"))
    ReviewFactory(cycle=cycle, staff=person, grade="B")
    pool = services.pool_create(
        actor=hr,
        cycle=cycle,
        unit=org_tree.t1,
        policy_row=BonusPolicyFactory(base_months=D("2.5")),
        budget=D("1000"),
    )

    services.pool_allocate(actor=hr, pool=pool)

    line = BonusLine.objects.get(pool=pool, staff=person)
    assert line.base == D("22500.00")  # 9000 x 2.5
    assert line.amount == D("1000")


def test_each_line_stores_its_explanation(hr, pool, d1_people):
    services.pool_allocate(actor=hr, pool=pool)

    line = BonusLine.objects.get(pool=pool, staff=d1_people["a"])
    assert line.explanation
    assert json.loads(json.dumps(line.explanation)) == line.explanation
    assert line.grade == "A"
    assert "A" in json.dumps(line.explanation)


def test_reallocating_replaces_the_lines(hr, pool, d1_people):
    services.pool_allocate(actor=hr, pool=pool)
    pool.budget = D("70000")
    pool.save(update_fields=["budget"])

    services.pool_allocate(actor=hr, pool=pool)

    assert BonusLine.objects.filter(pool=pool).count() == 3
    assert sum(amounts(pool).values()) == D("70000")


def test_a_pool_with_nobody_graded_cannot_be_allocated(hr, cycle, org_tree):
    pool = services.pool_create(
        actor=hr, cycle=cycle, unit=org_tree.t2, policy_row=BonusPolicyFactory(), budget=D("1")
    )

    with pytest.raises(ValidationFailed, match="has a grade"):
        services.pool_allocate(actor=hr, pool=pool)


def test_one_pool_per_unit_and_cycle(hr, pool, cycle, org_tree):
    with pytest.raises(ValidationFailed):
        services.pool_create(
            actor=hr,
            cycle=cycle,
            unit=org_tree.d1,
            policy_row=BonusPolicyFactory(),
            budget=D("1"),
        )


def test_creating_a_pool_is_audited(hr, pool):
    assert AuditEntry.objects.filter(
        object_type="incentives.bonuspool", object_id=str(pool.pk), action="create"
    ).exists()


# --- approval flow ------------------------------------------------------------------------------


def test_a_pool_cannot_be_submitted_before_it_is_allocated(hr, pool):
    with pytest.raises(InvalidTransition, match="Allocate"):
        services.pool_submit(actor=hr, pool=pool)


def test_the_submitter_cannot_approve_their_own_pool(hr, submitted):
    with pytest.raises(InvalidTransition, match="someone other"):
        services.pool_decide(actor=hr, pool=submitted, approve=True)

    submitted.refresh_from_db()
    assert submitted.status == PoolStatus.SUBMITTED
    assert not RewardEntry.objects.filter(kind=RewardKind.BONUS).exists()


@pytest.mark.parametrize("approver", ["hr2", "admin"])
def test_approval_by_another_person_writes_each_bonus_into_the_ledger(
    request, approver, submitted, d1_people
):
    actor = request.getfixturevalue(approver)

    services.pool_decide(actor=actor, pool=submitted, approve=True)

    submitted.refresh_from_db()
    assert submitted.status == PoolStatus.APPROVED
    assert submitted.decided_by == actor
    entries = RewardEntry.objects.filter(kind=RewardKind.BONUS)
    assert {entry.staff_id: entry.amount for entry in entries} == amounts(submitted)
    assert {entry.source for entry in entries} == {f"bonus-pool:{submitted.pk}"}
    assert all(entry.currency == "CNY" for entry in entries)
    assert AuditEntry.objects.filter(
        object_type="incentives.rewardentry", action="create"
    ).count() == len(entries)
    assert AuditEntry.objects.filter(
        object_type="incentives.bonuspool", object_id=str(submitted.pk), action="update"
    ).exists()


def test_people_whose_share_is_zero_get_no_ledger_entry(hr, hr2, cycle, org_tree):
    kept = graded(cycle, org_tree.t1, "B")
    graded(cycle, org_tree.t1, "D")  # multiplier 0
    pool = services.pool_create(
        actor=hr, cycle=cycle, unit=org_tree.t1, policy_row=BonusPolicyFactory(), budget=D("500")
    )
    services.pool_allocate(actor=hr, pool=pool)
    pool.refresh_from_db()
    services.pool_submit(actor=hr, pool=pool)

    services.pool_decide(actor=hr2, pool=pool, approve=True)

    assert list(RewardEntry.objects.values_list("staff_id", "amount")) == [(kept.pk, D("500"))]


def test_sending_back_needs_a_reason(hr2, submitted):
    with pytest.raises(ValidationFailed) as excinfo:
        services.pool_decide(actor=hr2, pool=submitted, approve=False, note="  ")

    assert excinfo.value.field == "decision_note"
    submitted.refresh_from_db()
    assert submitted.status == PoolStatus.SUBMITTED


def test_a_pool_sent_back_can_be_edited_and_allocated_again(hr, hr2, submitted):
    services.pool_decide(actor=hr2, pool=submitted, approve=False, note="预算超标，请调整")

    submitted.refresh_from_db()
    assert submitted.status == PoolStatus.REJECTED
    assert submitted.decision_note == "预算超标，请调整"
    assert not RewardEntry.objects.exists()
    services.pool_allocate(actor=hr, pool=submitted)
    submitted.refresh_from_db()
    assert submitted.status == PoolStatus.DRAFT
    services.pool_submit(actor=hr, pool=submitted)
    assert submitted.status == PoolStatus.SUBMITTED


def test_a_submitted_pool_cannot_be_reallocated(hr, submitted):
    with pytest.raises(InvalidTransition):
        services.pool_allocate(actor=hr, pool=submitted)


def test_only_an_approved_pool_is_exported(hr, submitted):
    with pytest.raises(InvalidTransition, match="approved"):
        services.pool_export(actor=hr, pool=submitted)


def test_export_returns_the_payroll_rows_and_marks_the_pool_exported(
    hr, hr2, submitted, d1_people, org_tree
):
    services.pool_decide(actor=hr2, pool=submitted, approve=True)

    rows = services.pool_export(actor=hr, pool=submitted)

    assert services.PAYROLL_HEADER == (
        "employee_no",
        "name",
        "unit",
        "grade",
        "amount",
        "currency",
        "pool",
    )
    a = d1_people["a"]
    assert [a.employee_no, a.name, "T1", "A", D("17500"), "CNY", "D1 2026 Q1 奖金"] in rows
    assert len(rows) == 3
    assert sum(row[4] for row in rows) == D("35000")
    submitted.refresh_from_db()
    assert submitted.status == PoolStatus.EXPORTED
    # A second export gives the same rows and is audited as an export.
    assert services.pool_export(actor=hr, pool=submitted) == rows
    assert AuditEntry.objects.filter(
        object_type="incentives.bonuspool", object_id=str(submitted.pk), action="export"
    ).exists()


# --- permissions --------------------------------------------------------------------------------


def test_a_manager_can_neither_allocate_nor_approve_their_own_department_pool(
    user_as, org_tree, pool, hr
):
    manager = user_as("manager", unit=org_tree.d1)

    with pytest.raises(PolicyDenied):
        services.pool_allocate(actor=manager, pool=pool)
    services.pool_allocate(actor=hr, pool=pool)
    pool.refresh_from_db()
    services.pool_submit(actor=hr, pool=pool)
    with pytest.raises(PolicyDenied):
        services.pool_decide(actor=manager, pool=pool, approve=True)
    with pytest.raises(PolicyDenied):
        services.pool_create(
            actor=manager,
            cycle=pool.cycle,
            unit=org_tree.t1,
            policy_row=pool.policy,
            budget=D("1"),
        )


def test_a_manager_of_another_department_does_not_see_the_pool(user_as, org_tree, pool):
    manager = user_as("manager", unit=org_tree.d2)

    with pytest.raises(NotVisible):
        services.pool_allocate(actor=manager, pool=pool)
    with pytest.raises(NotVisible):
        services.pool_export(actor=manager, pool=pool)


def test_managers_see_only_the_pools_of_their_subtree(user_as, org_tree, pool, hr, cycle):
    other = services.pool_create(
        actor=hr, cycle=cycle, unit=org_tree.d2, policy_row=pool.policy, budget=D("1")
    )
    d1_manager = user_as("manager", unit=org_tree.d1)
    d2_manager = user_as("manager", unit=org_tree.d2)
    t1_manager = user_as("manager", unit=org_tree.t1)

    assert list(BonusPool.objects.restrict(d1_manager)) == [pool]
    assert list(BonusPool.objects.restrict(d2_manager)) == [other]
    # A team manager does not see the department's pool (it concerns other teams' pay).
    assert list(BonusPool.objects.restrict(t1_manager)) == []
    assert set(BonusPool.objects.restrict(hr)) == {pool, other}


def test_an_operator_sees_only_their_own_line_and_no_pool(user_as, org_tree, hr, cycle, pool):
    operator = user_as("operator", unit=org_tree.t1)
    CompensationFactory(staff=operator.staff, base_salary=D("10000"))
    ReviewFactory(cycle=cycle, staff=operator.staff, grade="B")
    services.pool_allocate(actor=hr, pool=pool)

    assert BonusLine.objects.filter(pool=pool).count() == 4
    assert [line.staff for line in BonusLine.objects.restrict(operator)] == [operator.staff]
    assert not BonusPool.objects.restrict(operator).exists()


# --- simulation ---------------------------------------------------------------------------------


def test_simulation_returns_one_allocation_per_policy_and_writes_nothing(pool, d1_people):
    flat = BonusPolicyFactory(multipliers={"S": "1", "A": "1", "B": "1", "C": "1", "D": "1"})
    audit_before = AuditEntry.objects.count()

    result = services.pool_simulate(
        pool, policies={"current": pool.policy, "flat": flat}, budget=D("40000")
    )

    assert set(result) == {"current", "flat"}
    for allocation in result.values():
        assert allocation.allocated == D("40000")
        assert len(allocation.lines) == 3
    flat_amounts = result["flat"].by_staff()
    current = result["current"].by_staff()
    a, b = d1_people["a"].pk, d1_people["b"].pk
    assert flat_amounts[a].amount == flat_amounts[b].amount
    assert current[a].amount > current[b].amount
    assert not BonusLine.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    pool.refresh_from_db()
    assert (pool.allocated_at, pool.status) == (None, PoolStatus.DRAFT)


# --- the reward ledger --------------------------------------------------------------------------


def test_a_manager_records_a_training_place_for_their_team(user_as, org_tree):
    manager = user_as("manager", unit=org_tree.d1)
    person = StaffFactory(unit=org_tree.t2)

    entry = services.reward_grant(
        actor=manager, staff=person, kind=RewardKind.TRAINING_PLACE, title="阿里云认证培训名额"
    )

    assert entry.granted_by == manager
    assert entry.granted_on == timezone.localdate()
    assert list(RewardEntry.objects.restrict(manager).filter(staff=person)) == [entry]
    assert AuditEntry.objects.filter(
        object_type="incentives.rewardentry", object_id=str(entry.pk), action="create"
    ).exists()


def test_a_manager_cannot_grant_a_reward_in_another_department(user_as, org_tree):
    manager = user_as("manager", unit=org_tree.d1)
    outsider = StaffFactory(unit=org_tree.t3)

    with pytest.raises(NotVisible):
        services.reward_grant(
            actor=manager, staff=outsider, kind=RewardKind.CONFERENCE, title="行业大会"
        )
    assert not RewardEntry.objects.exists()


def test_bonuses_are_not_granted_by_hand(hr, org_tree):
    person = StaffFactory(unit=org_tree.t1)

    with pytest.raises(ValidationFailed) as excinfo:
        services.reward_grant(
            actor=hr, staff=person, kind=RewardKind.BONUS, title="红包", amount=D("100")
        )
    assert excinfo.value.field == "kind"


def test_an_operator_cannot_grant_rewards(user_as, org_tree):
    operator = user_as("operator", unit=org_tree.t1)

    with pytest.raises((PolicyDenied, NotVisible)):
        services.reward_grant(
            actor=operator, staff=operator.staff, kind=RewardKind.OTHER, title="自己奖励自己"
        )


# --- kudos --------------------------------------------------------------------------------------


@pytest.fixture
def value(db):
    return CompanyValueFactory(name="客户第一", name_en="Customer first")


@pytest.fixture
def sender(user_as, org_tree):
    return user_as("operator", unit=org_tree.t1)


def test_kudos_give_the_recipient_points_in_their_ledger(sender, value, org_tree):
    colleague = StaffFactory(unit=org_tree.t3)

    kudos = services.kudos_give(
        actor=sender, recipient=colleague, value=value, message="帮我处理了售后工单", points=20
    )

    assert kudos.sender == sender.staff
    entry = RewardEntry.objects.get(staff=colleague)
    assert (entry.kind, entry.points) == (RewardKind.POINTS, 20)
    assert AuditEntry.objects.filter(object_type="incentives.kudos", action="create").exists()


def test_kudos_to_oneself_are_refused(sender, value):
    with pytest.raises(ValidationFailed) as excinfo:
        services.kudos_give(actor=sender, recipient=sender.staff, value=value, message="我真棒")
    assert excinfo.value.field == "recipient"


def test_kudos_to_someone_who_left_are_refused(sender, value, org_tree):
    gone = StaffFactory(unit=org_tree.t1, status=StaffStatus.LEFT, leave_date=dt.date(2025, 12, 31))

    with pytest.raises(ValidationFailed, match="left"):
        services.kudos_give(actor=sender, recipient=gone, value=value, message="谢谢")
    assert not Kudos.objects.exists()


def test_kudos_without_a_message_are_refused(sender, value, org_tree):
    with pytest.raises(ValidationFailed) as excinfo:
        services.kudos_give(
            actor=sender, recipient=StaffFactory(unit=org_tree.t1), value=value, message="   "
        )
    assert excinfo.value.field == "message"


def test_the_sixth_kudos_in_a_day_is_refused(sender, value, org_tree):
    colleagues = [StaffFactory(unit=org_tree.t2) for _ in range(6)]
    for colleague in colleagues[:5]:
        services.kudos_give(actor=sender, recipient=colleague, value=value, message="谢谢支援")

    with pytest.raises(ValidationFailed, match="5 kudos a day"):
        services.kudos_give(actor=sender, recipient=colleagues[5], value=value, message="谢谢")
    assert Kudos.objects.filter(sender=sender.staff).count() == 5
    assert not RewardEntry.objects.filter(staff=colleagues[5]).exists()


def test_kudos_for_a_retired_value_are_refused(sender, org_tree):
    retired = CompanyValueFactory(is_active=False)

    with pytest.raises(ValidationFailed) as excinfo:
        services.kudos_give(
            actor=sender, recipient=StaffFactory(unit=org_tree.t1), value=retired, message="好"
        )
    assert excinfo.value.field == "value"


# --- team commendations -------------------------------------------------------------------------


def test_a_manager_commends_a_team_in_their_subtree_and_each_active_member_gets_points(
    user_as, org_tree
):
    manager = user_as("manager", unit=org_tree.d1)
    members = [StaffFactory(unit=org_tree.t2) for _ in range(3)]
    StaffFactory(unit=org_tree.t2, status=StaffStatus.LEFT, leave_date=dt.date(2025, 6, 30))
    StaffFactory(unit=org_tree.t1)  # another team

    commendation = services.commendation_award(
        actor=manager,
        unit=org_tree.t2,
        title="双十一最佳团队",
        citation="大促期间零差错",
        points_each=30,
    )

    points = RewardEntry.objects.filter(kind=RewardKind.POINTS)
    assert {entry.staff_id for entry in points} == {person.pk for person in members}
    assert {entry.points for entry in points} == {30}
    assert commendation.awarded_by == manager
    assert AuditEntry.objects.filter(
        object_type="incentives.teamcommendation", action="create"
    ).exists()


def test_a_manager_cannot_commend_a_team_of_another_department(user_as, org_tree):
    manager = user_as("manager", unit=org_tree.d1)

    with pytest.raises(PolicyDenied):
        services.commendation_award(
            actor=manager, unit=org_tree.t3, title="最佳团队", citation="结算及时", points_each=10
        )
    assert not RewardEntry.objects.exists()


def test_an_operator_cannot_commend_a_team(user_as, org_tree):
    operator = user_as("operator", unit=org_tree.t1)

    with pytest.raises(PolicyDenied):
        services.commendation_award(actor=operator, unit=org_tree.t1, title="我们组", citation="好")


# --- badges -------------------------------------------------------------------------------------


def test_a_manual_badge_is_awarded_once_per_person_with_its_points(hr, org_tree):
    badge = BadgeFactory(points=40)
    person = StaffFactory(unit=org_tree.t1)

    services.badge_award(actor=hr, badge=badge, staff=person, evidence="带新人 3 名")

    with pytest.raises(ValidationFailed, match="already holds"):
        services.badge_award(actor=hr, badge=badge, staff=person)
    assert BadgeAward.objects.filter(badge=badge, staff=person).count() == 1
    assert list(RewardEntry.objects.filter(staff=person).values_list("points", flat=True)) == [40]


def test_a_manager_cannot_award_badges(user_as, org_tree):
    manager = user_as("manager", unit=org_tree.d1)

    with pytest.raises(PolicyDenied):
        services.badge_award(actor=manager, badge=BadgeFactory(), staff=StaffFactory())


def test_the_kudos_badge_is_awarded_at_its_threshold_once(org_tree):
    badge = BadgeFactory(criterion=BadgeCriterion.KUDOS_RECEIVED, threshold=3, points=10)
    star, almost = StaffFactory(unit=org_tree.t1), StaffFactory(unit=org_tree.t1)
    for _ in range(3):
        KudosFactory(recipient=star)
    for _ in range(2):
        KudosFactory(recipient=almost)

    assert services.badges_award_automatic() == 1

    award = BadgeAward.objects.get(badge=badge)
    assert (award.staff, award.evidence) == (star, "kudos:3")
    assert RewardEntry.objects.get(staff=star).points == 10
    KudosFactory(recipient=star)
    assert services.badges_award_automatic() == 0
    assert BadgeAward.objects.filter(badge=badge).count() == 1


def test_the_plan_badge_needs_every_required_course_completed(org_tree):
    plan = TrainingPlanFactory()
    first, second = CourseFactory(), CourseFactory()
    PlanCourseFactory(plan=plan, course=first)
    PlanCourseFactory(plan=plan, course=second)
    PlanCourseFactory(plan=plan, course=CourseFactory(), is_required=False)
    badge = BadgeFactory(criterion=BadgeCriterion.PLAN_COMPLETED, plan=plan)
    done, halfway, gone = (StaffFactory(unit=org_tree.t1) for _ in range(3))
    for person in (done, gone):
        for course in (first, second):
            EnrolmentFactory(staff=person, course=course, status=EnrolmentStatus.COMPLETED)
    EnrolmentFactory(staff=halfway, course=first, status=EnrolmentStatus.COMPLETED)
    EnrolmentFactory(staff=halfway, course=second, status=EnrolmentStatus.IN_PROGRESS)
    gone.status, gone.leave_date = StaffStatus.LEFT, dt.date(2026, 1, 31)
    gone.save(update_fields=["status", "leave_date"])

    assert services.badges_award_automatic() == 1

    assert list(BadgeAward.objects.filter(badge=badge).values_list("staff", flat=True)) == [done.pk]
    assert services.badges_award_automatic() == 0
    assert AuditEntry.objects.filter(object_type="incentives.badgeaward", action="create").count()


def _score_on_kpi(org_tree, kpi, scores, *, cycle=None, status="published"):
    """One reviewed person per score, scored on ``kpi`` (and 100 on another KPI)."""
    from opsteam.performance.tests.factories import KpiFactory

    cycle = cycle or ReviewCycleFactory()
    other = KpiFactory()
    people = []
    for score in scores:
        person = StaffFactory(unit=org_tree.t1)
        lines = [{"kpi": kpi.pk, "score": score}, {"kpi": other.pk, "score": 100.0}]
        ReviewFactory(cycle=cycle, staff=person, status=status, scorecard={"lines": lines})
        people.append(person)
    return cycle, people


def test_the_kpi_badge_goes_to_the_top_decile_with_its_points_once(org_tree):
    # given 20 people of the latest published cycle scored 0..19 on the badge's KPI (and all
    # 100 on another KPI, which must not count)
    from opsteam.performance.tests.factories import KpiFactory

    kpi = KpiFactory()
    cycle, people = _score_on_kpi(org_tree, kpi, [float(i) for i in range(20)])
    badge = BadgeFactory(criterion=BadgeCriterion.KPI_TOP_DECILE, kpi=kpi, points=50)

    # when the nightly job runs
    awarded = services.badges_award_automatic()

    # then the best two (the top 10 % of 20) hold it, with the cycle as evidence and the points
    top = {people[19].pk, people[18].pk}
    assert awarded == 2
    awards = BadgeAward.objects.filter(badge=badge)
    assert set(awards.values_list("staff_id", flat=True)) == top
    assert set(awards.values_list("evidence", flat=True)) == {f"cycle:{cycle.pk}"}
    entries = RewardEntry.objects.filter(source__startswith=f"badge:{badge.pk}:")
    assert sorted(entries.values_list("staff_id", "points")) == sorted((pk, 50) for pk in top)
    assert AuditEntry.objects.filter(object_type="incentives.badgeaward").count() == 2
    # and running it again awards nothing more
    assert services.badges_award_automatic() == 0
    assert awards.count() == 2
    assert RewardEntry.objects.filter(source__startswith=f"badge:{badge.pk}:").count() == 2


def test_the_kpi_badge_needs_at_least_ten_people_scored(org_tree):
    # The minimum is 10 people scored on the KPI in the cycle: with fewer, "the top 10 %"
    # would be nobody, or one person's best score passed off as a decile.
    from opsteam.performance.tests.factories import KpiFactory

    kpi = KpiFactory()
    cycle, _people = _score_on_kpi(org_tree, kpi, [float(i) for i in range(9)])
    # unpublished reviews of the cycle are not counted towards the ten
    _score_on_kpi(org_tree, kpi, [99.0], cycle=cycle, status="pending")
    badge = BadgeFactory(criterion=BadgeCriterion.KPI_TOP_DECILE, kpi=kpi)

    assert services.badges_award_automatic() == 0
    assert not BadgeAward.objects.filter(badge=badge).exists()

    _, (tenth,) = _score_on_kpi(org_tree, kpi, [50.0], cycle=cycle)

    assert services.badges_award_automatic() == 1
    assert BadgeAward.objects.get(badge=badge).staff == tenth


def test_inactive_and_manual_badges_are_not_awarded_automatically(org_tree):
    BadgeFactory(criterion=BadgeCriterion.KUDOS_RECEIVED, threshold=1, is_active=False)
    BadgeFactory(criterion=BadgeCriterion.MANUAL)
    KudosFactory(recipient=StaffFactory(unit=org_tree.t1))

    assert services.badges_award_automatic() == 0
    assert not BadgeAward.objects.exists()


def test_approving_a_pool_twice_from_two_open_pages_is_refused(hr2, admin, submitted):
    stale = BonusPool.objects.get(pk=submitted.pk)  # the second approver's page, loaded earlier
    services.pool_decide(actor=hr2, pool=submitted, approve=True)

    with pytest.raises(InvalidTransition):
        services.pool_decide(actor=admin, pool=stale, approve=True)

    stale.refresh_from_db()
    assert stale.decided_by == hr2
    assert RewardEntry.objects.filter(kind=RewardKind.BONUS).count() == 3


def test_submitting_from_a_page_loaded_before_the_allocation_keeps_the_allocation(hr, pool):
    stale = BonusPool.objects.get(pk=pool.pk)  # loaded before the allocation
    services.pool_allocate(actor=hr, pool=pool)

    services.pool_submit(actor=hr, pool=stale)

    pool.refresh_from_db()
    assert pool.status == PoolStatus.SUBMITTED
    assert (pool.allocated, pool.allocated_at is not None) == (D("35000"), True)


def test_pools_of_one_cycle_never_cover_the_same_person_twice(hr, pool, cycle, org_tree):
    # The D1 pool already covers teams T1 and T2: a T1 pool (or a company-wide one) would pay
    # the same people a second bonus for the same cycle.
    for unit in (org_tree.t1, org_tree.company):
        with pytest.raises(ValidationFailed, match="already"):
            services.pool_create(
                actor=hr, cycle=cycle, unit=unit, policy_row=pool.policy, budget=D("1")
            )
    # Another department, or the same unit in another cycle, is fine.
    services.pool_create(
        actor=hr, cycle=cycle, unit=org_tree.d2, policy_row=pool.policy, budget=D("1")
    )
    services.pool_create(
        actor=hr,
        cycle=ReviewCycleFactory(),
        unit=org_tree.t1,
        policy_row=pool.policy,
        budget=D("1"),
    )
