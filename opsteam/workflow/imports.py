"""Event-log import: CSV and XES (IEEE 1849) files into the process event log.

A source (``EventSource``) keeps the column mapping: which column (CSV header, or XES attribute
key) holds the case, the step, the resource, the start and the completion time, with an optional
timestamp format and the time zone of naive timestamps. The import follows the shared engine's
rules (``opsteam/core/imports.py``): the file is read twice, streaming; the first pass checks
every row and lists every problem with row, column, value and reason while keeping only the case
ids and the preview; if anything is wrong nothing is written. The second pass writes all rows in
one transaction, in batches (``core.bulk.insert_rows``: COPY on PostgreSQL, executemany on
SQLite), and the ``ImportJob`` record commits with the data or not at all.

Re-importing: an import *replaces* the source's events of every case the file contains (the
events of other cases stay). Importing the same file twice therefore leaves the log as it was,
and a corrected export of some cases replaces their old events instead of adding to them. Pushes
through the API append instead and skip exact duplicates (``services_log.events_push``).

XES: traces are streamed with lxml's ``iterparse`` (entities unresolved, no network, elements
cleared as they are read). Within a trace, a ``start`` event is paired with the next
``complete`` event of the same activity (and resource) into one row; a ``complete`` without a
start has no start time; other lifecycle transitions and starts never completed are left out
(and counted in the message).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import time
import zoneinfo
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, bulk, policy
from opsteam.core.choices import AuditAction, AuditSource, ImportStatus
from opsteam.core.exceptions import ImportRejected
from opsteam.core.imports import MAX_STORED_ERRORS, CellError, ImportOutcome, RowError
from opsteam.core.models import ImportJob
from opsteam.core.spreadsheets import (
    _guess_delimiter,
    check_file,
    check_size,
    detect_csv_encoding,
)
from opsteam.workflow.choices import MapStatus, SourceKind
from opsteam.workflow.models import EventSource, ProcessEvent, Step

KIND_PREFIX = "workflow_events"  # ImportJob.kind is "workflow_events:<source id>"
BATCH_SIZE = 2000
PREVIEW_ROWS = 20
DELETE_CHUNK = 500
DEFAULT_TIME_ZONE = "Asia/Shanghai"
XES_EXTENSIONS = (".xes", ".xml")
CSV_EXTENSIONS = (".csv",)
XES_DEFAULTS = {
    "case": "case:concept:name",
    "step": "concept:name",
    "resource": "org:resource",
    "start": "time:timestamp",
    "complete": "time:timestamp",
}
CSV_GUESSES = {
    "case": ("case", "case_id", "case id", "caseid", "case:concept:name", "工单号", "案例", "单号"),
    "step": ("step", "activity", "concept:name", "环节", "步骤", "活动", "节点"),
    "resource": ("resource", "org:resource", "处理人", "负责人", "执行人", "员工"),
    "start": ("start", "start_time", "start_timestamp", "started_at", "开始时间", "开始"),
    "complete": (
        "complete",
        "end",
        "end_time",
        "completed_at",
        "time:timestamp",
        "timestamp",
        "完成时间",
        "结束时间",
        "完成",
    ),
}
# The model fields' limits, checked before anything is written.
MAX_LENGTHS = {"case": 120, "step": 160, "resource": 120}
FIELDS = ("case", "step", "resource", "start", "complete")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FALLBACK_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M:%S",
    "%Y/%m/%d",
    "%Y年%m月%d日",
)


def field_labels() -> dict[str, str]:
    """The mapped fields' names as users read them (translated at call time)."""
    return {
        "case": _("Case"),
        "step": _("Step"),
        "resource": _("Resource"),
        "start": _("Start"),
        "complete": _("Complete"),
    }


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which column (CSV header) or attribute key (XES) holds each field of an event.

    ``start`` and ``resource`` may be empty. For XES, ``case`` names a trace attribute as
    ``case:<key>``, and a ``start`` equal to ``complete`` means "pair lifecycle events".
    """

    case: str
    step: str
    complete: str
    resource: str = ""
    start: str = ""
    timestamp_format: str = ""
    timezone: str = DEFAULT_TIME_ZONE

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ColumnMapping:
        data = data or {}
        return cls(
            case=str(data.get("case") or ""),
            step=str(data.get("step") or ""),
            complete=str(data.get("complete") or ""),
            resource=str(data.get("resource") or ""),
            start=str(data.get("start") or ""),
            timestamp_format=str(data.get("timestamp_format") or ""),
            timezone=str(data.get("timezone") or DEFAULT_TIME_ZONE),
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "case": self.case,
            "step": self.step,
            "resource": self.resource,
            "start": self.start,
            "complete": self.complete,
            "timestamp_format": self.timestamp_format,
            "timezone": self.timezone,
        }

    def column(self, key: str) -> str:
        return getattr(self, key)

    def problems(self, available: list[str] | None = None) -> list[RowError]:
        """Return mapping problems: a required field unmapped, a column the file lacks, an
        unknown time zone (the file's own problems are found row by row)."""
        errors = []
        labels = field_labels()
        for key in ("case", "step", "complete"):
            if not self.column(key):
                errors.append(
                    RowError(None, labels[key], "", _("choose the column that holds it"), "mapping")
                )
        if available is not None:
            known = set(available)
            for key in FIELDS:
                name = self.column(key)
                if name and name not in known:
                    errors.append(
                        RowError(
                            1,
                            labels[key],
                            name,
                            _("the file has no column of this name"),
                            "missing_column",
                        )
                    )
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors.append(RowError(None, _("Time zone"), self.timezone, _("unknown time zone")))
        return errors


@dataclass(slots=True)
class RawEvent:
    """One row as read: ``number`` is the row (CSV), event (XES) or list index (API)."""

    number: int
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    number: int
    case: str
    step: str
    resource: str
    start: dt.datetime | None
    complete: dt.datetime


class TimestampParser:
    """Parse a timestamp cell: ISO 8601 (fast path), common Chinese/Excel forms, or the
    source's explicit ``strptime`` format. Naive values are read in ``time_zone``."""

    def __init__(self, fmt: str = "", time_zone: str = DEFAULT_TIME_ZONE) -> None:
        self.fmt = fmt
        self.zone = zoneinfo.ZoneInfo(time_zone or DEFAULT_TIME_ZONE)

    def __call__(self, text: str) -> dt.datetime:
        value = self._parse(text.strip())
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value

    def _parse(self, text: str) -> dt.datetime:
        if self.fmt:
            try:
                return dt.datetime.strptime(text, self.fmt)  # noqa: DTZ007 (zone added after)
            except ValueError as exc:
                raise CellError(
                    _("not a timestamp in the format {format}").format(format=self.fmt)
                ) from exc
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        for fmt in _FALLBACK_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt)  # noqa: DTZ007 (zone added after)
            except ValueError:
                continue
        raise CellError(_("not a timestamp (use YYYY-MM-DD HH:MM:SS, or set the format)"))


