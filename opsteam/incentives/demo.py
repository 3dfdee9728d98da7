"""Demo incentives: bonus policies, salaries, an approved and exported bonus pool, a draft pool,
company values, kudos, a team commendation, badges and non-cash rewards (idempotent: nothing is
created twice).

What a user would see after ``load_demo``:

- the standard bonus policy (S 2.0, A 1.5, B 1.0, C 0.5, D 0; one month's base; capped at three
  times the base; no floor; rounded to 1 yuan) and a KPI-linked one;
- a monthly base salary for every demo person (from their hire and each level change after it);
- the operations department's pool for the latest published review cycle: allocated (the lines
  add up to the budget exactly), approved by someone other than who submitted it, exported to
  payroll, so each person's bonus is in their reward history; the HR department's pool for the
  same cycle still a draft, waiting to be allocated;
- the company values 客户第一 / 数据驱动 / 团队协作 / 拥抱变化, kudos between colleagues, the store
  team commended for the Double 11 campaign, badges (one awarded by hand, the rest awarded from
  data by the nightly job: the GMV top-decile badge needs at least 10 people scored on GMV in
  the latest published cycle, and the performance demo scores the store and marketing people,
  about 19, so the best of them hold it) and two non-cash rewards (a training place, a
  conference budget).

Everything goes through the services, as real use would.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.utils import timezone

from opsteam.core import audit
from opsteam.incentives import services, services_recognition
from opsteam.incentives.choices import BadgeCriterion, RewardKind
from opsteam.incentives.models import (
    Badge,
    BonusPolicy,
    BonusPool,
    CompanyValue,
    Kudos,
    RewardEntry,
    TeamCommendation,
)
from opsteam.org import services as org_services
from opsteam.org.models import Assignment, Compensation, OrgUnit, Staff
from opsteam.performance.models import Review, ReviewCycle

MULTIPLIERS = {"S": "2.0", "A": "1.5", "B": "1.0", "C": "0.5", "D": "0"}
# code, name, English name, fields
POLICIES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "STANDARD",
        "标准绩效奖金方案",
        "Standard performance bonus",
        {"use_kpi_factor": False},
    ),
    (
        "KPI-LINKED",
        "KPI 挂钩绩效奖金方案",
        "KPI-linked performance bonus",
        {
            "use_kpi_factor": True,
            "kpi_factor_min": Decimal("0.50"),
            "kpi_factor_max": Decimal("1.50"),
        },
    ),
]
POLICY_DEFAULTS = {
    "base_months": Decimal("1"),
    "cap_multiple": Decimal("3"),
    "floor_amount": Decimal("0"),
    "rounding_unit": Decimal("1"),
}
# Monthly base salary by level (CNY); each person sits a little above or below it.
SALARY = {
    "P1": 6500,
    "P2": 8500,
    "P3": 12000,
    "P4": 16000,
    "P5": 22000,
    "M1": 18000,
    "M2": 25000,
    "M3": 35000,
}
# The pool's budget is this share of what everyone's grade multiplier would pay in full.
BUDGET_SHARE = Decimal("0.9")
# The store team's pool is approved and paid; the content team's waits to be allocated.
POOL_UNIT, DRAFT_UNIT = "OPS-STORE", "OPS-CONTENT"

VALUES = [
    ("CUSTOMER", "客户第一", "Customer first",
     "从客户体验出发做决定，快速响应、真诚解决问题。",
     "Decide from the customer's experience; respond fast and solve problems sincerely."),
    ("DATA", "数据驱动", "Data-driven",
     "用数据发现问题、验证效果，不拍脑袋。",
     "Find problems and prove results with data, not hunches."),
    ("TEAMWORK", "团队协作", "Teamwork",
     "主动补位、分享经验，一起达成团队目标。",
     "Step in, share what you know and reach the team's goals together."),
    ("CHANGE", "拥抱变化", "Embrace change",
     "积极适应平台与市场变化，勇于尝试新方法。",
     "Adapt to platform and market changes; dare to try new ways."),
]  # fmt: skip
# sender login, recipient (login or employee number), value, message, points
KUDOS = [
    ("manager", "operator", "DATA",
     "双十一前用数据复盘了转化漏斗，找出详情页跳失的问题，转化率明显提升。", 20),
    ("manager", "E10011", "TEAMWORK", "大促期间主动带新人盯价盯库存，全程零差错。", 20),
    ("operator", "E10011", "TEAMWORK", "手把手教我做活动报名和价格检查，太靠谱了！", 10),
    ("director", "E10011", "CUSTOMER", "618 期间连夜处理超卖订单，守住了店铺 DSR。", 30),
    ("director", "manager", "CHANGE", "抖音小店从零搭建，带着团队很快适应了新平台的玩法。", 20),
    ("operator", "manager", "CUSTOMER", "遇到客诉时第一时间帮我出主意，客户最后给了好评。", 10),
    ("operator2", "E10022", "DATA", "帮我搭了内容数据看板，选题命中率提高了不少。", 10),
    ("hr", "E10005", "CUSTOMER", "客服质检流程改版后，差评回访率大幅提升。", 20),
    ("hr", "operator2", "CHANGE", "转岗到内容组后很快上手，主动学习剪辑与文案。", 10),
]  # fmt: skip
COMMENDATION = {
    "unit": "OPS-STORE",
    "title": "双十一大促攻坚团队",
    "citation": "双十一期间店铺运营组 GMV 达成 112%，零价格事故，店铺 DSR 保持 4.9。",
    "value": "CUSTOMER",
    "points_each": 20,
}
# code, name, English name, description, English description, criterion, extra fields
BADGES: list[tuple[str, str, str, str, str, str, dict[str, Any]]] = [
    ("CAMPAIGN-STAR", "大促之星", "Campaign star",
     "在大促中贡献突出，由 HR 根据校准结果授予。",
     "An outstanding contribution to a sales campaign, awarded by HR after calibration.",
     BadgeCriterion.MANUAL, {"points": 100}),
    ("ONBOARDED", "入职毕业", "Onboarding graduate",
     "完成新员工入职培训计划的全部必修课。",
     "Completed every required course of the new-hire onboarding plan.",
     BadgeCriterion.PLAN_COMPLETED, {"plan": "ONBOARD", "points": 30}),
    ("KUDOS-3", "人气伙伴", "Colleagues' favourite",
     "收到同事的 3 次及以上点赞。", "Received kudos from colleagues three times or more.",
     BadgeCriterion.KUDOS_RECEIVED, {"threshold": 3, "points": 50}),
    ("GMV-TOP10", "GMV 前 10%", "GMV top decile",
     "最近一个已发布考核周期中，店铺成交额得分位列前 10%。",
     "In the top 10% on store GMV in the latest published review cycle.",
     BadgeCriterion.KPI_TOP_DECILE, {"kpi": "GMV", "points": 50}),
]  # fmt: skip
# recipient (employee number, or None for the cycle's best grade), kind, title, amount, note
NON_CASH = [
    (None, RewardKind.TRAINING_PLACE, "外部培训名额：电商运营高级研修班", None,
     "季度考核最佳，获得外部进修名额。"),
    ("E10006", RewardKind.CONFERENCE, "2026 电商增长峰会参会预算", Decimal("5000"),
     "在峰会分享 BI 看板实践。"),
]  # fmt: skip


def build(*, actor: Any, rng: random.Random, today: dt.date | None = None) -> dict[str, int]:
    """Create the missing demo incentives; return what was created by kind."""
    today = today or timezone.localdate()
    created: Counter[str] = Counter()
    users = _users(actor)
    hr = users.get("hr", actor)
    policies = _policies(hr, created)
    _salaries(hr, rng, created)
    _pools(users, actor, policies, created)
    values = _values(hr, created)
    _kudos(users, values, created)
    _commendation(users, values, created)
    _badges(hr, created)
    _rewards(hr, today, created)
    return {kind: count for kind, count in created.items() if count}


def _users(admin: Any) -> dict[str, Any]:
    from opsteam.accounts.models import User

    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=["hr", "manager", "director", "operator", "operator2"]
        ).select_related("staff")
    }
    users["admin"] = admin
    return users


def _base_staff() -> Any:
    """The demo company's own people (not the generated regional centres of scale mode)."""
    from opsteam.org.demo import COMPANY, SCALE_PREFIX

    company = OrgUnit.objects.filter(code=COMPANY[0]).first()
    if company is None:
        return Staff.objects.none()
    return Staff.objects.filter(unit__path__startswith=company.path).exclude(
        unit__code__startswith=SCALE_PREFIX
    )


