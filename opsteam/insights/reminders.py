"""Reminders of this area, run hourly by ``collab.reminders_scan`` (see collab/reminders.py):
improvement actions (PDCA) due within three days, then once when overdue, to their owner."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opsteam.collab import services as collab_services
from opsteam.collab.models import SentReminder
from opsteam.collab.reminders import DUE, OVERDUE_DAYS, language_of, window

ACTION_LEAD_DAYS = 3
KIND = "system-review"
OPEN_ACTION = ("plan", "do", "check", "act")


def scan(*, today: dt.date) -> int:
    """Send what is due today through ``collab.services.remind_once``; returns people notified.

    A second scan on the same day notifies nobody (one key per action, due date and window).
    """
    from opsteam.workflow.models import ImprovementAction

    rows = list(
        ImprovementAction.objects.filter(
            status__in=OPEN_ACTION,
            due_date__range=(
                today - dt.timedelta(days=OVERDUE_DAYS),
                today + dt.timedelta(days=ACTION_LEAD_DAYS),
            ),
            owner__user__isnull=False,
            owner__user__is_active=True,
        )
        .order_by("due_date", "pk")
        .values_list("pk", "title", "due_date", "owner__user_id", "owner__user__language")
    )
    planned = []
    for pk, title, due, user_id, language in rows:
        when = window(due, today, ACTION_LEAD_DAYS)
        if when is not None:
            key = f"pdca-action:{pk}:{due.isoformat()}:{when}"
            planned.append((key, pk, title, due, when, user_id, language_of(language)))
    if not planned:
        return 0
    sent = set(
        SentReminder.objects.filter(key__in=[row[0] for row in planned]).values_list(
            "key", flat=True
        )
    )
    notified = 0
    for key, pk, title, due, when, user_id, language in planned:
        if key in sent:
            continue
        with translation.override(language):
            if when == DUE:
                subject = _("Improvement action due {date}: {title}").format(
                    date=due.isoformat(), title=title
                )
            else:
                subject = _("Improvement action overdue: {title}").format(title=title)
            body = _("Move it to its next PDCA stage, or write down its result and close it.")
        notified += collab_services.remind_once(
            key=key,
            recipients=[user_id],
            kind=KIND,
            title=subject,
            body=body,
            url=reverse("workflow:action_detail", args=[pk]),
        )
    return notified
