"""Demo workflow data: two processes of the demo e-commerce team with published maps, six
months of event history holding a real bottleneck and a rework loop, open work items on the
boards and one improvement action (idempotent: nothing is created twice).

What a user sees after ``load_demo``:

- 商品上架 (product listing, new process ``PR-LISTING`` owned by the store team): 选品提报 →
  详情页制作 → 审核 → 上架, with 审核 ⇄ 修改 as a rework loop (about four listings in ten go
  back for changes, some twice). Only two store specialists hold the publishing rights, so a
  reviewed listing waits about a day for 上架 (target: 4 hours). That handoff is the top
  bottleneck. Six weeks ago the store lead gave every specialist the rights (the improvement
  action, now in "check"): the wait drops to a few hours from then on, which the process review
  page shows.
- 售后服务 (after-sales tickets, the foundation's ``PR-AFTERSALES``): 受理登记 → 问题处理 →
  退款审核 → 回访 → 结单; refunds wait half a day for the one customer-service lead
  (target: 2 hours), and one ticket in six is reopened after the follow-up call (回访 →
  问题处理). 退款审核 is done by the lead although the RACI matrix names the specialists
  Responsible: the analytics page flags that disagreement.
- about thirty open work items per board, some of them waiting past their targets.

History is written directly (bulk, one audit entry per event source, as an import would):
the item services stamp "now" on every event, while the demo needs events months old. Maps,
steps, transitions, items and the action are audited row by row.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from opsteam.core import audit
from opsteam.core.choices import AuditAction, AuditSource
from opsteam.org.choices import RaciRole, StaffStatus
from opsteam.org.models import Activity, OrgUnit, Position, Process, RaciAssignment, Staff
from opsteam.workflow.choices import ActionStatus, ItemKind, ItemStatus, MapStatus, Priority
from opsteam.workflow.models import (
    EventSource,
    ImprovementAction,
    ProcessEvent,
    ProcessMap,
    Step,
    Transition,
    WorkItem,
)

HISTORY_DAYS = 182
# The listing process's improvement took effect this many days before the demo was loaded.
ACTION_EFFECT_DAYS_AGO = 42
ACTION_TITLE = "上架权限开放给全部店铺运营专员"
LISTING = ("PR-LISTING", "商品上架", "Product listing", "新品从提报、详情页制作、审核到上架")

# activity code, name, English name, RACI row (listing activities are new; after-sales reuses
# the foundation's)
LISTING_ACTIVITIES = [
    (
        "LST-SUBMIT",
        "选品提报",
        "Product submission",
        {"STORE-SPEC": "R", "STORE-LEAD": "A", "DATA-ANALYST": "C"},
    ),
    (
        "LST-CONTENT",
        "详情页制作",
        "Detail page production",
        {"CONTENT-EDITOR": "R", "CONTENT-LEAD": "A", "STORE-SPEC": "C"},
    ),
    (
        "LST-REVIEW",
        "上架审核",
        "Listing review",
        {"STORE-LEAD": "R", "OPS-DIRECTOR": "A", "CONTENT-LEAD": "I"},
    ),
    (
        "LST-PUBLISH",
        "商品上架发布",
        "Go live",
        {"STORE-SPEC": "R", "STORE-LEAD": "A", "CS-SPEC": "I"},
    ),
]


@dataclass(frozen=True)
class StepSpec:
    code: str
    name: str
    name_en: str
    position: str
    activity: str | None
    target_minutes: int
    sop: str


LISTING_STEPS = [
    StepSpec(
        "submit",
        "选品提报",
        "Product submission",
        "STORE-SPEC",
        "LST-SUBMIT",
        60,
        "填写《新品提报表》：类目、卖点、成本价与建议售价、竞品链接。\n"
        "提报前在商品库查重，同款不重复提报。",
    ),
    StepSpec(
        "content",
        "详情页制作",
        "Detail page production",
        "CONTENT-EDITOR",
        "LST-CONTENT",
        240,
        "按类目模板制作主图 5 张、详情页与卖点文案；尺寸、材质参数以供应商规格书为准。",
    ),
    StepSpec(
        "review",
        "审核",
        "Review",
        "STORE-LEAD",
        "LST-REVIEW",
        30,
        "核对价格、类目、资质与广告法禁用词；不通过时写明修改点退回。",
    ),
    StepSpec(
        "revise",
        "修改",
        "Revision",
        "CONTENT-EDITOR",
        "LST-CONTENT",
        120,
        "逐条处理审核意见，改完在工单中回复后重新提交审核。",
    ),
    StepSpec(
        "publish",
        "上架",
        "Go live",
        "STORE-SPEC",
        "LST-PUBLISH",
        30,
        "在平台后台发布商品，设置库存与价格，上架后 1 小时内抽查前台展示。",
    ),
]
# source, target, handoff target (minutes)
LISTING_TRANSITIONS = [
    ("submit", "content", 480),
    ("content", "review", 120),
    ("review", "revise", 120),
    ("revise", "review", 120),
    ("review", "publish", 240),
]

AFTERSALES_STEPS = [
    StepSpec(
        "intake",
        "受理登记",
        "Ticket intake",
        "CS-SPEC",
        "AS-COMPLAINT",
        15,
        "核对订单号与买家诉求，选择工单类型（退款/换货/投诉），5 分钟内首次回复。",
    ),
    StepSpec(
        "handle",
        "问题处理",
        "Resolution",
        "CS-SPEC",
        "AS-COMPLAINT",
        60,
        "按《售后处理规范》给出方案；涉及退款的提交退款审核，附凭证截图。",
    ),
    StepSpec(
        "refund",
        "退款审核",
        "Refund review",
        "CS-LEAD",
        "AS-REFUND",
        20,
        "核对退款金额、责任方与凭证；200 元以上需主管审核通过。",
    ),
    StepSpec(
        "followup",
        "回访",
        "Follow-up call",
        "USER-OPS",
        "AS-BADREVIEW",
        30,
        "处理完成后 24 小时内电话或旺旺回访，确认满意；不满意的重新打开工单。",
    ),
    StepSpec(
        "close",
        "结单",
        "Close",
        "CS-SPEC",
        None,
        10,
        "填写结单原因与处理结果，归档凭证。",
    ),
]
AFTERSALES_TRANSITIONS = [
    ("intake", "handle", 30),
    ("handle", "refund", 120),
    ("handle", "followup", 240),
    ("refund", "followup", 240),
    ("followup", "handle", 120),
    ("followup", "close", 60),
]

HOUR = 3600.0
MINUTE = 60.0

LISTING_TITLES = [
    "夏季冰丝凉席",
    "便携榨汁杯",
    "儿童防晒衣",
    "陶瓷马克杯礼盒",
    "无线降噪耳机",
    "家用筋膜枪",
    "折叠收纳箱",
    "真丝枕套",
    "宠物自动喂食器",
    "智能体脂秤",
    "户外露营灯",
    "空气炸锅",
]
TICKET_TITLES = [
    "买家申请仅退款：商品破损",
    "物流超时投诉",
    "尺码不合适换货",
    "差评回访：发货慢",
    "少发配件补寄",
    "七天无理由退货",
    "发票信息修改",
    "质量问题退款",
]


def load(seed: int = 7) -> dict[str, int]:
    """Load the workflow demo in one transaction, audited as the system (idempotent)."""
    from opsteam.accounts.models import User

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        admin = User.objects.get(username="admin")
        return build(actor=admin, rng=random.Random(seed))  # noqa: S311 - demo data


def build(*, actor: Any, rng: random.Random, now: dt.datetime | None = None) -> dict[str, int]:
    """Create the missing demo workflow data; return what was created by kind."""
    now = now or timezone.now()
    created: Counter[str] = Counter()
    people = _people()
    positions = {p.code: p for p in Position.objects.all()}
    listing = _listing_process(actor, positions, created)
    aftersales = Process.objects.filter(code="PR-AFTERSALES").first()

    listing_map = _map(actor, listing, LISTING_STEPS, LISTING_TRANSITIONS, positions, created)
    effective = (now - dt.timedelta(days=ACTION_EFFECT_DAYS_AGO)).astimezone(_tz())
    _history(
        actor,
        listing,
        listing_map,
        "商品管理系统导出",
        lambda case_rng, start: _listing_case(case_rng, start, people, effective),
        per_day=6,
        now=now,
        rng=rng,
        created=created,
    )
    _items(actor, listing, listing_map, people, LISTING_TITLES, now, rng, created)
    if aftersales is not None:
        as_map = _map(
            actor, aftersales, AFTERSALES_STEPS, AFTERSALES_TRANSITIONS, positions, created
        )
        _history(
            actor,
            aftersales,
            as_map,
            "客服工单系统导出",
            lambda case_rng, start: _aftersales_case(case_rng, start, people),
            per_day=12,
            now=now,
            rng=rng,
            created=created,
        )
        _items(actor, aftersales, as_map, people, TICKET_TITLES, now, rng, created)
        # The SLA alert and auto-assignment rules, after the history so they act on new work.
        from opsteam.workflow import services_rules
        from opsteam.workflow.models import AutomationRule

        rules_before = AutomationRule.objects.count()
        services_rules.demo_rules(aftersales, actor)
        created["workflow.automationrule"] += AutomationRule.objects.count() - rules_before
    _action(actor, listing, people, effective.date(), created)
    return {kind: count for kind, count in created.items() if count}


# Organisation -------------------------------------------------------------------------------


def _tz() -> dt.tzinfo:
    return timezone.get_default_timezone()


def _people() -> dict[str, list[Staff]]:
    """Active staff by position code, in employee-number order (deterministic)."""
    people: dict[str, list[Staff]] = {}
    staff = (
        Staff.objects.filter(status__in=[StaffStatus.ACTIVE, StaffStatus.PROBATION])
        .select_related("position", "unit", "user")
        .order_by("employee_no")
    )
    for person in staff:
        if person.position is not None:
            people.setdefault(person.position.code, []).append(person)
    return people


def _listing_process(actor: Any, positions: dict[str, Position], created: Counter[str]) -> Process:
    code, name, name_en, description = LISTING
    process = Process.objects.filter(code=code).first()
    if process is None:
        process = Process.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            description=description,
            owner_unit=OrgUnit.objects.filter(code="OPS-STORE").first(),
        )
        audit.record(actor=actor, action=AuditAction.CREATE, obj=process)
        created["org.process"] += 1
    for order, (act_code, act_name, act_en, row) in enumerate(LISTING_ACTIVITIES, start=1):
        activity, new = Activity.objects.get_or_create(
            code=act_code,
            defaults={"process": process, "name": act_name, "name_en": act_en, "order": order},
        )
        if not new:
            continue
        audit.record(actor=actor, action=AuditAction.CREATE, obj=activity)
        created["org.activity"] += 1
        for position_code, role in row.items():
            if position_code not in positions:
                continue
            cell = RaciAssignment.objects.create(
                activity=activity, position=positions[position_code], role=RaciRole(role)
            )
            audit.record(actor=actor, action=AuditAction.CREATE, obj=cell)
            created["org.raciassignment"] += 1
    return process


def _map(
    actor: Any,
    process: Process,
    steps: list[StepSpec],
    transitions: list[tuple[str, str, int]],
    positions: dict[str, Position],
    created: Counter[str],
) -> ProcessMap:
    """The process's published map (created with its steps and transitions if it has none)."""
    existing = ProcessMap.objects.filter(process=process, status=MapStatus.PUBLISHED).first()
    if existing is not None:
        return existing
    version = ProcessMap.objects.filter(process=process).order_by("-version").first()
    process_map = ProcessMap.objects.create(
        process=process,
        version=(version.version + 1) if version else 1,
        status=MapStatus.PUBLISHED,
        change_note="演示流程图 Demo map",
        published_at=timezone.now(),
        published_by=actor,
        created_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=process_map)
    created["workflow.processmap"] += 1
    activities = {a.code: a for a in Activity.objects.filter(process=process)}
    by_code: dict[str, Step] = {}
    for order, spec in enumerate(steps, start=1):
        step = Step.objects.create(
            map=process_map,
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            activity=activities.get(spec.activity) if spec.activity else None,
            position=positions.get(spec.position),
            target_minutes=spec.target_minutes,
            sop=spec.sop,
            order=order * 10,
        )
        audit.record(actor=actor, action=AuditAction.CREATE, obj=step)
        created["workflow.step"] += 1
        by_code[spec.code] = step
    for source, target, minutes in transitions:
        transition = Transition.objects.create(
            map=process_map,
            source=by_code[source],
            target=by_code[target],
            handoff_target_minutes=minutes,
        )
        audit.record(actor=actor, action=AuditAction.CREATE, obj=transition)
        created["workflow.transition"] += 1
    return process_map


