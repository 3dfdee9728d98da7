"""Demo data of notifications: preferences, quiet hours, a team's IM robot and a delivery log
with a sent, a retrying and a failed message (idempotent; audited as the system).

The demo channel is switched off and points at DingTalk's address with a placeholder token:
the demo never posts outside; an administrator pastes a real robot's address to try it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from opsteam.collab import services
from opsteam.collab.choices import DeliveryMedium, DeliveryStatus, EmailFrequency, ImProvider
from opsteam.collab.models import Delivery, ImChannel, NotificationSettings
from opsteam.core import audit
from opsteam.core.choices import AuditSource

DEMO_CHANNEL = "店铺运营组钉钉群"


def load(seed: int = 7) -> dict[str, int]:
    """Load the notification demo in one transaction (idempotent)."""
    from opsteam.accounts.models import User

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        users = {user.username: user for user in User.objects.filter(username__in=_NAMES)}
        if "admin" not in users:
            return {}
        return build(users=users, now=timezone.now())


_NAMES = ("admin", "hr", "manager", "operator", "operator2")


def build(*, users: dict[str, Any], now: dt.datetime) -> dict[str, int]:
    """Create what is missing; return counts by kind."""
    from opsteam.org.models import OrgUnit

    created: Counter[str] = Counter()
    if ImChannel.objects.filter(name=DEMO_CHANNEL).exists():
        return {}
    store = OrgUnit.objects.filter(code="OPS-STORE").first()
    channel = services.channel_create(
        actor=users["admin"],
        name=DEMO_CHANNEL,
        provider=ImProvider.DINGTALK,
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=demo-placeholder-token",
        secret="SECdemo-placeholder-secret",  # noqa: S106 - a placeholder, the channel is off
        unit=store,
        include_subunits=True,
        kinds=["workflow-rule", "review-due", "action-item-due"],
        quiet_start=dt.time(22),
        quiet_end=dt.time(8),
        enabled=False,
    )
    created["collab.imchannel"] += 1
    if "manager" in users:
        services.preferences_save(
            actor=users["manager"],
            choices={
                "workflow-rule": (EmailFrequency.IMMEDIATE, True),
                "action-item-due": (EmailFrequency.WEEKLY, True),
            },
            quiet_start=dt.time(22),
            quiet_end=dt.time(8),
            digest_hour=9,
        )
        created["collab.notificationpreference"] += 2
    if "operator" in users:
        services.preferences_save(
            actor=users["operator"],
            choices={"workflow-rule": (EmailFrequency.DAILY, True)},
            quiet_start=None,
            quiet_end=None,
            digest_hour=18,
        )
        created["collab.notificationpreference"] += 1
    created["collab.notificationsettings"] = NotificationSettings.objects.count()
    history = [
        ("AS-0042 审核等待超过 4 小时", DeliveryStatus.SENT, 1, 200, "", 3),
        ("自评将于 2 天后截止", DeliveryStatus.SENT, 1, 200, "", 2),
        (
            "AS-0057 已升级给店铺运营经理",
            DeliveryStatus.FAILED,
            1,
            200,
            "DingTalk errcode 310000: sign not match",
            1,
        ),
        ("上架复核周会行动项到期", DeliveryStatus.RETRYING, 2, 503, "HTTP 503", 0),
    ]
    Delivery.objects.bulk_create(
        Delivery(
            medium=DeliveryMedium.IM,
            channel=channel,
            kind="workflow-rule",
            title=title,
            status=status,
            attempts=attempts,
            status_code=code,
            last_error=error,
            created_at=now - dt.timedelta(days=days, hours=2),
            sent_at=now - dt.timedelta(days=days, hours=2)
            if status == DeliveryStatus.SENT
            else None,
            next_attempt_at=now + dt.timedelta(minutes=5)
            if status == DeliveryStatus.RETRYING
            else None,
        )
        for title, status, attempts, code, error, days in history
    )
    created["collab.delivery"] += len(history)
    return dict(created)
