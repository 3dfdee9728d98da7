"""Announcement pages, exports and API lists run a fixed number of queries.

10 announcements (grown to 500) published by HR to team A1, each with a receipt for one
reader; and one announcement whose audience grows to as many people, for the statistics page,
its receipts export and the receipts API. Requested as HR, as A1's manager and as the reader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from opsteam.collab.models import Announcement, AnnouncementReceipt
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


@dataclass
class Dataset:
    hr: Any
    reader: Any
    unit: Any
    position: Any
    big: Any = None
    made: int = 0

    def grow(self, size: int) -> None:
        from opsteam.accounts.models import User
        from opsteam.org.models import Staff

        now = timezone.now()
        made = Announcement.objects.bulk_create(
            Announcement(
                title=f"公告 {number:04d}",
                body="**请**阅读",
                importance="important" if number % 2 else "normal",
                requires_acknowledgement=bool(number % 2),
                status="published",
                published_at=now - dt.timedelta(minutes=number),
                unit=self.unit,
                author=self.hr,
                audience_size=1,
            )
            for number in range(self.made, size)
        )
        Announcement.units.through.objects.bulk_create(
            Announcement.units.through(announcement_id=a.pk, orgunit_id=self.unit.pk) for a in made
        )
        AnnouncementReceipt.objects.bulk_create(
            AnnouncementReceipt(announcement=a, user=self.reader, unit=self.unit) for a in made
        )
        users = User.objects.bulk_create(
            User(username=f"ann-reader-{number}") for number in range(self.made, size)
        )
        Staff.objects.bulk_create(
            Staff(
                employee_no=f"ANN{number:05d}",
                name=f"读者{number}",
                hire_date=dt.date(2024, 1, 1),
                unit=self.unit,
                position=self.position,
                user=user,
            )
            for number, user in zip(range(self.made, size), users, strict=True)
        )
        AnnouncementReceipt.objects.bulk_create(
            AnnouncementReceipt(
                announcement=self.big,
                user=user,
                unit=self.unit,
                read_at=now if index % 2 else None,
                acknowledged_at=now if index % 3 == 0 else None,
            )
            for index, user in enumerate(users)
        )
        self.made = max(self.made, size)


def _big(data: Dataset) -> int:
    return data.big.pk


ENDPOINTS: dict[str, Endpoint] = {
    "page my announcements": Endpoint("collab:announcement_list", login="reader"),
    "page to acknowledge": Endpoint(
        "collab:announcement_list", {"show": "unacknowledged"}, login="reader"
    ),
    "page manage hr": Endpoint("collab:announcement_manage"),
    "page manage manager": Endpoint("collab:announcement_manage", login="manager"),
    "export manage": Endpoint("collab:announcement_manage", {"export": "csv"}, rows="csv"),
    "page stats": Endpoint("collab:announcement_stats", kwargs={"pk": _big}),
    "page stats manager": Endpoint(
        "collab:announcement_stats", kwargs={"pk": _big}, login="manager"
    ),
    "export receipts": Endpoint(
        "collab:announcement_stats", {"export": "csv"}, kwargs={"pk": _big}, rows="csv"
    ),
    "api announcements hr": Endpoint("collab-announcement-list", {"page_size": 500}, rows="api"),
    "api announcements reader": Endpoint(
        "collab-announcement-list", {"page_size": 500}, login="reader", rows="api"
    ),
    "api receipts": Endpoint(
        "collab-announcement-receipts", {"page_size": 500}, kwargs={"pk": _big}, rows="api"
    ),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build() -> dict:
        from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
        from opsteam.org.tests.factories import OrgUnitFactory, PositionFactory, StaffFactory

        unit = OrgUnitFactory(code="ANN-A1", name="公告测试组")
        hr = UserFactory(username="announcements-hr")
        RoleGrantFactory(user=hr, role="hr")
        manager = UserFactory(username="announcements-manager")
        RoleGrantFactory(user=manager, role="manager", unit=unit)
        reader = UserFactory(username="announcements-reader")
        RoleGrantFactory(user=reader, role="operator")
        StaffFactory(user=reader, unit=unit)
        big = Announcement.objects.create(
            title="全员安全须知",
            importance="important",
            requires_acknowledgement=True,
            status="published",
            published_at=timezone.now(),
            unit=unit,
            author=hr,
        )
        data = Dataset(hr=hr, reader=reader, unit=unit, position=PositionFactory(), big=big)
        clients = {
            "hr": logged_in_client(hr),
            "manager": logged_in_client(manager),
            "reader": logged_in_client(reader),
        }
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
