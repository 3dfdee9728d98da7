"""Reminder jobs: 24 hours before a session, 60 days before a certificate expires; once each."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from opsteam.org.tests.factories import StaffFactory
from opsteam.training import tasks
from opsteam.training.choices import RegistrationStatus
from opsteam.training.models import Certificate, Registration
from opsteam.training.tests.factories import EnrolmentFactory, SessionFactory


def _seat(session, email, status=RegistrationStatus.REGISTERED):
    enrolment = EnrolmentFactory(staff=StaffFactory(email=email), course=session.course)
    return Registration.objects.create(session=session, enrolment=enrolment, status=status)


def test_session_reminder_is_sent_once_to_registered_people(
    org_tree, django_capture_on_commit_callbacks
):
    soon = SessionFactory(starts_at=timezone.now() + dt.timedelta(hours=20))
    later = SessionFactory(starts_at=timezone.now() + dt.timedelta(days=3))
    _seat(soon, "a@example.com")
    _seat(soon, "waiting@example.com", RegistrationStatus.WAITLISTED)
    _seat(later, "b@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.session_reminders_task.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.session_reminders_task.delay().get()

    assert (first, second) == (1, 0)
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    assert "METHOD:REQUEST" in mail.outbox[0].attachments[0][1].decode()
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None


def test_cancelled_sessions_get_no_reminder(org_tree, django_capture_on_commit_callbacks):
    session = SessionFactory(starts_at=timezone.now() + dt.timedelta(hours=2), status="cancelled")
    _seat(session, "a@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.session_reminders_task.delay().get() == 0
    assert mail.outbox == []


def test_certificate_renewal_reminder_is_sent_once(org_tree, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    holder = StaffFactory(email="holder@example.com")
    expiring = Certificate.objects.create(
        staff=holder,
        source="external",
        name="PMP",
        issued_on=today - dt.timedelta(days=1000),
        expires_on=today + dt.timedelta(days=45),
    )
    Certificate.objects.create(
        staff=holder,
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
    assert len(mail.outbox) == 1
    assert "PMP" in mail.outbox[0].subject
    expiring.refresh_from_db()
    assert expiring.renewal_reminded_on == today
