"""Bottleneck analysis of a process event log (识别瓶颈和低效环节).

Pure (polars and numpy only; no Django). The caller selects the process and the time window and
passes one row per work step; every measure is computed from one sorted, integer-encoded copy of
that log (``encode``), with no Python loop per case or per event.

Input: a polars DataFrame with the columns
    ``case``      str or int, the work item / case id (required, not null)
    ``step``      str, the step / activity (required, not null)
    ``resource``  str, who did the step (optional, nullable: unknown)
    ``start``     Datetime (optional, nullable): a missing start is an instantaneous event,
                  start := complete
    ``complete``  Datetime (required, not null), at or after ``start``
Times are all time-zone aware (one zone) or all naive. Every duration comes back in seconds as a
float; periods (days, weeks) are calendar periods in the log's time zone.

Semantics (pm4py's answers are not well defined here, so ours are decided and tested):
- Order: the events of a case are ordered by (start, complete); exact ties are broken by step
  name, then resource, so results never depend on the order of the rows. (Renaming steps keeps
  every result, renamed, for logs without exact ties inside a case; with ties the tie-break
  follows the names.)
- Wait: an event's wait is its start minus the completion of the event before it in the case;
  the first event of a case has no wait. The wait belongs to the directly-follows pair (the
  transition) (previous step, this step) and is "the wait before this step".
- Overlap: work that starts before the previous event of the case completed (parallel work)
  would give a negative wait. It is clipped at 0 and counted in ``overlaps`` (pm4py's pandas
  path reports the negative value, its polars path 0).
- Processing (service) time: complete minus start of an event, 0 for an instantaneous one.
- Case duration (cycle time): the last completion minus the first start of the case.
- Rework: a step that occurs more than once in a case; the occurrences after the first are
  "extra" and their processing time is the rework cost. The loop is counted on the transition
  that led back into the repeated step.
- Handover: a directly-follows pair whose two events were done by two different known people.
  The handoff delay of a transition is split by the people and by the positions on each side
  over its handovers only (``handoff_by_people``, ``handoff_by_position``: top pairs).
- Bottlenecks: every wait is attributed to exactly one place: to the transition (source,
  target) as a *handoff* delay when the work changed hands between two known people, otherwise
  to the target step as that *step*'s queue wait (the same person continued, or who did it is
  unknown). Without targets the bottleneck totals therefore add up to the total waiting time
  of the window. With a handoff target for a transition, each wait on that transition counts
  only its excess over the target (in both kinds) and breaches are counted. Bottlenecks are
  ranked by that total, largest first; each carries its evidence as dicts with a stable
  ``code`` (for the interface to translate) and an English ``text`` (for logs and tests).
- Person load: events, busy seconds (sum of processing times), distinct cases, the maximum
  number of their events in progress at the same instant (intervals are half-open, so work
  done back to back counts 1), and the average over the window (busy seconds divided by the
  length of the log's window: the time-weighted mean number of their events in progress).
- Work in progress over time: cases open (first start reached, last completion not yet)
  at the start of each period and on average over the period.

Results come as polars DataFrames (labels decoded) or frozen dataclasses; ``Analysis.as_dict()``
is JSON-serialisable (no NaN: missing numbers are ``None``). Medians and p90 are exact and
interpolate linearly between the two nearest values (numpy's and pandas' default).

How it stays fast (10M events in a few seconds on two cores, see ``bench/bench_workflow.py``):
integer ids and int64 ticks; one packed int64 sort groups the cases (only cases whose rows are
out of time order are sorted again); directly-follows pairs are the sorted log's adjacent rows
(slices, no copies); the waits are sorted once within (transition, handed over) and every
wait statistic (per transition, per step, per bottleneck) is read from those sorted runs, with
quantiles of unions of runs found by a binary search on the value; ``analyse`` runs the
measures on two threads (numpy's sorts and polars release the GIL).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

_TICKS_PER_SECOND = {"ns": 1e9, "us": 1e6, "ms": 1e3}
_HASH_SEED = 0x0B0771E5
_VARIANT_PRIME = np.uint64(0x9E3779B97F4A7C15)
_LENGTH_PRIME = np.uint64(0xC2B2AE3D27D4EB4F)
_STATS = ("mean_s", "median_s", "p90_s", "min_s", "max_s", "sum_s")
_TOP_PAIRS = 5
_EVIDENCE_PAIRS = 3
_SLOWEST_CASES = 20
_HISTOGRAM_BINS = 20
_DENSE_KEYS = 1 << 22  # group sums by bincount below this many keys, else by np.unique
_THREADS = 2
# Elementwise work on long arrays goes in chunks of this many elements: the temporaries stay
# small enough for malloc to recycle them, instead of fresh pages the kernel must zero each time
_CHUNK = 1 << 20


class EventLogError(ValueError):
    """Malformed input; the message names the offending column (and row where there is one)."""

    def __init__(self, message: str, *, column: str, row: int | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.row = row


# The encoded log


@dataclass(frozen=True, slots=True)
class EncodedLog:
    """The log sorted by (case, start, complete, step, resource), with integer ids.

    Row ``i`` of every array is one event; the events of case ``c`` are rows
    ``bounds[c]:bounds[c + 1]``. Case ids are numbered in the order of their label (integers) or
    of a hash of their label (strings): either way independent of the order of the input rows.
    """

    case: np.ndarray  # (events,) int64 (intp, what bincount wants), case index, non-decreasing
    step: np.ndarray  # (events,) int64, index into step_labels
    resource: np.ndarray  # (events,) int64, index into resource_labels; -1 = unknown
    start: np.ndarray  # (events,) int64, ticks of time_unit since the epoch (UTC when aware)
    complete: np.ndarray  # (events,) int64, same unit, >= start
    bounds: np.ndarray  # (cases + 1,) int64, first row of each case, then the event count
    case_labels: pl.Series  # (cases,) the input case ids
    step_labels: tuple[str, ...]  # sorted
    resource_labels: tuple[str, ...]  # sorted
    time_unit: str  # "ns", "us" or "ms"
    time_zone: str | None

    @property
    def events(self) -> int:
        return int(self.step.size)

    @property
    def cases(self) -> int:
        return int(self.bounds.size - 1)

    @property
    def ticks_per_second(self) -> float:
        return _TICKS_PER_SECOND[self.time_unit]

    @property
    def frame(self) -> pl.DataFrame:
        """The encoded events as a DataFrame (for inspection and ad-hoc queries)."""
        return pl.DataFrame(
            {
                "case": self.case,
                "step": self.step,
                "resource": self.resource,
                "start": self.start,
                "complete": self.complete,
            }
        )

    def datetimes(self, ticks: np.ndarray) -> pl.Series:
        """Turn ticks of this log back into a Datetime series in the log's unit and zone."""
        return pl.Series(np.asarray(ticks, dtype=np.int64)).cast(
            pl.Datetime(self.time_unit, self.time_zone)
        )


def encode(frame: pl.DataFrame) -> EncodedLog:
    """Validate the event log, give case, step and resource integer ids and sort it once.

    Raises ``EventLogError`` naming the column (and the first offending row) for a missing
    required column, a null case/step/complete, a non-datetime time column, a start in another
    time zone than complete, or a start after its completion.
    """
    for column in ("case", "step", "complete"):
        if column not in frame.columns:
            raise EventLogError(f"the event log has no {column!r} column", column=column)
    if frame.schema["complete"] == pl.Date:
        frame = frame.with_columns(pl.col("complete").cast(pl.Datetime("us")))
    complete_type = frame.schema["complete"]
    if not isinstance(complete_type, pl.Datetime):
        raise EventLogError(
            f"'complete' must be a Datetime column, not {complete_type}", column="complete"
        )
    unit, zone = complete_type.time_unit or "us", complete_type.time_zone
    start_expr = _start_expression(frame, unit, zone)
    _validate_rows(frame, _start_expression(frame, unit, zone, fill=False))

    has_resource = "resource" in frame.columns and frame.schema["resource"] != pl.Null
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        # grouping the cases (a numpy sort) runs beside the label coding (polars)
        grouping = pool.submit(_group_cases, frame["case"])
        distinct = frame.select(
            pl.col("step").unique().implode(),
            pl.col("resource").unique().implode() if has_resource else pl.lit(None),
        ).row(0)
        step_labels = _sorted_labels(distinct[0])
        resource_labels = _sorted_labels(distinct[1]) if has_resource else ()
        # polars gives compact codes and views of the times; numpy widens them (its large
        # arrays get huge pages: far fewer page faults)
        codes = frame.select(
            p=_code_expression(frame, "step", step_labels),
            r=_code_expression(frame, "resource", resource_labels)
            if has_resource
            else pl.repeat(None, pl.len(), dtype=pl.UInt8),
        )
        steps = _widen_codes(codes["p"])
        resources = _widen_codes(codes["r"])
        del codes
        complete = frame["complete"].to_physical().to_numpy()
        start = _start_ticks(frame, start_expr, unit)
        order, changes, labels = grouping.result()
        events = frame.height
        bounds = (
            np.concatenate(([0], changes, [events])).astype(np.int64) if events else _EMPTY_BOUNDS
        )
        case = np.zeros(events, dtype=np.int64)
        case[changes] = 1
        np.cumsum(case, out=case)
        order, start = _order_within_cases(order, case, start, complete, steps, resources)
        # the other columns in case order (numpy's take releases the GIL: two at a time)
        gathered = [pool.submit(np.take, column, order) for column in (steps, resources, complete)]
        steps, resources, complete = (future.result() for future in gathered)
    return EncodedLog(
        case=case,
        step=steps,
        resource=resources,
        start=start,
        complete=complete,
        bounds=bounds,
        case_labels=labels.rename("case"),
        step_labels=step_labels,
        resource_labels=resource_labels,
        time_unit=unit,
        time_zone=zone,
    )


def _group_cases(column: pl.Series) -> tuple[np.ndarray, np.ndarray, pl.Series]:
    """(order grouping the rows by case, rows where the case changes, case id of each group).

    Cases come in the order of their id (integers) or of a hash of it (strings): either way
    independent of the order of the rows.
    """
    grouped = _group_integer_cases(column) if column.dtype.is_integer() else None
    if grouped is not None:
        return grouped
    text = column.cast(pl.String)
    order = pl.Series(text.hash(_HASH_SEED)).arg_sort().to_numpy().astype(np.int64)
    in_order = text.gather(order)
    changes = _changes(in_order)
    if not np.array_equal(changes, _changes(in_order.hash(_HASH_SEED))):
        # two case ids share a hash (a one-in-billions event): order by the ids themselves
        order = text.arg_sort().to_numpy().astype(np.int64)
        in_order = text.gather(order)
        changes = _changes(in_order)
    return order, changes, in_order.gather(np.concatenate(([0], changes)) if text.len() else [])


