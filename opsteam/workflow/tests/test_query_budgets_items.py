"""Every work-item list page, board, export and API list runs a fixed number of queries,
however many items.

One dataset holds a process with a published three-step map and ``n`` items (each with its
own assignee, alternating between a team under D1, the manager's, and one under D2; a third
assigned to the operator), plus ``n`` comments on one item; every endpoint is requested at 10
and at 500 rows (``opsteam/core/tests/query_budgets.py``) and must stay within ``BUDGET`` and
take as many queries at 500 as at 10. Rows are bulk-inserted and measured once per module
inside a rolled-back transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
from opsteam.org.models import Staff
from opsteam.workflow.choices import ItemStatus, Priority
from opsteam.workflow.models import WorkItem, WorkItemComment

pytestmark = pytest.mark.django_db

BUDGET = 12
PRIORITIES = tuple(Priority.values)
STATUSES = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.OPEN, ItemStatus.DONE)


@dataclass
class Dataset:
    teams: list[Any]
    position: Any
    flow: Any
    operator: Any
    hr: Any
    first: Any = None
    size: int = 0

    def grow(self, size: int) -> None:
        start, stop = self.size, size
        if stop <= start:
            return
        new = range(start, stop)
        now, today = timezone.now(), timezone.localdate()
        staff = Staff.objects.bulk_create(
            Staff(
                employee_no=f"W{i:05d}",
                name=f"处理人{i}",
                name_en=f"Agent {i}",
                hire_date=dt.date(2022, 1, 1),
                unit=self.teams[i % 2],
                position=self.position,
            )
            for i in new
        )
        steps = (self.flow.intake, self.flow.handle, self.flow.review)
        items = WorkItem.objects.bulk_create(
            WorkItem(
                process=self.flow.process,
                step=steps[i % 3],
                reference=f"{self.flow.process.code}-{i + 1}",
                title=f"工单{i}",
                priority=PRIORITIES[i % len(PRIORITIES)],
                status=STATUSES[i % len(STATUSES)],
                assignee=self.operator.staff if i % 3 == 0 else person,
                unit=person.unit,
                reporter=self.hr,
                due_date=today + dt.timedelta(days=i % 11 - 5),
                step_started_at=now - dt.timedelta(minutes=i * 7),
            )
            for i, person in zip(new, staff, strict=True)
        )
        if self.first is None:
            self.first = items[0]
        WorkItemComment.objects.bulk_create(
            WorkItemComment(item=self.first, author=self.hr, body=f"备注{i}") for i in new
        )
        self.size = size


def _process(data: Dataset) -> int:
    return data.flow.process.pk


def _first(data: Dataset) -> int:
    return data.first.pk


def _team(data: Dataset) -> int:
    return data.teams[0].pk


ENDPOINTS: dict[str, Endpoint] = {
    "page items": Endpoint("workflow:item_list"),
    "page items filtered": Endpoint(
        "workflow:item_list", {"open": "true", "priority": "high", "sort": "-due_date"}
    ),
    "page items (manager)": Endpoint("workflow:item_list", login="manager"),
    "page items (operator)": Endpoint("workflow:item_list", login="operator"),
    "export items": Endpoint("workflow:item_list", EXPORT, rows="csv"),
    "export items (manager)": Endpoint("workflow:item_list", EXPORT, login="manager"),
    "board": Endpoint("workflow:board", kwargs={"pk": _process}),
    "board filtered (manager)": Endpoint(
        "workflow:board", {"priority": "urgent"}, kwargs={"pk": _process}, login="manager"
    ),
    "my work": Endpoint("workflow:my_work", login="operator"),
    "workload": Endpoint("workflow:workload"),
    "workload of a team (manager)": Endpoint("workflow:workload", {"unit": _team}, login="manager"),
    "api items": Endpoint("workflow-item-list", ALL_ROWS, rows="api"),
    "api items (manager)": Endpoint("workflow-item-list", ALL_ROWS, login="manager"),
    "api items (operator)": Endpoint("workflow-item-list", ALL_ROWS, login="operator"),
    "api comments": Endpoint("workflow-item-comments", kwargs={"pk": _first}),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    """D1 and D2 with a team each; HR, D1's manager and an operator, logged in."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import OrgUnitFactory, PositionFactory, StaffFactory
    from opsteam.workflow.tests.factories_items import make_flow

    company = OrgUnitFactory(code="CO", name="公司", kind="company")
    d1 = OrgUnitFactory(code="D1", name="电商运营部", kind="department", parent=company)
    d2 = OrgUnitFactory(code="D2", name="客服部", kind="department", parent=company)
    teams = [OrgUnitFactory(parent=d1), OrgUnitFactory(parent=d2)]
    clients, users = {}, {}
    for role in ("hr", "manager", "operator"):
        user = UserFactory(username=f"{role}-items-budget")
        RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
        StaffFactory(user=user, unit=teams[0] if role == "operator" else d1)
        clients[role], users[role] = logged_in_client(user), user
    data = Dataset(
        teams=teams,
        position=PositionFactory(),
        flow=make_flow(owner_unit=d1, code="AS"),
        operator=users["operator"],
        hr=users["hr"],
    )
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
    # Items alternate between D1's team and D2's: the manager's half is 250 of 500.
    assert measured["export items"][500].rows == 500
    assert measured["export items (manager)"][500].rows == 250
    assert measured["api items (manager)"][500].rows == 250
    # A third of the items are the operator's (every third, from the first).
    assert measured["api items (operator)"][500].rows == 167
