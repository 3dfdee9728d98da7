"""Demo data of collab: suggestions (idempotent; called by load_demo).

Eight suggestions across the workflow, named and anonymous, with votes, comments and events,
spread over the last weeks so that the throughput chart has a shape. Written through the
services (audited as the system's demo load), then back-dated.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from opsteam.collab import services_suggestions as services
from opsteam.collab.models_suggestions import Suggestion, SuggestionEvent
from opsteam.core import audit
from opsteam.core.choices import AuditSource

_NAMES = ("admin", "hr", "manager", "director", "operator", "operator2", "auditor")

# title, body, category, unit code, author (None: anonymous), age in days, path, voters
SUGGESTIONS: tuple[tuple[Any, ...], ...] = (
    (
        "售后工单模板增加“物流异常”快捷选项",
        "每天约有 40 单售后是物流延误，现在需要手工输入原因。\n\n建议在工单模板里加一个"
        "**物流异常**快捷选项，并自动带出快递单号。",
        "tools",
        "OPS-STORE",
        "operator",
        40,
        ("under_review", "accepted", "implemented"),
        ("operator2", "manager", "director"),
    ),
    (
        "夜班交接改为书面交接单",
        "夜班和早班口头交接经常遗漏待回复的客户消息，建议使用统一的交接单，列出未结工单和"
        "需要跟进的客户。",
        "process",
        "OPS-STORE",
        None,
        30,
        ("under_review", "accepted", "in_progress"),
        ("operator", "operator2"),
    ),
    (
        "新人培训增加真实客诉案例",
        "新人上岗第一周遇到客诉时很紧张，建议培训里加入 5 个真实客诉案例的演练。",
        "training",
        None,
        "operator2",
        21,
        ("under_review", "accepted"),
        ("operator", "manager"),
    ),
    (
        "办公区增加一台饮水机",
        "三楼运营区只有一台饮水机，午后排队较长。",
        "workplace",
        None,
        None,
        18,
        ("declined",),
        ("operator",),
    ),
    (
        "大促期间客服排班提前两周公布",
        "大促排班通常提前三天才公布，大家很难安排个人事务。建议提前两周公布，并允许换班。",
        "process",
        "OPS-STORE",
        "operator",
        9,
        ("under_review",),
        ("operator2", "director"),
    ),
    (
        "商品详情页增加尺码对照表",
        "很多退货原因是尺码不合适，建议在详情页加入尺码对照表，减少咨询和退货。",
        "customer",
        None,
        None,
        5,
        (),
        ("operator", "operator2", "manager"),
    ),
    (
        "周报模板精简为三项",
        "周报字段太多，建议只保留：完成、计划、阻碍。",
        "process",
        None,
        "manager",
        2,
        (),
        (),
    ),
    (
        "客服系统快捷回复支持英文",
        "跨境店铺的客户需要英文回复，现有快捷回复只有中文。",
        "tools",
        "OPS-STORE",
        None,
        1,
        (),
        ("operator2",),
    ),
)

NOTES = {
    "under_review": "已收到，本周例会讨论。",
    "accepted": "同意，安排负责人跟进。",
    "in_progress": "已开始试行。",
    "implemented": "已上线，感谢建议！",
    "declined": "行政已确认下月整体更换饮水设备，届时统一解决。",
}


def load(seed: int = 7) -> dict[str, int]:
    """Load this area's demo data; returns created counts by kind."""
    from opsteam.accounts.models import User

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        users = {user.username: user for user in User.objects.filter(username__in=_NAMES)}
        if "hr" not in users or Suggestion.objects.filter(title=SUGGESTIONS[0][0]).exists():
            return {}
        return _build(users)


def _build(users: dict[str, Any]) -> dict[str, int]:
    from opsteam.org.models import OrgUnit

    created: Counter[str] = Counter()
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=["OPS-STORE"])}
    now = timezone.now()
    today = timezone.localdate()
    handler = users.get("manager") or users["hr"]
    for title, body, category, unit_code, author, age, path, voters in SUGGESTIONS:
        actor = users.get(author or "operator") or users["hr"]
        unit = units.get(unit_code) if unit_code else None
        suggestion, _token = services.suggestion_create(
            actor=actor,
            title=title,
            body=body,
            category=category,
            unit=unit,
            anonymous=author is None,
        )
        created["collab.suggestion"] += 1
        for name in voters:
            if name in users:
                services.suggestion_vote(actor=users[name], suggestion=suggestion, voted=True)
                created["collab.suggestionvote"] += 1
        for status in path:
            by = handler if unit is not None else users["hr"]
            services.suggestion_transition(
                actor=by,
                suggestion=suggestion,
                to_status=status,
                note=NOTES[status],
                owner=users.get("manager") if status == "accepted" else None,
                due_date=today + dt.timedelta(days=14) if status == "accepted" else None,
            )
            created["collab.suggestionevent"] += 1
        if voters and "operator2" in users and author != "operator2":
            services.suggestion_comment(
                actor=users["operator2"],
                suggestion=suggestion,
                body="赞同，我们组也遇到同样的问题。",
            )
            created["collab.suggestioncomment"] += 1
        _backdate(suggestion, now, age)
    return dict(created)


def _backdate(suggestion: Suggestion, now: dt.datetime, age: int) -> None:
    """Spread the demo over past weeks: submission ``age`` days ago, each step two days on."""
    submitted = now - dt.timedelta(days=age)
    if suggestion.is_anonymous:
        local = timezone.localtime(submitted)
        submitted = local.replace(hour=0, minute=0, second=0, microsecond=0)
    events = list(SuggestionEvent.objects.filter(suggestion=suggestion).order_by("id"))
    step = max(1, age // (len(events) + 1)) if events else 1
    for index, event in enumerate(events):
        at = submitted + dt.timedelta(days=step * index, hours=0 if index == 0 else 3)
        SuggestionEvent.objects.filter(pk=event.pk).update(at=min(at, now))
    last = min(submitted + dt.timedelta(days=step * (len(events) - 1), hours=3), now)
    changes: dict[str, Any] = {"created_at": submitted, "status_changed_at": last}
    suggestion.refresh_from_db()
    if suggestion.decided_at:
        decided = [e for e in events if e.to_status in ("accepted", "declined")]
        if decided:
            index = events.index(decided[0])
            changes["decided_at"] = min(submitted + dt.timedelta(days=step * index, hours=3), now)
    if suggestion.implemented_at:
        changes["implemented_at"] = last
    Suggestion.objects.filter(pk=suggestion.pk).update(**changes)
