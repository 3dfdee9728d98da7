"""Background jobs of the accounts app (thin wrappers around services)."""

from celery import shared_task

from opsteam.accounts import services


@shared_task(name="accounts.prune_security_log")
def prune_security_log_task(days: int = 365) -> int:
    """Delete security events older than ``days``; returns how many were removed."""
    return services.security_log_prune(older_than_days=days)
