"""Retention: how long each kind of data is kept (settings OPSTEAM_RETENTION_*).

- security log: OPSTEAM_RETENTION_SECURITY_LOG_DAYS (default 365; never under 183 days,
  the six months security logs must be kept);
- import problems (they quote the rejected cells, i.e. personal data):
  OPSTEAM_RETENTION_IMPORT_ERRORS_DAYS (default 365) — the import record stays, its error
  list is emptied;
- expired browser sessions are removed;
- the audit trail is kept for good (append-only; erasure pseudonymises it instead).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

SECURITY_LOG_MINIMUM_DAYS = 183


def security_log_days() -> int:
    return max(SECURITY_LOG_MINIMUM_DAYS, settings.OPSTEAM_RETENTION_SECURITY_LOG_DAYS)


def apply_retention(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove or blank what is past its retention period; return counts per kind."""
    from django.contrib.sessions.models import Session

    from opsteam.accounts import services as account_services
    from opsteam.core.models import ImportJob

    now = now or timezone.now()
    counts = {
        "security_events": account_services.security_log_prune(
            older_than_days=security_log_days(), now=now
        )
    }
    cutoff = now - dt.timedelta(days=settings.OPSTEAM_RETENTION_IMPORT_ERRORS_DAYS)
    counts["import_error_lists"] = (
        ImportJob.objects.filter(created_at__lt=cutoff).exclude(errors=[]).update(errors=[])
    )
    counts["expired_sessions"], _ = Session.objects.filter(expire_date__lt=now).delete()
    return counts
