"""Query budgets of the bonus and reward pages, exports and API lists, at 10 and at 500 rows.

One dataset of 10 rows of every kind (people with a salary, a graded review and a line in one
company-wide approved pool; bonus policies; pools, each of another cycle and holding a line of
the operator; ledger entries) is requested on every endpoint, grown to 500 and requested again
(``opsteam/core/tests/query_budgets.py``): each must stay within ``BUDGET`` and take as many
queries at 500 rows as at 10, so a query per row (or per line read, audited) fails here. The
pool page, the payroll file and the what-if read the company-wide pool of all 500 people.

Rows are bulk-inserted and measured once per module inside a rolled-back transaction.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from opsteam.core.tests.query_budgets import (
    ALL_ROWS,
    EXPORT,
    SIZES,
    Endpoint,
    Measurement,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)
from opsteam.incentives.choices import PoolStatus, RewardKind
from opsteam.incentives.models import BonusLine, BonusPolicy, BonusPool, RewardEntry
from opsteam.org.models import Compensation, OrgUnit, Position, RoleFamily, Staff
from opsteam.performance.choices import CycleStage, ReviewStatus
from opsteam.performance.models import Review, ReviewCycle

pytestmark = pytest.mark.django_db

BUDGET = 25
GRADES = ("S", "A", "B", "C", "D")
MULTIPLIERS = {"S": Decimal(2), "A": Decimal("1.5"), "B": Decimal(1), "C": Decimal("0.5")}
KINDS = [kind for kind in RewardKind.values if kind != RewardKind.BONUS]


def _explanation(grade: str, amount: Decimal) -> dict[str, Any]:
    return {
        "base": "10000.00",
        "grade": grade,
        "multiplier": str(MULTIPLIERS.get(grade, 0)),
        "kpi_factor": "1",
        "kpi_factor_given": None,
        "days": 90,
        "period_days": 90,
        "weight": "10000",
        "weight_share": "0.002",
        "cap": None,
        "floor": "0",
        "capped": False,
        "floored": False,
        "rounding": "0.25",
    }


@dataclass
class Dataset:
    """Rows grown in bulk; people alternate between teams of D1 (the manager's) and D2, and
    the operator works in D2."""

    company: Any
    d1: Any
    d2: Any
    hr: Any
    operator_staff: Any
    size: int = 0
    teams: list[Any] = field(default_factory=list)
    position: Any = None
    policy: Any = None
    cycle: Any = None
    pool: Any = None

    def setup(self) -> None:
        self.teams = [_team(f"PT{k}", parent) for k, parent in enumerate((self.d1, self.d2))]
        family = RoleFamily.objects.create(code="pool-budget", name="预算")
        self.position = Position.objects.create(code="POOLP", name="运营专员", family=family)
        self.policy = BonusPolicy.objects.create(
            code="BUDGET-BP",
            name="预算方案",
            multipliers={grade: str(value) for grade, value in MULTIPLIERS.items()},
            cap_multiple=Decimal(3),
        )
        self.cycle = ReviewCycle.objects.create(
            name="2026 Q1 奖金",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 3, 31),
            stage=CycleStage.PUBLISHED,
        )
        # The company-wide pool every page, file and what-if about one pool reads.
        self.pool = BonusPool.objects.create(
            name="全公司 2026 Q1",
            cycle=self.cycle,
            unit=self.company,
            policy=self.policy,
            budget=Decimal("10000000"),
            status=PoolStatus.APPROVED,
        )

    def grow(self, size: int) -> None:
        start, stop = self.size, size
        if stop <= start:
            return
        new = range(start, stop)
        staff = Staff.objects.bulk_create(
            Staff(
                employee_no=f"P{i + 1:05d}",
                name=f"员工{i}",
                name_en=f"Staff {i}",
                hire_date=dt.date(2021, 1, 1),
                unit=self.teams[i % 2],
                position=self.position,
            )
            for i in new
        )
        Compensation.objects.bulk_create(
            Compensation(
                staff=person, effective_from=dt.date(2025, 1, 1), base_salary=Decimal(10000 + i)
            )
            for i, person in zip(new, staff, strict=True)
        )
        Review.objects.bulk_create(
            Review(
                cycle=self.cycle,
                staff=person,
                unit_id=person.unit_id,
                position=self.position,
                status=ReviewStatus.PUBLISHED,
                grade=GRADES[i % 4],
                final_score=Decimal(80),
            )
            for i, person in zip(new, staff, strict=True)
        )
        BonusLine.objects.bulk_create(
            BonusLine(
                pool=self.pool,
                staff=person,
                unit_id=person.unit_id,
                grade=GRADES[i % 4],
                base=Decimal(10000),
                days=90,
                period_days=90,
                weight=Decimal(10000),
                amount=Decimal(10000 + i),
                capped=i % 7 == 0,
                explanation=_explanation(GRADES[i % 4], Decimal(10000 + i)),
            )
            for i, person in zip(new, staff, strict=True)
        )
        BonusPolicy.objects.bulk_create(
            BonusPolicy(code=f"BP{i:04d}", name=f"方案{i}", name_en=f"Policy {i}") for i in new
        )
        cycles = ReviewCycle.objects.bulk_create(
            ReviewCycle(
                name=f"周期{i}",
                period_start=dt.date(2020, 1, 1) + dt.timedelta(days=i),
                period_end=dt.date(2020, 3, 31) + dt.timedelta(days=i),
                stage=CycleStage.CLOSED,
            )
            for i in new
        )
        pools = BonusPool.objects.bulk_create(
            BonusPool(
                name=f"奖金池{i}",
                cycle=cycle,
                unit=self.teams[i % 2],
                policy=self.policy,
                budget=Decimal(50000),
                allocated=Decimal(50000),
                status=(PoolStatus.APPROVED, PoolStatus.DRAFT)[i % 2],
            )
            for i, cycle in zip(new, cycles, strict=True)
        )
        # The operator's line in each approved pool: their bonus history grows too.
        BonusLine.objects.bulk_create(
            BonusLine(
                pool=pool,
                staff=self.operator_staff,
                unit_id=self.operator_staff.unit_id,
                grade="A",
                base=Decimal(8000),
                days=90,
                period_days=90,
                weight=Decimal(12000),
                amount=Decimal(3000),
                explanation=_explanation("A", Decimal(3000)),
            )
            for pool in pools
        )
        RewardEntry.objects.bulk_create(
            [
                *(
                    RewardEntry(
                        staff=person,
                        kind=KINDS[i % len(KINDS)],
                        title=f"奖励{i}",
                        amount=Decimal(1000) if i % 2 else None,
                        currency="CNY" if i % 2 else "",
                        points=0 if i % 2 else 10,
                        granted_on=dt.date(2024 + i % 3, 1 + i % 12, 1),
                        granted_by=self.hr,
                    )
                    for i, person in zip(new, staff, strict=True)
                ),
                *(
                    RewardEntry(
                        staff=self.operator_staff,
                        kind=KINDS[i % len(KINDS)],
                        title=f"我的奖励{i}",
                        points=5,
                        granted_on=dt.date(2024 + i % 3, 1 + i % 12, 1),
                    )
                    for i in new
                ),
            ]
        )
        self.size = size


def _team(code: str, parent: Any) -> Any:
    team = OrgUnit.objects.create(code=code, name=f"团队{code}", kind="team", parent=parent)
    team.path = parent.path + OrgUnit.path_segment(team.pk)
    team.depth = parent.depth + 1
    team.save(update_fields=["path", "depth"])
    return team


def _pool(data: Dataset) -> int:
    return data.pool.pk


POOL = {"pk": _pool}

ENDPOINTS: dict[str, Endpoint] = {
    # UI list pages and the pages about one pool or one person
    "page policies": Endpoint("incentives:policy_list"),
    "page pools": Endpoint("incentives:pool_list"),
    "page pools (manager)": Endpoint("incentives:pool_list", login="manager"),
    "page pools by status": Endpoint(
        "incentives:pool_list", {"status": "approved", "sort": "-budget"}
    ),
    "page pool": Endpoint("incentives:pool_detail", kwargs=POOL),
    "page pool, sorted and filtered": Endpoint(
        "incentives:pool_detail", {"grade": "A", "sort": "-amount"}, kwargs=POOL
    ),
    "page pool (auditor)": Endpoint("incentives:pool_detail", kwargs=POOL, login="auditor"),
    "page what-if": Endpoint(
        "incentives:pool_simulate", {"budget": "9000000", "m_A": "1.8"}, kwargs=POOL
    ),
    "page rewards": Endpoint("incentives:reward_list"),
    "page rewards (manager)": Endpoint("incentives:reward_list", login="manager"),
    "page my rewards": Endpoint("incentives:my_rewards", login="operator"),
    # Exports: every row
    "export policies": Endpoint("incentives:policy_list", EXPORT, rows="csv"),
    "export pools": Endpoint("incentives:pool_list", EXPORT, rows="csv"),
    "export rewards": Endpoint("incentives:reward_list", EXPORT, rows="csv"),
    "export rewards (manager)": Endpoint("incentives:reward_list", EXPORT, login="manager"),
    "export payroll": Endpoint(
        "incentives:pool_export", {"file_format": "csv"}, kwargs=POOL, rows="csv"
    ),
    "export payroll (admin)": Endpoint(
        "incentives:pool_export", {"file_format": "csv"}, kwargs=POOL, login="admin", rows="csv"
    ),
    # API lists: 500 rows a page
    "api policies": Endpoint("incentives-policy-list", ALL_ROWS, rows="api"),
    "api pools": Endpoint("incentives-pool-list", ALL_ROWS, rows="api"),
    "api pools (manager)": Endpoint("incentives-pool-list", ALL_ROWS, login="manager"),
    "api lines": Endpoint("incentives-line-list", {**ALL_ROWS, "pool": _pool}, rows="api"),
    "api lines (manager)": Endpoint(
        "incentives-line-list", {**ALL_ROWS, "pool": _pool}, login="manager"
    ),
    "api lines (operator)": Endpoint("incentives-line-list", ALL_ROWS, login="operator"),
    "api rewards": Endpoint("incentives-reward-list", ALL_ROWS, rows="api"),
    "api rewards (manager)": Endpoint("incentives-reward-list", ALL_ROWS, login="manager"),
    "api payroll export": Endpoint("incentives-pool-export", kwargs=POOL, rows="csv"),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Measurement]]:
    """Grow one dataset to 10 then 500 rows of each kind, requesting every endpoint at each."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import OrgUnitFactory, StaffFactory

    def build():
        company = OrgUnitFactory(code="CO", name="公司", kind="company")
        d1 = OrgUnitFactory(code="D1", name="运营部", kind="department", parent=company)
        d2 = OrgUnitFactory(code="D2", name="财务部", kind="department", parent=company)
        clients, users = {}, {}
        for role in ("hr", "manager", "operator", "auditor", "admin"):
            user = UserFactory(username=f"{role}-pool-budget")
            RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
            StaffFactory(user=user, unit=d2 if role == "operator" else d1)
            clients[role], users[role] = logged_in_client(user), user
        data = Dataset(
            company=company,
            d1=d1,
            d2=d2,
            hr=users["hr"],
            operator_staff=users["operator"].staff,
        )
        data.setup()
        return measure(ENDPOINTS, clients=clients, data=data, grow=data.grow)

    return measured_in_rollback(django_db_blocker, build)


@pytest.mark.parametrize(
    ("name", "size"),
    [pytest.param(name, size, id=f"{name}-{size}") for name in ENDPOINTS for size in SIZES],
)
def test_endpoint_stays_within_the_query_budget(measured, name, size):
    assert_within_budget(measured, ENDPOINTS, name, size, BUDGET)


# Reads of bonus lines by someone other than HR are audited, one entry per line in one bulk
# insert (as pay reads are): rows read at each size. SQLite binds at most 999 parameters per
# statement, so Django splits that insert into batches; PostgreSQL takes it in one.
AUDITED_READS = {
    "page my rewards": {10: 5, 500: 250},
    "export payroll (admin)": {10: 10, 500: 500},
    "api lines (manager)": {10: 5, 500: 250},
    "api lines (operator)": {10: 5, 500: 250},
}


def _audit_inserts(rows: int) -> int:
    """How many INSERT statements ``audit.record_many`` runs for ``rows`` entries here."""
    from django.db import connection
    from django.db.models import AutoField

    from opsteam.core.models import AuditEntry

    fields = [f for f in AuditEntry._meta.concrete_fields if not isinstance(f, AutoField)]
    batch = min(2000, max(connection.ops.bulk_batch_size(fields, [None] * rows), 1))
    return math.ceil(rows / batch)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_does_not_grow_with_rows(measured, name):
    if name not in AUDITED_READS:
        assert_constant(measured, name)
        return
    # Constant apart from the audit trail's insert batches.
    reads = AUDITED_READS[name]
    counts = {size: measured[name][size].queries - _audit_inserts(reads[size]) for size in SIZES}
    assert len(set(counts.values())) == 1, f"{name}: {counts}"


def test_manager_sees_only_their_subtree(measured):
    # People and pools alternate between a D1 team (the manager's) and a D2 team.
    assert measured["api pools (manager)"][500].rows == 250
    assert measured["api lines (manager)"][500].rows == 250
    assert measured["api rewards (manager)"][500].rows == 250
    assert measured["export rewards"][500].rows == 1000


def test_operator_reads_only_their_lines_of_approved_pools(measured):
    # Half of the 500 pools are approved; the operator holds a line in each pool.
    assert measured["api lines (operator)"][500].rows == 250
