import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.performance.aggregation import (
    LAST,
    MAX,
    MEAN,
    MIN,
    RATIO,
    SUM,
    AggregationInputError,
    Measurements,
    aggregate,
)


def _data(rows, denominators=None):
    person, kpi, day, value = (np.array(column) for column in zip(*rows, strict=True))
    return Measurements(
        person=person,
        kpi=kpi,
        day=day,
        value=value.astype(float),
        denominator=None if denominators is None else np.array(denominators, float),
    )


def test_each_kpi_aggregates_its_own_way():
    # one person: daily GMV (sum), handling minutes (mean), rating (last), stock-outs (max),
    # and resolved/total tickets (ratio)
    rows = [
        (0, 0, 1, 100.0),
        (0, 0, 2, 150.0),
        (0, 1, 1, 4.0),
        (0, 1, 2, 6.0),
        (0, 2, 5, 4.7),
        (0, 2, 3, 4.9),
        (0, 3, 1, 2.0),
        (0, 3, 2, 7.0),
        (0, 4, 1, 45.0),
        (0, 4, 2, 50.0),
    ]
    dens = [np.nan] * 8 + [50.0, 50.0]

    result = aggregate(_data(rows, dens), np.array([SUM, MEAN, LAST, MAX, RATIO]), people=2)

    np.testing.assert_allclose(result.actual[0], [250.0, 5.0, 4.7, 7.0, 0.95])
    assert np.isnan(result.actual[1]).all()
    assert result.counts[0].tolist() == [2, 2, 2, 2, 2]


def test_sums_are_rounded_so_thresholds_do_not_flip():
    rows = [(0, 0, day, value) for day, value in enumerate([1.1, 2.2, 0.44])]

    result = aggregate(_data(rows), np.array([SUM]), people=1)

    assert result.actual[0, 0] == 3.74


def test_out_of_range_indexes_are_named():
    with pytest.raises(AggregationInputError, match="kpi"):
        aggregate(_data([(0, 3, 1, 1.0)]), np.array([SUM]), people=1)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 30), st.floats(-1e3, 1e3)),
        min_size=1,
        max_size=80,
    )
)
def test_min_never_exceeds_mean_or_max(rows):
    data = _data(rows)

    low = aggregate(data, np.array([MIN] * 3), people=4).actual
    mean = aggregate(data, np.array([MEAN] * 3), people=4).actual
    high = aggregate(data, np.array([MAX] * 3), people=4).actual

    measured = ~np.isnan(mean)
    assert (low[measured] <= mean[measured] + 1e-6).all()
    assert (mean[measured] <= high[measured] + 1e-6).all()
    assert (np.isnan(low) == np.isnan(high)).all()
