"""The leniency engine: worked example plus properties (no database)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.surveys.leniency import normalise_leniency


def test_lenient_rater_is_shifted_down_and_a_rater_of_few_people_is_left_alone():
    # rater 1 rated three people 5, 5, 4; rater 2 rated one person 2
    result = normalise_leniency([1, 1, 1, 2], [10, 11, 12, 10], [5, 5, 4, 2], min_subjects=3)

    assert result.overall_mean == 4.0
    assert result.adjusted_raters == {1}
    assert np.allclose(result.adjustment, [4 - 14 / 3] * 3 + [0])
    assert np.allclose(result.normalised, np.array([5, 5, 4, 2]) + result.adjustment)
    assert result.rater_subjects == {1: 3, 2: 1}


def test_many_ratings_of_one_person_do_not_qualify_a_rater():
    result = normalise_leniency([1] * 5, [10] * 5, [5, 5, 5, 4, 4], min_subjects=3)

    assert result.adjusted_raters == frozenset()
    assert np.allclose(result.adjustment, 0)


ratings_lists = st.lists(
    st.tuples(st.integers(1, 4), st.integers(1, 6), st.integers(1, 5)), min_size=1, max_size=60
)


@settings(max_examples=200, deadline=None)
@given(ratings_lists, st.integers(1, 4))
def test_each_raters_ranking_of_people_is_preserved(rows, min_subjects):
    raters, subjects, ratings = (np.array(column) for column in zip(*rows, strict=True))

    result = normalise_leniency(raters, subjects, ratings, min_subjects=min_subjects)

    for rater in set(raters.tolist()):
        mask = raters == rater
        raw, norm = ratings[mask], result.normalised[mask]
        order = np.argsort(raw, kind="stable")
        assert np.all(np.diff(norm[order]) >= -1e-9)
        assert np.allclose(norm - raw, (norm - raw)[0])  # one shift per rater


@settings(max_examples=200, deadline=None)
@given(ratings_lists)
def test_normalised_raters_all_end_at_the_overall_mean_and_raw_is_kept(rows):
    raters, subjects, ratings = (np.array(column) for column in zip(*rows, strict=True))

    result = normalise_leniency(raters, subjects, ratings, min_subjects=1)

    for rater in result.adjusted_raters:
        assert np.isclose(result.normalised[raters == rater].mean(), result.overall_mean)
    assert np.allclose(result.normalised - result.adjustment, ratings)
