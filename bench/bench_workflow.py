"""The bottleneck engine against pm4py on the same event-log files (issue 7).

Logs from ``bench/eventlogs.py`` (10 steps with rework loops, 200 people, start and complete
times, a planted handoff bottleneck, 1 % overlapping work), written once as parquet under
``var/bench-cache/``; both engines read the same file. Figures (medians of RUNS runs, side by
side in one run):

- the suite at 100k and 1M events, end to end from the file: ours reads it with polars, encodes
  and computes the performance DFG, service times, case durations, rework and handovers;
  pm4py 2.7 gets a pandas frame of the same file (built from numpy columns: pandas cannot read
  parquet here without pyarrow), its required ``format_dataframe`` and the equivalent calls
  ``discover_performance_dfg``, ``get_service_time`` (mean and median: one call each),
  ``get_all_case_durations`` (with the start-time attribute removed: with it pm4py 2.7 raises
  KeyError), ``get_rework_cases_per_activity`` and ``discover_handover_of_work_network``.
  Target: at least 15x faster at 1M.
- the performance DFG alone from a frame in memory: our ``encode`` + ``performance_dfg``
  against ``pm4py.discover_performance_dfg`` on its formatted frame (it sorts inside).
  Target: at least 4x faster.
- the full ``analyse`` of 10M events in a fresh subprocess: its time (file read apart) and the
  process's peak memory (ru_maxrss). Targets: under 10 s and under 4 GB. pm4py's suite at 10M
  only with OPSTEAM_BENCH_PM4PY_10M=1 (it takes minutes).

The DFG frequencies and rework counts of both engines are compared on every size measured
(asserted), so the timed work is the same work. No database is needed (NEEDS_DATABASE).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

NEEDS_DATABASE = False
RUNS = 3
SIZES = (100_000, 1_000_000)
BIG = 10_000_000
ROOT = Path(__file__).resolve().parent.parent


def _size(events: int) -> str:
    return f"{events // 1_000_000}M" if events >= 1_000_000 else f"{events // 1000}k"


def _ours_suite(path: Path) -> dict[str, Any]:
    import polars as pl

    from opsteam.workflow import bottlenecks

    log = bottlenecks.encode(pl.read_parquet(path))
    return {
        "dfg": bottlenecks.performance_dfg(log),
        "service": bottlenecks.service_times(log),
        "durations": bottlenecks.case_durations(log),
        "rework": bottlenecks.rework(log),
        "handovers": bottlenecks.handovers(log),
    }


def _pandas_frame(path: Path) -> Any:
    """The file as a pandas frame without pyarrow (not installed): numpy columns via polars."""
    import pandas as pd
    import polars as pl

    frame = pl.read_parquet(path)
    return pd.DataFrame({name: frame[name].to_numpy() for name in frame.columns})


def _pm4py() -> Any:
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py  # the import prints a licence banner
    return pm4py


def _pm4py_format(frame: Any) -> Any:
    return _pm4py().format_dataframe(
        frame,
        case_id="case",
        activity_key="step",
        timestamp_key="complete",
        start_timestamp_key="start",
    )


def _pm4py_suite(path: Path) -> dict[str, Any]:
    pm4py = _pm4py()
    from pm4py.util import constants

    frame = _pm4py_format(_pandas_frame(path))
    result = {"dfg": pm4py.discover_performance_dfg(frame)[0]}
    for measure in ("mean", "median"):
        result[f"service_{measure}"] = pm4py.get_service_time(
            frame, start_timestamp_key="start_timestamp", aggregation_measure=measure
        )
    start_key = frame.attrs.pop(constants.PARAMETER_CONSTANT_START_TIMESTAMP_KEY)
    result["durations"] = pm4py.get_all_case_durations(frame)
    frame.attrs[constants.PARAMETER_CONSTANT_START_TIMESTAMP_KEY] = start_key
    result["rework"] = pm4py.get_rework_cases_per_activity(frame)
    result["handovers"] = pm4py.discover_handover_of_work_network(
        frame, resource_key="resource"
    ).connections
    return result


def _timed(function: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def _median_of_runs(function: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(RUNS):
        seconds, result = _timed(function, *args)
        times.append(seconds)
    return statistics.median(times), result


def _check_agreement(ours: dict[str, Any], formatted: Any, theirs: dict[str, Any]) -> None:
    """Same directly-follows frequencies and rework counts: the timed work is the same work."""
    dfg = {(r["source"], r["target"]): r["count"] for r in ours["dfg"].iter_rows(named=True)}
    their_dfg = _pm4py().discover_dfg(formatted)[0]
    assert dfg == {edge: int(count) for edge, count in their_dfg.items()}, "DFG"
    rework = {r["step"]: r["cases"] for r in ours["rework"].iter_rows(named=True)}
    assert rework == {k: int(v) for k, v in theirs["rework"].items()}, "rework"


def _suite_figures(events: int, path: Path) -> list[dict]:
    import polars as pl

    from opsteam.workflow import bottlenecks

    label = _size(events)
    ours_seconds, ours = _median_of_runs(_ours_suite, path)
    theirs_seconds, theirs = _median_of_runs(_pm4py_suite, path)
    frame = pl.read_parquet(path)
    dfg_seconds, _ = _median_of_runs(lambda: bottlenecks.performance_dfg(bottlenecks.encode(frame)))
    formatted = _pm4py_format(_pandas_frame(path))
    pm4py = _pm4py()
    their_dfg_seconds, _ = _median_of_runs(lambda: pm4py.discover_performance_dfg(formatted)[0])
    _check_agreement(ours, formatted, theirs)
    suite_speedup = theirs_seconds / ours_seconds
    dfg_speedup = their_dfg_seconds / dfg_seconds
    big = events >= 1_000_000
    return [
        {
            "name": f"workflow suite, {label} events, file to results",
            "value": ours_seconds,
            "unit": "s",
            "baseline": theirs_seconds,
            "baseline_name": "pm4py 2.7: pandas frame, format_dataframe, the same five analyses; "
            f"ours {suite_speedup:.0f}x faster" + (" (target: 15x)" if big else ""),
            "events": frame.height,
            "ours_s": ours_seconds,
            "speedup": suite_speedup,
        },
        {
            "name": f"workflow performance DFG, {label} events, encode + DFG",
            "value": dfg_seconds,
            "unit": "s",
            "baseline": their_dfg_seconds,
            "baseline_name": "pm4py.discover_performance_dfg on its formatted frame; "
            f"ours {dfg_speedup:.0f}x faster" + (" (target: 4x)" if big else ""),
            "events": frame.height,
            "ours_s": dfg_seconds,
            "speedup": dfg_speedup,
        },
    ]


def _analyse_in_subprocess(path: Path) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-m", "bench.bench_workflow", "analyse", str(path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def _analyse_main(path: str) -> None:
    """In a fresh process: read the file, time ``analyse`` RUNS times, report peak memory."""
    import polars as pl

    from opsteam.workflow import bottlenecks

    read_seconds, frame = _timed(pl.read_parquet, path)
    times, analysis = [], None
    for _ in range(RUNS):
        seconds, analysis = _timed(bottlenecks.analyse, frame)
        times.append(seconds)
    top = analysis.bottlenecks[0]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "events": frame.height,
                "read_s": read_seconds,
                "analyse_s": statistics.median(times),
                "peak_mb": peak_mb,
                "top": top.key,
            }
        )
    )


def _pm4py_main(path: str) -> None:
    seconds, _ = _timed(_pm4py_suite, Path(path))
    print(json.dumps({"pm4py_s": seconds}))


def run(*, backend: str) -> list[dict]:
    from bench.eventlogs import PLANTED, STEPS, cached_log

    figures = []
    for events in SIZES:
        figures.extend(_suite_figures(events, cached_log(events)))
    big = cached_log(BIG)
    measured = _analyse_in_subprocess(big)
    planted = f"handoff:{STEPS[PLANTED[0]]}→{STEPS[PLANTED[1]]}"
    assert measured["top"] == planted, measured["top"]
    baseline, baseline_name = 10.0, "issue target: under 10 s"
    if os.environ.get("OPSTEAM_BENCH_PM4PY_10M") == "1":
        pm4py_run = subprocess.run(
            [sys.executable, "-m", "bench.bench_workflow", "pm4py", str(big)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        )
        baseline = json.loads(pm4py_run.stdout.strip().splitlines()[-1])["pm4py_s"]
        baseline_name = "pm4py 2.7 five-analysis suite, one run (issue target for ours: < 10 s)"
    figures.append(
        {
            "name": f"workflow analyse (every measure + bottlenecks), {_size(BIG)} events",
            "value": measured["analyse_s"],
            "unit": "s",
            "baseline": baseline,
            "baseline_name": baseline_name,
            "events": measured["events"],
            "read_s": measured["read_s"],
            "top_bottleneck": measured["top"],
        }
    )
    figures.append(
        {
            "name": f"workflow analyse peak memory, {_size(BIG)} events (process, with the frame)",
            "value": measured["peak_mb"],
            "unit": "MB",
            "baseline": 4096.0,
            "baseline_name": "issue target: under 4 GB",
        }
    )
    return figures


if __name__ == "__main__":
    if sys.argv[1] == "analyse":
        _analyse_main(sys.argv[2])
    elif sys.argv[1] == "pm4py":
        _pm4py_main(sys.argv[2])
