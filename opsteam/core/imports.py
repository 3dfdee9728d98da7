"""The import engine behind the UI upload, the API and ``opsteam import``.

An import reads the file twice, streaming: the first pass validates every row and collects
every problem (row, column, value, reason) while keeping only the keys cross-row checks need;
if anything is wrong nothing is written. The second pass writes all rows in one transaction,
in batches, with one audit entry per changed row. A killed process leaves nothing behind.

Columns missing from the file leave the existing values of updated rows alone (new rows get
the column's default), so a file with fewer columns never blanks out data it does not carry.

Kinds with millions of rows subclass ``FrameImportSpec`` instead: the engine reads the whole
file into a polars DataFrame of text (``core.frames``), the spec validates and writes it with
vectorised code, and everything else (policy, history record, one transaction, every problem
listed, dry run, audit context) is the same for both kinds of spec.
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsteam.core import audit, policy
from opsteam.core.choices import AuditSource, ImportStatus
from opsteam.core.exceptions import ImportRejected
from opsteam.core.models import ImportJob
from opsteam.core.spreadsheets import SheetRow, cell_text, iter_rows

if TYPE_CHECKING:
    import polars as pl

MAX_STORED_ERRORS = 5000
MAX_INTEGER = 2_147_483_647  # the largest value every supported database stores in an integer
Progress = Callable[[int], None]
Stage = Callable[[str, int], None]  # ("check", 0) before validating, ("write", rows) before writing

# C0 control characters other than tab, line feed and carriage return: invisible in a
# spreadsheet, refused by PostgreSQL (NUL) and by xlsx writers, never meant as data.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class CellError(ValueError):
    """Raised by a parser with the reason shown to the user."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int | None
    column: str | None
    value: str
    reason: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "code": self.code,
        }


def parse_text(value: Any) -> str:
    return cell_text(value)


DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)
_EXCEL_SERIAL_RANGE = (1, 2_958_465)  # 1900-01-01 .. 9999-12-31 as Excel day numbers


def parse_date(value: Any) -> dt.date | None:
    """Parse a date cell: a spreadsheet date, or text like 2024-03-01, 2024/3/1, 2024年3月1日.

    A number in an xlsx cell is read as YYYYMMDD when it has eight digits, else as an Excel
    day number (a date cell whose date format was lost).
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = _EXCEL_SERIAL_RANGE
        if not 10_000_000 <= value <= 99_999_999 and low <= value <= high:
            from openpyxl.utils.datetime import from_excel

            converted = from_excel(value)
            return converted.date() if isinstance(converted, dt.datetime) else converted
    text = cell_text(value)
    if len(text) == 10 and text[4] == "-":
        try:
            return dt.date.fromisoformat(text)  # the template's format, and the fast path
        except ValueError:
            pass
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    raise CellError(_("not a date (use YYYY-MM-DD)"))


def parse_email(value: Any) -> str:
    text = cell_text(value)
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError as exc:
        raise CellError(_("not a valid email address")) from exc
    return text.lower()


def parse_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(cell_text(value))
    except InvalidOperation as exc:
        raise CellError(_("not a whole number")) from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError(_("not a whole number"))
    if abs(number) > MAX_INTEGER:
        raise CellError(_("too large (at most {limit})").format(limit=MAX_INTEGER))
    return int(number)


def parse_non_negative_int(value: Any) -> int | None:
    number = parse_int(value)
    if number is not None and number < 0:
        raise CellError(_("must not be negative"))
    return number


def choice_parser(choices: Any) -> Callable[[Any], str]:
    """Accept a choice's value or its label in either language."""
    lookup: dict[str, str] = {}

    def build() -> dict[str, str]:
        # Built on first use (translations are not ready at import time), then reused: the
        # parser runs once per row of files with 100k rows.
        from django.conf import settings
        from django.utils import translation

        for key, _label in choices.choices:
            lookup[key.lower()] = key
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for key, label in choices.choices:
                    lookup.setdefault(str(label).lower(), key)
        return lookup

    def parse(value: Any) -> str:
        text = cell_text(value)
        if not text:
            return ""
        table = lookup or build()
        if text.lower() not in table:
            allowed = ", ".join(key for key, _label in choices.choices)
            raise CellError(_("unknown value; use one of: {allowed}").format(allowed=allowed))
        return table[text.lower()]

    return parse


