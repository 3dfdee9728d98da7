"""Reads of the work-item pages, API and exports: every one starts from the policy.

The board, My work and the team workload each run a fixed number of queries, whatever the
number of items: rows come in one query with their relations, the rest is arithmetic here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from opsteam.core import policy
from opsteam.core.choices import Role
from opsteam.org.models import OrgUnit, Process, Staff
from opsteam.workflow.choices import OPEN_STATUSES, MapStatus, Priority
from opsteam.workflow.models import (
    ProcessEvent,
    ProcessMap,
    Step,
    Transition,
    WorkItem,
    WorkItemAttachment,
    WorkItemComment,
    WorkItemLink,
)

ITEM_RELATED = ("process", "step", "assignee", "unit", "reporter")
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
PRIORITY_ORDER = (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)
BOARD_COLUMN_LIMIT = 50  # cards shown per column; the rest are counted and listed


def item_list(*, user: Any, action: str = "view") -> QuerySet[WorkItem]:
    """Work items ``user`` may ``action`` (view, export), with what a row shows."""
    return WorkItem.objects.restrict(user, action).select_related(*ITEM_RELATED)


def item_get(*, user: Any, pk: int) -> WorkItem:
    """One visible item (NotVisible otherwise)."""
    return policy.scoped_get(WorkItem.objects.select_related(*ITEM_RELATED), user, pk=pk)


def published_map(process: Process) -> ProcessMap | None:
    """The process's published map (one at most: a database constraint)."""
    return ProcessMap.objects.filter(process=process, status=MapStatus.PUBLISHED).first()


def processes_with_published_map() -> QuerySet[Process]:
    """Processes an item can be raised in."""
    return Process.objects.filter(maps__status=MapStatus.PUBLISHED).order_by("code").distinct()


def jump_checker(user: Any) -> Callable[[WorkItem], bool]:
    """A test, without queries, of whether ``user`` may move an item off the transitions:
    administrators and HR everywhere, managers on their teams' items (``item.unit`` loaded)."""
    if user is None:
        return lambda item: True
    roles = policy.user_roles(user)
    if Role.ADMIN in roles or Role.HR in roles:
        return lambda item: True
    paths = tuple(roles.get(Role.MANAGER) or ())
    if not paths:
        return lambda item: False
    return lambda item: item.unit.path.startswith(paths)


def may_jump(user: Any, item: WorkItem) -> bool:
    """Whether ``user`` may move ``item`` to a step no transition leads to."""
    return jump_checker(user)(item)


def assignable_staff(*, user: Any) -> QuerySet[Staff]:
    """Active people ``user`` may name on an item (those they can see)."""
    return (
        Staff.objects.restrict(user, "view")
        .filter(status="active")
        .select_related("unit")
        .order_by("employee_no")
    )


def item_events(item: WorkItem) -> list[ProcessEvent]:
    """The item's step visits from the event log, oldest first (the item's history: whoever
    sees the item sees how it moved)."""
    return list(
        ProcessEvent.objects.filter(work_item=item)
        .select_related("staff", "step")
        .order_by("completed_at", "pk")
    )


def item_comments(item: WorkItem) -> QuerySet[WorkItemComment]:
    return WorkItemComment.objects.filter(item=item).select_related("author").order_by("created_at")


def item_attachments(item: WorkItem) -> QuerySet[WorkItemAttachment]:
    return (
        WorkItemAttachment.objects.filter(item=item)
        .select_related("uploaded_by")
        .order_by("created_at")
    )


def item_links(*, user: Any, item: WorkItem) -> dict[str, list[WorkItemLink]]:
    """Links out of and into ``item`` whose other end ``user`` may see."""
    visible = WorkItem.objects.restrict(user, "view").values("pk")
    out = (
        WorkItemLink.objects.filter(source=item, target__in=visible)
        .select_related("target")
        .order_by("kind", "target__reference")
    )
    into = (
        WorkItemLink.objects.filter(target=item, source__in=visible)
        .select_related("source")
        .order_by("kind", "source__reference")
    )
    return {"out": list(out), "in": list(into)}


