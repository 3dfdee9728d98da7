"""Reads of the collaboration app: a user's inbox and unread count."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from opsteam.collab.models import Delivery, ImChannel, Notification


def inbox(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody reads another person's inbox)."""
    queryset = (
        Notification.objects.restrict(user, "view")
        .filter(recipient=user)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset


def unread_count(*, user: Any) -> int:
    """How many of the user's notifications are unread (one query on the unread index)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def channel_list(*, user: Any, action: str = "view") -> QuerySet[ImChannel]:
    """IM channels the user may see (or ``action``), with their unit."""
    return ImChannel.objects.restrict(user, action).select_related("unit")


def delivery_list(*, user: Any, action: str = "view") -> QuerySet[Delivery]:
    """The delivery log rows the user may see, newest first, with channel and recipient."""
    return (
        Delivery.objects.restrict(user, action)
        .select_related("channel", "recipient")
        .order_by("-created_at", "-id")
    )
