"""Reads of the process analytics: the event log of a window as a polars frame, the published
map's targets and owners, the engine's analysis (cached), the cases behind a DFG edge,
improvement actions and the before/after comparison of the process review.

The window holds the events *completed* in ``[start, end)``; the engine measures what it is
given (a case straddling the window's start shows only its later steps). Steps are named by
their mapped step's primary name when the event is mapped (the work-item log always is), else
by the name the event arrived with, so imported and native events of one step agree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import polars as pl
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, F, Max, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, PolicyDenied
from opsteam.org.models import Process, Staff
from opsteam.workflow import bottlenecks
from opsteam.workflow.choices import ActionStatus, MapStatus
from opsteam.workflow.models import ImprovementAction, ProcessEvent, ProcessMap, Step, WorkItem

CACHE_SECONDS = 300
FRAME_COLUMNS = ("case", "step", "resource", "start", "complete")
SCHEMA = {
    "case": pl.String,
    "step": pl.String,
    "resource": pl.String,
    "start": pl.Datetime("us", "UTC"),
    "complete": pl.Datetime("us", "UTC"),
    "staff": pl.Int64,
}


def published_map(process: Process) -> ProcessMap | None:
    """The process's published map (at most one: a database constraint)."""
    return ProcessMap.objects.filter(process=process, status=MapStatus.PUBLISHED).first()


def require_analyse(user: Any, process: Process) -> ProcessMap | None:
    """Raise unless ``user`` may read the analytics of ``process``; return its published map.

    Decided on the published map's "analyse" rule (HR, administrators, auditors, the managers
    of the owning unit), or, before any map is published, on the same rule applied to the
    process's owning unit. Processes are public reference data, so a refusal is a 403.
    """
    process_map = published_map(process)
    if process_map is not None:
        if not policy.can(user, "analyse", process_map):
            raise PolicyDenied()
        return process_map
    from opsteam.workflow.services_actions import can_on_process

    if not can_on_process(user, "analyse", ProcessMap, process):
        raise PolicyDenied()
    return None


def visible_process(*, user: Any, pk: int) -> Process:
    """The process ``pk`` (every role reads processes) with its owning unit; 404 if unknown."""
    try:
        return Process.objects.select_related("owner_unit").get(pk=pk)
    except Process.DoesNotExist as exc:
        raise NotVisible() from exc


# The event log as a frame -------------------------------------------------------------------


def _events(process: Process, start: dt.datetime, end: dt.datetime) -> QuerySet[ProcessEvent]:
    return ProcessEvent.objects.filter(
        process=process, completed_at__gte=start, completed_at__lt=end
    )


