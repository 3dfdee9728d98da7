import datetime as dt

import pytest
from django.urls import reverse

from opsteam.insights.models import SystemReview
from opsteam.org.models import Staff
from opsteam.workflow.models import ImprovementAction

pytestmark = pytest.mark.django_db


def test_hr_runs_a_review_through_the_api(api_client_as):
    api = api_client_as("hr")
    me = Staff.objects.get(user=api.user)

    created = api.post(
        reverse("insights-review-list"),
        {"period_start": "2026-07-01", "period_end": "2026-09-30", "status": "closed"},
        format="json",
    )
    pk = created.json()["id"]
    raised = api.post(
        reverse("insights-review-raise-action", args=[pk]),
        {"section": "training", "title": "补课", "owner": me.pk, "due_date": "2026-12-01"},
        format="json",
    )
    api.patch(reverse("insights-review-detail", args=[pk]), {"conclusions": "好"}, format="json")
    closed = api.post(reverse("insights-review-close", args=[pk]))
    report = api.get(reverse("insights-review-report", args=[pk]))

    assert created.status_code == 201
    assert created.json()["status"] == "draft"  # status is not mass-assignable
    assert raised.status_code == 201
    assert raised.json()["review"] == pk
    assert raised.json()["process"] is None
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert report.json()["frozen"] is True
    assert [s["key"] for s in report.json()["sections"]] == [
        "fairness",
        "training",
        "engagement",
        "suggestions",
        "process",
    ]
    assert ImprovementAction.objects.get().owner == me


def test_closing_without_conclusions_is_a_clear_error(api_client_as):
    api = api_client_as("hr")
    review = SystemReview.objects.create(
        title="Q", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31)
    )

    response = api.post(reverse("insights-review-close", args=[review.pk]))

    assert response.status_code == 400
    assert SystemReview.objects.get().status == "draft"


@pytest.mark.parametrize(
    ("_case", "payload"),
    [
        ("huge owner id", {"section": "training", "title": "t", "owner": 2**70}),
        ("unknown owner", {"section": "training", "title": "t", "owner": 999999}),
        ("wrong types", {"section": ["training"], "title": {"a": 1}}),
        ("unknown section", {"section": "salary", "title": "t"}),
    ],
)
def test_bad_action_input_is_refused(api_client_as, quarter_review, _case, payload):
    response = api_client_as("hr").post(
        reverse("insights-review-raise-action", args=[quarter_review.pk]), payload, format="json"
    )

    assert response.status_code == 400
    assert not ImprovementAction.objects.exists()


def test_manager_reads_but_sees_no_fairness_section(api_client_as, quarter_review):
    api = api_client_as("manager")

    listing = api.get(reverse("insights-review-list"))
    report = api.get(reverse("insights-review-report", args=[quarter_review.pk]))
    denied = api.post(reverse("insights-review-start", args=[quarter_review.pk]))

    assert listing.status_code == 200
    assert "fairness" not in [s["key"] for s in report.json()["sections"]]
    assert denied.status_code == 403
    assert SystemReview.objects.get().status == "draft"


def test_operator_cannot_list_reviews(api_client_as, quarter_review):
    api = api_client_as("operator")

    assert api.get(reverse("insights-review-list")).status_code == 403
    assert api.get(reverse("insights-review-detail", args=[quarter_review.pk])).status_code == 404
