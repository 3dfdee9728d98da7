"""The careers and incentives demo: what HR, the store team's manager and the operators see
after ``load_demo`` (ladders, readiness, promotion rounds, plans, bonus pools, recognition),
and that loading it again creates nothing.

The demo is loaded once for the module inside a transaction that is rolled back at the end;
each test runs in a savepoint of it.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from opsteam.accounts.models import User
from opsteam.careers import eligibility as engine
from opsteam.careers import selectors
from opsteam.careers.choices import (
    NominationKind,
    NominationStatus,
    PlanStatus,
    RoundStatus,
    StandardStatus,
)
from opsteam.careers.models import (
    CareerTrack,
    CommitteeReview,
    DevelopmentPlan,
    LevelStandard,
    Nomination,
    PromotionRound,
)
from opsteam.core.models import AuditEntry
from opsteam.incentives.choices import BadgeCriterion, PoolStatus, RewardKind
from opsteam.incentives.models import (
    Badge,
    BadgeAward,
    BonusLine,
    BonusPolicy,
    BonusPool,
    CompanyValue,
    Kudos,
    RewardEntry,
    TeamCommendation,
)
from opsteam.org.models import (
    Assignment,
    Compensation,
    JobLevel,
    Skill,
    SkillGroup,
    SkillLevelDescriptor,
    Staff,
    StaffSkill,
)
from opsteam.performance.models import Review
from opsteam.training.models import Enrolment

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


def user(username: str) -> User:
    return User.objects.select_related("staff").get(username=username)


def codes(levels) -> list[str]:
    return [level.code for level in levels]


def test_two_tracks_climb_the_demo_levels_each_level_with_a_published_standard(demo):
    professional = CareerTrack.objects.get(code="OPS-PRO")
    management = CareerTrack.objects.get(code="OPS-MGT")
    assert codes(s.level for s in professional.steps.order_by("order")) == [
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
    ]
    assert codes(s.level for s in management.steps.order_by("order")) == ["M1", "M2", "M3"]
    assert professional.name_en
    assert management.name_en
    levels = {level.code: level.pk for level in JobLevel.objects.all()}
    # A senior operator may go on to P4 or across to team lead.
    assert set(selectors.next_levels_map()[levels["P3"]]) == {levels["P4"], levels["M1"]}

    published = selectors.published_standards()
    for code in ("P2", "P3", "P4", "P5", "M1", "M2", "M3"):
        standard = published[levels[code]]
        assert 2 <= standard.competencies.count() <= 4, code
        assert 1 <= standard.courses.count() <= 2, code
        assert standard.min_months_in_level > 0, code
        assert standard.appraisal_none_below, code
        assert standard.notes, code
        assert standard.notes_en, code
        assert (standard.min_assessment_score is not None) == code.startswith("M"), code
    assert levels["P1"] not in published
    assert published[levels["P4"]].certificates.exists()
    assert published[levels["P5"]].certificates.exists()
    # HR is drafting the next version of the P3 standard.
    draft = LevelStandard.objects.get(level__code="P3", status=StandardStatus.DRAFT)
    assert draft.version == 2
    assert draft.competencies.filter(skill__code="SK-SQL").exists()


def test_each_demo_ladder_is_kept_as_a_version(demo):
    from opsteam.careers import selectors_growth

    for track in CareerTrack.objects.all():
        latest = track.versions.order_by("-number").first()
        assert latest is not None, track.code
        assert latest.saved_by is not None
        now = selectors_growth.track_snapshot(track)
        # the levels and entries as they stand; standards were published after the ladders
        assert [(s["code"], s["entry_from"]) for s in latest.snapshot["steps"]] == [
            (s["code"], s["entry_from"]) for s in now["steps"]
        ], track.code


def test_every_competency_is_grouped_with_five_level_descriptors(demo):
    assert set(SkillGroup.objects.values_list("name", flat=True)) >= {"专业能力", "通用能力"}
    assert not SkillGroup.objects.filter(name_en="").exists()
    assert not Skill.objects.filter(group__isnull=True).exists()
    assert Skill.objects.get(code="SK-COMMS").group.name == "通用能力"
    assert Skill.objects.get(code="SK-CAMPAIGN").group.name == "专业能力"
    per_skill = Skill.objects.annotate(n=Count("level_descriptors")).values_list("n", flat=True)
    assert set(per_skill) == {5}
    assert not SkillLevelDescriptor.objects.filter(description_en="").exists()


def test_the_manager_sees_people_ready_one_standard_short_and_far_off(demo):
    manager = user("manager")
    results = selectors.readiness_for_user(manager)
    team = set(
        Staff.objects.filter(unit__path__startswith=manager.staff.unit.path).values_list(
            "pk", flat=True
        )
    )
    assert {result.staff_id for result in results} <= team
    ready = [result for result in results if result.ready]
    one_short = [result for result in results if len(result.missing()) == 1]
    far_off = [result for result in results if len(result.missing()) >= 3]
    assert ready, "someone in the store team is ready for their next level"
    assert len(one_short) >= 2
    assert len(far_off) >= 2
    assert len({round(result.share_met, 2) for result in results}) >= 4
    # The operator login's only missing course or competency is a course they are taking.
    operator = user("operator").staff
    mine = [result for result in results if result.staff_id == operator.pk]
    assert mine
    gaps = [c for c in mine[0].missing() if c.kind in (engine.COURSE, engine.COMPETENCY)]
    assert [check.kind for check in gaps] == [engine.COURSE]
    assert Enrolment.objects.filter(
        staff=operator, course_id=gaps[0].key, status__in=["assigned", "in_progress"]
    ).exists()
    # What the demo recorded to get there is marked as assessed or as completed courses.
    assert StaffSkill.objects.filter(source="assessment", staff_id__in=team).exists()


def test_the_closed_round_promoted_the_approved_and_explained_the_rest(demo):
    closed = PromotionRound.objects.get(status=RoundStatus.CLOSED)
    today = timezone.localdate()
    assert closed.name_en
    assert closed.nominations_close <= closed.effective_date < today
    nominations = closed.nominations.select_related("staff", "target_level")
    statuses = {nomination.status for nomination in nominations}
    assert {NominationStatus.APPROVED, NominationStatus.REJECTED} <= statuses
    assert {NominationKind.MANAGER, NominationKind.SELF} <= {n.kind for n in nominations}
    for nomination in nominations:
        assert nomination.eligibility["checks"], "the eligibility at nomination is kept"
        reviews = nomination.reviews.all()
        assert reviews.count() == closed.committee.count()
        assert all(r.score is not None and r.comment and r.submitted_at for r in reviews)
        assert nomination.defence_score is not None
        assert nomination.decided_at is not None
        if nomination.status != NominationStatus.APPROVED:
            assert nomination.decision_note
    for nomination in nominations.filter(status=NominationStatus.APPROVED):
        person = Staff.objects.get(pk=nomination.staff_id)
        assert person.level_id == nomination.target_level_id
        assert nomination.ready_at_nomination
        promotion = Assignment.objects.get(
            staff=person, reason="promotion", start_date=closed.effective_date
        )
        assert promotion.level_id == nomination.target_level_id
        assert not Assignment.objects.filter(
            staff=person, end_date__isnull=True, start_date__lt=closed.effective_date
        ).exists()
        assert RewardEntry.objects.filter(
            staff=person, kind=RewardKind.PROMOTION, granted_on=closed.effective_date
        ).exists()
    for nomination in nominations.exclude(status=NominationStatus.APPROVED):
        assert Staff.objects.get(pk=nomination.staff_id).level_id == nomination.from_level_id
    # Committee scores stay with HR and the members: the nominee's manager does not see them.
    assert not CommitteeReview.objects.restrict(user("manager"), "view").exists()


def test_an_open_round_takes_nominations_and_a_ready_person_is_left_to_nominate(demo):
    open_round = PromotionRound.objects.get(status=RoundStatus.NOMINATING)
    assert open_round.nominations_close >= timezone.localdate()
    nomination = open_round.nominations.get()
    assert nomination.staff == user("operator").staff
    assert nomination.kind == NominationKind.SELF
    nominated = {nomination.staff_id}
    ready = [r for r in selectors.readiness_for_user(user("manager")) if r.ready]
    assert any(result.staff_id not in nominated for result in ready)


def test_active_development_plans_close_the_gaps_with_check_ins(demo):
    plans = DevelopmentPlan.objects.filter(status=PlanStatus.ACTIVE)
    assert 2 <= plans.count() <= 3
    for plan in plans:
        assert plan.target_level is not None
        actions = list(plan.actions.all())
        assert actions
        assert all(action.gap for action in actions)
        checkins = list(plan.checkins.order_by("date"))
        assert len(checkins) >= 2
        assert checkins[0].date < checkins[-1].date
        assert plan.start_date <= checkins[0].date
    assert plans.filter(staff=user("operator").staff).exists()


def test_the_operations_bonus_pool_is_approved_exported_and_adds_up_to_the_budget(demo):
    standard = BonusPolicy.objects.get(code="STANDARD")
    assert {k: float(v) for k, v in standard.multipliers.items()} == {
        "S": 2.0,
        "A": 1.5,
        "B": 1.0,
        "C": 0.5,
        "D": 0.0,
    }
    assert (standard.base_months, standard.cap_multiple, standard.floor_amount) == (1, 3, 0)
    assert standard.rounding_unit == 1
    assert BonusPolicy.objects.filter(use_kpi_factor=True).exists()
    pool = BonusPool.objects.get(unit__code="OPS-STORE")
    latest = (
        Review.objects.filter(status__in=selectors.PUBLISHED_REVIEW_STATUSES)
        .order_by("-cycle__period_end")
        .values_list("cycle_id", flat=True)
        .first()
    )
    assert pool.cycle_id == latest
    assert pool.status == PoolStatus.EXPORTED
    assert pool.submitted_by_id != pool.decided_by_id
    total = pool.lines.aggregate(total=Sum("amount"))["total"]
    assert total == pool.budget == pool.allocated
    assert pool.unallocated == 0
    assert not pool.lines.filter(amount__lt=0).exists()
    assert all(line.amount == int(line.amount) for line in pool.lines.all())
    paid = pool.lines.filter(amount__gt=0).count()
    bonuses = RewardEntry.objects.filter(kind=RewardKind.BONUS, source=f"bonus-pool:{pool.pk}")
    assert bonuses.count() == paid
    people = pool.lines.values_list("staff_id", flat=True)
    assert not Staff.objects.filter(pk__in=people, compensation__isnull=True).exists()
    draft = BonusPool.objects.exclude(pk=pool.pk).get()
    assert draft.status == PoolStatus.DRAFT
    assert draft.unit.code == "OPS-CONTENT"


def test_recognition_values_kudos_commendation_badges_and_non_cash_rewards(demo):
    names = set(CompanyValue.objects.values_list("name", flat=True))
    assert names == {"客户第一", "数据驱动", "团队协作", "拥抱变化"}
    assert not CompanyValue.objects.filter(name_en="").exists()
    assert Kudos.objects.count() >= 5
    assert TeamCommendation.objects.filter(points_each__gt=0).exists()
    assert not Badge.objects.filter(name_en="").exists()
    for criterion in (
        BadgeCriterion.MANUAL,
        BadgeCriterion.PLAN_COMPLETED,
        BadgeCriterion.KUDOS_RECEIVED,
        BadgeCriterion.KPI_TOP_DECILE,
    ):
        assert BadgeAward.objects.filter(badge__criterion=criterion).exists(), criterion
    onboarding = Badge.objects.get(criterion=BadgeCriterion.PLAN_COMPLETED)
    assert onboarding.plan.code == "ONBOARD"
    popular = Badge.objects.get(criterion=BadgeCriterion.KUDOS_RECEIVED)
    for award in popular.awards.all():
        assert Kudos.objects.filter(recipient=award.staff).count() >= popular.threshold
    # the GMV badge: the demo scores at least the 10 people the top decile needs on GMV in
    # the latest published cycle, and its holders are the best of them
    gmv = Badge.objects.get(criterion=BadgeCriterion.KPI_TOP_DECILE)
    (cycle_id,) = {int(e.split(":")[1]) for e in gmv.awards.values_list("evidence", flat=True)}
    scores = sorted(
        (
            (line["score"], review.staff_id)
            for review in Review.objects.filter(
                cycle_id=cycle_id, status__in=selectors.PUBLISHED_REVIEW_STATUSES
            )
            for line in review.scorecard.get("lines", [])
            if line.get("kpi") == gmv.kpi_id and line.get("score") is not None
        ),
        reverse=True,
    )
    assert len(scores) >= 10
    holders = set(gmv.awards.values_list("staff_id", flat=True))
    assert holders
    assert holders <= {staff_id for _score, staff_id in scores[: len(scores) // 10]}
    assert RewardEntry.objects.filter(source__startswith=f"badge:{gmv.pk}:").count() == len(holders)
    kinds = set(RewardEntry.objects.values_list("kind", flat=True))
    assert {RewardKind.TRAINING_PLACE, RewardKind.CONFERENCE, RewardKind.POINTS} <= kinds


def test_loading_the_demo_again_creates_nothing(demo):
    models = (
        CareerTrack,
        LevelStandard,
        PromotionRound,
        Nomination,
        CommitteeReview,
        DevelopmentPlan,
        SkillGroup,
        SkillLevelDescriptor,
        StaffSkill,
        Enrolment,
        Compensation,
        BonusPolicy,
        BonusPool,
        BonusLine,
        RewardEntry,
        CompanyValue,
        Kudos,
        TeamCommendation,
        Badge,
        BadgeAward,
        AuditEntry,
    )
    before = {model.__name__: model.objects.count() for model in models}

    output = load()

    assert {model.__name__: model.objects.count() for model in models} == before
    assert "nothing changed" in output
