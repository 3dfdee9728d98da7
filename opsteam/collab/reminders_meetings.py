"""Reminders of this area, run hourly by ``collab.reminders_scan`` (see collab/reminders.py).

- Action items due tomorrow: their owner is reminded once (``remind_once`` key per item and
  due date, so a moved due date reminds again).
- Overdue action items: reminded once more the day after the due date has passed (within
  ``reminders.OVERDUE_DAYS``: old history floods nobody).
- Regular meetings: the coming occurrences are generated ahead (idempotent).

Each message is written in the owner's language.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opsteam.collab import reminders
from opsteam.collab import services as collab_services
from opsteam.collab.models_meetings import OPEN_ACTION_STATUSES, MeetingActionItem

logger = logging.getLogger(__name__)
KIND = "meeting-action-due"


def scan(*, today: dt.date) -> int:
    """Send what is due today through ``collab.services.remind_once``; returns people notified."""
    from opsteam.collab import services_meetings

    try:
        services_meetings.series_extend(today=today)
    except Exception:  # the reminders below must still go out
        logger.exception("extending meeting series failed")
    tomorrow = today + dt.timedelta(days=1)
    oldest = today - dt.timedelta(days=reminders.OVERDUE_DAYS)
    items = (
        MeetingActionItem.objects.filter(
            status__in=OPEN_ACTION_STATUSES,
            due_date__gte=oldest,
            due_date__lte=tomorrow,
            owner__is_active=True,
        )
        .exclude(due_date=today)
        .select_related("meeting", "owner")
        .order_by("due_date", "id")
    )
    url = reverse("collab:my_action_items")
    notified = 0
    for item in items.iterator(chunk_size=500):
        due = item.due_date
        window = "due" if due == tomorrow else "overdue"
        key = f"meeting-action:{window}:{item.pk}:{due.isoformat()}"
        with translation.override(reminders.language_of(item.owner.language)):
            if window == "due":
                title = _("Action item due tomorrow: {title}").format(title=item.title)
            else:
                title = _("Action item overdue since {date}: {title}").format(
                    date=due.isoformat(), title=item.title
                )
            body = _("From the meeting “{meeting}”.").format(meeting=item.meeting.title)
        notified += collab_services.remind_once(
            key=key, recipients=[item.owner_id], kind=KIND, title=title, body=body, url=url
        )
    return notified
