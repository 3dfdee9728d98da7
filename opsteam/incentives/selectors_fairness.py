"""Reads of the fairness review: one review cycle's people, their grades, bonuses and
promotions, grouped by team, level, tenure band and gender, compared by ``incentives.fairness``.

Who may read it: whoever may read, org-wide, every review, bonus pool and nomination it
summarises, i.e. holds a role whose scope is "all" for viewing each of the three in the policy
table (administrators, HR, auditors). Managers (their subtree only) and operators may not:
group rates of a whole organisation are not theirs to compare.

The population is everyone with a review in the cycle (team and level as the review fixed them
at the end of the period, tenure on the period's last day). Measures:

- graded A or better / C or worse: people with a grade (any review status, so a fairness check
  can run during calibration, before grades are published);
- bonus as a share of base: people with a line in one of the cycle's approved or exported
  pools, amount / base (the base already counts the policy's months of salary);
- promoted: everyone; approved nominations in promotion rounds taking effect from the period's
  start to a year after its end.

Gender (optional on ``org.Staff``, as recorded now) groups only the people who have one
recorded; the others are counted (``gender_not_recorded``) and never shown as a group. They stay
in the comparison as a hidden group, so each gender's difference is from the same overall rate as
on every other dimension, and when they are fewer than the minimum group the engine withholds
the smallest gender group too: otherwise the overall rate and the genders' rates would give
away the rate of those few people.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opsteam.careers.choices import NominationStatus
from opsteam.careers.models import Nomination
from opsteam.core import policy
from opsteam.core.exceptions import PolicyDenied
from opsteam.incentives import fairness
from opsteam.incentives.choices import PoolStatus
from opsteam.incentives.models import BonusLine, BonusPool
from opsteam.org.choices import Gender
from opsteam.org.models import JobLevel, OrgUnit
from opsteam.performance.models import Review, ReviewCycle

PROMOTION_WINDOW = dt.timedelta(days=365)
MEASURES = ("top_grade", "low_grade", "bonus", "promotion")
DIMENSIONS = ("team", "level", "tenure", "gender")
NO_LEVEL = "none"
# The group of people without a recorded gender: compared (so that nothing can be worked out
# from the overall rate) but never shown.
GENDER_NOT_RECORDED = "not_recorded"


def measure_labels() -> dict[str, str]:
    return {
        "top_grade": _("Graded A or better"),
        "low_grade": _("Graded C or worse"),
        "bonus": _("Bonus as a share of base"),
        "promotion": _("Promoted"),
    }


def dimension_labels() -> dict[str, str]:
    return {"team": _("Team"), "level": _("Level"), "tenure": _("Tenure"), "gender": _("Gender")}


def tenure_labels() -> dict[str, str]:
    return {
        "lt1": _("Under 1 year"),
        "1to3": _("1 to 3 years"),
        "3to5": _("3 to 5 years"),
        "5plus": _("5 years or more"),
    }


def can_review_fairness(user: Any) -> bool:
    """Whether ``user`` may read the fairness review (the policy's "report" on bonus pools:
    administrators, HR and auditors, who read every review, pool and nomination org-wide)."""
    return policy.can(user, "report", BonusPool)


def require_fairness(user: Any) -> None:
    """Raise PolicyDenied unless the user may read the fairness review."""
    if not can_review_fairness(user):
        raise PolicyDenied()


def cycle_choices(*, user: Any) -> QuerySet[ReviewCycle]:
    """The review cycles to choose from, latest first."""
    return ReviewCycle.objects.restrict(user, "view").order_by("-period_end", "name")


def default_cycle(*, user: Any) -> ReviewCycle | None:
    """The latest cycle with a graded review, else the latest cycle."""
    cycles = cycle_choices(user=user)
    graded = Review.objects.exclude(grade="").values("cycle_id")
    return cycles.filter(pk__in=graded).first() or cycles.first()


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group of a dimension with its comparison for each measure (None: nobody of the
    group is in that measure's population)."""

    key: str
    label: str
    cells: tuple[fairness.GroupRate | None, ...]  # in MEASURES order

    @property
    def n(self) -> int:
        return max((cell.n for cell in self.cells if cell is not None), default=0)

    @property
    def flagged(self) -> bool:
        return any(cell is not None and cell.flagged for cell in self.cells)


