"""Work items: create, edit, assign, move through a published map's steps, close and reopen,
comment, attach files and link items.

Every move and every close writes one ``ProcessEvent`` for the step visit that ends (the
case is the item's reference, the resource its assignee), so the event log holds one row per
(case, step visit) and the bottleneck engine reads work items like any imported log. After a
create, move or status change the automation rules listening to it run in the same
transaction (``automation.run_event_rules``).

``actor=None`` is the system (automation rules, jobs): no policy check, and it may move an
item to any step of its map. ``run_rules=False`` lets automation act without triggering
itself again.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, NotVisible, ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.org.models import OrgUnit, Process, Staff
from opsteam.training import files
from opsteam.workflow import automation, selectors_items
from opsteam.workflow.choices import (
    OPEN_STATUSES,
    ItemKind,
    ItemStatus,
    LinkKind,
    Priority,
    SourceKind,
    Trigger,
)
from opsteam.workflow.models import (
    EventSource,
    ProcessEvent,
    Step,
    Transition,
    WorkItem,
    WorkItemAttachment,
    WorkItemComment,
    WorkItemLink,
)

# The fields ``item_update`` may change: status, assignee, step, unit and reporter have their
# own services (and audit), never a mass assignment.
EDITABLE_FIELDS = ("title", "description", "priority", "due_date", "kind")
CLOSED_STATUSES = (ItemStatus.DONE, ItemStatus.CANCELLED)
COMMENT_MAX_LENGTH = 10_000


# Helpers --------------------------------------------------------------------------------


def work_items_source(process: Process) -> EventSource:
    """The event source that work items of ``process`` write to (created on first use)."""
    source, _created = EventSource.objects.get_or_create(
        process=process,
        kind=SourceKind.WORK_ITEMS,
        defaults={
            "name": _("Work items in OpsTeam")[:120],
            "description": _("Events written as work items move through the process's steps."),
        },
    )
    return source


def _require(actor: Any, action: str, target: Any) -> None:
    if actor is not None:
        policy.require(actor, action, target)


def _require_person_visible(actor: Any, staff: Staff | None, *, field: str) -> None:
    """A person named on an item must be someone the actor may see (404 otherwise)."""
    if staff is None or actor is None:
        return
    if not policy.restrict(Staff.objects.filter(pk=staff.pk), actor, "view").exists():
        raise NotVisible(_("This person is not among those you can see."), field=field)


def _actor_staff(actor: Any) -> Staff | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return Staff.objects.filter(user_id=actor.pk).select_related("unit").first()


def next_reference(process: Process) -> str:
    """``<PROCESS CODE>-<n>``: one more than the highest number used in the process."""
    prefix = f"{process.code}-"
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    used = WorkItem.objects.filter(process=process, reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    highest = max((int(match.group(1)) for ref in used if (match := pattern.match(ref))), default=0)
    return f"{prefix}{highest + 1}"


def write_exit_event(item: WorkItem, *, now: dt.datetime, via: str) -> ProcessEvent | None:
    """Close the item's current step visit in the event log (nothing when it has no step).

    ``step_name`` is the step's primary (Chinese) name, never the reader's language: the log
    must name a step the same way whoever moved the item.
    """
    if item.step_id is None:
        return None
    step = item.step
    assignee = item.assignee
    return ProcessEvent.objects.create(
        process_id=item.process_id,
        source=work_items_source(item.process),
        case_id=item.reference,
        step_name=step.name,
        step=step,
        resource=assignee.employee_no if assignee is not None else "",
        staff=assignee,
        started_at=item.step_started_at,
        completed_at=now,
        work_item=item,
        attributes={"via": via},
    )


def _lock(item: WorkItem) -> None:
    """Lock the item's row and bring ``item`` up to date (the caller keeps its instance)."""
    WorkItem.objects.select_for_update().filter(pk=item.pk).values_list("pk").first()
    item.refresh_from_db()


def _run_rules(item: WorkItem, trigger: str, actor: Any, run_rules: bool) -> None:
    if run_rules:
        automation.run_event_rules(item=item, trigger=trigger, actor=actor)


def _item_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {key: fields[key] for key in EDITABLE_FIELDS if key in fields}
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: {fields}.").format(
                fields=", ".join(sorted(unknown))
            ),
            field=sorted(unknown)[0],
        )
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            raise ValidationFailed(_("Give the item a title."), field="title")
    if "description" in values:
        values["description"] = (values["description"] or "").strip()
    if "priority" in values and values["priority"] not in Priority.values:
        raise ValidationFailed(_("Unknown priority."), field="priority")
    if "kind" in values and values["kind"] not in ItemKind.values:
        raise ValidationFailed(_("Unknown kind."), field="kind")
    return values


# Create and edit ------------------------------------------------------------------------


