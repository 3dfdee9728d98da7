"""Celery tasks of insights: thin wrappers around services, idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="insights.system_review_quarterly")
def system_review_quarterly_task() -> int | None:
    """Create the review of the quarter that just ended (nothing when it exists)."""
    from opsteam.insights import services

    review = services.system_review_create_for_quarter()
    return review.pk if review is not None else None
