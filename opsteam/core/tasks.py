"""Background jobs of core (thin wrappers around services)."""

from celery import shared_task


@shared_task(name="core.audit_seal")
def audit_seal_task() -> int:
    """Seal audit entries written since the last run (the tamper-evidence chain)."""
    from opsteam.core import audit_seal

    return audit_seal.seal_pending()


@shared_task(name="core.apply_retention")
def apply_retention_task() -> dict[str, int]:
    """Apply the retention settings (run daily by the beat schedule)."""
    from opsteam.core.retention import apply_retention

    return apply_retention()
