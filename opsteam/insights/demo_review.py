"""Demo data of the system review: last quarter's review in progress with its improvement
actions, and the quarter before, closed (figures frozen) with one action still being checked,
so the report shows what is "tracked to closure" (idempotent; audited as the system)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from opsteam.core import audit
from opsteam.core.choices import AuditSource

_NAMES = ("admin", "hr", "manager", "director", "operator", "operator2")

EARLIER_SUMMARY = (
    "本季度完成 **618 大促** 复盘，考核结果整体分布正常；新人培训完成率偏低。\n\n"
    "Q2 closed the 618 campaign review; grade distribution normal, onboarding training lagging."
)
EARLIER_CONCLUSIONS = (
    "1. 新人培训由组长跟进，到期前三天提醒。\n"
    "2. 售后交接环节等待时间过长，流程负责人制定改进方案。\n\n"
    "1. Team leads follow up onboarding training. 2. Shorten the after-sales hand-off wait."
)
LATEST_SUMMARY = (
    "双十一备战期间，客服与店铺运营工作量上升；脉搏调研参与率下降。\n\n"
    "Singles' Day preparation raised the workload of service and store teams."
)


def load(seed: int = 7) -> dict[str, int]:
    """Load the system review demo in one transaction (idempotent: nothing when it exists)."""
    from opsteam.accounts.models import User

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        users = {user.username: user for user in User.objects.filter(username__in=_NAMES)}
        if "admin" not in users or "hr" not in users:
            return {}
        return build(users=users, today=timezone.localdate())


def build(*, users: dict[str, Any], today: dt.date) -> dict[str, int]:
    from opsteam.insights import services
    from opsteam.insights.models import SystemReview
    from opsteam.org.models import Staff
    from opsteam.workflow import services_actions

    latest_start, latest_end = services.previous_quarter(today)
    earlier_start, earlier_end = services.previous_quarter(latest_start)
    if SystemReview.objects.filter(period_start=earlier_start, period_end=earlier_end).exists():
        return {}
    hr = users["hr"]
    staff = {
        person.user.username: person
        for person in Staff.objects.filter(user__in=users.values()).select_related("user")
    }

    earlier = services.system_review_create(
        actor=hr,
        period_start=earlier_start,
        period_end=earlier_end,
        summary=EARLIER_SUMMARY,
    )
    onboarding = services.review_action_create(
        actor=hr,
        review=earlier,
        section="training",
        title="新人培训到期提醒提前到三天 Remind onboarding training three days ahead",
        description="组长每周查看团队培训逾期情况。",
        owner=staff.get("manager"),
        due_date=earlier_end + dt.timedelta(days=30),
    )
    handoff = services.review_action_create(
        actor=hr,
        review=earlier,
        section="process",
        title="缩短售后交接等待 Shorten the after-sales hand-off",
        description="交接单增加必填字段，减少来回确认。",
        owner=staff.get("operator"),
        due_date=earlier_end + dt.timedelta(days=45),
    )
    services_actions.improvement_action_update(
        actor=hr,
        action=onboarding,
        status="done",
        effective_date=earlier_end + dt.timedelta(days=7),
        result_note="逾期率从 18% 降到 6%。Overdue rate down from 18% to 6%.",
    )
    services_actions.improvement_action_update(
        actor=hr, action=handoff, status="check", effective_date=earlier_end + dt.timedelta(days=20)
    )
    services.system_review_update(actor=hr, review=earlier, conclusions=EARLIER_CONCLUSIONS)
    services.system_review_start(actor=hr, review=earlier)
    services.system_review_close(actor=hr, review=earlier)

    latest = services.system_review_create(
        actor=hr, period_start=latest_start, period_end=latest_end, summary=LATEST_SUMMARY
    )
    services.system_review_start(actor=hr, review=latest)
    for section, title, owner, days in (
        (
            "engagement",
            "脉搏调研结果在周会上回顾 Discuss pulse results in team meetings",
            "manager",
            21,
        ),
        ("suggestions", "建议 10 个工作日内给出答复 Answer suggestions within 10 days", "hr", 30),
        (
            "training",
            "大促前完成客服话术培训 Service scripts training before the campaign",
            "operator",
            2,
        ),
    ):
        services.review_action_create(
            actor=hr,
            review=latest,
            section=section,
            title=title,
            owner=staff.get(owner),
            due_date=today + dt.timedelta(days=days),
        )
    return {"insights.systemreview": 2, "workflow.improvementaction": 5}