@dataclass(frozen=True)
class ImportColumn:
    """A column of an import template; headers are accepted in Chinese, English or as the key."""

    key: str
    header_zh: str
    header_en: str
    required: bool = False
    parse: Callable[[Any], Any] = parse_text
    example: str = ""
    help_text: Any = ""
    max_length: int | None = None  # of the text as typed (the model field's limit)

    def headers(self) -> set[str]:
        return {normalise_header(h) for h in (self.key, self.header_zh, self.header_en)}


_HEADER_NOISE = re.compile(r"[\s*＊:：]|\(.*?\)|（.*?）")


def normalise_header(text: Any) -> str:
    return _HEADER_NOISE.sub("", cell_text(text)).lower()


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]
    # Keys whose cell was invalid (their value is the column's empty default). Such rows are
    # still checked against the rest of the file so that every problem is listed at once;
    # they never reach ``write``.
    invalid: frozenset[str] = frozenset()


@dataclass
class ImportOutcome:
    """What an import did (or, for a dry run, would do)."""

    job: ImportJob
    dry_run: bool
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    # Rows deliberately left alone (e.g. values entered by hand that an import never
    # overwrites): not errors, but the user must be told. ``message`` says so in words and is
    # stored on the history record.
    skipped: int = 0
    message: str = ""
    batch: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


class BaseImportSpec:
    """What every import kind declares: kind, model, title, columns and the key column."""

    do_not_call_in_templates = True  # templates list the classes themselves
    kind: ClassVar[str]
    model: ClassVar[Any]
    title: ClassVar[Any]
    columns: ClassVar[tuple[ImportColumn, ...]]
    key: ClassVar[str]

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        # Keys of the columns the file has; the engine sets it from the header row. Writes
        # apply only these to existing rows.
        self.present: frozenset[str] = frozenset(column.key for column in self.columns)

    def has(self, key: str) -> bool:
        """Whether the file has column ``key`` (absent columns leave existing values alone)."""
        return key in self.present

    def preview_row(self, row: ParsedRow) -> dict[str, Any]:
        return {column.key: cell_text(row.values.get(column.key)) for column in self.columns}

    def header_label(self, key: str) -> str:
        from django.utils.translation import get_language

        column = next(c for c in self.columns if c.key == key)
        return column.header_en if (get_language() or "").startswith("en") else column.header_zh


class ImportSpec(BaseImportSpec, abc.ABC):
    """What one kind of import reads and how it checks and writes rows.

    Subclasses declare ``columns`` and the natural ``key`` column and implement the hooks.
    ``prepare`` loads lookups in a bounded number of queries; ``check_row`` and
    ``check_file`` report problems; ``write`` upserts the rows (second pass).
    """

    @abc.abstractmethod
    def prepare(self) -> None: ...

    @abc.abstractmethod
    def check_row(self, row: ParsedRow) -> list[RowError]: ...

    def check_file(self) -> list[RowError]:
        return []

    @abc.abstractmethod
    def write(self, rows: Iterator[ParsedRow], progress: Progress | None) -> tuple[int, int, int]:
        """Write rows; return (created, updated, unchanged)."""


class FrameImportSpec(BaseImportSpec, abc.ABC):
    """A vectorised import kind: checks and writes the whole file as one polars DataFrame.

    The engine reads the file into a frame of text (``core.frames.read_frame``): a ``ROW``
    column with the row number the user sees, one ``pl.String`` column per declared column
    (null for an empty cell or a column the file lacks; ``has(key)`` tells which) and a boolean
    ``frames.invalid_flag(key)`` column per declared column. The engine itself reports header
    problems, empty required cells, control characters and over-long text, blanks those cells
    and flags them, so ``validate`` skips checks that need them (as ``ParsedRow.invalid``).

    ``validate`` returns every other problem; ``write`` runs only when there is none, inside
    the import's transaction and audit context, and returns (created, updated, unchanged).
    Set ``skipped`` and ``message`` to tell the user about rows left alone on purpose.
    """

    # The name the uploader gave this batch ("" = let the spec derive one from the file).
    batch: str = ""

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        self.skipped = 0
        self.message = ""

    @abc.abstractmethod
    def validate(self, frame: pl.DataFrame) -> list[RowError]:
        """Return every problem of the frame's rows (nothing is written)."""

    @abc.abstractmethod
    def write(self, frame: pl.DataFrame, job: ImportJob) -> tuple[int, int, int]:
        """Write the validated frame; return (created, updated, unchanged)."""

    def batch_name(self, job: ImportJob) -> str:
        """The batch given at upload, else one derived from the file name and checksum."""
        return self.batch or derive_batch_name(job.file_name, job.file_sha256)


