"""Writes of the incentives app: bonus pools and their approval, the reward ledger, recognition.

A pool is allocated from the cycle's published or calibrated grades, each person's base salary
on the last day of the period and the days they were employed in it; ``rewards.allocate`` does
the arithmetic. The flow is draft → submitted → approved (by someone other than the submitter)
→ exported to payroll, or sent back to draft. Approval writes one ``RewardEntry`` per person, so
the reward history holds bonuses next to promotions, training places, kudos and badges.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, bulk, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.incentives import rewards
from opsteam.incentives.choices import BadgeCriterion, PoolStatus, RewardKind
from opsteam.incentives.models import (
    Badge,
    BadgeAward,
    BonusLine,
    BonusPolicy,
    BonusPool,
    CompanyValue,
    Kudos,
    RewardEntry,
    TeamCommendation,
)
from opsteam.org.choices import StaffStatus
from opsteam.org.models import Compensation, OrgUnit, Staff
from opsteam.performance.models import Review, ReviewCycle

HUNDRED = Decimal(100)
KUDOS_PER_DAY = 5


def _today() -> dt.date:
    return timezone.localdate()


def engine_policy(policy_row: BonusPolicy) -> rewards.Policy:
    """The engine's view of a bonus policy row."""
    try:
        multipliers = {
            grade: Decimal(str(value)) for grade, value in policy_row.multipliers.items()
        }
    except (ArithmeticError, AttributeError, ValueError) as exc:
        raise ValidationFailed(
            _("Grade multipliers must be numbers."), field="multipliers"
        ) from exc
    try:
        return rewards.Policy(
            multipliers=multipliers,
            rounding_unit=policy_row.rounding_unit,
            cap_multiple=policy_row.cap_multiple,
            cap_amount=policy_row.cap_amount,
            floor_amount=policy_row.floor_amount,
            kpi_factor_min=policy_row.kpi_factor_min,
            kpi_factor_max=policy_row.kpi_factor_max,
        )
    except rewards.InputError as exc:
        raise ValidationFailed(str(exc), field=getattr(exc, "field", None)) from exc


@transaction.atomic
def policy_save(*, actor: Any, policy_row: BonusPolicy | None = None, **fields: Any) -> BonusPolicy:
    """Create or edit a bonus policy; multipliers are checked by the engine's rules."""
    policy.require(actor, "change" if policy_row else "add", BonusPolicy)
    before = audit.snapshot(policy_row) if policy_row else None
    policy_row = policy_row or BonusPolicy()
    for name, value in fields.items():
        setattr(policy_row, name, value)
    full_clean(policy_row)
    engine_policy(policy_row)
    policy_row.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=policy_row,
        before=before,
    )
    return policy_row


@transaction.atomic
def pool_create(
    *,
    actor: Any,
    cycle: ReviewCycle,
    unit: OrgUnit,
    policy_row: BonusPolicy,
    budget: Decimal,
    name: str = "",
    currency: str = "CNY",
) -> BonusPool:
    policy.require(actor, "add", BonusPool)
    # A pool covers the unit's whole subtree: a pool of an ancestor or a descendant unit in the
    # same cycle would pay the same people a second bonus.
    ancestors = [
        unit.path[:end] for end in range(1, len(unit.path) + 1) if unit.path[end - 1] == "/"
    ]
    overlapping = (
        BonusPool.objects.filter(cycle=cycle)
        .filter(Q(unit__path__in=ancestors) | Q(unit__path__startswith=unit.path))
        .first()
    )
    if overlapping is not None:
        raise ValidationFailed(
            _("{pool} already shares a budget among the people of {unit} in this cycle.").format(
                pool=overlapping, unit=unit
            ),
            field="unit",
        )
    pool = BonusPool(
        cycle=cycle,
        unit=unit,
        policy=policy_row,
        budget=budget,
        currency=currency,
        name=name or f"{cycle} · {unit}",
    )
    full_clean(pool)
    pool.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=pool)
    return pool


