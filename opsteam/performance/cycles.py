"""The review-cycle state machine and the checks on a cycle's settings (pure: no database).

Stages run in one order; a cycle moves one stage forward at a time (skipping the 360 stage when
the formula does not use competencies) and may step back one stage only before publication, so
a published result never silently changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from opsteam.performance.formula import FormulaError, parse_formula

FORMULA_VARIABLES = frozenset({"kpi", "competency", "manager"})

STAGES: tuple[str, ...] = (
    "draft",
    "goal_setting",
    "self_review",
    "feedback",
    "manager_review",
    "calibration",
    "published",
    "acknowledgement",
    "closed",
)
PUBLISHED_INDEX = STAGES.index("published")


class TransitionError(ValueError):
    """A stage change the state machine does not allow; the message says why."""


def next_stage(stage: str, *, uses_feedback: bool = True) -> str:
    """The stage after ``stage`` (the 360 stage is skipped when the formula needs no 360)."""
    index = STAGES.index(stage)
    if index == len(STAGES) - 1:
        raise TransitionError("the cycle is closed")
    following = STAGES[index + 1]
    if following == "feedback" and not uses_feedback:
        following = STAGES[index + 2]
    return following


def check_transition(current: str, target: str, *, uses_feedback: bool = True) -> None:
    """Raise ``TransitionError`` unless ``current -> target`` is one step forward, or one step
    back before publication."""
    if current not in STAGES or target not in STAGES:
        raise TransitionError(f"unknown stage: {target if current in STAGES else current}")
    if current == "closed":
        raise TransitionError("the cycle is closed")
    if target == next_stage(current, uses_feedback=uses_feedback):
        return
    here, there = STAGES.index(current), STAGES.index(target)
    if there < here:
        if here >= PUBLISHED_INDEX:
            raise TransitionError("published results cannot go back; resolve changes by appeal")
        previous = STAGES[here - 1]
        if previous == "feedback" and not uses_feedback:
            previous = STAGES[here - 2]
        if target == previous and target != "draft":
            return
        raise TransitionError("a cycle may only step back one stage")
    raise TransitionError("stages cannot be skipped")


def validate_settings(cycle: Any) -> dict[str, list[str]]:
    """Every problem of a cycle's settings, by field name (empty when the cycle is valid)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    try:
        parse_formula(cycle.formula or "", variables=FORMULA_VARIABLES)
    except FormulaError as exc:
        add("formula", str(exc))
    for message in grade_band_problems(cycle.grade_bands):
        add("grade_bands", message)
    for message in guideline_problems(cycle.guideline, len(cycle.grade_bands or [])):
        add("guideline", message)
    names = [
        str(band.get("name", "")) for band in cycle.grade_bands or [] if isinstance(band, Mapping)
    ]
    if cycle.veto_cap_grade and names and cycle.veto_cap_grade not in names:
        add("veto_cap_grade", f"not one of the grades ({', '.join(names)})")
    if cycle.period_start and cycle.period_end and cycle.period_end < cycle.period_start:
        add("period_end", "the period ends before it starts")
    deadlines = [
        ("goal_deadline", cycle.goal_deadline),
        ("self_review_deadline", cycle.self_review_deadline),
        ("feedback_deadline", cycle.feedback_deadline),
        ("manager_review_deadline", cycle.manager_review_deadline),
        ("calibration_deadline", cycle.calibration_deadline),
        ("acknowledgement_deadline", cycle.acknowledgement_deadline),
    ]
    previous = None
    for field, value in deadlines:
        if value is None:
            continue
        if previous is not None and value < previous[1]:
            add(field, f"is before the {previous[0].replace('_', ' ')}")
        previous = (field, value)
    return errors


def grade_band_problems(bands: Any) -> list[str]:
    """Problems of a grade-band list ``[{"name", "min", "coefficient"}, ...]`` (best first)."""
    if not isinstance(bands, Sequence) or isinstance(bands, str) or not bands:
        return ["give at least one grade band"]
    problems = []
    names = []
    minimums = []
    for number, band in enumerate(bands, start=1):
        if not isinstance(band, Mapping) or not str(band.get("name", "")).strip():
            problems.append(f"band {number}: needs a name")
            continue
        names.append(str(band["name"]).strip())
        try:
            minimums.append(float(band.get("min", 0)))
            float(band.get("coefficient", 1))
        except (TypeError, ValueError):
            problems.append(f"band {band['name']}: minimum and coefficient must be numbers")
    if len(set(names)) != len(names):
        problems.append("grade names must differ")
    if any(b >= a for a, b in itertools.pairwise(minimums)):
        problems.append("minimum scores must fall from the best grade to the worst")
    if minimums and minimums[-1] != 0:
        problems.append("the last grade must start at 0 so every score has a grade")
    return problems


def guideline_problems(shares: Any, grade_count: int) -> list[str]:
    """Problems of a guideline distribution (percent per grade, best first, summing to 100)."""
    if not isinstance(shares, Sequence) or isinstance(shares, str):
        return ["give one share per grade"]
    if len(shares) != grade_count:
        return [f"give one share per grade ({grade_count})"]
    try:
        values = [float(share) for share in shares]
    except (TypeError, ValueError):
        return ["shares must be numbers"]
    if any(value < 0 for value in values):
        return ["shares cannot be negative"]
    if abs(sum(values) - 100) > 1e-6:
        return [f"shares must sum to 100 (they sum to {sum(values):g})"]
    return []
