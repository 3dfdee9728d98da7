"""Demo appraisal data: a KPI library, templates per position, daily measurements, a finished
past quarter and a cycle in progress (idempotent: nothing is created twice).

Everything goes through the services (so it is validated and audited like real use), except
the daily measurements, which are bulk-inserted as an import would.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from opsteam.core import bulk
from opsteam.org.models import Position, Staff
from opsteam.performance import services, services_cycles
from opsteam.performance.choices import (
    CycleStage,
    KpiAggregation,
    KpiCategory,
    KpiDirection,
    MeasurementSource,
    MissingRule,
    ScoringRule,
)
from opsteam.performance.models import Kpi, KpiTemplate, Measurement, Review, ReviewCycle

H, L = KpiDirection.HIGHER, KpiDirection.LOWER
# code, name, English name, category, unit, direction, aggregation, rule, threshold, target,
# stretch, per_unit, bands, veto, daily base value (for generated data), definition
KPIS: list[tuple[Any, ...]] = [
    ("GMV", "店铺成交额", "Store GMV", KpiCategory.GOAL_ATTAINMENT, "万元", H, KpiAggregation.SUM,
     ScoringRule.LINEAR, "60", "100", "130", "0", [], False, 1.55,
     "统计期内店铺支付成交金额（万元）。"),
    ("CONV", "支付转化率", "Payment conversion rate", KpiCategory.EFFICIENCY, "", H,
     KpiAggregation.RATIO, ScoringRule.LINEAR, "0.02", "0.035", "0.05", "0", [], False, 0.035,
     "支付买家数 ÷ 访客数。"),
    ("RESP", "平均首次响应时长", "Average first response time", KpiCategory.SPEED, "秒", L,
     KpiAggregation.MEAN, ScoringRule.LINEAR, "60", "30", "15", "0", [], False, 30.0,
     "客服会话首次响应的平均秒数，越短越好。"),
    ("CSAT", "客户满意度", "Customer satisfaction", KpiCategory.SATISFACTION, "分", H,
     KpiAggregation.MEAN, ScoringRule.BANDS, None, "4.8", None, "0",
     [[4.0, 60], [4.5, 80], [4.8, 100], [4.9, 110]], False, 4.75, "会话结束后的五分制评价均值。"),
    ("REFUND", "退款率", "Refund rate", KpiCategory.QUALITY, "", L, KpiAggregation.RATIO,
     ScoringRule.DEDUCTION, None, "0.03", None, "1000", [], False, 0.03,
     "退款订单 ÷ 支付订单；高于目标每 0.1 个百分点扣 1 分。"),
    ("CONTENT", "内容发布数", "Content published", KpiCategory.PROJECT_COMPLETION, "篇", H,
     KpiAggregation.SUM, ScoringRule.LINEAR, "20", "40", "60", "0", [], False, 0.62,
     "审核通过并发布的图文、短视频数量。"),
    ("PROJ", "项目按期交付", "Projects delivered on time", KpiCategory.PROJECT_COMPLETION, "", H,
     KpiAggregation.LAST, ScoringRule.PASS_FAIL, None, "1", None, "0", [], False, 1.0,
     "期末确认：负责的项目是否全部按期交付（1 是，0 否）。"),
    ("COMPLAINT", "重大客诉", "Serious complaints", KpiCategory.QUALITY, "件", L,
     KpiAggregation.SUM, ScoringRule.PASS_FAIL, None, "0", None, "0", [], True, 0.0,
     "一票否决：出现经核实的重大客诉即不合格。"),
    ("ROI", "投放 ROI", "Advertising ROI", KpiCategory.EFFICIENCY, "", H, KpiAggregation.MEAN,
     ScoringRule.LINEAR, "1.5", "3", "4", "0", [], False, 3.0, "广告带来的成交额 ÷ 广告花费。"),
]  # fmt: skip

TEMPLATES: dict[str, list[tuple[str, int]]] = {
    "OPS-DIRECTOR": [("GMV", 60), ("CONV", 20), ("COMPLAINT", 20)],
    "STORE-LEAD": [("GMV", 50), ("CONV", 20), ("REFUND", 20), ("COMPLAINT", 10)],
    "STORE-SPEC": [("GMV", 40), ("CONV", 30), ("REFUND", 20), ("COMPLAINT", 10)],
    "CONTENT-LEAD": [("CONTENT", 40), ("CONV", 20), ("PROJ", 40)],
    "CONTENT-EDITOR": [("CONTENT", 60), ("CONV", 10), ("PROJ", 30)],
    "NEW-MEDIA": [("CONTENT", 50), ("CONV", 20), ("PROJ", 30)],
    "CS-LEAD": [("RESP", 30), ("CSAT", 40), ("COMPLAINT", 30)],
    "CS-SPEC": [("RESP", 40), ("CSAT", 40), ("COMPLAINT", 20)],
    "USER-OPS": [("CSAT", 50), ("CONV", 30), ("PROJ", 20)],
    "DATA-LEAD": [("PROJ", 60), ("CSAT", 40)],
    "DATA-ANALYST": [("PROJ", 60), ("CSAT", 40)],
    "MKT-LEAD": [("ROI", 40), ("GMV", 40), ("CONV", 20)],
    "MKT-SPEC": [("ROI", 50), ("GMV", 30), ("CONV", 20)],
    "ADS-OPTIMIZER": [("ROI", 60), ("CONV", 40)],
    "HRBP": [("PROJ", 60), ("CSAT", 40)],
}

PAST = ("2026 年第三季度考核", "2026 Q3 review", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
CURRENT = ("2026 年第四季度考核", "2026 Q4 review", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
COMMENTS = [
    "目标达成稳定，复盘及时，继续保持。",
    "数据意识强，能主动发现问题并推动改进。",
    "执行到位，跨组协作还可以更主动。",
    "本季度波动较大，需要加强过程管理。",
    "带教新人认真，团队氛围好。",
]


COMPETENCIES = [
    ("customer", "客户导向", "Customer focus", "从用户角度思考问题并推动改进", "Thinks from the customer's side and drives improvements"),
    ("teamwork", "团队协作", "Teamwork", "主动分享信息，支持同事完成目标", "Shares information and helps colleagues reach goals"),
    ("data", "数据驱动", "Data-driven", "用数据发现问题、验证效果", "Uses data to find problems and check results"),
    ("execution", "执行力", "Execution", "承诺的事情按时、按质完成", "Delivers what was promised, on time and well"),
]  # fmt: skip
ANCHORS = [
    (1, "很少做到", "Rarely"),
    (2, "有时做到", "Sometimes"),
    (3, "通常做到", "Usually"),
    (4, "经常做到，并带动他人", "Often, and brings others along"),
    (5, "始终做到，是团队榜样", "Always; a role model"),
]
PEER_COMMENTS = [
    "复盘做得很细，值得学习。",
    "大促期间主动补位，很靠谱。",
    "沟通可以再直接一些。",
    "数据报表清晰，节省了大家的时间。",
    "希望多分享经验给新同事。",
]


def _questionnaire(actor: Any) -> Any:
    from opsteam.surveys import services as surveys
    from opsteam.surveys.models import Questionnaire

    existing = Questionnaire.objects.filter(code="OPS-360").order_by("-version").first()
    if existing is not None:
        return existing
    anchors = [{"value": v, "text": t, "text_en": e} for v, t, e in ANCHORS]
    questions = [
        {
            "kind": "rating",
            "text": text,
            "text_en": text_en,
            "competency": code,
            "competency_name": name,
            "competency_name_en": name_en,
            "anchors": anchors,
        }
        for code, name, name_en, text, text_en in COMPETENCIES
    ]
    questions.append(
        {
            "kind": "comment",
            "text": "他/她最值得保持的做法是什么？",
            "text_en": "What should they keep doing?",
        }
    )
    return surveys.questionnaire_create(
        actor=actor,
        code="OPS-360",
        name="运营岗位 360 度评估",
        name_en="Operations 360-degree feedback",
        questions=questions,
    )


def _feedback_answers(cycle: ReviewCycle, rng: random.Random) -> None:
    """Submitted 360 answers: the manager, two to four peers from the same team (so some peer
    groups stay below the anonymity threshold) and, for leads, their direct reports."""
    from opsteam.surveys.choices import InvitationStatus, Relationship
    from opsteam.surveys.models import Answer, Invitation

    campaign = cycle.feedback_campaign
    questions = list(campaign.questionnaire.questions.all())
    subjects = list(campaign.subjects.select_related("staff"))
    by_unit: dict[int, list[Any]] = {}
    for subject in subjects:
        by_unit.setdefault(subject.staff.unit_id, []).append(subject.staff)
    now = timezone.now()
    invitations = []
    for subject in subjects:
        staff = subject.staff
        colleagues = [p for p in by_unit[staff.unit_id] if p.pk not in (staff.pk, staff.manager_id)]
        peers = rng.sample(colleagues, k=min(len(colleagues), rng.choice([2, 3, 3, 4])))
        reports = [p for p in colleagues if p.manager_id == staff.pk][:3]
        for rater in peers:
            if rater in reports:
                continue
            invitations.append(
                Invitation(
                    subject=subject,
                    relationship=Relationship.PEER,
                    rater=rater,
                    status=InvitationStatus.SUBMITTED,
                    decided_at=now,
                    submitted_at=now,
                )
            )
        for rater in reports:
            invitations.append(
                Invitation(
                    subject=subject,
                    relationship=Relationship.DIRECT_REPORT,
                    rater=rater,
                    status=InvitationStatus.SUBMITTED,
                    decided_at=now,
                    submitted_at=now,
                )
            )
    Invitation.objects.bulk_create(invitations)
    answered = list(
        Invitation.objects.filter(subject__campaign=campaign).exclude(
            relationship=Relationship.SELF
        )
    )
    answers = []
    for invitation in answered:
        leaning = rng.choice([-1, 0, 0, 0, 1])
        for question in questions:
            if question.is_rating:
                rating = min(5, max(1, rng.choice([3, 4, 4, 5]) + leaning))
                answers.append(Answer(invitation=invitation, question=question, rating=rating))
            elif rng.random() < 0.6:
                answers.append(
                    Answer(
                        invitation=invitation, question=question, comment=rng.choice(PEER_COMMENTS)
                    )
                )
    Answer.objects.bulk_create(answers)
    Invitation.objects.filter(pk__in=[i.pk for i in answered]).update(
        status=InvitationStatus.SUBMITTED, submitted_at=now
    )


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def build(*, actor: Any, rng: random.Random, today: dt.date | None = None) -> dict[str, int]:
    """Create the demo appraisal data that is missing; return what was created by kind."""
    created = {"kpis": 0, "templates": 0, "measurements": 0, "cycles": 0}
    today = today or timezone.localdate()
    kpis = {kpi.code: kpi for kpi in Kpi.objects.filter(code__in=[row[0] for row in KPIS])}
    for row in KPIS:
        code, name, name_en, category, unit, direction, aggregation, rule = row[:8]
        threshold, target, stretch, per_unit, bands, veto, _base, definition = row[8:]
        if code in kpis:
            continue
        kpis[code] = services.kpi_create(
            actor=actor,
            code=code,
            name=name,
            name_en=name_en,
            definition=definition,
            category=category,
            unit=unit,
            direction=direction,
            aggregation=aggregation,
            rule=rule,
            threshold=_dec(threshold),
            target=_dec(target),
            stretch=_dec(stretch),
            per_unit=_dec(per_unit),
            bands=bands,
            missing_rule=MissingRule.SPREAD,
            is_veto=veto,
        )
        created["kpis"] += 1
    positions = {p.code: p for p in Position.objects.filter(code__in=list(TEMPLATES))}
    for code, items in TEMPLATES.items():
        position = positions.get(code)
        if position is None or KpiTemplate.objects.filter(position=position).exists():
            continue
        template = services.kpi_template_save(
            actor=actor,
            position=position,
            items=[{"kpi": kpis[k], "weight": Decimal(w)} for k, w in items],
            note="演示模板",
        )
        services.kpi_template_activate(actor=actor, template=template)
        created["templates"] += 1
    if not Measurement.objects.filter(batch__startswith="demo-").exists():
        created["measurements"] = _measurements(kpis, rng, PAST[2], min(CURRENT[3], today))
    questionnaire = _questionnaire(actor)
    if not ReviewCycle.objects.filter(name=PAST[0]).exists():
        _past_cycle(actor, rng, today, questionnaire)
        created["cycles"] += 1
    if not ReviewCycle.objects.filter(name=CURRENT[0]).exists():
        _current_cycle(actor, today, questionnaire)
        created["cycles"] += 1
    created["one_on_ones"] = _one_on_ones(rng, today)
    return created


AGENDA = ["双十一复盘", "下季度目标", "新人带教进展", "数据看板需求", "职业发展想法"]
ACTIONS = ["整理大促复盘文档", "和数据组对齐转化率口径", "报名数据分析进阶课程", "优化客服话术库"]


def _one_on_ones(rng: random.Random, today: dt.date) -> int:
    """Biweekly 1:1s between the demo manager and each of her reports, with two past meetings
    each: agenda, shared notes, action items and the manager's private note."""
    from opsteam.accounts.models import User
    from opsteam.performance import services_coaching as coaching
    from opsteam.performance.models_coaching import OneOnOne

    manager_user = User.objects.filter(username="manager").select_related("staff").first()
    if manager_user is None or OneOnOne.objects.filter(manager=manager_user.staff).exists():
        return 0
    boss = manager_user.staff
    created = 0
    for report in Staff.objects.filter(manager=boss).exclude(status="left").order_by("pk")[:8]:
        series = coaching.one_on_one_create(
            actor=manager_user, report=report, next_date=today + dt.timedelta(days=7)
        )
        for weeks_ago in (4, 2):
            meeting = coaching.meeting_create(
                actor=manager_user,
                series=series,
                date=today - dt.timedelta(weeks=weeks_ago),
                shared_notes="本周重点：" + rng.choice(AGENDA) + "。进展顺利，下次继续跟进。",
            )
            for topic in rng.sample(AGENDA, k=2):
                coaching.agenda_item_add(actor=manager_user, meeting=meeting, text=topic)
            item = coaching.action_item_add(
                actor=manager_user,
                meeting=meeting,
                text=rng.choice(ACTIONS),
                owner=report,
                due_date=today + dt.timedelta(days=rng.randint(-3, 14)),
            )
            if weeks_ago == 4:
                coaching.action_item_set_status(actor=manager_user, item=item, status="done")
            coaching.private_note_save(
                actor=manager_user, meeting=meeting, body="状态不错，可以多给一些挑战性任务。"
            )
        created += 1
    return created