def age_minutes(item: WorkItem, now: dt.datetime) -> int | None:
    if item.step_started_at is None:
        return None
    return max(0, int((now - item.step_started_at).total_seconds() // 60))


def over_target(item: WorkItem, now: dt.datetime) -> bool:
    """Whether the item has been in its step longer than the step's target."""
    age = age_minutes(item, now)
    target = item.step.target_minutes if item.step_id else None
    return bool(target) and age is not None and age > target


def human_minutes(minutes: int | None) -> str:
    """A compact duration: 45m, 3h 20m, 2d 4h."""
    if minutes is None:
        return ""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins}m"
    return f"{mins}m"


# Board ----------------------------------------------------------------------------------


@dataclass
class Card:
    item: WorkItem
    age: str
    over_target: bool
    overdue: bool
    targets: list[Step]


@dataclass
class Column:
    step: Step
    cards: list[Card] = field(default_factory=list)
    total: int = 0
    over_target: int = 0


@dataclass
class Board:
    process: Process
    map: ProcessMap | None
    columns: list[Column]
    elsewhere: list[Card]  # open items on a step of another map version, or on none
    total: int


def board(*, user: Any, process: Process, items: QuerySet[WorkItem]) -> Board:
    """The process's open items the user may see (``items``: already filtered), in columns
    of the published map's steps, each card with its age in the step, whether that is over
    the step's target, and the steps the user may move it to."""
    current = published_map(process)
    steps = list(Step.objects.filter(map=current).order_by("order", "code")) if current else []
    by_step = {step.pk: Column(step=step) for step in steps}
    outgoing: dict[int, list[Step]] = defaultdict(list)
    steps_by_id = {step.pk: step for step in steps}
    if current is not None:
        for source_id, target_id in Transition.objects.filter(map=current).values_list(
            "source_id", "target_id"
        ):
            if target_id in steps_by_id and target_id != source_id:
                outgoing[source_id].append(steps_by_id[target_id])
    for targets in outgoing.values():
        targets.sort(key=lambda step: (step.order, step.code))
    can_jump = jump_checker(user)
    now, today = timezone.now(), timezone.localdate()
    rows = (
        items.filter(process=process, status__in=OPEN_STATUSES)
        .select_related(*ITEM_RELATED)
        .order_by("due_date", "step_started_at", "pk")
    )
    elsewhere: list[Card] = []
    total = 0
    ordered = sorted(rows, key=lambda item: PRIORITY_RANK.get(item.priority, 9))
    for item in ordered:
        total += 1
        jump = can_jump(item)
        column = by_step.get(item.step_id)
        if column is None:
            targets = steps if jump or item.step_id is None else []
            if not jump and item.step_id is None:
                targets = steps[:1]
        else:
            targets = [s for s in steps if s.pk != item.step_id] if jump else outgoing[item.step_id]
        card = Card(
            item=item,
            age=human_minutes(age_minutes(item, now)),
            over_target=over_target(item, now),
            overdue=item.due_date is not None and item.due_date < today,
            targets=targets,
        )
        if column is None:
            elsewhere.append(card)
            continue
        column.total += 1
        column.over_target += card.over_target
        if len(column.cards) < BOARD_COLUMN_LIMIT:
            column.cards.append(card)
    return Board(
        process=process,
        map=current,
        columns=list(by_step.values()),
        elsewhere=elsewhere[:BOARD_COLUMN_LIMIT],
        total=total,
    )


# My work --------------------------------------------------------------------------------


@dataclass
class MyWork:
    overdue: list[WorkItem]
    today: list[WorkItem]
    this_week: list[WorkItem]
    later: list[WorkItem]
    raised: list[WorkItem]

    @property
    def assigned_count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.this_week) + len(self.later)


MY_WORK_LIMIT = 200


def my_work(*, user: Any, today: dt.date | None = None) -> MyWork:
    """Open items assigned to ``user`` grouped by due date (overdue, today, the rest of this
    week up to Sunday, later or no date), and the open items they raised for others."""
    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=6 - today.weekday())
    visible = WorkItem.objects.restrict(user, "view").filter(status__in=OPEN_STATUSES)
    mine = list(
        visible.filter(assignee__user=user)
        .select_related(*ITEM_RELATED)
        .order_by("due_date", "-created_at", "pk")[:MY_WORK_LIMIT]
    )
    groups: dict[str, list[WorkItem]] = {"overdue": [], "today": [], "week": [], "later": []}
    for item in mine:
        due = item.due_date
        if due is None or due > week_end:
            groups["later"].append(item)
        elif due < today:
            groups["overdue"].append(item)
        elif due == today:
            groups["today"].append(item)
        else:
            groups["week"].append(item)
    raised = list(
        visible.filter(reporter=user)
        .exclude(assignee__user=user)
        .select_related(*ITEM_RELATED)
        .order_by("-created_at", "pk")[:MY_WORK_LIMIT]
    )
    return MyWork(
        overdue=groups["overdue"],
        today=groups["today"],
        this_week=groups["week"],
        later=groups["later"],
        raised=raised,
    )


# Team workload --------------------------------------------------------------------------


@dataclass
class PersonLoad:
    staff: Staff | None  # None: the unassigned items
    open: int = 0
    overdue: int = 0
    over_target: int = 0
    by_priority: Counter = field(default_factory=Counter)

    @property
    def priority_counts(self) -> list[int]:
        """Open items by priority, most urgent first (``PRIORITY_ORDER``)."""
        return [self.by_priority.get(code, 0) for code in PRIORITY_ORDER]


@dataclass
class Workload:
    rows: list[PersonLoad]
    steps: list[Step]
    heatmap: dict[str, Any] | None
    unit: OrgUnit | None


HEATMAP_PEOPLE = 60


