"""Every recognition list page, export and API list, the leaderboards and the fairness review run
a fixed number of queries, however many rows.

One dataset of 10 rows of every kind (people with points, kudos, team commendations, badges and
awards, company values, units with their switches, graded reviews with bonus lines and
promotions) is grown to 500 (``opsteam/core/tests/query_budgets.py``): each endpoint must stay
within ``BUDGET`` at both sizes and take as many queries at 500 rows as at 10. The feed reads
kudos, commendations and badge awards together; every unit grown has a setting that switches
its feed and board off, so the switches are resolved against 500 settings too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

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
from opsteam.incentives import models as inc
from opsteam.incentives.choices import PoolStatus, RewardKind
from opsteam.org.models import JobLevel, OrgUnit, Position, RoleFamily, Staff
from opsteam.performance.choices import CycleStage, ReviewStatus

pytestmark = pytest.mark.django_db

BUDGET = 25
GRADES = ("S", "A", "B", "C", "D")


@dataclass
class Dataset:
    """Rows of every listed kind, grown in bulk: ``grow(n)`` makes ``n`` of each.

    People are spread over four teams (two under D1, the manager's, two under D2).
    """

    d1: Any
    d2: Any
    hr: Any
    size: int = 0
    teams: list[Any] = field(default_factory=list)
    position: Any = None
    level: Any = None
    badge: Any = None
    value: Any = None
    cycle: Any = None
    pool: Any = None
    round: Any = None

    def setup(self) -> None:
        from opsteam.careers.models import PromotionRound
        from opsteam.incentives.tests.factories import (
            BadgeFactory,
            BonusPoolFactory,
            CompanyValueFactory,
            ReviewCycleFactory,
        )

        self.teams = [
            _unit(f"RT{k}", parent) for k, parent in enumerate((self.d1, self.d1, self.d2, self.d2))
        ]
        family = RoleFamily.objects.create(code="rec", name="运营", name_en="Operations")
        self.level = JobLevel.objects.create(
            code="R2", name="专员", name_en="Specialist", track="professional", rank=2
        )
        self.position = Position.objects.create(code="RECPOS", name="运营专员", family=family)
        self.badge = BadgeFactory(code="HOLDERS", name="人人有份", name_en="Everyone's")
        self.value = CompanyValueFactory(code="FIRST", name="客户第一", name_en="Customer first")
        self.cycle = ReviewCycleFactory(stage=CycleStage.PUBLISHED)
        self.pool = BonusPoolFactory(
            cycle=self.cycle, unit=self.d1.parent, status=PoolStatus.APPROVED
        )
        self.round = PromotionRound.objects.create(
            name="2026 晋升",
            nominations_close=dt.date(2026, 4, 30),
            effective_date=dt.date(2026, 6, 1),
        )

    def grow(self, size: int) -> None:
        """Add rows until there are ``size`` of each kind."""
        from opsteam.careers.models import Nomination

        start, stop = self.size, size
        if stop <= start:
            return
        new = range(start, stop)
        today = timezone.localdate()
        staff = Staff.objects.bulk_create(
            Staff(
                employee_no=f"R{i + 1:05d}",
                name=f"员工{i}",
                name_en=f"Staff {i}",
                hire_date=dt.date(2018, 1, 1) + dt.timedelta(days=5 * i),
                unit=self.teams[i % 4],
                position=self.position,
                level=self.level,
            )
            for i in new
        )
        first = staff[0]
        inc.Kudos.objects.bulk_create(
            inc.Kudos(
                sender=person,
                recipient=first if person != first else staff[-1],
                value=self.value,
                message="谢谢支援",
                points=5,
            )
            for person in staff
        )
        inc.TeamCommendation.objects.bulk_create(
            inc.TeamCommendation(
                unit=self.teams[i % 4],
                title=f"表彰{i}",
                citation="大促零差错",
                value=self.value,
                points_each=5,
                awarded_on=today,
                awarded_by=self.hr,
            )
            for i in new
        )
        inc.BadgeAward.objects.bulk_create(
            inc.BadgeAward(badge=self.badge, staff=person, awarded_on=today, evidence="全员")
            for person in staff
        )
        inc.Badge.objects.bulk_create(
            inc.Badge(code=f"B{i:04d}", name=f"徽章{i}", name_en=f"Badge {i}", criterion="manual")
            for i in new
        )
        inc.CompanyValue.objects.bulk_create(
            inc.CompanyValue(code=f"V{i:04d}", name=f"价值观{i}", order=i) for i in new
        )
        inc.RewardEntry.objects.bulk_create(
            inc.RewardEntry(
                staff=person,
                kind=RewardKind.POINTS,
                title="kudos",
                points=i % 50 + 1,
                granted_on=today,
            )
            for i, person in zip(new, staff, strict=True)
        )
        # Units without people whose feed and board are off: 500 settings to resolve.
        for i in new:
            unit = _unit(f"RX{i:04d}", self.d2)
            inc.RecognitionSetting.objects.create(
                unit=unit, feed_enabled=False, leaderboard_enabled=False
            )
        from opsteam.performance.models import Review

        Review.objects.bulk_create(
            Review(
                cycle=self.cycle,
                staff=person,
                unit=person.unit,
                position=self.position,
                level=self.level,
                status=ReviewStatus.PUBLISHED,
                grade=GRADES[i % 5],
            )
            for i, person in zip(new, staff, strict=True)
        )
        inc.BonusLine.objects.bulk_create(
            inc.BonusLine(
                pool=self.pool,
                staff=person,
                unit=person.unit,
                grade=GRADES[i % 5],
                base=Decimal("10000"),
                days=90,
                period_days=90,
                weight=Decimal("1"),
                amount=Decimal(1000 * (i % 5 + 1)),
            )
            for i, person in zip(new, staff, strict=True)
        )
        Nomination.objects.bulk_create(
            Nomination(
                round=self.round,
                staff=person,
                unit=person.unit,
                from_level=self.level,
                target_level=self.level,
                kind="manager",
                justification="表现突出",
                ready_at_nomination=True,
                status="approved" if i % 3 == 0 else "rejected",
            )
            for i, person in zip(new, staff, strict=True)
        )
        self.size = stop


def _unit(code: str, parent: Any) -> Any:
    unit = OrgUnit.objects.create(
        code=code, name=f"团队{code}", name_en=f"Team {code}", kind="team", parent=parent
    )
    unit.path = parent.path + OrgUnit.path_segment(unit.pk)
    unit.depth = parent.depth + 1
    unit.save(update_fields=["path", "depth"])
    return unit


def _badge(data: Dataset) -> int:
    return data.badge.pk


def _cycle(data: Dataset) -> int:
    return data.cycle.pk


ENDPOINTS: dict[str, Endpoint] = {
    # UI pages
    "page recognition": Endpoint("incentives:recognition"),
    "page recognition (quarter, page 2)": Endpoint(
        "incentives:recognition", {"board": "quarter", "page": 2}, login="operator"
    ),
    "page kudos form": Endpoint("incentives:kudos_give", login="operator"),
    "page values": Endpoint("incentives:value_list"),
    "page badges": Endpoint("incentives:badge_list"),
    "page badge holders": Endpoint("incentives:badge_detail", kwargs={"pk": _badge}),
    "page commendations": Endpoint("incentives:commendation_list"),
    "page commendation form (manager)": Endpoint("incentives:commendation_create", login="manager"),
    "page fairness": Endpoint("incentives:fairness", {"cycle": _cycle}),
    # UI exports
    "export values": Endpoint("incentives:value_list", EXPORT, rows="csv"),
    "export badges": Endpoint("incentives:badge_list", EXPORT, rows="csv"),
    "export fairness": Endpoint("incentives:fairness", {"cycle": _cycle, **EXPORT}),
    # API
    "api kudos": Endpoint("incentives-kudos-list", ALL_ROWS, rows="api"),
    "api values": Endpoint("incentives-value-list", ALL_ROWS, rows="api"),
    "api badges": Endpoint("incentives-badge-list", ALL_ROWS, rows="api"),
    "api badge awards": Endpoint("incentives-badge-award-list", ALL_ROWS, rows="api"),
    "api commendations": Endpoint("incentives-commendation-list", ALL_ROWS, rows="api"),
    "api recognition settings": Endpoint(
        "incentives-recognition-setting-list", ALL_ROWS, rows="api"
    ),
    "api leaderboard": Endpoint("incentives-leaderboard", {"period": "quarter"}, login="operator"),
    "api fairness": Endpoint("incentives-fairness", {"cycle": _cycle}),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Grow one dataset to 10 then 500 rows of each kind, requesting every endpoint at each."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import OrgUnitFactory, StaffFactory

    def build():
        company = OrgUnitFactory(code="CO", name="公司", kind="company")
        d1 = OrgUnitFactory(code="D1", name="运营部", kind="department", parent=company)
        d2 = OrgUnitFactory(code="D2", name="财务部", kind="department", parent=company)
        clients, users = {}, {}
        for role in ("hr", "manager", "operator"):
            user = UserFactory(username=f"{role}-recognition-budget")
            RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
            StaffFactory(user=user, unit=d1)
            clients[role], users[role] = logged_in_client(user), user
        data = Dataset(d1=d1, d2=d2, hr=users["hr"])
        data.setup()
        return {"results": measure(ENDPOINTS, clients=clients, data=data, grow=data.grow)}

    return measured_in_rollback(django_db_blocker, build)["results"]


@pytest.mark.parametrize(
    ("name", "size"),
    [pytest.param(name, size, id=f"{name}-{size}") for name in ENDPOINTS for size in SIZES],
)
def test_endpoint_stays_within_the_query_budget(measured, name, size):
    assert_within_budget(measured, ENDPOINTS, name, size, BUDGET)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_does_not_grow_with_rows(measured, name):
    assert_constant(measured, name)