_EMPTY_BOUNDS = np.zeros(1, dtype=np.int64)


def _start_expression(
    frame: pl.DataFrame, unit: str, zone: str | None, *, fill: bool = True
) -> pl.Expr:
    """The start column in complete's unit; missing starts filled with complete (``fill``)."""
    if "start" not in frame.columns or frame.schema["start"] == pl.Null:
        return pl.col("complete")
    start_type = frame.schema["start"]
    if isinstance(start_type, pl.Datetime) and start_type.time_zone != zone:
        raise EventLogError(
            f"'start' is in time zone {start_type.time_zone!r} but 'complete' in {zone!r}",
            column="start",
        )
    if start_type != pl.Date and not isinstance(start_type, pl.Datetime):
        raise EventLogError(f"'start' must be a Datetime column, not {start_type}", column="start")
    start = pl.col("start")
    if start_type != pl.Datetime(unit, zone):
        start = start.cast(pl.Datetime(unit, zone))
    return pl.coalesce(start, pl.col("complete")) if fill else start


def _validate_rows(frame: pl.DataFrame, start_expr: pl.Expr) -> None:
    """Reject nulls in case/step/complete and starts after completion, naming the first row."""
    checks = {
        column: pl.col(column).is_null().arg_true().first()
        for column in ("case", "step", "complete")
    }
    # a missing start compares as null (never true): no need to fill it in for the check
    checks["start"] = (start_expr > pl.col("complete")).arg_true().first()
    found = frame.select(**checks).row(0, named=True)
    for column, row in found.items():
        if row is not None:
            problem = "'start' is after 'complete'" if column == "start" else f"{column!r} is empty"
            raise EventLogError(f"row {row}: {problem}", column=column, row=int(row))


def _sorted_labels(values: list[Any] | None) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in values or () if v is not None}))


def _code_expression(frame: pl.DataFrame, column: str, labels: tuple[str, ...]) -> pl.Expr:
    """Each label's rank among the sorted distinct labels, as an Enum (null stays null)."""
    expr = pl.col(column)
    if frame.schema[column] != pl.String:
        expr = expr.cast(pl.String)
    if not labels:
        return pl.repeat(None, pl.len(), dtype=pl.UInt8)
    return expr.cast(pl.Enum(labels))


def _widen_codes(codes: pl.Series) -> np.ndarray:
    """Enum codes as int64, −1 for null."""
    if codes.dtype == pl.Null or codes.null_count() == codes.len():
        return np.full(codes.len(), -1, dtype=np.int64)
    physical = codes.to_physical()
    if physical.null_count() == 0:
        return physical.to_numpy().astype(np.int64)
    missing = physical.is_null().to_numpy()
    wide = physical.fill_null(0).to_numpy().astype(np.int64)
    wide[missing] = -1
    return wide


def _start_ticks(frame: pl.DataFrame, start_expr: pl.Expr, unit: str) -> np.ndarray:
    """Start ticks (complete where start is missing); a view of the column when it can be."""
    if "start" in frame.columns:
        column = frame["start"]
        if (
            isinstance(column.dtype, pl.Datetime)
            and column.dtype.time_unit == unit
            and column.null_count() == 0
        ):
            return column.to_physical().to_numpy()
    return frame.select(start_expr.to_physical()).to_series().to_numpy()


def _changes(labels: pl.Series) -> np.ndarray:
    """Rows where the (grouped) case label differs from the row before."""
    if labels.len() < 2:
        return np.zeros(0, dtype=np.int64)
    differs = (labels.slice(1) != labels.slice(0, labels.len() - 1)).to_numpy()
    return np.flatnonzero(differs) + 1


def _group_integer_cases(column: pl.Series) -> tuple[np.ndarray, np.ndarray, pl.Series] | None:
    """Order rows by integer case id with one packed int64 sort of (id - min, row).

    Returns (order, rows where the case changes, the case ids in order), or None when the ids
    span too wide a range to pack with the row number.
    """
    keys = column.to_numpy()
    n = keys.size
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), column.clear()
    row_bits = _bits(n - 1)
    low, high = int(keys.min()), int(keys.max())
    if keys.dtype.kind not in "iu" or high >= 1 << 63 or _bits(high - low) + row_bits > 63:
        return None
    packed = np.empty(n, dtype=np.int64)
    for chunk in _chunks(n):
        part = keys[chunk].astype(np.int64)
        part -= low
        part <<= row_bits
        part |= np.arange(chunk.start, chunk.stop)
        packed[chunk] = part
    packed.sort()
    changes, previous = [], None
    for chunk in _chunks(n):
        ids = packed[chunk] >> row_bits
        if previous is not None and ids[0] != previous:
            changes.append(np.array([chunk.start]))
        changes.append(np.flatnonzero(ids[1:] != ids[:-1]) + (chunk.start + 1))
        previous = ids[-1]
    changes = np.concatenate(changes)
    firsts = packed[np.concatenate(([0], changes))] >> row_bits
    firsts += low
    packed &= (1 << row_bits) - 1
    return packed, changes, pl.Series(column.name, firsts).cast(column.dtype)


def _order_within_cases(
    order: np.ndarray,
    case: np.ndarray,
    start: np.ndarray,
    complete: np.ndarray,
    steps: np.ndarray,
    resources: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Reorder the events of each case by (start, complete, step, resource).

    ``order`` already groups the cases (``case`` is the case index in that order). Exports are
    mostly in time order, so only the cases found out of order are sorted again. Returns the
    order and the start times in it.
    """
    starts = start[order]
    if order.size < 2:
        return order, starts
    suspect = starts[1:] <= starts[:-1]
    suspect &= case[1:] == case[:-1]
    suspect = np.flatnonzero(suspect)
    if suspect.size == 0:
        return order, starts
    a, b = order[suspect], order[suspect + 1]  # rows in the input frame
    tie = start[b] == start[a]
    later = tie & (complete[b] > complete[a])
    tie &= complete[b] == complete[a]
    later |= tie & (steps[b] > steps[a])
    tie &= steps[b] == steps[a]
    later |= tie & (resources[b] >= resources[a])
    wrong = suspect[~later]
    if wrong.size == 0:
        return order, starts
    marked = np.zeros(int(case[-1]) + 1, dtype=bool)
    marked[case[wrong]] = True
    positions = np.flatnonzero(marked[case])
    rows = order[positions]
    resort = pl.DataFrame(
        {
            "k": case[positions],
            "s": start[rows],
            "c": complete[rows],
            "p": steps[rows],
            "r": resources[rows],
        }
    ).select(pl.arg_sort_by(["k", "s", "c", "p", "r"]))
    if not order.flags.writeable:
        order = order.copy()
    order[positions] = rows[resort.to_series().to_numpy()]
    starts[positions] = start[order[positions]]
    return order, starts


# Exact grouped statistics


def _bits(value: int) -> int:
    return max(int(value).bit_length(), 1)


def _chunks(n: int) -> list[slice]:
    return [slice(start, min(start + _CHUNK, n)) for start in range(0, n, _CHUNK)]


def _compress_into(
    n: int,
    keep: Callable[[slice], np.ndarray] | None,
    pieces: Callable[[slice, np.ndarray | slice], tuple[np.ndarray, ...]],
    dtypes: tuple[type, ...],
) -> tuple[np.ndarray, ...]:
    """Fill preallocated arrays with ``pieces(chunk, keep(chunk))`` over the chunks of range(n).

    ``keep`` gives a chunk's boolean row filter (counted first, to size the outputs; None keeps
    every row); ``pieces`` the kept rows' values, one array per output.
    """
    chunks = _chunks(n)
    if keep is None:
        keep = lambda chunk: slice(None)  # noqa: E731 - every row
        sizes = [chunk.stop - chunk.start for chunk in chunks]
    else:
        sizes = [int(np.count_nonzero(keep(chunk))) for chunk in chunks]
    outputs = tuple(np.empty(sum(sizes), dtype=dtype) for dtype in dtypes)
    position = 0
    for chunk, size in zip(chunks, sizes, strict=True):
        for output, piece in zip(outputs, pieces(chunk, keep(chunk)), strict=True):
            output[position : position + size] = piece
        position += size
    return outputs


def _key_dtype(bits: int) -> type:
    """uint32 when the packed key fits (its sort is twice as fast), else int64."""
    return np.uint32 if bits <= 32 else np.int64


def _count_distinct_sorted(keys: np.ndarray, shift: int, n_groups: int) -> np.ndarray:
    """Per group (``key >> shift``), how many distinct keys a sorted key array holds."""
    counts = np.zeros(n_groups, dtype=np.int64)
    previous = None
    for chunk in _chunks(keys.size):
        part = keys[chunk]
        new = np.empty(part.size, dtype=bool)
        new[0] = previous is None or part[0] != previous
        np.not_equal(part[1:], part[:-1], out=new[1:])
        counts += np.bincount(part[new] >> shift, minlength=n_groups)[:n_groups]
        previous = part[-1]
    return counts


@dataclass(frozen=True, slots=True)
class _Runs:
    """Non-negative values sorted within groups ("runs"), for exact statistics of groups and of
    unions of groups (a step's waits are the union of its incoming transitions' runs)."""

    keys: np.ndarray  # (n,) int64, sorted: run << value_bits | value (or the value's rank)
    value_bits: int
    offsets: np.ndarray  # (runs + 1,) int64, where each run starts in keys
    sums: np.ndarray  # (runs,) float64, sum of the values (ticks)
    ranks: np.ndarray | None  # distinct values when keys hold ranks (values too wide to pack)

    def values_at(self, positions: np.ndarray) -> np.ndarray:
        values = self.keys[positions] & ((1 << self.value_bits) - 1)
        return values if self.ranks is None else self.ranks[values]


def _sort_runs(
    groups: np.ndarray | Callable[[slice], np.ndarray],
    values: np.ndarray,
    n_runs: int,
) -> _Runs:
    """Sort ``values`` (non-negative int64) within groups (0 <= group < n_runs).

    ``groups`` is an array of group ids, or a function giving the int64 ids of a chunk (so a
    computed grouping never exists as one long array).
    """
    group_of = groups if callable(groups) else (lambda chunk: groups[chunk])
    n = values.size
    counts = np.zeros(n_runs, dtype=np.int64)
    sums = np.zeros(n_runs)
    for chunk in _chunks(n):
        ids = group_of(chunk)
        counts += np.bincount(ids, minlength=n_runs)[:n_runs]
        sums += np.bincount(ids, weights=values[chunk], minlength=n_runs)[:n_runs]
    offsets = np.zeros(n_runs + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    if n == 0:
        return _Runs(values.astype(np.int64), 1, offsets, sums, None)
    ranks = None
    value_bits, group_bits = _bits(int(values.max())), _bits(n_runs - 1)
    if value_bits + group_bits > 63:
        ranks, values = np.unique(values, return_inverse=True)
        value_bits = _bits(ranks.size - 1)
    keys = np.empty(n, dtype=np.int64)
    for chunk in _chunks(n):
        np.left_shift(group_of(chunk).astype(np.int64, copy=False), value_bits, out=keys[chunk])
        keys[chunk] |= values[chunk]
    keys.sort()
    return _Runs(keys, value_bits, offsets, sums, ranks)


def _run_stats(
    runs: _Runs,
    membership: np.ndarray | None,
    n_out: int,
    per_second: float,
    *,
    with_std: bool = False,
) -> dict[str, np.ndarray]:
    """Count, mean, median, p90, min, max, sum (and sample std) per output group, in seconds.

    Output group ``membership[run]`` is the union of its runs (None: one group per run;
    −1: the run belongs to none). Empty groups get NaN (count 0, sum 0).
    """
    n_runs = runs.offsets.size - 1
    if membership is None:
        membership = np.arange(n_runs)
    run_counts = np.diff(runs.offsets)
    use = np.flatnonzero((membership >= 0) & (run_counts > 0))
    owner = membership[use]
    count = np.bincount(owner, weights=run_counts[use], minlength=n_out).astype(np.int64)
    total = np.bincount(owner, weights=runs.sums[use], minlength=n_out)
    present = count > 0
    out: dict[str, np.ndarray] = {"count": count, "sum_s": total / per_second}
    low = np.full(n_out, np.iinfo(np.int64).max)
    high = np.full(n_out, -1, dtype=np.int64)
    firsts = runs.keys[runs.offsets[use]] & ((1 << runs.value_bits) - 1)
    lasts = runs.keys[runs.offsets[use + 1] - 1] & ((1 << runs.value_bits) - 1)
    np.minimum.at(low, owner, firsts)
    np.maximum.at(high, owner, lasts)
    nan = np.full(n_out, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_s"] = np.where(present, total / count, np.nan) / per_second
    for name, raw in (("min_s", low), ("max_s", high)):
        column = nan.copy()
        column[present] = _plain(runs, raw[present]) / per_second
        out[name] = column
    medians = None
    for name, q in (("median_s", 0.5), ("p90_s", 0.9)):
        position = np.where(present, (count - 1) * q, 0.0)
        below = np.floor(position).astype(np.int64)
        above = np.minimum(below + 1, np.maximum(count - 1, 0))
        a = _plain(runs, _kth(runs, use, owner, n_out, below, low, high))
        b = _plain(runs, _kth(runs, use, owner, n_out, above, low, high))
        column = nan.copy()
        column[present] = (a + (b - a) * (position - below))[present] / per_second
        out[name] = column
        if medians is None:
            medians = a  # the lower median: an exact tick value to centre the deviations on
    if with_std:
        out["std_s"] = _std(runs, use, owner, n_out, count, medians) / per_second
    return out


def _plain(runs: _Runs, raw: np.ndarray) -> np.ndarray:
    raw = np.asarray(raw, dtype=np.int64)
    return raw if runs.ranks is None else runs.ranks[np.clip(raw, 0, runs.ranks.size - 1)]


def _kth(
    runs: _Runs,
    use: np.ndarray,
    owner: np.ndarray,
    n_out: int,
    k: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> np.ndarray:
    """The k-th smallest (0-based) raw value of each output group: a binary search on the value,
    counting with one searchsorted over all of a group's runs per step (a few dozen steps)."""
    lo = np.where(high >= 0, low, 0)
    hi = np.where(high >= 0, high, 0)
    base = use.astype(np.int64) << runs.value_bits
    starts = runs.offsets[use]
    while (lo < hi).any():
        mid = (lo + hi) >> 1
        below = np.searchsorted(runs.keys, base | mid[owner], side="right") - starts
        counted = np.bincount(owner, weights=below, minlength=n_out)
        left = counted >= k + 1
        hi = np.where(left, mid, hi)
        lo = np.where(left, lo, mid + 1)
    return lo


