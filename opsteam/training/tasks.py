"""Background jobs of the training app (thin wrappers around services; idempotent).

Run by Celery beat (``CELERY_BEAT_SCHEDULE`` in settings): the assignment rules nightly,
session reminders every 15 minutes (each session once, about 24 hours ahead), certificate
renewal reminders daily (each certificate once, 60 days before it expires) and closing exam
attempts whose time ran out every 10 minutes.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from opsteam.core import audit
from opsteam.core.choices import AuditSource


@shared_task(name="training.plan_rules_run")
def plan_rules_run_task(lookback_days: int = 7) -> dict[str, int]:
    """Run the assignment rules for the events of the last ``lookback_days`` (nightly).

    Idempotent, so overlapping windows (a missed night, a retry) assign nothing twice.
    """
    from django.utils import timezone

    from opsteam.training import services_catalogue

    since = timezone.localdate() - dt.timedelta(days=lookback_days)
    with audit.context(source=AuditSource.JOB):
        result = services_catalogue.plan_rules_run(actor=None, since=since)
    return {
        "events": result.events,
        "assignments_created": result.assignments_created,
        "enrolments_created": result.enrolments_created,
        "enrolments_updated": result.enrolments_updated,
    }


@shared_task(name="training.session_reminders")
def session_reminders_task() -> int:
    """Remind (through the notification mechanism) the people registered for sessions
    starting within 24 hours (once)."""
    from opsteam.training import services_delivery

    with audit.context(source=AuditSource.JOB):
        return services_delivery.session_reminders_send()


@shared_task(name="training.certificate_renewal_reminders")
def certificate_renewal_reminders_task() -> int:
    """Remind holders of certificates expiring within 60 days (once per certificate)."""
    from opsteam.training import services_delivery

    with audit.context(source=AuditSource.JOB):
        return services_delivery.certificate_renewal_reminders_send()


@shared_task(name="training.attempts_close_expired")
def attempts_close_expired_task() -> int:
    """Submit exam attempts whose time limit (and grace) ran out with what was saved."""
    from opsteam.training import services_exams

    with audit.context(source=AuditSource.JOB):
        return services_exams.attempts_close_expired()
