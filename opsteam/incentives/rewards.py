"""Bonus allocation: split a pool (budget) among the participants of one cycle.

Pure (stdlib only, no Django). Money is ``Decimal`` in and out; inside, the arithmetic is exact
(integers and ``Fraction``), so the result never depends on rounding noise or on the order the
participants are listed in. The algorithm:

1. Weight. ``weight = base x multiplier[grade] x kpi_factor x days / period_days`` where the KPI
   factor is the participant's (1 when absent) clamped to the policy's
   ``[kpi_factor_min, kpi_factor_max]``, and ``days`` is the part of the period the person was
   eligible (pro-rating a joiner or leaver).
2. Water-filling. Everyone with a weight above 0 gets ``level x weight``, held between their floor
   and their cap, with the one water ``level`` at which the shares add up to the budget: people
   whose proportional share would pass their cap are fixed at the cap and the rest re-split,
   people below the floor are raised to it and the rest re-split, until nothing moves. The level
   is found exactly by sweeping the points where people reach their floor or cap. The cap is
   ``min(base x cap_multiple, cap_amount)``; the floor applies to weighted people only. Caps are
   rounded down and floors up to the rounding unit first, so rounding can never cross them.
   Floors adding up to more than the budget are an error; when everybody is capped and the caps
   add up to less than the budget, each gets the cap and the rest is reported as ``unallocated``.
3. Rounding. Shares are cut down to the rounding unit and the units left over go one each to the
   largest remainders (largest remainder method), so the amounts add up to the budget (less any
   unallocated) exactly. Ties go to the larger weight, then to the smaller ``str(staff_id)``.
   Nobody at their cap has a remainder, so no one is pushed over a cap or under a floor.
4. Monotone in grade. Two people with the same base, KPI factor and days have the same cap and
   floor, and the better grade has the larger weight, hence at least the share. Its cut-down
   amount is then at least as large, and on an equal cut-down amount its remainder is at least
   as large and ties go to the larger weight, so the better grade is served first: rounding
   never gives the worse grade more.

Every line carries its explanation (base, grade, multiplier, KPI factor used, pro-rating,
weight, share of the total weight, cap, floor, rounding) as plain values for the interface to
render and translate; the engine holds no wording beyond its error messages.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact, InvalidOperation
from fractions import Fraction
from typing import Any

# Exact: products, integer quotients and remainders of the inputs never round.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, Inexact])
# Shown: shares and weights that are not whole units are rounded to 28 significant digits.
_SHOWN = Context(prec=28)


class InputError(ValueError):
    """Malformed input; the message names the participant (when there is one) and the field.

    ``field``, ``staff_id`` and ``figures`` (the numbers behind the message, e.g. the floors and
    the budget they exceed) let a service word the error in the user's language.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str,
        staff_id: Hashable | None = None,
        figures: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.staff_id = staff_id
        self.figures = dict(figures or {})


def _check_decimal(value: object, where: str, field_name: str, staff_id: Hashable | None) -> None:
    # float is refused: 0.1 is not one tenth, and money must add up to the last cent.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InputError(
            f"{where}{field_name}: expected a Decimal, got {value!r}",
            field=field_name,
            staff_id=staff_id,
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise InputError(
            f"{where}{field_name}: {value} is not a number", field=field_name, staff_id=staff_id
        )


def _check_amount(
    value: object, field_name: str, *, staff_id: Hashable | None = None, where: str = ""
) -> None:
    _check_decimal(value, where, field_name, staff_id)
    if value < 0:
        raise InputError(
            f"{where}{field_name}: cannot be negative ({value})",
            field=field_name,
            staff_id=staff_id,
        )


@dataclass(frozen=True, slots=True)
class Participant:
    """One person in the pool: base amount, grade, optional KPI factor and eligible days.

    ``days`` is how many of the ``period_days`` the person was eligible (a joiner half-way
    through a 30-day period has 15); ``kpi_factor`` None means 1.
    """

    staff_id: Hashable
    base: Decimal
    grade: str
    _: KW_ONLY
    kpi_factor: Decimal | None = None
    days: int
    period_days: int

    def __post_init__(self) -> None:
        where = f"participant {self.staff_id}: "
        _check_amount(self.base, "base", staff_id=self.staff_id, where=where)
        if self.kpi_factor is not None:
            _check_decimal(self.kpi_factor, where, "kpi_factor", self.staff_id)
        for name in ("days", "period_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(
                    f"{where}{name}: expected a whole number of days, got {value!r}",
                    field=name,
                    staff_id=self.staff_id,
                )
        if self.period_days <= 0:
            raise InputError(
                f"{where}period_days: must be at least 1 ({self.period_days})",
                field="period_days",
                staff_id=self.staff_id,
            )
        if not 0 <= self.days <= self.period_days:
            raise InputError(
                f"{where}days: {self.days} is outside 0..{self.period_days} (the period)",
                field="days",
                staff_id=self.staff_id,
            )


@dataclass(frozen=True, slots=True)
class Policy:
    """How a pool is split: grade multipliers, KPI factor bounds, caps, floor, rounding unit.

    The cap of a person is ``min(base x cap_multiple, cap_amount)`` (either may be None: no
    such cap). ``floor_amount`` is the least a person with a weight above 0 receives.
    """

    multipliers: Mapping[str, Decimal]
    rounding_unit: Decimal = Decimal("1")
    cap_multiple: Decimal | None = None
    cap_amount: Decimal | None = None
    floor_amount: Decimal = Decimal("0")
    kpi_factor_min: Decimal = Decimal("0")
    kpi_factor_max: Decimal = Decimal("2")

    def __post_init__(self) -> None:
        object.__setattr__(self, "multipliers", dict(self.multipliers))
        for grade, multiplier in self.multipliers.items():
            _check_amount(multiplier, f"multipliers[{grade!r}]", where="policy: ")
        _check_amount(self.rounding_unit, "rounding_unit", where="policy: ")
        if self.rounding_unit <= 0:
            raise InputError(
                f"policy: rounding_unit: must be above 0 ({self.rounding_unit})",
                field="rounding_unit",
            )
        for name in ("cap_multiple", "cap_amount"):
            if getattr(self, name) is not None:
                _check_amount(getattr(self, name), name, where="policy: ")
        for name in ("floor_amount", "kpi_factor_min", "kpi_factor_max"):
            _check_amount(getattr(self, name), name, where="policy: ")
        if self.kpi_factor_min > self.kpi_factor_max:
            raise InputError(
                f"policy: kpi_factor_min: {self.kpi_factor_min} is above kpi_factor_max "
                f"{self.kpi_factor_max}",
                field="kpi_factor_min",
            )


@dataclass(frozen=True, slots=True)
class Line:
    """One person's result: weight, exact share before rounding, rounded amount, and why."""

    staff_id: Hashable
    weight: Decimal
    share: Decimal  # before rounding (28 significant digits where not a whole unit)
    amount: Decimal  # a multiple of the rounding unit
    capped: bool  # the cap cut the proportional share
    floored: bool  # the floor raised the proportional share
    explanation: dict[str, Any] = field(compare=False)


@dataclass(frozen=True, slots=True)
class Allocation:
    """The split of one budget; ``allocated + unallocated == budget`` exactly.

    Lines follow the order of the participants given; no amount depends on that order.
    """

    lines: tuple[Line, ...]
    budget: Decimal
    allocated: Decimal
    unallocated: Decimal

    def by_staff(self) -> dict[Hashable, Line]:
        """Return each staff member's line, keyed by staff id."""
        return {line.staff_id: line for line in self.lines}


def _units(value: Decimal, unit: Decimal) -> tuple[int, bool]:
    """Return ``value // unit`` and whether it divides exactly (both non-negative)."""
    quotient = int(_EXACT.divide_int(value, unit))
    return quotient, not _EXACT.remainder(value, unit)


def _show(numerator: int, denominator: int, scale: Decimal = Decimal(1)) -> Decimal:
    """Return ``numerator / denominator x scale`` exactly when it terminates, else rounded."""
    value = _EXACT.multiply(Decimal(numerator), scale)
    if denominator == 1:
        return value
    return _SHOWN.divide(value, Decimal(denominator))


def _water_level(
    weights: Sequence[int], floor: int, caps: Sequence[int | None], budget: int
) -> Fraction | None:
    """Return the level at which ``sum(clamp(level x w, floor, cap))`` equals the budget.

    All figures are whole rounding units (weights on any common scale; all above 0). None means
    everyone is capped below the budget. The caller has checked ``floor x n <= budget`` and
    ``floor <= cap``. ``total(level)`` is non-decreasing and piecewise linear, changing slope
    only where someone leaves the floor (``floor / w``) or reaches the cap (``cap / w``): walk
    those points in order, keeping ``total = constant + slope x level`` on the current piece.
    """
    constant, slope = floor * len(weights), 0
    if constant == budget:
        return Fraction(0)
    # A uniform floor is left in order of weight, heaviest first.
    entries = sorted(range(len(weights)), key=lambda i: -weights[i])
    # cap / w, ordered exactly by integers: two different ratios with denominators below 2**bits
    # differ by more than 2**-2bits, so scaled by 2**(2bits + 1) their floors differ too.
    shift = 2 * max(weights, default=1).bit_length() + 1
    exits = sorted(
        (i for i, cap in enumerate(caps) if cap is not None),
        key=lambda i: (caps[i] << shift) // weights[i],
    )
    e = x = 0
    while e < len(entries) or x < len(exits):
        # Next point as numerator/denominator; on a tie leaving the floor goes first.
        if x == len(exits) or (
            e < len(entries) and floor * weights[exits[x]] <= caps[exits[x]] * weights[entries[e]]
        ):
            i, entering = entries[e], True
            num, den = floor, weights[i]
            e += 1
        else:
            i, entering = exits[x], False
            num, den = caps[i], weights[i]
            x += 1
        if constant * den + slope * num >= budget * den:
            return Fraction(budget - constant, slope)
        if entering:
            constant -= floor
            slope += weights[i]
        else:
            constant += caps[i]
            slope -= weights[i]
    if slope == 0:
        return None
    return Fraction(budget - constant, slope)


def allocate(budget: Decimal, participants: Sequence[Participant], policy: Policy) -> Allocation:
    """Split ``budget`` among ``participants`` under ``policy`` (module docstring: the steps).

    Raise ``InputError`` for an unknown grade, a duplicate staff id, a negative budget, a
    budget that is not a whole number of rounding units, a floor above someone's cap, or
    floors that add up to more than the budget.
    """
    _check_amount(budget, "budget")
    unit = policy.rounding_unit
    budget_units, exact = _units(budget, unit)
    if not exact:
        raise InputError(
            f"budget: {budget} is not a multiple of the rounding unit {unit}",
            field="budget",
            figures={"budget": budget, "rounding_unit": unit},
        )
    people = tuple(participants)
    seen: set[Hashable] = set()
    for p in people:
        if p.staff_id in seen:
            raise InputError(
                f"participant {p.staff_id}: staff_id: listed twice",
                field="staff_id",
                staff_id=p.staff_id,
            )
        seen.add(p.staff_id)

    # Step 1: exact weights, as integers on one scale (10**-exponent x lcm of the periods).
    kpis: list[Decimal] = []
    products: list[Decimal] = []
    for p in people:
        multiplier = policy.multipliers.get(p.grade)
        if multiplier is None:
            raise InputError(
                f"participant {p.staff_id}: grade: unknown grade {p.grade!r} "
                f"(the policy knows {', '.join(sorted(map(str, policy.multipliers)))})",
                field="grade",
                staff_id=p.staff_id,
            )
        kpi = Decimal(1) if p.kpi_factor is None else p.kpi_factor
        kpi = min(max(kpi, policy.kpi_factor_min), policy.kpi_factor_max)
        kpis.append(kpi)
        products.append(_EXACT.multiply(_EXACT.multiply(p.base, multiplier), kpi))
    exponent = min(
        (d.as_tuple().exponent for d, p in zip(products, people, strict=True) if d and p.days),
        default=0,
    )
    exponent = min(int(exponent), 0)
    periods = math.lcm(*{p.period_days for p in people}) if people else 1
    scale = periods * 10**-exponent
    weights = [
        int(_EXACT.scaleb(d, -exponent)) * p.days * (periods // p.period_days) if p.days else 0
        for d, p in zip(products, people, strict=True)
    ]
    total_weight = sum(weights)

    # Caps rounded down and the floor rounded up to the unit, so rounding cannot cross them.
    floor_units, on_grid = _units(policy.floor_amount, unit)
    floor_units += not on_grid
    caps: list[int | None] = []
    for p, w in zip(people, weights, strict=True):
        cap = policy.cap_amount
        if policy.cap_multiple is not None:
            by_base = _EXACT.multiply(p.base, policy.cap_multiple)
            cap = by_base if cap is None else min(cap, by_base)
        cap_units = None if cap is None else _units(cap, unit)[0]
        if w and cap_units is not None and cap_units < floor_units:
            raise InputError(
                f"participant {p.staff_id}: floor_amount: the floor "
                f"{_show(floor_units, 1, unit)} is above this person's cap "
                f"{_show(cap_units, 1, unit)}",
                field="floor_amount",
                staff_id=p.staff_id,
                figures={"floor": _show(floor_units, 1, unit), "cap": _show(cap_units, 1, unit)},
            )
        caps.append(cap_units)

    # Step 2: the water level over the weighted participants.
    weighted = [i for i, w in enumerate(weights) if w]
    floors_total = floor_units * len(weighted)
    if floors_total > budget_units:
        raise InputError(
            f"floor_amount: floors exceed the budget: {len(weighted)} participants x "
            f"{_show(floor_units, 1, unit)} = {_show(floors_total, 1, unit)} > {budget}",
            field="floor_amount",
            figures={
                "participants": len(weighted),
                "floor": _show(floor_units, 1, unit),
                "floors_total": _show(floors_total, 1, unit),
                "budget": budget,
            },
        )
    level = _water_level(
        [weights[i] for i in weighted], floor_units, [caps[i] for i in weighted], budget_units
    )

    # Step 3: cut down to whole units, then largest remainders. Free shares are
    # level x weight = num x weight / den, so every remainder is a whole number of 1/den.
    units = [0] * len(people)
    remainders = [0] * len(people)
    capped = [False] * len(people)
    floored = [False] * len(people)
    num, den = (1, 0) if level is None else (level.numerator, level.denominator)
    for i in weighted:
        reach = num * weights[i]
        if caps[i] is not None and reach > caps[i] * den:
            units[i], capped[i] = caps[i], True
        elif reach < floor_units * den:
            units[i], floored[i] = floor_units, True
        else:
            units[i], remainders[i] = divmod(reach, den)
    unallocated_units = 0 if level is not None else budget_units - sum(units)
    left = budget_units - unallocated_units - sum(units)
    if left:
        order = sorted(
            (i for i in weighted if remainders[i]),
            key=lambda i: (
                -remainders[i],
                -weights[i],
                str(people[i].staff_id),
                type(people[i].staff_id).__name__,
            ),
        )
        for i in order[:left]:
            units[i] += 1

    floor_shown = _show(floor_units, 1, unit)
    caps_shown = {cap: _show(cap, 1, unit) for cap in set(caps) if cap is not None}
    zero = Decimal(0)
    lines = []
    for i, p in enumerate(people):
        w = weights[i]
        amount = _EXACT.multiply(Decimal(units[i]), unit)
        if not w:
            share = weight = weight_share = zero
        else:
            share = amount if capped[i] or floored[i] else _show(num * w, den, unit)
            weight = _show(w, scale)
            weight_share = _show(w, total_weight)
        lines.append(
            Line(
                staff_id=p.staff_id,
                weight=weight,
                share=share,
                amount=amount,
                capped=capped[i],
                floored=floored[i],
                explanation={
                    "base": p.base,
                    "grade": p.grade,
                    "multiplier": policy.multipliers[p.grade],
                    "kpi_factor": kpis[i],
                    "kpi_factor_given": p.kpi_factor,
                    "days": p.days,
                    "period_days": p.period_days,
                    "weight": weight,
                    "weight_share": weight_share,
                    "cap": caps_shown.get(caps[i]),
                    "floor": floor_shown if w else None,
                    "capped": capped[i],
                    "floored": floored[i],
                    "rounding": amount - share,
                },
            )
        )
    return Allocation(
        lines=tuple(lines),
        budget=budget,
        allocated=_show(sum(units), 1, unit),
        unallocated=_show(unallocated_units, 1, unit),
    )


def simulate(
    budget: Decimal, participants: Sequence[Participant], policies: Mapping[str, Policy]
) -> dict[str, Allocation]:
    """Return the allocation of the same budget and people under each named policy (what-if).

    An ``InputError`` under one policy is raised with the policy's name in front.
    """
    people = tuple(participants)
    results = {}
    for name, policy in policies.items():
        try:
            results[name] = allocate(budget, people, policy)
        except InputError as error:
            raise InputError(
                f"policy {name}: {error}",
                field=error.field,
                staff_id=error.staff_id,
                figures={**error.figures, "policy": name},
            ) from error
    return results


def totals_by(allocation: Allocation, key: Mapping[Hashable, Hashable]) -> dict[Hashable, Decimal]:
    """Sum the amounts per group (team, grade, ...), groups in order of first appearance.

    ``key`` maps every staff id of the allocation to its group; a missing staff id raises
    ``InputError`` rather than silently dropping their money from the totals.
    """
    totals: dict[Hashable, Decimal] = {}
    for line in allocation.lines:
        try:
            group = key[line.staff_id]
        except KeyError:
            raise InputError(
                f"participant {line.staff_id}: key: no group given",
                field="key",
                staff_id=line.staff_id,
            ) from None
        totals[group] = totals.get(group, Decimal(0)) + line.amount
    return totals
