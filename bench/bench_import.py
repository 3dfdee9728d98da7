"""Staff import speed (rows/s) for 10k and 100k rows, against a raw insert of the same rows.

Baseline: the practical limit of the database for these rows, i.e. inserting the same staff
rows straight into the indexed table (executemany on SQLite, COPY on PostgreSQL) with no
validation, no assignment history and no audit. The import does all three.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

SIZES = (10_000, 100_000)
RUNS = 3


def _setup():
    from opsteam.accounts.models import User
    from opsteam.org.models import JobLevel, OrgUnit, Position, RoleFamily

    admin = User.objects.create_superuser("bench-admin", password=None)
    root = OrgUnit.objects.create(code="HQ", name="总部", kind="company")
    root.path = OrgUnit.path_segment(root.pk)
    root.save(update_fields=["path"])
    units = []
    for index in range(20):
        unit = OrgUnit.objects.create(
            code=f"T{index:02d}", name=f"团队{index}", kind="team", parent=root
        )
        unit.path = root.path + OrgUnit.path_segment(unit.pk)
        unit.depth = 1
        unit.save(update_fields=["path", "depth"])
        units.append(unit)
    family = RoleFamily.objects.create(code="ops", name="运营")
    positions = [
        Position.objects.create(code=f"P{index:02d}", name=f"岗位{index}", family=family)
        for index in range(10)
    ]
    levels = [
        JobLevel.objects.create(
            code=f"L{index}", name=f"职级{index}", track="professional", rank=index
        )
        for index in range(1, 6)
    ]
    return admin, units, positions, levels


def _write_csv(path: Path, rows: int, units, positions, levels) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "employee_no",
                "name",
                "name_en",
                "email",
                "hire_date",
                "unit_code",
                "position_code",
                "level_code",
                "manager_employee_no",
            ]
        )
        for index in range(rows):
            manager = f"E{index - index % 10:07d}" if index % 10 else ""
            writer.writerow(
                [
                    f"E{index:07d}",
                    f"员工{index}",
                    f"Staff {index}",
                    f"staff{index}@example.com",
                    (dt.date(2020, 1, 1) + dt.timedelta(days=index % 1500)).isoformat(),
                    units[index % len(units)].code,
                    positions[index % len(positions)].code,
                    levels[index % len(levels)].code,
                    manager,
                ]
            )


def _clear() -> None:
    from django.db import connection

    from opsteam.core import audit
    from opsteam.core.models import AuditEntry, ImportJob
    from opsteam.org.models import Assignment, Staff

    with audit.maintenance(connection):
        AuditEntry.objects.all().delete()
    Assignment.objects.all().delete()
    Staff.objects.filter(manager__isnull=False).delete()
    Staff.objects.all().delete()
    ImportJob.objects.all().delete()


def _raw_insert(path: Path, units, positions, levels, backend: str) -> float:
    """Insert the file's rows straight into org_staff: the database's practical limit."""
    from django.db import transaction
    from django.utils import timezone

    from opsteam.core import bulk
    from opsteam.org.models import Staff

    unit_ids = {u.code: u.pk for u in units}
    position_ids = {p.code: p.pk for p in positions}
    level_ids = {level.code: level.pk for level in levels}
    now = timezone.now()
    started = time.perf_counter()
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [
            (
                r[0],
                r[1],
                r[2],
                r[3],
                "",
                r[4],
                "active",
                unit_ids[r[5]],
                position_ids[r[6]],
                level_ids[r[7]],
                now,
                now,
            )
            for r in reader
        ]
    columns = (
        "employee_no",
        "name",
        "name_en",
        "email",
        "phone",
        "hire_date",
        "status",
        "unit_id",
        "position_id",
        "level_id",
        "created_at",
        "updated_at",
    )
    with transaction.atomic():
        bulk.insert_rows(Staff, columns, rows)
    return time.perf_counter() - started


def _import(path: Path, admin) -> float:
    from opsteam.core import imports
    from opsteam.org.imports import StaffImport

    started = time.perf_counter()
    with path.open("rb") as handle:
        outcome = imports.run_import(
            actor=admin, spec_class=StaffImport, handle=handle, filename=path.name, source="cli"
        )
    elapsed = time.perf_counter() - started
    assert outcome.created > 0
    return elapsed


def run(*, backend: str) -> list[dict]:
    admin, units, positions, levels = _setup()
    figures = []
    directory = Path(tempfile.mkdtemp(prefix="opsteam-bench-import-"))
    for size in SIZES:
        path = directory / f"staff-{size}.csv"
        _write_csv(path, size, units, positions, levels)
        import_times, raw_times = [], []
        for _ in range(RUNS):
            _clear()
            raw_times.append(_raw_insert(path, units, positions, levels, backend))
            _clear()
            import_times.append(_import(path, admin))
        import_rate = size / statistics.median(import_times)
        raw_rate = size / statistics.median(raw_times)
        figures.append(
            {
                "name": f"staff import {size // 1000}k rows (validate+write+history+audit)",
                "value": import_rate,
                "unit": "rows/s",
                "baseline": raw_rate,
                "baseline_name": "raw insert of the same rows",
                "runs": RUNS,
                "median_seconds": statistics.median(import_times),
            }
        )
        _clear()
        tracemalloc.start()
        _import(path, admin)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures.append(
            {
                "name": f"staff import {size // 1000}k rows: peak Python memory",
                "value": peak / 1e6,
                "unit": "MB",
            }
        )
    return figures