def _measurements(kpis: dict[str, Kpi], rng: random.Random, start: dt.date, end: dt.date) -> int:
    """Daily values on working days for everyone with a template, from ``start`` to ``end``."""
    base = {row[0]: row[14] for row in KPIS}
    templates = {code: [k for k, _w in items] for code, items in TEMPLATES.items()}
    staff = list(
        Staff.objects.exclude(status="left")
        .filter(unit__path__startswith=_company_path())
        .exclude(unit__code__startswith=_scale_prefix())
        .select_related("position")
    )
    now = timezone.now()
    rows = []
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    days = [day for day in days if day.weekday() < 5]
    for person in staff:
        ability = rng.uniform(0.7, 1.18)
        for code in templates.get(person.position.code, []):
            kpi = kpis[code]
            for day in days:
                value, denominator = _value(code, base[code], ability, rng, day, days[-1])
                if value is None:
                    continue
                rows.append(
                    (
                        person.pk,
                        kpi.pk,
                        day,
                        Decimal(str(round(value, 4))),
                        None if denominator is None else Decimal(str(denominator)),
                        MeasurementSource.IMPORT,
                        f"demo-{day:%Y-%m}",
                        now,
                    )
                )
    return bulk.insert_rows(
        Measurement,
        ("staff", "kpi", "date", "value", "denominator", "source", "batch", "recorded_at"),
        rows,
    )