def _frame(process: Process, start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    """The window's events with the person's id (``staff``), in one query, no model rows.

    An event without a named resource is attributed to its person's employee number."""
    rows = (
        _events(process, start, end)
        .order_by()
        .values_list(
            "case_id",
            Coalesce(F("step__name"), F("step_name")),
            Coalesce(NullIf(F("resource"), Value("")), F("staff__employee_no")),
            "started_at",
            "completed_at",
            "staff_id",
        )
    )
    columns: list[list[Any]] = [[], [], [], [], [], []]
    for row in rows.iterator(chunk_size=5000):
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return pl.DataFrame(dict(zip(SCHEMA, columns, strict=True)), schema=SCHEMA)


def event_frame(process: Process, start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    """The events of ``process`` completed in ``[start, end)`` as the engine's input frame:
    ``case``, ``step``, ``resource`` (None when unknown), ``start`` (None: instantaneous),
    ``complete`` (UTC datetimes). One query, read as tuples."""
    return _frame(process, start, end).select(FRAME_COLUMNS)


# The published map's targets and owners ------------------------------------------------------


@dataclass
class MapTargets:
    """What the engine needs from the published map, keyed by the names the frame uses."""

    process_map: ProcessMap | None
    steps: list[Step] = field(default_factory=list)
    step_targets: dict[str, float] = field(default_factory=dict)  # step -> seconds
    handoff_targets: dict[tuple[str, str], float] = field(default_factory=dict)  # seconds
    step_owner: dict[str, str] = field(default_factory=dict)  # step -> position label
    step_by_name: dict[str, Step] = field(default_factory=dict)


def map_targets(process_map: ProcessMap | None) -> MapTargets:
    """Targets in seconds and owner positions of the map's steps and transitions (two queries).

    Steps are keyed by their primary name, as the frame names mapped events; the English name
    and the code also find a step (``step_by_name``) for events imported under those.
    """
    if process_map is None:
        return MapTargets(None)
    steps = list(
        Step.objects.filter(map=process_map)
        .select_related("position", "activity")
        .order_by("order", "code")
    )
    targets = MapTargets(process_map, steps)
    by_pk = {step.pk: step for step in steps}
    for step in steps:
        for key in (step.code, step.name_en, step.name):
            if key:
                targets.step_by_name[key] = step
        if step.target_minutes:
            targets.step_targets[step.name] = step.target_minutes * 60.0
        if step.position is not None:
            targets.step_owner[step.name] = step.position.display_name
    for source_id, target_id, minutes in process_map.transitions.values_list(
        "source_id", "target_id", "handoff_target_minutes"
    ):
        if minutes and source_id in by_pk and target_id in by_pk:
            targets.handoff_targets[(by_pk[source_id].name, by_pk[target_id].name)] = minutes * 60.0
    return targets


def resource_positions(frame: pl.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """For each resource of the frame: its person's position label and a display label
    ("name (employee number)"); one query over the people the frame names."""
    pairs = frame.select("resource", "staff").drop_nulls("staff").unique()
    staff_ids = pairs.get_column("staff").unique().to_list()
    people = {
        person.pk: person
        for person in Staff.objects.filter(pk__in=staff_ids).select_related("position")
    }
    positions: dict[str, str] = {}
    labels: dict[str, str] = {}
    for resource, staff_id in pairs.iter_rows():
        person = people.get(staff_id)
        if resource is None or person is None:
            continue
        if person.position is not None:
            positions[resource] = person.position.display_name
        labels[resource] = f"{person.display_name} ({person.employee_no})"
    return positions, labels


# The analysis ---------------------------------------------------------------------------------


@dataclass
class ProcessAnalysis:
    """The engine's result for one process and window, with what the pages need around it."""

    process: Process
    start: dt.datetime
    end: dt.datetime
    result: Any  # bottlenecks.Analysis
    targets: MapTargets
    people: dict[str, str]  # resource -> display label
    positions: dict[str, str]  # resource -> position label
    events: int

    @property
    def bottlenecks(self) -> list[Any]:
        return list(self.result.bottlenecks)


def _cache_key(process: Process, start: dt.datetime, end: dt.datetime) -> str:
    """Keyed by the window, the latest event (and the count: deletions), the published map's
    last change and the language (labels are translated)."""
    log = ProcessEvent.objects.filter(process=process).aggregate(last=Max("id"), n=Count("id"))
    process_map = published_map(process)
    stamp = process_map.updated_at.isoformat() if process_map else "-"
    raw = "|".join(
        str(part)
        for part in (
            process.pk,
            process.created_at.isoformat(),
            start.isoformat(),
            end.isoformat(),
            log["last"],
            log["n"],
            process_map.pk if process_map else "-",
            stamp,
            get_language() or "",
        )
    )
    return "workflow:analysis:" + hashlib.sha256(raw.encode()).hexdigest()


def analysis(process: Process, start: dt.datetime, end: dt.datetime) -> ProcessAnalysis:
    """Run the engine on the window (no permission check: see ``analysis_for``).

    Cached for a few minutes per process, window, latest event and map version, so the
    dashboard, the edge drill-down and the "create action" button share one computation.
    """
    key = _cache_key(process, start, end)
    cached = cache.get(key)
    if cached is not None:
        cached.process = process
        return cached
    frame = _frame(process, start, end)
    targets = map_targets(published_map(process))
    positions, people = resource_positions(frame)
    result = bottlenecks.analyse(
        frame.select(FRAME_COLUMNS),
        step_targets=targets.step_targets or None,
        handoff_targets=targets.handoff_targets or None,
        step_owner=targets.step_owner or None,
        resource_position=positions or None,
    )
    found = ProcessAnalysis(process, start, end, result, targets, people, positions, frame.height)
    cache.set(key, found, CACHE_SECONDS)
    return found


def analysis_for(
    user: Any, process: Process, start: dt.datetime, end: dt.datetime
) -> ProcessAnalysis:
    """The analysis of ``process`` over ``[start, end)`` for ``user`` (PolicyDenied unless the
    user may analyse the process)."""
    require_analyse(user, process)
    return analysis(process, start, end)


def bottleneck_key(bottleneck: bottlenecks.Bottleneck) -> str:
    """``step:<name>`` or ``handoff:<source>→<target>``, as ImprovementAction stores it."""
    return bottleneck.key


def find_bottleneck(found: ProcessAnalysis, key: str) -> Any | None:
    """The bottleneck of the analysis named ``key`` (None when it is not among them)."""
    return next((b for b in found.bottlenecks if bottleneck_key(b) == key), None)


def bottleneck_snapshot(
    bottleneck: bottlenecks.Bottleneck, people: dict[str, str] | None = None
) -> dict[str, Any]:
    """The bottleneck as stored on an improvement action: its figures and evidence, people
    named by ``people`` (resource -> "name (employee number)") as the pages name them."""
    data = jsonable(bottleneck.as_dict())
    data["evidence"] = [_people_labels(item, people or {}) for item in data["evidence"]]
    return data


def jsonable(data: Any) -> Any:
    """``data`` with dates, decimals and the like turned into JSON types."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


# Cases behind an edge -------------------------------------------------------------------------


def edge_cases(
    user: Any,
    process: Process,
    start: dt.datetime,
    end: dt.datetime,
    source: str,
    target: str,
    *,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The cases where ``target`` directly followed ``source`` in the window, longest wait
    first: the engine's columns (``case``, ``wait_s``, ``source_resource``,
    ``target_resource``, ``source_complete``, ``target_start``), the wait and the people in
    words, and ``item``: the work item when the case is one the user may see."""
    require_analyse(user, process)
    frame = _frame(process, start, end)
    _positions, people = resource_positions(frame)
    log = bottlenecks.encode(frame.select(FRAME_COLUMNS))
    rows = bottlenecks.cases_for_edge(log, source, target, limit=limit).to_dicts()
    for row in rows:
        row["wait_text"] = duration(row["wait_s"])
        for side in ("source_resource", "target_resource"):
            row[f"{side}_label"] = people.get(row[side], row[side])
    references = [str(row["case"]) for row in rows]
    items = {
        item.reference: item
        for item in policy.restrict(
            WorkItem.objects.filter(process=process, reference__in=references), user, "view"
        )
    }
    for row in rows:
        row["item"] = items.get(str(row["case"]))
    return rows


# Improvement actions --------------------------------------------------------------------------


def action_list(*, user: Any, action: str = "view") -> QuerySet[ImprovementAction]:
    """Improvement actions the user may ``action``, with process and owner (one query)."""
    return policy.restrict(
        ImprovementAction.objects.select_related("process", "review", "owner", "created_by"),
        user,
        action,
    )


def owner_choices(user: Any, include: Staff | None = None) -> list[tuple[int, str]]:
    """People the user may name as an action's owner (those they may see, and the current
    owner ``include``), one query."""
    people = list(
        policy.restrict(Staff.objects.filter(leave_date__isnull=True), user, "view").order_by(
            "employee_no"
        )
    )
    if include is not None and include.pk not in {person.pk for person in people}:
        people.insert(0, include)
    return [(person.pk, f"{person.display_name} · {person.employee_no}") for person in people]


def can_analyse(user: Any, process: Process) -> bool:
    """Whether ``user`` may read the analytics of ``process``."""
    try:
        require_analyse(user, process)
    except PolicyDenied:
        return False
    return True


def pdca_steps(status: str) -> list[dict[str, Any]]:
    """The PDCA statuses in order, the current one marked (cancelled shows alone)."""
    order = [ActionStatus.PLAN, ActionStatus.DO, ActionStatus.CHECK, ActionStatus.ACT]
    order.append(ActionStatus.CANCELLED if status == ActionStatus.CANCELLED else ActionStatus.DONE)
    return [{"label": choice.label, "current": choice == status} for choice in order]


# Presentation: durations, evidence in words --------------------------------------------------


def duration(seconds: float | None) -> str:
    """A short, translated duration: "45 s", "12 min", "5.2 h", "3.1 d" ("—" when unknown)."""
    if seconds is None:
        return "—"
    if seconds < 90:
        return _("{n} s").format(n=round(seconds))
    if seconds < 90 * 60:
        return _("{n} min").format(n=round(seconds / 60))
    if seconds < 48 * 3600:
        return _("{n} h").format(n=f"{seconds / 3600:.1f}")
    return _("{n} d").format(n=f"{seconds / 86400:.1f}")


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %"


def _evidence_line(item: dict[str, Any]) -> str:
    """One evidence item of the engine in words (its ``code`` says which)."""
    code = item.get("code")
    if code == "waiting":
        return _(
            "median wait {median} (p90 {p90}) over {waits} waits in {cases} cases, {total} in all"
        ).format(
            median=duration(item.get("median_s")),
            p90=duration(item.get("p90_s")),
            waits=item.get("waits", 0),
            cases=item.get("cases", 0),
            total=duration(item.get("total_s")),
        )
    if code == "target":
        return _("target {target}, {rate} over it ({breaches} of {waits})").format(
            target=duration(item.get("target_s")),
            rate=percent(item.get("breach_rate")),
            breaches=item.get("breaches", 0),
            waits=item.get("waits_with_target", 0),
        )
    if code == "share":
        return _("{share} of all waiting time in the window").format(
            share=percent(item.get("share"))
        )
    if code in ("people_pair", "position_pair"):
        return _("{source} → {target}: {n} handoffs, mean wait {mean}").format(
            source=item.get("from") or "?",
            target=item.get("to") or "?",
            n=item.get("waits", 0),
            mean=duration(item.get("mean_s")),
        )
    if code == "from_step":
        return _("after {step}: {n} waits, {total} in all").format(
            step=item.get("source"), n=item.get("waits", 0), total=duration(item.get("total_s"))
        )
    if code == "owner":
        return _("owned by {position}").format(position=item.get("position"))
    return str(item.get("text", ""))


def bottleneck_label(kind: str | None, step: Any, source: Any, target: Any) -> str:
    if kind == "handoff":
        return _("Handoff {source} → {target}").format(source=source, target=target)
    return _("Queue before {step}").format(step=step)


def _people_labels(item: dict[str, Any], people: dict[str, str]) -> dict[str, Any]:
    if item.get("code") == "people_pair":
        item = {**item, "from": people.get(item.get("from"), item.get("from"))}
        item["to"] = people.get(item.get("to"), item.get("to"))
    return item


def evidence_lines(bottleneck: Any, people: dict[str, str] | None = None) -> list[str]:
    """The bottleneck's evidence in words, people named as the pages name them."""
    items = bottleneck.evidence if hasattr(bottleneck, "evidence") else bottleneck["evidence"]
    return [_evidence_line(_people_labels(dict(item), people or {})) for item in items]


def evidence_text(bottleneck: bottlenecks.Bottleneck) -> str:
    """The evidence as a paragraph (the description of an action created from it)."""
    return "\n".join(
        [bottleneck_label(bottleneck.kind, bottleneck.step, bottleneck.source, bottleneck.target)]
        + [f"- {line}" for line in evidence_lines(bottleneck)]
    )


def default_action_title(bottleneck: bottlenecks.Bottleneck) -> str:
    if bottleneck.kind == "handoff":
        return _("Shorten the handoff {source} → {target}").format(
            source=bottleneck.source, target=bottleneck.target
        )
    return _("Shorten the wait before {step}").format(step=bottleneck.step)


def stored_evidence(evidence: dict[str, Any] | None) -> dict[str, Any] | None:
    """An action's stored snapshot, ready to show (None when it has none)."""
    if not evidence or "kind" not in evidence:
        return None
    return {
        "label": bottleneck_label(
            evidence.get("kind"),
            evidence.get("step"),
            evidence.get("source"),
            evidence.get("target"),
        ),
        "owner": evidence.get("owner_position"),
        "window": evidence.get("window"),
        "lines": [_evidence_line(dict(item)) for item in evidence.get("evidence", [])],
    }


# Presentation: the dashboard ------------------------------------------------------------------


def quick_windows(days: tuple[int, ...]) -> list[dict[str, str]]:
    """The window picker's shortcuts ("last 30 days", ...) ending today."""
    today = timezone.localdate()
    return [
        {
            "label": _("Last {n} days").format(n=n),
            "start": (today - dt.timedelta(days=n - 1)).isoformat(),
            "end": today.isoformat(),
        }
        for n in days
    ]


def _step_order(found: ProcessAnalysis) -> dict[str, int]:
    order = {step.name: i for i, step in enumerate(found.targets.steps)}
    for label in sorted(found.result.steps):
        order.setdefault(label, len(order))
    return order


def dashboard(found: ProcessAnalysis, *, edge_url: str) -> dict[str, Any]:
    """Everything the dashboard shows, as plain rows and ECharts options."""
    result = found.result
    if not found.events:
        return {}
    order = _step_order(found)
    weeks = max((found.end - found.start).total_seconds() / (7 * 86400), 1 / 7)
    completed = int(result.throughput_daily["cases_completed"].sum()) if result.cases else 0
    top = result.bottlenecks[0] if result.bottlenecks else None
    summary = {
        "cases": result.cases,
        "events": result.events,
        "cycle_median": duration(result.case_durations.median_s),
        "cycle_p90": duration(result.case_durations.p90_s),
        "per_week": f"{completed / weeks:.1f}",
        "top_wait": duration(top.total_wait_s) if top else None,
        "top_label": bottleneck_label(top.kind, top.step, top.source, top.target) if top else "",
    }
    return {
        "summary": summary,
        "bottlenecks": [
            {
                "key": b.key,
                "kind": b.kind,
                "kind_label": _("handoff") if b.kind == "handoff" else _("queue"),
                "label": bottleneck_label(b.kind, b.step, b.source, b.target),
                "total": duration(b.total_wait_s),
                "owner": b.owner_position,
                "evidence_text": evidence_lines(b, found.people),
            }
            for b in result.bottlenecks[:10]
        ],
        "steps": _step_rows(found, order),
        "handoffs": _handoff_rows(found, edge_url),
        "handoff_positions": _pair_rows(
            result.handoff_by_position, "source_position", "target_position", {}
        ),
        "handoff_people": _pair_rows(
            result.handoff_by_people, "source_resource", "target_resource", found.people
        ),
        "rework": [
            {
                "step": row["step"],
                "cases": row["cases"],
                "share": percent(row["share_of_cases"]),
                "extra": row["extra_occurrences"],
                "cost": duration(row["extra_processing_s"]),
            }
            for row in result.rework.sort("extra_processing_s", descending=True).to_dicts()
        ],
        "loops": result.rework_loops.sort("count", descending=True).to_dicts(),
        "variants": [
            {
                "path": row["path"],
                "count": row["count"],
                "share": percent(row["share"]),
                "median": duration(row["median_duration_s"]),
            }
            for row in result.variants.to_dicts()
        ],
        "people": [
            {
                "label": found.people.get(row["resource"], row["resource"]),
                "position": found.positions.get(row["resource"]),
                "events": row["events"],
                "cases": row["cases"],
                "busy": duration(row["busy_s"]),
                "avg_wip": f"{row['avg_wip']:.2f}",
                "max_wip": row["max_wip"],
            }
            for row in result.person_load.sort("busy_s", descending=True).to_dicts()
        ],
        "charts": {
            "dfg": dfg_chart(found, order, edge_url),
            "throughput": _throughput_chart(result),
            "cycle": _cycle_chart(result),
            "wip": _wip_chart(result),
            **_heatmap(found),
        },
    }


def _by_step(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    return {row["step"]: row for row in frame.to_dicts()}


def _step_rows(found: ProcessAnalysis, order: dict[str, int]) -> list[dict[str, Any]]:
    result = found.result
    service, waiting = _by_step(result.service_times), _by_step(result.waiting_times)
    breaches = _by_step(result.sla.steps)
    rows = []
    for step in sorted(result.steps, key=lambda label: order.get(label, len(order))):
        proc, wait, sla = service.get(step, {}), waiting.get(step, {}), breaches.get(step, {})
        rate = sla.get("breach_rate")
        rows.append(
            {
                "step": step,
                "owner": found.targets.step_owner.get(step),
                "proc_median": duration(proc.get("median_s")),
                "proc_p90": duration(proc.get("p90_s")),
                "proc_mean": duration(proc.get("mean_s")),
                "proc_count": proc.get("count", 0),
                "wait_median": duration(wait.get("median_s")),
                "wait_p90": duration(wait.get("p90_s")),
                "wait_mean": duration(wait.get("mean_s")),
                "wait_count": wait.get("count", 0),
                "target": duration(sla["target_s"]) if sla.get("target_s") else None,
                "breach": percent(rate) if rate is not None else None,
                "breach_rate": rate,
                "breach_high": rate is not None and rate > 0.2,
            }
        )
    return rows


def _edge_link(edge_url: str, source: str, target: str) -> str:
    return f"{edge_url}&{urlencode({'source': source, 'target': target})}"


def _handoff_rows(found: ProcessAnalysis, edge_url: str) -> list[dict[str, Any]]:
    result = found.result
    sla = {(row["source"], row["target"]): row for row in result.sla.handoffs.to_dicts()}
    rows = []
    for row in result.performance_dfg.sort("sum_s", descending=True).to_dicts():
        pair = (row["source"], row["target"])
        target_s = found.targets.handoff_targets.get(pair)
        rate = sla.get(pair, {}).get("breach_rate")
        rows.append(
            {
                "source": row["source"],
                "target": row["target"],
                "count": row["count"],
                "median": duration(row["median_s"]),
                "p90": duration(row["p90_s"]),
                "median_s": row["median_s"],
                "target_text": duration(target_s) if target_s else None,
                "breach": percent(rate) if rate is not None else None,
                "over": bool(target_s and row["median_s"] and row["median_s"] > target_s),
                "url": _edge_link(edge_url, row["source"], row["target"]),
            }
        )
    return rows


def _pair_rows(
    frame: pl.DataFrame, from_column: str, to_column: str, labels: dict[str, str]
) -> list[dict[str, Any]]:
    rows = frame.filter(pl.col(from_column) != pl.col(to_column)).sort("sum_s", descending=True)
    return [
        {
            "source": row["source"],
            "target": row["target"],
            "from": labels.get(row[from_column], row[from_column]) or "?",
            "to": labels.get(row[to_column], row[to_column]) or "?",
            "count": row["count"],
            "mean": duration(row["mean_s"]),
            "total": duration(row["sum_s"]),
        }
        for row in rows.head(30).to_dicts()
    ]


def dfg_chart(found: ProcessAnalysis, order: dict[str, int], edge_url: str) -> dict[str, Any]:
    """The directly-follows graph as an ECharts graph: steps left to right in map order, edges
    labelled with cases and median wait, thicker for more cases, red over the handoff target;
    each edge links to its cases."""
    result = found.result
    counts = {row["step"]: row["count"] for row in result.service_times.to_dicts()}
    steps = sorted(result.steps, key=lambda label: order.get(label, len(order)))
    nodes = [
        {
            "name": step,
            "x": i * 300,
            "y": (i % 2) * 120,
            "value": counts.get(step, 0),
            "symbolSize": 30,
            "label": {
                "show": True,
                "position": "bottom",
                "fontWeight": "bold",
                "formatter": f"{step} ({counts.get(step, 0)})",
            },
        }
        for i, step in enumerate(steps)
    ]
    dfg = result.performance_dfg.to_dicts()
    most = max((row["count"] for row in dfg), default=1)
    pairs = {(row["source"], row["target"]) for row in dfg}
    links = []
    for row in dfg:
        pair = (row["source"], row["target"])
        target_s = found.targets.handoff_targets.get(pair)
        over = bool(target_s and row["median_s"] and row["median_s"] > target_s)
        backwards = order.get(pair[1], 0) < order.get(pair[0], 0)
        links.append(
            {
                "source": pair[0],
                "target": pair[1],
                "value": row["count"],
                "url": _edge_link(edge_url, *pair),
                "label": {
                    "show": True,
                    "formatter": f"{row['count']} · {duration(row['median_s'])}",
                },
                "lineStyle": {
                    "width": round(1 + 7 * row["count"] / most, 1),
                    "color": "#d63939" if over else "#467fcf",
                    "curveness": 0.3 if backwards or (pair[1], pair[0]) in pairs else 0.05,
                },
            }
        )
    return {
        "tooltip": {},
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 9,
                "edgeLabel": {"fontSize": 11},
                "label": {"show": True},
                "data": nodes,
                "links": links,
            }
        ],
    }


def _day(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


def _throughput_chart(result: Any) -> dict[str, Any]:
    daily = result.throughput_daily.to_dicts()
    weekly = result.throughput_weekly.to_dicts()
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Completed per day"), _("Completed per week")]},
        "xAxis": {"type": "time"},
        "yAxis": [{"type": "value", "minInterval": 1}, {"type": "value", "minInterval": 1}],
        "series": [
            {
                "name": _("Completed per day"),
                "type": "bar",
                "data": [[_day(row["period"]), row["cases_completed"]] for row in daily],
            },
            {
                "name": _("Completed per week"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [[_day(row["period"]), row["cases_completed"]] for row in weekly],
            },
        ],
    }


def _cycle_chart(result: Any) -> dict[str, Any]:
    bins = result.case_durations.histogram.to_dicts()
    labels = [
        f"{duration(row['lower_s'])}–{duration(row['upper_s'])}"
        if row["upper_s"] is not None
        else f"≥ {duration(row['lower_s'])}"
        for row in bins
    ]
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 40}},
        "yAxis": {"type": "value", "minInterval": 1, "name": _("Cases")},
        "grid": {"bottom": 80},
        "series": [{"type": "bar", "data": [row["cases"] for row in bins]}],
    }


