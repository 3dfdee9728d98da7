"""Reminders of the training domain, all told through collab notifications: the person gets
them in the inbox, by e-mail and in the team's IM channel as their preferences say.

- ``scan`` (the hourly collab scan, ``collab.reminders``): assigned or started courses whose
  due date is near, once from ``ENROLMENT_LEAD_DAYS`` before the due date up to the day itself,
  and once more when overdue (within ``OVERDUE_DAYS``, so old history floods nobody); one
  ``remind_once`` per enrolment, due date and window.
- ``remind_sessions`` and ``remind_renewals``: the wording and recipients of the session
  reminders (about 24 hours ahead) and certificate renewal reminders (60 days ahead) that
  ``services_delivery`` selects on its own beat tasks and marks once with ``reminder_sent_at``
  and ``renewal_reminded_on``.

Registration confirmations, changes and cancellations stay e-mails with their calendar
attachment (``services_delivery``): they are invitations, not notifications.

People without a login are not told (notifications go to users). Each message is written in
the recipient's language: recipients are grouped by language, one notify per group.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.collab import services as collab_services
from opsteam.collab.models import SentReminder
from opsteam.collab.reminders import DUE, OVERDUE_DAYS, language_of, window
from opsteam.training.choices import EnrolmentStatus, RegistrationStatus
from opsteam.training.models import Certificate, Enrolment, Registration, Session

ENROLMENT_LEAD_DAYS = 3
TRAINING_KIND = "training-due"
RENEWAL_KIND = "certificate-renewal"
OPEN_ENROLMENT = (EnrolmentStatus.ASSIGNED, EnrolmentStatus.IN_PROGRESS)


def _bilingual(name: str, name_en: str) -> str:
    """``name_en`` in English when filled, else ``name`` (the active language decides)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language.startswith("en") and name_en:
        return name_en
    return name or name_en


# Courses due (the collab scan) ----------------------------------------------------------------


def scan(*, today: dt.date) -> int:
    """Remind learners of courses due within three days, then once when overdue.

    Returns how many people were notified; a second scan on the same day notifies nobody.
    """
    rows = list(
        Enrolment.objects.filter(
            status__in=OPEN_ENROLMENT,
            due_on__range=(
                today - dt.timedelta(days=OVERDUE_DAYS),
                today + dt.timedelta(days=ENROLMENT_LEAD_DAYS),
            ),
            staff__user__isnull=False,
            staff__user__is_active=True,
        )
        .order_by("due_on", "pk")
        .values_list(
            "pk",
            "due_on",
            "course__name",
            "course__name_en",
            "staff__user_id",
            "staff__user__language",
        )
    )
    planned = []
    for pk, due, name, name_en, user_id, language in rows:
        when = window(due, today, ENROLMENT_LEAD_DAYS)
        if when is not None:
            key = f"{TRAINING_KIND}:{pk}:{due.isoformat()}:{when}"
            planned.append((key, pk, when, due, name, name_en, user_id, language_of(language)))
    if not planned:
        return 0
    # Reminded already (a rerun): skipped with one query rather than one failed insert each.
    sent = set(
        SentReminder.objects.filter(key__in=[row[0] for row in planned]).values_list(
            "key", flat=True
        )
    )
    notified = 0
    for key, pk, when, due, name, name_en, user_id, language in planned:
        if key in sent:
            continue
        with translation.override(language):
            course, date = _bilingual(name, name_en), due.isoformat()
            if when == DUE:
                title = _("Training due {date}: {course}").format(date=date, course=course)
                body = _("Please complete the course “{course}” by {date}.").format(
                    course=course, date=date
                )
            else:
                title = _("Training overdue: {course}").format(course=course)
                body = _(
                    "The course “{course}” was due on {date}. Please complete it, or talk to "
                    "your manager about a new date."
                ).format(course=course, date=date)
            url = reverse("training:enrolment_detail", args=[pk])
        notified += collab_services.remind_once(
            key=key, recipients=[user_id], kind=TRAINING_KIND, title=title, body=body, url=url
        )
    return notified


# Sessions and certificate renewals (services_delivery's beat tasks) --------------------------


def _when(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def remind_sessions(session_ids: Iterable[int]) -> int:
    """Remind the people registered (not waiting, not pending) for the given sessions that
    their session is near: one notify per session and language. Returns how many people were
    notified."""
    sessions = {
        session.pk: session
        for session in Session.objects.filter(pk__in=list(session_ids)).select_related("course")
    }
    if not sessions:
        return 0
    groups: dict[tuple[int, str], set[int]] = defaultdict(set)
    for session_id, user_id, language in (
        Registration.objects.filter(
            session_id__in=list(sessions),
            status=RegistrationStatus.REGISTERED,
            enrolment__staff__user__isnull=False,
        )
        .order_by()
        .values_list("session_id", "enrolment__staff__user_id", "enrolment__staff__user__language")
    ):
        groups[(session_id, language_of(language))].add(user_id)
    notified = 0
    for (session_id, language), user_ids in sorted(groups.items()):
        session = sessions[session_id]
        with translation.override(language):
            course = session.course.display_name
            title = _("Training session {when}: {course}").format(
                when=_when(session), course=course
            )
            body = (
                _("A reminder of your training session.")
                + "\n"
                + _("Where: {where}").format(where=session.location or session.online_url)
            )
        notified += collab_services.notify(
            recipients=sorted(user_ids),
            kind=TRAINING_KIND,
            title=title,
            body=body,
            url=session.get_absolute_url(),
        )
    return notified


def remind_renewals(certificate_ids: Iterable[int]) -> int:
    """Tell the holders of the certificates to plan their renewal: one notify per certificate.
    Returns how many people were notified."""
    notified = 0
    rows = (
        Certificate.objects.filter(pk__in=list(certificate_ids), staff__user__isnull=False)
        .order_by("pk")
        .values_list("name", "expires_on", "course_id", "staff__user_id", "staff__user__language")
    )
    mine = reverse("training:certificate_list") + "?scope=mine"
    for name, expires_on, course_id, user_id, language in rows:
        with translation.override(language_of(language)):
            title = _("Renew your certificate: {name}").format(name=name)
            body = _("Your certificate “{name}” expires on {date}. Plan its renewal.").format(
                name=name, date=expires_on.isoformat()
            )
        # A course's certificate is renewed by taking the course again; another by uploading
        # the new certificate among one's own.
        url = reverse("training:course_detail", args=[course_id]) if course_id else mine
        notified += collab_services.notify(
            recipients=[user_id], kind=RENEWAL_KIND, title=title, body=body, url=url
        )
    return notified
