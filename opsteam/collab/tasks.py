"""Background work of the collaboration app (Celery; eager in the demo and tests).

Deliveries leave through ``collab.deliveries_send`` in batches queued after commit; a failed
attempt that may succeed later is re-queued with a backoff countdown. Beat runs the sweep that
releases deliveries held by quiet hours, retries and stuck ones (every minute), the digests
(every 15 minutes; each person's digest leaves at their hour) and other modules' reminders
(hourly).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from opsteam.collab import reminders, services


@shared_task(name="collab.deliveries_send")
def deliveries_send(delivery_ids: list[int]) -> dict[str, int]:
    run = services.deliveries_send(delivery_ids)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        for delivery_id, seconds in run.retry_later:
            deliveries_send.apply_async(([delivery_id],), countdown=seconds)
    return run.counts


@shared_task(name="collab.deliveries_dispatch")
def deliveries_dispatch() -> int:
    return services.dispatch_due()


@shared_task(name="collab.digests_send")
def digests_send() -> int:
    return services.digests_send()


@shared_task(name="collab.reminders_scan")
def reminders_scan() -> dict[str, int]:
    return reminders.scan()
