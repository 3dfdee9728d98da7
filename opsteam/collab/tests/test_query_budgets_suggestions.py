"""The suggestion list page, its export and the API list run a fixed number of queries.

10 suggestions (grown to 500) addressed to team T1, half anonymous, each with an owner, a vote
and a comment; requested as HR (handles everything) and as an operator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from opsteam.collab.models_suggestions import Suggestion, SuggestionComment, SuggestionVote
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
    author: Any
    owner: Any
    unit: Any
    made: int = 0

    def grow(self, size: int) -> None:
        due = timezone.localdate() + dt.timedelta(days=5)
        rows = Suggestion.objects.bulk_create(
            Suggestion(
                title=f"建议 {number:04d}",
                body="内容",
                category="process",
                unit=self.unit,
                is_anonymous=number % 2 == 0,
                author=None if number % 2 == 0 else self.author,
                status="accepted",
                owner=self.owner,
                due_date=due,
                vote_count=1,
                comment_count=1,
            )
            for number in range(self.made, size)
        )
        SuggestionVote.objects.bulk_create(
            SuggestionVote(suggestion=row, user=self.author) for row in rows
        )
        SuggestionComment.objects.bulk_create(
            SuggestionComment(suggestion=row, author=self.owner, body="好") for row in rows
        )
        self.made = max(self.made, size)


ENDPOINTS: dict[str, Endpoint] = {
    "page suggestions hr": Endpoint("collab:suggestion_list", {"sort": "-votes"}),
    "page suggestions operator": Endpoint("collab:suggestion_list", login="operator"),
    "export suggestions": Endpoint("collab:suggestion_list", {"export": "csv"}, rows="csv"),
    "api suggestions": Endpoint("collab-suggestion-list", {"page_size": 500}, rows="api"),
    "api suggestions operator": Endpoint("collab-suggestion-list", login="operator"),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build() -> dict:
        from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
        from opsteam.org.tests.factories import OrgUnitFactory

        unit = OrgUnitFactory(code="QB-SG", name="店铺运营组")
        hr = UserFactory(username="suggestions-hr")
        RoleGrantFactory(user=hr, role="hr")
        operator = UserFactory(username="suggestions-operator")
        RoleGrantFactory(user=operator, role="operator")
        data = Dataset(author=operator, owner=hr, unit=unit)
        clients = {"hr": logged_in_client(hr), "operator": logged_in_client(operator)}
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
