"""The pulse engines (no database): eNPS, favourable %, trends, themes, and the release rule
that no filter or subtraction reveals a group below the minimum."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.surveys import pulse_scoring as ps
from opsteam.surveys import themes


def test_enps_counts_promoters_minus_detractors():
    result = ps.enps([10, 9, 9, 8, 7, 6, 0, 10, 5, 9])
    assert (result.promoters, result.passives, result.detractors) == (5, 2, 3)
    assert result.score == 20


def test_enps_of_nobody_is_none_and_out_of_range_is_refused():
    assert ps.enps([]).score is None
    with pytest.raises(ValueError, match="out of range"):
        ps.enps([11])


@given(st.lists(st.integers(0, 10), min_size=1, max_size=200))
def test_enps_is_between_minus_100_and_100(values):
    result = ps.enps(values)
    assert -100 <= result.score <= 100
    assert result.answers == len(values)
    assert ps.enps_from_counts([values.count(v) for v in range(11)]) == result


def test_agreement_favourable_is_share_of_4_and_5():
    result = ps.agreement([5, 4, 3, 2, 1, 4, 4, 5])
    assert result.favourable == 62.5
    assert result.unfavourable == 25.0
    assert result.average == 3.5
    assert result.distribution == (1, 1, 1, 3, 2)


@given(st.lists(st.integers(1, 5), max_size=100))
def test_agreement_shares_are_percentages(values):
    result = ps.agreement(values)
    if values:
        assert 0 <= result.favourable <= 100
        assert result.favourable + result.unfavourable <= 100.01
        assert 1 <= result.average <= 5
    else:
        assert result.average is None


def test_trend_directions():
    assert ps.trend(60, 50).direction == "up"
    assert ps.trend(50, 60).delta == -10
    assert ps.trend(50.4, 50).direction == "flat"
    assert ps.trend(50, None).direction == "new"


def test_minimum_group_is_five_by_default_and_never_below_three():
    assert ps.min_group(None) == 5
    assert ps.min_group(2) == 3
    assert ps.min_group(7) == 7


def test_small_team_is_withheld_and_the_overall_too_when_it_would_reveal_it():
    plan = ps.plan_release({"big": 12, "mid": 6, "small": 2}, threshold=5)
    assert plan.teams == {"big", "mid"}
    assert plan.reasons == {"small": "small"}
    # overall - big - mid = small: the overall is withheld
    assert not plan.overall_released
    assert not plan.pool_released
    plan = ps.plan_release({"big": 12, "a": 2, "b": 3}, threshold=5)
    assert plan.teams == {"big"}
    assert plan.pool_released
    assert plan.overall_released


def test_bands_inside_a_team_use_complementary_suppression():
    cells = {("t", "lt1"): 6, ("t", "1to3"): 5, ("t", "gt3"): 1}
    plan = ps.plan_release({"t": 12}, threshold=5, cell_counts=cells)
    # showing 6 and 5 next to the team's 12 would reveal the single long-tenured answer
    assert plan.cells == {("t", "lt1")}


def test_everything_withheld_when_too_few_answer():
    plan = ps.plan_release({"a": 2, "b": 1}, threshold=5)
    assert not plan.teams
    assert not plan.overall_released


def _figures(plan, responses, band=None):
    """Each shown figure as the set of response ids it pools."""
    figures = []
    for figure in ps.shown_groups(plan, band=band):
        kind = figure[0]
        if kind == "team":
            figures.append({r for r, (t, _b) in responses.items() if t == figure[1]})
        elif kind == "pool":
            figures.append({r for r, (t, _b) in responses.items() if t in plan.pooled})
        elif kind == "overall":
            figures.append(set(responses))
        elif kind == "cell":
            figures.append({r for r, tb in responses.items() if tb == (figure[1], figure[2])})
        elif kind == "band":
            cells = {c for c in plan.cells if c[1] == figure[1]}
            figures.append({r for r, tb in responses.items() if tb in cells})
    return figures


counts = st.dictionaries(
    st.sampled_from(["t1", "t2", "t3", "t4", "t5"]),
    st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)),
    min_size=1,
)


@settings(max_examples=300, deadline=None)
@given(counts, st.integers(3, 7))
def test_no_filter_or_subtraction_reveals_a_group_below_the_minimum(data, threshold):
    bands = ("lt1", "1to3", "gt3")
    responses, n = {}, 0
    for team, per_band in data.items():
        for band, k in zip(bands, per_band, strict=True):
            for _ in range(k):
                responses[n] = (team, band)
                n += 1
    team_counts = {t: sum(v) for t, v in data.items()}
    cell_counts = {(t, b): k for t, v in data.items() for b, k in zip(bands, v, strict=True)}
    plan = ps.plan_release(team_counts, threshold=threshold, cell_counts=cell_counts)
    limit = plan.threshold
    shown = _figures(plan, responses)
    for band in bands:
        shown += _figures(plan, responses, band)
    # every figure, and every difference of two figures, pools 0 or >= limit responses
    for figure in shown:
        assert len(figure) >= limit
    for a, b in itertools.permutations(shown, 2):
        assert len(a - b) == 0 or len(a - b) >= limit
        assert len(a & b) == 0 or len(a & b) >= limit


def test_themes_count_each_comment_once_per_theme():
    comments = [
        "加班太多，人手不够",
        "希望有更多培训和晋升机会",
        "The reporting tool is slow and the workload is high",
        "",
        "经理沟通很好，团队氛围不错",
    ]
    counts = {row.theme: row.comments for row in themes.theme_counts(comments)}
    assert counts["workload"] == 2
    assert counts["growth"] == 1
    assert counts["tools"] == 1
    assert counts["manager"] == 1
    assert counts["team"] == 1


def test_frequent_terms_mix_chinese_and_english():
    terms = dict(themes.frequent_terms(["系统卡顿", "系统太慢", "tool slow", "slow tool"]))
    assert terms["系统"] == 2
    assert terms["slow"] == 2


@given(st.lists(st.text(max_size=80), max_size=30))
def test_theme_counts_never_exceed_comments(comments):
    total = sum(1 for c in comments if c.strip())
    for row in themes.theme_counts(comments):
        assert 1 <= row.comments <= total