@dataclass(frozen=True, slots=True)
class DimensionReport:
    key: str
    label: str
    comparisons: tuple[fairness.Comparison, ...]  # in MEASURES order
    rows: tuple[GroupRow, ...]  # in the dimension's natural order (tree, rank, tenure)


@dataclass(frozen=True, slots=True)
class FairnessReport:
    cycle: ReviewCycle
    margin: float
    min_group: int
    people: int
    gender_not_recorded: int  # people of the cycle without a recorded gender
    graded: int
    with_bonus: int
    promoted: int
    approved_pools: int  # approved or exported pools of the cycle with lines
    promotion_from: dt.date
    promotion_to: dt.date
    top_grades: tuple[str, ...]
    low_grades: tuple[str, ...]
    measures: tuple[tuple[str, str], ...]  # (key, label)
    dimensions: tuple[DimensionReport, ...]

    @property
    def flag_count(self) -> int:
        return sum(
            1
            for dimension in self.dimensions
            for row in dimension.rows
            for cell in row.cells
            if cell is not None and cell.flagged
        )


def fairness_report(
    *,
    user: Any,
    cycle: ReviewCycle,
    margin: float = fairness.DEFAULT_MARGIN,
    min_group: int = fairness.DEFAULT_MIN_GROUP,
) -> FairnessReport:
    """Compare grades, bonuses and promotions of ``cycle`` across teams, levels, tenure and
    gender (where recorded; with no gender recorded for anyone, the gender dimension is left out).

    Raise PolicyDenied unless the user may read the review. Five queries whatever the size:
    the reviews, the approved bonus lines, the approved nominations, the units and the levels.
    """
    require_fairness(user)
    reviews = list(
        Review.objects.filter(cycle=cycle)
        .order_by("staff_id")
        .values_list(
            "staff_id", "unit_id", "level_id", "grade", "staff__hire_date", "staff__gender"
        )
    )
    pools = BonusPool.objects.filter(
        cycle=cycle, status__in=(PoolStatus.APPROVED, PoolStatus.EXPORTED)
    )
    amounts: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    pool_ids = set()
    for pool_id, staff_id, amount, base in BonusLine.objects.filter(pool__in=pools).values_list(
        "pool_id", "staff_id", "amount", "base"
    ):
        pool_ids.add(pool_id)
        amounts[staff_id][0] += amount
        amounts[staff_id][1] += base
    promotion_from = cycle.period_start
    promotion_to = cycle.period_end + PROMOTION_WINDOW
    promoted = set(
        Nomination.objects.filter(
            status=NominationStatus.APPROVED,
            round__effective_date__gte=promotion_from,
            round__effective_date__lte=promotion_to,
            staff_id__in=Review.objects.filter(cycle=cycle).values("staff_id"),
        ).values_list("staff_id", flat=True)
    )
    top, low = fairness.grade_split(cycle.grade_names or ["S", "A", "B", "C", "D"])

    nan = math.nan
    team, level, tenure, gender = [], [], [], []
    values: dict[str, list[float]] = {measure: [] for measure in MEASURES}
    for staff_id, unit_id, level_id, grade, hired, recorded_gender in reviews:
        team.append(f"u{unit_id}")
        level.append(f"l{level_id}" if level_id else NO_LEVEL)
        tenure.append(fairness.tenure_band(hired, cycle.period_end))
        gender.append(recorded_gender or GENDER_NOT_RECORDED)
        values["top_grade"].append(float(grade in top) if grade else nan)
        values["low_grade"].append(float(grade in low) if grade else nan)
        amount, base = amounts.get(staff_id, (None, None))
        values["bonus"].append(float(amount / base) if base else nan)
        values["promotion"].append(float(staff_id in promoted))

    gender_not_recorded = gender.count(GENDER_NOT_RECORDED)
    compared = {"team": team, "level": level, "tenure": tenure}
    if gender_not_recorded < len(gender):
        compared["gender"] = gender
    results = fairness.review_fairness(
        fairness.FairnessInput(dimensions=compared, measures=values),
        margin=margin,
        min_group=min_group,
    )
    units = OrgUnit.objects.in_bulk({int(key[1:]) for key in team})
    levels = JobLevel.objects.in_bulk({int(key[1:]) for key in level if key != NO_LEVEL})
    labels = {
        "team": {f"u{pk}": unit.display_name for pk, unit in units.items()},
        "level": {
            **{f"l{pk}": f"{row.code} {row.display_name}" for pk, row in levels.items()},
            NO_LEVEL: _("No level"),
        },
        "tenure": tenure_labels(),
        "gender": dict(Gender.choices),
    }
    order = {
        "team": {f"u{pk}": (unit.path,) for pk, unit in units.items()},
        "level": {f"l{pk}": (row.track, row.rank, row.code) for pk, row in levels.items()},
        "tenure": {band: (index,) for index, band in enumerate(fairness.TENURE_BANDS)},
        "gender": {key: (index,) for index, key in enumerate(Gender.values)},
    }
    names = dimension_labels()
    dimensions = []
    for dimension in DIMENSIONS:
        if dimension not in results:
            continue
        comparisons = tuple(results[dimension][measure] for measure in MEASURES)
        by_key = [{group.key: group for group in comparison.groups} for comparison in comparisons]
        keys = sorted(
            {key for groups in by_key for key in groups} - {GENDER_NOT_RECORDED},
            key=lambda key, d=dimension: (key == NO_LEVEL, order[d].get(key, ()), key),
        )
        rows = tuple(
            GroupRow(
                key=key,
                label=labels[dimension].get(key, key),
                cells=tuple(groups.get(key) for groups in by_key),
            )
            for key in keys
        )
        dimensions.append(DimensionReport(dimension, names[dimension], comparisons, rows))

    measure_names = measure_labels()
    return FairnessReport(
        cycle=cycle,
        margin=margin,
        min_group=min_group,
        people=len(reviews),
        gender_not_recorded=gender_not_recorded,
        graded=sum(1 for row in reviews if row[3]),
        with_bonus=sum(1 for value in values["bonus"] if not math.isnan(value)),
        promoted=len(promoted),
        approved_pools=len(pool_ids),
        promotion_from=promotion_from,
        promotion_to=promotion_to,
        top_grades=tuple(name for name in cycle.grade_names if name in top),
        low_grades=tuple(name for name in cycle.grade_names if name in low),
        measures=tuple((measure, measure_names[measure]) for measure in MEASURES),
        dimensions=tuple(dimensions),
    )