def _days_in_period(
    hire_date: dt.date, leave_date: dt.date | None, start: dt.date, end: dt.date
) -> int:
    first = max(start, hire_date)
    last = min(end, leave_date) if leave_date else end
    return max(0, (last - first).days + 1)


class PoolMember(NamedTuple):
    """A graded person of a pool's cycle (what a line records beside the engine's figures)."""

    staff_id: int
    unit_id: int
    grade: str
    employee_no: str


def pool_participants(
    pool: BonusPool, policy_row: BonusPolicy | None = None
) -> list[tuple[PoolMember, rewards.Participant]]:
    """The cycle's graded reviews of people in the pool's unit subtree, as engine inputs.

    The base (months of salary) and the KPI factor follow ``policy_row`` (the pool's policy
    when None): a what-if under another policy must use that policy's own settings.

    Two reads of plain values (no model instances: 10,000 people): the reviews with the
    person's dates, and the base salaries in force on the period's last day.
    """
    cycle = pool.cycle
    reviews = list(
        Review.objects.filter(
            cycle=cycle, unit__in=OrgUnit.objects.filter(path__startswith=pool.unit.path)
        )
        .exclude(grade="")
        .order_by("staff__employee_no")
        .values_list(
            "staff_id",
            "unit_id",
            "grade",
            "kpi_score",
            "staff__employee_no",
            "staff__hire_date",
            "staff__leave_date",
        )
    )
    salaries: dict[int, Decimal] = {}
    rows = (
        Compensation.objects.filter(
            staff__in=Review.objects.filter(cycle=cycle).values("staff_id"),
            effective_from__lte=cycle.period_end,
        )
        .order_by("staff_id", "effective_from", "pk")
        .values_list("staff_id", "base_salary")
    )
    for staff_id, salary in rows:
        salaries[staff_id] = Decimal(salary)  # the last one in force wins
    period_days = (cycle.period_end - cycle.period_start).days + 1
    policy_row = policy_row or pool.policy
    use_kpi = policy_row.use_kpi_factor
    months = policy_row.base_months
    cent = Decimal("0.01")
    result = []
    for staff_id, unit_id, grade, kpi_score, employee_no, hired, left in reviews:
        base = salaries.get(staff_id, Decimal(0)) * months
        kpi = (kpi_score / HUNDRED) if use_kpi and kpi_score is not None else None
        result.append(
            (
                PoolMember(staff_id, unit_id, grade, employee_no),
                rewards.Participant(
                    staff_id=staff_id,
                    base=base.quantize(cent),
                    grade=grade,
                    kpi_factor=kpi,
                    days=_days_in_period(hired, left, cycle.period_start, cycle.period_end),
                    period_days=period_days,
                ),
            )
        )
    return result


def pool_simulate(
    pool: BonusPool, *, budget: Decimal | None = None, policies: Mapping[str, BonusPolicy]
) -> dict[str, rewards.Allocation]:
    """What-if: the pool's people allocated under other policies or budgets; writes nothing.

    Each policy applies its own base months and KPI factor switch, not the pool's.
    """
    inputs: dict[tuple[Decimal, bool], list[rewards.Participant]] = {}
    results: dict[str, rewards.Allocation] = {}
    for name, row in policies.items():
        key = (row.base_months, row.use_kpi_factor)
        if key not in inputs:
            inputs[key] = [participant for _member, participant in pool_participants(pool, row)]
        try:
            results.update(
                rewards.simulate(
                    budget if budget is not None else pool.budget,
                    inputs[key],
                    {name: engine_policy(row)},
                )
            )
        except rewards.InputError as exc:
            raise ValidationFailed(str(exc), field=getattr(exc, "field", None)) from exc
    return results


