"""Reads of the event log: sources of a process, their imports, events with filters.

Every read starts from the policy: the event log names people and times, so it is for the
process's owners and readers (HR, administrators, auditors, the owning unit's managers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, PolicyDenied
from opsteam.core.models import ImportJob
from opsteam.org.models import Process
from opsteam.workflow.imports import import_kind
from opsteam.workflow.models import EventSource, ProcessEvent
from opsteam.workflow.selectors_maps import can_on_process


def require_on_process(user: Any, action: str, model: type, process: Process) -> None:
    """Raise unless ``user`` may ``action`` ``model`` rows of ``process``: ``NotVisible`` when
    the user may not even read the process's event log, else ``PolicyDenied``."""
    if can_on_process(user, action, model, process):
        return
    if not can_on_process(user, "view", EventSource, process):
        raise NotVisible()
    raise PolicyDenied()


def process_get(*, user: Any, pk: int, action: str = "view", model: type = EventSource) -> Process:
    """Return the process whose event log ``user`` may ``action``.

    A role without any right on ``model`` gets ``PolicyDenied`` (403); a process outside the
    user's scope, or none, ``NotVisible`` (404).
    """
    policy.require(user, "view", model)
    process = Process.objects.select_related("owner_unit").filter(pk=pk).first()
    if process is None or not can_on_process(user, "view", model, process):
        raise NotVisible()
    if action != "view":
        require_on_process(user, action, model, process)
    return process


def source_list(
    *, user: Any, process: Process | None = None, action: str = "view"
) -> QuerySet[EventSource]:
    """The sources ``user`` may ``action``, with their event counts."""
    sources = EventSource.objects.restrict(user, action).select_related("process")
    if process is not None:
        sources = sources.filter(process=process)
    return sources.annotate(event_count=Count("events")).order_by("process__code", "name")


def source_get(*, user: Any, pk: int, action: str = "view") -> EventSource:
    """One source the user may see (404 otherwise), then ``action`` checked (403)."""
    return policy.scoped_get(
        EventSource.objects.select_related("process", "process__owner_unit"),
        user,
        action,
        pk=pk,
    )


@dataclass(frozen=True)
class SourceStats:
    events: int
    cases: int
    first: dt.datetime | None
    last: dt.datetime | None
    matched_steps: int
    matched_staff: int


def source_stats(*, source: EventSource) -> SourceStats:
    """How many events and cases the source holds, their time span and how many were matched
    to the map's steps and to staff (one aggregate query)."""
    from django.db.models import Max, Min

    row = ProcessEvent.objects.filter(process_id=source.process_id, source=source).aggregate(
        events=Count("pk"),
        cases=Count("case_id", distinct=True),
        first=Min("completed_at"),
        last=Max("completed_at"),
        matched_steps=Count("step_id"),
        matched_staff=Count("staff_id"),
    )
    return SourceStats(**row)


def source_imports(*, source: EventSource, limit: int = 10) -> list[ImportJob]:
    """The source's latest import attempts (committed, checked or rejected), newest first."""
    return list(
        ImportJob.objects.filter(kind=import_kind(source))
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def source_import_get(*, source: EventSource, pk: int) -> ImportJob:
    """One import attempt of ``source`` (404 for any other)."""
    job = ImportJob.objects.filter(kind=import_kind(source), pk=pk).first()
    if job is None:
        raise NotVisible()
    return job


@dataclass(frozen=True)
class EventFilters:
    """The event-log filters shared by the page, its export and the API."""

    case: str = ""
    step: str = ""
    resource: str = ""
    source: int | None = None
    since: dt.date | dt.datetime | None = None
    until: dt.date | dt.datetime | None = None


def _bound(value: dt.date | dt.datetime, *, end: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    day = value + dt.timedelta(days=1) if end else value
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def event_list(
    *,
    user: Any,
    process: Process | None = None,
    filters: EventFilters | None = None,
    action: str = "view",
) -> QuerySet[ProcessEvent]:
    """The events ``user`` may ``action``, of ``process`` when given, filtered: case exact,
    step and resource by substring, completion time from ``since`` (inclusive) to ``until``
    (a date includes its whole day)."""
    events = ProcessEvent.objects.restrict(user, action)
    if process is not None:
        events = events.filter(process=process)
    filters = filters or EventFilters()
    if filters.case:
        events = events.filter(case_id=filters.case)
    if filters.step:
        events = events.filter(step_name__icontains=filters.step)
    if filters.resource:
        events = events.filter(
            Q(resource__icontains=filters.resource)
            | Q(staff__name__icontains=filters.resource)
            | Q(staff__employee_no=filters.resource)
        )
    if filters.source is not None:
        events = events.filter(source_id=filters.source)
    if filters.since is not None:
        events = events.filter(completed_at__gte=_bound(filters.since, end=False))
    if filters.until is not None:
        if isinstance(filters.until, dt.datetime):
            events = events.filter(completed_at__lte=_bound(filters.until, end=True))
        else:
            events = events.filter(completed_at__lt=_bound(filters.until, end=True))
    return events.select_related("source", "staff", "step", "process").order_by(
        "case_id", "completed_at", "pk"
    )
