"""Demo data of work reports and wellbeing check-ins (idempotent; audited as the system).

- Templates: the company's weekly report (周报) and the store team's daily report (日报) with
  key numbers (orders handled, refunds, GMV pointing at the GMV KPI).
- The store team's daily reports of the last ten working days (a few late, some blockers,
  today's still missing for some), two weekly reports each, and the lead's comments with the
  operator's reply.
- Six weeks of check-ins for the store team (enough people for team figures) and a few for the
  content team (too few: withheld); the operator's latest check-in asks to talk.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opsteam.collab import services_reports, services_wellbeing
from opsteam.collab.models_reports import (
    ReportTemplate,
    WellbeingCheckIn,
    WorkReport,
)
from opsteam.collab.services_wellbeing import PRIVATE_FIELDS, direct_manager
from opsteam.collab.wellbeing import week_start
from opsteam.core import audit
from opsteam.core.choices import AuditAction, AuditSource

DEFAULT_WEEKLY = "公司周报"
STORE_DAILY = "店铺运营组日报"

DONE = [
    "- 完成 618 预售商品上架 12 款\n- 处理售后工单 35 单",
    "- 更新首页活动banner\n- 跟进 3 个差评回访",
    "- 核对库存并同步缺货商品下架\n- 完成直播间商品链接配置",
    "- 优化 5 款主推商品标题与主图\n- 处理退款申请 8 单",
    "- 整理竞品价格监控表\n- 配合客服组处理催发货咨询",
]
PLANNED = [
    "- 准备周末大促优惠券配置\n- 复盘本周转化率",
    "- 上新夏季新品 8 款\n- 跟进物流异常订单",
    "- 完成详情页 A/B 测试方案\n- 对接仓库盘点",
    "- 整理本周退款原因分析\n- 更新商品卖点话术",
]
BLOCKERS = [
    "仓库系统同步延迟，部分商品显示有货但实际缺货。",
    "物流商揽收延误，约 20 单超时未发货，需要协调。",
    "活动报名入口关闭提前，需要运营总监确认补报。",
]
BLOCKER_EVERY = 4


def load(seed: int = 7) -> dict[str, int]:
    """Load the reports and wellbeing demo in one transaction (idempotent)."""
    from opsteam.accounts.models import User

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        users = {
            user.username: user
            for user in User.objects.filter(username__in=("admin", "hr", "manager", "operator"))
        }
        if "admin" not in users or ReportTemplate.objects.filter(name=DEFAULT_WEEKLY).exists():
            return {}
        return build(users=users, today=timezone.localdate(), seed=seed)


def build(*, users: dict[str, Any], today: dt.date, seed: int = 7) -> dict[str, int]:
    """Create the demo rows; returns counts by kind."""
    from opsteam.org.models import OrgUnit, Staff

    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    created: Counter[str] = Counter()
    admin = users["admin"]
    store = OrgUnit.objects.filter(code="OPS-STORE").first()
    services_reports.report_template_create(
        actor=admin,
        unit=None,
        kind="weekly",
        name=DEFAULT_WEEKLY,
        sections=[
            {"key": "done", "label": "本周完成 / Done this week", "required": True},
            {"key": "planned", "label": "下周计划 / Plan for next week", "required": True},
            {"key": "blockers", "label": "遇到的问题 / Blockers", "required": False},
            {"key": "ideas", "label": "改进建议 / Ideas", "required": False},
        ],
        metrics=[],
    )
    created["collab.reporttemplate"] += 1
    if store is None:
        return dict(created)
    daily = services_reports.report_template_create(
        actor=admin,
        unit=store,
        kind="daily",
        name=STORE_DAILY,
        sections=[
            {"key": "done", "label": "今日完成 / Done today", "required": True},
            {"key": "planned", "label": "明日计划 / Planned", "required": True},
            {"key": "blockers", "label": "遇到的问题 / Blockers", "required": False},
        ],
        metrics=[
            {"key": "orders", "label": "处理订单 / Orders handled", "unit": "单", "kpi": ""},
            {"key": "refunds", "label": "退款处理 / Refunds", "unit": "单", "kpi": "REFUND"},
            {"key": "gmv", "label": "店铺成交额 / GMV", "unit": "万元", "kpi": "GMV"},
        ],
    )
    created["collab.reporttemplate"] += 1
    members = list(
        Staff.objects.filter(unit=store, status__in=("active", "probation"))
        .select_related("user", "unit", "unit__lead", "manager")
        .order_by("employee_no")
    )
    zone = ZoneInfo(settings.TIME_ZONE)
    reports = _daily_reports(members, daily, today, zone, rng)
    reports += _weekly_reports(members, today, zone, rng)
    WorkReport.objects.bulk_create(reports)
    audit.record_many(
        audit.build_entry(
            actor=None,
            action=AuditAction.CREATE,
            obj=report,
            after=audit.snapshot(report, exclude=["search_text"]),
            note="demo",
        )
        for report in reports
    )
    created["collab.workreport"] += len(reports)
    created["collab.reportcomment"] += _comments(users, today)
    created["collab.wellbeingcheckin"] += _checkins(members, today, rng)
    operator = users.get("operator")
    if operator is not None and getattr(operator, "staff", None) is not None:
        # the operator's latest check-in asks to talk: their lead finds the alert in the inbox
        services_wellbeing.alert_manager(staff_id=operator.staff.pk, as_of=today)
    content = OrgUnit.objects.filter(code="OPS-CONTENT").first()
    if content is not None:
        few = list(Staff.objects.filter(unit=content, status="active").order_by("employee_no")[:2])
        created["collab.wellbeingcheckin"] += _checkins(few, today, rng, weeks=2)
    return dict(created)


def _working_days(today: dt.date, count: int) -> list[dt.date]:
    days, day = [], today
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return days


def _daily_reports(members, template, today, zone, rng) -> list[WorkReport]:
    rows = []
    for index, member in enumerate(members):
        for offset, day in enumerate(_working_days(today, 10)):
            if day == today and index % 3 == 0:
                continue  # today's report still missing for some: the digest shows them
            due = dt.datetime.combine(day, template.due_time, tzinfo=zone)
            late = (index + offset) % 7 == 0
            blockers = (
                BLOCKERS[(index + offset) % len(BLOCKERS)]
                if (index + offset) % BLOCKER_EVERY == 0
                else ""
            )
            sections = {
                "done": DONE[(index + offset) % len(DONE)],
                "planned": PLANNED[(index + offset) % len(PLANNED)],
            }
            if blockers:
                sections["blockers"] = blockers
            submitted = due + dt.timedelta(
                minutes=rng.randint(20, 90) if late else -rng.randint(10, 120)
            )
            if day == today and submitted > timezone.now():
                submitted = timezone.now()
            rows.append(
                WorkReport(
                    staff=member,
                    template=template,
                    kind="daily",
                    period_start=day,
                    status="submitted",
                    sections=sections,
                    metrics={
                        "orders": str(rng.randint(25, 60)),
                        "refunds": str(rng.randint(0, 6)),
                        "gmv": str(round(rng.uniform(1.5, 6.0), 1)),
                    },
                    has_blockers=bool(blockers),
                    search_text="\n".join(sections.values()),
                    due_at=due,
                    submitted_at=submitted,
                    is_late=submitted > due,
                )
            )
    return rows


def _weekly_reports(members, today, zone, rng) -> list[WorkReport]:
    rows = []
    this_week = week_start(today)
    for index, member in enumerate(members[:6]):
        for weeks_ago in (1, 2):
            monday = this_week - dt.timedelta(weeks=weeks_ago)
            due = dt.datetime.combine(monday + dt.timedelta(days=4), dt.time(18), tzinfo=zone)
            sections = {
                "done": "- 完成大促预热准备\n- 店铺评分从 4.7 提升到 4.8",
                "planned": "- 推进新品上架节奏\n- 跟进退款率改善",
            }
            if index % 3 == 0:
                sections["ideas"] = "建议把售后话术整理进知识库，减少重复提问。"
            submitted = due - dt.timedelta(hours=rng.randint(1, 5))
            rows.append(
                WorkReport(
                    staff=member,
                    kind="weekly",
                    period_start=monday,
                    status="submitted",
                    sections=sections,
                    metrics={},
                    search_text="\n".join(sections.values()),
                    due_at=due,
                    submitted_at=submitted,
                )
            )
    return rows


def _comments(users: dict[str, Any], today: dt.date) -> int:
    operator, manager = users.get("operator"), users.get("manager")
    if operator is None or manager is None or getattr(operator, "staff", None) is None:
        return 0
    reports = list(
        WorkReport.objects.filter(staff=operator.staff, kind="daily").order_by("-period_start")[:3]
    )
    count = 0
    for report in reports[1:3]:
        comment = services_reports.report_comment_add(
            actor=manager,
            report=report,
            body="收到，物流的问题我明天和仓库一起对一下。"
            if report.has_blockers
            else "进度不错，继续保持 👍",
        )
        count += 1
        if report.has_blockers:
            services_reports.report_comment_add(
                actor=operator, report=report, body="好的，谢谢！", parent=comment
            )
            count += 1
    if reports[1:]:
        services_reports.report_mark_read(actor=manager, report=reports[1])
    return count


def _checkins(members, today, rng, weeks: int = 6) -> int:
    this_week = week_start(today)
    rows = []
    for index, member in enumerate(members):
        manager = direct_manager(member)
        is_operator = member.user is not None and member.user.username == "operator"
        for weeks_ago in range(weeks - 1, -1, -1):
            if is_operator:
                mood = (4, 4, 4, 3, 2, 2)[weeks - 1 - weeks_ago] if weeks == 6 else 3
            else:
                mood = rng.choice((3, 4, 4, 4, 5))
            rows.append(
                WellbeingCheckIn(
                    staff=member,
                    manager=manager,
                    unit_id=member.unit_id,
                    week_start=this_week - dt.timedelta(weeks=weeks_ago),
                    mood=mood,
                    workload=rng.choice((3, 3, 4, 4, 5)) if index % 2 else 3,
                    blockers="大促期间加班比较多，希望排班能调整一下。"
                    if is_operator and weeks_ago == 0
                    else "",
                    wants_to_talk=is_operator and weeks_ago == 0,
                )
            )
    WellbeingCheckIn.objects.bulk_create(rows)
    audit.record_many(
        audit.build_entry(
            actor=None,
            action=AuditAction.CREATE,
            obj=row,
            after={**audit.snapshot(row, exclude=PRIVATE_FIELDS), "answers": "recorded"},
            note="demo",
        )
        for row in rows
    )
    return len(rows)