def _std(
    runs: _Runs,
    use: np.ndarray,
    owner: np.ndarray,
    n_out: int,
    count: np.ndarray,
    centre: np.ndarray,
) -> np.ndarray:
    """Sample standard deviation per output group (ticks), from deviations to the median
    (|mean - median| <= std, so the sums of squares cannot cancel badly)."""
    std = np.full(n_out, np.nan)
    if not (count > 1).any():
        return std
    n_runs = runs.offsets.size - 1
    shift = np.zeros(n_runs, dtype=np.int64)
    shift[use] = centre[owner]
    first = np.zeros(n_runs)
    second = np.zeros(n_runs)
    mask = (1 << runs.value_bits) - 1
    for chunk in _chunks(runs.keys.size):
        values = runs.keys[chunk] & mask
        if runs.ranks is not None:
            values = runs.ranks[values]
        run = np.searchsorted(runs.offsets, np.arange(chunk.start, chunk.stop), side="right")
        run -= 1
        values -= shift[run]
        deviation = values.astype(np.float64)
        first += np.bincount(run, weights=deviation, minlength=n_runs)
        deviation *= deviation
        second += np.bincount(run, weights=deviation, minlength=n_runs)
    s1 = np.bincount(owner, weights=first[use], minlength=n_out)
    s2 = np.bincount(owner, weights=second[use], minlength=n_out)
    several = count > 1
    variance = (s2[several] - s1[several] * s1[several] / count[several]) / (count[several] - 1)
    std[several] = np.sqrt(np.maximum(variance, 0.0))
    return std


def _grouped_stats(
    groups: np.ndarray, values: np.ndarray, n_groups: int, per_second: float
) -> dict[str, np.ndarray]:
    return _run_stats(_sort_runs(groups, values, n_groups), None, n_groups, per_second)


def _number(value: Any) -> Any:
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    return value


def _labels(codes: np.ndarray, labels: tuple[str | None, ...]) -> pl.Series:
    """Decode integer ids (negative = unknown -> null)."""
    lookup = pl.Series(labels, dtype=pl.String)
    index = pl.Series(np.asarray(codes, dtype=np.int64))
    if not index.len():
        return pl.Series([], dtype=pl.String)
    if index.min() < 0:
        index = pl.select(pl.when(index >= 0).then(index)).to_series()
    return lookup.gather(index)


def _group_sums(key: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, ...]:
    """Distinct keys with their counts and weight sums (dense bincount when the keys allow)."""
    if key.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    if int(key.max()) < _DENSE_KEYS:
        counts = np.bincount(key)
        codes = np.flatnonzero(counts)
        return codes, counts[codes], np.bincount(key, weights=weights)[codes]
    codes, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return codes, counts, np.bincount(inverse, weights=weights, minlength=codes.size)


# Arrays shared by the measures of one log


class _Work:
    """The arrays several measures share, each computed once on first use.

    Pair arrays have one entry per pair of adjacent rows (``events - 1``): pair ``i`` is row
    ``i`` followed by row ``i + 1``, a directly-follows pair when both are in the same case
    (``valid``). Slices of the sorted log serve as the pairs' sources and targets without a
    copy; pairs across a case boundary get wait 0 and the extra edge id ``n_edges``.
    """

    def __init__(self, log: EncodedLog) -> None:
        self.log = log
        self.size = len(log.step_labels)
        self.n_edges = self.size * self.size
        self.per_second = log.ticks_per_second

    @cached_property
    def processing(self) -> np.ndarray:
        return self.log.complete - self.log.start

    @cached_property
    def valid(self) -> np.ndarray:
        """(events - 1,) bool: the pair's two rows are in the same case."""
        return self.log.case[1:] == self.log.case[:-1]

    @cached_property
    def wait(self) -> np.ndarray:
        """(events - 1,) int64 ticks: the target's start minus the source's completion, clipped
        at 0 (overlaps); 0 across case boundaries."""
        wait = self.log.start[1:] - self.log.complete[:-1]
        self.__dict__["overlap"] = (wait < 0) & self.valid
        np.maximum(wait, 0, out=wait)
        wait *= self.valid
        return wait

    @cached_property
    def overlap(self) -> np.ndarray:
        """(events - 1,) bool: the unclipped wait was negative (parallel work)."""
        self.wait  # noqa: B018 - computes both
        return self.__dict__["overlap"]

    @cached_property
    def edge(self) -> np.ndarray:
        """(events - 1,) int64: source * steps + target, ``n_edges`` across case boundaries."""
        edge = self.log.step[:-1].astype(np.int64)
        edge *= self.size
        edge += self.log.step[1:]
        np.copyto(edge, self.n_edges, where=~self.valid)
        return edge

    @cached_property
    def handed(self) -> np.ndarray:
        """(events - 1,) bool: the pair's two events were done by two different known people."""
        before, after = self.log.resource[:-1], self.log.resource[1:]
        handed = before != after
        handed &= before >= 0
        handed &= after >= 0
        handed &= self.valid
        return handed

    @cached_property
    def wait_runs(self) -> _Runs:
        """Waits sorted within (transition, handed over): run = edge * 2 + handed; the last two
        runs hold the pairs across case boundaries."""

        def run_of(chunk: slice) -> np.ndarray:
            run = self.edge[chunk] * 2
            run += self.handed[chunk]
            return run

        return _sort_runs(run_of, self.wait, 2 * self.n_edges + 2)

    @cached_property
    def people_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Handed-over pairs grouped by (edge, from, to): codes, counts, wait sums (ticks).

        code = (edge * people + from) * people + to.
        """
        people = len(self.log.resource_labels)
        resource, after = self.log.resource[:-1], self.log.resource[1:]

        def piece(chunk: slice, handed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            key = self.edge[chunk][handed]
            key *= people
            key += resource[chunk][handed]
            key *= people
            key += after[chunk][handed]
            return key, self.wait[chunk][handed]

        slots = self.n_edges * people * people
        if slots <= _DENSE_KEYS:
            counts, sums = np.zeros(slots, dtype=np.int64), np.zeros(slots)
            for chunk in _chunks(self.edge.size):
                key, wait = piece(chunk, self.handed[chunk])
                counts += np.bincount(key, minlength=slots)
                sums += np.bincount(key, weights=wait, minlength=slots)
            codes = np.flatnonzero(counts)
            return codes, counts[codes], sums[codes]
        key, wait = _compress_into(
            self.edge.size, lambda chunk: self.handed[chunk], piece, (np.int64, np.float64)
        )
        return _group_sums(key, wait)

    def edge_membership(self) -> np.ndarray:
        """Run -> transition (edge), −1 for the case-boundary runs."""
        membership = np.arange(2 * self.n_edges + 2) // 2
        membership[-2:] = -1
        return membership

    @cached_property
    def spans(self) -> tuple[np.ndarray, np.ndarray]:
        """(first start, last completion) ticks per case."""
        log = self.log
        if log.cases == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        firsts = log.bounds[:-1]
        # the first row has the earliest start (sorted); completions need a maximum
        return log.start[firsts], np.maximum.reduceat(log.complete, firsts)

    @cached_property
    def durations(self) -> np.ndarray:
        first, last = self.spans
        return last - first

    @cached_property
    def repeats(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the 2nd and later occurrences of a step in its case, and of the 2nd only."""
        log = self.log
        if log.events == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        step_bits, row_bits = _bits(self.size - 1), _bits(log.events - 1)
        if _bits(log.cases - 1) + step_bits + row_bits > 63:  # pragma: no cover - huge logs
            rows = np.arange(log.events, dtype=np.int64)
            ordered = np.lexsort((rows, log.step, log.case))
            group = log.case[ordered] * self.size + log.step[ordered]
            repeat = np.zeros(log.events, dtype=bool)
            np.equal(group[1:], group[:-1], out=repeat[1:])
            second = repeat.copy()
            second[1:] &= ~repeat[:-1]
            return ordered[repeat], ordered[second]

        def piece(chunk: slice, _every: slice) -> tuple[np.ndarray]:
            key = log.case[chunk] << step_bits
            key |= log.step[chunk]
            key <<= row_bits
            key |= np.arange(chunk.start, chunk.stop)
            return (key,)

        (keys,) = _compress_into(log.events, None, piece, (np.int64,))
        keys.sort()  # by case, step, then row: a step's occurrences in time order
        mask = (1 << row_bits) - 1
        repeats, seconds = [], []
        previous, previous_repeat = -1, False
        for chunk in _chunks(keys.size):
            group = keys[chunk] >> row_bits
            repeat = np.empty(group.size, dtype=bool)
            repeat[0] = group[0] == previous
            np.equal(group[1:], group[:-1], out=repeat[1:])
            second = repeat.copy()
            second[0] &= not previous_repeat
            second[1:] &= ~repeat[:-1]
            rows = keys[chunk] & mask
            repeats.append(rows[repeat])
            seconds.append(rows[second])
            previous, previous_repeat = group[-1], bool(repeat[-1])
        return np.concatenate(repeats), np.concatenate(seconds)


