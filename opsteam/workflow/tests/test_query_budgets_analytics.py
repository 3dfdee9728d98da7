"""Every improvement-action list (the page, its CSV export, the API list) runs a fixed number of
queries however many actions there are (``opsteam/core/tests/query_budgets.py``), and so do
the analytics dashboard and the edge drill-down however many events the window holds.

Actions alternate between a process owned by D1 (the manager's) and one owned by D2, each
with an owner; every growth step adds as many cases (three events each) to D1's process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
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
from opsteam.workflow.models import ImprovementAction, ProcessEvent

pytestmark = pytest.mark.django_db

BUDGET = 20
STATUSES = ("plan", "do", "check", "act")


@dataclass
class Dataset:
    processes: list[Any]
    owners: list[Any]
    steps: list[Any]
    size: int = 0

    def grow(self, size: int) -> None:
        # Measure the analyses computed, not read from the cache the warm-up request filled.
        cache.clear()
        new = range(self.size, size)
        if not new:
            return
        ImprovementAction.objects.bulk_create(
            ImprovementAction(
                process=self.processes[i % 2],
                title=f"改进{i}",
                owner=self.owners[i % 2],
                status=STATUSES[i % 4],
                bottleneck_key="handoff:审核→上架",
                evidence={"total_wait_s": 3600.0 * i},
            )
            for i in new
        )
        base = timezone.now() - dt.timedelta(days=20)
        events = []
        for i in new:
            t = base + dt.timedelta(minutes=37 * i)
            for n, step in enumerate(self.steps):
                events.append(
                    ProcessEvent(
                        process=self.processes[0],
                        case_id=f"C{i:05d}",
                        step_name=step.name,
                        step=step,
                        resource=self.owners[0].employee_no if n % 2 else f"外部{i % 7}",
                        staff=self.owners[0] if n % 2 else None,
                        started_at=t + dt.timedelta(hours=2 * n),
                        completed_at=t + dt.timedelta(hours=2 * n + 1),
                    )
                )
        ProcessEvent.objects.bulk_create(events)
        self.size = size


def _process(data: Dataset) -> int:
    return data.processes[0].pk


PROCESS = {"pk": _process}
EDGE = {"source": "审核", "target": "上架"}

ENDPOINTS: dict[str, Endpoint] = {
    "page actions": Endpoint("workflow:action_list"),
    "page actions (manager)": Endpoint("workflow:action_list", login="manager"),
    "page actions by status": Endpoint("workflow:action_list", {"status": "do"}),
    "export actions": Endpoint("workflow:action_list", EXPORT, rows="csv"),
    "api actions": Endpoint("workflow-improvement-action-list", ALL_ROWS, rows="api"),
    "api actions (manager)": Endpoint(
        "workflow-improvement-action-list", ALL_ROWS, login="manager"
    ),
    "page analytics": Endpoint("workflow:analytics", kwargs=PROCESS),
    "page edge cases": Endpoint("workflow:analytics_edge", EDGE, kwargs=PROCESS),
    "page review": Endpoint("workflow:process_review", kwargs=PROCESS),
    "api analysis": Endpoint("workflow-process-analysis", kwargs=PROCESS),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import OrgUnitFactory, ProcessFactory, StaffFactory
    from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory

    company = OrgUnitFactory(code="CO", name="公司", kind="company")
    d1 = OrgUnitFactory(code="D1", name="运营部", kind="department", parent=company)
    d2 = OrgUnitFactory(code="D2", name="财务部", kind="department", parent=company)
    clients = {}
    for role in ("hr", "manager"):
        user = UserFactory(username=f"{role}-analytics-budget")
        RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
        StaffFactory(user=user, unit=d1)
        clients[role] = logged_in_client(user)
    processes = [ProcessFactory(owner_unit=d1), ProcessFactory(owner_unit=d2)]
    process_map = ProcessMapFactory(process=processes[0])
    steps = [
        StepFactory(map=process_map, code=code, name=name, order=order)
        for order, (code, name) in enumerate((("a", "提交"), ("b", "审核"), ("c", "上架")))
    ]
    owners = [StaffFactory(unit=d1), StaffFactory(unit=d2)]
    return Dataset(processes=processes, owners=owners, steps=steps), clients


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build():
        data, clients = build_dataset()
        return measure(ENDPOINTS, clients=clients, data=data, grow=data.grow)

    results = measured_in_rollback(django_db_blocker, build)
    cache.clear()
    return results


@pytest.mark.parametrize(
    ("name", "size"),
    [pytest.param(name, size, id=f"{name}-{size}") for name in ENDPOINTS for size in SIZES],
)
def test_endpoint_stays_within_the_query_budget(measured, name, size):
    assert_within_budget(measured, ENDPOINTS, name, size, BUDGET)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_does_not_grow_with_rows(measured, name):
    assert_constant(measured, name)


def test_manager_sees_only_actions_of_processes_their_unit_owns(measured):
    assert measured["api actions"][500].rows == 500
    assert measured["api actions (manager)"][500].rows == 250