def _wip_chart(result: Any) -> dict[str, Any]:
    rows = result.wip_daily.to_dicts()
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "time"},
        "yAxis": {"type": "value", "name": _("Cases in progress")},
        "series": [
            {
                "type": "line",
                "showSymbol": False,
                "areaStyle": {},
                "data": [[_day(row["period"]), round(row["avg_open"], 2)] for row in rows],
            }
        ],
    }


def _heatmap(found: ProcessAnalysis, people_limit: int = 25) -> dict[str, Any]:
    """Events per person and week (the busiest ``people_limit`` people)."""
    workload = found.result.workload_weekly
    if workload.is_empty():
        return {"heatmap": {}, "heatmap_height": 120}
    busiest = (
        workload.group_by("resource")
        .agg(pl.col("events").sum())
        .sort(["events", "resource"], descending=[True, False])
        .head(people_limit)
        .get_column("resource")
        .to_list()
    )
    weeks = sorted({_day(value) for value in workload.get_column("period").to_list()})
    week_index = {week: i for i, week in enumerate(weeks)}
    person_index = {resource: i for i, resource in enumerate(busiest)}
    data = [
        [week_index[_day(row["period"])], person_index[row["resource"]], row["events"]]
        for row in workload.filter(pl.col("resource").is_in(busiest)).to_dicts()
    ]
    top = max((cell[2] for cell in data), default=1)
    return {
        "heatmap": {
            "tooltip": {"position": "top"},
            "grid": {"left": 160, "bottom": 70},
            "xAxis": {"type": "category", "data": weeks, "axisLabel": {"rotate": 40}},
            "yAxis": {
                "type": "category",
                "data": [found.people.get(r, r) for r in busiest],
            },
            "visualMap": {
                "min": 0,
                "max": top,
                "calculable": True,
                "orient": "horizontal",
                "left": "center",
                "bottom": 0,
            },
            "series": [{"type": "heatmap", "data": data, "label": {"show": False}}],
        },
        "heatmap_height": 120 + 24 * len(busiest),
    }


