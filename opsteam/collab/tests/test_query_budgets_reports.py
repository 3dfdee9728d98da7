"""Work report and wellbeing pages and API lists run a fixed number of queries.

10 people (grown to 500) in team T1, each with a submitted daily report (half with a blocker,
a key number each, a manager's comment on the first) and a check-in shared with the team's
manager; as many sub-teams with a report template each. Requested as HR (everything) and as
the team's manager (their subtree, and the check-ins shared with them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from opsteam.collab.models_reports import (
    ReportComment,
    ReportTemplate,
    WellbeingCheckIn,
    WorkReport,
)
from opsteam.core.tests.query_budgets import (
    SIZES,
    Endpoint,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)

pytestmark = pytest.mark.django_db

BUDGET = 16
DAY = dt.date(2026, 3, 5)
MONDAY = dt.date(2026, 3, 2)


@dataclass
class Dataset:
    unit: Any
    manager_staff: Any
    position: Any
    made: int = 0
    first_staff: Any = None

    def grow(self, size: int) -> None:
        from opsteam.org.tests.factories import OrgUnitFactory, StaffFactory

        count = size - self.made
        if count <= 0:
            return
        people = [
            StaffFactory(unit=self.unit, position=self.position, manager=self.manager_staff)
            for _n in range(count)
        ]
        self.first_staff = self.first_staff or people[0]
        due = dt.datetime(2026, 3, 5, 10, tzinfo=dt.UTC)
        reports = WorkReport.objects.bulk_create(
            WorkReport(
                staff=person,
                kind="daily",
                period_start=DAY,
                status="submitted",
                sections={
                    "done": "处理售后",
                    "planned": "上新",
                    "blockers": "缺货" if n % 2 else "",
                },
                metrics={"orders": str(n)},
                has_blockers=bool(n % 2),
                search_text="处理售后 上新 缺货",
                due_at=due,
                submitted_at=due,
            )
            for n, person in enumerate(people)
        )
        ReportComment.objects.bulk_create(
            ReportComment(report=report, body="收到") for report in reports[:1]
        )
        WellbeingCheckIn.objects.bulk_create(
            WellbeingCheckIn(
                staff=person,
                manager=self.manager_staff,
                unit=self.unit,
                week_start=MONDAY,
                mood=1 + n % 5,
                workload=3,
            )
            for n, person in enumerate(people)
        )
        units = [OrgUnitFactory(parent=self.unit) for _n in range(count)]
        ReportTemplate.objects.bulk_create(
            ReportTemplate(
                unit=unit,
                kind="daily",
                name=f"日报 {unit.code}",
                metrics=[{"key": "orders", "label": "订单", "unit": "单", "kpi": ""}],
            )
            for unit in units
        )
        self.made = size


ENDPOINTS: dict[str, Endpoint] = {
    "page reports hr": Endpoint("collab:report_list"),
    "page reports manager": Endpoint("collab:report_list", login="manager"),
    "page reports search": Endpoint("collab:report_list", {"q": "缺货", "blockers": "true"}),
    "export reports": Endpoint("collab:report_list", {"export": "csv"}, rows="csv"),
    "page digest": Endpoint(
        "collab:report_digest",
        {"unit": lambda data: data.unit.pk, "period": DAY.isoformat()},
        login="manager",
    ),
    "page templates": Endpoint("collab:reporttemplate_list"),
    "page wellbeing team": Endpoint("collab:wellbeing_team", login="manager"),
    "page wellbeing aggregates": Endpoint(
        "collab:wellbeing_aggregates", {"unit": lambda data: data.unit.pk}
    ),
    "page wellbeing person": Endpoint(
        "collab:wellbeing_person",
        login="manager",
        kwargs={"staff_pk": lambda data: data.first_staff.pk},
    ),
    "api reports": Endpoint("collab-report-list", {"page_size": 500}, rows="api"),
    "api reports manager": Endpoint("collab-report-list", login="manager"),
    "api report templates": Endpoint("collab-report-template-list"),
    "api checkins": Endpoint("collab-checkin-list", login="manager"),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build() -> dict:
        from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
        from opsteam.org.tests.factories import OrgUnitFactory, PositionFactory, StaffFactory

        unit = OrgUnitFactory(code="RB-T1", name="店铺运营组")
        hr = UserFactory(username="reports-hr")
        RoleGrantFactory(user=hr, role="hr")
        manager = UserFactory(username="reports-manager")
        RoleGrantFactory(user=manager, role="manager", unit=unit)
        position = PositionFactory()
        manager_staff = StaffFactory(user=manager, unit=unit, position=position)
        data = Dataset(unit=unit, manager_staff=manager_staff, position=position)
        clients = {"hr": logged_in_client(hr), "manager": logged_in_client(manager)}
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
