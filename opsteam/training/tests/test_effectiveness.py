import dataclasses
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.training.effectiveness import (
    EffectivenessInputError,
    estimate_did,
    match_controls,
    measure_learning,
    summarise_behaviour,
    summarise_reaction,
    t_critical,
)

NAN = np.nan

kpi = st.floats(-1000, 1000, allow_nan=False)
kpi_or_missing = st.one_of(kpi, kpi, kpi, st.just(math.nan))
person = st.tuples(kpi_or_missing, kpi_or_missing)
group = st.lists(person, min_size=0, max_size=25)
# at least two people with both windows, plus some with gaps
usable_group = st.tuples(st.lists(st.tuples(kpi, kpi), min_size=2, max_size=15), group).map(
    lambda parts: parts[0] + parts[1]
)


def _split(people):
    array = np.array(people, dtype=float).reshape(-1, 2)
    return array[:, 0], array[:, 1]


def _assert_nothing_is_nan(result):
    """Scalars are a number or None; arrays hold NaN only beside a zero count."""
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        if isinstance(value, float):
            assert math.isfinite(value), field.name
    for means, counts in (("item_means", "item_counts"), ("checkpoint_means", "checkpoint_n")):
        if hasattr(result, means):
            values, n = getattr(result, means), getattr(result, counts)
            assert np.array_equal(np.isnan(values), n == 0), means


def test_engine_does_not_import_django():
    code = "import sys, opsteam.training.effectiveness; print('django' in sys.modules)"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "False"


# t critical values


@pytest.mark.parametrize(
    ("_case", "confidence", "df", "expected"),
    [
        ("df 1", 0.95, 1, 12.7062),
        ("df 2", 0.95, 2, 4.3027),
        ("df 10", 0.95, 10, 2.2281),
        ("df 30", 0.95, 30, 2.0423),
        ("df 120", 0.95, 120, 1.9799),
        ("normal", 0.95, math.inf, 1.9600),
        ("df 5 at 99 %", 0.99, 5, 4.0321),
        ("df 20 at 90 %", 0.90, 20, 1.7247),
    ],
)
def test_t_critical_matches_published_tables(_case, confidence, df, expected):
    assert t_critical(confidence, df) == pytest.approx(expected, abs=1e-4)


def test_t_critical_rejects_a_confidence_outside_zero_and_one():
    with pytest.raises(EffectivenessInputError, match="confidence"):
        t_critical(1.0, 10)


@settings(max_examples=100, deadline=None)
@given(st.floats(1, 500), st.floats(0.5, 0.995), st.floats(0.0001, 0.004))
def test_t_critical_grows_with_confidence_and_shrinks_with_df(df, confidence, step):
    assert t_critical(confidence + step, df) > t_critical(confidence, df)
    assert t_critical(confidence, df * 1.5) < t_critical(confidence, df)
    assert t_critical(confidence, df) > t_critical(confidence, math.inf)


# Level 1: reaction


def test_reaction_averages_answered_items_and_scores_nps():
    scores = np.array([[5, 4, NAN], [3, NAN, 2], [NAN, NAN, NAN], [4, 4, 4]])
    recommend = np.array([10, 6, 9, 8])

    reaction = summarise_reaction(scores, recommend)

    assert reaction.item_means.tolist() == [4.0, 4.0, 3.0]
    assert reaction.item_counts.tolist() == [3, 2, 2]
    assert reaction.overall_mean == pytest.approx(26 / 7)
    assert (reaction.answers, reaction.missing_answers) == (7, 5)
    assert (reaction.responses, reaction.responses_with_scores) == (4, 3)
    # two promoters, one passive, one detractor out of four
    assert (reaction.promoters, reaction.passives, reaction.detractors) == (2, 1, 1)
    assert reaction.nps == 25.0


def test_reaction_without_recommend_answers_has_no_nps():
    reaction = summarise_reaction(np.array([[4.0], [5.0]]), np.array([NAN, NAN]))

    assert reaction.nps is None
    assert reaction.recommend_missing == 2
    assert reaction.overall_mean == 4.5


def test_item_nobody_answered_is_marked_by_a_zero_count():
    reaction = summarise_reaction(np.array([[4.0, NAN], [2.0, NAN]]))

    assert reaction.item_counts.tolist() == [2, 0]
    assert reaction.item_means[0] == 3.0
    assert np.isnan(reaction.item_means[1])


