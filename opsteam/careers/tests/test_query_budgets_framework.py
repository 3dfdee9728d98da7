"""The competency framework API lists run a fixed number of queries, however many rows.

One dataset of 10 competency groups, each with a competency of its own, and 10 competencies
with five level descriptors each, requested at every endpoint, grown to 500 of each and
requested again (``opsteam/core/tests/query_budgets.py``). Each endpoint must stay within
``BUDGET`` at both sizes and take as many queries at 500 rows as at 10; lists ask for
``page_size=500``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from opsteam.core.tests.query_budgets import (
    ALL_ROWS,
    SIZES,
    Endpoint,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)
from opsteam.org.models import Skill, SkillGroup, SkillLevelDescriptor

pytestmark = pytest.mark.django_db

BUDGET = 12


@dataclass
class Dataset:
    size: int = 0

    def grow(self, size: int) -> None:
        """Add groups and competencies until there are ``size`` of each."""
        new = range(self.size, size)
        if not new:
            return
        groups = SkillGroup.objects.bulk_create(
            SkillGroup(code=f"FG{i:04d}", name=f"能力组{i}", name_en=f"Group {i}", order=i)
            for i in new
        )
        skills = Skill.objects.bulk_create(
            Skill(
                code=f"FS{i:04d}",
                name=f"能力{i}",
                name_en=f"Competency {i}",
                category="professional",
                group=group,
            )
            for i, group in zip(new, groups, strict=True)
        )
        SkillLevelDescriptor.objects.bulk_create(
            SkillLevelDescriptor(skill=skill, level=level, description=f"第{level}级")
            for skill in skills
            for level in range(1, 6)
        )
        self.size = size


ENDPOINTS: dict[str, Endpoint] = {
    "api skill groups": Endpoint("careers-skill-group-list", ALL_ROWS, rows="api"),
    "api skill groups (operator)": Endpoint("careers-skill-group-list", ALL_ROWS, login="operator"),
    "api competencies": Endpoint("careers-competency-list", ALL_ROWS, rows="api"),
    "api competencies (operator)": Endpoint(
        "careers-competency-list", {**ALL_ROWS, "category": "professional"}, login="operator"
    ),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    """An HR user and an operator, each with a staff record, logged in; no framework rows."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import StaffFactory

    clients = {}
    for role in ("hr", "operator"):
        user = UserFactory(username=f"{role}-framework-budget")
        RoleGrantFactory(user=user, role=role)
        StaffFactory(user=user)
        clients[role] = logged_in_client(user)
    return Dataset(), clients


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    """Grow one dataset to 10 then 500 rows of each kind, requesting every endpoint at each
    (rolled back)."""

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
