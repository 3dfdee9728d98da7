"""Courses due (the hourly collab scan): the learner is told three days ahead and once more
the day after the due date, with a link to their course; nobody else; never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
from opsteam.collab import reminders as collab_reminders
from opsteam.collab.models import Notification
from opsteam.org.tests.factories import StaffFactory
from opsteam.training import reminders
from opsteam.training.choices import EnrolmentStatus
from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 26)


def _learner(username, **user_fields):
    user = UserFactory(username=username, **user_fields)
    RoleGrantFactory(user=user, role="operator")
    StaffFactory(user=user)
    return user


@pytest.fixture
def course():
    return CourseFactory(name="售后退款规则", name_en="Refund rules")


def test_learners_are_reminded_three_days_before_a_course_is_due(
    course, client, django_capture_on_commit_callbacks
):
    ana, bo, cy, di = (_learner(name) for name in ("ana", "bo", "cy", "di"))
    due = TODAY + dt.timedelta(days=3)
    enrolment = EnrolmentFactory(staff=ana.staff, course=course, due_on=due)
    EnrolmentFactory(staff=bo.staff, course=course, due_on=due, status=EnrolmentStatus.IN_PROGRESS)
    EnrolmentFactory(staff=cy.staff, course=course, due_on=due, status=EnrolmentStatus.COMPLETED)
    EnrolmentFactory(staff=di.staff, course=course, due_on=TODAY + dt.timedelta(days=4))
    EnrolmentFactory(staff=StaffFactory(), course=course, due_on=due)  # no login
    EnrolmentFactory(staff=di.staff, due_on=None)

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.scan(today=TODAY) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.scan(today=TODAY) == 0

    notes = Notification.objects.filter(kind="training-due")
    assert {note.recipient for note in notes} == {ana, bo}
    note = notes.get(recipient=ana)
    assert note.title == "Training due 2026-06-29: Refund rules"
    assert "2026-06-29" in note.body
    assert note.url == reverse("training:enrolment_detail", args=[enrolment.pk])
    client.force_login(ana)
    assert client.get(note.url).status_code == 200
    # training reminders default to an immediate e-mail
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "bo@example.com"]

    # on the due date: di's course is now three days away; ana and bo are not told twice
    assert reminders.scan(today=due) == 1
    assert [note.recipient for note in notes.exclude(recipient__in=[ana, bo])] == [di]


def test_an_overdue_course_is_reminded_once_the_day_after(course):
    ana = _learner("ana")
    EnrolmentFactory(staff=ana.staff, course=course, due_on=TODAY)

    assert reminders.scan(today=TODAY) == 1
    assert reminders.scan(today=TODAY + dt.timedelta(days=1)) == 1
    assert reminders.scan(today=TODAY + dt.timedelta(days=2)) == 0

    titles = list(Notification.objects.order_by("pk").values_list("title", flat=True))
    assert titles == ["Training due 2026-06-26: Refund rules", "Training overdue: Refund rules"]


def test_long_overdue_and_cancelled_courses_are_left_alone(course):
    ana, bo = _learner("ana"), _learner("bo")
    EnrolmentFactory(staff=ana.staff, course=course, due_on=TODAY - dt.timedelta(days=40))
    EnrolmentFactory(staff=bo.staff, course=course, due_on=TODAY, status=EnrolmentStatus.CANCELLED)

    assert reminders.scan(today=TODAY) == 0
    assert not Notification.objects.exists()


def test_a_new_due_date_is_reminded_again(course):
    ana = _learner("ana")
    enrolment = EnrolmentFactory(staff=ana.staff, course=course, due_on=TODAY)
    assert reminders.scan(today=TODAY) == 1

    enrolment.due_on = TODAY + dt.timedelta(days=2)
    enrolment.save(update_fields=["due_on"])

    assert reminders.scan(today=TODAY) == 1
    assert Notification.objects.filter(recipient=ana).count() == 2


def test_the_course_name_follows_the_learners_language(course):
    zh = _learner("zh", language="zh-hans")
    EnrolmentFactory(staff=zh.staff, course=course, due_on=TODAY)

    assert reminders.scan(today=TODAY) == 1
    assert "售后退款规则" in Notification.objects.get(recipient=zh).title


def test_the_collab_scan_runs_the_training_reminders(course):
    ana = _learner("ana")
    EnrolmentFactory(staff=ana.staff, course=course, due_on=TODAY + dt.timedelta(days=1))

    results = collab_reminders.scan(today=TODAY)

    assert results["opsteam.training.reminders.scan"] == 1
    assert Notification.objects.filter(recipient=ana, kind="training-due").exists()


def test_a_rerun_costs_the_same_few_queries_however_many_were_reminded(
    course, django_assert_max_num_queries
):
    for number in range(30):
        learner = _learner(f"learner{number}")
        EnrolmentFactory(staff=learner.staff, course=course, due_on=TODAY)
    assert reminders.scan(today=TODAY) == 30

    with django_assert_max_num_queries(2):
        assert reminders.scan(today=TODAY) == 0
