"""Background jobs of the incentives app (thin wrappers around services; idempotent)."""

from __future__ import annotations

from celery import shared_task

from opsteam.core import audit
from opsteam.core.choices import AuditSource


@shared_task(name="incentives.badges_award")
def badges_award_task() -> dict[str, int]:
    """Award the automatic badges to whoever now meets their criterion (nightly).

    Idempotent: a person holds each badge once, so a retry awards nothing twice.
    """
    from opsteam.incentives import services

    with audit.context(source=AuditSource.JOB):
        awarded = services.badges_award_automatic(actor=None)
    return {"awarded": awarded}
