"""Training effectiveness (培训效果评估) on Kirkpatrick's four levels.

Pure (numpy and the standard library only; no Django). One function per level, each returning a
frozen result that carries the counts and inputs behind its numbers:

1. reaction   ``summarise_reaction``: survey item means, overall mean, Net Promoter Score.
2. learning   ``measure_learning``: post-test minus pre-test per person, its spread and a paired
              t confidence interval of the mean gain.
3. behaviour  ``summarise_behaviour``: manager observation checklists at 30/60/90 days, per
              checkpoint and per item, and the trend from the first to the last checkpoint.
4. results    ``estimate_did``: difference-in-differences of a KPI between trained people and
              similar untrained colleagues over the same windows, with a Welch confidence
              interval, or an explicit "not estimable" with the reason. ``match_controls``
              picks those colleagues by nearest-neighbour matching.

Missing values are NaN and are dropped, never propagated: every result says how many answers or
people it dropped. A number that cannot be computed is ``None`` (scalars) or NaN next to a zero
count (per-item arrays), never a made-up value. Reasons come as a stable ``*_code`` for the
interface to translate plus an English sentence for logs and tests.

Reaction inputs must already have passed the surveys anonymity rule (``surveys.anonymity``);
this module does not re-apply it.

The t critical value is computed here because scipy is not a dependency: the Student t tail is
the regularised incomplete beta function (Numerical Recipes' continued fraction, Lentz's method,
accurate to ~1e-12), inverted by bisection. It accepts the non-integer degrees of freedom the
Welch-Satterthwaite formula produces; above 1e6 degrees of freedom the normal quantile is used
(the difference is below 1e-6). Checked against published tables in the tests
(df 1 -> 12.706, df 10 -> 2.228, df 30 -> 2.042, normal -> 1.960 at 95 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_NORMAL_DF = 1e6


class EffectivenessInputError(ValueError):
    """Malformed input; the message names the offending field (and index where there is one)."""


# Student t critical value (no scipy)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            step = d * c
            h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return h


def _regularised_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularised incomplete beta function."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def _upper_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0 (Student t, or standard normal when ``df`` is huge)."""
    if df > _NORMAL_DF:
        return 0.5 * math.erfc(t / math.sqrt(2.0))
    return 0.5 * _regularised_beta(df / 2.0, 0.5, df / (df + t * t))


def t_critical(confidence: float, df: float) -> float:
    """Return the two-sided critical value t such that P(|T| <= t) = ``confidence``.

    ``df`` may be fractional (Welch-Satterthwaite); ``math.inf`` gives the normal quantile.
    """
    if not 0.0 < confidence < 1.0:
        raise EffectivenessInputError("confidence: must be strictly between 0 and 1")
    if not df > 0:
        raise EffectivenessInputError("df: degrees of freedom must be positive")
    tail = (1.0 - confidence) / 2.0
    low, high = 0.0, 1.0
    while _upper_tail(high, df) > tail:
        low, high = high, high * 2.0
    # Bisection keeps the answer monotone in the confidence level, which a wider-interval-for-
    # higher-confidence guarantee relies on.
    for _ in range(200):
        middle = (low + high) / 2.0
        if middle in (low, high):
            break
        if _upper_tail(middle, df) > tail:
            low = middle
        else:
            high = middle
    return high


# Input helpers


def _as_float_array(values: np.ndarray, name: str, ndim: int) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != ndim:
        raise EffectivenessInputError(f"{name}: expected {ndim} dimension(s), got {array.ndim}")
    infinite = np.isinf(array)
    if infinite.any():
        index = tuple(int(i) for i in np.argwhere(infinite)[0])
        where = index[0] if len(index) == 1 else ", ".join(str(i) for i in index)
        raise EffectivenessInputError(f"{name}[{where}]: infinite value")
    return array


def _check_range(array: np.ndarray, name: str, low: float, high: float) -> None:
    outside = ~np.isnan(array) & ((array < low) | (array > high))
    if outside.any():
        index = ", ".join(str(int(i)) for i in np.argwhere(outside)[0])
        raise EffectivenessInputError(f"{name}[{index}]: outside {low:g}..{high:g}")