def _policies(actor: Any, created: Counter[str]) -> dict[str, BonusPolicy]:
    policies = {p.code: p for p in BonusPolicy.objects.filter(code__in=[r[0] for r in POLICIES])}
    for code, name, name_en, fields in POLICIES:
        if code in policies:
            continue
        policies[code] = services.policy_save(
            actor=actor,
            code=code,
            name=name,
            name_en=name_en,
            multipliers=dict(MULTIPLIERS),
            **POLICY_DEFAULTS,
            **fields,
        )
        created["policies"] += 1
    return policies


def _salaries(actor: Any, rng: random.Random, created: Counter[str]) -> None:
    """A base salary from each person's hire and each later change of level (demo people who
    have none yet; the assignment history says when the level changed)."""
    people = list(
        _base_staff()
        .exclude(pk__in=Compensation.objects.values("staff_id"))
        .order_by("employee_no")
    )
    history: dict[int, list[tuple[dt.date, str]]] = {}
    for staff_id, start, code in (
        Assignment.objects.filter(staff__in=people, level__isnull=False)
        .order_by("staff_id", "start_date", "pk")
        .values_list("staff_id", "start_date", "level__code")
    ):
        history.setdefault(staff_id, []).append((start, code))
    for person in people:
        offset = rng.randint(-8, 8) * 100  # drawn for everyone: the sequence stays put
        previous = None
        for start, code in history.get(person.pk, []):
            if code == previous or code not in SALARY:
                continue
            org_services.compensation_set(
                actor=actor,
                staff=person,
                effective_from=start,
                base_salary=Decimal(SALARY[code] + offset),
                note="入职定薪" if previous is None else f"晋升 {code} 调薪",
            )
            previous = code
            created["salaries"] += 1