def test_score_off_the_scale_is_named():
    with pytest.raises(EffectivenessInputError, match=r"scores\[1, 0\]: outside 1..5"):
        summarise_reaction(np.array([[3.0], [7.0]]))


def test_recommend_off_the_scale_is_named():
    with pytest.raises(EffectivenessInputError, match=r"recommend\[0\]"):
        summarise_reaction(np.array([[3.0]]), np.array([11.0]))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.one_of(st.integers(1, 5).map(float), st.just(NAN)), min_size=3, max_size=3),
            st.one_of(st.integers(0, 10).map(float), st.just(NAN)),
        ),
        max_size=40,
    )
)
def test_nps_stays_within_bounds_and_nan_never_leaks(rows):
    scores = np.array([row[0] for row in rows], dtype=float).reshape(-1, 3)
    recommend = np.array([row[1] for row in rows], dtype=float)

    reaction = summarise_reaction(scores, recommend)

    assert reaction.nps is None or -100 <= reaction.nps <= 100
    assert reaction.promoters + reaction.passives + reaction.detractors == (
        reaction.recommend_answers
    )
    assert reaction.answers + reaction.missing_answers == scores.size
    _assert_nothing_is_nan(reaction)


# Level 2: learning


def test_learning_pairs_people_and_reports_the_spread():
    pre = np.array([50, 60, NAN, 70, 80])
    post = np.array([60, 65, 90, 70, NAN])

    learning = measure_learning(pre, post)

    # gains of the three people with both tests: 10, 5, 0
    assert learning.n_paired == 3
    assert (learning.pre_mean, learning.post_mean) == (60.0, 65.0)
    assert (learning.gain_mean, learning.gain_median, learning.gain_sd) == (5.0, 5.0, 5.0)
    assert (learning.gain_p25, learning.gain_p75) == (2.5, 7.5)
    assert learning.improved_share == pytest.approx(2 / 3)
    assert (learning.post_only, learning.post_only_mean, learning.pre_only) == (1, 90.0, 1)
    half = 4.302653 * 5 / math.sqrt(3)
    assert learning.ci_low == pytest.approx(5 - half, abs=1e-5)
    assert learning.ci_high == pytest.approx(5 + half, abs=1e-5)


def test_single_pair_has_a_gain_but_no_interval():
    learning = measure_learning(np.array([40.0, NAN]), np.array([55.0, 70.0]))

    assert learning.gain_mean == 15.0
    assert learning.gain_sd is None
    assert (learning.ci_low, learning.ci_high) == (None, None)
    assert learning.ci_code == "too_few_pairs"
    assert "n=1" in learning.ci_reason


def test_nobody_with_both_tests_gives_no_gain_at_all():
    learning = measure_learning(np.array([NAN, 50.0]), np.array([80.0, NAN]))

    assert learning.n_paired == 0
    assert learning.gain_mean is None
    assert learning.improved_share is None
    assert learning.post_only_mean == 80.0


@settings(max_examples=100, deadline=None)
@given(st.lists(kpi_or_missing, max_size=40))
def test_post_equal_to_pre_means_zero_gain(scores):
    pre = np.array(scores, dtype=float)

    learning = measure_learning(pre, pre.copy())

    assert learning.n_paired == int((~np.isnan(pre)).sum())
    if learning.n_paired:
        assert learning.gain_mean == 0.0
        assert learning.gain_median == 0.0
        assert learning.improved_share == 0.0
    assert learning.ci_low is None  # no spread (or too few pairs): no interval
    _assert_nothing_is_nan(learning)


@settings(max_examples=100, deadline=None)
@given(group, st.floats(0.5, 0.99))
def test_learning_interval_brackets_the_mean_gain(people, confidence):
    pre, post = _split(people)

    learning = measure_learning(pre, post, confidence=confidence)

    if learning.ci_low is not None:
        assert learning.ci_low <= learning.gain_mean <= learning.ci_high
    assert learning.n_paired + learning.pre_only + learning.post_only + learning.missing_both == (
        pre.size
    )
    _assert_nothing_is_nan(learning)


# Level 3: behaviour