def _mean_or_none(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def _column_means(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column means over answered cells (NaN where a column has none) and counts."""
    answered = ~np.isnan(values)
    counts = answered.sum(axis=0)
    sums = np.where(answered, values, 0.0).sum(axis=0)
    means = np.full(counts.shape, np.nan)
    np.divide(sums, counts, out=means, where=counts > 0)
    return means, counts


# Level 1: reaction


@dataclass(frozen=True, slots=True)
class Reaction:
    responses: int  # rows given (survey responses)
    responses_with_scores: int  # responses that answered at least one item
    answers: int  # answered item cells used
    missing_answers: int  # unanswered item cells dropped
    item_means: np.ndarray  # (items,) on the survey scale; NaN only where item_counts == 0
    item_counts: np.ndarray  # (items,) answers per item
    overall_mean: float | None  # mean of every answered cell (each answer weighs the same)
    scale: tuple[float, float]
    nps: float | None  # %promoters - %detractors, -100..100; None without recommend answers
    promoters: int  # recommend 9-10
    passives: int  # recommend above 6 and below 9
    detractors: int  # recommend 0-6
    recommend_answers: int
    recommend_missing: int


def summarise_reaction(
    scores: np.ndarray,
    recommend: np.ndarray | None = None,
    *,
    scale: tuple[float, float] = (1.0, 5.0),
) -> Reaction:
    """Return the reaction level: item means, overall mean and Net Promoter Score.

    ``scores`` is (responses, items) on ``scale`` with NaN for an unanswered item; ``recommend``
    is (responses,) "how likely are you to recommend this course" on 0..10, NaN when skipped.
    NPS follows the usual definition: promoters answer 9 or 10, detractors 0 to 6.
    """
    values = _as_float_array(scores, "scores", 2)
    low, high = float(scale[0]), float(scale[1])
    if not low < high:
        raise EffectivenessInputError("scale: the lower bound must be below the upper bound")
    _check_range(values, "scores", low, high)
    if recommend is None:
        recommend_values = np.full(values.shape[0], np.nan)
    else:
        recommend_values = _as_float_array(recommend, "recommend", 1)
        if recommend_values.shape[0] != values.shape[0]:
            raise EffectivenessInputError("recommend: one answer (or NaN) per response is required")
        _check_range(recommend_values, "recommend", 0.0, 10.0)
    answered = ~np.isnan(values)
    item_means, item_counts = _column_means(values)
    given = recommend_values[~np.isnan(recommend_values)]
    promoters = int((given >= 9).sum())
    detractors = int((given <= 6).sum())
    nps = 100.0 * (promoters - detractors) / given.size if given.size else None
    return Reaction(
        responses=int(values.shape[0]),
        responses_with_scores=int(answered.any(axis=1).sum()),
        answers=int(answered.sum()),
        missing_answers=int((~answered).sum()),
        item_means=item_means,
        item_counts=item_counts,
        overall_mean=_mean_or_none(values[answered]),
        scale=(low, high),
        nps=nps,
        promoters=promoters,
        passives=int(given.size - promoters - detractors),
        detractors=detractors,
        recommend_answers=int(given.size),
        recommend_missing=int(recommend_values.size - given.size),
    )


# Level 2: learning


@dataclass(frozen=True, slots=True)
class Learning:
    people: int  # rows given
    n_paired: int  # people with both a pre-test and a post-test: every gain figure uses these
    pre_only: int  # pre-test without a post-test (dropped)
    post_only: int  # post-test without a pre-test (only in post_only_mean)
    missing_both: int  # neither test (dropped)
    pre_mean: float | None  # over paired people
    post_mean: float | None  # over paired people
    gain_mean: float | None
    gain_median: float | None
    gain_sd: float | None  # sample standard deviation (n - 1); None below two pairs
    gain_p25: float | None
    gain_p75: float | None
    improved_share: float | None  # 0..1, paired people whose post-test beat their pre-test
    post_only_mean: float | None  # post-test mean of people who skipped the pre-test
    confidence: float
    ci_low: float | None  # paired t interval of gain_mean
    ci_high: float | None
    ci_code: str | None  # why there is no interval: "too_few_pairs", "no_spread"
    ci_reason: str | None


def measure_learning(pre: np.ndarray, post: np.ndarray, *, confidence: float = 0.95) -> Learning:
    """Return the learning level: the paired gain from pre-test to post-test and its spread.

    ``pre`` and ``post`` are (people,) scores in the same units, NaN when a test was not taken.
    Only people with both count towards the gain; people with a post-test only are reported
    separately (their mean is not comparable with a gain). The interval is the paired t
    interval mean +/- t(n - 1) * sd / sqrt(n); it needs two pairs and some spread in the gains.
    """
    pre_values = _as_float_array(pre, "pre", 1)
    post_values = _as_float_array(post, "post", 1)
    if pre_values.shape != post_values.shape:
        raise EffectivenessInputError("post: one post-test score (or NaN) per pre-test is required")
    t_critical(confidence, 1.0)  # validates the level before any work
    has_pre, has_post = ~np.isnan(pre_values), ~np.isnan(post_values)
    paired = has_pre & has_post
    post_only = has_post & ~has_pre
    gains = post_values[paired] - pre_values[paired]
    n = int(gains.size)
    sd = float(gains.std(ddof=1)) if n >= 2 else None
    ci_low = ci_high = ci_code = ci_reason = None
    if n < 2:
        ci_code = "too_few_pairs"
        ci_reason = f"a confidence interval needs at least 2 people with both tests (n={n})"
    elif sd == 0.0:
        ci_code = "no_spread"
        ci_reason = "every paired gain is the same, so there is no spread to build an interval"
    else:
        half = t_critical(confidence, n - 1) * sd / math.sqrt(n)
        mean = float(gains.mean())
        ci_low, ci_high = mean - half, mean + half
    return Learning(
        people=int(pre_values.size),
        n_paired=n,
        pre_only=int((has_pre & ~has_post).sum()),
        post_only=int(post_only.sum()),
        missing_both=int((~has_pre & ~has_post).sum()),
        pre_mean=_mean_or_none(pre_values[paired]),
        post_mean=_mean_or_none(post_values[paired]),
        gain_mean=_mean_or_none(gains),
        gain_median=float(np.median(gains)) if n else None,
        gain_sd=sd,
        gain_p25=float(np.percentile(gains, 25)) if n else None,
        gain_p75=float(np.percentile(gains, 75)) if n else None,
        improved_share=float((gains > 0).mean()) if n else None,
        post_only_mean=_mean_or_none(post_values[post_only]),
        confidence=confidence,
        ci_low=ci_low,
        ci_high=ci_high,
        ci_code=ci_code,
        ci_reason=ci_reason,
    )


# Level 3: behaviour


@dataclass(frozen=True, slots=True)
class Behaviour:
    checkpoints: np.ndarray  # (checkpoints,) days after the course, ascending (e.g. 30 60 90)
    checkpoint_means: np.ndarray  # (checkpoints,) 0..1; NaN only where checkpoint_n == 0
    checkpoint_n: np.ndarray  # (checkpoints,) observations with at least one rated item
    item_means: np.ndarray  # (items,) 0..1 over all checkpoints; NaN only where item_counts == 0
    item_counts: np.ndarray  # (items,)
    item_checkpoint_means: np.ndarray  # (checkpoints, items) 0..1; NaN where nothing was rated
    trend: float | None  # last minus first checkpoint mean (checkpoints with data); 0..1 units
    trend_from: int | None  # checkpoint day the trend starts from
    trend_to: int | None
    observations: int  # rows given
    empty_observations: int  # observations with no rated item (dropped)
    missing_answers: int  # unrated cells dropped
    scale: tuple[float, float]  # the input scale normalised to 0..1


def summarise_behaviour(
    ratings: np.ndarray,
    checkpoint_days: np.ndarray,
    *,
    scale: tuple[float, float] = (0.0, 1.0),
) -> Behaviour:
    """Return the behaviour level: manager checklist scores per checkpoint and per item.

    ``ratings`` is (observations, checklist items) on ``scale`` (0..1 for done / not done, or
    e.g. (1, 5) for a rating, normalised to 0..1), NaN for an item not rated; ``checkpoint_days``
    is (observations,) the day after the course each observation belongs to. A checkpoint's
    score is the mean over its observations of each observation's share of its rated items, so
    every observed trainee weighs the same however many items their manager rated.
    """
    values = _as_float_array(ratings, "ratings", 2)
    days = np.asarray(checkpoint_days)
    if days.ndim != 1 or days.shape[0] != values.shape[0]:
        raise EffectivenessInputError("checkpoint_days: one day per observation is required")
    if days.size and not np.issubdtype(days.dtype, np.number):
        raise EffectivenessInputError("checkpoint_days: must be numbers of days")
    if days.size and np.isnan(days.astype(float)).any():
        index = int(np.flatnonzero(np.isnan(days.astype(float)))[0])
        raise EffectivenessInputError(f"checkpoint_days[{index}]: missing")
    days = days.astype(int)
    low, high = float(scale[0]), float(scale[1])
    if not low < high:
        raise EffectivenessInputError("scale: the lower bound must be below the upper bound")
    _check_range(values, "ratings", low, high)
    normalised = (values - low) / (high - low)
    answered = ~np.isnan(normalised)
    rated = answered.any(axis=1)
    per_observation = np.full(values.shape[0], np.nan)
    np.divide(
        np.where(answered, normalised, 0.0).sum(axis=1),
        answered.sum(axis=1),
        out=per_observation,
        where=rated,
    )
    checkpoints = np.unique(days)
    checkpoint_means = np.full(checkpoints.shape, np.nan)
    checkpoint_n = np.zeros(checkpoints.shape, dtype=int)
    item_checkpoint_means = np.full((checkpoints.size, values.shape[1]), np.nan)
    for position, day in enumerate(checkpoints):
        members = (days == day) & rated
        checkpoint_n[position] = int(members.sum())
        if checkpoint_n[position]:
            checkpoint_means[position] = float(per_observation[members].mean())
        item_checkpoint_means[position], _ = _column_means(normalised[days == day])
    item_means, item_counts = _column_means(normalised)
    with_data = np.flatnonzero(checkpoint_n > 0)
    trend = trend_from = trend_to = None
    if with_data.size >= 2:
        first, last = with_data[0], with_data[-1]
        trend = float(checkpoint_means[last] - checkpoint_means[first])
        trend_from, trend_to = int(checkpoints[first]), int(checkpoints[last])
    return Behaviour(
        checkpoints=checkpoints,
        checkpoint_means=checkpoint_means,
        checkpoint_n=checkpoint_n,
        item_means=item_means,
        item_counts=item_counts,
        item_checkpoint_means=item_checkpoint_means,
        trend=trend,
        trend_from=trend_from,
        trend_to=trend_to,
        observations=int(values.shape[0]),
        empty_observations=int((~rated).sum()),
        missing_answers=int((~answered).sum()),
        scale=(low, high),
    )


# Level 4: results (difference in differences)


@dataclass(frozen=True, slots=True)
class DiD:
    estimable: bool
    code: str | None  # why not: "no_trained", "too_few_trained", "no_control", "too_few_control"
    reason: str | None  # the same in English, with the counts
    estimate: float | None  # trained change minus control change, KPI units
    improvement: float | None  # estimate * direction: positive = the KPI got better
    direction: int  # +1 when a higher KPI is better, -1 when lower is better
    standard_error: float | None  # Welch: sqrt(var_t / n_t + var_c / n_c)
    df: float | None  # Welch-Satterthwaite degrees of freedom
    confidence: float
    ci_low: float | None  # interval of ``estimate``
    ci_high: float | None
    improvement_ci_low: float | None  # the same interval in ``improvement`` terms
    improvement_ci_high: float | None
    ci_code: str | None  # "zero_variance" when the estimate exists but no interval does
    ci_reason: str | None
    min_group: int
    n_trained: int  # trained people with both windows: every trained figure uses these
    n_control: int
    trained_dropped: int  # trained people missing one or both windows
    control_dropped: int
    trained_before_mean: float | None
    trained_after_mean: float | None
    trained_change_mean: float | None
    trained_change_sd: float | None
    control_before_mean: float | None
    control_after_mean: float | None
    control_change_mean: float | None
    control_change_sd: float | None


def _changes(before: np.ndarray, after: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    before = _as_float_array(before, f"{name}_before", 1)
    after = _as_float_array(after, f"{name}_after", 1)
    if before.shape != after.shape:
        raise EffectivenessInputError(f"{name}_after: one value (or NaN) per person is required")
    both = ~np.isnan(before) & ~np.isnan(after)
    return before[both], after[both]


def estimate_did(
    trained_before: np.ndarray,
    trained_after: np.ndarray,
    control_before: np.ndarray,
    control_after: np.ndarray,
    *,
    min_group: int = 5,
    confidence: float = 0.95,
    higher_is_better: bool = True,
) -> DiD:
    """Return the results level: the KPI change of trained people beyond that of the controls.

    Each array is (people,) one KPI value per person for the window before and the window after
    the training (the same calendar windows for both groups), NaN when missing. Only people with
    both windows count. estimate = mean(after - before | trained) - mean(after - before |
    control); its standard error treats the two groups as independent samples with unequal
    variances (Welch), and the interval uses the Welch-Satterthwaite degrees of freedom.

    Not estimable (every figure that would need it is None, with ``code`` and ``reason``) when
    either group has fewer than ``min_group`` people with both windows. When both groups'
    changes have zero variance the estimate stands but the interval is None (``ci_code``
    "zero_variance"): a zero-width interval would claim a certainty the data cannot give.
    """
    if min_group < 2:
        raise EffectivenessInputError("min_group: at least 2 people are needed for a variance")
    t_critical(confidence, 1.0)  # validates the level before any work
    t_before, t_after = _changes(trained_before, trained_after, "trained")
    c_before, c_after = _changes(control_before, control_after, "control")
    t_change, c_change = t_after - t_before, c_after - c_before
    n_t, n_c = int(t_change.size), int(c_change.size)
    direction = 1 if higher_is_better else -1
    code = reason = None
    if n_t == 0:
        code, reason = "no_trained", "no trained people with both windows"
    elif n_t < min_group:
        code = "too_few_trained"
        reason = f"too few trained people with both windows (n={n_t} < {min_group})"
    elif n_c == 0:
        code, reason = "no_control", "no control group with both windows"
    elif n_c < min_group:
        code = "too_few_control"
        reason = f"too few control people with both windows (n={n_c} < {min_group})"
    t_sd = float(t_change.std(ddof=1)) if n_t >= 2 else None
    c_sd = float(c_change.std(ddof=1)) if n_c >= 2 else None
    estimate = improvement = se = df = None
    ci = improvement_ci = (None, None)
    ci_code = ci_reason = None
    if code is None:
        estimate = float(t_change.mean()) - float(c_change.mean())
        improvement = estimate * direction
        t_share, c_share = t_sd**2 / n_t, c_sd**2 / n_c
        total = t_share + c_share
        se = math.sqrt(total)
        if total == 0.0:
            ci_code = "zero_variance"
            ci_reason = "every person's change is the same in both groups: no interval"
        else:
            # Welch-Satterthwaite, written with shares of the total so tiny variances cannot
            # underflow to 0 / 0.
            t_part, c_part = t_share / total, c_share / total
            df = 1.0 / (t_part**2 / (n_t - 1) + c_part**2 / (n_c - 1))
            half = t_critical(confidence, df) * se
            low, high = estimate - half, estimate + half
            ci = (low, high)
            improvement_ci = (low, high) if direction == 1 else (-high, -low)
    return DiD(
        estimable=code is None,
        code=code,
        reason=reason,
        estimate=estimate,
        improvement=improvement,
        direction=direction,
        standard_error=se,
        df=df,
        confidence=confidence,
        ci_low=ci[0],
        ci_high=ci[1],
        improvement_ci_low=improvement_ci[0],
        improvement_ci_high=improvement_ci[1],
        ci_code=ci_code,
        ci_reason=ci_reason,
        min_group=min_group,
        n_trained=n_t,
        n_control=n_c,
        trained_dropped=int(np.asarray(trained_before).size - n_t),
        control_dropped=int(np.asarray(control_before).size - n_c),
        trained_before_mean=_mean_or_none(t_before),
        trained_after_mean=_mean_or_none(t_after),
        trained_change_mean=_mean_or_none(t_change),
        trained_change_sd=t_sd,
        control_before_mean=_mean_or_none(c_before),
        control_after_mean=_mean_or_none(c_after),
        control_change_mean=_mean_or_none(c_change),
        control_change_sd=c_sd,
    )


# Control group matching


@dataclass(frozen=True, slots=True)
class ControlMatch:
    pool_index: np.ndarray  # (trained, per_trained) row of the pool; -1 when the pool ran out
    distance: np.ndarray  # (trained, per_trained) standardised distance; inf where unmatched
    feature_mean: np.ndarray  # (features,) used to standardise (trained and pool together)
    feature_scale: np.ndarray  # (features,) standard deviation; 1 where a feature is constant
    unmatched: int  # slots left empty because the pool ran out

    @property
    def controls(self) -> np.ndarray:
        """Pool rows chosen for anyone, ascending (each row at most once)."""
        chosen = self.pool_index[self.pool_index >= 0]
        return np.sort(chosen)


def match_controls(
    trained_features: np.ndarray,
    pool_features: np.ndarray,
    *,
    per_trained: int = 3,
) -> ControlMatch:
    """Pick ``per_trained`` untrained colleagues for each trained person, nearest first.

    Features (e.g. baseline KPI, tenure in months, level rank) are (people, features) without
    NaN; each is standardised by the mean and standard deviation of trained and pool together,
    so no unit dominates. Matching is greedy, without replacement, in rounds: everyone gets
    their nearest free colleague before anyone gets a second one, trained people in input
    order; ties go to the lowest pool row, so the result is deterministic. Memory is O(pool):
    one distance row at a time, n * per_trained rows in all.
    """
    trained = _as_float_array(trained_features, "trained_features", 2)
    pool = _as_float_array(pool_features, "pool_features", 2)
    if trained.shape[1] != pool.shape[1]:
        raise EffectivenessInputError("pool_features: same feature columns as trained required")
    for name, array in (("trained_features", trained), ("pool_features", pool)):
        if np.isnan(array).any():
            row, column = (int(i) for i in np.argwhere(np.isnan(array))[0])
            raise EffectivenessInputError(f"{name}[{row}, {column}]: missing")
    if per_trained < 1:
        raise EffectivenessInputError("per_trained: at least 1")
    combined = np.vstack([trained, pool])
    mean = combined.mean(axis=0) if combined.size else np.zeros(trained.shape[1])
    scale = combined.std(axis=0) if combined.size else np.ones(trained.shape[1])
    scale = np.where(scale > 0, scale, 1.0)
    trained_z, pool_z = (trained - mean) / scale, (pool - mean) / scale
    pool_index = np.full((trained.shape[0], per_trained), -1, dtype=int)
    distance = np.full((trained.shape[0], per_trained), np.inf)
    free = np.ones(pool.shape[0], dtype=bool)
    for slot in range(per_trained):
        for person in range(trained.shape[0]):
            if not free.any():
                break
            squared = ((pool_z - trained_z[person]) ** 2).sum(axis=1)
            squared[~free] = np.inf
            best = int(np.argmin(squared))
            pool_index[person, slot] = best
            distance[person, slot] = math.sqrt(float(squared[best]))
            free[best] = False
    return ControlMatch(
        pool_index=pool_index,
        distance=distance,
        feature_mean=mean,
        feature_scale=scale,
        unmatched=int((pool_index < 0).sum()),
    )