def validate_event(
    raw: RawEvent, parse_time: TimestampParser, columns: dict[str, str]
) -> tuple[ParsedEvent | None, list[RowError]]:
    """Check one row; return the parsed event (None when invalid) and its problems.

    ``columns`` names each field as the user knows it (the CSV header, the XES key, or the
    API field) so that every error points at the cell.
    """
    errors: list[RowError] = []
    values = raw.values
    text: dict[str, str] = {}
    for key in ("case", "step", "resource"):
        value = (values.get(key) or "").strip()
        if _CONTROL_CHARACTERS.search(value):
            errors.append(
                RowError(
                    raw.number,
                    columns[key],
                    _CONTROL_CHARACTERS.sub("\ufffd", value),
                    _("contains invisible control characters; retype the value"),
                )
            )
        elif len(value) > MAX_LENGTHS[key]:
            errors.append(
                RowError(
                    raw.number,
                    columns[key],
                    value[:200],
                    _("too long: at most {limit} characters").format(limit=MAX_LENGTHS[key]),
                )
            )
        elif not value and key != "resource":
            errors.append(
                RowError(raw.number, columns[key], "", _("required value is missing"), "required")
            )
        text[key] = value
    times: dict[str, dt.datetime | None] = {"start": None, "complete": None}
    for key in ("start", "complete"):
        value = (values.get(key) or "").strip()
        if not value:
            if key == "complete":
                errors.append(
                    RowError(
                        raw.number, columns[key], "", _("required value is missing"), "required"
                    )
                )
            continue
        try:
            times[key] = parse_time(value)
        except CellError as exc:
            errors.append(RowError(raw.number, columns[key], value[:200], str(exc)))
    start, complete = times["start"], times["complete"]
    if start is not None and complete is not None and complete < start:
        errors.append(
            RowError(
                raw.number,
                columns["complete"],
                (values.get("complete") or "").strip(),
                _("completes before it starts ({start})").format(
                    start=(values.get("start") or "").strip()
                ),
                "order",
            )
        )
    if errors or complete is None:
        return None, errors
    return (
        ParsedEvent(raw.number, text["case"], text["step"], text["resource"], start, complete),
        [],
    )


