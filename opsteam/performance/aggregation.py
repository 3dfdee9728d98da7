"""From raw KPI measurements to each person's period value per KPI (the scoring input).

Pure (polars and numpy, no Django). Each KPI says how its period value is aggregated from
its measurements: SUM, MEAN, LAST (the latest dated), MIN, MAX, or RATIO (sum of numerators
over sum of denominators, e.g. resolved tickets / all tickets). Values are rounded before
scoring so float noise cannot flip a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

SUM, MEAN, LAST, MIN, MAX, RATIO = 0, 1, 2, 3, 4, 5
ROUND_DECIMALS = 6


class AggregationInputError(ValueError):
    """Malformed input; the message names the offending field."""


@dataclass(frozen=True, slots=True)
class Measurements:
    person: np.ndarray  # (rows,) int: index into the people axis
    kpi: np.ndarray  # (rows,) int: index into the KPI axis
    day: np.ndarray  # (rows,) int: date ordinal (for LAST)
    value: np.ndarray  # (rows,) float: the measured value (the numerator for RATIO KPIs)
    denominator: np.ndarray | None = None  # (rows,) float for RATIO KPIs, NaN elsewhere


@dataclass(frozen=True, slots=True)
class Aggregated:
    actual: np.ndarray  # (people, kpis) period value; NaN = no measurement in the period
    counts: np.ndarray  # (people, kpis) measurements behind each value


def aggregate(data: Measurements, methods: np.ndarray, *, people: int) -> Aggregated:
    """Aggregate measurements into a (people, kpis) matrix using each KPI's method."""
    kpis = len(methods)
    rows = len(data.value)
    for name in ("person", "kpi", "day"):
        if len(getattr(data, name)) != rows:
            raise AggregationInputError(f"{name}: expected {rows} values")
    if rows and (data.person.min() < 0 or data.person.max() >= people):
        raise AggregationInputError("person: index outside the people axis")
    if rows and (data.kpi.min() < 0 or data.kpi.max() >= kpis):
        raise AggregationInputError("kpi: index outside the KPI axis")
    actual = np.full((people, kpis), np.nan)
    counts = np.zeros((people, kpis), dtype=np.int64)
    if not rows:
        return Aggregated(actual, counts)
    denominator = data.denominator if data.denominator is not None else np.full(rows, np.nan)
    frame = pl.DataFrame(
        {
            "person": data.person.astype(np.int64),
            "kpi": data.kpi.astype(np.int64),
            "day": data.day.astype(np.int64),
            "value": data.value.astype(float),
            "den": denominator.astype(float),
        }
    )
    grouped = frame.group_by(["person", "kpi"]).agg(
        pl.col("value").sum().alias("sum"),
        pl.col("value").mean().alias("mean"),
        pl.col("value").sort_by("day").last().alias("last"),
        pl.col("value").min().alias("min"),
        pl.col("value").max().alias("max"),
        pl.col("den").sum().alias("den"),
        pl.len().alias("n"),
    )
    return from_partials(
        {name: grouped[name].to_numpy() for name in grouped.columns}, methods, people=people
    )


PARTIALS = ("person", "kpi", "sum", "mean", "last", "min", "max", "den", "n")


def from_partials(
    partials: dict[str, np.ndarray], methods: np.ndarray, *, people: int
) -> Aggregated:
    """Pick each KPI's period value from per (person, KPI) partial aggregates.

    ``partials`` holds equal-length arrays named as ``PARTIALS``: the person and KPI index, the
    sum, mean, latest, lowest and highest value, the sum of denominators and the count. A
    database can compute these with one GROUP BY, so millions of measurements never leave it.
    """
    kpis = len(methods)
    actual = np.full((people, kpis), np.nan)
    counts = np.zeros((people, kpis), dtype=np.int64)
    missing = [name for name in PARTIALS if name not in partials]
    if missing:
        raise AggregationInputError(f"partials: missing {', '.join(missing)}")
    person = np.asarray(partials["person"], dtype=np.int64)
    kpi = np.asarray(partials["kpi"], dtype=np.int64)
    if not len(person):
        return Aggregated(actual, counts)
    if person.min() < 0 or person.max() >= people:
        raise AggregationInputError("person: index outside the people axis")
    if kpi.min() < 0 or kpi.max() >= kpis:
        raise AggregationInputError("kpi: index outside the KPI axis")
    method = np.asarray(methods)[kpi]
    columns = {SUM: "sum", MEAN: "mean", LAST: "last", MIN: "min", MAX: "max"}
    value = np.full(len(person), np.nan)
    for code, column in columns.items():
        mask = method == code
        value[mask] = np.asarray(partials[column], dtype=float)[mask]
    ratio = method == RATIO
    if ratio.any():
        numerator = np.asarray(partials["sum"], dtype=float)[ratio]
        den = np.asarray(partials["den"], dtype=float)[ratio]
        with np.errstate(divide="ignore", invalid="ignore"):
            value[ratio] = np.where(den > 0, numerator / den, np.nan)
    unknown = ~np.isin(method, [*list(columns), RATIO])
    if unknown.any():
        raise AggregationInputError(f"methods[{int(kpi[unknown][0])}]: unknown aggregation")
    actual[person, kpi] = np.round(value, ROUND_DECIMALS)
    counts[person, kpi] = np.asarray(partials["n"], dtype=np.int64)
    return Aggregated(actual, counts)
