"""The inbox runs a fixed number of queries, however many notifications a person has.

One person with 10 notifications (half read), grown to 500, requests the inbox at each size
(pages of notifications; the header's unread count is one query of its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from opsteam.collab.models import Notification
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

BUDGET = 12


@dataclass
class Dataset:
    user: Any
    made: int = 0

    def grow(self, size: int) -> None:
        now = timezone.now()
        Notification.objects.bulk_create(
            Notification(
                recipient=self.user,
                kind="workflow.sla",
                title=f"工单 T{number:05d} 超时",
                body="已等待 5 小时，超过目标。",
                url="/workflow/my/",
                read_at=now if number % 2 else None,
            )
            for number in range(self.made, size)
        )
        self.made = max(self.made, size)


ENDPOINTS: dict[str, Endpoint] = {
    "page inbox": Endpoint("collab:inbox", login="operator"),
    "page inbox unread": Endpoint("collab:inbox", {"unread": "1"}, login="operator"),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build() -> dict:
        from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory

        user = UserFactory(username="inbox-operator")
        RoleGrantFactory(user=user, role="operator")
        data = Dataset(user=user)
        clients = {"operator": logged_in_client(user)}
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
