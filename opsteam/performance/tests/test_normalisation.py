import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.performance.normalisation import normalise_ratings


def test_lenient_and_strict_raters_meet_in_the_middle():
    raters = np.array([1] * 5 + [2] * 5)
    ratings = np.array([5, 5, 4, 5, 5, 3, 2, 3, 3, 2], dtype=float)

    result = normalise_ratings(raters, ratings)

    assert result.rater_means == {1: 4.8, 2: 2.6}
    assert result.overall_mean == pytest.approx(3.7)
    np.testing.assert_allclose(result.normalised[:2], [3.9, 3.9])
    np.testing.assert_allclose(result.adjustment[:1], [-1.1])


def test_raters_with_few_ratings_are_left_alone():
    result = normalise_ratings(np.array([1, 1, 2]), np.array([5.0, 5.0, 1.0]), min_ratees=3)

    np.testing.assert_allclose(result.normalised, [5.0, 5.0, 1.0])
    assert result.adjusted_raters == frozenset()


@settings(max_examples=300)
@given(
    st.lists(st.tuples(st.integers(1, 4), st.floats(1, 5)), min_size=1, max_size=60),
    st.integers(1, 6),
)
def test_normalisation_preserves_each_raters_ranking(pairs, min_ratees):
    raters = np.array([r for r, _ in pairs])
    ratings = np.array([v for _, v in pairs])

    result = normalise_ratings(raters, ratings, min_ratees=min_ratees)

    for rater in np.unique(raters):
        own = np.flatnonzero(raters == rater)
        for i in own:
            for j in own:
                if ratings[i] > ratings[j]:
                    assert result.normalised[i] >= result.normalised[j]
    assert ((result.normalised >= 1) & (result.normalised <= 5)).all()