def _value(
    code: str, base: float, ability: float, rng: random.Random, day: dt.date, last: dt.date
) -> tuple[float | None, int | None]:
    """One day's (value, denominator) for a person of ``ability`` (1.0 = exactly on target)."""
    if code == "CONV":
        visitors = rng.randint(800, 1500)
        return round(visitors * base * ability * rng.uniform(0.85, 1.15)), visitors
    if code == "REFUND":
        orders = rng.randint(30, 60)
        return round(orders * base / ability * rng.uniform(0.6, 1.4)), orders
    if code == "RESP":
        return base / ability * rng.uniform(0.8, 1.2), None
    if code == "CSAT":
        return min(5.0, 4.75 + (ability - 1.0) * 0.6 + rng.uniform(-0.1, 0.1)), None
    if code == "PROJ":
        # Only the period-end confirmation counts (LAST); weaker performers sometimes miss.
        return (1.0 if ability > 0.85 or rng.random() < 0.5 else 0.0), None
    if code == "COMPLAINT":
        return (1.0 if rng.random() < 0.0004 else 0.0), None
    return base * ability * rng.uniform(0.7, 1.3), None


def _company_path() -> str:
    from opsteam.org.demo import COMPANY
    from opsteam.org.models import OrgUnit

    return OrgUnit.objects.get(code=COMPANY[0]).path


