"""Synthetic process event logs for the bottleneck engine's benchmark and agreement tests.

One row per work step (case, step, resource, start, complete), like a ticketing system's export:
a ten-step change process with rework loops (review -> fix, test -> analyse), about 200 people
in teams, start and complete times to the microsecond, and a planted handoff bottleneck: an
approved change waits for one of only three deployers (median 10 h, against minutes to an hour
elsewhere). Generation is vectorised (one numpy pass per step of the longest case), so 10M
events take seconds; ``cached_log`` writes each size once as parquet under
``var/bench-cache/`` and both engines read that same file.

    python -m bench.eventlogs 1000000     # write (or find) the 1M-event file, print its path
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench-cache"
VERSION = 1  # bump when the generator changes, so stale cache files are not reused

STEPS = (
    "receive",
    "triage",
    "assign",
    "analyse",
    "fix",
    "review",
    "test",
    "approve",
    "deploy",
    "close",
)
RECEIVE, TRIAGE, ASSIGN, ANALYSE, FIX, REVIEW, TEST, APPROVE, DEPLOY, CLOSE = range(10)
PLANTED = (APPROVE, DEPLOY)  # the handoff bottleneck the analysis must find

# next step probabilities (rows: current step)
_NEXT = np.zeros((10, 11))
_NEXT[RECEIVE, TRIAGE] = 1
_NEXT[TRIAGE, ASSIGN], _NEXT[TRIAGE, CLOSE] = 0.9, 0.1
_NEXT[ASSIGN, ANALYSE] = 1
_NEXT[ANALYSE, FIX] = 1
_NEXT[FIX, REVIEW] = 1
_NEXT[REVIEW, FIX], _NEXT[REVIEW, TEST] = 0.3, 0.7  # rework loop
_NEXT[TEST, ANALYSE], _NEXT[TEST, APPROVE] = 0.1, 0.9  # rework loop
_NEXT[APPROVE, DEPLOY] = 1
_NEXT[DEPLOY, CLOSE] = 1
_NEXT[CLOSE, 10] = 1  # 10 = the case is finished
_CUMULATIVE = np.cumsum(_NEXT, axis=1)

# teams (people per step); analyse and fix share the engineers
_TEAM_SIZES = {
    RECEIVE: 12,
    TRIAGE: 15,
    ASSIGN: 6,
    ANALYSE: 70,
    REVIEW: 25,
    TEST: 30,
    APPROVE: 30,
    DEPLOY: 3,
    CLOSE: 9,
}
_TEAM_OF = {step: step for step in _TEAM_SIZES} | {FIX: ANALYSE}
_TEAM_FIRST = {}
_first = 0
for _step, _size in _TEAM_SIZES.items():
    _TEAM_FIRST[_step] = _first
    _first += _size
PEOPLE = _first  # 200
RESOURCES = np.array([f"P{i:03d}" for i in range(PEOPLE)], dtype=object)

# medians in seconds: processing per step, wait per transition (default 20 min)
_PROCESSING = np.array([60, 600, 300, 3600, 5400, 1800, 2700, 900, 1200, 120], dtype=float)
_WAIT = np.full((10, 10), 1200.0)
_WAIT[TRIAGE, ASSIGN] = 3600
_WAIT[REVIEW, FIX] = 7200
_WAIT[APPROVE, DEPLOY] = 36000  # planted: 10 h for one of three deployers
_SIGMA = 0.8  # lognormal spread

EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SPAN_DAYS = 180


def generate(
    events: int,
    *,
    seed: int = 0,
    overlap_share: float = 0.0,
    unknown_resource_share: float = 0.0,
    instantaneous_share: float = 0.0,
) -> pl.DataFrame:
    """Return a log of about ``events`` events (whole cases only, never more than ``events``).

    Rows come in completion order, as an export would. ``overlap_share`` of the events start
    before the previous one of their case completed (parallel work); ``unknown_resource_share``
    have no resource; ``instantaneous_share`` have no start time.
    """
    rng = np.random.default_rng(seed)
    cases = max(int(events / 10.4 * 1.05) + 1, 1)
    arrival = rng.uniform(0, SPAN_DAYS * 86400.0, cases)
    state = np.zeros(cases, dtype=np.int64)
    clock = arrival.copy()
    person = np.full(cases, -1, dtype=np.int64)
    last_fixer = np.full(cases, -1, dtype=np.int64)
    previous = np.full(cases, -1, dtype=np.int64)
    parts: list[tuple[np.ndarray, ...]] = []
    alive = np.arange(cases)
    while alive.size:
        step = state[alive]
        before = previous[alive]
        median_wait = np.where(before >= 0, _WAIT[np.maximum(before, 0), step], 0.0)
        wait = median_wait * rng.lognormal(0.0, _SIGMA, alive.size)
        if overlap_share:
            overlapping = (before >= 0) & (rng.random(alive.size) < overlap_share)
            wait[overlapping] = -rng.uniform(1, 600, int(overlapping.sum()))
        start = clock[alive] + wait
        processing = _PROCESSING[step] * rng.lognormal(0.0, _SIGMA, alive.size)
        complete = start + processing
        resource = _pick_people(rng, step, person[alive], last_fixer[alive])
        parts.append((alive, step, resource, start, complete))
        person[alive] = resource
        fixing = step == FIX
        last_fixer[alive[fixing]] = resource[fixing]
        previous[alive] = step
        # a negative wait (parallel work) must not move the case's clock backwards
        clock[alive] = np.maximum(complete, clock[alive])
        draw = rng.random(alive.size)
        following = (draw[:, None] > _CUMULATIVE[step]).sum(axis=1)
        state[alive] = following
        alive = alive[following < 10]
    case, step, resource, start, complete = (np.concatenate(p) for p in zip(*parts, strict=True))
    # keep whole cases only, at most `events` events
    per_case = np.bincount(case, minlength=cases)
    kept = np.cumsum(per_case) <= events
    mask = kept[case]
    case, step, resource = case[mask], step[mask], resource[mask]
    start_us = np.round(start[mask] * 1e6).astype(np.int64)
    complete_us = np.round(complete[mask] * 1e6).astype(np.int64)
    base = int(EPOCH.timestamp() * 1_000_000)
    frame = pl.DataFrame(
        {
            "case": case.astype(np.int64) + 100_000,
            "step": pl.Series(np.array(STEPS, dtype=object)[step], dtype=pl.String),
            "resource": pl.Series(RESOURCES[resource], dtype=pl.String),
            "start": pl.Series(start_us + base).cast(pl.Datetime("us", "UTC")),
            "complete": pl.Series(complete_us + base).cast(pl.Datetime("us", "UTC")),
        }
    )
    if unknown_resource_share:
        unknown = pl.Series(rng.random(frame.height) < unknown_resource_share)
        frame = frame.with_columns(
            pl.when(unknown).then(None).otherwise(pl.col("resource")).alias("resource")
        )
    if instantaneous_share:
        instant = pl.Series(rng.random(frame.height) < instantaneous_share)
        frame = frame.with_columns(
            pl.when(instant).then(None).otherwise(pl.col("start")).alias("start"),
            pl.when(instant).then(pl.col("start")).otherwise(pl.col("complete")).alias("complete"),
        )
    return frame.sort("complete")


def _pick_people(
    rng: np.random.Generator, step: np.ndarray, current: np.ndarray, fixer: np.ndarray
) -> np.ndarray:
    """A person of the step's team; engineers often keep their case, rework goes to the fixer."""
    team = np.array([_TEAM_OF[s] for s in range(10)])[step]
    first = np.array([_TEAM_FIRST[_TEAM_OF[s]] for s in range(10)])[step]
    size = np.array([_TEAM_SIZES[_TEAM_OF[s]] for s in range(10)])[step]
    chosen = first + (rng.random(step.size) * size).astype(np.int64)
    engineer = team == ANALYSE
    same_team = engineer & (current >= _TEAM_FIRST[ANALYSE])
    same_team &= current < _TEAM_FIRST[ANALYSE] + _TEAM_SIZES[ANALYSE]
    keep = same_team & (rng.random(step.size) < 0.6)
    chosen[keep] = current[keep]
    back_to_fixer = (step == FIX) & (fixer >= 0) & (rng.random(step.size) < 0.7)
    chosen[back_to_fixer] = fixer[back_to_fixer]
    return chosen


def cached_log(events: int, *, seed: int = 0) -> Path:
    """Return the parquet file of the ``events``-sized bench log, writing it on first use."""
    path = CACHE / f"eventlog-v{VERSION}-{events}-s{seed}.parquet"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        generate(events, seed=seed, overlap_share=0.01).write_parquet(partial)
        partial.rename(path)
    return path


if __name__ == "__main__":
    print(cached_log(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
