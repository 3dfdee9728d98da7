"""Portable backups: ``opsteam backup`` and ``opsteam restore``.

A backup is a zip file:

- ``manifest.json``: format and version, when it was taken, the OpsTeam and Django versions,
  the database vendor, the applied migrations per app and the tables in dependency order,
  each with its columns (name and portable type), row count and SHA-256 checksum;
- ``tables/<table>.jsonl``: one line per row, ordered by primary key, each line a JSON array of
  the column values in the manifest's column order.

Values use one canonical, database-independent encoding (see ``encode``): datetimes ISO 8601
in UTC with microseconds, dates and times ISO, decimals as strings with the column's decimal
places, JSON columns as JSON (keys sorted), binary as base64, UUIDs with dashes, durations as
integer microseconds, NULL as ``null``. Lines are written with sorted keys, no spaces and
UTF-8, so a table's checksum (SHA-256 of its file) depends on the data only: a backup of the
restored database has the same checksums, whether it runs on SQLite or PostgreSQL.

The table list comes from the models of the *applied* migration state (historical models, as in
data migrations), not from the code's current models, so a database whose code is ahead of its
migrations can still be backed up, and ``restore --migrate`` can rebuild the backup's schema.
``django_migrations`` is included; restore reloads it, ``django_content_type`` and
``auth_permission`` from the backup (``migrate`` fills them in every new database).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import decimal
import hashlib
import json
import math
import os
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import django
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import ExpressionWrapper, F
from django.db.models.functions import Collate
from django.utils import timezone

FORMAT = "opsteam-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
TABLE_DIR = "tables"
CHUNK_ROWS = 2000
MIGRATIONS_TABLE = MigrationRecorder.Migration._meta.db_table  # django_migrations
# Rows that ``migrate`` writes into every new database: restore replaces them with the backup's.
MIGRATE_CREATED_TABLES = frozenset({MIGRATIONS_TABLE, "django_content_type", "auth_permission"})

# progress(stage, table, rows done in the stage, rows in the stage)
ProgressCallback = Callable[[str, str, int, int], None]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; ``problems`` lists every reason."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join([self.message, *(f"  - {problem}" for problem in self.problems)])


class ArchiveInvalid(BackupError):
    """The zip file is not a backup, or a table file does not match its checksum."""


class RestoreRefused(BackupError):
    """The target database is not empty or not at the backup's migration state."""


class RestoreFailed(BackupError):
    """The database refused the backup's rows (the restore was rolled back)."""


class RestoreMismatch(RestoreFailed):
    """The restored tables do not match the manifest (the restore was rolled back)."""

    def __init__(self, message: str, results: Sequence[TableResult]) -> None:
        super().__init__(message, [r.describe() for r in results if not r.ok])
        self.results = list(results)


# Canonical encoding ----------------------------------------------------------------------------

_INTERNAL_KINDS = {
    "AutoField": "int",
    "BigAutoField": "int",
    "SmallAutoField": "int",
    "IntegerField": "int",
    "BigIntegerField": "int",
    "SmallIntegerField": "int",
    "PositiveIntegerField": "int",
    "PositiveBigIntegerField": "int",
    "PositiveSmallIntegerField": "int",
    "FloatField": "float",
    "DecimalField": "decimal",
    "BooleanField": "bool",
    "NullBooleanField": "bool",
    "CharField": "text",
    "TextField": "text",
    "SlugField": "text",
    "FileField": "text",
    "ImageField": "text",
    "FilePathField": "text",
    "GenericIPAddressField": "text",
    "IPAddressField": "text",
    "DateTimeField": "datetime",
    "DateField": "date",
    "TimeField": "time",
    "DurationField": "duration",
    "UUIDField": "uuid",
    "BinaryField": "binary",
    "JSONField": "json",
}
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def column_kind(model_field: models.Field) -> str:
    """The portable type of a concrete field (a foreign key has its target's type)."""
    target = model_field
    while target.is_relation and (target.many_to_one or target.one_to_one):
        target = target.target_field
    internal = target.get_internal_type()
    try:
        return _INTERNAL_KINDS[internal]
    except KeyError:
        raise BackupError(
            f"Column {model_field.model._meta.db_table}.{model_field.column} has a type the "
            f"backup format does not support ({internal})."
        ) from None


def _encode_datetime(value: dt.datetime) -> str:
    if timezone.is_aware(value):
        value = value.astimezone(dt.UTC)
    return value.isoformat(timespec="microseconds")


