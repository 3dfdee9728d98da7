"""Template context of the collaboration app: the header's unread-notification badge."""

from __future__ import annotations

from typing import Any

from opsteam.collab import selectors


def unread_notifications(request: Any) -> dict[str, Any]:
    """``unread_notifications``: the user's unread count (one query; 0 for anonymous)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": selectors.unread_count(user=user)}
