"""Background jobs of the workflow app (thin wrappers around services; idempotent)."""

from __future__ import annotations

from celery import shared_task

from opsteam.core import audit
from opsteam.core.choices import AuditSource


@shared_task(name="workflow.rules_scan")
def rules_scan_task() -> dict[str, int]:
    """Evaluate the enabled time rules (waiting over target, past due, daily/weekly) against
    the open items.

    Idempotent: a rule acts on an item once per step visit (or once per day / week for
    schedules), so a retry or an extra run acts on nothing twice.
    """
    from opsteam.workflow import services_rules

    with audit.context(source=AuditSource.JOB):
        report = services_rules.rules_scan()
    return {
        "rules": report.rules,
        "evaluated": report.evaluated,
        "matched": report.matched,
        "failed": report.failed,
    }
