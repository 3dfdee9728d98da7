"""The KPI measurement import (kind ``kpi``): millions of values per person, KPI and date.

Vectorised end to end (``core.imports.FrameImportSpec``): the file is one polars DataFrame,
every check is a column expression and every problem is listed with row, column, value and
reason. Writing is set-based in the import's single transaction, the rows sorted by the
unique key. When nothing exists yet for the file's KPIs and period (the usual first upload)
the rows go straight into ``performance_measurement`` (PostgreSQL: ``COPY ... FROM STDIN`` fed
with polars' CSV output in large chunks; SQLite: one ``executemany``). Otherwise they go to a
temporary staging table the same way, then ONE ``INSERT ... ON CONFLICT DO UPDATE ... WHERE``
inserts new rows, replaces values an earlier import wrote when they differ and never touches
a value entered by hand (counted and reported instead). On PostgreSQL the foreign keys are
checked once per person and KPI instead of once per row (``_row_triggers_batched``).

Retry-safe: re-sending the same file changes nothing (every row counts as unchanged) and
writes no audit entry; a later file for the same period replaces imported values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from opsteam.core import audit, bulk
from opsteam.core.audit_seal import seal_after_commit
from opsteam.core.choices import AuditAction
from opsteam.core.frames import ROW, invalid_flag, row_errors
from opsteam.core.imports import (
    DATE_FORMATS,
    FrameImportSpec,
    ImportColumn,
    RowError,
    register,
)
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.org.imports import localized_name
from opsteam.org.models import Staff
from opsteam.performance import aggregation, selectors
from opsteam.performance.choices import MeasurementSource
from opsteam.performance.models import Kpi, Measurement

VALUE_LIMIT = Decimal("999999999999.999999")  # numeric(18, 6): |value| < 10**12
DECIMAL = pl.Decimal(18, 6)
BATCH_MAX_LENGTH = Measurement._meta.get_field("batch").max_length
STAGE_TABLE = "opsteam_measurement_stage"
COPY_CHUNK_ROWS = 250_000
AUDIT_CHUNK = 2000
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_SERIAL_MAX = 2_958_465  # 9999-12-31


def _parse_dates(text: pl.Series) -> pl.Series:
    """Dates typed as YYYY-MM-DD (the fast path), YYYY/M/D, YYYY年M月D日, YYYYMMDD, with a
    time, or an Excel day number (a date cell whose format was lost); null where none fits."""
    parsed = text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    todo = parsed.is_null() & text.is_not_null()
    if not todo.any():
        return parsed
    rest = text.filter(todo)
    number = rest.cast(pl.Int64, strict=False)
    serial = rest.str.contains(r"^\d{1,7}$") & number.is_between(1, _EXCEL_SERIAL_MAX)
    frame = pl.DataFrame({"text": rest, "number": number, "serial": serial})
    # Excel counts 1900-02-29 (which never was): day numbers below 60 are one day later.
    from_serial = pl.when(pl.col("serial")).then(
        pl.lit(_EXCEL_EPOCH)
        + pl.duration(days=pl.col("number") + (pl.col("number") < 60).cast(pl.Int64))
    )
    candidates = [from_serial.cast(pl.Date)]
    candidates += [
        pl.when(~pl.col("serial")).then(pl.col("text").str.strptime(pl.Date, fmt, strict=False))
        for fmt in DATE_FORMATS
    ]
    others = frame.select(pl.coalesce(candidates)).to_series()
    return parsed.scatter(todo.arg_true(), others)


def _number_checks(key: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(not a number, out of range, the stored decimal) for text column ``key``."""
    text = pl.col(key)
    number = text.cast(pl.Float64, strict=False)
    stored = text.cast(DECIMAL, strict=False)
    not_number = text.is_not_null() & (number.is_null() | ~number.is_finite())
    out_of_range = ~not_number & text.is_not_null() & (stored.is_null() | (number.abs() >= 1e12))
    return not_number, out_of_range, stored