def _scale_prefix() -> str:
    from opsteam.org.demo import SCALE_PREFIX

    return SCALE_PREFIX


def _base_units() -> list[Any]:
    """The demo company's own departments (not the generated regional centres of scale mode)."""
    from opsteam.org.demo import COMPANY, SCALE_PREFIX
    from opsteam.org.models import OrgUnit

    return list(
        OrgUnit.objects.filter(parent__code=COMPANY[0]).exclude(code__startswith=SCALE_PREFIX)
    )


def _past_cycle(actor: Any, rng: random.Random, today: dt.date, questionnaire: Any) -> None:
    """A finished quarter: reviewed, calibrated, published, mostly acknowledged, one appeal."""
    name, name_en, start, end = PAST
    cycle = services_cycles.cycle_create(
        actor=actor,
        name=name,
        name_en=name_en,
        period_start=start,
        period_end=end,
        formula="0.6 * kpi + 0.2 * competency + 0.2 * manager",
        questionnaire=questionnaire,
        data_deadline=end + dt.timedelta(days=7),
        goal_deadline=start + dt.timedelta(days=10),
        self_review_deadline=end + dt.timedelta(days=5),
        # The quarter's 360 stays answerable, and its results appealable, a few days after the
        # demo is loaded (a campaign cannot open with a deadline in the past).
        feedback_deadline=max(end + dt.timedelta(days=10), today + dt.timedelta(days=5)),
        acknowledgement_deadline=max(end + dt.timedelta(days=28), today + dt.timedelta(days=10)),
        units=_base_units(),
    )
    services_cycles.cycle_launch(actor=actor, cycle=cycle)
    _advance(actor, cycle, CycleStage.SELF_REVIEW)
    reviews = list(
        Review.objects.filter(cycle=cycle).select_related("staff__user", "reviewer__user")
    )
    for review in reviews:
        user = review.staff.user
        if user is not None and rng.random() < 0.95:
            services_cycles.review_self_submit(
                actor=user,
                review=review,
                rating=rng.randint(3, 5),
                comment="完成季度目标，持续优化日常运营。",
            )
    _advance(actor, cycle, CycleStage.FEEDBACK)
    cycle.refresh_from_db()
    _feedback_answers(cycle, rng)
    _advance(actor, cycle, CycleStage.MANAGER_REVIEW)
    for review in Review.objects.filter(cycle=cycle):
        services_cycles.review_manager_submit(
            actor=actor,
            review=review,
            rating=rng.choice([3, 3, 4, 4, 4, 5, 2]),
            comment=rng.choice(COMMENTS),
            potential=rng.choice([1, 2, 2, 3]),
        )
    _advance(actor, cycle, CycleStage.CALIBRATION)
    for review in Review.objects.filter(cycle=cycle, grade=""):
        services_cycles.grade_change(
            actor=actor, review=review, grade="B", justification="无 KPI 数据，按经理评价定级。"
        )
    top = Review.objects.filter(cycle=cycle, grade="A").order_by("-final_score").first()
    if top is not None:
        services_cycles.grade_change(
            actor=actor,
            review=top,
            grade="S",
            justification="主导大促项目，贡献突出（校准会一致通过）。",
        )
    _advance(actor, cycle, CycleStage.PUBLISHED)
    published = list(
        Review.objects.filter(cycle=cycle).select_related("staff__user").order_by("pk")
    )
    for review in published:
        user = review.staff.user
        if user is None or user.username == "operator":
            continue  # the demo operator confirms (or appeals) their result themself
        if user.username == "operator2":
            appeal = services_cycles.appeal_file(
                actor=user, review=review, reason="九月大促数据未计入，申请复核。"
            )
            services_cycles.appeal_resolve(
                actor=actor,
                appeal=appeal,
                upheld=False,
                outcome="已核对：大促数据已计入，维持原评级。",
            )
        services_cycles.review_acknowledge(actor=user, review=review)
    _advance(actor, cycle, CycleStage.ACKNOWLEDGEMENT)