# Event history ------------------------------------------------------------------------------

# One visit of a case to a step: (step code, person, start, complete).
Visit = tuple[str, Staff | None, dt.datetime, dt.datetime]


def _pick(rng: random.Random, people: list[Staff]) -> Staff | None:
    return rng.choice(people) if people else None


def _hours(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(seconds=rng.uniform(low, high) * HOUR)


def _wait(rng: random.Random, median_hours: float, spread: float = 0.45) -> dt.timedelta:
    """A waiting time around ``median_hours`` (log-normal: most short, a long tail)."""
    return dt.timedelta(seconds=rng.lognormvariate(0, spread) * median_hours * HOUR)


def _listing_case(
    rng: random.Random,
    start: dt.datetime,
    people: dict[str, list[Staff]],
    effective: dt.datetime,
) -> list[Visit]:
    """A listing: submitted, produced, reviewed (sent back for changes about four times in
    ten, a quarter of those twice), then waiting for one of the two specialists who hold the
    publishing rights, or, after the improvement, for any specialist."""
    specialists = people.get("STORE-SPEC", [])
    publishers = specialists[:2]
    lead = people.get("STORE-LEAD", [])[:1]
    editor = _pick(rng, people.get("CONTENT-EDITOR", []))
    submitter = _pick(rng, specialists)
    visits: list[Visit] = []
    t = start
    end = t + _hours(rng, 0.3, 1.0)
    visits.append(("submit", submitter, t, end))
    t = end + _wait(rng, 3.0)
    end = t + _hours(rng, 2.0, 5.0)
    visits.append(("content", editor, t, end))
    t = end + _wait(rng, 1.2)
    rounds = 0
    while True:
        end = t + _hours(rng, 0.15, 0.6)
        visits.append(("review", _pick(rng, lead), t, end))
        sent_back = rng.random() < (0.4 if rounds == 0 else 0.25)
        if not sent_back or rounds >= 2:
            break
        rounds += 1
        t = end + _wait(rng, 1.5)
        revised = t + _hours(rng, 0.8, 2.5)
        visits.append(("revise", editor, t, revised))
        t = revised + _wait(rng, 1.0)
    if end < effective:
        t = end + _wait(rng, 24.0, 0.35)
        publisher = _pick(rng, publishers)
    else:
        t = end + _wait(rng, 4.5, 0.4)
        publisher = _pick(rng, specialists)
    visits.append(("publish", publisher, t, t + _hours(rng, 0.25, 0.7)))
    return visits


def _aftersales_case(
    rng: random.Random, start: dt.datetime, people: dict[str, list[Staff]]
) -> list[Visit]:
    """A ticket: intake, resolution, a refund review by the one lead for a little over half of
    them, a follow-up call (one in six reopened and handled again), closing."""
    agents = people.get("CS-SPEC", [])
    lead = people.get("CS-LEAD", [])[:1]
    user_ops = people.get("USER-OPS", [])
    agent = _pick(rng, agents)
    visits: list[Visit] = []
    t = start
    end = t + _hours(rng, 0.05, 0.25)
    visits.append(("intake", agent, t, end))
    reopened = False
    while True:
        t = end + _wait(rng, 0.4)
        end = t + _hours(rng, 0.3, 1.5)
        visits.append(("handle", agent, t, end))
        if not reopened and rng.random() < 0.55:
            t = end + _wait(rng, 12.0, 0.4)
            end = t + _hours(rng, 0.08, 0.3)
            visits.append(("refund", _pick(rng, lead), t, end))
        t = end + _wait(rng, 2.0)
        end = t + _hours(rng, 0.15, 0.5)
        visits.append(("followup", _pick(rng, user_ops), t, end))
        if reopened or rng.random() >= 1 / 6:
            break
        reopened = True
    t = end + _wait(rng, 0.3)
    visits.append(("close", agent, t, t + _hours(rng, 0.05, 0.15)))
    return visits


def _arrivals(
    rng: random.Random, now: dt.datetime, per_day: int, days: int
) -> Iterator[dt.datetime]:
    """Case start times over the last ``days`` days: working hours (09:00–18:00 Beijing),
    fewer at weekends."""
    tz = _tz()
    first = (now - dt.timedelta(days=days)).astimezone(tz).date()
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        count = per_day if day.weekday() < 5 else per_day // 3
        count = max(0, count + rng.randint(-2, 2))
        opening = dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz)
        for _n in range(count):
            yield opening + dt.timedelta(seconds=rng.uniform(0, 9 * HOUR))


