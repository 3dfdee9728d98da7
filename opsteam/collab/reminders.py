"""Reminders other modules raise, run hourly by beat (``collab.reminders_scan``).

Each module owns what is due in its domain and says it through
``collab.services.remind_once`` (once per key, so rerunning a scan repeats nothing); this list
is the one place that names the scans. A scan that fails is logged and the others still run.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# The "overdue" reminder is still sent this many days late (a scan that did not run).
OVERDUE_DAYS = 7
DUE, OVERDUE = "due", "overdue"

SCANS: tuple[str, ...] = (
    "opsteam.performance.reminders.scan",
    "opsteam.training.reminders.scan",
    "opsteam.collab.services_announcements.scan",  # publishes scheduled announcements
    "opsteam.collab.reminders_meetings.scan",
    "opsteam.collab.reminders_reports.scan",
    "opsteam.surveys.reminders.scan",
    "opsteam.insights.reminders.scan",
)


def scan(*, today: dt.date | None = None) -> dict[str, int]:
    """Run every module's reminder scan; returns people notified per scan."""
    today = today or timezone.localdate()
    results: dict[str, int] = {}
    for path in SCANS:
        try:
            results[path] = import_string(path)(today=today)
        except Exception:
            logger.exception("reminder scan %s failed", path)
            results[path] = -1
    return results


def window(deadline: dt.date, today: dt.date, lead: int) -> str | None:
    """``DUE`` from ``lead`` days before the deadline to the day itself, ``OVERDUE`` in the
    ``OVERDUE_DAYS`` after it, else None (too early, or too old to remind about)."""
    days = (deadline - today).days
    if 0 <= days <= lead:
        return DUE
    if -OVERDUE_DAYS <= days < 0:
        return OVERDUE
    return None


def language_of(code: str | None) -> str:
    """A person's language for their messages (the organisation's when they chose none)."""
    known = {language for language, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE
