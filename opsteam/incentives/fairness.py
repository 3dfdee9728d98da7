"""Fairness review: compare a rate across groups of people and flag groups that stand out.

Pure (no Django): one value per person and each person's group on a dimension (team, level,
tenure band) go in; each group's size, rate (the mean of its values), difference from the
overall rate and a flag come out. A value is 1/0 for "had the outcome" (graded A or better,
promoted) or a ratio (a bonus as a share of base); NaN means the person is not in the measure's
population (no grade yet, no approved bonus line).

Privacy rule: a group of fewer than ``min_group`` people (never fewer than 3) is "too small to
compare" and its rate is never returned. Withholding is not enough on its own: the overall rate
and the other groups' rates give away the combined rate of the withheld people, so while the
withheld people number more than none but fewer than ``min_group``, the smallest compared groups
are withheld too. A population below ``min_group`` returns counts only.

Deterministic and independent of row order: groups come back sorted by key and sums are exact
(``math.fsum``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_GROUP_FLOOR = 3
DEFAULT_MIN_GROUP = 5
DEFAULT_MARGIN = 0.10  # 10 percentage points
# Float noise must not decide a flag: a difference of exactly the margin is not "beyond" it.
EPSILON = 1e-9

COMPARED = "compared"
TOO_SMALL = "too_small"  # fewer than min_group people: never shown with a rate
WITHHELD = "withheld"  # big enough, hidden so that the too-small groups cannot be worked out

TENURE_BANDS = ("lt1", "1to3", "3to5", "5plus")  # <1 year, 1-3, 3-5, 5 years and more


class FairnessInputError(ValueError):
    """Bad input; ``field`` names the offending argument."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class GroupRate:
    """One group on one dimension for one measure."""

    key: str
    n: int  # people of the group in the measure's population
    rate: float | None  # mean of their values; None unless status is COMPARED
    difference: float | None  # rate - overall rate; None unless status is COMPARED
    flagged: bool  # |difference| > margin (only ever on compared groups)
    status: str  # COMPARED, TOO_SMALL or WITHHELD


@dataclass(frozen=True, slots=True)
class Comparison:
    """A measure across the groups of one dimension."""

    n: int  # people in the measure's population (the sum of the groups' n)
    overall: float | None  # mean over everyone; None when n < min_group
    margin: float
    min_group: int
    groups: tuple[GroupRate, ...]  # sorted by key

    @property
    def flagged(self) -> tuple[GroupRate, ...]:
        return tuple(group for group in self.groups if group.flagged)


def validate_settings(*, margin: float, min_group: int) -> None:
    """Raise FairnessInputError unless 0 < margin <= 1 and min_group is an integer >= 3."""
    if isinstance(margin, bool) or not isinstance(margin, int | float) or math.isnan(margin):
        raise FairnessInputError("margin must be a number", field="margin")
    if not 0 < margin <= 1:
        raise FairnessInputError("margin must be above 0 and at most 1", field="margin")
    if isinstance(min_group, bool) or not isinstance(min_group, int):
        raise FairnessInputError("min_group must be an integer", field="min_group")
    if min_group < MIN_GROUP_FLOOR:
        raise FairnessInputError(f"min_group must be at least {MIN_GROUP_FLOOR}", field="min_group")


def compare_groups(
    values: Sequence[float],
    groups: Sequence[str],
    *,
    margin: float = DEFAULT_MARGIN,
    min_group: int = DEFAULT_MIN_GROUP,
) -> Comparison:
    """Return each group's rate and difference from the overall rate, flagged beyond ``margin``.

    ``values[i]`` and ``groups[i]`` describe person ``i``; people whose value is NaN (or None)
    are left out. Groups smaller than ``min_group`` are TOO_SMALL; compared groups are WITHHELD,
    smallest first, while the hidden people number between 1 and ``min_group - 1``.
    """
    validate_settings(margin=margin, min_group=min_group)
    if len(values) != len(groups):
        raise FairnessInputError(
            f"values has {len(values)} entries but groups has {len(groups)}", field="groups"
        )
    by_group: dict[str, list[float]] = defaultdict(list)
    for index, (value, key) in enumerate(zip(values, groups, strict=True)):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if not isinstance(key, str):
            raise FairnessInputError(f"group key at {index} is not a string", field="groups")
        number = float(value)
        if math.isinf(number):
            raise FairnessInputError(f"value at {index} is infinite", field="values")
        by_group[key].append(number)

    total = sum(len(items) for items in by_group.values())
    keys = sorted(by_group)
    if total < min_group:
        groups_out = tuple(
            GroupRate(key, len(by_group[key]), None, None, False, _hidden(by_group[key], min_group))
            for key in keys
        )
        return Comparison(total, None, margin, min_group, groups_out)

    overall = math.fsum(v for items in by_group.values() for v in items) / total
    status = {key: COMPARED if len(by_group[key]) >= min_group else TOO_SMALL for key in keys}
    hidden = sum(len(by_group[key]) for key in keys if status[key] == TOO_SMALL)
    # Secondary suppression: withhold the smallest compared groups until the hidden people
    # are none or at least min_group, so no small group's rate follows by subtraction.
    for key in sorted(
        (k for k in keys if status[k] == COMPARED), key=lambda k: (len(by_group[k]), k)
    ):
        if hidden == 0 or hidden >= min_group:
            break
        status[key] = WITHHELD
        hidden += len(by_group[key])

    out = []
    for key in keys:
        items = by_group[key]
        if status[key] != COMPARED:
            out.append(GroupRate(key, len(items), None, None, False, status[key]))
            continue
        rate = math.fsum(items) / len(items)
        difference = rate - overall
        out.append(
            GroupRate(
                key, len(items), rate, difference, abs(difference) - margin > EPSILON, COMPARED
            )
        )
    return Comparison(total, overall, margin, min_group, tuple(out))


def _hidden(items: list[float], min_group: int) -> str:
    return TOO_SMALL if len(items) < min_group else WITHHELD


@dataclass(frozen=True, slots=True)
class FairnessInput:
    """Everyone of a review cycle: per dimension each person's group, per measure their value.

    Every sequence has one entry per person, in the same order.
    """

    dimensions: Mapping[str, Sequence[str]]  # "team" -> group key per person
    measures: Mapping[str, Sequence[float]]  # "top_grade" -> 1/0/NaN per person


def review_fairness(
    data: FairnessInput,
    *,
    margin: float = DEFAULT_MARGIN,
    min_group: int = DEFAULT_MIN_GROUP,
) -> dict[str, dict[str, Comparison]]:
    """Compare every measure across every dimension: ``result[dimension][measure]``."""
    validate_settings(margin=margin, min_group=min_group)
    sizes = {len(seq) for seq in (*data.dimensions.values(), *data.measures.values())}
    if len(sizes) > 1:
        raise FairnessInputError(
            "every dimension and measure needs one entry per person", field="data"
        )
    return {
        dimension: {
            measure: compare_groups(values, groups, margin=margin, min_group=min_group)
            for measure, values in data.measures.items()
        }
        for dimension, groups in data.dimensions.items()
    }


def tenure_band(hire_date: dt.date, as_of: dt.date) -> str:
    """The tenure band of someone hired on ``hire_date``, in whole years on ``as_of``."""
    years = (
        as_of.year - hire_date.year - ((as_of.month, as_of.day) < (hire_date.month, hire_date.day))
    )
    if years < 1:
        return "lt1"
    if years < 3:
        return "1to3"
    if years < 5:
        return "3to5"
    return "5plus"


def grade_split(names: Sequence[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The grades counted as "A or better" and as "C or worse", given grade names best first.

    Scales without an "A" (or a "C") take the best (or the worst) two grades instead.
    """
    names = list(names)
    if not names:
        raise FairnessInputError("a grade scale needs at least one grade", field="names")
    top = names[: names.index("A") + 1] if "A" in names else names[:2]
    bottom = names[names.index("C") :] if "C" in names else names[-2:]
    return frozenset(top), frozenset(bottom)
