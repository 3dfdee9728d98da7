"""IM channels, the delivery log and the notification API run a fixed number of queries.

10 channels (grown to 500) of team T1, each with one failed delivery, and as many e-mail
deliveries and notifications for the HR partner; every list is requested at each size, as HR
(everything) and as the team's manager (their subtree). Channel and delivery exports too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from opsteam.collab.models import Delivery, ImChannel, Notification
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

BUDGET = 14


@dataclass
class Dataset:
    hr: Any
    unit: Any
    made: int = 0

    def grow(self, size: int) -> None:
        channels = ImChannel.objects.bulk_create(
            ImChannel(
                name=f"群 {number:04d}",
                provider="wecom",
                webhook_url=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k{number}",
                unit=self.unit,
                kinds=["review-due", "workflow-rule"],
            )
            for number in range(self.made, size)
        )
        Delivery.objects.bulk_create(
            Delivery(
                medium="im",
                channel=channel,
                kind="workflow-rule",
                title="超时",
                status="failed",
                attempts=6,
                last_error="HTTP 500",
            )
            for channel in channels
        )
        Delivery.objects.bulk_create(
            Delivery(
                medium="email", recipient=self.hr, kind="review-due", title="自评", status="sent"
            )
            for _number in range(self.made, size)
        )
        Notification.objects.bulk_create(
            Notification(recipient=self.hr, kind="review-due", title=f"提醒 {number}")
            for number in range(self.made, size)
        )
        self.made = max(self.made, size)


ENDPOINTS: dict[str, Endpoint] = {
    "page channels hr": Endpoint("collab:channel_list"),
    "page channels manager": Endpoint("collab:channel_list", login="manager"),
    "export channels": Endpoint("collab:channel_list", {"export": "csv"}, rows="csv"),
    "page deliveries hr": Endpoint("collab:delivery_list"),
    "page deliveries manager": Endpoint("collab:delivery_list", login="manager"),
    "export deliveries": Endpoint("collab:delivery_list", {"export": "csv"}),
    "api channels": Endpoint("collab-channel-list", {"page_size": 500}, rows="api"),
    "api deliveries": Endpoint("collab-delivery-list"),
    "api notifications": Endpoint("collab-notification-list"),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build() -> dict:
        from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
        from opsteam.org.tests.factories import OrgUnitFactory

        unit = OrgUnitFactory(code="QB-T1", name="店铺运营组")
        hr = UserFactory(username="channels-hr")
        RoleGrantFactory(user=hr, role="hr")
        manager = UserFactory(username="channels-manager")
        RoleGrantFactory(user=manager, role="manager", unit=unit)
        data = Dataset(hr=hr, unit=unit)
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