def _locked(pool: BonusPool) -> BonusPool:
    """Reload ``pool`` as stored now and lock its row until the transaction ends, so a page
    loaded earlier (or a second approver's) neither decides on a stale status nor writes stale
    fields back. The caller's instance is refreshed in place."""
    pool.refresh_from_db(from_queryset=BonusPool.objects.select_for_update())
    return pool


def _require_editable(pool: BonusPool) -> None:
    if pool.status not in (PoolStatus.DRAFT, PoolStatus.REJECTED):
        raise InvalidTransition(_("The pool has been submitted; send it back to change it."))


@transaction.atomic
def pool_allocate(*, actor: Any, pool: BonusPool) -> rewards.Allocation:
    """Split the budget and store one line per person (replacing earlier lines)."""
    policy.require(actor, "change", pool)
    pool = _locked(pool)
    _require_editable(pool)
    pairs = pool_participants(pool)
    if not pairs:
        raise ValidationFailed(
            _("Nobody in {unit} has a grade in {cycle} yet.").format(
                unit=pool.unit, cycle=pool.cycle
            )
        )
    try:
        allocation = rewards.allocate(
            pool.budget, [participant for _member, participant in pairs], engine_policy(pool.policy)
        )
    except rewards.InputError as exc:
        staff_id = getattr(exc, "staff_id", None)
        members = {member.staff_id: member for member, _participant in pairs}
        who = f"{members[staff_id].employee_no}: " if staff_id in members else ""
        raise ValidationFailed(f"{who}{exc}", field=getattr(exc, "field", None)) from exc
    lines = allocation.by_staff()
    BonusLine.objects.filter(pool=pool).delete()
    four_places = Decimal("0.0001")
    bulk.insert_rows(
        BonusLine,
        LINE_FIELDS,
        (
            (
                pool.pk,
                member.staff_id,
                member.unit_id,
                member.grade,
                participant.base,
                participant.kpi_factor,
                participant.days,
                participant.period_days,
                lines[member.staff_id].weight.quantize(four_places),
                lines[member.staff_id].amount,
                lines[member.staff_id].capped,
                lines[member.staff_id].floored,
                _jsonable(lines[member.staff_id].explanation),
            )
            for member, participant in pairs
        ),
    )
    before = audit.snapshot(pool)
    pool.allocated = allocation.allocated
    pool.unallocated = allocation.unallocated
    pool.allocated_at = timezone.now()
    pool.status = PoolStatus.DRAFT
    pool.save(update_fields=["allocated", "unallocated", "allocated_at", "status", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=pool,
        before=before,
        note=_("allocated to {count} people").format(count=len(pairs)),
    )
    return allocation


LINE_FIELDS = (
    "pool",
    "staff",
    "unit",
    "grade",
    "base",
    "kpi_factor",
    "days",
    "period_days",
    "weight",
    "amount",
    "capped",
    "floored",
    "explanation",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _set_status(actor: Any, pool: BonusPool, status: str, **fields: Any) -> BonusPool:
    before = audit.snapshot(pool)
    pool.status = status
    for name, value in fields.items():
        setattr(pool, name, value)
    pool.save(update_fields=["status", *fields, "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=pool, before=before)
    return pool


@transaction.atomic
def pool_submit(*, actor: Any, pool: BonusPool) -> BonusPool:
    policy.require(actor, "change", pool)
    pool = _locked(pool)
    _require_editable(pool)
    if pool.allocated_at is None or not pool.lines.exists():
        raise InvalidTransition(_("Allocate the pool before submitting it."))
    return _set_status(actor, pool, PoolStatus.SUBMITTED, submitted_by=actor)


@transaction.atomic
def pool_decide(*, actor: Any, pool: BonusPool, approve: bool, note: str = "") -> BonusPool:
    """Approve (someone other than the submitter) or send back with a reason. Approval writes
    each person's bonus into the reward ledger."""
    policy.require(actor, "approve", pool)
    pool = _locked(pool)
    if pool.status != PoolStatus.SUBMITTED:
        raise InvalidTransition(_("Only a submitted pool can be approved or sent back."))
    if approve and pool.submitted_by_id == actor.pk:
        raise InvalidTransition(_("A pool is approved by someone other than who submitted it."))
    if not approve and not note.strip():
        raise ValidationFailed(_("Say why the pool is sent back."), field="decision_note")
    status = PoolStatus.APPROVED if approve else PoolStatus.REJECTED
    _set_status(
        actor, pool, status, decided_by=actor, decided_at=timezone.now(), decision_note=note
    )
    if approve:
        granted_on = _today()
        entries = RewardEntry.objects.bulk_create(
            RewardEntry(
                staff_id=line.staff_id,
                kind=RewardKind.BONUS,
                title=pool.name,
                amount=line.amount,
                currency=pool.currency,
                granted_on=granted_on,
                granted_by=actor,
                source=f"bonus-pool:{pool.pk}",
            )
            for line in pool.lines.filter(amount__gt=0)
        )
        audit.record_many(
            audit.build_entry(actor=actor, action=AuditAction.CREATE, obj=entry)
            for entry in entries
        )
    return pool


PAYROLL_HEADER = ("employee_no", "name", "unit", "grade", "amount", "currency", "pool")


@transaction.atomic
def pool_export(*, actor: Any, pool: BonusPool) -> list[list[Any]]:
    """The payroll rows of an approved pool; the first export marks the pool exported."""
    policy.require(actor, "export", pool)
    pool = _locked(pool)
    if pool.status not in (PoolStatus.APPROVED, PoolStatus.EXPORTED):
        raise InvalidTransition(_("Only an approved pool goes to payroll."))
    rows = [
        [
            line.staff.employee_no,
            line.staff.name,
            line.unit.code,
            line.grade,
            line.amount,
            pool.currency,
            pool.name,
        ]
        for line in pool.lines.select_related("staff", "unit").order_by("staff__employee_no")
    ]
    if pool.status == PoolStatus.APPROVED:
        _set_status(actor, pool, PoolStatus.EXPORTED)
    else:
        audit.record(actor=actor, action=AuditAction.EXPORT, obj=pool, after={}, note="payroll")
    return rows


# The reward ledger ---------------------------------------------------------------------------

NON_CASH_KINDS = (
    RewardKind.TRAINING_PLACE,
    RewardKind.CONFERENCE,
    RewardKind.PROMOTION_PRIORITY,
    RewardKind.OTHER,
)


@transaction.atomic
def reward_grant(
    *,
    actor: Any,
    staff: Staff,
    kind: str,
    title: str,
    amount: Decimal | None = None,
    currency: str = "",
    note: str = "",
    granted_on: dt.date | None = None,
) -> RewardEntry:
    """Record a non-cash reward (training place, conference budget, promotion priority)."""
    policy.require_for_person(actor, "add", RewardEntry, staff)
    if kind not in NON_CASH_KINDS:
        raise ValidationFailed(
            _("Bonuses, promotions and points are recorded by their own flows."), field="kind"
        )
    entry = RewardEntry(
        staff=staff,
        kind=kind,
        title=title,
        amount=amount,
        currency=currency or ("CNY" if amount is not None else ""),
        note=note,
        granted_on=granted_on or _today(),
        granted_by=actor,
    )
    full_clean(entry)
    entry.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=entry)
    return entry


def _points(staff_ids: Iterable[int], points: int, title: str, source: str, actor: Any) -> None:
    entries = RewardEntry.objects.bulk_create(
        RewardEntry(
            staff_id=staff_id,
            kind=RewardKind.POINTS,
            title=title,
            points=points,
            granted_on=_today(),
            granted_by=actor,
            source=f"{source}:{staff_id}" if source else "",
        )
        for staff_id in staff_ids
    )
    audit.record_many(
        audit.build_entry(actor=actor, action=AuditAction.CREATE, obj=entry) for entry in entries
    )


# Recognition ---------------------------------------------------------------------------------


@transaction.atomic
def kudos_give(
    *, actor: Any, recipient: Staff, value: CompanyValue, message: str, points: int = 10
) -> Kudos:
    """Thank a colleague for living a value; the points go to the recipient's ledger."""
    sender = getattr(actor, "staff", None)
    if sender is None:
        raise ValidationFailed(_("Only staff members can give kudos."))
    policy.require(actor, "add", Kudos)
    if recipient.pk == sender.pk:
        raise ValidationFailed(_("Kudos go to someone else."), field="recipient")
    if recipient.status == StaffStatus.LEFT:
        raise ValidationFailed(_("{name} has left the company.").format(name=recipient))
    if not value.is_active:
        raise ValidationFailed(_("Choose one of the company's current values."), field="value")
    if not message.strip():
        raise ValidationFailed(_("Say what they did."), field="message")
    if not 1 <= points <= 50:
        raise ValidationFailed(_("Kudos carry between 1 and 50 points."), field="points")
    start = timezone.now() - dt.timedelta(days=1)
    if Kudos.objects.filter(sender=sender, created_at__gte=start).count() >= KUDOS_PER_DAY:
        raise ValidationFailed(
            _("At most {count} kudos a day: make each one count.").format(count=KUDOS_PER_DAY)
        )
    kudos = Kudos.objects.create(
        sender=sender, recipient=recipient, value=value, message=message.strip(), points=points
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=kudos)
    _points([recipient.pk], points, str(value), f"kudos:{kudos.pk}", actor)
    return kudos


@transaction.atomic
def commendation_award(
    *,
    actor: Any,
    unit: OrgUnit,
    title: str,
    citation: str,
    value: CompanyValue | None = None,
    points_each: int = 0,
) -> TeamCommendation:
    """Commend a team (团队表彰); each current member of the unit's subtree gets the points."""
    if not policy.can(actor, "add", TeamCommendation) or not _manages(actor, unit):
        raise PolicyDenied()
    commendation = TeamCommendation(
        unit=unit,
        title=title,
        citation=citation,
        value=value,
        points_each=points_each,
        awarded_on=_today(),
        awarded_by=actor,
    )
    full_clean(commendation)
    commendation.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=commendation)
    if points_each:
        members = Staff.objects.filter(unit__path__startswith=unit.path).exclude(
            status=StaffStatus.LEFT
        )
        _points(
            members.values_list("pk", flat=True),
            points_each,
            title,
            f"commendation:{commendation.pk}",
            actor,
        )
    return commendation


def _manages(actor: Any, unit: OrgUnit) -> bool:
    """HR and administrators commend any team, managers teams in their subtree."""
    from opsteam.core.choices import Role

    roles = policy.user_roles(actor)
    if Role.ADMIN in roles or Role.HR in roles:
        return True
    return any(unit.path.startswith(path) for path in roles.get(Role.MANAGER, []))


@transaction.atomic
def badge_award(*, actor: Any, badge: Badge, staff: Staff, evidence: str = "") -> BadgeAward:
    """Award a badge by hand (HR); a person holds each badge once. Only active manual badges:
    the others are earned from data by ``badges_award_automatic``."""
    policy.require(actor, "add", BadgeAward)
    if badge.criterion != BadgeCriterion.MANUAL or not badge.is_active:
        raise ValidationFailed(
            _("Only active badges of the kind “awarded by hand” are awarded by hand."),
            field="badge",
        )
    if BadgeAward.objects.filter(badge=badge, staff=staff).exists():
        raise ValidationFailed(
            _("{name} already holds this badge.").format(name=staff), field="staff"
        )
    award = BadgeAward.objects.create(
        badge=badge, staff=staff, awarded_on=_today(), awarded_by=actor, evidence=evidence
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=award)
    if badge.points:
        _points([staff.pk], badge.points, str(badge), f"badge:{badge.pk}", actor)
    return award


def _earned(badge: Badge) -> dict[int, str]:
    """Who meets an automatic badge's criterion now, with the evidence."""
    from opsteam.training.choices import EnrolmentStatus
    from opsteam.training.models import Enrolment, PlanCourse

    if badge.criterion == BadgeCriterion.PLAN_COMPLETED and badge.plan_id:
        required = list(
            PlanCourse.objects.filter(plan_id=badge.plan_id, is_required=True).values_list(
                "course_id", flat=True
            )
        )
        if not required:
            return {}
        rows = (
            Enrolment.objects.filter(course_id__in=required, status=EnrolmentStatus.COMPLETED)
            .values("staff_id")
            .annotate(n=Count("course_id", distinct=True))
            .filter(n=len(required))
            .values_list("staff_id", flat=True)
        )
        return dict.fromkeys(rows, f"plan:{badge.plan_id}")
    if badge.criterion == BadgeCriterion.KUDOS_RECEIVED and badge.threshold:
        rows = (
            Kudos.objects.values("recipient_id")
            .annotate(n=Count("pk"))
            .filter(n__gte=badge.threshold)
            .values_list("recipient_id", "n")
        )
        return {staff_id: f"kudos:{count}" for staff_id, count in rows}
    if badge.criterion == BadgeCriterion.KPI_TOP_DECILE and badge.kpi_id:
        return _kpi_top_decile(badge.kpi_id)
    return {}


def _kpi_top_decile(kpi_id: int) -> dict[int, str]:
    """People in the top 10% of the KPI's attainment in the latest published cycle's scorecards."""
    from opsteam.careers.selectors import PUBLISHED_REVIEW_STATUSES

    review = (
        Review.objects.filter(status__in=PUBLISHED_REVIEW_STATUSES)
        .order_by("-cycle__period_end")
        .values_list("cycle_id", flat=True)
        .first()
    )
    if review is None:
        return {}
    scores: list[tuple[float, int]] = []
    for staff_id, scorecard in Review.objects.filter(
        cycle_id=review, status__in=PUBLISHED_REVIEW_STATUSES
    ).values_list("staff_id", "scorecard"):
        for item in (scorecard or {}).get("lines", []):
            if item.get("kpi") == kpi_id and item.get("score") is not None:
                scores.append((float(item["score"]), staff_id))
    if len(scores) < 10:
        return {}
    scores.sort(reverse=True)
    cut = scores[len(scores) // 10 - 1][0]
    return {staff_id: f"cycle:{review}" for score, staff_id in scores if score >= cut}


@transaction.atomic
def badges_award_automatic(*, actor: Any = None) -> int:
    """Award every automatic badge to whoever now meets its criterion (the nightly job)."""
    awarded = 0
    for badge in Badge.objects.filter(is_active=True).exclude(criterion=BadgeCriterion.MANUAL):
        earned = _earned(badge)
        held = set(BadgeAward.objects.filter(badge=badge).values_list("staff_id", flat=True))
        new = {staff_id: evidence for staff_id, evidence in earned.items() if staff_id not in held}
        active = set(
            Staff.objects.filter(pk__in=new)
            .exclude(status=StaffStatus.LEFT)
            .values_list("pk", flat=True)
        )
        awards = BadgeAward.objects.bulk_create(
            BadgeAward(badge=badge, staff_id=staff_id, awarded_on=_today(), evidence=evidence)
            for staff_id, evidence in sorted(new.items())
            if staff_id in active
        )
        audit.record_many(
            audit.build_entry(actor=actor, action=AuditAction.CREATE, obj=award) for award in awards
        )
        if badge.points and awards:
            _points(
                [award.staff_id for award in awards],
                badge.points,
                str(badge),
                f"badge:{badge.pk}",
                actor,
            )
        awarded += len(awards)
    return awarded
