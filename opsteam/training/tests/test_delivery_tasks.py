"""Reminder jobs: 24 hours before a session, 60 days before a certificate expires; once each.

Both reach people as notifications (inbox, e-mail and IM per their preferences; both kinds
e-mail right away by default), not as plain e-mails of their own."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from opsteam.accounts.tests.factories import UserFactory
from opsteam.collab.models import Notification
from opsteam.org.tests.factories import StaffFactory
from opsteam.training import tasks
from opsteam.training.choices import RegistrationStatus
from opsteam.training.models import Certificate, Registration
from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory, SessionFactory


def _person(username):
    user = UserFactory(username=username)
    StaffFactory(user=user)
    return user


def _seat(session, person, status=RegistrationStatus.REGISTERED):
    staff = person if hasattr(person, "employee_no") else person.staff
    enrolment = EnrolmentFactory(staff=staff, course=session.course)
    return Registration.objects.create(session=session, enrolment=enrolment, status=status)


def test_session_reminder_is_sent_once_to_registered_people(
    org_tree, django_capture_on_commit_callbacks
):
    course = CourseFactory(name="直播话术", name_en="Live selling")
    soon = SessionFactory(course=course, starts_at=timezone.now() + dt.timedelta(hours=20))
    later = SessionFactory(starts_at=timezone.now() + dt.timedelta(days=3))
    ana, waiting, bo = _person("ana"), _person("waiting"), _person("bo")
    _seat(soon, ana)
    _seat(soon, waiting, RegistrationStatus.WAITLISTED)
    _seat(soon, StaffFactory(email="nologin@example.com"))  # no login: no notification
    _seat(later, bo)

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.session_reminders_task.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.session_reminders_task.delay().get()

    assert (first, second) == (1, 0)
    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (ana, "training-due")
    assert note.title.startswith("Training session ")
    assert note.title.endswith(": Live selling")
    assert timezone.localtime(soon.starts_at).strftime("%Y-%m-%d %H:%M") in note.title
    assert "培训室 A" in note.body
    assert note.url == reverse("training:session_detail", args=[soon.pk])
    # the e-mail is the notification's (no calendar attachment: the invitation came earlier)
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    assert mail.outbox[0].subject == note.title
    assert not mail.outbox[0].attachments
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None


def test_cancelled_sessions_get_no_reminder(org_tree, django_capture_on_commit_callbacks):
    session = SessionFactory(starts_at=timezone.now() + dt.timedelta(hours=2), status="cancelled")
    _seat(session, _person("ana"))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.session_reminders_task.delay().get() == 0
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_certificate_renewal_reminder_is_sent_once(org_tree, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    holder = _person("holder")
    expiring = Certificate.objects.create(
        staff=holder.staff,
        source="external",
        name="PMP",
        issued_on=today - dt.timedelta(days=1000),
        expires_on=today + dt.timedelta(days=45),
    )
    Certificate.objects.create(
        staff=holder.staff,
        source="external",
        name="CPA",
        issued_on=today - dt.timedelta(days=10),
        expires_on=today + dt.timedelta(days=200),
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.certificate_renewal_reminders_task.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.certificate_renewal_reminders_task.delay().get()

    assert (first, second) == (1, 0)
    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (holder, "certificate-renewal")
    assert note.title == "Renew your certificate: PMP"
    assert expiring.expires_on.isoformat() in note.body
    # an external certificate is renewed by uploading the new one among one's own
    assert note.url == reverse("training:certificate_list") + "?scope=mine"
    assert [m.to for m in mail.outbox] == [["holder@example.com"]]
    assert "PMP" in mail.outbox[0].subject
    expiring.refresh_from_db()
    assert expiring.renewal_reminded_on == today


def test_a_course_certificate_points_to_the_course_and_holders_without_login_are_marked(
    org_tree, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    course = CourseFactory()
    holder = _person("holder")
    own = Certificate.objects.create(
        staff=holder.staff,
        course=course,
        source="course",
        name="叉车操作",
        issued_on=today - dt.timedelta(days=700),
        expires_on=today + dt.timedelta(days=30),
    )
    no_login = Certificate.objects.create(
        staff=StaffFactory(email="nologin@example.com"),
        source="external",
        name="PMP",
        issued_on=today - dt.timedelta(days=700),
        expires_on=today + dt.timedelta(days=30),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.certificate_renewal_reminders_task.delay().get() == 2

    note = Notification.objects.get()
    assert (note.recipient, note.url) == (
        holder,
        reverse("training:course_detail", args=[course.pk]),
    )
    no_login.refresh_from_db()
    own.refresh_from_db()
    assert own.renewal_reminded_on == no_login.renewal_reminded_on == today