@transaction.atomic
def item_create(
    *,
    actor: Any,
    process: Process,
    title: str,
    description: str = "",
    kind: str = ItemKind.TASK,
    priority: str = Priority.NORMAL,
    due_date: dt.date | None = None,
    assignee: Staff | None = None,
    unit: OrgUnit | None = None,
    step: Step | None = None,
    run_rules: bool = True,
) -> WorkItem:
    """Raise a work item in ``process``'s published map, in its first step unless ``step``
    (a step of that map) is given; the reference is ``<PROCESS CODE>-<n>``.

    The team (``unit``) defaults to the assignee's, else the actor's. Raise PolicyDenied
    without the "add" right, NotVisible for an assignee the actor may not see,
    ValidationFailed (naming the field) for a process without a published map, a step of
    another map, no team, an empty title. Audited: create. Runs the "item created" rules.
    """
    _require(actor, "add", WorkItem)
    _require_person_visible(actor, assignee, field="assignee")
    if unit is not None:
        _require(actor, "view", unit)
    process = Process.objects.select_for_update().get(pk=process.pk)  # serialises references
    current_map = selectors_items.published_map(process)
    if current_map is None:
        raise ValidationFailed(
            _("This process has no published map yet: publish its map first."), field="process"
        )
    steps = list(Step.objects.filter(map=current_map).order_by("order", "code"))
    if not steps:
        raise ValidationFailed(_("The process's map has no steps."), field="process")
    if step is None:
        step = steps[0]
    elif step.map_id != current_map.pk:
        raise ValidationFailed(_("Choose a step of the process's published map."), field="step")
    if unit is None:
        if assignee is not None:
            unit = assignee.unit
        else:
            own = _actor_staff(actor)
            unit = own.unit if own is not None else None
    if unit is None:
        raise ValidationFailed(_("Choose the team the item belongs to."), field="unit")
    values = _item_values(
        {
            "title": title,
            "description": description,
            "kind": kind,
            "priority": priority,
            "due_date": due_date,
        }
    )
    now = timezone.now()
    item = WorkItem(
        process=process,
        step=step,
        reference=next_reference(process),
        assignee=assignee,
        unit=unit,
        reporter=actor if getattr(actor, "is_authenticated", False) else None,
        status=ItemStatus.OPEN,
        step_started_at=now,
        **values,
    )
    full_clean(item, validate_constraints=False)
    item.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=item)
    _run_rules(item, Trigger.ITEM_CREATED, actor, run_rules)
    return item