# Readers -------------------------------------------------------------------------------------


def file_kind(filename: str) -> str:
    """Return ``csv`` or ``xes`` from the file name, or raise ``ImportRejected``."""
    extension = PurePath(filename or "").suffix.lower()
    if extension in CSV_EXTENSIONS:
        return SourceKind.CSV
    if extension in XES_EXTENSIONS:
        return SourceKind.XES
    raise _reject(
        _("Unsupported file type {ext}: upload a .csv or .xes file.").format(ext=extension or "?")
    )


def _reject(message: str, row: int | None = None) -> ImportRejected:
    return ImportRejected(
        message,
        errors=[{"row": row, "column": None, "value": "", "reason": message, "code": "file"}],
    )


def _check_xes_file(handle: BinaryIO) -> None:
    check_size(handle)
    head = handle.read(4)
    handle.seek(0)
    if head.startswith(b"\x1f\x8b") or head.startswith(b"PK"):
        raise _reject(_("This file is compressed: unpack it and upload the .xes file."))


def _csv_lines(handle: BinaryIO, filename: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells) of a CSV file, streaming, with core's guards (type, size),
    encoding detection (UTF-8 with or without BOM, GB18030, UTF-16) and delimiter sniffing.

    ``core.spreadsheets.iter_rows`` does the same for every cell of every import; an event log
    needs five columns of millions of rows, so cells are left as the csv module reads them.
    """
    check_file(handle, filename)
    encoding = detect_csv_encoding(handle)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    number = 0
    try:
        first_line = text.readline()
        text.seek(0)
        reader = csv.reader(text, delimiter=_guess_delimiter(first_line))
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except UnicodeDecodeError as exc:
        raise _reject(
            _(
                "Row {row} could not be read as UTF-8 or GB18030 text: save the file as CSV UTF-8."
            ).format(row=number + 1),
            row=number + 1,
        ) from exc
    except csv.Error as exc:
        raise _reject(
            _("Row {row} is not valid CSV: {error}").format(row=number + 1, error=exc),
            row=number + 1,
        ) from exc
    finally:
        text.detach()


def _csv_header(lines: Iterator[tuple[int, list[str]]]) -> list[str]:
    for _number, cells in lines:
        if any(cell.strip() for cell in cells):
            return [cell.strip() for cell in cells]
    raise _reject(_("The file has no header row."), row=1)


def csv_header(handle: BinaryIO, filename: str) -> list[str]:
    """Return the CSV file's column names (its first non-blank row)."""
    lines = _csv_lines(handle, filename)
    try:
        return _csv_header(lines)
    finally:
        lines.close()
        handle.seek(0)