def _history(
    actor: Any,
    process: Process,
    process_map: ProcessMap,
    source_name: str,
    make_case: Any,
    *,
    per_day: int,
    now: dt.datetime,
    rng: random.Random,
    created: Counter[str],
) -> None:
    """Six months of finished cases imported from an outside system (skipped when the source
    already holds events)."""
    source, new = EventSource.objects.get_or_create(
        process=process,
        name=source_name,
        defaults={
            "kind": "csv",
            "mapping": {
                "case": "单号",
                "step": "环节",
                "resource": "处理人工号",
                "start": "开始时间",
                "complete": "完成时间",
                "timestamp_format": "%Y-%m-%d %H:%M:%S",
                "timezone": "Asia/Shanghai",
            },
            "description": "演示数据：过去六个月的历史记录",
        },
    )
    if new:
        audit.record(actor=actor, action=AuditAction.CREATE, obj=source)
        created["workflow.eventsource"] += 1
    steps = {step.code: step for step in Step.objects.filter(map=process_map)}
    wanted = LISTING_STEPS if process.code == LISTING[0] else AFTERSALES_STEPS
    if source.events.exists() or any(spec.code not in steps for spec in wanted):
        return  # loaded already, or someone published a map of their own: leave it alone
    prefix = "LST" if process.code == LISTING[0] else "TKT"
    cutoff = now - dt.timedelta(hours=1)
    events: list[ProcessEvent] = []
    number = 0
    for start in _arrivals(rng, now, per_day, HISTORY_DAYS):
        visits = make_case(rng, start)
        if visits[-1][3] >= cutoff:
            continue  # still in flight: the open items stand for those
        number += 1
        case_id = f"{prefix}-{start.astimezone(_tz()):%y%m}-{number:05d}"
        for code, person, started, completed in visits:
            step = steps[code]
            events.append(
                ProcessEvent(
                    process=process,
                    source=source,
                    case_id=case_id,
                    step_name=step.name,
                    step=step,
                    resource=person.employee_no if person else "",
                    staff=person,
                    started_at=started,
                    completed_at=completed,
                )
            )
    ProcessEvent.objects.bulk_create(events, batch_size=2000)
    source.last_import_at = now
    source.save(update_fields=["last_import_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=source,
        note=f"demo history: {len(events)} events, {number} cases",
    )
    created["workflow.processevent"] += len(events)


# Open work items ----------------------------------------------------------------------------


def _items(
    actor: Any,
    process: Process,
    process_map: ProcessMap,
    people: dict[str, list[Staff]],
    titles: list[str],
    now: dt.datetime,
    rng: random.Random,
    created: Counter[str],
) -> None:
    """About thirty open items spread over the board, their finished steps in the event log
    (skipped when the process already has items)."""
    if WorkItem.objects.filter(process=process).exists():
        return
    from opsteam.workflow.services_items import work_items_source

    source = work_items_source(process)
    steps = list(Step.objects.filter(map=process_map).select_related("position"))
    steps.sort(key=lambda s: s.order)
    # Rework steps hold fewer items; the bottleneck step of each map holds the most.
    weights = {"publish": 4, "refund": 4, "revise": 1, "close": 1}
    chosen = [s for s in steps for _n in range(weights.get(s.code, 2) * 2)]
    reporter = Staff.objects.filter(user__username="manager").values_list("user", flat=True)
    reporter_id = reporter.first()
    kind = ItemKind.TASK if process.code == "PR-LISTING" else ItemKind.TICKET
    events: list[ProcessEvent] = []
    for number, step in enumerate(chosen, start=1):
        position_code = step.position.code if step.position else ""
        assignee = _pick(rng, people.get(position_code, []))
        # Earlier steps of the flow, each finished before this one started.
        before = [s for s in steps if s.order < step.order and s.code not in ("revise",)]
        if step.code == "publish" or step.code == "refund":
            waited = _hours(rng, 6, 40)
        else:
            waited = _hours(rng, 0.2, step.target_minutes / 60 * 2.5)
        entered = now - waited
        title = f"{rng.choice(titles)} #{number:02d}"
        unit = assignee.unit if assignee else (process.owner_unit or OrgUnit.objects.first())
        item = WorkItem.objects.create(
            process=process,
            step=step,
            reference=f"{process.code}-{number}",
            title=title,
            kind=kind,
            priority=rng.choice(
                [Priority.LOW, Priority.NORMAL, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
            ),
            status=rng.choice([ItemStatus.OPEN, ItemStatus.IN_PROGRESS]),
            assignee=assignee,
            unit=unit,
            reporter_id=reporter_id,
            due_date=(now + dt.timedelta(days=rng.randint(-2, 10))).astimezone(_tz()).date(),
            step_started_at=entered,
        )
        WorkItem.objects.filter(pk=item.pk).update(created_at=entered - dt.timedelta(hours=6))
        audit.record(actor=actor, action=AuditAction.CREATE, obj=item)
        created["workflow.workitem"] += 1
        t = entered
        for earlier in reversed(before):
            end = t - _hours(rng, 0.3, 3)
            started = end - _hours(rng, 0.2, max(0.3, earlier.target_minutes / 60))
            person = _pick(rng, people.get(earlier.position.code if earlier.position else "", []))
            events.append(
                ProcessEvent(
                    process=process,
                    source=source,
                    case_id=item.reference,
                    step_name=earlier.name,
                    step=earlier,
                    resource=person.employee_no if person else "",
                    staff=person,
                    started_at=started,
                    completed_at=end,
                    work_item=item,
                    attributes={"via": "demo"},
                )
            )
            t = started
    ProcessEvent.objects.bulk_create(events)
    created["workflow.processevent"] += len(events)


# The improvement action ---------------------------------------------------------------------


def _action(
    actor: Any,
    process: Process,
    people: dict[str, list[Staff]],
    effective: dt.date,
    created: Counter[str],
) -> None:
    """The store lead's action on the listing bottleneck, with the evidence of the window
    before it took effect; in "check" (the review page compares the windows either side)."""
    if ImprovementAction.objects.filter(process=process, title=ACTION_TITLE).exists():
        return
    from opsteam.workflow import selectors_analytics

    tz = _tz()
    window_end = dt.datetime.combine(effective, dt.time(0, 0), tzinfo=tz)
    analysis = selectors_analytics.analysis(process, window_end - dt.timedelta(days=90), window_end)
    top = analysis.bottlenecks[0] if analysis.bottlenecks else None
    evidence = selectors_analytics.bottleneck_snapshot(top, analysis.people) if top else {}
    evidence["window"] = {
        "start": (window_end - dt.timedelta(days=90)).date().isoformat(),
        "end": effective.isoformat(),
    }
    lead = (people.get("STORE-LEAD") or [None])[0]
    action = ImprovementAction.objects.create(
        process=process,
        title=ACTION_TITLE,
        description=(
            "审核通过后平均要等一天才上架：只有两位专员有发布权限。"
            "把发布权限开放给全部店铺运营专员，审核人在工单里直接指派上架人。"
        ),
        bottleneck_key=evidence.get("key", ""),
        evidence=evidence,
        owner=lead,
        due_date=effective + dt.timedelta(days=56),
        status=ActionStatus.CHECK,
        effective_date=effective,
        result_note="",
        created_by=lead.user if lead is not None and lead.user_id else actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=action)
    created["workflow.improvementaction"] += 1
