"""Every process-map list page, export and API list runs a fixed number of queries, however many
rows.

One dataset of 10 processes (each owned by D1 or D2, with a published map of three steps and two
handoffs and an open work item), requested at every endpoint, grown to 500 and requested again.
The map page of one process whose map grows to the same number of steps (each linked to an
activity with RACI cells) is measured too: the flowchart and the RACI check must not query per
step. Each endpoint stays within ``BUDGET`` at both sizes and takes as many queries at 500 rows
as at 10. API lists ask for ``page_size=500``; the process list page shows 25 rows, so its export
is measured too, every row in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

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
from opsteam.org.models import Activity, OrgUnit, Position, Process, RaciAssignment
from opsteam.workflow.choices import MapStatus
from opsteam.workflow.models import ProcessMap, Step, Transition, WorkItem

pytestmark = pytest.mark.django_db

BUDGET = 25


@dataclass
class Dataset:
    """Processes grown in bulk; ``big_map`` grows one step (and RACI row) per process."""

    d1: OrgUnit
    d2: OrgUnit
    position: Position
    big_map: ProcessMap
    size: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def grow(self, size: int) -> None:
        new = range(self.size, size)
        if not new:
            return
        Process.objects.bulk_create(
            Process(
                code=f"QB{i:04d}",
                name=f"流程{i}",
                name_en=f"Process {i}",
                owner_unit=self.d1 if i % 2 else self.d2,
            )
            for i in new
        )
        processes = list(Process.objects.filter(code__in=[f"QB{i:04d}" for i in new]))
        ProcessMap.objects.bulk_create(
            ProcessMap(process=p, version=1, status=MapStatus.PUBLISHED) for p in processes
        )
        maps = list(ProcessMap.objects.filter(process__in=processes))
        Step.objects.bulk_create(
            Step(map=m, code=code, name=name, order=order, position=self.position)
            for m in maps
            for order, (code, name) in enumerate((("a", "受理"), ("b", "审核"), ("c", "发货")))
        )
        steps = {(s.map_id, s.code): s for s in Step.objects.filter(map__in=maps)}
        Transition.objects.bulk_create(
            Transition(map=m, source=steps[(m.pk, a)], target=steps[(m.pk, b)])
            for m in maps
            for a, b in (("a", "b"), ("b", "c"))
        )
        WorkItem.objects.bulk_create(
            WorkItem(
                process=m.process,
                step=steps[(m.pk, "a")],
                reference=f"QB-{m.pk}",
                title="待处理",
                unit=m.process.owner_unit,
            )
            for m in maps
        )
        big_process = self.big_map.process
        Activity.objects.bulk_create(
            Activity(process=big_process, code=f"QBA{i:04d}", name=f"活动{i}") for i in new
        )
        activities = list(Activity.objects.filter(code__in=[f"QBA{i:04d}" for i in new]))
        RaciAssignment.objects.bulk_create(
            RaciAssignment(activity=a, position=self.position, role="R" if n % 2 else "A")
            for n, a in enumerate(activities)
        )
        Step.objects.bulk_create(
            Step(
                map=self.big_map,
                code=f"s{i}",
                name=f"环节{i}",
                order=i,
                activity=activity,
                position=self.position,
                target_minutes=30,
            )
            for i, activity in zip(new, activities, strict=True)
        )
        self.size = size


ENDPOINTS: dict[str, Endpoint] = {
    # UI list pages
    "page processes": Endpoint("workflow:process_list"),
    "page processes (manager)": Endpoint("workflow:process_list", login="manager"),
    "page processes (operator)": Endpoint("workflow:process_list", login="operator"),
    "page processes search": Endpoint(
        "workflow:process_list", {"q": "流程", "published": "true", "sort": "-open_items"}
    ),
    "page map": Endpoint("workflow:map_detail", kwargs={"pk": lambda data: data.big_map.pk}),
    # UI exports: every row
    "export processes": Endpoint("workflow:process_list", EXPORT, rows="csv"),
    "export processes (operator)": Endpoint("workflow:process_list", EXPORT, login="operator"),
    # API lists: 500 rows a page
    "api processes": Endpoint("workflow-process-list", ALL_ROWS, rows="api"),
    "api processes (operator)": Endpoint("workflow-process-list", ALL_ROWS, login="operator"),
    "api maps": Endpoint("workflow-process-map-list", ALL_ROWS, rows="api"),
    "api steps": Endpoint("workflow-process-step-list", ALL_ROWS, rows="api"),
    "api transitions": Endpoint("workflow-process-transition-list", ALL_ROWS, rows="api"),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    """D1 and D2, an HR user, D1's manager and an operator (logged in), a position and the
    process whose map grows step by step; no rows yet."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import OrgUnitFactory, PositionFactory, StaffFactory

    company = OrgUnitFactory(code="CO", name="公司", kind="company")
    d1 = OrgUnitFactory(code="D1", name="运营部", kind="department", parent=company)
    d2 = OrgUnitFactory(code="D2", name="客服部", kind="department", parent=company)
    clients = {}
    for role in ("hr", "manager", "operator"):
        user = UserFactory(username=f"{role}-maps-budget")
        RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
        StaffFactory(user=user, unit=d1)
        clients[role] = logged_in_client(user)
    big = Process.objects.create(code="BIG", name="大流程", owner_unit=d1)
    data = Dataset(
        d1=d1,
        d2=d2,
        position=PositionFactory(),
        big_map=ProcessMap.objects.create(process=big, version=1, status=MapStatus.DRAFT),
    )
    return data, clients


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    """Grow one dataset to 10 then 500 processes, requesting every endpoint at each.

    Built once for the module inside a transaction that is rolled back at the end.
    """

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