def _csv_events(handle: BinaryIO, filename: str, mapping: ColumnMapping) -> Iterator[RawEvent]:
    lines = _csv_lines(handle, filename)
    header = _csv_header(lines)
    index = {name: position for position, name in reversed(list(enumerate(header)))}
    positions = [
        (key, index[mapping.column(key)]) for key in FIELDS if mapping.column(key) in index
    ]
    for number, cells in lines:
        width = len(cells)
        values = {key: cells[position] if position < width else "" for key, position in positions}
        if width == 0 or not any(cells):
            continue
        yield RawEvent(number, values)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xes_parser(handle: BinaryIO) -> Any:
    from lxml import etree

    handle.seek(0)
    # Entities are never resolved, no DTD is loaded and nothing is fetched: an XES file is
    # data, and entity expansion or external entities would be an attack (XXE, billion laughs).
    return etree.iterparse(
        handle,
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )


def _attributes(element: Any) -> dict[str, str]:
    """The element's direct key/value attributes (string, date, int, float, boolean, id)."""
    values = {}
    for child in element:
        key = child.get("key")
        if key is not None and _local(child.tag) != "event":
            values[key] = child.get("value") or ""
    return values


def _iter_xes_traces(handle: BinaryIO) -> Iterator[tuple[dict[str, str], list[tuple[int, dict]]]]:
    """Yield each trace's attributes and its events (number, attributes), streaming."""
    from lxml import etree

    number = 0
    events: list[tuple[int, dict]] = []
    try:
        for action, element in _xes_parser(handle):
            name = _local(element.tag)
            if action == "start":
                if name == "trace":
                    events = []
                continue
            if name == "event":
                number += 1
                events.append((number, _attributes(element)))
                element.clear()
            elif name == "trace":
                yield _attributes(element), events
                element.clear()
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        raise _reject(
            _("The file is not valid XML near line {line}: {error}").format(
                line=line, error=exc.msg
            ),
            row=None,
        ) from exc


def xes_keys(handle: BinaryIO, *, sample: int = 500) -> list[str]:
    """Return the attribute keys of the first ``sample`` events, trace keys as ``case:<key>``."""
    keys: dict[str, None] = {}
    seen = 0
    for trace, events in _iter_xes_traces(handle):
        for key in trace:
            keys.setdefault(f"case:{key}")
        for _number, attributes in events:
            for key in attributes:
                keys.setdefault(key)
            seen += 1
        if seen >= sample:
            break
    handle.seek(0)
    if not keys:
        raise _reject(_("The file holds no XES traces or events."))
    return list(keys)


@dataclass
class XesCounts:
    """Events an XES read left out on purpose (told to the user, not errors)."""

    unpaired_starts: int = 0
    other_transitions: int = 0


def _xes_values(
    mapping: ColumnMapping, case: str, attributes: dict[str, str], start: str, resource: str
) -> dict[str, str]:
    return {
        "case": case,
        "step": attributes.get(mapping.step, ""),
        "resource": resource,
        "start": start,
        "complete": attributes.get(mapping.complete, ""),
    }


def _xes_events(handle: BinaryIO, mapping: ColumnMapping, counts: XesCounts) -> Iterator[RawEvent]:
    trace_case = mapping.case.startswith("case:")
    case_key = mapping.case.removeprefix("case:") if trace_case else mapping.case
    pairing = bool(mapping.start) and mapping.start == mapping.complete
    for trace, events in _iter_xes_traces(handle):
        pending: dict[tuple[str, str, str], deque] = defaultdict(deque)
        for number, attributes in events:
            case = trace.get(case_key, "") if trace_case else attributes.get(case_key, "")
            transition = attributes.get("lifecycle:transition", "complete").strip().lower()
            if transition not in ("start", "complete"):
                counts.other_transitions += 1
                continue
            activity = attributes.get(mapping.step, "")
            resource = attributes.get(mapping.resource, "") if mapping.resource else ""
            if transition == "start":
                if pairing:
                    pending[(case, activity, resource)].append(attributes)
                else:
                    counts.other_transitions += 1
                continue
            start = ""
            if pairing:
                queue = pending.get((case, activity, resource))
                if not queue and not resource:
                    # A completion that names nobody closes a start by anyone.
                    queue = next(
                        (
                            q
                            for (c, a, _r), q in pending.items()
                            if (c, a) == (case, activity) and q
                        ),
                        None,
                    )
                if queue:
                    opened = queue.popleft()
                    start = opened.get(mapping.start, "")
                    if not resource and mapping.resource:
                        resource = opened.get(mapping.resource, "")
            elif mapping.start:
                start = attributes.get(mapping.start, "")
            yield RawEvent(number, _xes_values(mapping, case, attributes, start, resource))
        counts.unpaired_starts += sum(len(queue) for queue in pending.values())


