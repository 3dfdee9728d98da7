import pytest

from opsteam.insights import demo_review
from opsteam.insights.models import SystemReview
from opsteam.workflow.models import ImprovementAction

pytestmark = pytest.mark.django_db


def test_demo_loads_once(user_as):
    for role, name in (
        ("admin", "admin"),
        ("hr", "hr"),
        ("manager", "manager"),
        ("operator", "operator"),
    ):
        user_as(role, username=name)

    first = demo_review.load()
    second = demo_review.load()

    assert first == {"insights.systemreview": 2, "workflow.improvementaction": 5}
    assert second == {}
    earlier, latest = SystemReview.objects.order_by("period_start")
    assert earlier.status == "closed"
    assert earlier.snapshot["sections"]
    assert latest.status == "in_review"
    # one action of the closed review is still open: the latest review tracks it
    assert ImprovementAction.objects.filter(review=earlier, status="check").count() == 1
    assert ImprovementAction.objects.filter(review=latest).count() == 3
