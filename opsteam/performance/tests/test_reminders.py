"""Appraisal reminders (the hourly collab scan): who is told that a review step or a 1:1
action is due, with which title and link; nobody else; once per deadline and window; and a
bounded number of queries however many reviews a cycle has."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from opsteam.collab import reminders as collab_reminders
from opsteam.collab.models import Notification
from opsteam.org.tests.factories import StaffFactory
from opsteam.performance import reminders
from opsteam.performance import services_coaching as coaching
from opsteam.performance.choices import ActionItemStatus, CycleStage, ReviewStatus
from opsteam.performance.models import ActionItem, Review, ReviewCycle

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 26)
MY_REVIEWS = "/performance/reviews/mine/"


def _cycle(stage: str, name: str = "2026 Q2 考核", name_en: str = "2026 Q2 review", **deadlines):
    return ReviewCycle.objects.create(
        name=name,
        name_en=name_en,
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2026, 6, 30),
        stage=stage,
        **deadlines,
    )


def _review(cycle, user_or_staff, status=ReviewStatus.PENDING, reviewer=None, **fields):
    staff = getattr(user_or_staff, "staff", user_or_staff)
    return Review.objects.create(
        cycle=cycle,
        staff=staff,
        unit=staff.unit,
        reviewer=getattr(reviewer, "staff", reviewer),
        status=status,
        **fields,
    )


def _notes(user=None, kind="review-due"):
    notes = Notification.objects.filter(kind=kind)
    return notes.filter(recipient=user) if user is not None else notes


@pytest.fixture
def people(org_tree, user_as):
    manager = user_as("manager", unit=org_tree.t1, username="lead")
    return {
        "manager": manager,
        "ana": user_as("operator", unit=org_tree.t1, username="ana", manager=manager.staff),
        "bo": user_as("operator", unit=org_tree.t1, username="bo", manager=manager.staff),
        "cy": user_as("operator", unit=org_tree.t1, username="cy", manager=manager.staff),
    }


# Self-review ---------------------------------------------------------------------------------


def test_pending_reviewees_are_reminded_of_their_self_review_once(
    people, client, django_capture_on_commit_callbacks
):
    cycle = _cycle(CycleStage.SELF_REVIEW, self_review_deadline=TODAY + dt.timedelta(days=2))
    _review(cycle, people["ana"], reviewer=people["manager"])
    _review(cycle, people["bo"], ReviewStatus.SELF_DONE, reviewer=people["manager"])
    _review(cycle, StaffFactory(unit=people["ana"].staff.unit))  # no login: nobody to tell

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.scan(today=TODAY) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.scan(today=TODAY) == 0  # rerun within the hour
        assert reminders.scan(today=TODAY + dt.timedelta(days=2)) == 0  # same deadline

    note = _notes().get()
    assert note.recipient == people["ana"]
    assert note.title == "Self-review due 2026-06-28: 2026 Q2 review"
    assert "2026-06-28" in note.body
    assert note.url == MY_REVIEWS == reverse("performance:my_reviews")
    assert not _notes(people["bo"]).exists()  # already submitted
    assert not _notes(people["manager"]).exists()
    # review steps default to an immediate e-mail
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    assert mail.outbox[0].subject == note.title
    # the link leads to the self-review waiting for them
    client.force_login(people["ana"])
    page = client.get(note.url)
    assert page.status_code == 200
    assert "Write my self-review" in page.content.decode()


def test_far_deadlines_other_stages_and_missing_deadlines_are_not_reminded(people):
    _cycle(CycleStage.SELF_REVIEW, self_review_deadline=TODAY + dt.timedelta(days=3))
    _cycle(CycleStage.SELF_REVIEW, self_review_deadline=None)
    # a self-review deadline near, but the cycle has moved on to manager reviews
    _cycle(
        CycleStage.MANAGER_REVIEW,
        self_review_deadline=TODAY,
        manager_review_deadline=TODAY + dt.timedelta(days=20),
    )
    for cycle in ReviewCycle.objects.all():
        _review(cycle, people["ana"], reviewer=people["manager"])

    assert reminders.scan(today=TODAY) == 0
    assert not Notification.objects.exists()


def test_an_overdue_self_review_gets_one_more_reminder_the_day_after(people):
    deadline = TODAY
    cycle = _cycle(CycleStage.SELF_REVIEW, self_review_deadline=deadline)
    _review(cycle, people["ana"])

    assert reminders.scan(today=deadline - dt.timedelta(days=2)) == 1
    assert reminders.scan(today=deadline) == 0
    assert reminders.scan(today=deadline + dt.timedelta(days=1)) == 1
    assert reminders.scan(today=deadline + dt.timedelta(days=2)) == 0

    titles = list(_notes(people["ana"]).order_by("pk").values_list("title", flat=True))
    assert titles == [
        "Self-review due 2026-06-26: 2026 Q2 review",
        "Self-review overdue: 2026 Q2 review",
    ]


def test_long_past_deadlines_are_not_dug_up(people):
    cycle = _cycle(CycleStage.SELF_REVIEW, self_review_deadline=TODAY - dt.timedelta(days=30))
    _review(cycle, people["ana"])

    assert reminders.scan(today=TODAY) == 0


def test_a_moved_deadline_is_reminded_again(people):
    cycle = _cycle(CycleStage.SELF_REVIEW, self_review_deadline=TODAY)
    _review(cycle, people["ana"])
    assert reminders.scan(today=TODAY) == 1

    cycle.self_review_deadline = TODAY + dt.timedelta(days=1)
    cycle.save(update_fields=["self_review_deadline"])

    assert reminders.scan(today=TODAY) == 1
    assert _notes(people["ana"]).count() == 2


def test_each_person_reads_the_cycle_in_their_language(people):
    people["bo"].language = "zh-hans"
    people["bo"].save(update_fields=["language"])
    cycle = _cycle(CycleStage.SELF_REVIEW, self_review_deadline=TODAY)
    _review(cycle, people["ana"])
    _review(cycle, people["bo"])

    assert reminders.scan(today=TODAY) == 2
    assert "2026 Q2 review" in _notes(people["ana"]).get().title
    assert "2026 Q2 考核" in _notes(people["bo"]).get().title
    assert reminders.scan(today=TODAY) == 0


# Manager review and acknowledgement ----------------------------------------------------------


def test_the_reviewing_manager_is_reminded_once_for_all_reviews_waiting(people, user_as, org_tree):
    cycle = _cycle(CycleStage.MANAGER_REVIEW, manager_review_deadline=TODAY + dt.timedelta(days=1))
    other_lead = user_as("manager", unit=org_tree.t2, username="lead2")
    _review(cycle, people["ana"], ReviewStatus.PENDING, reviewer=people["manager"])
    _review(cycle, people["bo"], ReviewStatus.SELF_DONE, reviewer=people["manager"])
    _review(cycle, people["cy"], ReviewStatus.MANAGER_DONE, reviewer=other_lead)
    _review(cycle, user_as("operator", unit=org_tree.t3))  # no reviewer fixed at launch

    assert reminders.scan(today=TODAY) == 1
    assert reminders.scan(today=TODAY) == 0

    note = _notes().get()
    assert note.recipient == people["manager"]
    assert note.title == "Manager reviews due 2026-06-27: 2026 Q2 review"
    assert note.url == MY_REVIEWS
    assert not _notes(other_lead).exists()  # their review is done


def test_published_results_not_yet_confirmed_are_reminded(people):
    cycle = _cycle(
        CycleStage.ACKNOWLEDGEMENT, acknowledgement_deadline=TODAY + dt.timedelta(days=2)
    )
    _review(cycle, people["ana"], ReviewStatus.PUBLISHED, grade="B")
    _review(cycle, people["bo"], ReviewStatus.ACKNOWLEDGED, grade="B")
    _review(cycle, people["cy"], ReviewStatus.APPEALED, grade="C")  # HR answers first

    assert reminders.scan(today=TODAY) == 1

    note = _notes().get()
    assert note.recipient == people["ana"]
    assert note.title == "Confirm your result by 2026-06-28: 2026 Q2 review"
    assert note.url == MY_REVIEWS


# 1:1 action items ----------------------------------------------------------------------------


@pytest.fixture
def meeting(people):
    series = coaching.one_on_one_create(actor=people["manager"], report=people["ana"].staff)
    return coaching.meeting_create(
        actor=people["manager"], series=series, date=TODAY - dt.timedelta(days=7)
    )


def _action(meeting, owner, due, status=ActionItemStatus.OPEN, text="整理退货流程"):
    return ActionItem.objects.create(
        meeting=meeting, text=text, owner=owner.staff, due_date=due, status=status
    )


def test_action_owners_are_reminded_the_day_before_and_once_when_overdue(people, meeting, client):
    tomorrow = TODAY + dt.timedelta(days=1)
    due = _action(meeting, people["ana"], tomorrow)
    _action(meeting, people["manager"], tomorrow, status=ActionItemStatus.DONE)
    _action(meeting, people["manager"], TODAY + dt.timedelta(days=5))
    _action(meeting, people["manager"], None)

    assert reminders.scan(today=TODAY) == 1
    assert reminders.scan(today=tomorrow) == 0
    assert reminders.scan(today=tomorrow + dt.timedelta(days=1)) == 1
    assert reminders.scan(today=tomorrow + dt.timedelta(days=2)) == 0

    notes = list(_notes(kind="action-item-due").order_by("pk"))
    assert {note.recipient for note in notes} == {people["ana"]}
    assert [note.title for note in notes] == [
        "1:1 action due 2026-06-27",
        "1:1 action overdue since 2026-06-27",
    ]
    assert notes[0].url == reverse("performance:meeting_detail", args=[due.meeting_id])
    # a 1:1 is private: its text stays out of messages that may reach the team's IM channel
    assert all("整理退货流程" not in note.title + note.body for note in notes)
    client.force_login(people["ana"])
    assert "整理退货流程" in client.get(notes[0].url).content.decode()


def test_a_closed_action_is_not_reminded_as_overdue(people, meeting):
    item = _action(meeting, people["ana"], TODAY)
    assert reminders.scan(today=TODAY) == 1

    item.status = ActionItemStatus.DONE
    item.save(update_fields=["status"])

    assert reminders.scan(today=TODAY + dt.timedelta(days=1)) == 0


# Through the collab scan, and the query bound ------------------------------------------------


def test_the_collab_scan_runs_the_appraisal_reminders(people):
    cycle = _cycle(CycleStage.SELF_REVIEW, self_review_deadline=TODAY)
    _review(cycle, people["ana"])

    results = collab_reminders.scan(today=TODAY)

    assert results["opsteam.performance.reminders.scan"] == 1
    assert _notes(people["ana"]).exists()


@pytest.mark.parametrize("size", [3, 30])
def test_scan_queries_do_not_grow_with_the_reviews(
    size, user_as, org_tree, django_assert_max_num_queries
):
    cycle = _cycle(CycleStage.SELF_REVIEW, self_review_deadline=TODAY)
    lead = user_as("manager", unit=org_tree.t1)
    for _ in range(size):
        _review(cycle, user_as("operator", unit=org_tree.t1), reviewer=lead)

    with django_assert_max_num_queries(20):
        assert reminders.scan(today=TODAY) == size
    assert _notes().count() == size