# The import ----------------------------------------------------------------------------------


def import_kind(source: EventSource) -> str:
    """The ``ImportJob.kind`` of a source's imports (one history per source)."""
    return f"{KIND_PREFIX}:{source.pk}"


def read_columns(handle: BinaryIO, filename: str) -> list[str]:
    """Return what a mapping can choose from: the CSV header, or the XES attribute keys."""
    if file_kind(filename) == SourceKind.CSV:
        return csv_header(handle, filename)
    _check_xes_file(handle)
    return xes_keys(handle)


def sample_rows(handle: BinaryIO, filename: str, *, count: int = 5) -> list[list[str]]:
    """Return the first ``count`` data rows of a CSV file as read (for the mapping page); an
    XES file has no rows to show before the mapping picks its keys."""
    if file_kind(filename) != SourceKind.CSV:
        return []
    lines = _csv_lines(handle, filename)
    rows: list[list[str]] = []
    try:
        _csv_header(lines)
        for _number, cells in lines:
            if any(cell.strip() for cell in cells):
                rows.append(cells)
            if len(rows) >= count:
                break
    finally:
        lines.close()
        handle.seek(0)
    return rows


def guess_mapping(columns: list[str], kind: str) -> dict[str, str]:
    """Propose a mapping for ``columns``: XES standard keys, or well-known CSV headers."""
    if kind == SourceKind.XES:
        return {key: value for key, value in XES_DEFAULTS.items() if value in columns}
    lowered = {column.strip().lower(): column for column in columns}
    guess = {}
    for key, names in CSV_GUESSES.items():
        for name in names:
            if name in lowered:
                guess[key] = lowered[name]
                break
    return guess


@dataclass
class Lookups:
    """Staff by employee number or username, steps of the published map by code or name."""

    staff: dict[str, int] = field(default_factory=dict)
    steps: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, process_id: int) -> Lookups:
        from opsteam.org.models import Staff

        staff: dict[str, int] = {}
        rows = list(Staff.objects.values_list("pk", "employee_no", "user__username"))
        for pk, _employee_no, username in rows:
            if username:
                staff[username.lower()] = pk
        for pk, employee_no, _username in rows:
            staff[employee_no.lower()] = pk  # an employee number wins over a username
        steps: dict[str, int] = {}
        published = Step.objects.filter(
            map__process_id=process_id, map__status=MapStatus.PUBLISHED
        ).values_list("pk", "code", "name", "name_en")
        for pk, code, name, name_en in published:
            for key in (name_en, name, code):
                if key:
                    steps[key.strip().lower()] = pk
        return cls(staff=staff, steps=steps)

    def staff_id(self, resource: str) -> int | None:
        return self.staff.get(resource.lower()) if resource else None

    def step_id(self, step: str) -> int | None:
        return self.steps.get(step.lower())


EVENT_FIELDS = (
    "process",
    "source",
    "case_id",
    "step_name",
    "step",
    "resource",
    "staff",
    "started_at",
    "completed_at",
    "attributes",
)


def event_row(
    event: ParsedEvent, *, process_id: int, source_id: int | None, lookups: Lookups
) -> tuple[Any, ...]:
    """The insert tuple (``EVENT_FIELDS`` order) of a validated event."""
    return (
        process_id,
        source_id,
        event.case,
        event.step,
        lookups.step_id(event.step),
        event.resource,
        lookups.staff_id(event.resource),
        event.start,
        event.complete,
        {},
    )


