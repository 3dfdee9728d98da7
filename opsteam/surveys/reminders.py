"""Reminders of this area, run hourly by ``collab.reminders_scan`` (see collab/reminders.py)."""

from __future__ import annotations

import datetime as dt


def scan(*, today: dt.date) -> int:
    """Send what is due today through ``collab.services.remind_once``; returns people notified."""
    return 0
