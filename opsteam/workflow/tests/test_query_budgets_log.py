"""Every event-log list page, export and API list runs a fixed number of queries, however many rows.

One process owned by D1 (its manager and an HR user log in) with a published map; the dataset
grows to 10 and then 500 sources and 500 events, each event matched to a step of the map and to
a staff member (so that an N+1 on the step, the person or the source would show), half of them
in a second process owned by D2 that the manager does not see.
"""

from __future__ import annotations

import datetime as dt
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
from opsteam.workflow.models import EventSource, ProcessEvent

pytestmark = pytest.mark.django_db

BUDGET = 20


@dataclass
class Dataset:
    """Grown in bulk: ``grow(n)`` makes ``n`` sources and ``n`` events in all."""

    process: Any
    other: Any
    step: Any
    staff: Any
    sources: list[EventSource] = field(default_factory=list)
    events: int = 0

    def grow(self, size: int) -> None:
        start = len(self.sources)
        new = [
            EventSource(
                process=self.process if i % 2 == 0 else self.other,
                name=f"来源{i}",
                kind="csv",
            )
            for i in range(start, size)
        ]
        self.sources += EventSource.objects.bulk_create(new)
        when = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
        ProcessEvent.objects.bulk_create(
            ProcessEvent(
                process_id=self.sources[i].process_id,
                source=self.sources[i],
                case_id=f"C{i:05d}",
                step_name="受理",
                step=self.step,
                resource=self.staff.employee_no,
                staff=self.staff,
                started_at=when,
                completed_at=when + dt.timedelta(minutes=i),
            )
            for i in range(self.events, size)
        )
        self.events = size


def _process(data: Dataset) -> int:
    return data.process.pk


ENDPOINTS: dict[str, Endpoint] = {
    "page sources": Endpoint("workflow:source_list", kwargs={"process_pk": _process}),
    "page sources (manager)": Endpoint(
        "workflow:source_list", kwargs={"process_pk": _process}, login="manager"
    ),
    "page events": Endpoint("workflow:event_list", kwargs={"process_pk": _process}),
    "page events filtered": Endpoint(
        "workflow:event_list",
        {"step": "受", "resource": "E", "since": "2026-03-01"},
        kwargs={"process_pk": _process},
        login="manager",
    ),
    "export events": Endpoint("workflow:event_list", EXPORT, kwargs={"process_pk": _process}),
    "api events": Endpoint("workflow-event-list", ALL_ROWS, rows="api"),
    "api events (manager)": Endpoint("workflow-event-list", ALL_ROWS, login="manager"),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import OrgUnitFactory, ProcessFactory, StaffFactory
    from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory

    company = OrgUnitFactory(code="CO", name="公司", kind="company")
    d1 = OrgUnitFactory(code="D1", name="运营部", kind="department", parent=company)
    d2 = OrgUnitFactory(code="D2", name="财务部", kind="department", parent=company)
    process = ProcessFactory(code="LOGB1", owner_unit=d1)
    other = ProcessFactory(code="LOGB2", owner_unit=d2)
    step = StepFactory(map=ProcessMapFactory(process=process), code="accept", name="受理")
    clients = {}
    for role in ("hr", "manager"):
        user = UserFactory(username=f"{role}-log-budget")
        RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
        StaffFactory(user=user, unit=d1)
        clients[role] = logged_in_client(user)
    data = Dataset(process=process, other=other, step=step, staff=StaffFactory(unit=d1))
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


def test_export_holds_every_event_of_the_process_and_the_manager_only_their_units(measured):
    assert measured["export events"][500].rows == 250
    assert measured["api events"][500].rows == 500
    assert measured["api events (manager)"][500].rows == 250
