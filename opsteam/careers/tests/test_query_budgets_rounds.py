"""Every promotion-round list page, export and API list runs a fixed number of queries,
however many rows.

One dataset holds a round in committee review with 10 nominations (each with a committee
review by HR, who sits on the committee) and 10 other rounds; every endpoint is requested, the
dataset grows to 500 of each and every endpoint is requested again
(``opsteam/core/tests/query_budgets.py``). Each must stay within ``BUDGET`` and take as many
queries at 500 rows as at 10. The round page lists every nomination the user may see (no
pagination), so it is measured like a list.

Rows are bulk-inserted and the measurements are taken once per module inside a rolled-back
transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.careers.choices import NominationKind, NominationStatus, RoundStatus
from opsteam.careers.models import CommitteeReview, Nomination, PromotionRound
from opsteam.core.tests.query_budgets import (
    ALL_ROWS,
    EXPORT,
    SIZES,
    Endpoint,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)
from opsteam.org.models import Staff

pytestmark = pytest.mark.django_db

BUDGET = 15
STATUSES = (NominationStatus.NOMINATED, NominationStatus.DEFERRED, NominationStatus.APPROVED)
ROUND_STATUSES = tuple(RoundStatus.values)
SNAPSHOT = {
    "ready": False,
    "met": 1,
    "total": 2,
    "checks": [
        {
            "kind": "time_in_level",
            "key": None,
            "met": True,
            "required": 6,
            "actual": 40,
            "gap": 0.0,
            "evidence": ["2023-01-01"],
            "reason": "met",
            "params": {"required": 6, "months": 40, "since": "2023-01-01"},
        },
        {
            "kind": "course",
            "key": 1,
            "met": False,
            "required": True,
            "actual": False,
            "gap": 1.0,
            "evidence": [],
            "reason": "missing",
            "params": {"course": 1, "completed_on": None},
        },
    ],
}


@dataclass
class Dataset:
    """The round under review and rows grown in bulk: ``grow(n)`` makes ``n`` people, each
    nominated in ``round`` with HR's committee review, and ``n`` other rounds. People alternate
    between a team under D1 (the manager's) and one under D2."""

    teams: list[Any]
    position: Any
    level: Any
    target: Any
    hr: Any
    round: Any = None
    size: int = 0
    rounds: list[Any] = field(default_factory=list)

    def setup(self) -> None:
        self.round = PromotionRound.objects.create(
            name="2026 年度晋升",
            name_en="2026 promotions",
            status=RoundStatus.REVIEWING,
            nominations_close=dt.date(2026, 3, 1),
            effective_date=dt.date(2026, 4, 1),
        )
        self.round.committee.add(self.hr)

    def grow(self, size: int) -> None:
        start, stop = self.size, size
        if stop <= start:
            return
        new = range(start, stop)
        now = timezone.now()
        staff = Staff.objects.bulk_create(
            Staff(
                employee_no=f"R{i:05d}",
                name=f"候选人{i}",
                name_en=f"Candidate {i}",
                hire_date=dt.date(2021, 1, 1) + dt.timedelta(days=i),
                unit=self.teams[i % 2],
                position=self.position,
                level=self.level,
            )
            for i in new
        )
        nominations = Nomination.objects.bulk_create(
            Nomination(
                round=self.round,
                staff=person,
                unit_id=person.unit_id,
                from_level=self.level,
                target_level=self.target,
                kind=NominationKind.MANAGER,
                nominated_by=self.hr,
                justification=f"理由{i}",
                eligibility=SNAPSHOT,
                ready_at_nomination=bool(i % 2),
                status=STATUSES[i % 3],
                defence_score=Decimal(60 + i % 40),
                decided_by=self.hr if i % 3 else None,
                decided_at=now if i % 3 else None,
            )
            for i, person in zip(new, staff, strict=True)
        )
        CommitteeReview.objects.bulk_create(
            CommitteeReview(
                nomination=nomination,
                reviewer=self.hr,
                score=Decimal(70 + k % 30) if k % 2 else None,
                recommendation="approve" if k % 2 else "",
                submitted_at=now if k % 2 else None,
            )
            for k, nomination in enumerate(nominations)
        )
        rounds = PromotionRound.objects.bulk_create(
            PromotionRound(
                name=f"晋升评审{i}",
                name_en=f"Round {i}",
                status=ROUND_STATUSES[i % len(ROUND_STATUSES)],
                nominations_close=dt.date(2020, 1, 1) + dt.timedelta(days=i),
                effective_date=dt.date(2020, 2, 1) + dt.timedelta(days=i),
            )
            for i in new
        )
        PromotionRound.committee.through.objects.bulk_create(
            PromotionRound.committee.through(promotionround_id=r.pk, user_id=self.hr.pk)
            for r in rounds
        )
        self.rounds += rounds
        self.size = size


def _round(data: Dataset) -> int:
    return data.round.pk


ROUND = {"pk": _round}

ENDPOINTS: dict[str, Endpoint] = {
    "page rounds": Endpoint("careers:round_list"),
    "page rounds by stage": Endpoint("careers:round_list", {"status": "closed", "sort": "-name"}),
    "page rounds (manager)": Endpoint("careers:round_list", login="manager"),
    "page round": Endpoint("careers:round_detail", kwargs=ROUND),
    "page round (manager)": Endpoint("careers:round_detail", kwargs=ROUND, login="manager"),
    "page committee": Endpoint("careers:committee"),
    "export nominations": Endpoint("careers:round_detail", EXPORT, rows="csv", kwargs=ROUND),
    "export nominations (manager)": Endpoint(
        "careers:round_detail", EXPORT, kwargs=ROUND, login="manager"
    ),
    "api rounds": Endpoint("careers-round-list", ALL_ROWS, rows="api"),
    "api nominations": Endpoint("careers-nomination-list", ALL_ROWS, rows="api"),
    "api nominations (manager)": Endpoint("careers-nomination-list", ALL_ROWS, login="manager"),
    "api committee reviews": Endpoint("careers-committee-review-list", ALL_ROWS, rows="api"),
    "api committee reviews (manager)": Endpoint(
        "careers-committee-review-list", ALL_ROWS, login="manager"
    ),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    """D1 and D2 with a team each; HR (on the committee) and D1's manager, logged in."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import (
        JobLevelFactory,
        OrgUnitFactory,
        PositionFactory,
        StaffFactory,
    )

    company = OrgUnitFactory(code="CO", name="公司", kind="company")
    d1 = OrgUnitFactory(code="D1", name="运营部", kind="department", parent=company)
    d2 = OrgUnitFactory(code="D2", name="财务部", kind="department", parent=company)
    teams = [OrgUnitFactory(parent=d1), OrgUnitFactory(parent=d2)]
    clients, users = {}, {}
    for role in ("hr", "manager"):
        user = UserFactory(username=f"{role}-rounds-budget")
        RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
        StaffFactory(user=user, unit=d1)
        clients[role], users[role] = logged_in_client(user), user
    data = Dataset(
        teams=teams,
        position=PositionFactory(),
        level=JobLevelFactory(),
        target=JobLevelFactory(code="P3", name="高级运营", name_en="Senior", rank=3),
        hr=users["hr"],
    )
    data.setup()
    return data, clients


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build():
        data, clients = build_dataset()
        return measure(ENDPOINTS, clients=clients, data=data, grow=data.grow)

    return measured_in_rollback(django_db_blocker, build)


@pytest.mark.parametrize(
    ("name", "size"),
    [pytest.param(name, size, id=f"{name}-{size}") for name in ENDPOINTS for size in SIZES],
)
def test_endpoint_stays_within_the_query_budget(measured, name, size):
    assert_within_budget(measured, ENDPOINTS, name, size, BUDGET)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_does_not_grow_with_rows(measured, name):
    assert_constant(measured, name)


def test_manager_sees_and_exports_only_their_subtree(measured):
    # People alternate between D1's team and D2's: the manager's half is 250 of 500.
    assert measured["export nominations"][500].rows == 500
    assert measured["export nominations (manager)"][500].rows == 250
    assert measured["api nominations (manager)"][500].rows == 250
    # Committee reviews are their author's (HR): a manager who is on no committee has none.
    assert measured["api committee reviews (manager)"][500].rows == 0


def test_round_page_lists_every_visible_nomination_and_the_committee_its_reviews():
    data, clients = build_dataset()
    data.grow(10)

    page = clients["manager"].get(reverse("careers:round_detail", args=[data.round.pk]))
    committee = clients["hr"].get(reverse("careers:committee"))

    assert len(page.context["nominations"]) == 5
    assert page.context["summary"].total == 5
    # HR's open reviews are those of undecided nominations with no score yet
    todo = committee.context["todo"]
    assert {review.nomination.status for review in todo} == {NominationStatus.NOMINATED}
    assert all(review.submitted_at is None for review in todo)
    assert len(todo) + len(committee.context["done"]) == 10
