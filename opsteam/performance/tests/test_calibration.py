import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.performance.calibration import (
    POOLED,
    CalibrationInputError,
    distribution,
    guideline_counts,
    nine_box,
    propose_grades,
)

GUIDELINE = np.array([10, 20, 50, 15, 5])  # S A B C D


def test_guideline_counts_for_a_team_of_twenty():
    assert guideline_counts(20, GUIDELINE).tolist() == [2, 4, 10, 3, 1]


def test_counts_always_add_up_to_the_group():
    assert guideline_counts(7, GUIDELINE).sum() == 7


def test_small_teams_are_pooled_instead_of_forced():
    # a team of three and a team of two would each be forced to a D; pooled they share
    scores = np.array([90, 80, 70, 85, 60, *list(range(50, 80))])
    groups = np.array(["a"] * 3 + ["b"] * 2 + ["big"] * 30)

    proposal = propose_grades(scores, groups, GUIDELINE, min_group_size=10)

    assert set(proposal.pooled_group[:5]) == {POOLED}
    assert proposal.targets[POOLED].sum() == 5
    # 4.5 C and 1.5 D: the half person goes to the better grade
    assert proposal.targets["big"].tolist() == [3, 6, 15, 5, 1]


def test_proposal_follows_rank_and_explains_itself():
    scores = np.array([70.0, 95.0, 88.0, 60.0, 80.0, 75.0, 91.0, 66.0, 84.0, 79.0])

    proposal = propose_grades(scores, np.array(["t"] * 10), GUIDELINE, min_group_size=1)

    assert proposal.rank[1] == 1
    assert proposal.grades[1] == 0  # the best score gets the one S
    # 5% of ten people is half a person: no one is forced into D
    assert proposal.targets["t"].tolist() == [1, 2, 5, 2, 0]
    assert proposal.grades[3] == 3


def test_missing_score_is_named():
    with pytest.raises(CalibrationInputError, match=r"scores\[1\]"):
        propose_grades(np.array([1.0, np.nan]), np.array(["a", "a"]), GUIDELINE)


def test_nine_box_places_high_performers_with_high_potential_top_right():
    boxes = nine_box(np.array([0, 4, 2]), np.array([2, 0, 1]), grade_count=5)

    assert boxes.tolist() == [8, 0, 4]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0, 120), min_size=1, max_size=60), st.integers(1, 4), st.integers(1, 15))
def test_calibration_keeps_order_within_a_group(scores, group_count, min_size):
    scores = np.array(scores)
    groups = np.array([f"g{i % group_count}" for i in range(len(scores))])

    proposal = propose_grades(scores, groups, GUIDELINE, min_group_size=min_size)

    for group in np.unique(proposal.pooled_group):
        members = np.flatnonzero(proposal.pooled_group == group)
        for i in members:
            for j in members:
                if scores[i] > scores[j]:
                    assert proposal.grades[i] <= proposal.grades[j]
        counts = np.bincount(proposal.grades[members], minlength=5)
        assert counts.tolist() == proposal.targets[str(group)].tolist()
    assert distribution(proposal.grades, 5).sum() == pytest.approx(1.0)