@transaction.atomic
def item_update(*, actor: Any, item: WorkItem, **fields: Any) -> WorkItem:
    """Change the explicit fields of an item: title, description, priority, due date, kind.

    Raise NotVisible/PolicyDenied without the "change" right, ValidationFailed for any other
    field or an invalid value. Audited: update (nothing when nothing changed).
    """
    _require(actor, "change", item)
    values = _item_values(fields)
    before = audit.snapshot(item)
    for key, value in values.items():
        setattr(item, key, value)
    full_clean(item, validate_constraints=False)
    item.save(update_fields=[*values, "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=item, before=before)
    return item


@transaction.atomic
def item_assign(*, actor: Any, item: WorkItem, assignee: Staff | None) -> WorkItem:
    """Give the item to ``assignee`` (None: unassign). The team stays the item's.

    Raise NotVisible/PolicyDenied without the "change" right on the item, NotVisible for a
    person the actor may not see. Audited: update.
    """
    _require(actor, "change", item)
    _require_person_visible(actor, assignee, field="assignee")
    before = audit.snapshot(item)
    item.assignee = assignee
    item.save(update_fields=["assignee", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=item, before=before)
    return item


# Moves and status -----------------------------------------------------------------------


@transaction.atomic
def item_move(*, actor: Any, item: WorkItem, to_step: Step, run_rules: bool = True) -> WorkItem:
    """Move an open item to ``to_step`` along a transition of its map (administrators, HR
    and the team's managers may jump to any step of it, or of the published map).

    Writes the event of the step left (started at ``step_started_at``, completed now, by the
    assignee) and starts the new visit now. Raise NotVisible/PolicyDenied without the "move"
    right, InvalidTransition for a closed item or a move no transition allows,
    ValidationFailed for a step of another map or the current step. Audited: update. Runs
    the "item moved" rules.
    """
    _require(actor, "move", item)
    _lock(item)
    if item.status in CLOSED_STATUSES:
        raise InvalidTransition(_("The item is closed: reopen it before moving it."))
    if to_step.pk == item.step_id:
        raise ValidationFailed(_("The item is already in this step."), field="to_step")
    current_map_id = item.step.map_id if item.step_id else None
    published = selectors_items.published_map(item.process)
    jump = selectors_items.may_jump(actor, item)
    allowed_maps = {current_map_id} if current_map_id else set()
    if published is not None and (jump or current_map_id is None):
        allowed_maps.add(published.pk)
    if to_step.map_id not in allowed_maps:
        raise ValidationFailed(_("Choose a step of the item's process map."), field="to_step")
    if not jump:
        if item.step_id is None:
            first = Step.objects.filter(map_id=to_step.map_id).order_by("order", "code").first()
            along = first is not None and first.pk == to_step.pk
        else:
            along = Transition.objects.filter(source_id=item.step_id, target=to_step).exists()
        if not along:
            raise InvalidTransition(
                _("No transition leads from “{source}” to “{target}”.").format(
                    source=item.step.display_name if item.step_id else "—",
                    target=to_step.display_name,
                ),
                field="to_step",
            )
    before = audit.snapshot(item)
    now = timezone.now()
    write_exit_event(item, now=now, via="move")
    item.step = to_step
    item.step_started_at = now
    item.save(update_fields=["step", "step_started_at", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=item, before=before)
    _run_rules(item, Trigger.ITEM_MOVED, actor, run_rules)
    return item


@transaction.atomic
def item_set_status(*, actor: Any, item: WorkItem, status: str, run_rules: bool = True) -> WorkItem:
    """Set the item's status. Done or cancelled closes it: the current step visit ends in
    the event log and ``closed_at`` is set; an open status on a closed item reopens it (a new
    visit of the same step starts now).

    Raise NotVisible/PolicyDenied without the "move" right, ValidationFailed for an unknown
    or unchanged status. Audited: update. Runs the "status changed" rules.
    """
    _require(actor, "move", item)
    if status not in ItemStatus.values:
        raise ValidationFailed(_("Unknown status."), field="status")
    _lock(item)
    if status == item.status:
        raise ValidationFailed(_("The item already has this status."), field="status")
    before = audit.snapshot(item)
    now = timezone.now()
    was_closed = item.status in CLOSED_STATUSES
    fields = ["status", "updated_at"]
    if status in CLOSED_STATUSES and not was_closed:
        write_exit_event(item, now=now, via=status)
        item.closed_at = now
        item.step_started_at = None
        fields += ["closed_at", "step_started_at"]
    elif status in OPEN_STATUSES and was_closed:
        item.closed_at = None
        item.step_started_at = now if item.step_id else None
        fields += ["closed_at", "step_started_at"]
    item.status = status
    item.save(update_fields=fields)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=item, before=before)
    _run_rules(item, Trigger.STATUS_CHANGED, actor, run_rules)
    return item


# Comments, attachments, links -----------------------------------------------------------


@transaction.atomic
def item_comment(*, actor: Any, item: WorkItem, body: str) -> WorkItemComment:
    """Add a comment. Raise NotVisible/PolicyDenied without the "comment" right,
    ValidationFailed for an empty or over-long text. Audited: create."""
    _require(actor, "comment", item)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write the comment first."), field="body")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationFailed(
            _("A comment holds at most {count} characters.").format(count=COMMENT_MAX_LENGTH),
            field="body",
        )
    comment = WorkItemComment.objects.create(
        item=item, author=actor if getattr(actor, "is_authenticated", False) else None, body=body
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=comment)
    return comment


@transaction.atomic
def item_attach(*, actor: Any, item: WorkItem, file: Any) -> WorkItemAttachment:
    """Attach a file (the training allow-list of kinds, at most 20 MB). Raise
    NotVisible/PolicyDenied without the "comment" right, ValidationFailed for a missing file,
    a kind not accepted or a file too large. Audited: create."""
    _require(actor, "comment", item)
    if not file:
        raise ValidationFailed(_("Choose the file to upload."), field="file")
    files.validate_upload(file, field="file")
    name = PurePath(file.name).name[:200]
    attachment = WorkItemAttachment(
        item=item,
        name=name,
        size=getattr(file, "size", 0) or 0,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=attachment)
    return attachment


@transaction.atomic
def item_link(
    *, actor: Any, item: WorkItem, target: WorkItem, kind: str = LinkKind.RELATES
) -> WorkItemLink:
    """Link ``item`` to ``target`` (both visible to the actor). Raise NotVisible/PolicyDenied
    without the "change" right on ``item`` or sight of ``target``, ValidationFailed for a link
    to itself, an unknown kind or an existing link. Audited: create."""
    _require(actor, "change", item)
    if actor is not None:
        policy.require(actor, "view", target)
    if kind not in LinkKind.values:
        raise ValidationFailed(_("Unknown kind of link."), field="kind")
    if target.pk == item.pk:
        raise ValidationFailed(_("An item cannot be linked to itself."), field="target")
    if WorkItemLink.objects.filter(source=item, target=target, kind=kind).exists():
        raise ValidationFailed(_("These items are already linked this way."), field="target")
    link = WorkItemLink.objects.create(source=item, target=target, kind=kind)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=link)
    return link


@transaction.atomic
def item_unlink(*, actor: Any, link: WorkItemLink) -> None:
    """Remove a link. Raise NotVisible/PolicyDenied without the "change" right on its
    source item. Audited: delete."""
    _require(actor, "change", link.source)
    before = audit.snapshot(link)
    audit.record(actor=actor, action=AuditAction.DELETE, obj=link, before=before)
    link.delete()