def _encode_float(value: float) -> float | str:
    if math.isfinite(value):
        return float(value)
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def encode(kind: str, value: Any, places: int | None = None) -> Any:
    """Return ``value`` (as the ORM reads it) in the canonical JSON-ready encoding."""
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "text":
        return str(value)
    if kind == "bool":
        return bool(value)
    if kind == "datetime":
        return _encode_datetime(value)
    if kind == "date":
        return value.isoformat()
    if kind == "time":
        return value.isoformat(timespec="microseconds")
    if kind == "decimal":
        number = decimal.Decimal(value)
        if places is not None and number.is_finite():
            number = number.quantize(decimal.Decimal(1).scaleb(-places))
        return format(number, "f")
    if kind == "float":
        return _encode_float(value)
    if kind == "json":
        return value
    if kind == "uuid":
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "duration":
        return value // dt.timedelta(microseconds=1)
    raise BackupError(f"Unknown column type {kind!r}.")


def decode(kind: str, value: Any) -> Any:
    """Return the Python value the ORM would hold for a canonically encoded ``value``."""
    if value is None or kind in ("int", "text", "bool", "json"):
        return value
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "decimal":
        return decimal.Decimal(value)
    if kind == "float":
        return _NON_FINITE[value] if isinstance(value, str) else float(value)
    if kind == "uuid":
        return uuid.UUID(value)
    if kind == "binary":
        return base64.b64decode(value)
    if kind == "duration":
        return dt.timedelta(microseconds=value)
    raise BackupError(f"Unknown column type {kind!r}.")


def encode_line(values: Sequence[Any]) -> bytes:
    """One table-file line: the canonical JSON of a row's encoded values, newline-terminated."""
    text = json.dumps(
        list(values), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return (text + "\n").encode("utf-8")


# Tables ------------------------------------------------------------------------------------------


_STORAGE_FIELDS: dict[str, Callable[[], models.Field]] = {
    "int": models.BigIntegerField,
    "float": models.FloatField,
    "bool": models.BooleanField,
    "text": models.TextField,
    "datetime": models.DateTimeField,
    "date": models.DateField,
    "time": models.TimeField,
    "duration": models.DurationField,
    "uuid": models.UUIDField,
    "binary": models.BinaryField,
    "json": models.JSONField,
}


def storage_field(model_field: models.Field) -> models.Field:
    """A plain Django field of the column's portable type, to read and write stored values.

    Custom fields may transform values (``EncryptedCharField`` decrypts when reading and
    encrypts when writing): a backup must carry what is stored, so columns are read and written
    through a standard field that only does the database backend's own conversions.
    """
    kind = column_kind(model_field)
    if kind == "decimal":
        target = model_field
        while target.is_relation:
            target = target.target_field
        return models.DecimalField(
            max_digits=target.max_digits, decimal_places=target.decimal_places
        )
    return _STORAGE_FIELDS[kind]()


@dataclass(frozen=True)
class Column:
    """A column of a backed-up table, its portable type and the field that stores it."""

    name: str
    kind: str
    attname: str
    storage: models.Field
    places: int | None = None

    def describe(self) -> dict[str, Any]:
        """The manifest's description of the column."""
        data: dict[str, Any] = {"name": self.name, "type": self.kind}
        if self.places is not None:
            data["decimal_places"] = self.places
        return data


@dataclass
class TableSpec:
    """A table to back up or restore, read through a (historical) model."""

    table: str
    model: type[models.Model]
    columns: list[Column]
    primary_key: list[str]
    references: list[tuple[str, str]]  # (column, referenced table)

    @property
    def label(self) -> str | None:
        """The model's ``app_label.model_name`` (None for django_migrations)."""
        if self.table == MIGRATIONS_TABLE:
            return None
        return self.model._meta.label_lower

    @property
    def file(self) -> str:
        """The table's file inside the archive."""
        return f"{TABLE_DIR}/{self.table}.jsonl"

    def queryset(self, using: str) -> models.QuerySet:
        """All rows, ordered by primary key (text keys in byte order on every database)."""
        connection = connections[using]
        order: list[Any] = []
        for name in self.primary_key:
            model_field = self.model._meta.get_field(name)
            text_key = column_kind(model_field) == "text"
            if text_key and connection.vendor == "postgresql":
                order.append(Collate(model_field.attname, "C"))  # SQLite's BINARY order
            else:
                order.append(model_field.attname)
        return self.model._base_manager.using(using).order_by(*order)

    def lines(self, using: str) -> Iterator[bytes]:
        """Stream the table's file lines from the database (server-side cursor on PostgreSQL)."""
        kinds = [(column.kind, column.places) for column in self.columns]
        stored = [
            ExpressionWrapper(F(column.attname), output_field=column.storage)
            for column in self.columns
        ]
        rows = self.queryset(using).values_list(*stored).iterator(chunk_size=CHUNK_ROWS)
        for row in rows:
            yield encode_line(
                [
                    encode(kind, value, places)
                    for (kind, places), value in zip(kinds, row, strict=True)
                ]
            )

    def describe_columns(self) -> list[dict[str, Any]]:
        """The manifest's description of the columns."""
        return [column.describe() for column in self.columns]


def _table_spec(model: type[models.Model]) -> TableSpec:
    meta = model._meta
    columns = []
    references = []
    for model_field in meta.local_concrete_fields:
        storage = storage_field(model_field)
        places = storage.decimal_places if isinstance(storage, models.DecimalField) else None
        columns.append(
            Column(
                model_field.column, column_kind(model_field), model_field.attname, storage, places
            )
        )
        if model_field.is_relation and (model_field.many_to_one or model_field.one_to_one):
            references.append((model_field.column, model_field.related_model._meta.db_table))
    pk_fields = getattr(meta.pk, "fields", None) or [meta.pk]  # composite keys (Django 5.2)
    return TableSpec(
        meta.db_table, model, columns, [pk.name for pk in pk_fields], sorted(set(references))
    )


def _components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), each sorted; dependencies before dependants."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _kahn(nodes: Iterable[str], needs: dict[str, set[str]]) -> list[str]:
    """Topological order, ties by name; a cycle is broken at the fewest unmet references."""
    pending = {node: set(needs[node]) for node in nodes}
    ordered: list[str] = []
    while pending:
        ready = sorted(node for node, unmet in pending.items() if not unmet)
        if not ready:
            ready = [min(pending, key=lambda node: (len(pending[node]), node))]
        for node in ready:
            ordered.append(node)
            del pending[node]
        for unmet in pending.values():
            unmet.difference_update(ready)
    return ordered


