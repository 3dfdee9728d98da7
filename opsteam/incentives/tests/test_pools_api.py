"""Incentives API: policies, pools (allocate, what-if, submit, decide, export), lines, ledger."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from opsteam.core.models import AuditEntry
from opsteam.incentives import services
from opsteam.incentives.choices import PoolStatus, RewardKind
from opsteam.incentives.models import BonusLine, BonusPolicy, BonusPool, RewardEntry
from opsteam.incentives.tests.factories import (
    BonusPolicyFactory,
    CompensationFactory,
    ReviewCycleFactory,
    ReviewFactory,
)
from opsteam.org.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def graded(cycle, unit, grade, salary="10000", user=None):
    person = user.staff if user is not None else StaffFactory(unit=unit)
    CompensationFactory(staff=person, effective_from=dt.date(2025, 1, 1), base_salary=D(salary))
    ReviewFactory(cycle=cycle, staff=person, grade=grade)
    return person


@pytest.fixture
def hr(user_as):
    return user_as("hr")


@pytest.fixture
def operator(user_as, org_tree):
    return user_as("operator", unit=org_tree.t1)


@pytest.fixture
def cycle(db):
    return ReviewCycleFactory()


@pytest.fixture
def bonus_policy(db):
    return BonusPolicyFactory(code="YEAR-END")


@pytest.fixture
def pool(hr, cycle, org_tree, bonus_policy, operator):
    graded(cycle, org_tree.t1, "A", salary="12000")
    graded(cycle, org_tree.t2, "B")
    graded(cycle, org_tree.t1, "B", user=operator)
    return services.pool_create(
        actor=hr, cycle=cycle, unit=org_tree.d1, policy_row=bonus_policy, budget=D(40000)
    )


def test_hr_creates_and_edits_a_policy_and_operators_may_only_read(hr, operator):
    api = api_for(hr)

    created = api.post(
        reverse("incentives-policy-list"),
        {
            "code": "Q",
            "name": "季度奖",
            "multipliers": {"A": "1.5", "B": "1"},
            "cap_amount": "9000",
        },
        format="json",
    )
    pk = created.json()["id"]
    patched = api.patch(
        reverse("incentives-policy-detail", args=[pk]),
        {"multipliers": {"A": "1.8", "B": "1", "C": "0.5"}},
        format="json",
    )
    read = api_for(operator).get(reverse("incentives-policy-detail", args=[pk]))
    denied = api_for(operator).patch(
        reverse("incentives-policy-detail", args=[pk]), {"name": "x"}, format="json"
    )

    assert created.status_code == 201
    assert patched.status_code == 200
    assert patched.json()["multipliers"] == {"A": "1.800", "B": "1.000", "C": "0.500"}
    assert read.json()["cap_amount"] == "9000.00"
    assert denied.status_code == 403
    assert BonusPolicy.objects.get(pk=pk).name == "季度奖"
    assert AuditEntry.objects.filter(object_type="incentives.bonuspolicy", action="update").exists()


def test_bad_policy_input_names_the_field_and_writes_nothing(hr):
    api = api_for(hr)

    empty = api.post(
        reverse("incentives-policy-list"),
        {"code": "X", "name": "x", "multipliers": {}},
        format="json",
    )
    bounds = api.post(
        reverse("incentives-policy-list"),
        {
            "code": "Y",
            "name": "y",
            "multipliers": {"A": "1"},
            "kpi_factor_min": "1.5",
            "kpi_factor_max": "1.0",
        },
        format="json",
    )

    assert empty.status_code == 400
    assert empty.json()["errors"][0]["attr"] == "multipliers"
    assert bounds.status_code == 400
    assert bounds.json()["errors"][0]["attr"] == "kpi_factor_min"
    assert not BonusPolicy.objects.exists()


def test_a_pool_runs_from_creation_to_the_payroll_file(hr, user_as, cycle, org_tree, bonus_policy):
    graded(cycle, org_tree.t1, "A", salary="12000")
    graded(cycle, org_tree.t2, "B")
    api = api_for(hr)

    created = api.post(
        reverse("incentives-pool-list"),
        {
            "cycle": cycle.pk,
            "unit": org_tree.d1.pk,
            "policy": bonus_policy.pk,
            "budget": "28000",
            "currency": "cny",
        },
        format="json",
    )
    pk = created.json()["id"]
    allocated = api.post(reverse("incentives-pool-allocate", args=[pk]))
    submitted = api.post(reverse("incentives-pool-submit", args=[pk]))
    approved = api_for(user_as("hr")).post(
        reverse("incentives-pool-decide", args=[pk]), {"approve": True}, format="json"
    )
    exported = api.get(reverse("incentives-pool-export", args=[pk]))

    assert created.status_code == 201
    assert created.json()["currency"] == "CNY"
    assert allocated.json()["people"] == 2
    assert allocated.json()["pool"]["allocated"] == "28000.00"
    assert submitted.json()["status"] == "submitted"
    assert approved.json()["status"] == "approved"
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    # 12,000 x 1.5 = 18,000 and 10,000: 18,000 of 28,000 weight.
    assert sorted(D(row[4]) for row in rows[1:]) == [D(10000), D(18000)]
    assert BonusPool.objects.get(pk=pk).status == PoolStatus.EXPORTED
    assert RewardEntry.objects.filter(kind=RewardKind.BONUS).count() == 2


def test_the_submitter_may_not_approve_their_own_pool(hr, pool):
    api = api_for(hr)
    api.post(reverse("incentives-pool-allocate", args=[pool.pk]))
    api.post(reverse("incentives-pool-submit", args=[pool.pk]))

    response = api.post(
        reverse("incentives-pool-decide", args=[pool.pk]), {"approve": True}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == (
        "A pool is approved by someone other than who submitted it."
    )
    assert BonusPool.objects.get(pk=pool.pk).status == PoolStatus.SUBMITTED


def test_a_draft_pool_has_no_payroll_file(hr, pool):
    response = api_for(hr).get(reverse("incentives-pool-export", args=[pool.pk]))

    assert response.status_code == 409
    assert BonusPool.objects.get(pk=pool.pk).status == PoolStatus.DRAFT


def test_simulate_returns_each_line_beside_the_current_one_and_writes_nothing(hr, pool):
    api = api_for(hr)
    api.post(reverse("incentives-pool-allocate", args=[pool.pk]))
    lines_before = list(BonusLine.objects.values_list("pk", "amount"))
    audit_before = AuditEntry.objects.count()

    response = api.post(
        reverse("incentives-pool-simulate", args=[pool.pk]),
        {"budget": "50000", "multipliers": {"A": "2"}},
        format="json",
    )
    bad = api.post(
        reverse("incentives-pool-simulate", args=[pool.pk]),
        {"floor_amount": "30000"},
        format="json",
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["allocated"], body["current_allocated"]) == ("50000.00", "40000.00")
    assert len(body["lines"]) == 3
    assert sum(D(line["amount"]) for line in body["lines"]) == D(50000)
    grades = {group["label"]: group for group in body["by_grade"]}
    # A at 2.0: 24,000 of 44,000 weight; now A at 1.5: 18,000 of 38,000.
    assert grades["A"]["amount"] == "27273.00"
    assert grades["A"]["current_amount"] == "18948.00"
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "floor_amount"
    assert list(BonusLine.objects.values_list("pk", "amount")) == lines_before
    assert AuditEntry.objects.count() == audit_before


def test_operators_read_their_own_line_only_once_the_pool_is_approved(hr, user_as, operator, pool):
    services.pool_allocate(actor=hr, pool=pool)
    api = api_for(operator)

    before = api.get(reverse("incentives-line-list"))
    services.pool_submit(actor=hr, pool=pool)
    services.pool_decide(actor=user_as("hr"), pool=pool, approve=True)
    after = api.get(reverse("incentives-line-list"))
    others = BonusLine.objects.exclude(staff=operator.staff).first()
    other = api.get(reverse("incentives-line-detail", args=[others.pk]))

    assert before.json()["results"] == []
    rows = after.json()["results"]
    assert [row["staff"] for row in rows] == [operator.staff.pk]
    assert rows[0]["explanation"]["grade"] == "B"
    assert other.status_code == 404
    assert (
        AuditEntry.objects.filter(
            action="view", object_type="incentives.bonusline", actor=operator
        ).count()
        == 1
    )


def test_managers_read_their_subtrees_lines_filtered_by_pool_and_audited(
    hr, user_as, org_tree, pool
):
    services.pool_allocate(actor=hr, pool=pool)
    manager = user_as("manager", unit=org_tree.t2)

    response = api_for(manager).get(reverse("incentives-line-list"), {"pool": pool.pk})

    rows = response.json()["results"]
    assert len(rows) == 1
    assert rows[0]["unit"] == org_tree.t2.pk
    assert AuditEntry.objects.filter(action="view", actor=manager).count() == 1


def test_managers_may_read_but_not_run_a_pool(user_as, org_tree, pool):
    api = api_for(user_as("manager", unit=org_tree.d1))

    read = api.get(reverse("incentives-pool-detail", args=[pool.pk]))
    allocate = api.post(reverse("incentives-pool-allocate", args=[pool.pk]))
    simulate = api.post(reverse("incentives-pool-simulate", args=[pool.pk]), {}, format="json")

    assert read.status_code == 200
    assert (allocate.status_code, simulate.status_code) == (403, 403)
    assert not BonusLine.objects.exists()


def test_rewards_record_non_cash_kinds_for_the_managers_team_only(user_as, org_tree):
    manager = user_as("manager", unit=org_tree.d1)
    insider = StaffFactory(unit=org_tree.t1)
    outsider = StaffFactory(unit=org_tree.t3)
    api = api_for(manager)
    url = reverse("incentives-reward-list")

    granted = api.post(
        url,
        {"staff": insider.pk, "kind": "conference", "title": "QCon", "amount": "4000"},
        format="json",
    )
    bonus = api.post(url, {"staff": insider.pk, "kind": "bonus", "title": "x"}, format="json")
    outside = api.post(url, {"staff": outsider.pk, "kind": "other", "title": "x"}, format="json")
    listed = api.get(url, {"kind": "conference"})

    assert granted.status_code == 201
    assert (granted.json()["currency"], granted.json()["granted_by"]) == ("CNY", manager.pk)
    assert bonus.status_code == 400
    assert bonus.json()["errors"][0]["attr"] == "kind"
    assert outside.status_code == 404
    assert [row["title"] for row in listed.json()["results"]] == ["QCon"]
    assert RewardEntry.objects.count() == 1


def test_operators_and_auditors_grant_nothing(user_as, org_tree):
    person = StaffFactory(unit=org_tree.t1)
    for role in ("operator", "auditor"):
        response = api_for(user_as(role)).post(
            reverse("incentives-reward-list"),
            {"staff": person.pk, "kind": "other", "title": "x"},
            format="json",
        )

        assert response.status_code == 403
    assert not RewardEntry.objects.exists()
