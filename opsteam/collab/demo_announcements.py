"""Demo data of collab: announcements (idempotent; called by load_demo; audited as the system).

HR's important duty roster for the store team with acknowledgements under way, a pinned
company-wide notice, the team lead's note to the team, a scheduled training notice and a
draft. Content is Chinese, as the demo organisation writes it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from opsteam.collab import services_announcements as services
from opsteam.collab.models import Announcement, AnnouncementReceipt
from opsteam.core import audit
from opsteam.core.choices import AuditSource

FIRST = "双十一大促值班安排"
_NAMES = ("admin", "hr", "manager", "director", "operator", "operator2", "auditor")

ROSTER = """各位同事：

双十一大促期间（11 月 10 日至 11 月 12 日）店铺运营组实行 **三班轮值**：

- 早班 08:00–16:00：负责上新复核与活动价巡检
- 晚班 16:00–24:00：负责客服升级工单与库存预警
- 夜班 00:00–08:00：值班组长远程待命

请于 11 月 8 日前在排班表中确认自己的班次，如需换班请联系组长。
"""

QUARTER = """第四季度绩效考核将于 **12 月 1 日** 启动：

1. 12 月 1 日–5 日：员工自评
2. 12 月 6 日–12 日：上级评价与 1:1 面谈
3. 12 月 15 日：校准会议

请提前整理本季度的关键成果与数据。详见《绩效考核管理办法》。
"""


def load(seed: int = 7) -> dict[str, int]:
    """Load the announcement demo in one transaction (idempotent)."""
    from opsteam.accounts.models import User

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        users = {user.username: user for user in User.objects.filter(username__in=_NAMES)}
        if "hr" not in users:
            return {}
        return build(users=users, now=timezone.now())


def build(*, users: dict[str, Any], now: dt.datetime) -> dict[str, int]:
    """Create what is missing; return counts by kind."""
    from opsteam.org.models import OrgUnit

    if Announcement.objects.filter(title=FIRST).exists():
        return {}
    store = OrgUnit.objects.filter(code="OPS-STORE").first()
    hr = users["hr"]
    created: Counter[str] = Counter()
    team = [store] if store else []

    def publish(actor: Any, days_ago: float, **fields: Any) -> Announcement:
        announcement = services.announcement_create(actor=actor, **fields)
        services.announcement_publish(actor=actor, announcement=announcement)
        when = now - dt.timedelta(days=days_ago)
        Announcement.objects.filter(pk=announcement.pk).update(
            published_at=when, publish_at=when, created_at=when
        )
        AnnouncementReceipt.objects.filter(announcement=announcement).update(created_at=when)
        created["collab.announcement"] += 1
        return announcement

    roster = publish(
        hr,
        2,
        title=FIRST,
        body=ROSTER,
        importance="important",
        **({"units": team} if team else {"everyone": True}),
    )
    readers = set(roster.receipts.values_list("user_id", flat=True))
    for name in ("operator2", "manager"):
        if name in users and users[name].pk in readers:
            services.announcement_acknowledge(actor=users[name], announcement=roster)
    if "operator" in users:
        services.announcement_read(actor=users["operator"], announcement=roster)
    publish(
        hr,
        5,
        title="2026 年第四季度绩效考核启动通知",
        body=QUARTER,
        everyone=True,
        pinned=True,
    )
    if "manager" in users and team:
        publish(
            users["manager"],
            0.5,
            title="本周例会改到周四下午 3 点",
            body="会议室不变（3 楼 302）。请带上本周 **转化率复盘** 的数据。",
            units=team,
        )
    training = services.announcement_create(
        actor=hr,
        title="信息安全与客户隐私培训通知",
        body="全体员工须在 12 月 20 日前完成线上课程《客户隐私保护》，并通过结业测验。",
        importance="important",
        everyone=True,
    )
    services.announcement_publish(
        actor=hr, announcement=training, publish_at=now + dt.timedelta(days=3)
    )
    created["collab.announcement"] += 1
    services.announcement_create(
        actor=hr,
        title="元旦放假安排（草稿）",
        body="1 月 1 日放假一天，值班安排另行通知。",
        everyone=True,
    )
    created["collab.announcement"] += 1
    created["collab.announcementreceipt"] = AnnouncementReceipt.objects.count()
    return dict(created)