def test_behaviour_per_checkpoint_per_item_and_trend():
    ratings = np.array([[1, 0, 1], [1, 1, NAN], [0, 0, 0], [1, 1, 1], [NAN, NAN, NAN]])
    days = np.array([30, 30, 60, 90, 90])

    behaviour = summarise_behaviour(ratings, days)

    assert behaviour.checkpoints.tolist() == [30, 60, 90]
    # day 30: one observation met 2 of 3 items, the other 2 of 2 rated items
    assert behaviour.checkpoint_means.tolist() == pytest.approx([5 / 6, 0.0, 1.0])
    assert behaviour.checkpoint_n.tolist() == [2, 1, 1]
    assert behaviour.item_means.tolist() == pytest.approx([0.75, 0.5, 2 / 3])
    assert behaviour.item_counts.tolist() == [4, 4, 3]
    assert behaviour.trend == pytest.approx(1 / 6)
    assert (behaviour.trend_from, behaviour.trend_to) == (30, 90)
    assert (behaviour.empty_observations, behaviour.missing_answers) == (1, 4)


def test_five_point_ratings_are_normalised():
    behaviour = summarise_behaviour(np.array([[5, 3], [1, 1]]), np.array([30, 30]), scale=(1, 5))

    assert behaviour.checkpoint_means.tolist() == [0.375]
    assert behaviour.trend is None  # one checkpoint: nothing to compare


def test_checkpoint_without_rated_items_is_left_out_of_the_trend():
    ratings = np.array([[0.5], [NAN], [1.0]])

    behaviour = summarise_behaviour(ratings, np.array([30, 60, 90]))

    assert behaviour.checkpoint_n.tolist() == [1, 0, 1]
    assert np.isnan(behaviour.checkpoint_means[1])
    assert behaviour.trend == 0.5


def test_every_observation_needs_a_checkpoint():
    with pytest.raises(EffectivenessInputError, match="checkpoint_days"):
        summarise_behaviour(np.array([[1.0], [0.0]]), np.array([30]))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.one_of(st.floats(0, 1), st.just(NAN)), min_size=4, max_size=4),
            st.sampled_from([30, 60, 90]),
        ),
        max_size=30,
    )
)
def test_behaviour_scores_stay_in_zero_to_one(rows):
    ratings = np.array([row[0] for row in rows], dtype=float).reshape(-1, 4)
    days = np.array([row[1] for row in rows], dtype=int)

    behaviour = summarise_behaviour(ratings, days)

    assert np.all((behaviour.checkpoint_n == 0) | (behaviour.checkpoint_means >= 0))
    assert np.all((behaviour.checkpoint_n == 0) | (behaviour.checkpoint_means <= 1))
    assert behaviour.trend is None or -1 <= behaviour.trend <= 1
    _assert_nothing_is_nan(behaviour)


# Level 4: results (difference in differences)

TRAINED_BEFORE = np.full(5, 10.0)
TRAINED_AFTER = np.array([12.0, 14, 12, 14, 13])  # changes 2 4 2 4 3: mean 3, variance 1
CONTROL_BEFORE = np.full(5, 10.0)
CONTROL_AFTER = np.array([11.0, 11, 10, 12, 11])  # changes 1 1 0 2 1: mean 1, variance 0.5


def test_did_worked_example():
    did = estimate_did(TRAINED_BEFORE, TRAINED_AFTER, CONTROL_BEFORE, CONTROL_AFTER)

    assert did.estimable
    assert did.estimate == 2.0
    assert (did.trained_change_mean, did.control_change_mean) == (3.0, 1.0)
    assert (did.trained_after_mean, did.control_after_mean) == (13.0, 11.0)
    assert did.standard_error == pytest.approx(math.sqrt(1 / 5 + 0.5 / 5))
    # Welch-Satterthwaite: 0.3^2 / (0.2^2 / 4 + 0.1^2 / 4)
    assert did.df == pytest.approx(7.2)
    half = t_critical(0.95, 7.2) * math.sqrt(0.3)
    assert 2.306 < t_critical(0.95, 7.2) < 2.365  # between the table's df 8 and df 7
    assert (did.ci_low, did.ci_high) == pytest.approx((2 - half, 2 + half))
    assert did.improvement == 2.0
    assert (did.n_trained, did.n_control) == (5, 5)


def test_lower_is_better_kpi_flips_the_improvement():
    did = estimate_did(
        TRAINED_BEFORE, TRAINED_AFTER, CONTROL_BEFORE, CONTROL_AFTER, higher_is_better=False
    )

    assert did.direction == -1
    assert did.estimate == 2.0
    assert did.improvement == -2.0
    assert (did.improvement_ci_low, did.improvement_ci_high) == (-did.ci_high, -did.ci_low)