def _latest_published_cycle() -> ReviewCycle | None:
    from opsteam.careers.selectors import PUBLISHED_REVIEW_STATUSES

    cycle_id = (
        Review.objects.filter(status__in=PUBLISHED_REVIEW_STATUSES)
        .order_by("-cycle__period_end")
        .values_list("cycle_id", flat=True)
        .first()
    )
    return ReviewCycle.objects.filter(pk=cycle_id).first() if cycle_id else None


def _budget(pool: BonusPool) -> Decimal:
    """A share of what the pool's people would get at their full multiplier, in thousands."""
    multipliers = {grade: Decimal(value) for grade, value in pool.policy.multipliers.items()}
    full = sum(
        (
            p.base * multipliers.get(p.grade, Decimal(0)) * p.days / p.period_days
            for _member, p in services.pool_participants(pool)
        ),
        Decimal(0),
    )
    thousands = (full * BUDGET_SHARE / 1000).to_integral_value(rounding=ROUND_FLOOR)
    return max(thousands, Decimal(1)) * 1000


def _pools(
    users: dict[str, Any], admin: Any, policies: dict[str, BonusPolicy], created: Counter[str]
) -> None:
    """The store team's pool of the latest published cycle, allocated, approved (HR submits,
    the administrator approves) and exported; the content team's still a draft."""
    cycle = _latest_published_cycle()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[POOL_UNIT, DRAFT_UNIT])}
    if cycle is None or POOL_UNIT not in units:
        return
    hr = users.get("hr", admin)
    name = "{cycle} · {unit}奖金池"
    if not BonusPool.objects.filter(cycle=cycle, unit=units[POOL_UNIT]).exists():
        draft = BonusPool(cycle=cycle, unit=units[POOL_UNIT], policy=policies["STANDARD"])
        pool = services.pool_create(
            actor=hr,
            cycle=cycle,
            unit=units[POOL_UNIT],
            policy_row=policies["STANDARD"],
            budget=_budget(draft),
            name=name.format(cycle=cycle.name, unit=units[POOL_UNIT].name),
        )
        services.pool_allocate(actor=hr, pool=pool)
        services.pool_submit(actor=hr, pool=pool)
        services.pool_decide(
            actor=admin, pool=pool, approve=True, note="在季度预算内，按标准方案发放。"
        )
        services.pool_export(actor=hr, pool=pool)
        created["pools"] += 1
        created["bonus_lines"] += pool.lines.count()
    if (
        DRAFT_UNIT in units
        and not BonusPool.objects.filter(cycle=cycle, unit=units[DRAFT_UNIT]).exists()
    ):
        draft = BonusPool(cycle=cycle, unit=units[DRAFT_UNIT], policy=policies["KPI-LINKED"])
        services.pool_create(
            actor=hr,
            cycle=cycle,
            unit=units[DRAFT_UNIT],
            policy_row=policies["KPI-LINKED"],
            budget=_budget(draft),
            name=name.format(cycle=cycle.name, unit=units[DRAFT_UNIT].name),
        )
        created["pools"] += 1


def _values(actor: Any, created: Counter[str]) -> dict[str, CompanyValue]:
    values = {v.code: v for v in CompanyValue.objects.filter(code__in=[r[0] for r in VALUES])}
    for order, (code, name, name_en, text, text_en) in enumerate(VALUES, start=1):
        if code in values:
            continue
        values[code] = services_recognition.value_create(
            actor=actor,
            code=code,
            name=name,
            name_en=name_en,
            description=text,
            description_en=text_en,
            order=order,
        )
        created["values"] += 1
    return values