def derive_batch_name(file_name: str, sha256: str, *, max_length: int = 120) -> str:
    """``<file stem>-<first 12 hex digits of the checksum>``: the same file, the same name."""
    from pathlib import PurePath

    suffix = f"-{sha256[:12]}" if sha256 else ""
    stem = PurePath(file_name or "import").stem or "import"
    return stem[: max_length - len(suffix)] + suffix


def map_header(
    spec: BaseImportSpec, header: SheetRow
) -> tuple[dict[int, ImportColumn], list[RowError]]:
    """Map header cells to the spec's columns; report unknown, duplicate and missing ones."""
    return _map_header(spec, header)


def _map_header(
    spec: BaseImportSpec, header: SheetRow
) -> tuple[dict[int, ImportColumn], list[RowError]]:
    lookup: dict[str, ImportColumn] = {}
    for column in spec.columns:
        for name in column.headers():
            lookup[name] = column
    mapping: dict[int, ImportColumn] = {}
    errors: list[RowError] = []
    seen: set[str] = set()
    for index, raw in enumerate(header.cells):
        name = normalise_header(raw)
        if not name:
            continue
        column = lookup.get(name)
        if column is None:
            errors.append(
                RowError(
                    header.number,
                    cell_text(raw),
                    cell_text(raw),
                    _("unknown column; remove it or use the template"),
                    "unknown_column",
                )
            )
            continue
        if column.key in seen:
            errors.append(
                RowError(
                    header.number,
                    cell_text(raw),
                    cell_text(raw),
                    _("column appears twice"),
                    "duplicate_column",
                )
            )
            continue
        seen.add(column.key)
        mapping[index] = column
    for column in spec.columns:
        if column.required and column.key not in seen:
            errors.append(
                RowError(
                    header.number,
                    spec.header_label(column.key),
                    "",
                    _("required column is missing"),
                    "missing_column",
                )
            )
    return mapping, errors


