"""The RACI analysis engine: worked examples from the seed and hypothesis properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from opsteam.org.raci import (
    ACCOUNTABLE,
    CONSULTED,
    NONE,
    RESPONSIBLE,
    RaciInput,
    RaciInputError,
    analyse_raci,
)

R, A, C, INF, _ = RESPONSIBLE, ACCOUNTABLE, CONSULTED, 4, NONE


def _input(matrix, holdings=None):
    matrix = np.array(matrix, dtype=np.int8)
    activities, positions = matrix.shape
    data = {
        "activity_ids": np.arange(100, 100 + activities),
        "position_ids": np.arange(1, positions + 1),
        "matrix": matrix,
    }
    if holdings is not None:
        holdings = np.array(holdings, dtype=bool)
        data["staff_ids"] = np.arange(500, 500 + holdings.shape[0])
        data["holdings"] = holdings
    return RaciInput(**data)


def test_campaign_approval_with_two_accountable_positions_is_a_conflict():
    # given the seed's "avoid conflicts": store lead and promotion lead both approve campaigns
    matrix = [
        [R, A, A],  # 活动方案审批: two A
        [R, A, _],  # 商品上架: fine
    ]

    result = analyse_raci(_input(matrix))

    conflicts = [f for f in result.activity_findings if f.kind == "multiple_accountable"]
    assert [(f.activity_id, f.position_ids) for f in conflicts] == [(100, (2, 3))]
    pairs = [f for f in result.pair_findings if f.kind == "conflicting_accountability"]
    assert [(f.position_a, f.position_b, f.shared_activity_ids) for f in pairs] == [(2, 3, (100,))]


def test_gaps_are_reported_for_missing_accountable_and_responsible():
    result = analyse_raci(_input([[C, INF, _], [R, _, _]]))

    kinds = sorted((f.kind, f.activity_id) for f in result.activity_findings)
    assert kinds == [("no_accountable", 100), ("no_accountable", 101), ("no_responsible", 100)]


def test_positions_doing_the_same_work_are_flagged_as_duplicated():
    matrix = [[R, R, A], [R, R, A], [R, R, A], [R, _, A]]

    result = analyse_raci(_input(matrix), overlap_threshold=0.6)

    duplicates = [f for f in result.pair_findings if f.kind == "duplicate_duties"]
    assert [(f.position_a, f.position_b) for f in duplicates] == [(1, 2)]
    assert duplicates[0].similarity == pytest.approx(0.75)
    assert duplicates[0].shared_activity_ids == (100, 101, 102)


def test_lead_accountable_for_a_specialists_work_is_not_a_duplicate():
    matrix = [[R, A], [R, A], [R, A]]

    result = analyse_raci(_input(matrix))

    assert not [f for f in result.pair_findings if f.kind == "duplicate_duties"]


def test_person_holding_two_loaded_positions_is_overloaded_with_explanation():
    matrix = [[R, A]] * 10
    holdings = [[True, True], [True, False]]

    result = analyse_raci(_input(matrix, holdings), max_load=12)

    assert len(result.load_findings) == 1
    finding = result.load_findings[0]
    assert finding.staff_id == 500
    assert finding.load == pytest.approx(15.0)
    assert finding.contributions == ((1, 10.0), (2, 5.0))


def test_mismatched_shapes_name_the_field():
    data = RaciInput(
        activity_ids=np.arange(2), position_ids=np.arange(3), matrix=np.zeros((3, 3), np.int8)
    )

    with pytest.raises(RaciInputError, match="matrix"):
        analyse_raci(data)


matrices = arrays(
    np.int8, st.tuples(st.integers(1, 8), st.integers(1, 6)), elements=st.integers(0, 4)
)


@settings(max_examples=150, deadline=None)
@given(matrices)
def test_every_activity_has_exactly_one_a_or_is_reported(matrix):
    result = analyse_raci(_input(matrix))

    reported = {f.activity_id for f in result.activity_findings if "accountable" in f.kind}
    ok = {100 + i for i in range(matrix.shape[0]) if (matrix[i] == A).sum() == 1}
    assert reported == {100 + i for i in range(matrix.shape[0])} - ok


@settings(max_examples=150, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_column_order(matrix, random):
    order = list(range(matrix.shape[1]))
    random.shuffle(order)
    base = _input(matrix)
    shuffled = RaciInput(
        activity_ids=base.activity_ids,
        position_ids=base.position_ids[order],
        matrix=base.matrix[:, order],
    )

    first, second = analyse_raci(base), analyse_raci(shuffled)

    def normal(result):
        acts = sorted(
            (f.kind, f.activity_id, tuple(sorted(f.position_ids))) for f in result.activity_findings
        )
        pairs = sorted(
            (f.kind, *sorted((f.position_a, f.position_b)), f.shared_activity_ids)
            for f in result.pair_findings
        )
        return acts, pairs, result.position_load

    assert normal(first) == normal(second)


@settings(max_examples=100, deadline=None)
@given(matrices)
def test_position_load_is_the_weighted_count_of_its_cells(matrix):
    result = analyse_raci(_input(matrix))

    for column, position_id in enumerate(range(1, matrix.shape[1] + 1)):
        cells = matrix[:, column]
        expected = (cells == R).sum() + 0.5 * (cells == A).sum() + 0.25 * (cells == C).sum()
        assert result.position_load[position_id] == pytest.approx(expected)
