"""Reads of the process maps: the process list, a map's steps and transitions, the version
history, the flowchart (an ECharts graph option) and the RACI consistency check.

``raci_disagreements`` is shared with the analytics page: for each step of a map it compares the
responsible position with the "R" (and "A") positions of the step's activity in the RACI matrix.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from opsteam.core import policy
from opsteam.org.models import OrgUnit, Process, RaciAssignment
from opsteam.workflow.choices import OPEN_STATUSES, MapStatus
from opsteam.workflow.models import ProcessMap, Step, Transition, WorkItem

# Flowchart geometry (ECharts data coordinates; the chart scales them to fit).
COLUMN_GAP = 240
ROW_GAP = 130


def can_on_process(user: Any, action: str, model: type, process: Process) -> bool:
    """Whether ``user`` may ``action`` rows of ``model`` belonging to ``process`` (maps, event
    sources, events, improvement actions, rules): HR and administrators for every process,
    managers for processes owned by a unit of their subtree. Decided on the process's owning
    unit, so it also answers before the process has any such row."""
    allowed = policy.rule_for(model).actions.get(action, {})
    owner_path = process.owner_unit.path if process.owner_unit_id else None
    for role, paths in policy.user_roles(user).items():
        scope = allowed.get(role)
        if scope is policy.ALL:
            return True
        if (
            scope is policy.SUBTREE
            and owner_path is not None
            and any(owner_path.startswith(path) for path in paths)
        ):
            return True
    return False


def can_maintain(user: Any, process: Process, action: str = "change") -> bool:
    """Whether ``user`` may ``action`` the maps of ``process`` (``add`` a version, ``change``
    a draft, ``publish``, ``analyse``)."""
    return can_on_process(user, action, ProcessMap, process)


def maintainable_units(user: Any) -> QuerySet[OrgUnit]:
    """The units ``user`` may name as a process's owner: all for HR and administrators, a
    manager's subtrees for a manager."""
    allowed = policy.rule_for(ProcessMap).actions.get("add", {})
    condition = Q(pk__in=[])
    for role, paths in policy.user_roles(user).items():
        scope = allowed.get(role)
        if scope is policy.ALL:
            return OrgUnit.objects.order_by("path")
        if scope is policy.SUBTREE:
            for path in paths:
                condition |= Q(path__startswith=path)
    return OrgUnit.objects.filter(condition).order_by("path")