def test_people_missing_a_window_are_dropped_and_counted():
    trained_before = np.append(TRAINED_BEFORE, [NAN, 10.0])
    trained_after = np.append(TRAINED_AFTER, [50.0, NAN])

    did = estimate_did(trained_before, trained_after, CONTROL_BEFORE, CONTROL_AFTER)

    assert did.estimate == 2.0
    assert (did.n_trained, did.trained_dropped, did.control_dropped) == (5, 2, 0)


def test_too_few_trained_people_is_not_estimable():
    did = estimate_did(TRAINED_BEFORE[:3], TRAINED_AFTER[:3], CONTROL_BEFORE, CONTROL_AFTER)

    assert not did.estimable
    assert did.code == "too_few_trained"
    assert did.reason == "too few trained people with both windows (n=3 < 5)"
    assert did.estimate is None
    assert did.improvement is None
    assert (did.ci_low, did.ci_high, did.standard_error, did.df) == (None, None, None, None)
    # the group figures stay, so the page can say what there was
    assert did.trained_change_mean == pytest.approx(8 / 3)


def test_no_control_group_is_not_estimable():
    did = estimate_did(TRAINED_BEFORE, TRAINED_AFTER, np.array([]), np.array([]))

    assert did.code == "no_control"
    assert did.estimate is None
    assert did.control_change_mean is None


def test_control_group_below_the_minimum_is_not_estimable():
    did = estimate_did(TRAINED_BEFORE, TRAINED_AFTER, CONTROL_BEFORE, CONTROL_AFTER, min_group=6)

    assert did.code == "too_few_trained"  # the trained group is checked first
    did = estimate_did(
        np.append(TRAINED_BEFORE, 10.0),
        np.append(TRAINED_AFTER, 13.0),
        CONTROL_BEFORE,
        CONTROL_AFTER,
        min_group=6,
    )
    assert did.code == "too_few_control"
    assert did.reason == "too few control people with both windows (n=5 < 6)"


def test_zero_variance_keeps_the_estimate_but_gives_no_interval():
    did = estimate_did(TRAINED_BEFORE, TRAINED_BEFORE + 2, CONTROL_BEFORE, CONTROL_BEFORE + 1)

    assert did.estimable
    assert did.estimate == 1.0
    assert did.standard_error == 0.0
    assert (did.ci_low, did.ci_high, did.df) == (None, None, None)
    assert did.ci_code == "zero_variance"


def test_mismatched_windows_are_named():
    with pytest.raises(EffectivenessInputError, match="control_after"):
        estimate_did(TRAINED_BEFORE, TRAINED_AFTER, CONTROL_BEFORE, CONTROL_AFTER[:4])


def test_infinite_kpi_value_is_named():
    with pytest.raises(EffectivenessInputError, match=r"trained_after\[4\]: infinite"):
        estimate_did(
            TRAINED_BEFORE, np.append(TRAINED_AFTER[:4], np.inf), TRAINED_BEFORE, TRAINED_AFTER
        )


@settings(max_examples=100, deadline=None)
@given(group)
def test_identical_groups_have_zero_difference(people):
    before, after = _split(people)

    did = estimate_did(before, after, before.copy(), after.copy(), min_group=2)

    if did.estimable:
        assert did.estimate == 0.0
    else:
        assert did.estimate is None
    _assert_nothing_is_nan(did)