def _parse_row(
    spec: ImportSpec, sheet_row: SheetRow, mapping: dict[int, ImportColumn]
) -> tuple[ParsedRow, list[RowError]]:
    """Parse one data row; returns the row (invalid cells left empty) and its problems."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    invalid: set[str] = set()
    for index, column in mapping.items():
        raw = sheet_row.cells[index] if index < len(sheet_row.cells) else None
        if isinstance(raw, str):
            problem = None
            if _CONTROL_CHARACTERS.search(raw):
                problem = _("contains invisible control characters; retype the value")
            elif column.max_length is not None and len(raw) > column.max_length:
                problem = _("too long: at most {limit} characters").format(limit=column.max_length)
            if problem is not None:
                shown = _CONTROL_CHARACTERS.sub("\ufffd", raw)
                errors.append(
                    RowError(sheet_row.number, spec.header_label(column.key), shown, problem)
                )
                invalid.add(column.key)
                continue
        if raw in (None, ""):
            if column.required:
                invalid.add(column.key)
                errors.append(
                    RowError(
                        sheet_row.number,
                        spec.header_label(column.key),
                        "",
                        _("required value is missing"),
                        "required",
                    )
                )
            raw = None
        try:
            values[column.key] = column.parse(raw)
        except CellError as exc:
            errors.append(
                RowError(sheet_row.number, spec.header_label(column.key), cell_text(raw), str(exc))
            )
            invalid.add(column.key)
    for column in spec.columns:
        values.setdefault(column.key, column.parse(None))
    row = ParsedRow(number=sheet_row.number, values=values, invalid=frozenset(invalid))
    return row, errors


def _is_blank(sheet_row: SheetRow) -> bool:
    return all(cell in (None, "") for cell in sheet_row.cells)


def _header(rows: Iterator[SheetRow]) -> SheetRow | None:
    """Return the first non-blank row (blank rows above the header are skipped)."""
    for sheet_row in rows:
        if not _is_blank(sheet_row):
            return sheet_row
    return None


def _valid_rows(
    spec: ImportSpec, rows: Iterator[SheetRow], mapping: dict[int, ImportColumn]
) -> Iterator[ParsedRow]:
    """Second pass: re-parse rows the first pass already validated."""
    for sheet_row in rows:
        if _is_blank(sheet_row):
            continue
        parsed, errors = _parse_row(spec, sheet_row, mapping)
        if not errors:
            yield parsed


def _sha256(handle: BinaryIO) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    while chunk := handle.read(1 << 16):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def _first_pass(
    spec: ImportSpec,
    handle: BinaryIO,
    filename: str,
    outcome: ImportOutcome,
    progress: Progress | None,
) -> dict[int, ImportColumn]:
    rows = iter_rows(handle, filename)
    header = _header(rows)
    if header is None:
        raise ImportRejected(
            _("The file has no header row."),
            errors=[
                {
                    "row": 1,
                    "column": None,
                    "value": "",
                    "reason": _("The file has no header row."),
                    "code": "file",
                }
            ],
        )
    mapping, errors = _map_header(spec, header)
    outcome.errors.extend(errors)
    if not mapping:
        return mapping  # nothing recognisable: the header problems say it all
    # Header problems do not stop the rows from being checked, nor do invalid cells stop a row
    # from being checked against lookups and the rest of the file: every problem is listed at
    # once. Specs see a missing column or an invalid cell as an empty value (``row.invalid``
    # names the invalid ones) and skip the checks that need it.
    spec.present = frozenset(column.key for column in mapping.values())
    spec.prepare()
    for sheet_row in rows:
        if _is_blank(sheet_row):
            continue
        outcome.rows_total += 1
        parsed, errors = _parse_row(spec, sheet_row, mapping)
        outcome.errors.extend(errors)
        outcome.errors.extend(spec.check_row(parsed))
        if not errors and len(outcome.preview) < 20:
            outcome.preview.append({"row": parsed.number, **spec.preview_row(parsed)})
        if progress is not None and outcome.rows_total % 500 == 0:
            progress(outcome.rows_total)
    if progress is not None:
        progress(outcome.rows_total)
    outcome.errors.extend(spec.check_file())
    return mapping


def _frame_first_pass(
    spec: FrameImportSpec,
    handle: BinaryIO,
    filename: str,
    outcome: ImportOutcome,
    progress: Progress | None,
) -> pl.DataFrame | None:
    """Read the whole file into a frame and collect every problem (vectorised specs)."""
    from opsteam.core import frames

    sheet = frames.read_frame(spec, handle, filename)
    outcome.errors.extend(sheet.errors)
    if not sheet.present:
        return None  # nothing recognisable: the header problems say it all
    spec.present = sheet.present
    frame = sheet.frame
    outcome.rows_total = frame.height
    outcome.errors.extend(spec.validate(frame))
    if not outcome.errors:
        outcome.preview = frames.preview(frame, spec.columns)
    if progress is not None:
        progress(outcome.rows_total)
    return frame


def run_import(
    *,
    actor: Any,
    spec_class: type[BaseImportSpec],
    handle: BinaryIO,
    filename: str,
    dry_run: bool = False,
    source: str = AuditSource.WEB,
    progress: Progress | None = None,
    stage: Stage | None = None,
    batch: str | None = None,
) -> ImportOutcome:
    """Validate every row of the file, then (unless ``dry_run``) write all rows or none.

    Raises ``PolicyDenied`` when the actor may not import this kind and ``ImportRejected``
    (with every problem listed) when the file or any row is invalid; in that case nothing is
    written except the import-history record. Writes audit entries tagged with the import.

    ``progress`` receives the number of rows done so far in the current stage; ``stage`` is
    told when a stage starts: ``("check", 0)`` and ``("write", rows_total)``. ``batch`` names
    the batch for kinds that keep one (``FrameImportSpec.batch``); others ignore it.
    """
    policy.require(actor, "import", spec_class.model)
    started = time.monotonic()
    spec = spec_class(actor)
    vectorised = isinstance(spec, FrameImportSpec)
    if vectorised and batch:
        spec.batch = batch.strip()
    job = ImportJob(
        kind=spec.kind,
        file_name=filename[:255],
        file_sha256=_sha256(handle),
        source=source,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    outcome = ImportOutcome(job=job, dry_run=dry_run)
    if vectorised:
        outcome.batch = spec.batch_name(job)
    if stage is not None:
        stage("check", 0)
    mapping: dict[int, ImportColumn] = {}
    frame = None
    try:
        if vectorised:
            frame = _frame_first_pass(spec, handle, filename, outcome, progress)
        else:
            mapping = _first_pass(spec, handle, filename, outcome, progress)
    except ImportRejected as exc:
        outcome.errors.extend(
            RowError(
                e.get("row"),
                e.get("column"),
                e.get("value", ""),
                e.get("reason", ""),
                e.get("code", "file"),
            )
            for e in exc.errors
        )

    def finish(status: str) -> None:
        job.status = status
        job.rows_total = outcome.rows_total
        job.rows_created, job.rows_updated, job.rows_unchanged = (
            outcome.created,
            outcome.updated,
            outcome.unchanged,
        )
        job.error_count = len(outcome.errors)
        job.errors = [error.as_dict() for error in outcome.errors[:MAX_STORED_ERRORS]]
        job.message = outcome.message[:500]
        job.duration_ms = int((time.monotonic() - started) * 1000)
        job.save()

    if outcome.errors:
        outcome.errors.sort(key=lambda e: (e.row or 0, e.column or ""))
        finish(ImportStatus.REJECTED)
        raise ImportRejected(
            _("{count} problem(s) found; nothing was written.").format(count=len(outcome.errors)),
            errors=[error.as_dict() for error in outcome.errors],
        ).with_outcome(outcome)
    if dry_run:
        finish(ImportStatus.PREVIEWED)
        return outcome
    if stage is not None:
        stage("write", outcome.rows_total)
    try:
        with transaction.atomic():
            finish(ImportStatus.COMMITTED)  # the history row commits with the data, or not at all
            with audit.context(
                source=AuditSource.IMPORT,
                import_job_id=job.pk,
                remote_addr=audit.current_context().remote_addr,
            ):
                if vectorised:
                    counts = spec.write(frame, job) if frame is not None else (0, 0, 0)
                    outcome.skipped, outcome.message = spec.skipped, spec.message
                    if progress is not None:
                        progress(outcome.rows_total)
                else:
                    rows = iter_rows(handle, filename)
                    _header(rows)
                    counts = spec.write(_valid_rows(spec, rows, mapping), progress)
            outcome.created, outcome.updated, outcome.unchanged = counts
            finish(ImportStatus.COMMITTED)
    except IntegrityError as exc:
        # The data changed between the two passes (another user or import): nothing was
        # written; keep a rejected history record that says so instead of a server error.
        reason = _(
            "The data changed while the file was being imported; nothing was written. Import the file again."
        )
        job.pk = None
        job._state.adding = True
        outcome.message = reason
        outcome.created = outcome.updated = outcome.unchanged = outcome.skipped = 0
        outcome.errors.append(RowError(None, None, "", reason, "conflict"))
        finish(ImportStatus.REJECTED)
        raise ImportRejected(reason, errors=[e.as_dict() for e in outcome.errors]).with_outcome(
            outcome
        ) from exc
    return outcome


def template_rows(spec_class: type[BaseImportSpec]) -> tuple[list[str], list[str]]:
    """Return the bilingual header row and an example row for a downloadable template."""
    header = []
    example = []
    for column in spec_class.columns:
        mark = "*" if column.required else ""
        header.append(f"{column.header_zh}{mark} ({column.header_en})")
        example.append(column.example)
    return header, example


REGISTRY: dict[str, type[BaseImportSpec]] = {}


def register(spec_class: type[BaseImportSpec]) -> type[BaseImportSpec]:
    """Class decorator: make an import kind available to the UI, API and CLI."""
    REGISTRY[spec_class.kind] = spec_class
    return spec_class


def get_spec(kind: str) -> type[BaseImportSpec]:
    try:
        return REGISTRY[kind]
    except KeyError as exc:
        raise ImportRejected(gettext_lazy("Unknown import kind.")) from exc
