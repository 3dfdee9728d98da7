"""KPI scoring: from each person's period actuals to KPI scores and a weighted KPI score.

Pure (numpy only, no Django). Vectorised over people x KPIs, and every number carries its
explanation: the score of each KPI, the weight it finally had, the points it contributed and
how a missing measurement was treated. Scoring rules (per KPI):

- LINEAR: 0 at the threshold, 100 at the target, ``stretch_score`` at the stretch value,
  straight lines between, capped at ``cap`` (and at the stretch score beyond the stretch);
- BANDS: a step table of (from value, score);
- DEDUCTION: 100 minus ``per_unit`` points for each unit short of the target (floored at 0);
- BONUS: 100 at the target plus ``per_unit`` points per unit beyond it, up to ``cap``;
- PASS_FAIL: 100 when the target is reached, else 0.

Direction -1 means lower is better (complaint rate, handling time): distances are mirrored.
A KPI marked ``veto`` (一票否决) that scores below 100 caps the person's final result.
A KPI with no measurement either gives its weight to the person's measured KPIs (SPREAD) or
scores 0 (ZERO); it is never silently treated as met.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LINEAR, BANDS, DEDUCTION, BONUS, PASS_FAIL = 0, 1, 2, 3, 4
SPREAD, ZERO = 0, 1
MEASURED, SPREAD_APPLIED, ZERO_APPLIED, NOT_APPLICABLE = 0, 1, 2, 3
# Sums of many floats drift (3.74 -> 3.7399999999999998) and a threshold then flips a score:
# actuals are rounded to this many decimals before scoring (see notes/import-anchors.md).
ACTUAL_DECIMALS = 6


class ScoringInputError(ValueError):
    """Malformed input; the message names the offending field and index."""


@dataclass(frozen=True, slots=True)
class KpiRules:
    """Scoring rule of each KPI; arrays of shape (kpis,) unless noted."""

    kind: np.ndarray  # int: LINEAR/BANDS/DEDUCTION/BONUS/PASS_FAIL
    direction: np.ndarray  # +1 higher is better, -1 lower is better
    threshold: np.ndarray  # LINEAR: value scoring 0
    target: np.ndarray  # value scoring 100 (may be overridden per person)
    stretch: np.ndarray  # LINEAR: value scoring stretch_score (NaN: no stretch)
    stretch_score: np.ndarray  # LINEAR: score at the stretch value (e.g. 120)
    cap: np.ndarray  # highest score the KPI can give
    per_unit: np.ndarray  # DEDUCTION/BONUS: points per unit of distance to the target
    missing: np.ndarray  # SPREAD or ZERO
    veto: np.ndarray  # bool: a score below 100 caps the whole result
    bands: tuple[tuple[tuple[float, float], ...], ...] = ()  # BANDS: ((from value, score), ...)

    @property
    def count(self) -> int:
        return len(self.kind)


@dataclass(frozen=True, slots=True)
class ScoringInput:
    actual: np.ndarray  # (people, kpis) period values; NaN = no measurement
    weights: np.ndarray  # (people, kpis) percent; 0 where the KPI is not in the person's template
    targets: np.ndarray | None = None  # (people, kpis) agreed personal targets; NaN = rule's


@dataclass(frozen=True, slots=True)
class ScoringResult:
    kpi_scores: np.ndarray  # (people, kpis) score 0..cap; NaN where not measured or not applicable
    effective_weights: np.ndarray  # (people, kpis) fraction of 1 after missing-value handling
    contributions: np.ndarray  # (people, kpis) points; each row sums to weighted_score
    weighted_score: np.ndarray  # (people,) the weighted KPI score
    handling: np.ndarray  # (people, kpis) MEASURED / SPREAD_APPLIED / ZERO_APPLIED / NOT_APPLICABLE
    veto_failed: np.ndarray  # (people, kpis) bool: a veto KPI below 100
    targets_used: np.ndarray  # (people, kpis) the target each score was measured against

    @property
    def any_veto_failed(self) -> np.ndarray:
        return self.veto_failed.any(axis=1)


def _validate(rules: KpiRules, data: ScoringInput) -> None:
    kpis = rules.count
    for name in (
        "direction",
        "threshold",
        "target",
        "stretch",
        "stretch_score",
        "cap",
        "per_unit",
        "missing",
        "veto",
    ):
        if len(getattr(rules, name)) != kpis:
            raise ScoringInputError(f"rules.{name}: expected {kpis} values")
    if data.actual.ndim != 2 or data.actual.shape[1] != kpis:
        raise ScoringInputError(f"actual: expected shape (people, {kpis}), got {data.actual.shape}")
    if data.weights.shape != data.actual.shape:
        raise ScoringInputError(
            f"weights: expected shape {data.actual.shape}, got {data.weights.shape}"
        )
    if (data.weights < 0).any():
        row, col = np.argwhere(data.weights < 0)[0]
        raise ScoringInputError(f"weights[{row}, {col}]: negative weight")
    totals = data.weights.sum(axis=1)
    bad = np.flatnonzero(np.abs(totals - 100.0) > 1e-6)
    if len(bad):
        raise ScoringInputError(f"weights[{bad[0]}]: weights sum to {totals[bad[0]]:g}, not 100")
    if data.targets is not None and data.targets.shape != data.actual.shape:
        raise ScoringInputError(f"targets: expected shape {data.actual.shape}")
    linear = rules.kind == LINEAR
    span = (rules.target - rules.threshold) * rules.direction
    if (linear & ~(span > 0)).any():
        index = int(np.flatnonzero(linear & ~(span > 0))[0])
        raise ScoringInputError(
            f"rules.threshold[{index}]: the threshold must be on the worse side of the target"
        )
    if (rules.kind == BANDS).any() and len(rules.bands) != kpis:
        raise ScoringInputError(
            "rules.bands: one band table per KPI is required when BANDS is used"
        )


def _band_score(
    values: np.ndarray, table: tuple[tuple[float, float], ...], direction: int
) -> np.ndarray:
    """Step table: the score of the highest band whose lower edge the value reaches."""
    if not table:
        raise ScoringInputError("rules.bands: a BANDS KPI needs at least one band")
    edges = np.array([edge for edge, _score in table], dtype=float)
    scores = np.array([score for _edge, score in table], dtype=float)
    order = np.argsort(edges * direction)
    edges, scores = edges[order] * direction, scores[order]
    if (np.diff(scores) < 0).any():
        raise ScoringInputError(
            "rules.bands: a better value must never score less than a worse one"
        )
    index = np.searchsorted(edges, values * direction, side="right") - 1
    return np.where(index >= 0, scores[np.clip(index, 0, None)], 0.0)


def score_kpis(rules: KpiRules, data: ScoringInput) -> ScoringResult:
    """Score every person's KPIs and combine them by weight, with the explanation."""
    _validate(rules, data)
    actual = np.round(data.actual.astype(float), ACTUAL_DECIMALS)
    target = np.broadcast_to(rules.target, actual.shape).astype(float).copy()
    if data.targets is not None:
        target = np.where(np.isnan(data.targets), target, data.targets)
    direction = np.broadcast_to(rules.direction, actual.shape).astype(float)
    gain = (actual - target) * direction  # > 0: better than target
    cap = np.broadcast_to(rules.cap, actual.shape)
    scores = np.full(actual.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        for kind in np.unique(rules.kind):
            columns = rules.kind == kind
            g, t, c = gain[:, columns], target[:, columns], cap[:, columns]
            if kind == LINEAR:
                threshold = np.broadcast_to(rules.threshold[columns], g.shape)
                d = direction[:, columns]
                below_span = (t - threshold) * d
                below = 100.0 * (1.0 + g / below_span)
                stretch = np.broadcast_to(rules.stretch[columns], g.shape)
                stretch_score = np.broadcast_to(rules.stretch_score[columns], g.shape)
                above_span = (stretch - t) * d
                has_stretch = ~np.isnan(stretch) & (above_span > 0)
                above = np.where(
                    has_stretch, 100.0 + (stretch_score - 100.0) * g / above_span, 100.0
                )
                above = np.where(has_stretch, np.minimum(above, stretch_score), above)
                value = np.where(g >= 0, above, below)
            elif kind == BANDS:
                value = np.empty(g.shape)
                for offset, column in enumerate(np.flatnonzero(columns)):
                    value[:, offset] = _band_score(
                        actual[:, column], rules.bands[column], int(rules.direction[column])
                    )
            elif kind == DEDUCTION:
                value = 100.0 - rules.per_unit[columns] * np.maximum(0.0, -g)
            elif kind == BONUS:
                value = np.where(
                    g >= 0,
                    100.0 + rules.per_unit[columns] * g,
                    100.0 * (1.0 + np.minimum(g, 0.0) / np.where(t == 0, 1.0, np.abs(t))),
                )
            elif kind == PASS_FAIL:
                value = np.where(g >= 0, 100.0, 0.0)
            else:
                raise ScoringInputError(f"rules.kind: unknown rule {kind}")
            scores[:, columns] = np.clip(value, 0.0, c)
    measured = ~np.isnan(actual)
    applicable = data.weights > 0
    scores = np.where(measured & applicable, scores, np.nan)

    missing_zero = np.broadcast_to(rules.missing == ZERO, actual.shape)
    handling = np.full(actual.shape, MEASURED, dtype=np.int8)
    handling[~applicable] = NOT_APPLICABLE
    handling[applicable & ~measured & missing_zero] = ZERO_APPLIED
    handling[applicable & ~measured & ~missing_zero] = SPREAD_APPLIED

    weights = data.weights.astype(float) / 100.0
    keep = applicable & (measured | missing_zero)
    kept = np.where(keep, weights, 0.0)
    totals = kept.sum(axis=1, keepdims=True)
    effective = np.divide(kept, totals, out=np.zeros_like(kept), where=totals > 0)
    contributions = np.nan_to_num(scores) * effective
    veto = (
        np.broadcast_to(rules.veto, actual.shape)
        & applicable
        & (np.nan_to_num(scores, nan=0.0) < 100.0)
    )
    return ScoringResult(
        kpi_scores=scores,
        effective_weights=effective,
        contributions=contributions,
        weighted_score=contributions.sum(axis=1),
        handling=handling,
        veto_failed=veto,
        targets_used=target,
    )


@dataclass(frozen=True, slots=True)
class GradeBands:
    """Grades from the best down, each with the lowest final score that earns it."""

    names: tuple[str, ...]  # e.g. ("S", "A", "B", "C", "D")
    minimums: tuple[float, ...]  # e.g. (95, 85, 70, 60, 0): strictly decreasing, last is the floor
    coefficients: tuple[float, ...] = field(default=())  # 绩效系数 per grade, for incentives

    def __post_init__(self) -> None:
        if not self.names or len(self.names) != len(self.minimums):
            raise ScoringInputError("grade_bands: one minimum score per grade is required")
        if any(a <= b for a, b in zip(self.minimums, self.minimums[1:], strict=False)):
            raise ScoringInputError(
                "grade_bands.minimums: must strictly decrease from the best grade"
            )
        if self.coefficients and len(self.coefficients) != len(self.names):
            raise ScoringInputError("grade_bands.coefficients: one coefficient per grade")


def assign_grades(
    scores: np.ndarray, bands: GradeBands, *, capped_at: np.ndarray | None = None
) -> np.ndarray:
    """Return the grade index (0 = best) of each score; ``capped_at`` (grade index per person,
    -1 = no cap) stops a failed veto item from letting anyone grade above it."""
    minimums = np.array(bands.minimums, dtype=float)
    values = np.nan_to_num(np.asarray(scores, dtype=float), nan=-np.inf)
    index = np.minimum(np.searchsorted(-minimums, -values, side="left"), len(minimums) - 1)
    if capped_at is not None:
        index = np.where(capped_at >= 0, np.maximum(index, capped_at), index)
    return index