@settings(max_examples=100, deadline=None)
@given(group, group, st.floats(-500, 500))
def test_constant_added_to_trained_after_shifts_the_estimate(trained, control, constant):
    tb, ta = _split(trained)
    cb, ca = _split(control)

    base = estimate_did(tb, ta, cb, ca, min_group=2)
    shifted = estimate_did(tb, ta + constant, cb, ca, min_group=2)

    assert shifted.estimable == base.estimable
    if base.estimable:
        assert shifted.estimate == pytest.approx(base.estimate + constant, abs=1e-6)
        assert shifted.standard_error == pytest.approx(base.standard_error, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(usable_group, usable_group, st.floats(0.5, 0.98), st.floats(0.001, 0.019))
def test_interval_contains_the_estimate_and_widens_with_confidence(trained, control, level, step):
    tb, ta = _split(trained)
    cb, ca = _split(control)

    lower = estimate_did(tb, ta, cb, ca, min_group=2, confidence=level)
    higher = estimate_did(tb, ta, cb, ca, min_group=2, confidence=level + step)

    assert lower.estimable
    if lower.ci_low is None:
        assert lower.ci_code == higher.ci_code == "zero_variance"
        return
    assert lower.ci_low <= lower.estimate <= lower.ci_high
    assert higher.ci_low <= higher.estimate <= higher.ci_high
    # the widths are differences of rounded bounds: allow for the rounding of the estimate
    slack = 4 * math.ulp(abs(lower.estimate) + (lower.ci_high - lower.ci_low))
    assert higher.ci_high - higher.ci_low >= lower.ci_high - lower.ci_low - slack
    _assert_nothing_is_nan(lower)


@settings(max_examples=100, deadline=None)
@given(group, group)
def test_swapping_trained_and_control_negates_the_estimate(trained, control):
    tb, ta = _split(trained)
    cb, ca = _split(control)

    forward = estimate_did(tb, ta, cb, ca, min_group=2)
    backward = estimate_did(cb, ca, tb, ta, min_group=2)

    assert forward.estimable == backward.estimable
    if forward.estimable:
        assert backward.estimate == -forward.estimate
        if forward.ci_low is not None:
            assert (backward.ci_low, backward.ci_high) == (-forward.ci_high, -forward.ci_low)


@settings(max_examples=100, deadline=None)
@given(group, group, st.integers(2, 10))
def test_not_estimable_never_invents_a_number(trained, control, min_group):
    tb, ta = _split(trained)
    cb, ca = _split(control)

    did = estimate_did(tb, ta, cb, ca, min_group=min_group)

    if min(did.n_trained, did.n_control) < min_group:
        assert not did.estimable
        assert did.reason
        assert did.code in {"no_trained", "too_few_trained", "no_control", "too_few_control"}
        values = (did.estimate, did.improvement, did.standard_error, did.df, did.ci_low)
        assert values == (None, None, None, None, None)
    else:
        assert did.estimable
        assert did.reason is None
    assert did.n_trained + did.trained_dropped == tb.size
    _assert_nothing_is_nan(did)


# Control matching


def test_everyone_gets_their_nearest_before_anyone_gets_a_second():
    trained = np.array([[0.0], [10.0]])
    pool = np.array([[1.0], [9.4], [0.5], [11.0], [100.0]])

    match = match_controls(trained, pool, per_trained=2)

    assert match.pool_index.tolist() == [[2, 0], [1, 3]]
    assert match.controls.tolist() == [0, 1, 2, 3]
    assert match.unmatched == 0
    assert np.all(np.diff(match.distance, axis=1) >= 0)


def test_ties_go_to_the_lowest_pool_row():
    match = match_controls(np.array([[5.0, 2.0]]), np.full((3, 2), 5.0), per_trained=2)

    assert match.pool_index.tolist() == [[0, 1]]


def test_features_are_standardised_so_no_unit_dominates():
    # tenure in months differs by 1 sd either way; salary-like column by 1000 units that are
    # a tiny share of its spread, so the candidate close in tenure wins
    trained = np.array([[12.0, 50_000.0]])
    pool = np.array([[24.0, 50_000.0], [12.0, 51_000.0], [0.0, 10_000.0], [36.0, 90_000.0]])

    match = match_controls(trained, pool, per_trained=1)

    assert match.pool_index.tolist() == [[1]]
    assert match.feature_scale[1] > 1000


def test_an_exhausted_pool_leaves_slots_empty():
    match = match_controls(np.array([[1.0], [2.0], [3.0]]), np.array([[2.0], [3.0]]))

    assert match.unmatched == 7
    assert (match.pool_index >= 0).sum() == 2
    assert np.isinf(match.distance[match.pool_index < 0]).all()


def test_missing_feature_is_named():
    with pytest.raises(EffectivenessInputError, match=r"pool_features\[1, 0\]: missing"):
        match_controls(np.array([[1.0]]), np.array([[1.0], [NAN]]))


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(0, 8),
    st.integers(0, 30),
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
)
def test_matching_uses_each_colleague_at_most_once(features, trained_n, pool_n, per, seed):
    rng = np.random.default_rng(seed)
    trained = rng.normal(size=(trained_n, features))
    pool = rng.normal(size=(pool_n, features))

    match = match_controls(trained, pool, per_trained=per)

    chosen = match.pool_index[match.pool_index >= 0]
    assert len(set(chosen.tolist())) == chosen.size == min(trained_n * per, pool_n)
    assert match.pool_index.shape == (trained_n, per)
