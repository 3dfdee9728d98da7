"""System reviews and the home page's panels run a fixed number of queries.

10 reviews (grown to 500), each with an improvement action owned by the HR partner, and as many
open enrolments of theirs; the list page, its export, the API list, one report and the home
page's panels are requested at each size, as HR and as a team's manager.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

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

BUDGET = 30


@dataclass
class Dataset:
    staff: Any
    course: Any
    made: int = 0
    first: Any = None

    def grow(self, size: int) -> None:
        from opsteam.insights.models import SystemReview
        from opsteam.training.models import Enrolment
        from opsteam.workflow.models import ImprovementAction

        reviews = SystemReview.objects.bulk_create(
            SystemReview(
                title=f"评估 {number:04d}",
                period_start=dt.date(1000 + number, 1, 1),
                period_end=dt.date(1000 + number, 3, 31),
            )
            for number in range(self.made, size)
        )
        ImprovementAction.objects.bulk_create(
            ImprovementAction(
                review=review, section="training", title=f"改进 {review.title}", owner=self.staff
            )
            for review in reviews
        )
        from opsteam.training.models import Course

        courses = Course.objects.bulk_create(
            Course(code=f"QB-{number:04d}", name=f"课程 {number:04d}", duration_hours=2)
            for number in range(self.made, size)
        )
        Enrolment.objects.bulk_create(
            Enrolment(staff=self.staff, course=course, source="manual", status="assigned")
            for course in courses
        )
        self.first = self.first or reviews[0]
        self.made = max(self.made, size)


ENDPOINTS: dict[str, Endpoint] = {
    "page reviews": Endpoint("insights:review_list"),
    "page reviews manager": Endpoint("insights:review_list", login="manager"),
    "export reviews": Endpoint("insights:review_list", {"export": "csv"}, rows="csv"),
    "api reviews": Endpoint("insights-review-list", {"page_size": 500}, rows="api"),
    "page report": Endpoint("insights:review_detail", kwargs={"pk": lambda data: data.first.pk}),
    "home owed": Endpoint("insights:home_owed"),
    "home watch hr": Endpoint("insights:home_watch"),
    "home watch manager": Endpoint("insights:home_watch", login="manager"),
    "home page": Endpoint("insights:home"),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build() -> dict:
        from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
        from opsteam.org.tests.factories import OrgUnitFactory, StaffFactory
        from opsteam.training.tests.factories import CourseFactory

        unit = OrgUnitFactory(code="QB-RV", name="店铺运营组")
        hr = UserFactory(username="review-hr")
        RoleGrantFactory(user=hr, role="hr")
        staff = StaffFactory(user=hr, unit=unit)
        manager = UserFactory(username="review-manager")
        RoleGrantFactory(user=manager, role="manager", unit=unit)
        StaffFactory(user=manager, unit=unit)
        data = Dataset(staff=staff, course=CourseFactory())
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


def test_home_owed_counts_every_row_but_lists_five(measured):
    assert measured["home owed"][500].status == 200