# Presentation: the process review ----------------------------------------------------------------


def _change(
    label: str,
    before: float | None,
    after: float | None,
    *,
    lower_is_better: bool = True,
    kind: str = "duration",
) -> dict[str, Any]:
    """One compared figure: both values, the difference and whether it is an improvement."""
    fmt = {
        "duration": duration,
        "percent": percent,
        "number": lambda v: f"{v:.1f}",
        "count": lambda v: f"{v:,.0f}",
    }[kind]
    row: dict[str, Any] = {
        "label": label,
        "before": before,
        "after": after,
        "before_text": fmt(before) if before is not None else "—",
        "after_text": fmt(after) if after is not None else "—",
        "delta": None,
        "delta_text": "",
        "arrow": "",
        "better": False,
        "worse": False,
    }
    if before is None or after is None:
        return row
    delta = after - before
    row["delta"] = delta
    # Changes below 5 % (2 points for rates) are noise, not a result: shown level.
    tolerance = 0.02 if kind == "percent" else 1e-9 + 0.05 * abs(before)
    if abs(delta) <= tolerance:
        row["arrow"] = "→"
        return row
    row["arrow"] = "↑" if delta > 0 else "↓"
    improved = (delta < 0) if lower_is_better else (delta > 0)
    row["better"], row["worse"] = improved, not improved
    if kind == "percent":
        row["delta_text"] = _("{n} points").format(n=f"{delta * 100:+.0f}")
    elif kind == "number":
        row["delta_text"] = f"{delta:+.1f}"
    elif kind == "count":
        row["delta_text"] = f"{delta:+,.0f}"
    else:
        row["delta_text"] = ("+" if delta > 0 else "−") + duration(abs(delta))
    if before and kind != "percent":
        row["delta_text"] += f" ({delta / before * 100:+.0f} %)"
    return row