def dependency_order(specs: Iterable[TableSpec]) -> list[TableSpec]:
    """Order tables so that referenced tables come first wherever a cycle does not prevent it.

    Tables in a reference cycle (``org_orgunit.lead_id`` -> ``org_staff.unit_id`` -> back) and
    self-references (``org_orgunit.parent_id``, ``org_staff.manager_id``) cannot be ordered
    away: restore relies on foreign keys being checked at commit (PostgreSQL
    ``SET CONSTRAINTS ALL DEFERRED``; Django creates SQLite foreign keys ``DEFERRABLE
    INITIALLY DEFERRED``). Cycles are kept as small as they are (strongly connected
    components); inside one the order is deterministic.
    """
    by_name = {spec.table: spec for spec in specs}
    graph = {
        name: {target for _column, target in spec.references if target in by_name}
        for name, spec in by_name.items()
    }
    components = {members[0]: members for members in _components(graph)}  # by first name
    label = {node: first for first, members in components.items() for node in members}
    component_needs = {
        first: {label[t] for node in members for t in graph[node] if label[t] != first}
        for first, members in components.items()
    }
    ordered: list[TableSpec] = []
    for first in _kahn(components, component_needs):  # acyclic: ties by name only
        members = components[first]
        inside = {node: {t for t in graph[node] if t in members and t != node} for node in members}
        ordered.extend(by_name[node] for node in _kahn(members, inside))
    return ordered


def forward_references(ordered: Sequence[TableSpec]) -> list[str]:
    """References to the same or a later table: satisfied only when the transaction commits."""
    position = {spec.table: index for index, spec in enumerate(ordered)}
    found = []
    for index, spec in enumerate(ordered):
        for column, target in spec.references:
            if position.get(target, -1) >= index:
                found.append(f"{spec.table}.{column} -> {target}")
    return found


def _applied_nodes(loader: MigrationLoader) -> set[tuple[str, str]]:
    return {key for key in loader.applied_migrations if key in loader.graph.nodes}