@register
class MeasurementImport(FrameImportSpec):
    """KPI values per person, KPI and date; see the module docstring."""

    kind = "kpi"
    model = Measurement
    # Its own context: the model's "KPI measurements" reads "KPI 数据"; the import is 绩效指标数据.
    title = pgettext_lazy("import kind", "KPI measurements")
    key = "employee_no"
    columns = (
        ImportColumn(
            "employee_no", "工号", "Employee number", required=True, example="E10023", max_length=40
        ),
        ImportColumn(
            "kpi_code", "指标编码", "KPI code", required=True, example="GMV", max_length=40
        ),
        ImportColumn(
            "date",
            "日期",
            "Date",
            required=True,
            example="2024-03-01",
            help_text=gettext_lazy("YYYY-MM-DD, YYYY/MM/DD, YYYY年M月D日 or an Excel date"),
        ),
        ImportColumn(
            "value",
            "数值",
            "Value",
            required=True,
            example="12.5",
            help_text=gettext_lazy("A number; for ratio KPIs the numerator"),
        ),
        ImportColumn(
            "denominator",
            "分母",
            "Denominator",
            example="",
            help_text=gettext_lazy("Required for ratio KPIs; greater than 0"),
        ),
    )

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        self._rows: pl.DataFrame | None = None  # the validated rows, ready to stage
        self._names: dict[int, str] = {}
        self._kpi_codes: dict[int, str] = {}

    # Validation ---------------------------------------------------------------------------

    def validate(self, frame: pl.DataFrame) -> list[RowError]:
        """Every problem of every row, vectorised; keeps the resolved rows for ``write``."""
        errors: list[RowError] = []
        if self.batch and len(self.batch) > BATCH_MAX_LENGTH:
            errors.append(
                RowError(
                    None,
                    None,
                    self.batch,
                    _("the batch name is too long: at most {limit} characters").format(
                        limit=BATCH_MAX_LENGTH
                    ),
                )
            )
        staff = self._staff_table()
        kpis = self._kpi_table()
        data = frame.with_columns(date_parsed=_parse_dates(frame["date"]))
        data = data.join(staff, on="employee_no", how="left").join(kpis, on="kpi_code", how="left")
        value_nan, value_range, value_stored = _number_checks("value")
        den_nan, den_range, den_stored = _number_checks("denominator")
        data = data.with_columns(
            value_nan=value_nan,
            value_range=value_range,
            value_stored=value_stored,
            den_nan=den_nan,
            den_range=den_range,
            den_stored=den_stored,
        )
        label = self.header_label
        date, employee, kpi = pl.col("date_parsed"), pl.col("employee_no"), pl.col("kpi_code")
        not_a_number = _("not a number")
        out_of_range = _("out of range: must be between {low} and {high}").format(
            low=-VALUE_LIMIT, high=VALUE_LIMIT
        )
        checks: list[tuple[pl.Expr, str, str, str, str, dict[str, pl.Expr] | None]] = [
            # (mask, column, reason, code, value column, reason parameters)
            (
                pl.col("date").is_not_null() & date.is_null(),
                "date",
                _("not a date (use YYYY-MM-DD)"),
                "invalid",
                "date",
                None,
            ),
            (pl.col("value_nan"), "value", not_a_number, "invalid", "value", None),
            (pl.col("value_range"), "value", out_of_range, "invalid", "value", None),
            (pl.col("den_nan"), "denominator", not_a_number, "invalid", "denominator", None),
            (pl.col("den_range"), "denominator", out_of_range, "invalid", "denominator", None),
            (
                pl.col("den_stored") <= 0,
                "denominator",
                _("must be greater than 0"),
                "invalid",
                "denominator",
                None,
            ),
            (
                employee.is_not_null() & pl.col("staff_id").is_null(),
                "employee_no",
                _("unknown employee number"),
                "unknown_reference",
                "employee_no",
                None,
            ),
            (
                kpi.is_not_null() & pl.col("kpi_id").is_null(),
                "kpi_code",
                _("unknown KPI code"),
                "unknown_reference",
                "kpi_code",
                None,
            ),
            (
                pl.col("kpi_active").not_(),
                "kpi_code",
                _("this KPI is inactive"),
                "inactive",
                "kpi_code",
                None,
            ),
            (
                (pl.col("kpi_aggregation") == aggregation.RATIO)
                & pl.col("denominator").is_null()
                & ~pl.col(invalid_flag("denominator")),
                "denominator",
                _("required for a ratio KPI"),
                "required",
                "denominator",
                None,
            ),
            (
                date < pl.col("hire_date"),
                "date",
                _("before this person's hire date ({hired})"),
                "not_employed",
                "date",
                {"hired": pl.col("hire_date")},
            ),
            (
                date > pl.col("leave_date"),
                "date",
                _("after this person left ({left})"),
                "not_employed",
                "date",
                {"left": pl.col("leave_date")},
            ),
        ]
        first = pl.col(ROW).min().over(["employee_no", "kpi_code", "date_parsed"])
        checks.append(
            (
                employee.is_not_null()
                & kpi.is_not_null()
                & date.is_not_null()
                & (pl.col(ROW) != first),
                "employee_no",
                _("the same person, KPI and date are already on row {row}"),
                "duplicate",
                "key",
                {"row": first},
            )
        )
        data = data.with_columns(
            key=pl.concat_str([employee, kpi, pl.col("date")], separator=" / ", ignore_nulls=True)
        )
        for mask, column, reason, code, value, params in checks:
            errors += row_errors(
                data,
                mask,
                column=label(column),
                value=pl.col(value),
                reason=reason,
                code=code,
                params=params,
            )
        errors += self._locked(data)
        if not errors:
            # In the unique key's order: the database then appends to its indexes instead
            # of inserting all over them (a third faster for 1M rows into an empty table).
            self._rows = (
                data.select(
                    pl.col(ROW),
                    pl.col("staff_id"),
                    pl.col("kpi_id"),
                    pl.col("date_parsed").alias("date"),
                    pl.col("value_stored").cast(pl.String).alias("value"),
                    pl.col("den_stored").cast(pl.String).alias("denominator"),
                )
                .sort("staff_id", "kpi_id", "date")
                .with_row_index("idx")
                .with_columns(pl.col("idx").cast(pl.Int64))
            )
        return errors

    def _staff_table(self) -> pl.DataFrame:
        rows = list(
            Staff.objects.values_list(
                "employee_no", "pk", "hire_date", "leave_date", "name", "name_en"
            )
        )
        self._names = {
            pk: localized_name({"name": name, "name_en": name_en})
            for _no, pk, _hire, _leave, name, name_en in rows
        }
        return pl.DataFrame(
            [row[:4] for row in rows],
            schema={
                "employee_no": pl.String,
                "staff_id": pl.Int64,
                "hire_date": pl.Date,
                "leave_date": pl.Date,
            },
            orient="row",
        )

    def _kpi_table(self) -> pl.DataFrame:
        rows = list(Kpi.objects.values_list("code", "pk", "is_active", "aggregation"))
        self._kpi_codes = {pk: code for code, pk, _active, _aggregation in rows}
        return pl.DataFrame(
            rows,
            schema={
                "kpi_code": pl.String,
                "kpi_id": pl.Int64,
                "kpi_active": pl.Boolean,
                "kpi_aggregation": pl.Int64,
            },
            orient="row",
        )

    def _locked(self, data: pl.DataFrame) -> list[RowError]:
        """Rows in a period whose data deadline has passed (the appraisal-cycle hook)."""
        known = data.filter(pl.col("kpi_id").is_not_null() & pl.col("date_parsed").is_not_null())
        if known.height == 0:
            return []
        locks = selectors.period_locked(
            known["kpi_id"].unique().to_list(), known["date_parsed"].unique().to_list()
        )
        errors: list[RowError] = []
        for lock in locks:
            mask = pl.col("date_parsed").is_between(lock.start, lock.end)
            if lock.kpi_ids is not None:
                mask &= pl.col("kpi_id").is_in(sorted(lock.kpi_ids))
            errors += row_errors(
                known,
                mask,
                column=self.header_label("date"),
                value=pl.col("date"),
                reason=_("the period is closed for data changes: {reason}").format(
                    reason=lock.reason
                ),
                code="locked",
            )
        return errors

    # Writing ------------------------------------------------------------------------------

    def write(self, frame: pl.DataFrame, job: ImportJob) -> tuple[int, int, int]:
        """Stage, count, upsert and audit in the caller's transaction; see the module doc."""
        rows = self._rows
        if rows is None:
            raise RuntimeError("validate() must succeed before write()")
        batch = self.batch_name(job)
        now = timezone.now()
        total = rows.height
        table = connection.ops.quote_name(Measurement._meta.db_table)
        created = updated = unchanged = kept = 0
        changed: list[tuple[int, int]] = []
        if total:
            with connection.cursor() as cursor:
                if not self._overlaps(cursor, rows):
                    # Nothing exists for these KPIs and dates: every row is new, so the rows
                    # go straight into the table. A concurrent import of the same keys makes
                    # the unique index fail, which the engine reports as "import again".
                    with _row_triggers_batched(cursor, rows):
                        self._load_new(cursor, rows, batch, now)
                    created = total
                else:
                    self._stage(cursor, rows)
                    kept, updated, matched = self._count_existing(cursor, table)
                    unchanged = matched - kept - updated
                    created = total - matched
                    if updated:
                        changed = self._changed_ids(cursor, table)
                    befores = self._snapshots([pk for pk, _idx in changed])
                    affected = 0
                    if created or updated:  # a re-sent file writes nothing at all
                        with _row_triggers_batched(cursor, rows):
                            affected = self._upsert(cursor, table, batch, now)
                    cursor.execute(f"DROP TABLE {STAGE_TABLE}")
                    if affected != created + updated:
                        # Another transaction wrote the same keys between counting and
                        # writing: the engine turns this into "the data changed; import
                        # again" with nothing written.
                        raise IntegrityError("measurements changed during the import")
                    self._audit_updates(changed, befores, rows, batch, now)
        self.skipped = kept
        self._audit_batch(job, rows, batch, created, updated, unchanged, kept)
        self.message = self._describe(batch, created, updated, unchanged, kept)
        return created, updated, unchanged

    def _stage(self, cursor: Any, rows: pl.DataFrame) -> None:
        """Load the rows into a temporary table: COPY on PostgreSQL, executemany on SQLite."""
        staged = rows.select("idx", "staff_id", "kpi_id", "date", "value", "denominator")
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMP TABLE {STAGE_TABLE} (idx integer NOT NULL, staff_id bigint NOT NULL,"
                " kpi_id bigint NOT NULL, date date NOT NULL, value numeric(18, 6) NOT NULL,"
                " denominator numeric(18, 6))"
            )
            sql = f"COPY {STAGE_TABLE} (idx, staff_id, kpi_id, date, value, denominator) FROM STDIN (FORMAT csv)"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for chunk in staged.iter_slices(COPY_CHUNK_ROWS):
                    buffer = io.BytesIO()
                    chunk.write_csv(buffer, include_header=False)
                    copy.write(buffer.getvalue())
            cursor.execute(f"ANALYZE {STAGE_TABLE}")
            return
        cursor.execute(
            f"CREATE TEMP TABLE {STAGE_TABLE} (idx INTEGER NOT NULL, staff_id INTEGER NOT NULL,"
            " kpi_id INTEGER NOT NULL, date TEXT NOT NULL, value NUMERIC NOT NULL,"
            " denominator NUMERIC)"
        )
        columns = [staged[name].to_list() for name in ("idx", "staff_id", "kpi_id")]
        columns.append(staged["date"].dt.to_string("%Y-%m-%d").to_list())
        columns += [staged["value"].to_list(), staged["denominator"].to_list()]
        connection.connection.executemany(
            f"INSERT INTO {STAGE_TABLE} VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608 (a constant)
            zip(*columns, strict=True),
        )

    def _load_new(self, cursor: Any, rows: pl.DataFrame, batch: str, now: dt.datetime) -> None:
        """Insert rows none of which exists yet: COPY on PostgreSQL, executemany on SQLite."""
        table = connection.ops.quote_name(Measurement._meta.db_table)
        columns = "staff_id, kpi_id, date, value, denominator, source, batch, recorded_at"
        recorded = connection.ops.adapt_datetimefield_value(now)
        if connection.vendor == "postgresql":
            loaded = rows.select(
                "staff_id",
                "kpi_id",
                "date",
                "value",
                "denominator",
                source=pl.lit(str(MeasurementSource.IMPORT)),
                batch=pl.lit(batch),
                recorded_at=pl.lit(now.isoformat()),
            )
            sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for chunk in loaded.iter_slices(COPY_CHUNK_ROWS):
                    buffer = io.BytesIO()
                    chunk.write_csv(buffer, include_header=False)
                    copy.write(buffer.getvalue())
            return
        values = [rows[name].to_list() for name in ("staff_id", "kpi_id")]
        values.append(rows["date"].dt.to_string("%Y-%m-%d").to_list())
        values += [rows["value"].to_list(), rows["denominator"].to_list()]
        source = str(MeasurementSource.IMPORT)
        with connection.wrap_database_errors:  # sqlite3's errors as Django's (IntegrityError)
            connection.connection.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 (names are constants, values are bound)
                ((*row, source, batch, recorded) for row in zip(*values, strict=True)),
            )

    def _overlaps(self, cursor: Any, rows: pl.DataFrame) -> bool:
        """Whether any measurement exists for the file's KPIs and dates (else all are new)."""
        kpi_ids = rows["kpi_id"].unique().to_list()
        low, high = rows["date"].min(), rows["date"].max()
        placeholders = ", ".join(["%s"] * len(kpi_ids))
        cursor.execute(
            f"SELECT 1 FROM {connection.ops.quote_name(Measurement._meta.db_table)}"  # noqa: S608 (table names are constants, values are bound)
            f" WHERE kpi_id IN ({placeholders}) AND date BETWEEN %s AND %s LIMIT 1",
            [
                *kpi_ids,
                connection.ops.adapt_datefield_value(low),
                connection.ops.adapt_datefield_value(high),
            ],
        )
        return cursor.fetchone() is not None

    @staticmethod
    def _differs(existing: str, new: str) -> str:
        distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        return (
            f"({existing}.value <> {new}.value"
            f" OR {existing}.denominator {distinct} {new}.denominator)"
        )

    def _count_existing(self, cursor: Any, table: str) -> tuple[int, int, int]:
        """(kept because entered by hand, to be replaced, matched) among existing rows."""
        cursor.execute(
            f"SELECT COALESCE(SUM(CASE WHEN m.source = %s THEN 1 ELSE 0 END), 0),"  # noqa: S608 (table names are constants, values are bound)
            f" COALESCE(SUM(CASE WHEN m.source <> %s AND {self._differs('m', 's')}"
            f" THEN 1 ELSE 0 END), 0), COUNT(*)"
            f" FROM {STAGE_TABLE} s JOIN {table} m"
            " ON m.staff_id = s.staff_id AND m.kpi_id = s.kpi_id AND m.date = s.date",
            [MeasurementSource.MANUAL, MeasurementSource.MANUAL],
        )
        kept, updated, matched = cursor.fetchone()
        return int(kept), int(updated), int(matched)

    def _changed_ids(self, cursor: Any, table: str) -> list[tuple[int, int]]:
        """(measurement id, staged row index) of every row the upsert will replace."""
        cursor.execute(
            f"SELECT m.id, s.idx FROM {STAGE_TABLE} s JOIN {table} m"  # noqa: S608 (table names are constants, values are bound)
            " ON m.staff_id = s.staff_id AND m.kpi_id = s.kpi_id AND m.date = s.date"
            f" WHERE m.source <> %s AND {self._differs('m', 's')}",
            [MeasurementSource.MANUAL],
        )
        return [(int(pk), int(idx)) for pk, idx in cursor.fetchall()]

    def _upsert(self, cursor: Any, table: str, batch: str, now: dt.datetime) -> int:
        """The one set-based write; returns how many rows it inserted or updated."""
        # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
        cursor.execute(
            f"INSERT INTO {table} (staff_id, kpi_id, date, value, denominator, source, batch,"  # noqa: S608 (table names are constants, values are bound)
            " recorded_at)"
            " SELECT s.staff_id, s.kpi_id, s.date, s.value, s.denominator, %s, %s, %s"
            f" FROM {STAGE_TABLE} s WHERE true"
            " ON CONFLICT (staff_id, kpi_id, date) DO UPDATE SET value = excluded.value,"
            " denominator = excluded.denominator, source = excluded.source,"
            " batch = excluded.batch, recorded_at = excluded.recorded_at"
            f" WHERE {table}.source <> %s AND {self._differs(table, 'excluded')}",
            [
                MeasurementSource.IMPORT,
                batch,
                connection.ops.adapt_datetimefield_value(now),
                MeasurementSource.MANUAL,
            ],
        )
        return cursor.rowcount

    # Audit --------------------------------------------------------------------------------

    def _snapshots(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """The rows about to be replaced, as ``audit.snapshot`` shapes them."""
        fields = [f for f in Measurement._meta.concrete_fields if f.name != "updated_at"]
        attnames = [f.attname for f in fields]
        snapshots: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), AUDIT_CHUNK):
            chunk = ids[start : start + AUDIT_CHUNK]
            for row in Measurement.objects.filter(pk__in=chunk).values(*attnames):
                snapshots[row["id"]] = {f.name: _jsonable(row[f.attname]) for f in fields}
        return snapshots

    def _audit_updates(
        self,
        changed: list[tuple[int, int]],
        befores: dict[int, dict[str, Any]],
        rows: pl.DataFrame,
        batch: str,
        now: dt.datetime,
    ) -> None:
        """One "update" entry per replaced value, before and after, in multi-row inserts.

        New values get no entry of their own: the batch's "import" entry (counts, period)
        and the rows' ``batch`` column trace them, and a million create entries would cost
        more than the import itself.
        """
        if not changed:
            return
        ctx = audit.current_context()
        actor_id, actor_label = _actor(self.actor)
        label = Measurement._meta.label_lower
        values = rows["value"].to_list()
        denominators = rows["denominator"].to_list()
        new_source, recorded = str(MeasurementSource.IMPORT), now.isoformat()

        def entries() -> Any:
            for pk, idx in changed:
                before = befores[pk]
                after = {
                    **before,
                    "value": values[idx],
                    "denominator": denominators[idx],
                    "source": new_source,
                    "batch": batch,
                    "recorded_at": recorded,
                }
                describe = "{name} {kpi} {date} = {value}".format(
                    name=self._names.get(before["staff"], before["staff"]),
                    kpi=self._kpi_codes.get(before["kpi"], before["kpi"]),
                    date=before["date"],
                    value=values[idx],
                )
                yield (
                    now,
                    actor_id,
                    actor_label,
                    AuditAction.UPDATE,
                    ctx.source,
                    label,
                    str(pk),
                    describe[:300],
                    before,
                    after,
                    sorted(key for key in after if after[key] != before.get(key)),
                    "",
                    ctx.remote_addr,
                    ctx.import_job_id,
                )

        bulk.insert_rows(AuditEntry, audit.AUDIT_INSERT_FIELDS, entries())
        seal_after_commit()

    def _audit_batch(
        self,
        job: ImportJob,
        rows: pl.DataFrame,
        batch: str,
        created: int,
        updated: int,
        unchanged: int,
        kept: int,
    ) -> None:
        """One "import" entry for the batch; none when nothing changed (a re-sent file)."""
        if not created and not updated:
            return
        kpi_ids = sorted(rows["kpi_id"].unique().to_list())
        audit.record(
            actor=self.actor,
            action=AuditAction.IMPORT,
            obj=job,
            after={
                "batch": batch,
                "file": job.file_name,
                "sha256": job.file_sha256,
                "rows": rows.height,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "kept_manual": kept,
                "period": {
                    "from": rows["date"].min().isoformat(),
                    "to": rows["date"].max().isoformat(),
                },
                "kpis": [self._kpi_codes.get(pk, pk) for pk in kpi_ids],
            },
            note=batch,
        )

    @staticmethod
    def _describe(batch: str, created: int, updated: int, unchanged: int, kept: int) -> str:
        message = _("Batch {batch}: {created} created, {updated} replaced, {unchanged} unchanged.")
        message = message.format(batch=batch, created=created, updated=updated, unchanged=unchanged)
        if kept:
            message += " " + ngettext(
                "{count} value entered by hand was kept, not overwritten.",
                "{count} values entered by hand were kept, not overwritten.",
                kept,
            ).format(count=kept)
        return message


