"""Demo data of collab: meetings (idempotent; called by load_demo; audited as the system).

The store team's weekly meeting (a series started three weeks ago: past meetings with
attendance, minutes, decisions and action items, one of the operator's overdue), a
cross-department promotion meeting called by the director, and a brainstorm on repeat
purchases with ideas in groups and votes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from opsteam.core import audit
from opsteam.core.choices import AuditSource

SERIES_TITLE = "店铺运营组周例会"
CROSS_TITLE = "双十二大促跨部门协调会"
BRAINSTORM_TITLE = "提升老客复购率头脑风暴"
_NAMES = ("admin", "hr", "manager", "director", "operator", "operator2", "auditor")


def load(seed: int = 7) -> dict[str, int]:
    """Load this area's demo data; returns created counts by kind."""
    from opsteam.accounts.models import User

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        users = {user.username: user for user in User.objects.filter(username__in=_NAMES)}
        if "manager" not in users or "operator" not in users:
            return {}
        return build(users=users, today=timezone.localdate())


def build(*, users: dict[str, Any], today: dt.date) -> dict[str, int]:
    """Create what is missing; return counts by kind."""
    from opsteam.collab import services_meetings as services
    from opsteam.collab.models_meetings import Meeting, MeetingSeries
    from opsteam.org.models import OrgUnit

    created: Counter[str] = Counter()
    manager, operator = users["manager"], users["operator"]
    operator2 = users.get("operator2")
    store = OrgUnit.objects.filter(code="OPS-STORE").first()
    if store is not None and not MeetingSeries.objects.filter(title=SERIES_TITLE).exists():
        monday = today - dt.timedelta(days=today.weekday() + 21)
        series = services.series_create(
            actor=manager,
            title=SERIES_TITLE,
            kind="team",
            unit=store,
            frequency="weekly",
            interval=1,
            weekday=0,
            start_date=monday,
            start_time=dt.time(10, 0),
            duration_minutes=45,
            time_zone="Asia/Shanghai",
            location="3号会议室",
            online_url="https://meeting.example.com/j/store-weekly",
            teams=[store],
            participants=[operator, *([operator2] if operator2 else [])],
            today=today,
        )
        created["collab.meetingseries"] += 1
        past = list(series.meetings.filter(starts_at__lt=timezone.now()).order_by("starts_at"))
        created["collab.meeting"] += series.meetings.count()
        for number, meeting in enumerate(past[-2:]):
            _hold(services, meeting, users, number, today)
            created["collab.meetingactionitem"] += 2
    if not Meeting.objects.filter(title=CROSS_TITLE).exists():
        organiser = users.get("director") or users.get("hr") or manager
        start = timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days=2), dt.time(14, 30))
        )
        meeting = services.meeting_create(
            actor=organiser,
            title=CROSS_TITLE,
            kind="cross",
            starts_at=start,
            duration_minutes=90,
            location="总部 8 楼大会议室",
            participants=[u for key in ("manager", "hr", "operator") if (u := users.get(key))],
        )
        services.agenda_item_add(
            actor=manager, meeting=meeting, title="店铺活动排期与库存准备", minutes=20
        )
        services.agenda_item_add(
            actor=operator, meeting=meeting, title="客服排班与话术更新", minutes=15
        )
        if "hr" in users:
            services.agenda_item_add(
                actor=users["hr"], meeting=meeting, title="大促期间临时人力支援", minutes=15
            )
        created["collab.meeting"] += 1
        created["collab.meetingagendaitem"] += 3
    if not Meeting.objects.filter(title=BRAINSTORM_TITLE).exists() and store is not None:
        start = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=1), dt.time(16, 0))
        )
        board = services.meeting_create(
            actor=manager,
            title=BRAINSTORM_TITLE,
            kind="brainstorm",
            unit=store,
            starts_at=start,
            duration_minutes=60,
            location="创意角",
            votes_per_person=3,
            teams=[store],
            participants=[operator, *([operator2] if operator2 else [])],
        )
        groups = {
            name: services.idea_group_create(actor=manager, meeting=board, name=name)
            for name in ("会员权益", "内容与触达")
        }
        notes = [
            (operator, "老客专属满减券，按上次购买品类推送", "会员权益"),
            (operator, "下单 30 天后自动发送使用回访与复购提醒", "内容与触达"),
            (manager, "会员积分可兑换新品试用装", "会员权益"),
            (operator2 or manager, "直播间设置老客专场", "内容与触达"),
            (operator2 or operator, "包裹内附手写感谢卡和复购二维码", None),
        ]
        ideas = []
        for author, text, group in notes:
            idea = services.idea_add(actor=author, meeting=board, text=text)
            if group:
                services.idea_move(actor=manager, idea=idea, group=groups[group])
            ideas.append(idea)
        for voter, picks in ((manager, (0, 1, 3)), (operator, (0, 2)), (operator2, (0, 1))):
            if voter is None:
                continue
            for index in picks:
                services.idea_vote(actor=voter, idea=ideas[index])
                created["collab.ideavote"] += 1
        services.idea_to_action(
            actor=manager, idea=ideas[0], owner=operator, due_date=today + dt.timedelta(days=7)
        )
        created["collab.meeting"] += 1
        created["collab.idea"] += len(ideas)
        created["collab.meetingactionitem"] += 1
    return dict(created)


def _hold(services: Any, meeting: Any, users: dict[str, Any], number: int, today: dt.date) -> None:
    """A past weekly meeting: agenda, attendance, minutes, decisions and two action items."""
    manager, operator = users["manager"], users["operator"]
    operator2 = users.get("operator2")
    services.agenda_item_add(
        actor=manager, meeting=meeting, title="上周 GMV 与转化率复盘", minutes=15
    )
    services.agenda_item_add(
        actor=operator, meeting=meeting, title="差评处理进度", presenter=operator, minutes=10
    )
    attendance = {row.user_id: "present" for row in meeting.participants.all()}
    if operator2 is not None and operator2.pk in attendance:
        attendance[operator2.pk] = "late" if number else "excused"
    services.attendance_record(actor=manager, meeting=meeting, attendance=attendance)
    services.minutes_save(
        actor=manager,
        meeting=meeting,
        minutes=(
            "## 复盘\n\n- 上周 GMV 环比 **+8%**，转化率 3.1%\n- 差评 6 条，已回复 5 条\n\n"
            "## 下周重点\n\n1. 主图 A/B 测试\n2. 客服响应时长压到 30 秒内"
        ),
        publish=True,
    )
    services.decision_add(actor=manager, meeting=meeting, text="主图 A/B 测试先在两款主推品上做")
    if number == 0:
        services.action_item_create(
            actor=manager,
            meeting=meeting,
            title="整理差评原因并提交改进建议",
            owner=operator,
            due_date=today - dt.timedelta(days=2),
        )
        done = services.action_item_create(
            actor=manager,
            meeting=meeting,
            title="更新客服快捷回复话术",
            owner=operator2 or operator,
            due_date=today - dt.timedelta(days=3),
        )
        services.action_item_set_status(actor=manager, item=done, status="done")
    else:
        services.action_item_create(
            actor=manager,
            meeting=meeting,
            title="准备两款主推品的新主图",
            owner=operator,
            due_date=today + dt.timedelta(days=1),
        )
        services.action_item_create(
            actor=manager,
            meeting=meeting,
            title="汇总竞品活动价格",
            owner=operator2 or operator,
            due_date=today + dt.timedelta(days=4),
        )
