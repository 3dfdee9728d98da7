"""The job level list page and its export run a fixed number of queries, however many levels.

One dataset of 10 job levels (alternating tracks), each held by two people and on a ladder of
its own, requested at every endpoint, grown to 500 levels and requested again
(``opsteam/core/tests/query_budgets.py``). Each endpoint must stay within ``BUDGET`` at both
sizes and take as many queries at 500 rows as at 10. The page shows 50 levels; the export
holds every one. (The job level API list is measured by ``org/tests/test_query_budgets.py``.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from opsteam.careers.models import CareerStep, CareerTrack
from opsteam.core.tests.query_budgets import (
    EXPORT,
    SIZES,
    Endpoint,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)
from opsteam.org.choices import LevelTrack
from opsteam.org.models import JobLevel, Staff

pytestmark = pytest.mark.django_db

BUDGET = 15
TRACKS = (LevelTrack.PROFESSIONAL, LevelTrack.MANAGEMENT)


@dataclass
class Dataset:
    unit: Any
    position: Any
    size: int = 0

    def grow(self, size: int) -> None:
        """Add levels until there are ``size`` (besides the users' own level)."""
        new = range(self.size, size)
        if not new:
            return
        levels = JobLevel.objects.bulk_create(
            JobLevel(
                code=f"BL{i:04d}",
                name=f"级别{i}",
                name_en=f"Level {i}",
                track=TRACKS[i % 2],
                rank=100 + i,
            )
            for i in new
        )
        Staff.objects.bulk_create(
            Staff(
                employee_no=f"BL{i:05d}-{n}",
                name=f"员工{i}-{n}",
                hire_date=dt.date(2022, 1, 1),
                unit=self.unit,
                position=self.position,
                level=level,
            )
            for i, level in zip(new, levels, strict=True)
            for n in range(2)
        )
        tracks = CareerTrack.objects.bulk_create(
            CareerTrack(code=f"BLT{i:04d}", name=f"通道{i}", kind=TRACKS[i % 2]) for i in new
        )
        CareerStep.objects.bulk_create(
            CareerStep(track=track, level=level, order=1)
            for track, level in zip(tracks, levels, strict=True)
        )
        self.size = size


ENDPOINTS: dict[str, Endpoint] = {
    "page levels": Endpoint("careers:level_list"),
    "page levels (operator)": Endpoint("careers:level_list", login="operator"),
    "page levels search": Endpoint("careers:level_list", {"q": "级别", "track": "management"}),
    "page levels sorted by people": Endpoint("careers:level_list", {"sort": "-people"}),
    "export levels": Endpoint("careers:level_list", EXPORT, rows="csv"),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    """A department, an HR user and an operator (each with a staff record, logged in)."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import OrgUnitFactory, PositionFactory, StaffFactory

    unit = OrgUnitFactory(code="BLD", name="运营部", kind="department")
    clients = {}
    for role in ("hr", "operator"):
        user = UserFactory(username=f"{role}-level-budget")
        RoleGrantFactory(user=user, role=role)
        StaffFactory(user=user, unit=unit)
        clients[role] = logged_in_client(user)
    return Dataset(unit=unit, position=PositionFactory()), clients


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    """Grow one dataset to 10 then 500 levels, requesting every endpoint at each (rolled back)."""

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
