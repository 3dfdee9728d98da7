"""Writes of the collaboration app: sending notifications and marking them read.

Notifications are messages derived from writes that are already audited where they happen (a
rule run, a moved item); they carry no personnel data of their own, so sending and reading
them writes no audit entry (which would double every audited event and flood the trail).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from opsteam.collab.models import Notification
from opsteam.core import policy

MAX_TITLE = 200
MAX_URL = 500


def _recipient_ids(recipients: Iterable[Any]) -> list[int]:
    """Active users among ``recipients`` (users or ids), each once, in a stable order."""
    ids: set[int] = set()
    for recipient in recipients:
        if recipient is None:
            continue
        pk = getattr(recipient, "pk", recipient)
        if pk is not None:
            ids.add(int(pk))
    if not ids:
        return []
    active = get_user_model().objects.filter(pk__in=ids, is_active=True)
    return sorted(active.values_list("pk", flat=True))


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: Any | None = None,
) -> int:
    """Put one notification in each recipient's inbox; return how many were sent.

    ``recipients`` are users or user ids; duplicates and ``None`` are dropped and inactive
    users skipped. One query to find the active users, one bulk insert (atomic by itself;
    nothing at all when there is nobody to notify).
    """
    ids = _recipient_ids(recipients)
    if not ids:
        return 0
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient_id=pk,
            kind=kind[:60],
            title=str(title)[:MAX_TITLE],
            body=str(body),
            url=str(url)[:MAX_URL],
            actor_id=actor_id,
            created_at=now,
        )
        for pk in ids
    )
    return len(ids)


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification | None = None) -> int:
    """Mark one of the actor's notifications read, or (without one) all of them.

    Only ever the actor's own notifications (the policy's own-only rule): someone else's
    answers ``NotVisible``. Returns how many changed.
    """
    now = timezone.now()
    if notification is not None:
        policy.require(actor, "change", notification)
        if notification.read_at is not None:
            return 0
        notification.read_at = now
        notification.save(update_fields=["read_at"])
        return 1
    unread = Notification.objects.restrict(actor, "change").filter(
        recipient=actor, read_at__isnull=True
    )
    return unread.update(read_at=now)