def _current_cycle(actor: Any, today: dt.date, questionnaire: Any) -> None:
    """This quarter's cycle, open for self-reviews."""
    name, name_en, start, end = CURRENT
    cycle = services_cycles.cycle_create(
        actor=actor,
        name=name,
        name_en=name_en,
        period_start=start,
        period_end=end,
        formula="0.6 * kpi + 0.2 * competency + 0.2 * manager",
        questionnaire=questionnaire,
        data_deadline=end + dt.timedelta(days=7),
        goal_deadline=start + dt.timedelta(days=10),
        self_review_deadline=max(today + dt.timedelta(days=10), start + dt.timedelta(days=20)),
        feedback_deadline=max(end + dt.timedelta(days=7), today + dt.timedelta(days=20)),
        manager_review_deadline=end + dt.timedelta(days=12),
        calibration_deadline=end + dt.timedelta(days=18),
        acknowledgement_deadline=end + dt.timedelta(days=28),
        units=_base_units(),
    )
    services_cycles.cycle_launch(actor=actor, cycle=cycle)
    _advance(actor, cycle, CycleStage.SELF_REVIEW)


def _advance(actor: Any, cycle: ReviewCycle, stage: str) -> None:
    cycle.refresh_from_db()
    from opsteam.performance import cycles

    while cycle.stage != stage:
        target = cycles.next_stage(cycle.stage, uses_feedback=services_cycles.uses_feedback(cycle))
        cycle = services_cycles.cycle_advance(actor=actor, cycle=cycle, stage=target)