def _leaves(graph: Any, nodes: set[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(
        node for node in nodes if not any(child in nodes for child in graph.node_map[node].children)
    )


def migration_state(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    """The applied migrations of every app, as recorded in ``django_migrations``."""
    recorder = MigrationRecorder(connection)
    state: dict[str, list[str]] = {}
    if recorder.has_table():
        for app_label, name in sorted(recorder.applied_migrations()):
            state.setdefault(app_label, []).append(name)
    return state


def table_specs(connection: BaseDatabaseWrapper) -> list[TableSpec]:
    """Every table of the database's applied migration state, in dependency order.

    Models come from the migration state (as in data migrations), so they match the database
    even when the code's models are ahead of it. ``django_migrations`` comes first.
    """
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    leaves = _leaves(loader.graph, _applied_nodes(loader))
    if not leaves:
        raise BackupError(
            "The database has no migrations applied: run `opsteam migrate` first "
            "(or restore with --migrate)."
        )
    apps = loader.project_state(nodes=leaves, at_end=True).apps
    specs: dict[str, TableSpec] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and meta.db_table not in specs:
            specs[meta.db_table] = _table_spec(model)
    existing = set(connection.introspection.table_names())
    missing = sorted(name for name in specs if name not in existing)
    if missing:
        raise BackupError(
            "Tables of the applied migrations are missing from the database: " + ", ".join(missing)
        )
    migrations_spec = _table_spec(MigrationRecorder.Migration)
    return [migrations_spec, *dependency_order(specs.values())]


def unlisted_tables(connection: BaseDatabaseWrapper, specs: Sequence[TableSpec]) -> list[str]:
    """Tables in the database that no applied migration created (not backed up)."""
    known = {spec.table for spec in specs}
    return sorted(
        name
        for name in connection.introspection.table_names()
        if name not in known and not name.startswith("sqlite_")
    )


# Backup ------------------------------------------------------------------------------------------


def _app_version() -> str:
    try:
        return metadata.version("opsteam")
    except metadata.PackageNotFoundError:
        return "unknown"


def _database_version(connection: BaseDatabaseWrapper) -> str:
    with contextlib.suppress(Exception):
        version = connection.get_database_version()
        return ".".join(str(part) for part in version)
    return ""


@contextlib.contextmanager
def read_snapshot(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """One consistent read of the whole database while the site keeps writing.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: a deferred read transaction
    (in WAL mode it does not block writers; ``atomic`` would start BEGIN IMMEDIATE, which
    does). Inside an existing transaction (tests, callers) the rows are read within it.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            cursor.execute("SELECT count(*) FROM sqlite_master")  # the snapshot starts here
            yield
        finally:
            cursor.execute("ROLLBACK")


class _HashingWriter:
    """Write lines to a zip member in 64 KiB blocks while counting and hashing them."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.digest = hashlib.sha256()
        self.rows = 0
        self.buffer = bytearray()

    def write(self, line: bytes) -> None:
        self.buffer += line
        self.rows += 1
        if len(self.buffer) >= 65536:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.digest.update(self.buffer)
            self.out.write(self.buffer)
            self.buffer.clear()


def create_backup(
    path: str | os.PathLike[str],
    *,
    using: str = DEFAULT_DB_ALIAS,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Write a backup of every table to ``path`` (a .zip) and return its manifest.

    All tables are read in one snapshot (``read_snapshot``), streamed row by row; the file is
    written next to ``path`` and renamed at the end, so a failed backup leaves no half file.
    """
    target = Path(path)
    connection = connections[using]
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    try:
        with (
            read_snapshot(connection),
            zipfile.ZipFile(
                partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True
            ) as archive,
        ):
            manifest = _write_archive(archive, connection, using, progress)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return manifest


def _write_archive(
    archive: zipfile.ZipFile,
    connection: BaseDatabaseWrapper,
    using: str,
    progress: ProgressCallback | None,
) -> dict[str, Any]:
    created_at = timezone.now()
    specs = table_specs(connection)
    state = migration_state(connection)
    counts = {spec.table: spec.queryset(using).count() for spec in specs}
    total = sum(counts.values())
    stamp = created_at.astimezone(dt.UTC).timetuple()[:6]
    done = 0
    tables = []
    for spec in specs:
        if progress:
            progress("Backing up", spec.table, done, total)
        info = zipfile.ZipInfo(spec.file, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            writer = _HashingWriter(member)
            for line in spec.lines(using):
                writer.write(line)
                if progress and writer.rows % CHUNK_ROWS == 0:
                    progress("Backing up", spec.table, done + writer.rows, total)
            writer.flush()
        done += writer.rows
        tables.append(
            {
                "table": spec.table,
                "model": spec.label,
                "file": spec.file,
                "columns": spec.describe_columns(),
                "primary_key": spec.primary_key,
                "rows": writer.rows,
                "sha256": writer.digest.hexdigest(),
            }
        )
    if progress:
        progress("Backing up", "", done, total)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": _encode_datetime(created_at),
        "app_version": _app_version(),
        "django_version": django.get_version(),
        "database": {"vendor": connection.vendor, "version": _database_version(connection)},
        "migrations": state,
        "tables": tables,
        "forward_references": forward_references(specs),
        "not_backed_up": unlisted_tables(connection, specs),
        "encoding": {
            "rows": "JSON lines; each line a JSON array in column order; ordered by primary key",
            "checksum": "SHA-256 of the table file",
            "datetime": "ISO 8601 in UTC with microseconds",
            "decimal": "string with the column's decimal places",
            "binary": "base64",
            "duration": "integer microseconds",
            "json": "JSON value, keys sorted",
            "null": "null",
        },
    }
    info = zipfile.ZipInfo(MANIFEST_NAME, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


# Reading and verifying an archive ---------------------------------------------------------------


@contextlib.contextmanager
def open_archive(path: str | os.PathLike[str]) -> Iterator[zipfile.ZipFile]:
    """Open a backup file for reading (a clear error when it is not a zip file)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveInvalid(
            f"Not an OpsTeam backup: {path} cannot be read as zip ({exc})."
        ) from None
    with archive:
        yield archive


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    """Return the archive's manifest after checking it describes a backup this code can read."""
    try:
        manifest = json.loads(archive.read(MANIFEST_NAME))
    except KeyError:
        raise ArchiveInvalid(f"Not an OpsTeam backup: no {MANIFEST_NAME} in the zip.") from None
    except ValueError as exc:
        raise ArchiveInvalid(f"The backup's {MANIFEST_NAME} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveInvalid(f"Not an OpsTeam backup: {MANIFEST_NAME} has no format {FORMAT!r}.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveInvalid(
            f"Backup format version {manifest.get('format_version')!r} is not supported "
            f"(this OpsTeam reads version {FORMAT_VERSION})."
        )
    problems = []
    names = set(archive.namelist())
    seen = set()
    for entry in manifest.get("tables") or []:
        table = entry.get("table") if isinstance(entry, dict) else None
        if not isinstance(table, str) or table in seen:
            problems.append(f"a table entry is malformed or repeated: {entry!r:.80}")
            continue
        seen.add(table)
        if entry.get("file") != f"{TABLE_DIR}/{table}.jsonl":
            problems.append(f"{table}: unexpected file name {entry.get('file')!r}")
        elif entry["file"] not in names:
            problems.append(f"{table}: its file {entry['file']} is missing from the zip")
        if not isinstance(entry.get("rows"), int) or not isinstance(entry.get("sha256"), str):
            problems.append(f"{table}: no row count or checksum")
        if not isinstance(entry.get("columns"), list):
            problems.append(f"{table}: no column list")
    if not seen:
        problems.append("the manifest lists no tables")
    if not isinstance(manifest.get("migrations"), dict):
        problems.append("the manifest has no migration state")
    if problems:
        raise ArchiveInvalid("The backup's manifest is damaged:", problems)
    return manifest


def _hash_member(archive: zipfile.ZipFile, name: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    rows = 0
    with archive.open(name) as member:
        while block := member.read(1 << 20):
            digest.update(block)
            rows += block.count(b"\n")
    return rows, digest.hexdigest()


def verify_archive(
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    progress: ProgressCallback | None = None,
) -> None:
    """Check every table file against the manifest's row count and checksum (raise if not)."""
    total = sum(entry["rows"] for entry in manifest["tables"])
    done = 0
    problems = []
    for entry in manifest["tables"]:
        if progress:
            progress("Checking the backup", entry["table"], done, total)
        try:
            rows, digest = _hash_member(archive, entry["file"])
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            problems.append(f"{entry['table']}: the file cannot be read ({exc})")
            continue
        if digest != entry["sha256"]:
            problems.append(
                f"{entry['table']}: checksum mismatch (manifest {entry['sha256'][:12]}…, "
                f"file {digest[:12]}…)"
            )
        elif rows != entry["rows"]:
            problems.append(f"{entry['table']}: {rows} rows, the manifest says {entry['rows']}")
        done += entry["rows"]
    if progress:
        progress("Checking the backup", "", done, total)
    if problems:
        raise ArchiveInvalid("The backup is damaged or was changed; nothing was written:", problems)


# Checking the target database -------------------------------------------------------------------


def _effective_state(state: dict[str, list[str]], loader: MigrationLoader) -> set[tuple[str, str]]:
    """Applied migrations of the code's migrated apps, with squashed migrations filled in."""
    nodes = {
        (app_label, name)
        for app_label, names in state.items()
        if app_label in loader.migrated_apps
        for name in names
    }
    for key, migration in loader.replacements.items():
        if all(tuple(replaced) in nodes for replaced in migration.replaces):
            nodes.add(key)
    return nodes


def migration_differences(
    backup_state: dict[str, list[str]], connection: BaseDatabaseWrapper
) -> list[str]:
    """Name, per app, the migrations applied only in the backup or only in the database."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = _effective_state(migration_state(connection), loader)
    theirs = _effective_state(backup_state, loader)
    differences = []
    for app_label in sorted({key[0] for key in ours | theirs}):
        only_backup = sorted(name for app, name in theirs - ours if app == app_label)
        only_here = sorted(name for app, name in ours - theirs if app == app_label)
        parts = []
        if only_backup:
            parts.append("only in the backup: " + ", ".join(only_backup))
        if only_here:
            parts.append("only in this database: " + ", ".join(only_here))
        if parts:
            differences.append(f"{app_label}: " + "; ".join(parts))
    return differences


def _count(connection: BaseDatabaseWrapper, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (name from introspection)
        return cursor.fetchone()[0]


def non_empty_tables(
    connection: BaseDatabaseWrapper, tables: Iterable[str] | None = None
) -> dict[str, int]:
    """Row counts of the tables that hold data, ignoring rows ``migrate`` creates."""
    if tables is None:
        tables = [t for t in connection.introspection.table_names() if not t.startswith("sqlite_")]
    counts = {}
    for table in sorted(tables):
        if table in MIGRATE_CREATED_TABLES:
            continue
        rows = _count(connection, table)
        if rows:
            counts[table] = rows
    return counts


def _not_empty_problem(counts: dict[str, int]) -> str:
    listed = ", ".join(f"{table} ({rows} rows)" for table, rows in counts.items())
    return (
        f"The database is not empty: {listed}. Restore only into a new, empty database "
        "(create it, then `opsteam migrate`, or pass --migrate)."
    )


def check_target(
    connection: BaseDatabaseWrapper, manifest: dict[str, Any]
) -> tuple[list[str], list[TableSpec]]:
    """Return the reasons the database cannot take the backup (none: it can) and its tables."""
    if not migration_state(connection):
        return [
            "The database has not been migrated: run `opsteam migrate` first, or pass "
            "--migrate to migrate this new database to the backup's migration state."
        ], []
    differences = migration_differences(manifest["migrations"], connection)
    if differences:
        return [
            "The database is at a different migration state from the backup's "
            "(migrate it to the same state, or restore with --migrate into a new database):",
            *differences,
        ], []
    specs = table_specs(connection)
    ours = {spec.table: spec for spec in specs}
    theirs = {entry["table"]: entry for entry in manifest["tables"]}
    problems = []
    if only_backup := sorted(set(theirs) - set(ours)):
        problems.append("Tables in the backup but not in this database: " + ", ".join(only_backup))
    if only_here := sorted(set(ours) - set(theirs)):
        problems.append("Tables in this database but not in the backup: " + ", ".join(only_here))
    for table in sorted(set(ours) & set(theirs)):
        expected = theirs[table]["columns"]
        actual = ours[table].describe_columns()
        if expected != actual:
            problems.append(
                f"{table}: columns differ (backup {_columns_text(expected)}; "
                f"this database {_columns_text(actual)})"
            )
    if problems:
        return problems, specs
    counts = non_empty_tables(connection, ours)
    if counts:
        problems.append(_not_empty_problem(counts))
    return problems, specs


def _columns_text(columns: list[dict[str, Any]]) -> str:
    return ", ".join(f"{c.get('name')}:{c.get('type')}" for c in columns)


def migrate_to_backup_state(connection: BaseDatabaseWrapper, state: dict[str, list[str]]) -> int:
    """Migrate a new, empty database to the backup's migration state; return how many ran.

    Targets the backup's applied migrations (not the code's latest), so an older backup can be
    restored and then brought up to date with ``opsteam migrate``. Content types and
    permissions are not created here: restore loads them from the backup.
    """
    counts = non_empty_tables(connection)
    if counts:
        raise RestoreRefused("Refusing to migrate:", [_not_empty_problem(counts)])
    executor = MigrationExecutor(connection)
    loader = executor.loader
    wanted = _effective_state(state, loader)
    unknown = sorted(f"{app}.{name}" for app, name in wanted - set(loader.disk_migrations))
    if unknown:
        raise RestoreRefused(
            "The backup comes from a newer OpsTeam: these migrations are unknown here "
            "(upgrade OpsTeam first):",
            unknown,
        )
    loader.check_consistent_history(connection)
    targets = _leaves(loader.graph, {node for node in wanted if node in loader.graph.nodes})
    plan = executor.migration_plan(targets)
    # Applied migrations the backup lacks: the plan only undoes those in its targets' apps,
    # so compare the whole applied set (a newer app built on an older one's migration too).
    ahead = {
        f"{app}.{name}"
        for app, name in set(loader.applied_migrations) - wanted
        if app in loader.migrated_apps
    }
    if backwards := sorted(ahead | {f"{m.app_label}.{m.name}" for m, undo in plan if undo}):
        raise RestoreRefused(
            "The database is at a newer migration state than the backup; --migrate only "
            "migrates forward. Use a new database. Applied here but not in the backup:",
            backwards,
        )
    executor.migrate(targets, plan=plan)
    return len(plan)


def pending_migrations(connection: BaseDatabaseWrapper) -> int:
    """How many of the code's migrations are not applied to the database."""
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# Restore -----------------------------------------------------------------------------------------


@dataclass
class TableResult:
    """One table's rows and checksum: what the manifest says, what the database holds."""

    table: str
    expected_rows: int | None
    expected_sha256: str | None
    rows: int | None
    sha256: str | None

    @property
    def ok(self) -> bool:
        """The database holds exactly the backed-up rows."""
        return (self.expected_rows, self.expected_sha256) == (self.rows, self.sha256)

    def describe(self) -> str:
        """A one-line account of a difference."""
        if self.expected_rows is None:
            return f"{self.table}: not in the backup ({self.rows} rows in the database)"
        if self.rows is None:
            return f"{self.table}: missing from the database"
        if self.rows != self.expected_rows:
            return f"{self.table}: {self.rows} rows, the backup has {self.expected_rows}"
        if self.sha256 != self.expected_sha256:
            return f"{self.table}: same row count, different content (checksum)"
        return f"{self.table}: identical"


@dataclass
class RestoreReport:
    """What a restore did: the per-table comparison and the migration notes."""

    manifest: dict[str, Any]
    results: list[TableResult] = field(default_factory=list)
    migrations_run: int = 0
    pending_migrations: int = 0

    @property
    def ok(self) -> bool:
        """Every table matches the manifest."""
        return all(result.ok for result in self.results)


def _digests(
    specs: Sequence[TableSpec],
    manifest: dict[str, Any],
    using: str,
    stage: str,
    progress: ProgressCallback | None,
) -> list[TableResult]:
    expected = {entry["table"]: entry for entry in manifest["tables"]}
    total = sum(entry["rows"] for entry in manifest["tables"])
    done = 0
    results = []
    for spec in specs:
        if progress:
            progress(stage, spec.table, done, total)
        digest = hashlib.sha256()
        rows = 0
        for line in spec.lines(using):
            digest.update(line)
            rows += 1
            if progress and rows % CHUNK_ROWS == 0:
                progress(stage, spec.table, done + rows, total)
        done += rows
        entry = expected.get(spec.table)
        results.append(
            TableResult(
                spec.table,
                entry["rows"] if entry else None,
                entry["sha256"] if entry else None,
                rows,
                digest.hexdigest(),
            )
        )
    listed = {spec.table for spec in specs}
    for table, entry in expected.items():
        if table not in listed:
            results.append(TableResult(table, entry["rows"], entry["sha256"], None, None))
    if progress:
        progress(stage, "", min(done, total), total)
    return results


def _row_preparers(
    spec: TableSpec, entry: dict[str, Any], connection: BaseDatabaseWrapper
) -> list[Callable[[Any], Any]]:
    """Per column: canonical value -> the parameter the driver stores (as it was stored)."""
    by_name = {column.name: column for column in spec.columns}
    postgresql = connection.vendor == "postgresql"
    preparers = []
    for described in entry["columns"]:
        column = by_name[described["name"]]

        def prepare(value: Any, kind: str = column.kind, storage: Any = column.storage) -> Any:
            if value is None:
                return None
            python = decode(kind, value)
            if kind == "json" and postgresql:
                return json.dumps(python, ensure_ascii=False)  # COPY text into jsonb
            return storage.get_db_prep_save(python, connection)

        preparers.append(prepare)
    return preparers


def _insert_table(
    archive: zipfile.ZipFile,
    entry: dict[str, Any],
    spec: TableSpec,
    connection: BaseDatabaseWrapper,
    on_rows: Callable[[int], None],
) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c["name"]) for c in entry["columns"])  # checked: the target's
    table = quote(spec.table)
    preparers = _row_preparers(spec, entry, connection)
    width = len(preparers)
    digest = hashlib.sha256()
    count = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal count
        with archive.open(entry["file"]) as member:
            for line in member:
                digest.update(line)
                values = json.loads(line)
                if not isinstance(values, list) or len(values) != width:
                    raise ArchiveInvalid(
                        f"{spec.table}: row {count + 1} does not have {width} values."
                    )
                count += 1
                if count % CHUNK_ROWS == 0:
                    on_rows(count)
                yield [prepare(value) for prepare, value in zip(preparers, values, strict=True)]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * width)
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from the models)
            batch: list[list[Any]] = []
            for row in rows():
                batch.append(row)
                if len(batch) >= CHUNK_ROWS:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
    on_rows(count)
    if count != entry["rows"] or digest.hexdigest() != entry["sha256"]:
        raise ArchiveInvalid(f"{spec.table}: the file changed while it was being restored.")


def restore_backup(
    path: str | os.PathLike[str],
    *,
    using: str = DEFAULT_DB_ALIAS,
    migrate: bool = False,
    progress: ProgressCallback | None = None,
) -> RestoreReport:
    """Restore a backup into an empty database at the backup's migration state.

    Every table file is checked against its checksum first; then, in one transaction, the rows
    ``migrate`` created (migrations, content types, permissions) are replaced by the backup's,
    every table is loaded in dependency order with its primary keys, foreign keys are checked,
    sequences are reset and every table's count and checksum are recomputed and compared with
    the manifest. Any difference rolls the whole restore back (``RestoreMismatch``).
    """
    connection = connections[using]
    with open_archive(path) as archive:
        manifest = read_manifest(archive)
        verify_archive(archive, manifest, progress)
        report = RestoreReport(manifest)
        if migrate:
            report.migrations_run = migrate_to_backup_state(connection, manifest["migrations"])
        problems, specs = check_target(connection, manifest)
        if problems:
            raise RestoreRefused("Nothing was restored:", problems)
        by_table = {spec.table: spec for spec in specs}
        ordered = [by_table[entry["table"]] for entry in manifest["tables"]]
        report.results = _load(archive, manifest, ordered, connection, using, progress)
    _clear_content_type_cache()
    report.pending_migrations = pending_migrations(connection)
    return report


def _load(
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    ordered: list[TableSpec],
    connection: BaseDatabaseWrapper,
    using: str,
    progress: ProgressCallback | None,
) -> list[TableResult]:
    try:
        return _load_in_transaction(archive, manifest, ordered, connection, using, progress)
    except DatabaseError as exc:
        # IntegrityError: a foreign key points at a missing row (checked before commit), or a
        # unique or check constraint; DataError: a value this database cannot hold.
        raise RestoreFailed(
            f"The database refused the backup's rows; nothing was restored: {exc}"
        ) from exc


def _load_in_transaction(
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    ordered: list[TableSpec],
    connection: BaseDatabaseWrapper,
    using: str,
    progress: ProgressCallback | None,
) -> list[TableResult]:
    entries = {entry["table"]: entry for entry in manifest["tables"]}
    total = sum(entry["rows"] for entry in manifest["tables"])
    quote = connection.ops.quote_name
    done = 0
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            counts = non_empty_tables(connection, [spec.table for spec in ordered])
            if counts:  # written to since the checks
                raise RestoreRefused("Nothing was restored:", [_not_empty_problem(counts)])
            for spec in reversed(ordered):
                if spec.table in MIGRATE_CREATED_TABLES:
                    cursor.execute(f"DELETE FROM {quote(spec.table)}")  # noqa: S608 (model name)
        for spec in ordered:
            entry = entries[spec.table]

            def on_rows(rows: int, table: str = spec.table, before: int = done) -> None:
                if progress:
                    progress("Restoring", table, before + rows, total)

            on_rows(0)
            _insert_table(archive, entry, spec, connection, on_rows)
            done += entry["rows"]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [spec.model for spec in ordered]
            ):
                cursor.execute(sql)
        connection.check_constraints()  # deferred foreign keys, with a readable message
        results = _digests(ordered, manifest, using, "Verifying", progress)
        if not all(result.ok for result in results):
            raise RestoreMismatch(
                "The restored tables differ from the backup; nothing was restored:", results
            )
    return results


def _clear_content_type_cache() -> None:
    from django.apps import apps

    if apps.is_installed("django.contrib.contenttypes"):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


def compare_with_database(
    path: str | os.PathLike[str],
    *,
    using: str = DEFAULT_DB_ALIAS,
    progress: ProgressCallback | None = None,
) -> RestoreReport:
    """Check a backup's files, then compare the database's tables with it (writes nothing)."""
    connection = connections[using]
    with open_archive(path) as archive:
        manifest = read_manifest(archive)
        verify_archive(archive, manifest, progress)
    report = RestoreReport(manifest)
    with read_snapshot(connection):
        specs = table_specs(connection)
        report.results = _digests(specs, manifest, using, "Comparing", progress)
    return report
