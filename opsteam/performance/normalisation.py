"""Rater leniency and severity: put each rater's ratings on a common footing.

Pure (numpy only). For raters who rated at least ``min_ratees`` people, each rating is shifted
by the difference between the overall mean and the rater's own mean (a lenient rater's 5 and a
strict rater's 4 can mean the same). Raw ratings are kept alongside; raters with too few
ratings are left as they are. A shift keeps each rater's own ranking of people intact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class NormalisationResult:
    normalised: np.ndarray  # (ratings,) same order as the input, clipped to the scale
    adjustment: np.ndarray  # (ratings,) normalised - raw before clipping (what HR sees)
    rater_means: dict[int, float]  # rater id -> their own mean
    overall_mean: float
    adjusted_raters: frozenset[int]  # raters with enough ratings to be normalised


def normalise_ratings(
    raters: np.ndarray,
    ratings: np.ndarray,
    *,
    min_ratees: int = 5,
    scale: tuple[float, float] = (1.0, 5.0),
) -> NormalisationResult:
    """Shift each qualifying rater's ratings by (overall mean - their mean)."""
    raters = np.asarray(raters, dtype=np.int64)
    ratings = np.asarray(ratings, dtype=float)
    if raters.shape != ratings.shape:
        raise ValueError("raters: one rater id per rating is required")
    if ratings.size == 0:
        return NormalisationResult(ratings.copy(), np.zeros(0), {}, float("nan"), frozenset())
    overall = float(ratings.mean())
    ids, inverse, counts = np.unique(raters, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ratings)
    means = sums / counts
    qualifies = counts >= min_ratees
    shift = np.where(qualifies, overall - means, 0.0)[inverse]
    adjusted = ratings + shift
    return NormalisationResult(
        normalised=np.clip(adjusted, *scale),
        adjustment=shift,
        rater_means={int(i): float(m) for i, m in zip(ids, means, strict=True)},
        overall_mean=overall,
        adjusted_raters=frozenset(int(i) for i in ids[qualifies]),
    )