# Foreign-key checks in bulk ------------------------------------------------------------------

# Tests set this to False to exercise the path taken where the database role may not use it.
BATCH_ROW_TRIGGERS = True


@contextlib.contextmanager
def _row_triggers_batched(cursor: Any, rows: pl.DataFrame) -> Iterator[None]:
    """Check the rows' foreign keys once per referenced person and KPI, not once per row.

    PostgreSQL checks a foreign key with a trigger per inserted row: for 1M measurements that
    is 2M lookups at commit, more than half of the whole import. Here the referenced staff
    and KPI rows are locked (``FOR KEY SHARE``, the very lock those triggers take, so none can
    be deleted until we commit) and counted in two statements; if all exist, the write runs
    with the per-row triggers off (``session_replication_role = replica``, as ``pg_restore``
    loads data) and they are switched back on right after it. A person or KPI deleted since
    validation raises ``IntegrityError``, which the engine reports as "import again".

    Needs a role allowed to set ``session_replication_role`` (a superuser, or PostgreSQL 15's
    ``GRANT SET ON PARAMETER``); otherwise, and on SQLite, the ordinary checks run.
    """
    if connection.vendor != "postgresql" or not BATCH_ROW_TRIGGERS:
        yield
        return
    cursor.execute("SELECT current_setting('session_replication_role')")
    if cursor.fetchone()[0] != "origin":
        yield  # someone else's bulk session: leave it as it is
        return
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        yield  # not allowed for this role: the per-row checks run as usual
        return
    try:
        for model, column in ((Staff, "staff_id"), (Kpi, "kpi_id")):
            ids = rows[column].unique().to_list()
            cursor.execute(
                f"SELECT id FROM {connection.ops.quote_name(model._meta.db_table)}"  # noqa: S608 (table names are constants, values are bound)
                " WHERE id = ANY(%s) FOR KEY SHARE",
                [ids],
            )
            if len(cursor.fetchall()) != len(ids):
                raise IntegrityError(f"{model._meta.label} rows were deleted during the import")
    except IntegrityError:
        cursor.execute("SET LOCAL session_replication_role = origin")
        raise
    yield
    # Reached only when the write succeeded; after a failed one the transaction (or its
    # savepoint) rolls back, and that restores the setting too.
    cursor.execute("SET LOCAL session_replication_role = origin")


def _jsonable(value: Any) -> Any:
    """As ``audit.snapshot`` stores values (dates ISO, decimals as text)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _actor(actor: Any) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "system"
    return actor.pk, actor.get_username()[:200]