def _sha256(handle: BinaryIO) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    while chunk := handle.read(1 << 16):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


class _Run:
    """One import attempt: reads the file as its kind says and keeps what the passes share."""

    def __init__(self, source: EventSource, mapping: ColumnMapping, filename: str) -> None:
        self.source = source
        self.mapping = mapping
        self.filename = filename
        self.kind = file_kind(filename)
        self.counts = XesCounts()
        self.parse_time = TimestampParser(mapping.timestamp_format, mapping.timezone)
        self.columns = {key: mapping.column(key) or field_labels()[key] for key in FIELDS}

    def events(self, handle: BinaryIO) -> Iterator[RawEvent]:
        handle.seek(0)
        if self.kind == SourceKind.CSV:
            return _csv_events(handle, self.filename, self.mapping)
        self.counts = XesCounts()
        return _xes_events(handle, self.mapping, self.counts)

    def valid_events(self, handle: BinaryIO) -> Iterator[ParsedEvent]:
        for raw in self.events(handle):
            parsed, _errors = validate_event(raw, self.parse_time, self.columns)
            if parsed is not None:
                yield parsed


def _preview(event: ParsedEvent, lookups: Lookups) -> dict[str, Any]:
    return {
        "row": event.number,
        "case": event.case,
        "step": event.step,
        "step_matched": lookups.step_id(event.step) is not None,
        "resource": event.resource,
        "staff_matched": lookups.staff_id(event.resource) is not None,
        "start": timezone.localtime(event.start) if event.start else None,
        "complete": timezone.localtime(event.complete),
    }


