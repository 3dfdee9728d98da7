"""The bottleneck engine agrees with pm4py 2.7 on every measure pm4py also computes.

pm4py (AGPL-3.0) is a test and benchmark dependency only; product code never imports it.
Generated logs of a few thousand events (``bench/eventlogs.py``: ten steps with rework loops,
200 people, start and complete times), several seeds. Relative tolerance 1e-9.

Where pm4py's semantics differ from ours, and how we compare:
- pm4py needs ``format_dataframe``; it sorts by completion time, while the performance DFG
  re-sorts by (start, complete) because a column is literally named ``start_timestamp``. On
  logs where no work overlaps inside a case the two orders agree, so variants, rework and
  handovers compare directly.
- Overlapping work: pm4py's pandas path reports the negative wait; ours clips it at 0 and counts
  it. On logs with overlaps we take pm4py's raw waits (``perf_aggregation_key="raw_values"``),
  count the negative ones and clip them before aggregating.
- Case durations: ``get_all_case_durations`` raises KeyError on a frame formatted with start
  times, and without them it measures first to last *completion*. We compare on the lifecycle
  form of the same log (each event as a start and a complete row, as BPI logs come), where its
  first-to-last timestamp is our first start to last completion.
- Handover of work: pm4py counts consecutive pairs of the same person too and divides by all
  pairs; ours counts pairs of different people. We compare pm4py's value times all pairs.
- pandas 3.1: everything used here works; pandas cannot read parquet without pyarrow, which is
  why the frames are built from numpy columns.
"""

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from bench.eventlogs import generate
from opsteam.workflow import bottlenecks as b

pytestmark = pytest.mark.filterwarnings("ignore")
SEEDS = (0, 1, 2, 3)
EVENTS = 3_000
REL = 1e-9


@pytest.fixture(scope="module")
def pm4py():
    pytest.importorskip("pm4py")
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py  # prints a licence banner on import
    return pm4py


def pandas_frame(frame: pl.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({name: frame[name].to_numpy() for name in frame.columns})


def formatted(pm4py, frame: pl.DataFrame) -> pd.DataFrame:
    return pm4py.format_dataframe(
        pandas_frame(frame),
        case_id="case",
        activity_key="step",
        timestamp_key="complete",
        start_timestamp_key="start",
    )


def by_edge(frame: pl.DataFrame) -> dict:
    return {(r["source"], r["target"]): r for r in frame.iter_rows(named=True)}


def close(ours: float, theirs: float) -> bool:
    return ours == pytest.approx(float(theirs), rel=REL, abs=1e-9)


@pytest.fixture(scope="module", params=SEEDS)
def sequential(request, pm4py):
    """A log without overlapping work, as polars (ours) and formatted pandas (pm4py)."""
    frame = generate(EVENTS, seed=request.param)
    return frame, formatted(pm4py, frame), b.encode(frame)


def test_directly_follows_frequencies_and_endpoints_agree(pm4py, sequential):
    frame, theirs, log = sequential

    dfg, starts, ends = pm4py.discover_dfg(theirs)

    assert {edge: row["count"] for edge, row in by_edge(b.performance_dfg(log)).items()} == {
        edge: int(n) for edge, n in dfg.items()
    }
    analysis = b.analyse(frame)
    assert dict(analysis.start_steps.iter_rows()) == {k: int(v) for k, v in starts.items()}
    assert dict(analysis.end_steps.iter_rows()) == {k: int(v) for k, v in ends.items()}


def test_performance_dfg_agrees(pm4py, sequential):
    _frame, theirs, log = sequential

    performance = pm4py.discover_performance_dfg(theirs)[0]

    ours = by_edge(b.performance_dfg(log))
    assert set(ours) == set(performance)
    for edge, stats in performance.items():
        row = ours[edge]
        assert row["overlaps"] == 0
        for name in ("mean", "median", "min", "max", "sum"):
            assert close(row[f"{name}_s"], stats[name]), (edge, name)
        if row["count"] > 1:
            assert close(row["std_s"], stats["stdev"]), edge
        else:
            assert row["std_s"] is None
            assert np.isnan(stats["stdev"])


@pytest.mark.parametrize("seed", SEEDS)
def test_overlapping_work_agrees_once_pm4py_negative_waits_are_clipped(pm4py, seed):
    frame = generate(EVENTS, seed=seed, overlap_share=0.05)

    raw = pm4py.discover_performance_dfg(formatted(pm4py, frame), perf_aggregation_key="raw_values")

    ours = by_edge(b.performance_dfg(b.encode(frame)))
    assert sum(row["overlaps"] for row in ours.values()) > 0
    assert set(ours) == set(raw[0])
    for edge, values in raw[0].items():
        waits = np.asarray(values, dtype=float)
        clipped = np.maximum(waits, 0)
        row = ours[edge]
        assert row["count"] == waits.size
        assert row["overlaps"] == int((waits < 0).sum())
        assert close(row["mean_s"], clipped.mean())
        assert close(row["median_s"], np.median(clipped))
        assert close(row["max_s"], clipped.max())
        assert close(row["sum_s"], clipped.sum())


def test_service_times_agree(pm4py, sequential):
    _frame, theirs, log = sequential
    ours = {row["step"]: row for row in b.service_times(log).iter_rows(named=True)}

    for measure in ("mean", "median", "min", "max", "sum"):
        expected = pm4py.get_service_time(
            theirs, start_timestamp_key="start_timestamp", aggregation_measure=measure
        )

        assert set(expected) == set(ours)
        for step, value in expected.items():
            assert close(ours[step][f"{measure}_s"], value), (step, measure)


def test_case_durations_agree_on_the_lifecycle_form_of_the_log(pm4py, sequential):
    frame, _theirs, log = sequential
    lifecycle = pl.concat(
        [
            frame.select("case", "step", pl.col("start").alias("timestamp")),
            frame.select("case", "step", pl.col("complete").alias("timestamp")),
        ]
    )
    theirs = pm4py.format_dataframe(
        pandas_frame(lifecycle), case_id="case", activity_key="step", timestamp_key="timestamp"
    )

    expected = pm4py.get_all_case_durations(theirs)

    ours = sorted(b.case_durations(log).per_case["duration_s"].to_list())
    assert len(ours) == len(expected)
    assert all(close(a, e) for a, e in zip(ours, expected, strict=True))


def test_rework_agrees(pm4py, sequential):
    _frame, theirs, log = sequential

    expected = pm4py.get_rework_cases_per_activity(theirs)

    assert {row["step"]: row["cases"] for row in b.rework(log).iter_rows(named=True)} == {
        step: int(n) for step, n in expected.items()
    }


def test_handover_of_work_agrees(pm4py, sequential):
    _frame, theirs, log = sequential

    network = pm4py.discover_handover_of_work_network(theirs, resource_key="resource")

    pairs = log.events - log.cases  # pm4py divides by every consecutive pair
    expected = {(a, c): value * pairs for (a, c), value in network.connections.items() if a != c}
    ours = {
        (row["source_resource"], row["target_resource"]): row["count"]
        for row in b.handovers(log).iter_rows(named=True)
    }
    assert set(ours) == set(expected)
    assert all(close(ours[pair], expected[pair]) for pair in ours)


def test_variants_agree(pm4py, sequential):
    _frame, theirs, log = sequential

    expected = pm4py.get_variants(theirs)

    ours = {tuple(row["path"]): row["count"] for row in b.variants(log, top=None).to_dicts()}
    assert ours == {path: int(n) for path, n in expected.items()}
