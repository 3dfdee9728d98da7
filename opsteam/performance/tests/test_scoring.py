"""KPI scoring engine: worked examples an operations manager would check by hand, and
properties that must hold for any input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.performance.scoring import (
    BANDS,
    BONUS,
    DEDUCTION,
    LINEAR,
    PASS_FAIL,
    SPREAD,
    SPREAD_APPLIED,
    ZERO,
    ZERO_APPLIED,
    GradeBands,
    KpiRules,
    ScoringInput,
    ScoringInputError,
    assign_grades,
    score_kpis,
)


def rules(**columns):
    """Build rules for n KPIs from per-KPI lists; unspecified fields get sensible defaults."""
    n = len(columns["kind"])
    defaults = {
        "direction": [1] * n,
        "threshold": [0.0] * n,
        "target": [100.0] * n,
        "stretch": [np.nan] * n,
        "stretch_score": [120.0] * n,
        "cap": [120.0] * n,
        "per_unit": [0.0] * n,
        "missing": [SPREAD] * n,
        "veto": [False] * n,
    }
    defaults.update(columns)
    bands = defaults.pop("bands", ())
    return KpiRules(**{k: np.array(v) for k, v in defaults.items()}, bands=bands)


def test_store_operator_quarter_worked_example():
    # given 销售额达成 (linear 80%..100%..120% of target), 上架准确率 (bands), 客诉率
    # (lower is better, deduction per 0.1 point), and 店铺评分 (pass/fail at 4.8)
    kpi = rules(
        kind=[LINEAR, BANDS, DEDUCTION, PASS_FAIL],
        direction=[1, 1, -1, 1],
        threshold=[80.0, 0.0, 0.0, 0.0],
        target=[100.0, 99.5, 1.0, 4.8],
        stretch=[120.0, np.nan, np.nan, np.nan],
        stretch_score=[120.0, 0, 0, 0],
        cap=[120.0, 100.0, 100.0, 100.0],
        per_unit=[0.0, 0.0, 50.0, 0.0],
        bands=((), ((98.0, 60.0), (99.0, 80.0), (99.5, 100.0)), (), ()),
    )
    actual = np.array([[110.0, 99.2, 1.3, 4.9]])
    weights = np.array([[40.0, 20.0, 20.0, 20.0]])

    result = score_kpis(kpi, ScoringInput(actual=actual, weights=weights))

    # 110% of target: halfway from 100 to the 120 stretch -> 110
    # 99.2% accuracy falls in the 99.0 band -> 80; 1.3% complaints, 0.3 over at 50/unit -> 85
    np.testing.assert_allclose(result.kpi_scores[0], [110.0, 80.0, 85.0, 100.0])
    np.testing.assert_allclose(result.contributions[0], [44.0, 16.0, 17.0, 20.0])
    assert result.weighted_score[0] == pytest.approx(97.0)


def test_missing_measurement_spreads_or_scores_zero_and_says_which():
    kpi = rules(kind=[PASS_FAIL, PASS_FAIL, PASS_FAIL], missing=[SPREAD, ZERO, SPREAD])
    actual = np.array([[100.0, np.nan, np.nan]])
    weights = np.array([[50.0, 25.0, 25.0]])

    result = score_kpis(kpi, ScoringInput(actual=actual, weights=weights))

    # the ZERO KPI keeps its 25%: 100 x 50/75 = 66.7; the SPREAD KPI's weight went to the others
    assert result.weighted_score[0] == pytest.approx(100 * 50 / 75)
    assert list(result.handling[0]) == [0, ZERO_APPLIED, SPREAD_APPLIED]
    np.testing.assert_allclose(result.effective_weights[0], [2 / 3, 1 / 3, 0.0])


def test_failed_veto_item_is_flagged_and_caps_the_grade():
    kpi = rules(kind=[PASS_FAIL, LINEAR], veto=[True, False], threshold=[0.0, 50.0])
    result = score_kpis(
        kpi, ScoringInput(actual=np.array([[0.0, 150.0]]), weights=np.array([[10.0, 90.0]]))
    )
    bands = GradeBands(("S", "A", "B", "C", "D"), (95, 85, 70, 60, 0))

    grade = assign_grades(
        result.weighted_score, bands, capped_at=np.where(result.any_veto_failed, 3, -1)
    )

    assert result.veto_failed[0, 0]
    assert result.weighted_score[0] == pytest.approx(90.0)  # 10% x 0 + 90% x 100
    assert bands.names[grade[0]] == "C"


def test_personal_targets_override_the_rule_target():
    kpi = rules(kind=[PASS_FAIL])
    result = score_kpis(
        kpi,
        ScoringInput(
            actual=np.array([[90.0], [90.0]]),
            weights=np.array([[100.0], [100.0]]),
            targets=np.array([[80.0], [np.nan]]),
        ),
    )

    np.testing.assert_allclose(result.kpi_scores[:, 0], [100.0, 0.0])
    np.testing.assert_allclose(result.targets_used[:, 0], [80.0, 100.0])


def test_float_noise_does_not_flip_a_threshold():
    kpi = rules(kind=[PASS_FAIL], target=[3.74])

    result = score_kpis(
        kpi, ScoringInput(actual=np.array([[3.7399999999999998]]), weights=np.array([[100.0]]))
    )

    assert result.kpi_scores[0, 0] == 100.0


@pytest.mark.parametrize(
    ("_case", "weights", "message"),
    [
        ("not 100", [[60.0, 30.0]], "sum to 90"),
        ("negative", [[120.0, -20.0]], "negative"),
    ],
)
def test_bad_weights_are_named(_case, weights, message):
    with pytest.raises(ScoringInputError, match=message):
        score_kpis(
            rules(kind=[PASS_FAIL, PASS_FAIL]),
            ScoringInput(actual=np.zeros((1, 2)), weights=np.array(weights)),
        )


def test_threshold_on_the_wrong_side_is_refused():
    with pytest.raises(ScoringInputError, match=r"threshold\[0\]"):
        score_kpis(
            rules(kind=[LINEAR], threshold=[150.0]),
            ScoringInput(actual=np.zeros((1, 1)), weights=np.array([[100.0]])),
        )


def test_a_band_table_that_rewards_worse_values_is_refused():
    kpi = rules(kind=[BANDS], bands=(((90.0, 100.0), (95.0, 60.0)),))

    with pytest.raises(ScoringInputError, match="bands"):
        score_kpis(kpi, ScoringInput(actual=np.zeros((1, 1)), weights=np.array([[100.0]])))


def test_grades_follow_bands_from_the_best_down():
    bands = GradeBands(("S", "A", "B", "C", "D"), (95, 85, 70, 60, 0))

    grades = assign_grades(np.array([100, 95, 94.99, 70, 59.9, -3, np.nan]), bands)

    assert [bands.names[g] for g in grades] == ["S", "S", "A", "B", "D", "D", "D"]


kinds = st.sampled_from([LINEAR, BANDS, DEDUCTION, BONUS, PASS_FAIL])


@st.composite
def one_kpi(draw):
    kind = draw(kinds)
    direction = draw(st.sampled_from([1, -1]))
    target = draw(st.floats(1, 1000))
    span = draw(st.floats(0.5, 500))
    bands = ((target - span * direction, 40.0), (target, 100.0), (target + span * direction, 110.0))
    return rules(
        kind=[kind],
        direction=[direction],
        target=[target],
        threshold=[target - span * direction],
        stretch=[target + span * direction],
        stretch_score=[draw(st.floats(100, 150))],
        cap=[draw(st.floats(100, 150))],
        per_unit=[draw(st.floats(0, 20))],
        bands=(bands,) if kind == BANDS else (),
    )


@settings(max_examples=300, deadline=None)
@given(one_kpi(), st.lists(st.floats(-2000, 2000), min_size=2, max_size=30))
def test_a_kpi_score_never_drops_as_the_actual_improves_and_stays_within_its_cap(kpi, values):
    direction = kpi.direction[0]
    ordered = np.array(sorted(values, key=lambda v: v * direction))[:, None]

    result = score_kpis(kpi, ScoringInput(actual=ordered, weights=np.full(ordered.shape, 100.0)))

    scores = result.kpi_scores[:, 0]
    assert (np.diff(scores) >= -1e-9).all()
    assert (scores >= 0).all()
    assert (scores <= kpi.cap[0] + 1e-9).all()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(1, 8), st.data())
def test_contributions_add_up_to_the_weighted_score(kpis, people, data):
    raw = data.draw(
        st.lists(
            st.lists(st.floats(0, 10), min_size=kpis, max_size=kpis),
            min_size=people,
            max_size=people,
        )
    )
    weights = np.array(raw) + 1e-3
    weights = weights / weights.sum(axis=1, keepdims=True) * 100
    actual = np.array(
        data.draw(
            st.lists(
                st.lists(st.one_of(st.none(), st.floats(0, 200)), min_size=kpis, max_size=kpis),
                min_size=people,
                max_size=people,
            )
        ),
        dtype=float,
    )
    kpi = rules(
        kind=[LINEAR] * kpis,
        threshold=[50.0] * kpis,
        missing=list(
            data.draw(st.lists(st.sampled_from([SPREAD, ZERO]), min_size=kpis, max_size=kpis))
        ),
    )

    result = score_kpis(kpi, ScoringInput(actual=actual, weights=weights))

    np.testing.assert_allclose(result.contributions.sum(axis=1), result.weighted_score)
    kept = result.effective_weights.sum(axis=1)
    assert np.all((np.abs(kept - 1) < 1e-9) | (kept == 0))
