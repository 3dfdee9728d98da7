"""The audit trail: services call ``record`` explicitly for every write to domain data.

Request, CLI and job entry points set the *context* (source, client address) once; services
never need to know where they were called from.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection as default_connection
from django.db import models
from django.db.models.fields.files import FieldFile

from opsteam.core.choices import AuditAction, AuditSource
from opsteam.core.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditContext:
    source: str = AuditSource.SYSTEM
    remote_addr: str | None = None
    import_job_id: int | None = None


_DEFAULT_CONTEXT = AuditContext()
_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "opsteam_audit_context", default=None
)


@contextlib.contextmanager
def context(
    *, source: str, remote_addr: str | None = None, import_job_id: int | None = None
) -> Iterator[AuditContext]:
    """Attribute every audit entry written inside the block to ``source``."""
    token = _context.set(
        AuditContext(source=source, remote_addr=remote_addr, import_job_id=import_job_id)
    )
    try:
        yield current_context()
    finally:
        _context.reset(token)


def current_context() -> AuditContext:
    return _context.get() or _DEFAULT_CONTEXT


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, FieldFile):  # hasattr(value, "url") raises on an empty file field
        return value.name or ""
    return value


def _audit_value(field: models.Field, value: Any) -> Any:
    """JSON-safe value for the trail; encrypted fields become a fingerprint, never plain text."""
    from opsteam.core.fields import EncryptedCharField
    from opsteam.core.policy import AUDIT_MASKED_FIELDS

    masked = field.name in AUDIT_MASKED_FIELDS.get(field.model._meta.label_lower, ())
    if masked or isinstance(field, EncryptedCharField):
        if not value:
            return ""
        digest = hashlib.sha256(f"{field.model._meta.label}:{value}".encode()).hexdigest()
        return f"encrypted:{digest[:12]}"
    return _jsonable(value)


def snapshot(obj: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Return the concrete field values of ``obj`` as JSON-safe data (FKs as ids)."""
    skip = {"updated_at", *exclude}
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        data[field.name] = _audit_value(field, getattr(obj, field.attname))
    return data


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "system"}
    label = actor.get_username()
    return {"actor": actor, "actor_label": label[:200]}


def build_entry(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry | None:
    """Return an unsaved entry, or None when an update changed nothing."""
    ctx = current_context()
    if after is None and action not in (AuditAction.DELETE, AuditAction.REVOKE):
        after = snapshot(obj)
    changed: list[str] = []
    if before is not None and after is not None:
        changed = sorted(
            key for key in after.keys() | before.keys() if before.get(key) != after.get(key)
        )
        if action == AuditAction.UPDATE and not changed:
            return None
    elif after is not None:
        changed = sorted(after)
    return AuditEntry(
        **_actor_fields(actor),
        action=action,
        source=ctx.source,
        remote_addr=ctx.remote_addr,
        import_job_id=ctx.import_job_id,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
        changed_fields=changed,
        note=note[:500],
    )


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry | None:
    """Write one audit entry for ``obj``; an update that changed nothing writes nothing."""
    entry = build_entry(actor=actor, action=action, obj=obj, before=before, after=after, note=note)
    if entry is not None:
        entry.save(force_insert=True)
        _seal_later()
    return entry


def _seal_later() -> None:
    from opsteam.core.audit_seal import seal_after_commit

    seal_after_commit()


def record_many(entries: Iterable[AuditEntry | None], *, batch_size: int = 2000) -> int:
    """Insert prepared entries in bulk (imports); returns how many were written."""
    batch = [entry for entry in entries if entry is not None]
    AuditEntry.objects.bulk_create(batch, batch_size=batch_size)
    if batch:
        _seal_later()
    return len(batch)


def record_pay_reads(*, user: Any, rows: Iterable[models.Model], fields: list[str]) -> None:
    """Audit a read of pay (salaries, bonus lines) by anyone but HR: one "view" entry per row
    naming the fields read, written in one insert. HR reads pay as its job: not recorded."""
    from opsteam.core import policy
    from opsteam.core.choices import Role

    rows = list(rows)
    if rows and Role.HR not in policy.user_roles(user):
        record_many(
            build_entry(actor=user, action=AuditAction.VIEW, obj=row, after={"read": fields})
            for row in rows
        )


# Append-only guard: the triggers of migration core/0002 consult a maintenance switch that only
# the test database set-up turns on (flushing tables between transactional tests).

SQLITE_GUARD_FUNCTION = "opsteam_audit_maintenance"
PG_GUARD_SETTING = "opsteam.audit_maintenance"


def install_sqlite_guard_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Register the SQLite function the audit triggers call (0 = guarded, 1 = maintenance)."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        SQLITE_GUARD_FUNCTION,
        0,
        lambda: 1 if getattr(connection, "opsteam_audit_maintenance", False) else 0,
    )


@contextlib.contextmanager
def maintenance(connection: Any = default_connection) -> Iterator[None]:
    """Allow deleting audit rows on ``connection`` inside the block (test flushes only)."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', false)", [PG_GUARD_SETTING])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', false)", [PG_GUARD_SETTING])
    else:
        connection.opsteam_audit_maintenance = True
        try:
            yield
        finally:
            connection.opsteam_audit_maintenance = False


AUDIT_INSERT_FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "source",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "changed_fields",
    "note",
    "remote_addr",
    "import_job_id",
)


def record_created_values(
    *,
    actor: Any,
    model: type[models.Model],
    rows: Iterable[dict[str, Any]],
    describe: Any,
) -> int:
    """Write "create" entries for rows given as ``values()`` dicts keyed by attname.

    The set-based twin of ``record`` for imports: no model instances, one multi-row insert.
    ``after`` has exactly the shape ``snapshot`` gives; ``describe(row)`` is the object label.
    """
    from django.utils import timezone

    from opsteam.core import bulk

    ctx = current_context()
    actor_fields = _actor_fields(actor)
    actor_id = actor_fields["actor"].pk if actor_fields["actor"] is not None else None
    fields = [f for f in model._meta.concrete_fields if f.name != "updated_at"]
    label = model._meta.label_lower
    now = timezone.now()

    def entries() -> Iterator[tuple[Any, ...]]:
        for row in rows:
            after = {f.name: _audit_value(f, row[f.attname]) for f in fields}
            yield (
                now,
                actor_id,
                actor_fields["actor_label"],
                AuditAction.CREATE,
                ctx.source,
                label,
                str(row["id"]),
                str(describe(row))[:300],
                None,
                after,
                sorted(after),
                "",
                ctx.remote_addr,
                ctx.import_job_id,
            )

    written = bulk.insert_rows(AuditEntry, AUDIT_INSERT_FIELDS, entries())
    if written:
        _seal_later()
    return written