def percent(value: float | None) -> float | None:
    """A rate as a percentage with one decimal (None stays None)."""
    return None if value is None else round(value * 100, 1)


def report_header() -> list[str]:
    """The columns of the fairness download."""
    return [
        _("Dimension"),
        _("Group"),
        _("Measure"),
        _("People"),
        _("Rate (%)"),
        _("Overall (%)"),
        _("Difference (points)"),
        _("Flagged"),
        _("Note"),
    ]


def report_rows(report: FairnessReport) -> tuple[list[str], list[list[Any]]]:
    """The report as a table (header, rows) for the CSV/xlsx download: one row per dimension,
    group and measure. Too-small and withheld groups carry no rate, only their size."""
    header = report_header()
    notes = {
        fairness.TOO_SMALL: _("Too small to compare"),
        fairness.WITHHELD: _("Withheld so that smaller groups cannot be worked out"),
        fairness.COMPARED: "",
    }
    rows = []
    for dimension in report.dimensions:
        for row in dimension.rows:
            for (_key, label), comparison, cell in zip(
                report.measures, dimension.comparisons, row.cells, strict=True
            ):
                if cell is None:
                    continue
                rows.append(
                    [
                        dimension.label,
                        row.label,
                        label,
                        cell.n,
                        percent(cell.rate),
                        percent(comparison.overall),
                        percent(cell.difference),
                        "✓" if cell.flagged else "",
                        notes[cell.status],
                    ]
                )
    return header, rows
