"""KPI measurement import speed (rows/s) for 100k and 1M rows, against a raw load of the same rows.

The data set has the issue's shape: 10,000 staff with employee numbers, 12 KPIs (one of them a
ratio KPI with a denominator) and daily values for one quarter (2024-01-01 .. 2024-03-30), i.e.
a grid of 10,000 x 12 x 90 = 10.8M values ordered by date, person and KPI. A file of N rows is
the grid's first N rows: 100k rows are most of the first day, 1M rows the first 8 days and a
third of the 9th. The file is CSV UTF-8 with the template's header (employee_no, kpi_code,
date, value, denominator).

Figures (each the median of RUNS runs, baseline measured side by side in the same run):
- import into an empty table: ``run_import`` (kind ``kpi``) with every check, staging, the
  upsert, the history record and the batch audit entry, committed;
- re-import of the same file (a retry: nothing changes, every row is "unchanged");
- re-import with changed values (every row is replaced: one audit entry per replaced value),
  for the 100k file only: a million audit entries per run would take minutes;
- sealing the audit entries a corrected file wrote (the hash chain, ``core.audit_seal``): a
  Celery task after the commit in production, so timed on its own, not inside the import;
- peak resident memory the import added to the process (polars' memory included).

Baseline: the practical limit of the database for these rows, i.e. reading the same file and
loading it straight into the indexed ``performance_measurement`` table (COPY on PostgreSQL,
executemany on SQLite) with the ids resolved by a polars join, no validation and no audit,
committed (PostgreSQL checks the foreign keys at commit).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

STAFF = 10_000
KPIS = 12
DAYS = 90
SIZES = (100_000, 1_000_000)
REPLACE_MAX_ROWS = 100_000
RUNS = 3
SQLITE_MAX_SECONDS = 60  # a 1M-row SQLite run slower than this is reported once, not repeated
START = dt.date(2024, 1, 1)


def _setup():
    from opsteam.accounts.models import User
    from opsteam.org.models import OrgUnit, Position, RoleFamily, Staff
    from opsteam.performance.choices import KpiAggregation, KpiCategory
    from opsteam.performance.models import Kpi

    admin = User.objects.create_superuser("bench-admin", password=None)
    root = OrgUnit.objects.create(code="HQ", name="总部", kind="company")
    root.path = OrgUnit.path_segment(root.pk)
    root.save(update_fields=["path"])
    family = RoleFamily.objects.create(code="ops", name="运营")
    position = Position.objects.create(code="P01", name="运营专员", family=family)
    Staff.objects.bulk_create(
        [
            Staff(
                employee_no=f"E{index:06d}",
                name=f"员工{index}",
                name_en=f"Staff {index}",
                hire_date=dt.date(2020, 1, 1),
                unit=root,
                position=position,
            )
            for index in range(STAFF)
        ],
        batch_size=2000,
    )
    for index in range(KPIS):
        Kpi.objects.create(
            code=f"K{index:02d}",
            name=f"指标{index}",
            name_en=f"Indicator {index}",
            category=KpiCategory.GOAL_ATTAINMENT,
            aggregation=KpiAggregation.RATIO if index == KPIS - 1 else KpiAggregation.SUM,
            threshold=Decimal(60),
            target=Decimal(100),
            stretch=Decimal(120),
        )
    return admin


def _write_csv(path: Path, rows: int, *, shift: int = 0) -> None:
    """The grid's first ``rows`` rows; ``shift`` changes every value (a corrected file)."""
    import polars as pl

    grid = pl.DataFrame({"n": pl.int_range(rows, dtype=pl.Int64, eager=True)})
    per_day = STAFF * KPIS
    frame = grid.select(
        employee_no=pl.format("E{}", (pl.col("n") % per_day // KPIS).cast(pl.String).str.zfill(6)),
        kpi_code=pl.format("K{}", (pl.col("n") % KPIS).cast(pl.String).str.zfill(2)),
        date=(pl.lit(START) + pl.duration(days=pl.col("n") // per_day)).dt.to_string("%Y-%m-%d"),
        value=((pl.col("n") * 7919 + shift) % 100_000 / 100).cast(pl.String),
        denominator=pl.when(pl.col("n") % KPIS == KPIS - 1)
        .then((pl.col("n") % 97 + 100 + shift).cast(pl.String))
        .otherwise(None),
    )
    frame.write_csv(path)


def _clear() -> None:
    from django.db import connection

    from opsteam.core import audit
    from opsteam.core.models import AuditEntry, ImportJob
    from opsteam.performance.models import Measurement

    with audit.maintenance(connection):
        AuditEntry.objects.all().delete()
    Measurement.objects.all()._raw_delete(Measurement.objects.db)
    ImportJob.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE performance_measurement")


def _raw_load(path: Path) -> float:
    """Load the file's rows straight into performance_measurement: the database's limit."""
    import polars as pl
    from django.db import connection, transaction
    from django.utils import timezone

    from opsteam.org.models import Staff
    from opsteam.performance.models import Kpi

    started = time.perf_counter()
    staff = pl.DataFrame(
        list(Staff.objects.values_list("employee_no", "pk")),
        schema={"employee_no": pl.String, "staff_id": pl.Int64},
        orient="row",
    )
    kpis = pl.DataFrame(
        list(Kpi.objects.values_list("code", "pk")),
        schema={"kpi_code": pl.String, "kpi_id": pl.Int64},
        orient="row",
    )
    now = timezone.now()
    rows = (
        pl.read_csv(path, infer_schema=False)
        .join(staff, on="employee_no")
        .join(kpis, on="kpi_code")
        .select(
            "staff_id",
            "kpi_id",
            "date",
            "value",
            "denominator",
            source=pl.lit("import"),
            batch=pl.lit("raw"),
            recorded_at=pl.lit(now.isoformat()),
        )
    )
    columns = "staff_id, kpi_id, date, value, denominator, source, batch, recorded_at"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY performance_measurement ({columns}) FROM STDIN (FORMAT csv)"
            with cursor.cursor.copy(sql) as copy:
                for chunk in rows.iter_slices(250_000):
                    buffer = io.BytesIO()
                    chunk.write_csv(buffer, include_header=False)
                    copy.write(buffer.getvalue())
        else:
            rows = rows.with_columns(recorded_at=pl.lit(str(timezone.make_naive(now, dt.UTC))))
            connection.connection.executemany(
                f"INSERT INTO performance_measurement ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 (constant SQL)
                rows.iter_rows(),
            )
    return time.perf_counter() - started


class _PeakRss:
    """Samples the process's resident memory every 5 ms; ``added`` is the peak growth in MB."""

    def __init__(self) -> None:
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self._base = self._peak = self._rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _rss(self) -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * self._page

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self._peak = max(self._peak, self._rss())

    def __enter__(self) -> _PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._peak = max(self._peak, self._rss())

    @property
    def added(self) -> float:
        return (self._peak - self._base) / 1e6


def _import(path: Path, admin, *, expect: str, size: int) -> float:
    from unittest import mock

    from opsteam.core import imports
    from opsteam.performance.imports import MeasurementImport

    # With a worker the seal runs after the commit in another process (eager here): keep it
    # out of the import's time; ``_seal`` times it on its own.
    with mock.patch("opsteam.core.audit_seal._run_seal_task"):
        started = time.perf_counter()
        with path.open("rb") as handle:
            outcome = imports.run_import(
                actor=admin,
                spec_class=MeasurementImport,
                handle=handle,
                filename=path.name,
                source="cli",
            )
        elapsed = time.perf_counter() - started
    counts = {
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
    }
    assert counts[expect] == size, (expect, counts)
    return elapsed


def _seal() -> float:
    from opsteam.core import audit_seal

    started = time.perf_counter()
    audit_seal.seal_pending()
    return time.perf_counter() - started


def _figure(name: str, size: int, times: list[float], raw_times: list[float]) -> dict:
    return {
        "name": name,
        "value": size / statistics.median(times),
        "unit": "rows/s",
        "baseline": size / statistics.median(raw_times),
        "baseline_name": "raw load of the same rows into the indexed table",
        "runs": len(times),
        "median_seconds": round(statistics.median(times), 3),
        "seconds": [round(t, 3) for t in times],
    }


def run(*, backend: str) -> list[dict]:
    admin = _setup()
    figures = []
    directory = Path(tempfile.mkdtemp(prefix="opsteam-bench-measurements-"))
    for size in SIZES:
        label = f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M"
        path = directory / f"kpi-{label}.csv"
        changed = directory / f"kpi-{label}-corrected.csv"
        _write_csv(path, size)
        _write_csv(changed, size, shift=1)
        runs = RUNS
        fresh, retry, replace, seal, raw, memory = [], [], [], [], [], []
        for attempt in range(RUNS):
            if attempt >= runs:
                break
            _clear()
            raw.append(_raw_load(path))
            _clear()
            with _PeakRss() as peak:
                fresh.append(_import(path, admin, expect="created", size=size))
            memory.append(peak.added)
            retry.append(_import(path, admin, expect="unchanged", size=size))
            if size <= REPLACE_MAX_ROWS:
                replace.append(_import(changed, admin, expect="updated", size=size))
                seal.append(_seal())
            if backend == "sqlite" and fresh[-1] > SQLITE_MAX_SECONDS:
                runs = 1
        _clear()
        figures += [
            _figure(f"KPI import {label} rows into an empty table", size, fresh, raw),
            _figure(
                f"KPI import {label} rows: retry (same file, nothing changes)", size, retry, raw
            ),
        ]
        if replace:
            figures += [
                _figure(
                    f"KPI import {label} rows: corrected file (all replaced+audited)",
                    size,
                    replace,
                    raw,
                ),
                {
                    "name": f"audit seal of the {label} replaced rows' entries (Celery task)",
                    "value": size / statistics.median(seal),
                    "unit": "rows/s",
                    "median_seconds": round(statistics.median(seal), 3),
                },
            ]
        figures.append(
            {
                "name": f"KPI import {label} rows: peak memory added (RSS)",
                "value": max(memory),
                "unit": "MB",
            }
        )
    return figures
