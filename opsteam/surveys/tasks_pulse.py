"""Background work of pulse surveys: the scheduler (also run hourly by the reminders scan)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from opsteam.surveys import services_pulse


@shared_task(name="surveys.pulse_tick")
def pulse_tick() -> dict[str, int]:
    """Close waves past their last day and open the waves that are due (idempotent)."""
    return services_pulse.schedule_tick(today=timezone.localdate())
