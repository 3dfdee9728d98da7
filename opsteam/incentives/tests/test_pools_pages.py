"""Bonus pages: policies, pools (allocate, what-if, approve, payroll file), my rewards, the ledger."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from opsteam.core.models import AuditEntry
from opsteam.incentives import services
from opsteam.incentives.choices import PoolStatus, RewardKind
from opsteam.incentives.models import BonusLine, BonusPolicy, BonusPool, RewardEntry
from opsteam.incentives.tests.factories import (
    BonusPolicyFactory,
    CompensationFactory,
    ReviewCycleFactory,
    ReviewFactory,
    RewardEntryFactory,
)
from opsteam.org.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def graded(cycle, unit, grade, salary="10000", **staff_fields):
    person = StaffFactory(unit=unit, **staff_fields)
    CompensationFactory(staff=person, effective_from=dt.date(2025, 1, 1), base_salary=D(salary))
    ReviewFactory(cycle=cycle, staff=person, grade=grade)
    return person


@pytest.fixture
def hr(user_as):
    return user_as("hr")


@pytest.fixture
def cycle(db):
    return ReviewCycleFactory()  # 2026 Q1: 90 days


@pytest.fixture
def people(org_tree, cycle):
    """D1: an A in T1 (12,000 a month), a B in T2 and a B who joined half-way; an S in T3."""
    return {
        "a": graded(cycle, org_tree.t1, "A", salary="12000", name="王芳", name_en="Wang Fang"),
        "b": graded(cycle, org_tree.t2, "B"),
        "late": graded(cycle, org_tree.t1, "B", hire_date=dt.date(2026, 2, 15)),
        "outside": graded(cycle, org_tree.t3, "S"),
    }


@pytest.fixture
def bonus_policy(db):
    return BonusPolicyFactory(code="YEAR-END", name="年终奖", name_en="Year-end bonus")


@pytest.fixture
def pool(hr, cycle, org_tree, people, bonus_policy):
    return services.pool_create(
        actor=hr,
        cycle=cycle,
        unit=org_tree.d1,
        policy_row=bonus_policy,
        budget=D("36000"),
        name="电商运营部 2026 Q1 奖金",
    )


@pytest.fixture
def allocated(hr, pool):
    services.pool_allocate(actor=hr, pool=pool)
    pool.refresh_from_db()
    return pool


@pytest.fixture
def approved(hr, user_as, allocated):
    services.pool_submit(actor=hr, pool=allocated)
    services.pool_decide(actor=user_as("hr"), pool=allocated, approve=True)
    allocated.refresh_from_db()
    return allocated


# --- policies ------------------------------------------------------------------------------


def test_everyone_reads_the_policies_but_only_hr_edits_them(client_as, bonus_policy):
    client = client_as("operator")

    listing = client.get(reverse("incentives:policy_list"))
    detail = client.get(reverse("incentives:policy_detail", args=[bonus_policy.pk]))
    edit = client.get(reverse("incentives:policy_edit", args=[bonus_policy.pk]))

    assert listing.status_code == 200
    assert "Year-end bonus" in listing.content.decode()
    assert "S 2 · A 1.5 · B 1 · C 0.5 · D 0" in listing.content.decode()
    assert detail.status_code == 200
    assert "× 1.5" in detail.content.decode()
    assert edit.status_code == 403


def test_hr_creates_a_policy_with_its_multipliers_table(client_as):
    client = client_as("hr")

    response = client.post(
        reverse("incentives:policy_create"),
        {
            "code": "Q-BONUS",
            "name": "季度奖",
            "name_en": "Quarterly bonus",
            "base_months": "1.5",
            "use_kpi_factor": "on",
            "kpi_factor_min": "0.8",
            "kpi_factor_max": "1.2",
            "cap_multiple": "3",
            "floor_amount": "500",
            "rounding_unit": "10",
            "is_active": "on",
            "multipliers-TOTAL_FORMS": "3",
            "multipliers-INITIAL_FORMS": "0",
            "multipliers-0-grade": "A",
            "multipliers-0-multiplier": "1.5",
            "multipliers-1-grade": "B",
            "multipliers-1-multiplier": "1",
            "multipliers-2-grade": "C",
            "multipliers-2-multiplier": "0.4",
            "multipliers-2-DELETE": "on",
        },
    )

    row = BonusPolicy.objects.get(code="Q-BONUS")
    assert response.status_code == 302
    assert response.url == reverse("incentives:policy_detail", args=[row.pk])
    assert row.multipliers == {"A": "1.5", "B": "1"}
    assert (row.use_kpi_factor, row.cap_multiple, row.rounding_unit) == (True, D(3), D(10))
    assert AuditEntry.objects.filter(
        object_type="incentives.bonuspolicy", object_id=str(row.pk), action="create"
    ).exists()


def test_a_grade_listed_twice_is_refused_and_nothing_is_saved(client_as):
    client = client_as("hr")

    response = client.post(
        reverse("incentives:policy_create"),
        {
            "code": "DUP",
            "name": "重复",
            "base_months": "1",
            "kpi_factor_min": "1.2",
            "kpi_factor_max": "0.8",
            "floor_amount": "0",
            "rounding_unit": "1",
            "multipliers-TOTAL_FORMS": "2",
            "multipliers-INITIAL_FORMS": "0",
            "multipliers-0-grade": "A",
            "multipliers-0-multiplier": "1.5",
            "multipliers-1-grade": "A",
            "multipliers-1-multiplier": "1.2",
        },
    )

    assert response.status_code == 400
    assert "Grade A is listed twice." in response.content.decode()
    assert response.context["form"].errors["kpi_factor_max"]
    assert not BonusPolicy.objects.filter(code="DUP").exists()


def test_editing_a_policy_keeps_the_grades_and_records_the_change(client_as, bonus_policy):
    client = client_as("hr")
    page = client.get(reverse("incentives:policy_edit", args=[bonus_policy.pk]))
    rows = page.context["multipliers"].initial

    response = client.post(
        reverse("incentives:policy_edit", args=[bonus_policy.pk]),
        {
            "code": bonus_policy.code,
            "name": "年终奖（修订）",
            "base_months": "2",
            "kpi_factor_min": "0",
            "kpi_factor_max": "2",
            "floor_amount": "0",
            "rounding_unit": "1",
            "is_active": "on",
            "multipliers-TOTAL_FORMS": str(len(rows)),
            "multipliers-INITIAL_FORMS": str(len(rows)),
            **{f"multipliers-{i}-grade": row["grade"] for i, row in enumerate(rows)},
            **{f"multipliers-{i}-multiplier": row["multiplier"] for i, row in enumerate(rows)},
        },
    )

    bonus_policy.refresh_from_db()
    assert response.status_code == 302
    assert [row["grade"] for row in rows] == ["S", "A", "B", "C", "D"]
    assert (bonus_policy.name, bonus_policy.base_months) == ("年终奖（修订）", D(2))
    assert set(bonus_policy.multipliers) == {"S", "A", "B", "C", "D"}
    assert AuditEntry.objects.filter(
        object_type="incentives.bonuspolicy", object_id=str(bonus_policy.pk), action="update"
    ).exists()


# --- pools ---------------------------------------------------------------------------------


def test_hr_creates_a_pool_for_a_department(client_as, cycle, org_tree, bonus_policy):
    client = client_as("hr")

    response = client.post(
        reverse("incentives:pool_create"),
        {
            "cycle": cycle.pk,
            "unit": org_tree.d1.pk,
            "policy_row": bonus_policy.pk,
            "budget": "50000",
            "currency": "cny",
        },
    )

    pool = BonusPool.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("incentives:pool_detail", args=[pool.pk])
    assert (pool.unit, pool.budget, pool.currency, pool.status) == (
        org_tree.d1,
        D(50000),
        "CNY",
        PoolStatus.DRAFT,
    )
    assert AuditEntry.objects.filter(
        object_type="incentives.bonuspool", object_id=str(pool.pk), action="create"
    ).exists()


def test_a_budget_off_the_rounding_unit_is_refused_on_the_field(
    client_as, cycle, org_tree, bonus_policy
):
    client = client_as("hr")
    bonus_policy.rounding_unit = D(100)
    bonus_policy.save()

    response = client.post(
        reverse("incentives:pool_create"),
        {
            "cycle": cycle.pk,
            "unit": org_tree.d1.pk,
            "policy_row": bonus_policy.pk,
            "budget": "50050",
            "currency": "CNY",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["budget"] == [
        "The budget must be a multiple of the policy's rounding unit (100)."
    ]
    assert not BonusPool.objects.exists()


def test_a_second_pool_over_the_same_people_is_refused_on_the_unit(
    client_as, pool, cycle, org_tree, bonus_policy
):
    client = client_as("hr")

    response = client.post(
        reverse("incentives:pool_create"),
        {
            "cycle": cycle.pk,
            "unit": org_tree.t1.pk,
            "policy_row": bonus_policy.pk,
            "budget": "1000",
            "currency": "CNY",
        },
    )

    assert response.status_code == 400
    assert "already shares a budget" in response.context["form"].errors["unit"][0]
    assert BonusPool.objects.count() == 1


def test_a_pool_before_allocation_says_how_many_people_it_would_pay(client_as, pool):
    client = client_as("hr")

    response = client.get(reverse("incentives:pool_detail", args=[pool.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Not allocated yet" in content
    assert "the 3 graded people of" in content
    assert 'id="pool-allocate"' in content
    assert 'id="pool-submit"' not in content


def test_allocating_shows_each_line_with_its_explanation_and_totals(client_as, pool, people):
    client = client_as("hr")

    response = client.post(reverse("incentives:pool_allocate", args=[pool.pk]), follow=True)

    content = response.content.decode()
    assert "36,000 allocated to 3 people." in content
    assert "Wang Fang" in content
    # 12,000 x 1.5 = 18,000; 10,000; 10,000 x 45/90 = 5,000: 18,000 of 33,000.
    assert "base 12,000 × A 1.5 × 90/90 days = weight 18,000" in content
    assert "54.55% of the pool&#x27;s weight" in content
    assert BonusLine.objects.get(staff=people["a"]).amount == D("19636")
    grades = {group.label: group.amount for group in response.context["breakdown"].by_grade}
    assert grades == {"A": D("19636"), "B": D("16364")}
    assert response.context["grade_chart"]["xAxis"]["data"] == ["A", "B"]
    assert 'id="pool-submit"' in content


def test_the_lines_filter_by_grade_and_sort_by_amount(client_as, allocated, people):
    client = client_as("hr")

    response = client.get(
        reverse("incentives:pool_detail", args=[allocated.pk]), {"grade": "B", "sort": "-amount"}
    )

    staff = [line.staff for line, _explanation in response.context["rows"]]
    assert staff == [people["b"], people["late"]]


def test_the_submitter_cannot_approve_and_is_told_why(client, hr, allocated):
    services.pool_submit(actor=hr, pool=allocated)
    client.force_login(hr)

    page = client.get(reverse("incentives:pool_detail", args=[allocated.pk]))
    response = client.post(
        reverse("incentives:pool_decide", args=[allocated.pk]),
        {"decision": "approve"},
        follow=True,
    )

    allocated.refresh_from_db()
    assert 'id="pool-own-submission"' in page.content.decode()
    assert "A pool is approved by someone other than who submitted it." in (
        response.content.decode()
    )
    assert allocated.status == PoolStatus.SUBMITTED
    assert not RewardEntry.objects.exists()


def test_another_hr_partner_approves_and_the_bonuses_reach_the_ledger(
    user_as, hr, allocated, people
):
    services.pool_submit(actor=hr, pool=allocated)
    approver = login(user_as("hr"))

    response = approver.post(
        reverse("incentives:pool_decide", args=[allocated.pk]), {"decision": "approve"}
    )

    allocated.refresh_from_db()
    assert response.status_code == 302
    assert allocated.status == PoolStatus.APPROVED
    bonus = RewardEntry.objects.get(staff=people["a"], kind=RewardKind.BONUS)
    assert (bonus.amount, bonus.title) == (D("19636"), allocated.name)


def test_sending_back_needs_a_reason_and_shows_it(user_as, hr, allocated):
    services.pool_submit(actor=hr, pool=allocated)
    approver = login(user_as("hr"))
    url = reverse("incentives:pool_decide", args=[allocated.pk])

    refused = approver.post(url, {"decision": "send_back", "note": " "}, follow=True)
    allocated.refresh_from_db()
    status_after_refusal = allocated.status
    sent_back = approver.post(
        url, {"decision": "send_back", "note": "T2 的 B 档系数请复核"}, follow=True
    )

    allocated.refresh_from_db()
    assert "Say why the pool is sent back." in refused.content.decode()
    assert status_after_refusal == PoolStatus.SUBMITTED
    assert allocated.status == PoolStatus.REJECTED
    assert "T2 的 B 档系数请复核" in sent_back.content.decode()


def test_the_payroll_file_lists_every_line_and_the_first_export_marks_the_pool(
    client_as, approved, people
):
    client = client_as("hr")
    url = reverse("incentives:pool_export", args=[approved.pk])

    first = client.get(url, {"file_format": "csv"})
    approved.refresh_from_db()
    status_after_first = approved.status
    second = client.get(url, {"file_format": "xlsx"})

    rows = list(csv.reader(io.StringIO(b"".join(first.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == list(services.PAYROLL_HEADER)
    assert {row[0] for row in rows[1:]} == {people[key].employee_no for key in ("a", "b", "late")}
    assert sum(D(row[4]) for row in rows[1:]) == D(36000)
    assert status_after_first == PoolStatus.EXPORTED
    assert second.status_code == 200
    assert second["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_pool_not_yet_approved_has_no_payroll_file(client_as, allocated):
    client = client_as("hr")

    response = client.get(
        reverse("incentives:pool_export", args=[allocated.pk]), {"file_format": "csv"}, follow=True
    )

    assert "Only an approved pool goes to payroll." in response.content.decode()
    allocated.refresh_from_db()
    assert allocated.status == PoolStatus.DRAFT


def test_a_manager_reads_their_subtrees_pool_and_each_line_read_is_audited(
    client_as, org_tree, allocated
):
    client = client_as("manager", unit=org_tree.d1)
    before = AuditEntry.objects.filter(action="view").count()

    response = client.get(reverse("incentives:pool_detail", args=[allocated.pk]))

    assert response.status_code == 200
    assert len(response.context["rows"]) == 3
    views = AuditEntry.objects.filter(action="view", object_type="incentives.bonusline")
    assert views.count() - before == 3
    assert views.first().after == {"read": ["base", "amount"]}
    assert 'id="pool-allocate"' not in response.content.decode()


def test_hr_reading_lines_writes_no_read_entries(client_as, allocated):
    client = client_as("hr")

    client.get(reverse("incentives:pool_detail", args=[allocated.pk]))

    assert not AuditEntry.objects.filter(action="view").exists()


def test_a_manager_elsewhere_and_operators_do_not_see_the_pool(client_as, org_tree, allocated):
    manager = client_as("manager", unit=org_tree.t3)
    outside = manager.get(reverse("incentives:pool_detail", args=[allocated.pk]))
    listing = manager.get(reverse("incentives:pool_list"))
    operator = client_as("operator", unit=org_tree.t1)
    hidden = operator.get(reverse("incentives:pool_detail", args=[allocated.pk]))

    assert outside.status_code == 404
    assert list(listing.context["object_list"]) == []
    assert hidden.status_code == 404
    assert "王芳" not in hidden.content.decode()


def test_pools_list_with_status_budget_and_unallocated_and_export(client_as, allocated):
    client = client_as("hr")

    page = client.get(reverse("incentives:pool_list"), {"status": "draft"})
    export = client.get(reverse("incentives:pool_list"), {"export": "csv"})

    assert [pool.pk for pool in page.context["object_list"]] == [allocated.pk]
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Pool", "Review cycle", "Unit"]
    assert rows[1][0] == allocated.name
    assert D(rows[1][6]) == D(36000)


# --- what-if -------------------------------------------------------------------------------


def test_what_if_compares_another_budget_and_multiplier_side_by_side(client_as, allocated, people):
    client = client_as("hr")
    lines_before = list(BonusLine.objects.order_by("pk").values_list("amount", flat=True))

    response = client.get(
        reverse("incentives:pool_simulate", args=[allocated.pk]), {"budget": "45000", "m_A": "2"}
    )

    comparison = response.context["comparison"]
    assert response.status_code == 200
    assert comparison.current.allocated == D(36000)
    assert comparison.what_if.allocated == D(45000)
    assert comparison.difference == D(9000)
    by_person = {line.person.staff_id: line for line in comparison.lines}
    # A at 2.0: 24,000 of 39,000 weight.
    assert by_person[people["a"].pk].what_if == D("27692")
    assert by_person[people["a"].pk].difference == D("27692") - D("19636")
    assert {group.label for group in comparison.by_grade} == {"A", "B"}
    assert list(BonusLine.objects.order_by("pk").values_list("amount", flat=True)) == lines_before


def test_what_if_under_a_policy_with_the_kpi_factor_uses_the_scores(
    client_as, allocated, people, cycle
):
    client = client_as("hr")
    from opsteam.performance.models import Review

    Review.objects.filter(staff=people["a"]).update(kpi_score=D(50))
    with_kpi = BonusPolicyFactory(code="KPI", use_kpi_factor=True)

    response = client.get(
        reverse("incentives:pool_simulate", args=[allocated.pk]), {"policy_row": with_kpi.pk}
    )

    by_person = {line.person.staff_id: line for line in response.context["comparison"].lines}
    # KPI 0.5 halves A's weight (9,000 of 24,000) where the pool's policy ignores it.
    assert by_person[people["a"].pk].what_if == D(13500)
    assert by_person[people["a"].pk].current == D("19636")


def test_what_if_with_floors_above_the_budget_explains_on_the_field(client_as, allocated):
    client = client_as("hr")

    response = client.get(
        reverse("incentives:pool_simulate", args=[allocated.pk]), {"floor_amount": "20000"}
    )

    assert response.status_code == 400
    assert "floors exceed the budget" in str(response.context["form"].errors["floor_amount"])
    assert response.context["comparison"] is None


def test_managers_may_not_run_the_what_if(client_as, org_tree, allocated):
    client = client_as("manager", unit=org_tree.d1)

    response = client.get(reverse("incentives:pool_simulate", args=[allocated.pk]))

    assert response.status_code == 403


# --- my rewards and the ledger -------------------------------------------------------------


def test_my_rewards_show_my_bonus_once_approved_with_how_it_was_worked_out(
    user_as, org_tree, cycle, bonus_policy, hr
):
    me = user_as("operator", unit=org_tree.t1)
    CompensationFactory(staff=me.staff, base_salary=D(8000))
    ReviewFactory(cycle=cycle, staff=me.staff, grade="A")
    pool = services.pool_create(
        actor=hr, cycle=cycle, unit=org_tree.t1, policy_row=bonus_policy, budget=D(6000)
    )
    services.pool_allocate(actor=hr, pool=pool)
    RewardEntryFactory(staff=me.staff, kind=RewardKind.TRAINING_PLACE, title="数据分析训练营")
    client = login(me)

    before = client.get(reverse("incentives:my_rewards"))
    services.pool_submit(actor=hr, pool=pool)
    services.pool_decide(actor=user_as("hr"), pool=pool, approve=True)
    after = client.get(reverse("incentives:my_rewards"))

    assert "数据分析训练营" in before.content.decode()
    assert before.context["lines"] == []
    content = after.content.decode()
    assert "How my bonuses were worked out" in content
    assert "base 8,000 × A 1.5 × 90/90 days" in content
    kinds = {row.kind: row for row in after.context["data"].totals}
    assert kinds[RewardKind.BONUS].amount == D(6000)
    assert kinds[RewardKind.TRAINING_PLACE].count == 1
    assert AuditEntry.objects.filter(
        action="view", object_type="incentives.bonusline", actor=me
    ).exists()


def test_my_rewards_without_a_staff_record_says_so(client):
    from opsteam.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(username="no-staff"))

    response = client.get(reverse("incentives:my_rewards"))

    assert response.status_code == 200
    assert "not linked to a staff record" in response.content.decode()


def test_operators_go_to_their_own_rewards_from_the_ledger(client_as):
    client = client_as("operator")

    response = client.get(reverse("incentives:reward_list"))

    assert response.status_code == 302
    assert response.url == reverse("incentives:my_rewards")


def test_the_ledger_filters_by_kind_and_exports(client_as, org_tree):
    client = client_as("hr")
    person = StaffFactory(unit=org_tree.t1)
    RewardEntryFactory(staff=person, kind=RewardKind.CONFERENCE, title="QCon", amount=D(3000))
    RewardEntryFactory(staff=person, kind=RewardKind.TRAINING_PLACE, title="训练营")

    page = client.get(reverse("incentives:reward_list"), {"kind": "conference"})
    export = client.get(reverse("incentives:reward_list"), {"export": "csv"})

    assert [entry.title for entry in page.context["object_list"]] == ["QCon"]
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3
    assert {row[5] for row in rows[1:]} == {"QCon", "训练营"}


def test_a_manager_grants_a_training_place_to_their_team(client_as, org_tree):
    client = client_as("manager", unit=org_tree.d1)
    person = StaffFactory(unit=org_tree.t2)

    form = client.get(reverse("incentives:reward_grant"), {"staff": person.pk})
    response = client.post(
        reverse("incentives:reward_grant"),
        {"staff": person.employee_no, "kind": "training_place", "title": "直播运营训练营"},
    )

    entry = RewardEntry.objects.get(staff=person)
    assert form.context["form"].initial["staff"] == person.employee_no
    assert response.status_code == 302
    assert (entry.kind, entry.title, entry.granted_by) == (
        RewardKind.TRAINING_PLACE,
        "直播运营训练营",
        client.user,
    )
    assert AuditEntry.objects.filter(
        object_type="incentives.rewardentry", object_id=str(entry.pk), action="create"
    ).exists()


def test_a_manager_cannot_grant_outside_their_team_nor_a_bonus(client_as, org_tree):
    client = client_as("manager", unit=org_tree.d1)
    outsider = StaffFactory(unit=org_tree.t3)
    insider = StaffFactory(unit=org_tree.t1)

    outside = client.post(
        reverse("incentives:reward_grant"),
        {"staff": outsider.employee_no, "kind": "training_place", "title": "x"},
    )
    bonus = client.post(
        reverse("incentives:reward_grant"),
        {"staff": insider.employee_no, "kind": "bonus", "title": "x"},
    )

    assert outside.status_code == 400
    assert outside.context["form"].errors["staff"]
    assert bonus.status_code == 400
    assert bonus.context["form"].errors["kind"]
    assert not RewardEntry.objects.exists()
