"""Reads of bonus policies, pools, their lines and the reward ledger (pages, API, exports).

Bonus amounts are pay. Which lines a user reads is the policy's rule on ``incentives.BonusLine``
(HR, administrators and auditors every line, managers their subtree's, each person their own)
narrowed by one rule kept here, so pages, API and exports apply it alike: a person's own line
shows only once its pool is approved or exported, unless they may see the pool itself anyway
(a manager whose subtree holds the pool). Every read of lines by someone who is not HR is
audited as pay reads are (``org.selectors.compensation_history``).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from opsteam.core import audit, policy
from opsteam.incentives import rewards
from opsteam.incentives.choices import PoolStatus, RewardKind
from opsteam.incentives.models import BonusLine, BonusPolicy, BonusPool, RewardEntry
from opsteam.org.choices import StaffStatus
from opsteam.org.models import OrgUnit, Staff
from opsteam.performance.models import Review

RELEASED = (PoolStatus.APPROVED, PoolStatus.EXPORTED)
LINE_READ_FIELDS = ["base", "amount"]


def policy_list(*, user: Any, action: str = "view") -> QuerySet[BonusPolicy]:
    """Bonus policies: published rules everyone reads (transparency), HR maintains."""
    return BonusPolicy.objects.restrict(user, action)


def pool_list(*, user: Any, action: str = "view") -> QuerySet[BonusPool]:
    """Pools the user may ``action``: HR, administrators and auditors all, managers their
    subtree's; with what the list shows (cycle, unit, policy) in the same query."""
    return BonusPool.objects.restrict(user, action).select_related("cycle", "unit", "policy")


def _sees_every_row(user: Any, model: type, action: str) -> bool:
    allowed = policy.rule_for(model).actions.get(action, {})
    return any(allowed.get(role) is policy.ALL for role in policy.user_roles(user))


def line_list(*, user: Any, action: str = "view") -> QuerySet[BonusLine]:
    """Bonus lines the user may ``action``, with pool, person and unit selected.

    The policy's scope, less the user's own lines of pools not yet approved (or exported)
    that the user may not see as a pool: a person learns their bonus once it is decided.
    """
    queryset = BonusLine.objects.restrict(user, action).select_related("pool", "staff", "unit")
    if _sees_every_row(user, BonusLine, action):
        return queryset
    visible_pools = BonusPool.objects.restrict(user, "view").values("pk")
    return queryset.filter(
        Q(pool__status__in=RELEASED) | ~Q(staff__user=user) | Q(pool__in=visible_pools)
    )


def bonus_lines_read(*, user: Any, lines: Iterable[BonusLine]) -> list[BonusLine]:
    """Return ``lines``, auditing the read when the reader is not HR.

    The same record as any pay read (``audit.record_pay_reads``): one "view" entry
    per line naming the pay fields read, written in one insert. Lines need ``pool`` and
    ``staff`` loaded (the entry's label names both).
    """
    lines = list(lines)
    audit.record_pay_reads(user=user, rows=lines, fields=LINE_READ_FIELDS)
    return lines


@dataclass(frozen=True)
class GroupTotal:
    """One group's people and money (a grade or a unit), in two allocations when compared."""

    key: Hashable
    label: str
    people: int
    amount: Decimal
    other: Decimal | None = None  # the what-if amount, when two allocations are compared

    @property
    def difference(self) -> Decimal | None:
        return None if self.other is None else self.other - self.amount


