"""Access-matrix rows of the notification inbox (everyone has one; nobody reads another's).
Walked by core/tests/test_permission_matrix.py once "collab" is in its app list."""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import Check, _all

EXPECTED: dict[str, list[Check]] = {
    "collab:inbox": [Check(_all(200)), Check(_all(200), query="unread=1")],
    "collab:notification_read_all": [Check(_all(302), method="post")],
    "collab:notification_read": [
        Check(_all(302), method="post", obj="own_notification"),
        Check(_all(404), method="post", obj="other_notification"),
    ],
}

GUARDED = ("collab.Notification",)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """One notification for the requesting user and one for somebody else."""
    from opsteam.collab.models import Notification

    return {
        "own_notification": Notification.objects.create(recipient=user, kind="x", title="我的"),
        "other_notification": Notification.objects.create(
            recipient=objects["other_user"], kind="x", title="别人的"
        ),
    }
