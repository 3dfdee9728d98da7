"""Access-matrix rows of notification preferences, IM channels and the delivery log (pages
and API). Walked by core/tests/test_permission_matrix.py.

Objects: a channel of team T1 (the manager's team) and one of T3 (another department), each
with a failed delivery; both point at a closed local port, so a test message fails fast.
Everyone has preferences of their own; channels are HR's and administrators' anywhere,
managers' in their subtree, auditors read them; operators see only their own e-mails.
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import Check, _all, _roles

CHANNEL_READ = _roles(200, operator=403)
OWN_CHANNEL = _roles(200, operator=404)
OTHER_CHANNEL = _roles(200, manager=404, operator=404)
WRITERS = _roles(403, admin=200, hr=200, manager=200)
WRITERS_400 = _roles(403, admin=400, hr=400, manager=400)
OWN_WRITE_PAGE = _roles(302, auditor=403, operator=404)
OTHER_WRITE_PAGE = _roles(302, manager=404, auditor=403, operator=404)
OWN_WRITE_API = _roles(200, auditor=403, operator=404)
OTHER_WRITE_API = _roles(200, manager=404, auditor=403, operator=404)
CLOSED_PORT = "http://127.0.0.1:9/robot/send?access_token=matrix"

EXPECTED: dict[str, list[Check]] = {
    "collab:preferences": [Check(_all(200)), Check(_all(400), method="post", data={})],
    "collab:channel_list": [Check(CHANNEL_READ)],
    "collab:channel_create": [
        Check(WRITERS),
        Check(WRITERS_400, method="post", data={"name": "x"}),
    ],
    "collab:channel_detail": [
        Check(OWN_CHANNEL, obj="own_channel"),
        Check(OTHER_CHANNEL, obj="other_channel"),
    ],
    "collab:channel_edit": [
        Check(_roles(200, auditor=403, operator=404), obj="own_channel"),
        Check(_roles(200, manager=404, auditor=403, operator=404), obj="other_channel"),
        Check(_roles(400, auditor=403, operator=404), method="post", obj="own_channel"),
    ],
    "collab:channel_test": [
        Check(OWN_WRITE_PAGE, method="post", obj="own_channel"),
        Check(OTHER_WRITE_PAGE, method="post", obj="other_channel"),
    ],
    "collab:channel_delete": [
        Check(OWN_WRITE_PAGE, method="post", obj="own_channel"),
        Check(OTHER_WRITE_PAGE, method="post", obj="other_channel"),
    ],
    "collab:delivery_list": [Check(_all(200)), Check(_all(200), query="status=failed")],
    "collab:delivery_retry": [
        Check(OWN_WRITE_PAGE, method="post", obj="own_delivery"),
        Check(OTHER_WRITE_PAGE, method="post", obj="other_delivery"),
    ],
    "collab-notification-list": [Check(_all(200)), Check(_all(200), query="unread=1")],
    "collab-notification-detail": [
        Check(_all(200), obj="own_notification"),
        Check(_all(404), obj="other_notification"),
    ],
    "collab-notification-read": [
        Check(_all(200), method="post", obj="own_notification"),
        Check(_all(404), method="post", obj="other_notification"),
    ],
    "collab-notification-read-all": [Check(_all(200), method="post")],
    "collab-preferences": [
        Check(_all(200)),
        Check(_all(400), method="put", data={}),
        Check(
            _all(200),
            method="put",
            data={"kinds": [{"kind": "review-due", "email": "daily", "im": False}]},
        ),
    ],
    "collab-channel-list": [Check(CHANNEL_READ), Check(WRITERS_400, method="post")],
    "collab-channel-detail": [
        Check(OWN_CHANNEL, obj="own_channel"),
        Check(OTHER_CHANNEL, obj="other_channel"),
        Check(OWN_WRITE_API, method="patch", obj="own_channel", data={"name": "改名"}),
        Check(OTHER_WRITE_API, method="patch", obj="other_channel", data={"name": "改名"}),
        Check(_roles(204, auditor=403, operator=404), method="delete", obj="own_channel"),
    ],
    "collab-channel-test": [
        Check(OWN_WRITE_API, method="post", obj="own_channel"),
        Check(OTHER_WRITE_API, method="post", obj="other_channel"),
    ],
    "collab-delivery-list": [Check(_all(200))],
    "collab-delivery-detail": [
        Check(OWN_CHANNEL, obj="own_delivery"),
        Check(OTHER_CHANNEL, obj="other_delivery"),
        Check(_all(200), obj="own_email"),
    ],
    "collab-delivery-retry": [
        Check(OWN_WRITE_API, method="post", obj="own_delivery"),
        Check(OTHER_WRITE_API, method="post", obj="other_delivery"),
    ],
}

GUARDED = (
    "collab.ImChannel",
    "collab.Delivery",
    "collab.NotificationPreference",
    "collab.NotificationSettings",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """Channels of T1 and T3 with a failed delivery each, and an e-mail to the requester."""
    from opsteam.collab.models import Delivery, ImChannel

    def channel(unit: Any, name: str) -> ImChannel:
        return ImChannel.objects.create(
            name=name, provider="dingtalk", webhook_url=CLOSED_PORT, secret="s", unit=unit
        )

    def failed(channel: ImChannel) -> Delivery:
        return Delivery.objects.create(
            medium="im",
            channel=channel,
            kind="workflow-rule",
            title="失败",
            status="failed",
            attempts=6,
            last_error="HTTP 500",
        )

    own_channel, other_channel = channel(objects["t1"], "店铺群"), channel(objects["t3"], "结算群")
    return {
        "own_channel": own_channel,
        "other_channel": other_channel,
        "own_delivery": failed(own_channel),
        "other_delivery": failed(other_channel),
        "own_email": Delivery.objects.create(
            medium="email", recipient=user, kind="review-due", title="自评", status="sent"
        ),
    }
