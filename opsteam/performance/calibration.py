"""Calibration (校准): guideline distributions, proposals, small-team pooling, 9-box.

Pure (numpy only). Given final scores, the calibration group of each person and a guideline
distribution (e.g. S 10% / A 20% / B 50% / C 15% / D 5%), propose grades by rank within each
group so the group matches the guideline as closely as whole people allow. Groups smaller than
``min_group_size`` are pooled so a guideline never forces a grade onto a team of three. Every
proposal says why: its rank in its (pooled) group and the guideline counts used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POOLED = "__pooled__"


class CalibrationInputError(ValueError):
    """Malformed input; the message names the offending field."""


def guideline_counts(size: int, shares: np.ndarray) -> np.ndarray:
    """Whole-person counts per grade for a group of ``size`` (largest remainder; sum = size)."""
    shares = np.asarray(shares, dtype=float)
    if (shares < 0).any() or shares.sum() <= 0:
        raise CalibrationInputError("shares: must be non-negative and not all zero")
    exact = shares / shares.sum() * size
    counts = np.floor(exact).astype(int)
    remainder = size - counts.sum()
    # Ties in the remainder go to the better grade first (stable argsort keeps grade order).
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts


@dataclass(frozen=True, slots=True)
class CalibrationProposal:
    grades: np.ndarray  # (people,) proposed grade index, 0 = best
    pooled_group: np.ndarray  # (people,) the group actually calibrated (POOLED for small teams)
    rank: np.ndarray  # (people,) 1-based rank within that group
    targets: dict[str, np.ndarray]  # group -> guideline counts per grade
    actual: dict[str, np.ndarray]  # group -> counts per grade before calibration (from scores)


def propose_grades(
    scores: np.ndarray,
    groups: np.ndarray,
    shares: np.ndarray,
    *,
    current_grades: np.ndarray | None = None,
    min_group_size: int = 10,
) -> CalibrationProposal:
    """Propose grades that follow the guideline within each calibration group.

    Ranks by score (higher first; ties keep input order, so equal scores never swap). Within a
    group a higher score never receives a worse grade than a lower score.
    """
    scores = np.asarray(scores, dtype=float)
    groups = np.asarray(groups).astype(str)
    if scores.shape != groups.shape:
        raise CalibrationInputError("groups: one calibration group per score is required")
    if np.isnan(scores).any():
        raise CalibrationInputError(f"scores[{int(np.flatnonzero(np.isnan(scores))[0])}]: no score")
    names, sizes = np.unique(groups, return_counts=True)
    small = set(names[sizes < min_group_size].tolist())
    pooled = np.where(np.isin(groups, list(small)), POOLED, groups) if small else groups.copy()
    grade_count = len(shares)
    grades = np.zeros(len(scores), dtype=int)
    rank = np.zeros(len(scores), dtype=int)
    targets: dict[str, np.ndarray] = {}
    actual: dict[str, np.ndarray] = {}
    for group in np.unique(pooled):
        members = np.flatnonzero(pooled == group)
        order = members[np.argsort(-scores[members], kind="stable")]
        counts = guideline_counts(len(members), shares)
        targets[str(group)] = counts
        boundaries = np.cumsum(counts)
        positions = np.arange(len(order))
        grades[order] = np.searchsorted(boundaries, positions, side="right")
        rank[order] = positions + 1
        if current_grades is not None:
            actual[str(group)] = np.bincount(
                np.asarray(current_grades)[members], minlength=grade_count
            )
    return CalibrationProposal(
        grades=np.minimum(grades, grade_count - 1),
        pooled_group=pooled,
        rank=rank,
        targets=targets,
        actual=actual,
    )


def distribution(grades: np.ndarray, grade_count: int) -> np.ndarray:
    """Share of people per grade (0..1)."""
    counts = np.bincount(np.asarray(grades, dtype=int), minlength=grade_count)
    return counts / max(1, counts.sum())


def nine_box(performance_grade: np.ndarray, potential: np.ndarray, grade_count: int) -> np.ndarray:
    """Box 0..8 of the 9-box grid: rows potential (0 low .. 2 high), columns performance tier
    (0 low .. 2 high, the grade scale folded into thirds)."""
    grade = np.asarray(performance_grade, dtype=int)
    tier = 2 - np.minimum(2, (grade * 3) // max(1, grade_count))
    potential = np.clip(np.asarray(potential, dtype=int), 0, 2)
    return potential * 3 + tier