def events_import(
    *,
    actor: Any,
    source: EventSource,
    handle: BinaryIO,
    filename: str,
    mapping: ColumnMapping | None = None,
    dry_run: bool = False,
    origin: str = AuditSource.WEB,
) -> ImportOutcome:
    """Check every row of an event-log file, then (unless ``dry_run``) replace the source's
    events of the cases the file contains, all in one transaction.

    Raises ``PolicyDenied``/``NotVisible`` when the actor may not import into the source and
    ``ImportRejected`` (every problem listed, the outcome attached) when the file or a row is
    invalid: then only the ``ImportJob`` record is written. A committed import records an
    ``import`` audit entry on the source with the counts (one entry for the file, tagged with
    the import job, rather than one per event: an event log holds millions of rows).
    """
    policy.require(actor, "import", source)
    started = time.monotonic()
    mapping = mapping or ColumnMapping.from_dict(source.mapping)
    job = ImportJob(
        kind=import_kind(source),
        file_name=filename[:255],
        file_sha256=_sha256(handle),
        source=origin,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    outcome = ImportOutcome(job=job, dry_run=dry_run)
    error_total = 0
    cases: set[str] = set()

    def finish(status: str) -> None:
        job.status = status
        job.rows_total = outcome.rows_total
        job.rows_created, job.rows_updated, job.rows_unchanged = (
            outcome.created,
            outcome.updated,
            outcome.unchanged,
        )
        job.error_count = error_total
        job.errors = [error.as_dict() for error in outcome.errors[:MAX_STORED_ERRORS]]
        job.message = outcome.message[:500]
        job.duration_ms = int((time.monotonic() - started) * 1000)
        job.save()

    lookups = Lookups.load(source.process_id)
    run: _Run | None = None
    try:
        run = _Run(source, mapping, filename)
        if run.kind == SourceKind.XES:
            _check_xes_file(handle)
            available = None  # XES keys vary per event: missing ones are found row by row
        else:
            available = csv_header(handle, filename)
        mapping_errors = mapping.problems(available)
        outcome.errors.extend(mapping_errors)
        error_total += len(mapping_errors)
        if not mapping_errors:
            for raw in run.events(handle):
                outcome.rows_total += 1
                parsed, errors = validate_event(raw, run.parse_time, run.columns)
                if errors:
                    error_total += len(errors)
                    room = MAX_STORED_ERRORS - len(outcome.errors)
                    if room > 0:
                        outcome.errors.extend(errors[:room])
                    continue
                cases.add(parsed.case)
                if len(outcome.preview) < PREVIEW_ROWS:
                    outcome.preview.append(_preview(parsed, lookups))
    except ImportRejected as exc:
        for error in exc.errors:
            outcome.errors.append(
                RowError(
                    error.get("row"),
                    error.get("column"),
                    error.get("value", ""),
                    error.get("reason", ""),
                    error.get("code", "file"),
                )
            )
            error_total += 1
    if not outcome.errors and outcome.rows_total == 0:
        outcome.errors.append(RowError(None, None, "", _("The file holds no events."), "file"))
        error_total += 1
    skipped_messages = []
    if run is not None and run.counts.unpaired_starts:
        skipped_messages.append(
            _(
                "{count} start events without a completion were left out (cases still running?)."
            ).format(count=run.counts.unpaired_starts)
        )
    if run is not None and run.counts.other_transitions:
        skipped_messages.append(
            _("{count} events of other lifecycle transitions were left out.").format(
                count=run.counts.other_transitions
            )
        )
    outcome.skipped = (
        run.counts.unpaired_starts + run.counts.other_transitions if run is not None else 0
    )
    if outcome.errors:
        if error_total > len(outcome.errors):
            outcome.message = _(
                "{total} problems found; the first {shown} are listed. Nothing was written."
            ).format(total=error_total, shown=len(outcome.errors))
        finish(ImportStatus.REJECTED)
        raise ImportRejected(
            _("{count} problem(s) found; nothing was written.").format(count=error_total),
            errors=[error.as_dict() for error in outcome.errors],
        ).with_outcome(outcome)
    outcome.message = " ".join(skipped_messages)
    if dry_run:
        finish(ImportStatus.PREVIEWED)
        return outcome
    with transaction.atomic():
        finish(ImportStatus.COMMITTED)  # the history row commits with the data, or not at all
        with audit.context(
            source=AuditSource.IMPORT,
            import_job_id=job.pk,
            remote_addr=audit.current_context().remote_addr,
        ):
            replaced = delete_case_events(source=source, cases=cases)
            created = bulk.insert_rows(
                ProcessEvent,
                EVENT_FIELDS,
                (
                    event_row(
                        event, process_id=source.process_id, source_id=source.pk, lookups=lookups
                    )
                    for event in run.valid_events(handle)
                ),
                batch_size=BATCH_SIZE,
            )
            before = audit.snapshot(source)
            source.last_import_at = timezone.now()
            source.mapping = mapping.as_dict()
            source.save(update_fields=["last_import_at", "mapping", "updated_at"])
            audit.record(
                actor=actor,
                action=AuditAction.IMPORT,
                obj=source,
                before=before,
                after={
                    **audit.snapshot(source),
                    "file": filename[:255],
                    "events_created": created,
                    "events_replaced": replaced,
                    "cases": len(cases),
                },
                note=_("{created} events imported, {replaced} replaced").format(
                    created=created, replaced=replaced
                ),
            )
        outcome.created = created
        if replaced:
            replaced_message = _("{count} earlier events of these cases were replaced.").format(
                count=replaced
            )
            outcome.message = " ".join([replaced_message, *skipped_messages])
        finish(ImportStatus.COMMITTED)
    return outcome


def delete_case_events(*, source: EventSource, cases: set[str] | None) -> int:
    """Delete the source's events of ``cases`` (all of them when ``cases`` is None); return
    the count. A helper of the import and of ``services_log``: no policy, no audit here."""
    events = ProcessEvent.objects.filter(process_id=source.process_id, source=source)
    if cases is None:
        return events.delete()[0]
    deleted = 0
    ordered = sorted(cases)
    for offset in range(0, len(ordered), DELETE_CHUNK):
        deleted += events.filter(case_id__in=ordered[offset : offset + DELETE_CHUNK]).delete()[0]
    return deleted