def workload(*, user: Any, unit: OrgUnit | None = None) -> Workload:
    """Per person, the open items they hold (within what the user may see as workload):
    how many, overdue, over their step's target, by priority; and open items per person and
    step for the heatmap. With ``unit``, every active member of its subtree is listed, also
    those holding nothing (who could take more)."""
    now, today = timezone.now(), timezone.localdate()
    items = WorkItem.objects.restrict(user, "workload").filter(status__in=OPEN_STATUSES)
    people = Staff.objects.none()
    if unit is not None:
        items = items.filter(unit__path__startswith=unit.path)
        people = (
            Staff.objects.restrict(user, "list")
            .filter(status="active", unit__path__startswith=unit.path)
            .select_related("unit")
        )
    rows = items.values_list(
        "assignee_id",
        "step_id",
        "step_started_at",
        "step__target_minutes",
        "priority",
        "due_date",
    )
    loads: dict[int | None, PersonLoad] = {}
    cells: Counter = Counter()
    for assignee_id, step_id, started, target, priority, due in rows.iterator(chunk_size=5000):
        load = loads.setdefault(assignee_id, PersonLoad(staff=None))
        load.open += 1
        load.by_priority[priority] += 1
        if due is not None and due < today:
            load.overdue += 1
        if target and started is not None and (now - started).total_seconds() > target * 60:
            load.over_target += 1
        if step_id is not None:
            cells[(assignee_id, step_id)] += 1
    staff_ids = [pk for pk in loads if pk is not None]
    staff = {
        person.pk: person
        for person in Staff.objects.filter(pk__in=staff_ids).select_related("unit")
    }
    for person in people:
        staff.setdefault(person.pk, person)
        loads.setdefault(person.pk, PersonLoad(staff=None))
    for pk, load in loads.items():
        load.staff = staff.get(pk) if pk is not None else None
    result = sorted(
        loads.values(),
        key=lambda load: (
            load.staff is None,
            -load.open,
            load.staff.employee_no if load.staff else "",
        ),
    )
    step_ids = sorted({step_id for _assignee, step_id in cells})
    steps = list(
        Step.objects.filter(pk__in=step_ids)
        .select_related("map__process")
        .order_by("map__process__code", "order", "code")
    )
    return Workload(rows=result, steps=steps, heatmap=_heatmap(result, steps, cells), unit=unit)


def _heatmap(rows: list[PersonLoad], steps: list[Step], cells: Counter) -> dict[str, Any] | None:
    """An ECharts heatmap option: people (most loaded first) by step, open items per cell."""
    people = [row for row in rows if row.open][:HEATMAP_PEOPLE]
    if not people or not steps:
        return None
    people = list(reversed(people))  # ECharts draws the first category at the bottom
    x_labels = [f"{step.map.process.code} · {step.display_name}" for step in steps]
    y_labels = [row.staff.display_name if row.staff else "—" for row in people]
    data = []
    for y, row in enumerate(people):
        pk = row.staff.pk if row.staff else None
        for x, step in enumerate(steps):
            value = cells.get((pk, step.pk), 0)
            if value:
                data.append([x, y, value])
    top = max((value for _x, _y, value in data), default=1)
    return {
        "tooltip": {"position": "top"},
        "grid": {"left": 120, "right": 90, "top": 10, "bottom": 90, "containLabel": False},
        "xAxis": {
            "type": "category",
            "data": x_labels,
            "splitArea": {"show": True},
            "axisLabel": {"rotate": 30, "interval": 0},
        },
        "yAxis": {"type": "category", "data": y_labels, "splitArea": {"show": True}},
        "visualMap": {
            "min": 0,
            "max": top,
            "calculable": True,
            "orient": "vertical",
            "right": 0,
            "top": "middle",
        },
        "series": [
            {
                "type": "heatmap",
                "data": data,
                "label": {"show": True},
                "emphasis": {"itemStyle": {"shadowBlur": 6}},
            }
        ],
    }


def allowed_steps(*, user: Any, item: WorkItem) -> list[Step]:
    """The steps ``user`` may move ``item`` to: along the transitions out of its step (the
    first step of the published map when it has none); every step of its map, and of the
    process's published map, for those who may jump. Empty for a closed item."""
    if item.status not in OPEN_STATUSES:
        return []
    current_map_id = item.step.map_id if item.step_id else None
    published = published_map(item.process)
    if may_jump(user, item):
        map_ids = {current_map_id} if current_map_id else set()
        if published is not None:
            map_ids.add(published.pk)
        steps = Step.objects.filter(map_id__in=map_ids).select_related("map")
        return [
            step
            for step in steps.order_by("-map__version", "order", "code")
            if step.pk != item.step_id
        ]
    if item.step_id is None:
        first = (
            Step.objects.filter(map=published).order_by("order", "code").first()
            if published is not None
            else None
        )
        return [first] if first else []
    return list(
        Step.objects.filter(incoming__source_id=item.step_id)
        .exclude(pk=item.step_id)
        .order_by("order", "code")
        .distinct()
    )