def _edge_labels(work: _Work, edges: np.ndarray) -> dict[str, pl.Series]:
    size = max(work.size, 1)
    return {
        "source": _labels(edges // size, work.log.step_labels),
        "target": _labels(edges % size, work.log.step_labels),
    }


# Measures pm4py also computes


def performance_dfg(log: EncodedLog) -> pl.DataFrame:
    """Return the performance directly-follows graph: one row per (source, target) pair.

    Columns: ``source``, ``target``, ``count`` (directly-follows frequency), ``overlaps``,
    ``handovers`` (pairs done by two different known people) and the wait (target start minus
    source completion, clipped at 0): ``mean_s``, ``median_s``, ``p90_s``, ``min_s``,
    ``max_s``, ``sum_s``, ``std_s`` (sample standard deviation, null for one pair).
    """
    return _performance_dfg(_Work(log))


def _performance_dfg(work: _Work) -> pl.DataFrame:
    n_edges = work.n_edges
    runs = work.wait_runs
    stats = _run_stats(runs, work.edge_membership(), n_edges, work.per_second, with_std=True)
    handovers = np.diff(runs.offsets)[1:-2:2]
    overlaps = np.bincount(work.edge[work.overlap], minlength=n_edges + 1)
    keep = np.flatnonzero(stats["count"] > 0)
    columns = _edge_labels(work, keep) | {
        "count": stats["count"][keep],
        "overlaps": overlaps[keep],
        "handovers": handovers[keep],
    }
    columns |= {name: stats[name][keep] for name in (*_STATS, "std_s")}
    return pl.DataFrame(columns).with_columns(pl.col("std_s").fill_nan(None))


def service_times(log: EncodedLog) -> pl.DataFrame:
    """Return the processing time (complete - start) per step.

    Columns: ``step``, ``count`` (events), ``instantaneous`` (events without duration),
    ``mean_s``, ``median_s``, ``p90_s``, ``min_s``, ``max_s``, ``sum_s``.
    """
    return _service_times(_Work(log))


def _service_times(work: _Work) -> pl.DataFrame:
    log = work.log
    stats = _grouped_stats(log.step, work.processing, work.size, work.per_second)
    instantaneous = np.bincount(log.step[work.processing == 0], minlength=work.size)
    keep = np.flatnonzero(stats["count"] > 0)
    columns = {
        "step": _labels(keep, log.step_labels),
        "count": stats["count"][keep],
        "instantaneous": instantaneous[keep],
    }
    return pl.DataFrame(columns | {name: stats[name][keep] for name in _STATS})


@dataclass(frozen=True, slots=True)
class CaseDurations:
    """Per-case cycle time (first start to last completion) and its distribution."""

    per_case: pl.DataFrame  # case, events, first_start, last_complete, duration_s
    count: int
    mean_s: float | None
    median_s: float | None
    p90_s: float | None
    min_s: float | None
    max_s: float | None
    histogram: pl.DataFrame  # lower_s, upper_s (null = and above), cases

    def as_dict(self, *, slowest: int = _SLOWEST_CASES) -> dict[str, Any]:
        """The distribution and the ``slowest`` cases (not every case) as plain data."""
        return {
            "count": self.count,
            "mean_s": self.mean_s,
            "median_s": self.median_s,
            "p90_s": self.p90_s,
            "min_s": self.min_s,
            "max_s": self.max_s,
            "histogram": _records(self.histogram),
            "slowest": _records(
                self.per_case.sort(["duration_s", "case"], descending=[True, False]).head(slowest)
            ),
        }


def case_durations(log: EncodedLog) -> CaseDurations:
    """Return each case's duration (last completion minus first start) and the distribution."""
    return _case_durations(_Work(log))


def _case_durations(work: _Work) -> CaseDurations:
    log = work.log
    first, last = work.spans
    duration = work.durations
    stats = _grouped_stats(np.zeros(duration.size, np.int64), duration, 1, work.per_second)
    seconds = duration / work.per_second
    per_case = pl.DataFrame(
        {
            "case": log.case_labels,
            "events": np.diff(log.bounds),
            "first_start": log.datetimes(first),
            "last_complete": log.datetimes(last),
            "duration_s": seconds,
        }
    )
    return CaseDurations(
        per_case=per_case,
        count=log.cases,
        mean_s=_number(stats["mean_s"][0]),
        median_s=_number(stats["median_s"][0]),
        p90_s=_number(stats["p90_s"][0]),
        min_s=_number(stats["min_s"][0]),
        max_s=_number(stats["max_s"][0]),
        histogram=_histogram(seconds, stats["p90_s"][0]),
    )


def _histogram(seconds: np.ndarray, p90: float) -> pl.DataFrame:
    """Equal-width bins from 0 to twice the p90, the last bin open-ended."""
    if seconds.size == 0:
        return pl.DataFrame(
            schema={"lower_s": pl.Float64, "upper_s": pl.Float64, "cases": pl.Int64}
        )
    top = 2 * p90 if p90 > 0 else float(seconds.max()) or 1.0
    width = top / (_HISTOGRAM_BINS - 1)
    index = np.minimum((seconds // width).astype(np.int64), _HISTOGRAM_BINS - 1)
    counts = np.bincount(index, minlength=_HISTOGRAM_BINS)
    lower = np.arange(_HISTOGRAM_BINS) * width
    return pl.DataFrame(
        {"lower_s": lower, "upper_s": [*lower[1:].tolist(), None], "cases": counts},
        schema={"lower_s": pl.Float64, "upper_s": pl.Float64, "cases": pl.Int64},
    )


def rework(log: EncodedLog) -> pl.DataFrame:
    """Return the steps repeated within a case.

    Columns: ``step``, ``cases`` (cases where the step occurs more than once, pm4py's rework
    count), ``extra_occurrences`` (occurrences after the first), ``cases_with_step``,
    ``share_of_cases`` (cases / cases_with_step) and ``extra_processing_s`` (the rework cost:
    processing time of the extra occurrences).
    """
    return _rework(_Work(log))


def _rework(work: _Work) -> pl.DataFrame:
    log, size = work.log, work.size
    repeats, seconds = work.repeats
    repeat_steps = log.step[repeats]
    cases = np.bincount(log.step[seconds], minlength=size)
    extra = np.bincount(repeat_steps, minlength=size)
    cost = np.bincount(
        repeat_steps, weights=work.processing[repeats] / work.per_second, minlength=size
    )
    with_step = np.bincount(log.step, minlength=size) - extra
    keep = np.flatnonzero(cases > 0)
    return pl.DataFrame(
        {
            "step": _labels(keep, log.step_labels),
            "cases": cases[keep],
            "extra_occurrences": extra[keep],
            "cases_with_step": with_step[keep],
            "share_of_cases": cases[keep] / np.maximum(with_step[keep], 1),
            "extra_processing_s": cost[keep],
        }
    )


def rework_loops(log: EncodedLog) -> pl.DataFrame:
    """Return the transitions that led back into a step already done in the case.

    Columns: ``source`` (the step just before the repeat), ``target`` (the repeated step),
    ``count``.
    """
    return _rework_loops(_Work(log))


def _rework_loops(work: _Work) -> pl.DataFrame:
    log = work.log
    rows = work.repeats[0]
    # a repeat is never the first event of its case, so row - 1 is in the same case
    edge = log.step[rows - 1].astype(np.int64) * work.size + log.step[rows]
    counts = np.bincount(edge, minlength=work.n_edges)
    keep = np.flatnonzero(counts > 0)
    frame = pl.DataFrame(_edge_labels(work, keep) | {"count": counts[keep]})
    return frame.sort(["count", "source", "target"], descending=[True, False, False])


def handovers(log: EncodedLog) -> pl.DataFrame:
    """Return the handover of work between people: directly-follows pairs of different people.

    Columns: ``source_resource``, ``target_resource``, ``count``, ``sum_wait_s``,
    ``mean_wait_s``. Pairs where either side is unknown or the same person continued are left
    out (pm4py's handover network counts the same person too and normalises by all pairs).
    """
    return _handovers(_Work(log))


def _handovers(work: _Work) -> pl.DataFrame:
    log = work.log
    size = len(log.resource_labels)
    codes, counts, sums = work.people_pairs
    # (edge, from, to) -> (from, to)
    codes, counts, sums = _regroup(codes % max(size * size, 1), counts, sums)
    sums = sums / work.per_second
    frame = pl.DataFrame(
        {
            "source_resource": _labels(codes // max(size, 1), log.resource_labels),
            "target_resource": _labels(codes % max(size, 1), log.resource_labels),
            "count": counts,
            "sum_wait_s": sums,
            "mean_wait_s": sums / np.maximum(counts, 1),
        },
        schema_overrides={"count": pl.Int64, "sum_wait_s": pl.Float64, "mean_wait_s": pl.Float64},
    )
    return frame.sort(
        ["count", "source_resource", "target_resource"], descending=[True, False, False]
    )


def variants(log: EncodedLog, top: int | None = 10) -> pl.DataFrame:
    """Return the most frequent paths (sequences of steps) with their cases and durations.

    Columns: ``path`` (list of steps), ``count`` (cases), ``share`` (of all cases),
    ``median_duration_s``, ``mean_duration_s``. Sorted by count (then path); ``top=None``
    returns every variant.
    """
    return _variants(_Work(log), top)


def _variant_ids(log: EncodedLog) -> tuple[np.ndarray, np.ndarray]:
    """Variant id per case and a representative case per variant (exact: hashes verified)."""
    if log.cases == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    firsts = log.bounds[:-1]
    lengths = np.diff(log.bounds)
    key = np.empty(log.cases, dtype=np.uint64)
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(int(lengths.max()), _VARIANT_PRIME, dtype=np.uint64))
        # a 64-bit polynomial hash of the path plus its length, verified exactly below; in
        # chunks of whole cases
        for cases in _chunks(log.cases):
            rows = slice(int(log.bounds[cases.start]), int(log.bounds[cases.stop]))
            position = np.arange(rows.start, rows.stop) - log.bounds[log.case[rows]]
            term = log.step[rows].astype(np.uint64)
            term += np.uint64(1)
            term *= powers[position]
            key[cases] = np.add.reduceat(term, firsts[cases] - rows.start)
        key += lengths.astype(np.uint64) * _LENGTH_PRIME
    _unique, representative, variant = np.unique(key, return_index=True, return_inverse=True)
    variant = variant.reshape(-1)
    rep_case = representative[variant]
    exact = np.array_equal(lengths, lengths[rep_case])
    for chunk in _chunks(log.events) if exact else ():
        case = log.case[chunk]
        twin = np.arange(chunk.start, chunk.stop) - log.bounds[case]
        twin += log.bounds[rep_case[case]]
        if not np.array_equal(log.step[chunk], log.step[twin]):
            exact = False
            break
    if not exact:  # pragma: no cover - needs a 64-bit hash collision
        paths = pl.DataFrame({"c": log.case, "s": log.step}).group_by("c", maintain_order=True)
        lists = paths.agg(pl.col("s"))["s"]
        variant = lists.rank("dense").to_numpy().astype(np.int64) - 1
        representative = np.unique(variant, return_index=True)[1]
    return variant, representative


def _variants(work: _Work, top: int | None) -> pl.DataFrame:
    log = work.log
    variant, representative = _variant_ids(log)
    stats = _grouped_stats(variant, work.durations, representative.size, work.per_second)
    paths = [
        [log.step_labels[s] for s in log.step[log.bounds[c] : log.bounds[c + 1]]]
        for c in representative
    ]
    frame = pl.DataFrame(
        {
            "path": pl.Series(paths, dtype=pl.List(pl.String)),
            "count": stats["count"],
            "share": stats["count"] / max(log.cases, 1),
            "median_duration_s": stats["median_s"],
            "mean_duration_s": stats["mean_s"],
        },
        schema_overrides={"count": pl.Int64, "share": pl.Float64},
    )
    frame = frame.sort(["count", "path"], descending=[True, False])
    return frame if top is None else frame.head(top)


# Measures of our own


def _period_bounds(log: EncodedLog, low: int, high: int, every: str) -> np.ndarray:
    """Tick boundaries of the calendar periods covering [low, high] in the log's zone."""
    ends = log.datetimes(np.array([low, high])).dt.truncate(every)
    starts = pl.datetime_range(
        ends[0], ends[1], every, time_unit=log.time_unit, time_zone=log.time_zone, eager=True
    )
    after = starts.tail(1).dt.offset_by(every)
    return pl.concat([starts, after]).to_physical().to_numpy().astype(np.int64)


def throughput(log: EncodedLog, every: str = "1d") -> pl.DataFrame:
    """Return the cases started and completed per calendar period (``"1d"``, ``"1w"``, ...).

    Columns: ``period`` (start of the period, in the log's zone), ``cases_started``,
    ``cases_completed``, ``median_duration_s`` (of the cases completed in the period). Every
    period from the first start to the last completion is listed, empty ones with 0.
    """
    return _throughput(_Work(log), every)


def _throughput(work: _Work, every: str) -> pl.DataFrame:
    log = work.log
    if log.cases == 0:
        return pl.DataFrame(
            schema={
                "period": pl.Datetime(log.time_unit, log.time_zone),
                "cases_started": pl.Int64,
                "cases_completed": pl.Int64,
                "median_duration_s": pl.Float64,
            }
        )
    first, last = work.spans
    edges = _period_bounds(log, int(first.min()), int(last.max()), every)
    periods = edges.size - 1
    started = np.bincount(np.searchsorted(edges, first, side="right") - 1, minlength=periods)
    done = np.searchsorted(edges, last, side="right") - 1
    stats = _grouped_stats(done, work.durations, periods, work.per_second)
    return pl.DataFrame(
        {
            "period": log.datetimes(edges[:-1]),
            "cases_started": started[:periods],
            "cases_completed": stats["count"],
            "median_duration_s": stats["median_s"],
        }
    ).with_columns(pl.col("median_duration_s").fill_nan(None))


def waiting_times(log: EncodedLog) -> pl.DataFrame:
    """Return the wait before each step (over all transitions into it).

    Columns: ``step``, ``count`` (waits: events that are not the first of their case),
    ``overlaps``, ``mean_s``, ``median_s``, ``p90_s``, ``min_s``, ``max_s``, ``sum_s``.
    """
    return _waiting_times(_Work(log))


def _waiting_times(work: _Work) -> pl.DataFrame:
    size = work.size
    membership = work.edge_membership()
    membership[:-2] %= max(size, 1)
    stats = _run_stats(work.wait_runs, membership, size, work.per_second)
    overlaps = np.bincount(work.log.step[1:][work.overlap], minlength=size)
    keep = np.flatnonzero(stats["count"] > 0)
    columns = {
        "step": _labels(keep, work.log.step_labels),
        "count": stats["count"][keep],
        "overlaps": overlaps[keep],
    }
    return pl.DataFrame(columns | {name: stats[name][keep] for name in _STATS})


def person_load(log: EncodedLog) -> pl.DataFrame:
    """Return each known person's load over the window of the log.

    Columns: ``resource``, ``events``, ``cases`` (distinct), ``busy_s`` (sum of processing
    times), ``avg_wip`` (busy seconds / window seconds: the time-weighted mean number of their
    events in progress), ``max_wip`` (most events in progress at one instant; intervals are
    half-open, so back-to-back work counts 1).
    """
    return _person_load(_Work(log))


def _person_load(work: _Work) -> pl.DataFrame:
    log = work.log
    size = len(log.resource_labels)
    n = log.events
    events = np.zeros(size, dtype=np.int64)
    busy = np.zeros(size)
    for chunk in _chunks(n):
        resource = log.resource[chunk]
        known = resource >= 0
        events += np.bincount(resource[known], minlength=size)[:size]
        busy += np.bincount(resource[known], weights=work.processing[chunk][known], minlength=size)[
            :size
        ]
    busy /= work.per_second
    case_bits = _bits(log.cases - 1)

    def known(chunk: slice) -> np.ndarray:
        return log.resource[chunk] >= 0

    def person_case(chunk: slice, keep: np.ndarray) -> tuple[np.ndarray]:
        key = log.resource[chunk][keep] << case_bits
        key |= log.case[chunk][keep]
        return (key,)

    key_type = _key_dtype(_bits(size - 1) + case_bits)
    (keys,) = _compress_into(n, known, person_case, (key_type,))
    keys.sort()
    cases = _count_distinct_sorted(keys, case_bits, size)
    del keys
    window = (int(log.complete.max()) - int(log.start.min())) / work.per_second if n else 0
    average = busy / window if window > 0 else np.zeros(size)
    maximum = _max_concurrency(work, size)
    keep = np.flatnonzero(events > 0)
    return pl.DataFrame(
        {
            "resource": _labels(keep, log.resource_labels),
            "events": events[keep],
            "cases": cases[keep],
            "busy_s": busy[keep],
            "avg_wip": average[keep],
            "max_wip": maximum[keep],
        },
        schema_overrides={"events": pl.Int64, "cases": pl.Int64, "max_wip": pl.Int64},
    )


def _max_concurrency(work: _Work, n_groups: int) -> np.ndarray:
    """Most events of each person in progress at one instant ([start, complete) intervals).

    With the starts and the ends each sorted by (person, time), the intervals open just after
    the i-th start are i + 1 minus the ends at or before it (earlier people cancel out).
    """
    log = work.log
    result = np.zeros(n_groups, dtype=np.int64)
    lasting = (log.resource >= 0) & (work.processing > 0)
    if not lasting.any():
        return result
    origin = int(log.start.min())
    time_bits = _bits(int(log.complete.max()) - origin)
    if _bits(n_groups - 1) + time_bits > 63:  # pragma: no cover - centuries in nanoseconds
        group, start = log.resource[lasting], log.start[lasting]
        times = np.concatenate((start, log.complete[lasting]))
        opens = np.concatenate((np.ones(start.size, np.int64), np.zeros(start.size, np.int64)))
        owners = np.concatenate((group, group))
        order = np.lexsort((opens, times, owners))
        running = np.cumsum(opens[order] * 2 - 1)  # each person's +1/-1 sum to 0
        owner = owners[order]
        firsts = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
        result[owner[firsts]] = np.maximum.reduceat(running, firsts)
        return result

    def piece(chunk: slice, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        person = log.resource[chunk][keep] << time_bits
        starts = log.start[chunk][keep] - origin
        starts += person
        ends = log.complete[chunk][keep] - origin
        ends += person
        return starts, ends

    starts, ends = _compress_into(
        log.events, lambda chunk: lasting[chunk], piece, (np.int64, np.int64)
    )
    starts.sort()
    ends.sort()
    for chunk in _chunks(starts.size):
        open_now = np.searchsorted(ends, starts[chunk], side="right")
        np.negative(open_now, out=open_now)
        open_now += np.arange(chunk.start + 1, chunk.stop + 1)
        person = starts[chunk] >> time_bits
        firsts = np.flatnonzero(np.concatenate(([True], person[1:] != person[:-1])))
        np.maximum.at(result, person[firsts], np.maximum.reduceat(open_now, firsts))
    return result


def wip_over_time(log: EncodedLog, every: str = "1d") -> pl.DataFrame:
    """Return the cases in progress per calendar period.

    Columns: ``period``, ``open_at_start`` (cases whose first start is before and last
    completion after the period start), ``avg_open`` (time-weighted mean over the period),
    ``started``, ``completed``.
    """
    return _wip_over_time(_Work(log), every)


def _wip_over_time(work: _Work, every: str) -> pl.DataFrame:
    log = work.log
    if log.cases == 0:
        return pl.DataFrame(
            schema={
                "period": pl.Datetime(log.time_unit, log.time_zone),
                "open_at_start": pl.Int64,
                "avg_open": pl.Float64,
                "started": pl.Int64,
                "completed": pl.Int64,
            }
        )
    first, last = work.spans
    edges = _period_bounds(log, int(first.min()), int(last.max()), every)
    origin = int(edges[0])
    starts = np.sort((first - origin) / work.per_second)
    ends = np.sort((last - origin) / work.per_second)
    points = (edges - origin) / work.per_second
    open_at = np.searchsorted(starts, points, side="right") - np.searchsorted(
        ends, points, side="right"
    )
    # integral of the open-case count up to each boundary: the sum over cases of the overlap
    start_sums = np.concatenate(([0.0], np.cumsum(starts)))
    end_sums = np.concatenate(([0.0], np.cumsum(ends)))
    begun = np.searchsorted(starts, points, side="left")
    ended = np.searchsorted(ends, points, side="left")
    area = (points * begun - start_sums[begun]) - (points * ended - end_sums[ended])
    return pl.DataFrame(
        {
            "period": log.datetimes(edges[:-1]),
            "open_at_start": open_at[:-1],
            "avg_open": np.diff(area) / np.diff(points),
            "started": np.diff(begun),
            "completed": np.diff(ended),
        }
    )


def cases_for_edge(log: EncodedLog, source: str, target: str, limit: int = 100) -> pl.DataFrame:
    """Return the cases behind a directly-follows edge, longest wait first (drill-down).

    Columns: ``case``, ``wait_s``, ``source_resource``, ``target_resource``,
    ``source_complete``, ``target_start``. Unknown steps give an empty frame.
    """
    index = {label: i for i, label in enumerate(log.step_labels)}
    work = _Work(log)
    if source in index and target in index:
        rows = np.flatnonzero(work.edge == index[source] * work.size + index[target])
    else:
        rows = np.zeros(0, dtype=np.int64)
    # longest wait first, ties in case order; decode only the rows returned
    wait = work.wait[rows]
    order = np.lexsort((log.case[rows], -wait))[: max(limit, 0)]
    first, wait = rows[order], wait[order]
    return pl.DataFrame(
        {
            "case": log.case_labels.gather(log.case[first]),
            "wait_s": wait / log.ticks_per_second,
            "source_resource": _labels(log.resource[first], log.resource_labels),
            "target_resource": _labels(log.resource[first + 1], log.resource_labels),
            "source_complete": log.datetimes(log.complete[first]),
            "target_start": log.datetimes(log.start[first + 1]),
        }
    )


@dataclass(frozen=True, slots=True)
class SlaBreaches:
    """Targets against what happened: steps (processing), handoffs (wait), cases (duration)."""

    steps: pl.DataFrame  # step, target_s, count, breaches, breach_rate, excess_s
    handoffs: pl.DataFrame  # source, target, target_s, count, breaches, breach_rate, excess_s
    cases: dict[str, Any] | None  # target_s, count, breaches, breach_rate, excess_s


def sla_breaches(
    log: EncodedLog,
    step_targets: Mapping[str, float] | None = None,
    handoff_targets: Mapping[tuple[str, str], float] | None = None,
    *,
    case_target: float | None = None,
) -> SlaBreaches:
    """Return how often each target was missed and by how much in all.

    ``step_targets``: step -> target processing seconds; ``handoff_targets``: (source,
    target) -> target wait seconds; ``case_target``: target case duration in seconds. A value
    above its target is a breach; ``excess_s`` sums the amounts above. Targets of steps absent
    from the log are listed with count 0 (breach_rate null). Negative targets raise
    ``EventLogError``.
    """
    return _sla_breaches(_Work(log), step_targets, handoff_targets, case_target)


def _checked_targets(mapping: Mapping[Any, float] | None, name: str) -> dict[Any, float]:
    checked = {}
    for key, seconds in (mapping or {}).items():
        if seconds is None:
            continue
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise EventLogError(f"{name}[{key!r}] must be a number of seconds", column=name)
        if math.isnan(seconds) or seconds < 0:
            raise EventLogError(f"{name}[{key!r}] must be a non-negative number", column=name)
        checked[key] = float(seconds)
    return checked


def _breach_row(values: np.ndarray, target: float, per_second: float) -> dict[str, Any]:
    ticks = round(target * per_second)
    over = values[values > ticks] - ticks
    return {
        "target_s": target,
        "count": int(values.size),
        "breaches": int(over.size),
        "breach_rate": over.size / values.size if values.size else None,
        "excess_s": float(over.sum() / per_second),
    }


def _sla_breaches(
    work: _Work,
    step_targets: Mapping[str, float] | None,
    handoff_targets: Mapping[tuple[str, str], float] | None,
    case_target: float | None,
) -> SlaBreaches:
    log = work.log
    index = {label: i for i, label in enumerate(log.step_labels)}
    step_rows = []
    for step, seconds in sorted(_checked_targets(step_targets, "step_targets").items()):
        values = work.processing[log.step == index[step]] if step in index else work.wait[:0]
        step_rows.append({"step": step} | _breach_row(values, seconds, work.per_second))
    handoff_rows = []
    for (source, target), seconds in sorted(
        _checked_targets(handoff_targets, "handoff_targets").items()
    ):
        values = work.wait[:0]
        if source in index and target in index:
            values = work.wait[work.edge == index[source] * work.size + index[target]]
        handoff_rows.append(
            {"source": source, "target": target} | _breach_row(values, seconds, work.per_second)
        )
    cases = None
    if case_target is not None:
        checked = _checked_targets({"case": case_target}, "case_target")["case"]
        cases = _breach_row(work.durations, checked, work.per_second)
    numbers = {
        "target_s": pl.Float64,
        "count": pl.Int64,
        "breaches": pl.Int64,
        "breach_rate": pl.Float64,
        "excess_s": pl.Float64,
    }
    return SlaBreaches(
        steps=pl.DataFrame(step_rows, schema={"step": pl.String} | numbers),
        handoffs=pl.DataFrame(
            handoff_rows, schema={"source": pl.String, "target": pl.String} | numbers
        ),
        cases=cases,
    )


# Bottlenecks and the whole analysis


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """One place where cases wait, with the evidence behind its rank.

    ``kind`` is ``"step"`` (the queue before ``step`` when the work did not change hands) or
    ``"handoff"`` (the delay on the transition ``source`` -> ``target`` when it did). ``key``
    names it as ``step:<name>`` or ``handoff:<source>→<target>``.
    """

    rank: int
    kind: str
    key: str
    step: str  # the waiting step (kind "step") or the receiving step (kind "handoff")
    source: str | None  # kind "handoff": the step handing over
    target: str | None  # kind "handoff": the step receiving
    total_wait_s: float  # what it adds across all cases: the waits, or their excess over target
    waits: int  # waits counted here
    cases: int  # cases with a positive contribution
    median_s: float | None  # of the waits themselves
    p90_s: float | None
    mean_s: float | None
    target_s: float | None  # the handoff target (kind "handoff"), when given
    breach_rate: float | None  # of the waits that have a target
    share_of_total: float  # of the summed totals of all bottlenecks
    owner_position: str | None  # who owns the waiting / receiving step (RACI)
    source_owner_position: str | None  # kind "handoff": who owns the handing-over step
    evidence: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        """The bottleneck as plain JSON-serialisable data."""
        return {
            name: (list(getattr(self, name)) if name == "evidence" else getattr(self, name))
            for name in self.__slots__
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """Every measure of one window of one process, and the ranked bottlenecks.

    Frames have decoded labels; durations are seconds. ``as_dict()`` gives plain JSON-able data
    (per-case durations are summarised: distribution, histogram and the slowest cases).
    """

    events: int
    cases: int
    steps: tuple[str, ...]
    resources: int
    first_start: dt.datetime | None
    last_complete: dt.datetime | None
    total_wait_s: float
    overlaps: int
    start_steps: pl.DataFrame  # step, cases
    end_steps: pl.DataFrame  # step, cases
    performance_dfg: pl.DataFrame
    service_times: pl.DataFrame
    waiting_times: pl.DataFrame
    case_durations: CaseDurations
    throughput_daily: pl.DataFrame
    throughput_weekly: pl.DataFrame
    wip_daily: pl.DataFrame
    rework: pl.DataFrame
    rework_loops: pl.DataFrame
    handovers: pl.DataFrame
    handoff_delays: pl.DataFrame  # per transition: delay, share handed over, owners
    handoff_by_position: pl.DataFrame  # top position pairs per transition (handovers only)
    handoff_by_people: pl.DataFrame  # top people pairs per transition (handovers only)
    person_load: pl.DataFrame
    workload_weekly: pl.DataFrame  # resource, period, events, busy_s (by completion week)
    variants: pl.DataFrame
    sla: SlaBreaches
    bottlenecks: tuple[Bottleneck, ...]

    def as_dict(self) -> dict[str, Any]:
        """Everything as JSON-serialisable data (datetimes as ISO 8601 strings, no NaN)."""
        result: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if isinstance(value, pl.DataFrame):
                result[name] = _records(value)
            elif isinstance(value, CaseDurations):
                result[name] = value.as_dict()
            elif isinstance(value, SlaBreaches):
                result[name] = {
                    "steps": _records(value.steps),
                    "handoffs": _records(value.handoffs),
                    "cases": value.cases,
                }
            elif name == "bottlenecks":
                result[name] = [b.as_dict() for b in value]
            elif isinstance(value, dt.datetime):
                result[name] = value.isoformat()
            elif isinstance(value, tuple):
                result[name] = list(value)
            else:
                result[name] = _number(value)
        return result


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    float_columns = [n for n, t in frame.schema.items() if t.is_float()]
    if float_columns:
        frame = frame.with_columns(pl.col(float_columns).fill_nan(None))
    records = frame.to_dicts()
    temporal = [n for n, t in frame.schema.items() if t.is_temporal()]
    for record in records:
        for name in temporal:
            if record[name] is not None:
                record[name] = record[name].isoformat()
    return records


def analyse(
    frame: pl.DataFrame,
    *,
    step_targets: Mapping[str, float] | None = None,
    handoff_targets: Mapping[tuple[str, str], float] | None = None,
    step_owner: Mapping[str, str] | None = None,
    resource_position: Mapping[str, str] | None = None,
    top_variants: int = 10,
    case_target: float | None = None,
) -> Analysis:
    """Analyse one window of an event log: every measure and the ranked bottlenecks.

    ``step_targets`` (step -> processing seconds) and ``handoff_targets`` ((source, target) ->
    wait seconds) are the process definition's targets; ``case_target`` a target cycle time in
    seconds; ``step_owner`` maps a step to its owner position label (from RACI) and
    ``resource_position`` a person to their position label, used to split handoff delays by
    position. The caller filters the window. Raises ``EventLogError`` on malformed input (see
    ``encode``) or a negative target. The measures run on two threads (numpy and polars release
    the GIL); the result does not depend on it.
    """
    step_targets = _checked_targets(step_targets, "step_targets")
    handoff_targets = _checked_targets(handoff_targets, "handoff_targets")
    step_owner = {str(k): str(v) for k, v in (step_owner or {}).items() if v is not None}
    resource_position = {
        str(k): str(v) for k, v in (resource_position or {}).items() if v is not None
    }
    log = encode(frame)
    work = _Work(log)
    tasks: dict[str, Callable[[], Any]] = {
        "waits": lambda: (_performance_dfg(work), _waiting_times(work)),
        "person_load": lambda: _person_load(work),
        "service_times": lambda: _service_times(work),
        "rework": lambda: (_rework(work), _rework_loops(work)),
        "variants": lambda: _variants(work, top_variants),
        "bottleneck_stats": lambda: _bottleneck_stats(work, handoff_targets),
        "handoffs": lambda: (
            _handoff_tables(work, step_owner, resource_position),
            _handovers(work),
            _workload(work, "1w"),
        ),
        "time": lambda: (
            _case_durations(work),
            _throughput(work, "1d"),
            _throughput(work, "1w"),
            _wip_over_time(work, "1d"),
        ),
    }
    # the first task sorts the waits (shared by three tasks) while the second thread starts on
    # the people; a shared array is computed once (cached_property) whichever task needs it first
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        done = {name: future.result() for name, future in futures.items()}
    dfg, waiting = done["waits"]
    delays, handover_table, workload = done["handoffs"]
    durations, daily, weekly, wip = done["time"]
    first, last = work.spans
    return Analysis(
        events=log.events,
        cases=log.cases,
        steps=log.step_labels,
        resources=len(log.resource_labels),
        first_start=log.datetimes(first.min(keepdims=True)).item() if log.cases else None,
        last_complete=log.datetimes(last.max(keepdims=True)).item() if log.cases else None,
        total_wait_s=float(work.wait.sum() / work.per_second),
        overlaps=int(work.overlap.sum()),
        start_steps=_endpoint_steps(log, log.bounds[:-1]),
        end_steps=_endpoint_steps(log, log.bounds[1:] - 1),
        performance_dfg=dfg,
        service_times=done["service_times"],
        waiting_times=waiting,
        case_durations=durations,
        throughput_daily=daily,
        throughput_weekly=weekly,
        wip_daily=wip,
        rework=done["rework"][0],
        rework_loops=done["rework"][1],
        handovers=handover_table,
        handoff_delays=delays["delays"],
        handoff_by_position=delays["positions"],
        handoff_by_people=delays["people"],
        person_load=done["person_load"],
        workload_weekly=workload,
        variants=done["variants"],
        sla=_sla_breaches(work, step_targets, handoff_targets, case_target),
        bottlenecks=_bottlenecks(
            work, done["bottleneck_stats"], handoff_targets, step_owner, delays, resource_position
        ),
    )


def _endpoint_steps(log: EncodedLog, rows: np.ndarray) -> pl.DataFrame:
    size = len(log.step_labels)
    counts = np.bincount(log.step[rows], minlength=size) if rows.size else np.zeros(size, int)
    keep = np.flatnonzero(counts > 0)
    return pl.DataFrame(
        {"step": _labels(keep, log.step_labels), "cases": counts[keep]},
        schema={"step": pl.String, "cases": pl.Int64},
    )


def _workload(work: _Work, every: str) -> pl.DataFrame:
    """Events and busy seconds per person and calendar period of completion (a heatmap)."""
    log = work.log
    known = log.resource >= 0
    schema = {
        "resource": pl.String,
        "period": pl.Datetime(log.time_unit, log.time_zone),
        "events": pl.Int64,
        "busy_s": pl.Float64,
    }
    if not known.any():
        return pl.DataFrame(schema=schema)
    complete = log.complete[known]
    edges = _period_bounds(log, int(complete.min()), int(complete.max()), every)
    del complete
    periods = edges.size - 1
    slots = len(log.resource_labels) * periods

    def known(chunk: slice) -> np.ndarray:
        return log.resource[chunk] >= 0

    def piece(chunk: slice, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        key = np.searchsorted(edges, log.complete[chunk][keep], side="right")
        key -= 1
        key += log.resource[chunk][keep] * periods
        return key, work.processing[chunk][keep]

    if slots <= _DENSE_KEYS:
        counts, sums = np.zeros(slots, dtype=np.int64), np.zeros(slots)
        for chunk in _chunks(log.events):
            key, busy = piece(chunk, known(chunk))
            counts += np.bincount(key, minlength=slots)
            sums += np.bincount(key, weights=busy, minlength=slots)
        codes = np.flatnonzero(counts)
        counts, sums = counts[codes], sums[codes]
    else:
        codes, counts, sums = _group_sums(
            *_compress_into(log.events, known, piece, (np.int64, np.int64))
        )
    return pl.DataFrame(
        {
            "resource": _labels(codes // periods, log.resource_labels),
            "period": log.datetimes(edges[codes % periods]),
            "events": counts,
            "busy_s": sums / work.per_second,
        },
        schema=schema,
    )


def _handoff_tables(
    work: _Work, step_owner: Mapping[str, str], resource_position: Mapping[str, str]
) -> dict[str, pl.DataFrame]:
    """Per transition: the delay, the share handed over, its top position and people pairs."""
    log, size = work.log, work.size
    stats = _run_stats(work.wait_runs, work.edge_membership(), work.n_edges, work.per_second)
    handovers = np.diff(work.wait_runs.offsets)[1:-2:2]
    keep = np.flatnonzero(stats["count"] > 0)
    owners = pl.DataFrame(
        {"step": list(step_owner), "owner": list(step_owner.values())},
        schema={"step": pl.String, "owner": pl.String},
    )
    delays = (
        pl.DataFrame(
            _edge_labels(work, keep)
            | {
                "count": stats["count"][keep],
                "handovers": handovers[keep],
                "handover_share": handovers[keep] / stats["count"][keep],
                "mean_s": stats["mean_s"][keep],
                "median_s": stats["median_s"][keep],
                "p90_s": stats["p90_s"][keep],
                "sum_s": stats["sum_s"][keep],
            }
        )
        .join(owners.rename({"step": "source", "owner": "source_owner"}), on="source", how="left")
        .join(owners.rename({"step": "target", "owner": "target_owner"}), on="target", how="left")
        .sort(["sum_s", "source", "target"], descending=[True, False, False])
    )
    n_people = len(log.resource_labels)
    codes, counts, sums = work.people_pairs
    sums = sums / work.per_second
    people = _top_pairs(
        codes, counts, sums, n_people, size, log.step_labels, log.resource_labels
    ).rename({"from": "source_resource", "to": "target_resource"})
    position_labels = tuple(sorted(set(resource_position.values())))
    index = {label: i for i, label in enumerate(position_labels)}
    slots = len(position_labels) + 1  # the last slot: no position known
    lookup = np.array(
        [index.get(resource_position.get(r), slots - 1) for r in log.resource_labels] or [0],
        dtype=np.int64,
    )
    # (edge, person, person) -> (edge, position, position), on the distinct combinations only
    people_square = max(n_people * n_people, 1)
    key = codes // people_square * slots
    key += lookup[(codes // max(n_people, 1)) % max(n_people, 1)]
    key *= slots
    key += lookup[codes % max(n_people, 1)]
    positions = _top_pairs(
        *_regroup(key, counts, sums),
        slots,
        size,
        log.step_labels,
        (*position_labels, None),
    ).rename({"from": "source_position", "to": "target_position"})
    return {"delays": delays, "people": people, "positions": positions}


def _regroup(
    key: np.ndarray, counts: np.ndarray, sums: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge already-grouped (count, sum) rows that share a new key."""
    if key.size == 0:
        return key, counts, sums
    codes, inverse = np.unique(key, return_inverse=True)
    return (
        codes,
        np.bincount(inverse, weights=counts, minlength=codes.size).astype(np.int64),
        np.bincount(inverse, weights=sums, minlength=codes.size),
    )


def _top_pairs(
    codes: np.ndarray,
    counts: np.ndarray,
    sums: np.ndarray,
    slots: int,
    size: int,
    step_labels: tuple[str, ...],
    side_labels: tuple[str | None, ...],
) -> pl.DataFrame:
    """The ``_TOP_PAIRS`` (from, to) pairs with the most waiting per transition.

    ``codes`` are (edge * slots + from) * slots + to, with their counts and wait sums.
    """
    frame = pl.DataFrame(
        {
            "edge": codes // max(slots * slots, 1),
            "from_id": (codes // max(slots, 1)) % max(slots, 1),
            "to_id": codes % max(slots, 1),
            "count": counts,
            "sum_s": sums,
        },
        schema={
            "edge": pl.Int64,
            "from_id": pl.Int64,
            "to_id": pl.Int64,
            "count": pl.Int64,
            "sum_s": pl.Float64,
        },
    )
    top = (
        frame.sort(["edge", "sum_s", "from_id", "to_id"], descending=[False, True, False, False])
        .group_by("edge", maintain_order=True)
        .head(_TOP_PAIRS)
    )
    edges = top["edge"].to_numpy()
    return pl.DataFrame(
        {
            "source": _labels(edges // max(size, 1), step_labels),
            "target": _labels(edges % max(size, 1), step_labels),
            "from": _labels(top["from_id"].to_numpy(), side_labels),
            "to": _labels(top["to_id"].to_numpy(), side_labels),
            "count": top["count"],
            "sum_s": top["sum_s"],
            "mean_s": top["sum_s"] / top["count"],
        },
        schema_overrides={"count": pl.Int64, "sum_s": pl.Float64, "mean_s": pl.Float64},
    )


@dataclass(frozen=True, slots=True)
class _CandidateStats:
    """Per bottleneck candidate: transitions' handoffs (0..edges-1), then steps' queues."""

    totals: np.ndarray  # seconds added: waits, or excess over the transition's target
    stats: dict[str, np.ndarray]  # of the waits themselves
    affected: np.ndarray  # cases with a positive contribution
    with_target: np.ndarray  # waits that have a target
    breaches: np.ndarray  # waits above their target
    feed: np.ndarray  # (edges,) queue contribution per incoming transition, seconds
    feed_count: np.ndarray  # (edges,) queue waits per incoming transition


def _bottleneck_stats(
    work: _Work, handoff_targets: Mapping[tuple[str, str], float]
) -> _CandidateStats:
    log, size, n_edges = work.log, work.size, work.n_edges
    per_second = work.per_second
    n_candidates = n_edges + size
    runs = work.wait_runs
    # run r = edge * 2 + handed: a handed-over run is its transition's candidate, the others
    # join their target step's queue; the two case-boundary runs belong to none
    run = np.arange(2 * n_edges + 2)
    membership = np.where(run % 2 == 1, run // 2, n_edges + (run // 2) % max(size, 1))
    membership[-2:] = -1
    stats = _run_stats(runs, membership, n_candidates, per_second)
    targets = np.full(n_edges + 1, -1, dtype=np.int64)
    index = {label: i for i, label in enumerate(log.step_labels)}
    for (source, target), seconds in handoff_targets.items():
        if source in index and target in index:
            targets[index[source] * size + index[target]] = round(seconds * per_second)
    # what each run adds: its waits, or their excess over the transition's target
    run_totals = runs.sums.copy()
    run_with_target = np.zeros(run.size, dtype=np.int64)
    run_breaches = np.zeros(run.size, dtype=np.int64)
    for edge in np.flatnonzero(targets >= 0):
        for r in (2 * edge, 2 * edge + 1):
            values = runs.values_at(np.arange(runs.offsets[r], runs.offsets[r + 1]))
            over = values[values > targets[edge]] - targets[edge]
            run_totals[r] = float(over.sum())
            run_with_target[r] = values.size
            run_breaches[r] = over.size
    use = membership >= 0
    totals = np.bincount(membership[use], weights=run_totals[use], minlength=n_candidates)
    with_target = np.bincount(membership[use], weights=run_with_target[use], minlength=n_candidates)
    breaches = np.bincount(membership[use], weights=run_breaches[use], minlength=n_candidates)
    # cases with a positive contribution: distinct (candidate, case) among those waits
    threshold = np.maximum(targets, 0)
    case_bits = _bits(log.cases - 1)

    def positive(chunk: slice) -> np.ndarray:
        return work.wait[chunk] > threshold[work.edge[chunk]]

    def candidate_case(chunk: slice, positive: np.ndarray) -> tuple[np.ndarray]:
        key = work.edge[chunk][positive]
        queued = ~work.handed[chunk][positive]
        key[queued] = n_edges + key[queued] % max(size, 1)
        key <<= case_bits
        key |= log.case[:-1][chunk][positive]
        return (key,)

    key_type = _key_dtype(_bits(n_candidates - 1) + case_bits)
    (keys,) = _compress_into(work.edge.size, positive, candidate_case, (key_type,))
    keys.sort()
    affected = _count_distinct_sorted(keys, case_bits, n_candidates)
    del keys
    queue_runs = 2 * np.arange(n_edges)
    return _CandidateStats(
        totals=totals / per_second,
        stats=stats,
        affected=affected,
        with_target=with_target.astype(np.int64),
        breaches=breaches.astype(np.int64),
        feed=run_totals[queue_runs] / per_second,
        feed_count=np.diff(runs.offsets)[queue_runs],
    )


def _bottlenecks(
    work: _Work,
    found: _CandidateStats,
    handoff_targets: Mapping[tuple[str, str], float],
    step_owner: Mapping[str, str],
    handoff_tables: dict[str, pl.DataFrame],
    resource_position: Mapping[str, str],
) -> tuple[Bottleneck, ...]:
    labels, size, n_edges = work.log.step_labels, work.size, work.n_edges
    totals, stats = found.totals, found.stats
    grand_total = float(totals.sum())

    def place(c: int) -> tuple[int, str, str]:
        if c < n_edges:
            return (0, labels[c // size], labels[c % size])
        return (1, labels[c - n_edges], "")

    ranked = sorted(np.flatnonzero(totals > 0).tolist(), key=lambda c: (-totals[c], place(c)))
    result = []
    for rank, c in enumerate(ranked, start=1):
        if c < n_edges:
            kind, source, target = "handoff", labels[c // size], labels[c % size]
            step, key = target, f"handoff:{source}→{target}"
            target_s = handoff_targets.get((source, target))
        else:
            kind, source, target = "step", None, None
            step = labels[c - n_edges]
            key, target_s = f"step:{step}", None
        summary = {
            "total_s": float(totals[c]),
            "waits": int(stats["count"][c]),
            "cases": int(found.affected[c]),
            "median_s": _number(stats["median_s"][c]),
            "p90_s": _number(stats["p90_s"][c]),
            "mean_s": _number(stats["mean_s"][c]),
        }
        share = float(totals[c] / grand_total)
        evidence = [_evidence_waiting(kind, summary)]
        if found.with_target[c]:
            evidence.append(
                _evidence_target(
                    target_s, int(found.breaches[c]), int(found.with_target[c]), summary
                )
            )
        evidence.append(
            {
                "code": "share",
                "share": share,
                "text": "{:.0%} of all waiting time in the window".format(share),
            }
        )
        if kind == "handoff":
            people = handoff_tables["people"]
            evidence.extend(_evidence_pairs(people, source, target, "resource", "people_pair"))
            if resource_position:
                positions = handoff_tables["positions"]
                evidence.extend(
                    _evidence_pairs(positions, source, target, "position", "position_pair")
                )
        else:
            evidence.extend(
                _evidence_feeds(c - n_edges, found.feed, found.feed_count, size, labels)
            )
        owner = step_owner.get(step)
        if owner is not None:
            evidence.append({"code": "owner", "position": owner, "text": f"owned by {owner}"})
        result.append(
            Bottleneck(
                rank=rank,
                kind=kind,
                key=key,
                step=step,
                source=source,
                target=target,
                total_wait_s=summary["total_s"],
                waits=summary["waits"],
                cases=summary["cases"],
                median_s=summary["median_s"],
                p90_s=summary["p90_s"],
                mean_s=summary["mean_s"],
                target_s=target_s,
                breach_rate=(
                    float(found.breaches[c] / found.with_target[c])
                    if found.with_target[c]
                    else None
                ),
                share_of_total=share,
                owner_position=owner,
                source_owner_position=step_owner.get(source) if source is not None else None,
                evidence=tuple(evidence),
            )
        )
    return tuple(result)


def format_seconds(seconds: float | None) -> str:
    """Return a short English duration ("45 s", "12.5 min", "5.2 h", "3.1 d") for evidence text."""
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _evidence_waiting(kind: str, summary: dict[str, Any]) -> dict[str, Any]:
    what = "handoff delay" if kind == "handoff" else "wait"
    return {
        "code": "waiting",
        **summary,
        "text": "{waits:,} waits, median {what} {median} (p90 {p90}); adds {total} "
        "across {cases:,} cases".format(
            what=what,
            median=format_seconds(summary["median_s"]),
            p90=format_seconds(summary["p90_s"]),
            waits=summary["waits"],
            cases=summary["cases"],
            total=format_seconds(summary["total_s"]),
        ),
    }


def _evidence_target(
    target_s: float | None, breaches: int, with_target: int, summary: dict[str, Any]
) -> dict[str, Any]:
    rate = breaches / with_target
    return {
        "code": "target",
        "target_s": target_s,
        "breaches": breaches,
        "waits_with_target": with_target,
        "breach_rate": rate,
        "text": "target {target}, {rate:.0%} breach ({breaches:,} of {waits:,})".format(
            target=format_seconds(target_s) if target_s is not None else "per transition",
            rate=rate,
            breaches=breaches,
            waits=with_target,
        ),
    }


def _evidence_pairs(
    table: pl.DataFrame, source: str, target: str, side: str, code: str
) -> list[dict[str, Any]]:
    rows = (
        table.filter((pl.col("source") == source) & (pl.col("target") == target))
        .head(_EVIDENCE_PAIRS)
        .to_dicts()
    )
    return [
        {
            "code": code,
            "from": row[f"source_{side}"],
            "to": row[f"target_{side}"],
            "waits": row["count"],
            "total_s": row["sum_s"],
            "mean_s": row["mean_s"],
            "text": "{a} → {b}: {n:,} handoffs, mean {mean}".format(
                a=row[f"source_{side}"] or "?",
                b=row[f"target_{side}"] or "?",
                n=row["count"],
                mean=format_seconds(row["mean_s"]),
            ),
        }
        for row in rows
    ]


def _evidence_feeds(
    step: int, feed: np.ndarray, feed_count: np.ndarray, size: int, labels: tuple[str, ...]
) -> list[dict[str, Any]]:
    incoming = [e for e in range(step, size * size, size) if feed_count[e] > 0]
    incoming.sort(key=lambda e: (-feed[e], labels[e // size]))
    return [
        {
            "code": "from_step",
            "source": labels[e // size],
            "waits": int(feed_count[e]),
            "total_s": float(feed[e]),
            "text": "after {source}: {n:,} waits, {total} in all".format(
                source=labels[e // size],
                n=int(feed_count[e]),
                total=format_seconds(float(feed[e])),
            ),
        }
        for e in incoming[:_EVIDENCE_PAIRS]
    ]