def _person(users: dict[str, Any], who: str) -> Staff | None:
    user = users.get(who)
    if user is not None:
        return getattr(user, "staff", None)
    return _base_staff().filter(employee_no=who).first()


def _kudos(users: dict[str, Any], values: dict[str, CompanyValue], created: Counter[str]) -> None:
    messages = [row[3] for row in KUDOS]
    sent = set(Kudos.objects.filter(message__in=messages).values_list("message", flat=True))
    for sender, recipient, value, message, points in KUDOS:
        person = _person(users, recipient)
        user = users.get(sender)
        if message in sent or person is None or getattr(user, "staff", None) is None:
            continue
        services.kudos_give(
            actor=user, recipient=person, value=values[value], message=message, points=points
        )
        created["kudos"] += 1


def _commendation(
    users: dict[str, Any], values: dict[str, CompanyValue], created: Counter[str]
) -> None:
    unit = OrgUnit.objects.filter(code=COMMENDATION["unit"]).first()
    director = users.get("director")
    if (
        unit is None
        or director is None
        or TeamCommendation.objects.filter(title=COMMENDATION["title"]).exists()
    ):
        return
    services.commendation_award(
        actor=director,
        unit=unit,
        title=COMMENDATION["title"],
        citation=COMMENDATION["citation"],
        value=values[COMMENDATION["value"]],
        points_each=COMMENDATION["points_each"],
    )
    created["commendations"] += 1


def _best_performer() -> Staff | None:
    """The best-graded person of the latest published cycle (the campaign star)."""
    from opsteam.careers.selectors import grade_scale

    cycle = _latest_published_cycle()
    if cycle is None:
        return None
    reviews = Review.objects.filter(cycle=cycle, staff__in=_base_staff()).select_related("staff")
    for grade in grade_scale().names:
        review = reviews.filter(grade=grade).order_by("-final_score", "staff__employee_no").first()
        if review is not None:
            return review.staff
    return None


def _badges(actor: Any, created: Counter[str]) -> None:
    """The badges; the campaign star awarded by hand, the others by the nightly job's rules."""
    from opsteam.performance.models import Kpi
    from opsteam.training.models import TrainingPlan

    badges = {b.code: b for b in Badge.objects.filter(code__in=[row[0] for row in BADGES])}
    plans = {p.code: p for p in TrainingPlan.objects.all()}
    kpis = {k.code: k for k in Kpi.objects.all()}
    for code, name, name_en, text, text_en, criterion, extra in BADGES:
        if code in badges:
            continue
        fields = dict(extra)
        if "plan" in fields:
            fields["plan"] = plans.get(fields["plan"])
        if "kpi" in fields:
            fields["kpi"] = kpis.get(fields["kpi"])
        if fields.get("plan", True) is None or fields.get("kpi", True) is None:
            continue  # the training or appraisal demo is missing
        badges[code] = services_recognition.badge_create(
            actor=actor,
            code=code,
            name=name,
            name_en=name_en,
            description=text,
            description_en=text_en,
            criterion=criterion,
            **fields,
        )
        created["badges"] += 1
    star, person = badges.get("CAMPAIGN-STAR"), _best_performer()
    if star is not None and person is not None and not star.awards.exists():
        cycle = _latest_published_cycle()
        services.badge_award(
            actor=actor, badge=star, staff=person, evidence=f"{cycle.name}校准会一致通过"
        )
        created["badge_awards"] += 1
    created["badge_awards"] += services.badges_award_automatic(actor=None)


def _rewards(actor: Any, today: dt.date, created: Counter[str]) -> None:
    for who, kind, title, amount, note in NON_CASH:
        person = _best_performer() if who is None else _base_staff().filter(employee_no=who).first()
        if person is None or RewardEntry.objects.filter(staff=person, title=title).exists():
            continue
        services.reward_grant(
            actor=actor,
            staff=person,
            kind=kind,
            title=title,
            amount=amount,
            note=note,
            granted_on=today,
        )
        created["rewards"] += 1


def build_incentives_demo(seed: int = 7) -> dict[str, int]:
    """Load the incentives demo in one transaction, audited as the system (idempotent)."""
    from django.db import transaction

    from opsteam.accounts.models import User
    from opsteam.core.choices import AuditSource

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        admin = User.objects.get(username="admin")
        return build(actor=admin, rng=random.Random(seed))  # noqa: S311 - demo data
