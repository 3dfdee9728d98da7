"""Writes of the event log: event sources and their mapping, pushed events, clearing a source.

File imports live in ``opsteam/workflow/imports.py`` (``events_import``); pushes through the API
(``events_push``) are checked the same way, row by row, and written all or nothing. A push
*appends*: events that are already in the source (same case, step, resource, start and
completion) are skipped, so a client that retries a request does not duplicate events.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, bulk, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import ImportRejected, PolicyDenied, ValidationFailed
from opsteam.core.imports import MAX_STORED_ERRORS, RowError
from opsteam.org.models import Process
from opsteam.workflow import imports
from opsteam.workflow.choices import SourceKind
from opsteam.workflow.imports import ColumnMapping, Lookups, RawEvent, TimestampParser
from opsteam.workflow.models import EventSource, ProcessEvent
from opsteam.workflow.selectors_log import can_on_process, require_on_process

MAX_PUSH_EVENTS = 10_000
DEFAULT_PUSH_SOURCE = "API"
PUSH_FIELDS = ("case", "step", "resource", "start", "complete", "process", "source")


def _check_name(process: Process, name: str, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the source a name."), field="name")
    clash = EventSource.objects.filter(process=process, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationFailed(_("This process already has a source of this name."), field="name")
    return name


@transaction.atomic
def event_source_create(
    *,
    actor: Any,
    process: Process,
    name: str,
    kind: str,
    description: str = "",
    mapping: dict[str, str] | None = None,
) -> EventSource:
    """Create an event source of ``process``.

    Raises ``PolicyDenied``/``NotVisible`` (the actor does not own the process) and
    ``ValidationFailed`` (no name, a name taken in the process, an unknown kind). Audit:
    ``create`` on the source.
    """
    require_on_process(actor, "add", EventSource, process)
    if kind not in SourceKind.values:
        raise ValidationFailed(_("Choose a kind of source."), field="kind")
    source = EventSource.objects.create(
        process=process,
        name=_check_name(process, name),
        kind=kind,
        description=description,
        mapping=mapping or {},
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=source)
    return source


@transaction.atomic
def event_source_update(
    *, actor: Any, source: EventSource, name: str, kind: str, description: str = ""
) -> EventSource:
    """Rename a source or change its kind or description.

    Raises ``PolicyDenied``/``NotVisible`` and ``ValidationFailed`` as ``event_source_create``.
    Audit: ``update`` on the source (nothing when nothing changed).
    """
    policy.require(actor, "change", source)
    if kind not in SourceKind.values:
        raise ValidationFailed(_("Choose a kind of source."), field="kind")
    before = audit.snapshot(source)
    source.name = _check_name(source.process, name, exclude=source.pk)
    source.kind = kind
    source.description = description
    source.save(update_fields=["name", "kind", "description", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=source, before=before)
    return source


@transaction.atomic
def event_source_mapping_save(
    *, actor: Any, source: EventSource, mapping: ColumnMapping
) -> EventSource:
    """Save the column mapping on the source, pre-filled at its next import.

    Raises ``PolicyDenied``/``NotVisible`` (who may not import into the source) and
    ``ValidationFailed`` naming the first field that is unmapped or the unknown time zone.
    Audit: ``update`` on the source.
    """
    policy.require(actor, "import", source)
    problems = mapping.problems()
    if problems:
        keys = {label: key for key, label in imports.field_labels().items()}
        first = problems[0]
        raise ValidationFailed(
            "{column}: {reason}".format(column=first.column, reason=first.reason),
            field=keys.get(first.column or "", "timezone"),
        )
    before = audit.snapshot(source)
    source.mapping = mapping.as_dict()
    source.save(update_fields=["mapping", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=source, before=before)
    return source


@transaction.atomic
def source_events_delete(*, actor: Any, source: EventSource) -> int:
    """Delete every event of ``source`` (to import a log afresh); return how many.

    Whoever may import into the source may clear it. Raises ``PolicyDenied``/``NotVisible``.
    Audit: one ``other`` entry on the source with the count before and after.
    """
    policy.require(actor, "import", source)
    deleted = imports.delete_case_events(source=source, cases=None)
    audit.record(
        actor=actor,
        action=AuditAction.OTHER,
        obj=source,
        before={"events": deleted},
        after={"events": 0},
        note=_("{count} events deleted").format(count=deleted),
    )
    return deleted


@dataclass
class PushResult:
    """What a push wrote: events created, exact duplicates skipped, the sources written to."""

    created: int = 0
    skipped: int = 0
    sources: list[EventSource] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | str):
        return str(value)
    return "\x00"  # lists and objects are not text: the control-character check refuses them


class _ProcessRefs:
    """Processes named by id (a JSON number, or digits no code matches) or by code."""

    def __init__(self, events: list[Any], default: Any) -> None:
        refs = [
            event.get("process", default) if isinstance(event, dict) else None for event in events
        ]
        ids = {
            int(ref)
            for ref in refs
            if (isinstance(ref, int) and not isinstance(ref, bool))
            or (isinstance(ref, str) and ref.strip().isdigit() and len(ref.strip()) < 12)
        }
        codes = {ref.strip() for ref in refs if isinstance(ref, str) and ref.strip()}
        found = Process.objects.select_related("owner_unit").filter(
            Q(pk__in=[pk for pk in ids if pk < 2**31]) | Q(code__in=codes)
        )
        self.by_id = {process.pk: process for process in found}
        self.by_code = {process.code: process for process in found}

    def get(self, ref: Any) -> Process | None:
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int):
            return self.by_id.get(ref)
        if isinstance(ref, str):
            text = ref.strip()
            if text in self.by_code:
                return self.by_code[text]
            if text.isdigit() and len(text) < 12:
                return self.by_id.get(int(text))
        return None

    def all(self) -> list[Process]:
        return list(self.by_id.values())


def _user_zone(actor: Any) -> str:
    zone = getattr(actor, "time_zone", "") or settings.TIME_ZONE
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return settings.TIME_ZONE
    return zone


@transaction.atomic
def events_push(
    *,
    actor: Any,
    events: Iterable[dict[str, Any]],
    process: Any = None,
    source_name: str | None = None,
) -> PushResult:
    """Append pushed events to the log, all or none.

    Each event has ``case``, ``step``, ``complete`` (ISO 8601; naive times are in the actor's
    time zone), optional ``resource`` and ``start``, and its ``process`` (id or code) and
    ``source`` (a name) unless ``process``/``source_name`` give them for all. A source that
    does not exist yet is created (kind "API push"). Exact duplicates of events already in the
    source, or earlier in the same push, are skipped.

    Raises ``PolicyDenied`` (the actor may not add events, or not to one of the processes) and
    ``ImportRejected`` with every problem as (row = index in the list, column = field, value,
    reason). Audit: ``import`` on each source written, with the counts.
    """
    policy.require(actor, "add", ProcessEvent)
    events = list(events)
    if len(events) > MAX_PUSH_EVENTS:
        raise ImportRejected(
            _("At most {limit} events per request.").format(limit=MAX_PUSH_EVENTS),
            errors=[
                {
                    "row": None,
                    "column": None,
                    "value": str(len(events)),
                    "reason": _("At most {limit} events per request.").format(
                        limit=MAX_PUSH_EVENTS
                    ),
                    "code": "too_many",
                }
            ],
        )
    processes = _ProcessRefs(events, process)
    parse_time = TimestampParser("", _user_zone(actor))
    columns = {key: key for key in imports.FIELDS}
    errors: list[RowError] = []
    allowed: set[int] = set()
    accepted: dict[tuple[int, str], list[imports.ParsedEvent]] = defaultdict(list)
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            errors.append(RowError(index, None, "", _("each event must be an object")))
            continue
        ref = event.get("process", process)
        owner = processes.get(ref)
        if owner is None:
            shown = _text(ref).strip()
            reason = _("unknown process") if shown else _("required value is missing")
            errors.append(RowError(index, "process", shown[:200], reason, "unknown_reference"))
        elif owner.pk not in allowed:
            # Processes are public (org.Process): refusing is no leak, and says why.
            if not can_on_process(actor, "add", ProcessEvent, owner):
                raise PolicyDenied(
                    _("You may not add events to process {code}.").format(code=owner.code)
                )
            allowed.add(owner.pk)
        name = _text(event.get("source", source_name) or DEFAULT_PUSH_SOURCE).strip()
        if len(name) > 120:
            errors.append(
                RowError(index, "source", name[:200], _("too long: at most 120 characters"))
            )
        raw = RawEvent(index, {key: _text(event.get(key)) for key in imports.FIELDS})
        parsed, problems = imports.validate_event(raw, parse_time, columns)
        errors.extend(problems)
        if parsed is not None and owner is not None and len(name) <= 120:
            accepted[(owner.pk, name)].append(parsed)
    if errors:
        raise ImportRejected(
            _("{count} problem(s) found; nothing was written.").format(count=len(errors)),
            errors=[error.as_dict() for error in errors[:MAX_STORED_ERRORS]],
        )
    by_pk = processes.by_id
    result = PushResult()
    for (process_pk, name), parsed_events in accepted.items():
        owner = by_pk[process_pk]
        source = EventSource.objects.filter(process=owner, name=name).first()
        if source is None:
            source = event_source_create(actor=actor, process=owner, name=name, kind=SourceKind.API)
        created, skipped = _append(actor=actor, source=source, events=parsed_events)
        result.created += created
        result.skipped += skipped
        result.sources.append(source)
    return result


def _append(
    *, actor: Any, source: EventSource, events: list[imports.ParsedEvent]
) -> tuple[int, int]:
    """Insert the events the source does not hold yet; audit once. Return (created, skipped)."""
    cases = sorted({event.case for event in events})
    existing: set[tuple[Any, ...]] = set()
    for offset in range(0, len(cases), imports.DELETE_CHUNK):
        existing.update(
            ProcessEvent.objects.filter(
                process_id=source.process_id,
                source=source,
                case_id__in=cases[offset : offset + imports.DELETE_CHUNK],
            ).values_list("case_id", "step_name", "resource", "started_at", "completed_at")
        )
    lookups = Lookups.load(source.process_id)
    rows = []
    skipped = 0
    for event in events:
        key = (event.case, event.step, event.resource, event.start, event.complete)
        if key in existing:
            skipped += 1
            continue
        existing.add(key)
        rows.append(
            imports.event_row(
                event, process_id=source.process_id, source_id=source.pk, lookups=lookups
            )
        )
    created = bulk.insert_rows(
        ProcessEvent, imports.EVENT_FIELDS, rows, batch_size=imports.BATCH_SIZE
    )
    before = audit.snapshot(source)
    source.last_import_at = timezone.now()
    source.save(update_fields=["last_import_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=source,
        before=before,
        after={**audit.snapshot(source), "events_created": created, "events_skipped": skipped},
        note=_("{created} events pushed, {skipped} duplicates skipped").format(
            created=created, skipped=skipped
        ),
    )
    return created, skipped
