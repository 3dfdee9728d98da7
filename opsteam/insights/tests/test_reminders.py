import datetime as dt

import pytest

from opsteam.collab.models import Notification
from opsteam.insights import reminders, services
from opsteam.org.models import Staff

pytestmark = pytest.mark.django_db


def test_owners_are_reminded_once_before_and_once_after_the_due_date(user_as, quarter_review):
    operator = user_as("operator")
    action = services.review_action_create(
        actor=user_as("hr"),
        review=quarter_review,
        section="training",
        title="补齐培训",
        owner=Staff.objects.get(user=operator),
        due_date=dt.date(2026, 12, 10),
    )
    Notification.objects.all().delete()

    too_early = reminders.scan(today=dt.date(2026, 12, 1))
    due = reminders.scan(today=dt.date(2026, 12, 8))
    again = reminders.scan(today=dt.date(2026, 12, 9))
    overdue = reminders.scan(today=dt.date(2026, 12, 12))

    assert (too_early, due, again, overdue) == (0, 1, 0, 1)
    titles = list(Notification.objects.filter(recipient=operator).values_list("title", flat=True))
    assert len(titles) == 2
    assert all("补齐培训" in title for title in titles)
    assert Notification.objects.filter(url=action.get_absolute_url()).count() == 2


def test_closed_actions_are_not_reminded(user_as, quarter_review):
    hr = user_as("hr")
    action = services.review_action_create(
        actor=hr,
        review=quarter_review,
        section="training",
        title="已完成",
        owner=Staff.objects.get(user=hr),
        due_date=dt.date(2026, 12, 10),
    )
    from opsteam.workflow import services_actions

    services_actions.improvement_action_update(actor=hr, action=action, status="cancelled")

    assert reminders.scan(today=dt.date(2026, 12, 9)) == 0