def _multiplier(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def grade_order(multipliers: Mapping[str, Any]) -> dict[str, int]:
    """Rank grades best first: by the policy's multiplier, high to low, then by name."""
    ranked = sorted(multipliers, key=lambda grade: (-_multiplier(multipliers[grade]), grade))
    return {grade: index for index, grade in enumerate(ranked)}


def group_totals(
    allocation: rewards.Allocation,
    groups: Mapping[Hashable, Hashable],
    labels: Mapping[Hashable, str],
    *,
    order: Mapping[Hashable, int] | None = None,
    other: rewards.Allocation | None = None,
) -> list[GroupTotal]:
    """Sum an allocation per group (``rewards.totals_by``), optionally beside a second one.

    ``groups`` maps each staff id to its group; groups come out in ``order`` (unknown ones
    last, by label), else largest amount first.
    """
    totals = rewards.totals_by(allocation, groups)
    others = rewards.totals_by(other, groups) if other is not None else {}
    people = Counter(groups[line.staff_id] for line in allocation.lines)
    keys = set(totals) | set(others)
    if order is not None:
        ordered = sorted(keys, key=lambda k: (order.get(k, len(order)), labels.get(k, str(k))))
    else:
        ordered = sorted(keys, key=lambda k: (-totals.get(k, Decimal(0)), labels.get(k, str(k))))
    return [
        GroupTotal(
            key=key,
            label=labels.get(key, str(key)) or "—",
            people=people.get(key, 0),
            amount=totals.get(key, Decimal(0)),
            other=others.get(key, Decimal(0)) if other is not None else None,
        )
        for key in ordered
    ]


@dataclass(frozen=True)
class PoolBreakdown:
    """A pool's stored allocation summed by grade and by unit, and every amount (the chart)."""

    allocation: rewards.Allocation
    by_grade: list[GroupTotal]
    by_unit: list[GroupTotal]
    amounts: list[Decimal]
    capped: int
    floored: int

    @property
    def people(self) -> int:
        return len(self.allocation.lines)


def _unit_labels(unit_ids: Iterable[int]) -> dict[int, str]:
    return {
        pk: unit.display_name for pk, unit in OrgUnit.objects.in_bulk(list(set(unit_ids))).items()
    }


def pool_breakdown(*, pool: BonusPool, lines: QuerySet[BonusLine]) -> PoolBreakdown:
    """Totals by grade and by unit of a pool's stored lines (``lines``: the readable ones).

    Two queries for any size: the lines' figures as plain values, then the units' names.
    """
    rows = list(
        lines.filter(pool=pool)
        .order_by("staff_id")
        .values_list("staff_id", "unit_id", "grade", "weight", "amount", "capped", "floored")
    )
    allocation = rewards.Allocation(
        lines=tuple(
            rewards.Line(
                staff_id=staff_id,
                weight=weight,
                share=amount,
                amount=amount,
                capped=capped,
                floored=floored,
                explanation={},
            )
            for staff_id, _unit, _grade, weight, amount, capped, floored in rows
        ),
        budget=pool.budget,
        allocated=pool.allocated,
        unallocated=pool.unallocated,
    )
    grades = {row[0]: row[2] for row in rows}
    units = {row[0]: row[1] for row in rows}
    unit_labels = _unit_labels(units.values())
    return PoolBreakdown(
        allocation=allocation,
        by_grade=group_totals(
            allocation,
            grades,
            {grade: grade for grade in grades.values()},
            order=grade_order(pool.policy.multipliers),
        ),
        by_unit=group_totals(allocation, units, unit_labels),
        amounts=[row[4] for row in rows],
        capped=sum(1 for row in rows if row[5]),
        floored=sum(1 for row in rows if row[6]),
    )


@dataclass(frozen=True)
class PoolPerson:
    """Who a what-if line is about: the graded review's person, unit and grade."""

    staff_id: int
    employee_no: str
    name: str
    unit_id: int
    grade: str


def _graded_reviews(pool: BonusPool) -> QuerySet[Review]:
    return Review.objects.filter(
        cycle_id=pool.cycle_id, unit__in=OrgUnit.objects.filter(path__startswith=pool.unit.path)
    ).exclude(grade="")


def pool_people_count(*, pool: BonusPool) -> int:
    """How many people the pool would pay: those graded in its cycle in its unit subtree."""
    return _graded_reviews(pool).count()


def pool_people(*, pool: BonusPool) -> dict[int, PoolPerson]:
    """The graded people of the pool's cycle in its unit subtree (the what-if's rows), one query.

    The same people ``services.pool_participants`` hands the engine.
    """
    english = _english()
    rows = _graded_reviews(pool).values_list(
        "staff_id", "staff__employee_no", "staff__name", "staff__name_en", "unit_id", "grade"
    )
    return {
        staff_id: PoolPerson(
            staff_id=staff_id,
            employee_no=employee_no,
            name=(name_en if english and name_en else name) or name_en,
            unit_id=unit_id,
            grade=grade,
        )
        for staff_id, employee_no, name, name_en, unit_id, grade in rows
    }


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


@dataclass(frozen=True)
class ComparedLine:
    """One person's amount now and in the what-if."""

    person: PoolPerson
    unit_label: str
    current: Decimal
    what_if: Decimal
    current_line: rewards.Line | None
    what_if_line: rewards.Line | None

    @property
    def difference(self) -> Decimal:
        return self.what_if - self.current


@dataclass(frozen=True)
class Comparison:
    """The pool as it stands beside a what-if: per person, by grade, by unit, totals."""

    current: rewards.Allocation
    what_if: rewards.Allocation
    lines: list[ComparedLine]
    by_grade: list[GroupTotal]
    by_unit: list[GroupTotal]

    @property
    def difference(self) -> Decimal:
        return self.what_if.allocated - self.current.allocated

    @property
    def changed(self) -> int:
        return sum(1 for line in self.lines if line.difference)


def compare_allocations(
    *,
    current: rewards.Allocation,
    what_if: rewards.Allocation,
    people: Mapping[int, PoolPerson],
    multipliers: Mapping[str, Any],
) -> Comparison:
    """Line the two allocations up per person (largest change first) and per group."""
    now, then = current.by_staff(), what_if.by_staff()
    staff_ids = [staff_id for staff_id in people if staff_id in now or staff_id in then]
    unit_labels = _unit_labels(people[staff_id].unit_id for staff_id in staff_ids)
    zero = Decimal(0)
    lines = [
        ComparedLine(
            person=people[staff_id],
            unit_label=unit_labels.get(people[staff_id].unit_id, ""),
            current=now[staff_id].amount if staff_id in now else zero,
            what_if=then[staff_id].amount if staff_id in then else zero,
            current_line=now.get(staff_id),
            what_if_line=then.get(staff_id),
        )
        for staff_id in staff_ids
    ]
    lines.sort(key=lambda line: (-abs(line.difference), line.person.employee_no))
    grades = {staff_id: people[staff_id].grade for staff_id in staff_ids}
    units = {staff_id: people[staff_id].unit_id for staff_id in staff_ids}
    return Comparison(
        current=current,
        what_if=what_if,
        lines=lines,
        by_grade=group_totals(
            current,
            grades,
            {grade: grade for grade in grades.values()},
            order=grade_order(multipliers),
            other=what_if,
        ),
        by_unit=group_totals(current, units, unit_labels, other=what_if),
    )


def what_if_policy(base: BonusPolicy, overrides: dict[str, Any]) -> BonusPolicy:
    """Return an unsaved copy of ``base`` with the what-if's changes (it is never written)."""
    overrides = dict(overrides)
    row = copy.copy(base)
    row.pk = None
    multipliers = overrides.pop("multipliers", None)
    if multipliers:
        row.multipliers = {
            **row.multipliers,
            **{grade: str(value) for grade, value in multipliers.items()},
        }
    for name, value in overrides.items():
        setattr(row, name, value)
    return row


def reward_list(*, user: Any, action: str = "view") -> QuerySet[RewardEntry]:
    """Ledger entries the user may ``action``: HR all, managers their subtree, each person
    their own; with what the list shows in the same query."""
    return RewardEntry.objects.restrict(user, action).select_related(
        "staff", "staff__unit", "granted_by"
    )


def grantable_staff(*, user: Any) -> QuerySet[Staff]:
    """People the user may grant a reward to (HR anyone, managers their subtree), still here."""
    return (
        Staff.objects.restrict(user, "list")
        .exclude(status=StaffStatus.LEFT)
        .select_related("unit")
        .order_by("employee_no")
    )


@dataclass(frozen=True)
class KindYear:
    """One kind of reward in one year: how many, how much money, how many points."""

    year: int
    kind: str
    label: str
    count: int
    amount: Decimal | None
    points: int


@dataclass(frozen=True)
class MyRewards:
    """A person's reward history from the ledger, totals per kind per year, and how each of
    their decided bonuses was worked out."""

    staff: Staff | None
    entries: list[RewardEntry]
    totals: list[KindYear]
    lines: list[BonusLine]

    @property
    def years(self) -> list[int]:
        return sorted({row.year for row in self.totals}, reverse=True)


def my_rewards(*, user: Any, limit: int = 200) -> MyRewards:
    """The user's own ledger (newest first, at most ``limit`` entries) and decided bonus lines.

    A bounded number of queries: the person, the entries, the totals, the lines; reading the
    lines is audited for anyone but HR, as pay reads are.
    """
    staff = Staff.objects.filter(user=user).select_related("unit").first()
    if staff is None:
        return MyRewards(staff=None, entries=[], totals=[], lines=[])
    own = RewardEntry.objects.restrict(user, "view").filter(staff=staff)
    labels = dict(RewardKind.choices)
    totals = [
        KindYear(
            year=row["year"],
            kind=row["kind"],
            label=str(labels.get(row["kind"], row["kind"])),
            count=row["count"],
            amount=row["amount"],
            points=row["points"] or 0,
        )
        for row in own.annotate(year=ExtractYear("granted_on"))
        .values("year", "kind")
        .annotate(count=Count("pk"), amount=Sum("amount"), points=Sum("points"))
        .order_by("-year", "kind")
    ]
    lines = bonus_lines_read(
        user=user,
        lines=line_list(user=user)
        .filter(staff=staff, pool__status__in=RELEASED)
        .select_related("pool__cycle")
        .order_by("-pool__cycle__period_end", "-pk"),
    )
    return MyRewards(
        staff=staff,
        entries=list(own.select_related("granted_by")[:limit]),
        totals=totals,
        lines=lines,
    )
