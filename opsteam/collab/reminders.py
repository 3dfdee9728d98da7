"""Reminders other modules raise, run hourly by beat (``collab.reminders_scan``).

Each module owns what is due in its domain and says it through
``collab.services.remind_once`` (once per key, so rerunning a scan repeats nothing); this list
is the one place that names the scans. A scan that fails is logged and the others still run.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SCANS: tuple[str, ...] = (
    "opsteam.performance.reminders.scan",
    "opsteam.training.reminders.scan",
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