def _rate(frame: pl.DataFrame) -> float | None:
    if frame.is_empty():
        return None
    count = int(frame["count"].sum())
    return int(frame["breaches"].sum()) / count if count else None


def _per_week(found: ProcessAnalysis) -> float | None:
    if not found.result.cases:
        return None
    weeks = (found.end - found.start).total_seconds() / (7 * 86400)
    return int(found.result.throughput_daily["cases_completed"].sum()) / max(weeks, 1 / 7)


def review_comparison(before: ProcessAnalysis, after: ProcessAnalysis) -> dict[str, Any]:
    """The two windows side by side: overall figures, the wait before each step, each
    handoff's median delay and breach rate, with the change and its direction."""
    a, b = before.result, after.result
    overview = [
        _change(_("Cases"), a.cases or None, b.cases or None, lower_is_better=False, kind="count"),
        _change(
            _("Completed per week"),
            _per_week(before),
            _per_week(after),
            lower_is_better=False,
            kind="number",
        ),
        _change(_("Cycle time (median)"), a.case_durations.median_s, b.case_durations.median_s),
        _change(_("Cycle time (p90)"), a.case_durations.p90_s, b.case_durations.p90_s),
        _change(
            _("Waiting per case"),
            a.total_wait_s / a.cases if a.cases else None,
            b.total_wait_s / b.cases if b.cases else None,
        ),
        _change(
            _("Handoffs over target"), _rate(a.sla.handoffs), _rate(b.sla.handoffs), kind="percent"
        ),
        _change(_("Steps over target"), _rate(a.sla.steps), _rate(b.sla.steps), kind="percent"),
    ]
    order = _step_order(after)
    for label, position in _step_order(before).items():
        order.setdefault(label, position + len(order))
    wait_a, wait_b = _by_step(a.waiting_times), _by_step(b.waiting_times)
    waits = [
        _change(step, wait_a.get(step, {}).get("median_s"), wait_b.get(step, {}).get("median_s"))
        for step in sorted(set(wait_a) | set(wait_b), key=lambda s: order.get(s, len(order)))
    ]
    dfg_a = {(r["source"], r["target"]): r for r in a.performance_dfg.to_dicts()}
    dfg_b = {(r["source"], r["target"]): r for r in b.performance_dfg.to_dicts()}
    pairs = sorted(
        set(dfg_a) | set(dfg_b),
        key=lambda p: -max(dfg_a.get(p, {}).get("sum_s", 0), dfg_b.get(p, {}).get("sum_s", 0)),
    )
    handoffs = [
        _change(
            f"{source} → {target}",
            dfg_a.get((source, target), {}).get("median_s"),
            dfg_b.get((source, target), {}).get("median_s"),
        )
        for source, target in pairs
    ]
    sla_a = {(r["source"], r["target"]): r for r in a.sla.handoffs.to_dicts()}
    sla_b = {(r["source"], r["target"]): r for r in b.sla.handoffs.to_dicts()}
    breaches = [
        _change(
            f"{source} → {target}",
            sla_a.get((source, target), {}).get("breach_rate"),
            sla_b.get((source, target), {}).get("breach_rate"),
            kind="percent",
        )
        for source, target in pairs
        if (source, target) in sla_a or (source, target) in sla_b
    ]
    sections = [
        {"key": "overview", "title": _("Overview"), "what": _("Measure"), "rows": overview},
        {
            "key": "waits",
            "title": _("Median wait before each step"),
            "what": pgettext("process step", "Step"),
            "rows": waits,
        },
        {
            "key": "handoffs",
            "title": _("Median handoff delay"),
            "what": _("Handoff"),
            "rows": handoffs,
        },
        {
            "key": "breaches",
            "title": _("Handoffs over their target"),
            "what": _("Handoff"),
            "rows": breaches,
        },
    ]
    return {
        "has_data": bool(a.events or b.events),
        "sections": [section for section in sections if section["rows"]],
    }