def process_list(*, user: Any, action: str = "view") -> QuerySet[Process]:
    """Processes the user may ``action``, each annotated with its published map's id and
    version (``published_map_id``, ``published_version``, None when none is published), the
    number of steps of that map (``steps_count``), its latest version (``latest_version``) and
    the open work items the user may see (``open_items``). A fixed number of queries."""
    published = ProcessMap.objects.filter(process=OuterRef("pk"), status=MapStatus.PUBLISHED)
    steps = (
        Step.objects.filter(map__process=OuterRef("pk"), map__status=MapStatus.PUBLISHED)
        .order_by()
        .values("map__process")
        .annotate(n=Count("pk"))
        .values("n")
    )
    items = (
        policy.restrict(WorkItem.objects.all(), user, "view")
        .filter(process=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("process")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest = ProcessMap.objects.filter(process=OuterRef("pk")).order_by("-version")
    queryset = Process.objects.select_related("owner_unit").annotate(
        published_map_id=Subquery(published.values("pk")[:1]),
        published_version=Subquery(published.values("version")[:1]),
        latest_version=Subquery(latest.values("version")[:1]),
        steps_count=Coalesce(Subquery(steps, output_field=IntegerField()), 0),
        open_items=Coalesce(Subquery(items, output_field=IntegerField()), 0),
    )
    return policy.restrict(queryset, user, action)


def map_list(*, user: Any) -> QuerySet[ProcessMap]:
    """Every map version the user may see, with its process, steps and transitions loaded
    (positions, activities and the steps each transition joins): three queries per page."""
    return (
        ProcessMap.objects.restrict(user, "view")
        .select_related("process", "process__owner_unit", "published_by", "created_by")
        .prefetch_related(
            Prefetch("steps", Step.objects.select_related("activity", "position")),
            Prefetch("transitions", Transition.objects.select_related("source", "target")),
        )
    )


def current_map(process: Process) -> ProcessMap | None:
    """The map people follow: the published version, else the latest draft (or None)."""
    maps = ProcessMap.objects.filter(process=process)
    return (
        maps.filter(status=MapStatus.PUBLISHED).first()
        or maps.filter(status=MapStatus.DRAFT).order_by("-version").first()
        or maps.order_by("-version").first()
    )


def map_versions(process: Process) -> list[ProcessMap]:
    """Every version of the process's map, newest first, with who created and published it
    and how many steps it has."""
    return list(
        ProcessMap.objects.filter(process=process)
        .select_related("created_by", "published_by")
        .annotate(steps_count=Count("steps"))
        .order_by("-version")
    )


def map_steps(process_map: ProcessMap) -> list[Step]:
    """The map's steps in flow order, with activity and responsible position."""
    return list(
        Step.objects.filter(map=process_map)
        .select_related("activity", "position")
        .order_by("order", "code")
    )


def map_transitions(process_map: ProcessMap) -> list[Transition]:
    """The map's transitions, with both steps."""
    return list(
        Transition.objects.filter(map=process_map)
        .select_related("source", "target")
        .order_by("source__order", "target__order", "pk")
    )


def _raci_positions(activity_ids: set[int]) -> dict[int, dict[str, list[Any]]]:
    """Per activity, the positions holding R and A (one query)."""
    found: dict[int, dict[str, list[Any]]] = defaultdict(lambda: {"R": [], "A": []})
    cells = (
        RaciAssignment.objects.filter(activity_id__in=activity_ids, role__in=("R", "A"))
        .select_related("position")
        .order_by("position__code")
    )
    for cell in cells:
        found[cell.activity_id][cell.role].append(cell.position)
    return found


def raci_disagreements(
    process_map: ProcessMap, steps: list[Step] | None = None
) -> list[dict[str, Any]]:
    """Return the steps of ``process_map`` whose responsible position disagrees with RACI.

    One dict per problem: ``step`` (the Step), ``kind`` (``no_activity``: the step is linked to
    no activity; ``no_responsible``: its activity has no R; ``no_position``: the step names no
    responsible position; ``accountable_only``: the position is A but not R;
    ``not_responsible``: the position is neither R nor A), ``severity`` (Bootstrap colour),
    ``message`` (translated), ``responsible`` and ``accountable`` (the activity's R and A
    positions). Steps agreeing with the matrix do not appear. ``steps`` may be handed in
    (with activity and position loaded) to save the query; the RACI cells take one more.
    """
    steps = map_steps(process_map) if steps is None else steps
    raci = _raci_positions({step.activity_id for step in steps if step.activity_id})
    problems: list[dict[str, Any]] = []
    for step in steps:
        cells = raci.get(step.activity_id, {"R": [], "A": []}) if step.activity_id else None
        responsible = cells["R"] if cells else []
        accountable = cells["A"] if cells else []
        if cells is None:
            kind, severity = "no_activity", "warning"
            message = _("Not linked to an activity of the RACI matrix.")
        elif not responsible:
            kind, severity = "no_responsible", "danger"
            message = _("The activity {activity} has no Responsible (R) position.").format(
                activity=step.activity.display_name
            )
        elif step.position_id is None:
            kind, severity = "no_position", "warning"
            message = _("No responsible position; RACI names {positions}.").format(
                positions=", ".join(p.display_name for p in responsible)
            )
        elif any(p.pk == step.position_id for p in responsible):
            continue
        elif any(p.pk == step.position_id for p in accountable):
            kind, severity = "accountable_only", "info"
            message = _(
                "{position} is Accountable (A) for the activity, not Responsible (R): {positions}."
            ).format(
                position=step.position.display_name,
                positions=", ".join(p.display_name for p in responsible),
            )
        else:
            kind, severity = "not_responsible", "danger"
            message = _(
                "{position} is not Responsible (R) for the activity: RACI names {positions}."
            ).format(
                position=step.position.display_name,
                positions=", ".join(p.display_name for p in responsible),
            )
        problems.append(
            {
                "step": step,
                "kind": kind,
                "severity": severity,
                "message": message,
                "responsible": responsible,
                "accountable": accountable,
            }
        )
    return problems


def _minutes(value: int | None) -> str:
    if value is None:
        return ""
    if value >= 60 and value % 60 == 0:
        return _("{hours} h").format(hours=value // 60)
    return _("{minutes} min").format(minutes=value)


def auto_layout(steps: list[Step]) -> dict[int, tuple[float, float]]:
    """Where each step sits: its saved x/y, else left to right by ``order`` (steps sharing an
    order stacked in one column)."""
    columns: dict[int, list[Step]] = defaultdict(list)
    for step in steps:
        columns[step.order].append(step)
    placed: dict[int, tuple[float, float]] = {}
    for column, order in enumerate(sorted(columns)):
        for row, step in enumerate(columns[order]):
            if step.x is not None and step.y is not None:
                placed[step.pk] = (step.x, step.y)
            else:
                placed[step.pk] = (float(column * COLUMN_GAP), float(row * ROW_GAP))
    return placed


def flowchart(
    process_map: ProcessMap,
    steps: list[Step],
    transitions: list[Transition],
    *,
    flagged: set[int] = frozenset(),  # type: ignore[assignment]
    editable: bool = False,
) -> dict[str, Any]:
    """An ECharts graph option drawing the map: one box per step (name, responsible position,
    target time) laid out left to right, arrows for the transitions labelled with the handoff
    target; steps in ``flagged`` (RACI disagreement) have an orange border. ``editable`` makes
    the boxes draggable (the page saves the layout)."""
    placed = auto_layout(steps)
    order_of = {step.pk: step.order for step in steps}
    nodes = []
    for step in steps:
        x, y = placed[step.pk]
        lines = [step.display_name]
        details = [
            step.position.display_name if step.position_id else _("(no responsible position)")
        ]
        if step.target_minutes is not None:
            details.append(_("target {time}").format(time=_minutes(step.target_minutes)))
        lines.append(" · ".join(details))
        nodes.append(
            {
                "id": str(step.pk),
                "name": "\n".join(lines),
                "x": x,
                "y": y,
                "url": reverse("workflow:step_sop", args=[step.pk]),
                "itemStyle": {"borderColor": "#f76707", "borderWidth": 3}
                if step.pk in flagged
                else {},
            }
        )
    links = []
    for transition in transitions:
        text = (
            _("handoff ≤ {time}").format(time=_minutes(transition.handoff_target_minutes))
            if transition.handoff_target_minutes is not None
            else ""
        )
        if transition.label:
            text = f"{transition.label} · {text}" if text else transition.label
        backwards = order_of.get(transition.target_id, 0) <= order_of.get(transition.source_id, 0)
        links.append(
            {
                "source": str(transition.source_id),
                "target": str(transition.target_id),
                "label": {
                    "show": bool(text),
                    "formatter": text.replace("{", "(").replace("}", ")"),
                },
                "lineStyle": {"curveness": 0.35 if backwards else 0.0},
            }
        )
    return {
        "tooltip": {"formatter": "{b}"},
        "animation": False,
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                # Equal x and y scales: one row of steps would otherwise be stretched tall.
                "preserveAspect": True,
                "draggable": editable,
                "top": 40,
                "bottom": 40,
                "left": 90,
                "right": 90,
                "symbol": "roundRect",
                "symbolSize": [170, 62],
                "itemStyle": {"color": "#e7f0fb", "borderColor": "#206bc4", "borderWidth": 1.5},
                "label": {
                    "show": True,
                    "position": "inside",
                    "color": "#1d273b",
                    "fontSize": 12,
                    "lineHeight": 18,
                    "overflow": "truncate",
                    "width": 160,
                },
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 10,
                "edgeLabel": {"show": True, "fontSize": 11, "color": "#495057"},
                "lineStyle": {"color": "#8a94a6", "width": 1.5, "opacity": 0.9},
                "emphasis": {"focus": "adjacency"},
                "data": nodes,
                "links": links,
            }
        ],
    }


def step_choices_for(process_map: ProcessMap) -> list[tuple[int, str]]:
    """The map's steps as (id, "code · name") choices, in flow order."""
    return [
        (step.pk, f"{step.code} · {step.display_name}")
        for step in Step.objects.filter(map=process_map).order_by("order", "code")
    ]


def drafts_of(process_ids: list[int]) -> dict[int, int]:
    """The open draft's id of each process that has one."""
    return dict(
        ProcessMap.objects.filter(process_id__in=process_ids, status=MapStatus.DRAFT).values_list(
            "process_id", "pk"
        )
    )


def process_has_maps(process: Process) -> bool:
    return ProcessMap.objects.filter(process=process).exists()


def visible_process(*, user: Any, pk: int) -> Process:
    """A process the user may see (``NotVisible`` otherwise)."""
    return policy.scoped_get(Process.objects.select_related("owner_unit"), user, pk=pk)
