"""Writes of the process maps: versions (new draft, publish, discard), steps, transitions and
the flowchart layout. Every function checks the policy, runs in one transaction and writes its
audit entries.

A published map is read-only: editing starts a new draft version copying the steps and
transitions (``map_new_version``); publishing a draft archives the previously published
version (one published version per process, a database constraint). Errors name the field
they concern (``ValidationFailed.field``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.org import services as org_services
from opsteam.org.models import OrgUnit, Process
from opsteam.workflow.choices import MapStatus
from opsteam.workflow.models import ProcessMap, Step, Transition
from opsteam.workflow.selectors_maps import can_maintain

STEP_FIELDS = (
    "code",
    "name",
    "name_en",
    "activity",
    "position",
    "target_minutes",
    "sop",
    "sop_url",
    "order",
)
TRANSITION_FIELDS = ("source", "target", "handoff_target_minutes", "label")


def _require_maintainer(actor: Any, process: Process, action: str) -> None:
    """Raise ``PolicyDenied`` unless ``actor`` may ``action`` the maps of ``process``."""
    if not can_maintain(actor, process, action):
        raise PolicyDenied()


def _require_draft(process_map: ProcessMap) -> None:
    if process_map.status != MapStatus.DRAFT:
        raise InvalidTransition(
            _("Version {version} is {status}: start a new draft to change it.").format(
                version=process_map.version, status=process_map.get_status_display()
            )
        )


@transaction.atomic
def process_create_with_map(
    *,
    actor: Any,
    code: str,
    name: str,
    owner_unit: OrgUnit | None = None,
    name_en: str = "",
    description: str = "",
) -> ProcessMap:
    """Add a process (``org.services.process_create``) and open the first draft of its map.

    Managers may only name a unit of their subtree as the owner. Raises ``PolicyDenied`` and
    ``ValidationFailed`` (``code``, ``name``, ``owner_unit``). Audit: create (process, map).
    """
    if not can_maintain(actor, Process(owner_unit=owner_unit), "add"):
        if owner_unit is None and policy.can(actor, "add", ProcessMap):
            raise ValidationFailed(_("Name the unit that owns the process."), field="owner_unit")
        raise PolicyDenied()
    process = org_services.process_create(
        actor=actor,
        code=code,
        name=name,
        name_en=name_en,
        description=description,
        owner_unit=owner_unit,
    )
    return map_new_version(actor=actor, process=process, change_note=_("First version"))


@transaction.atomic
def map_new_version(*, actor: Any, process: Process, change_note: str = "") -> ProcessMap:
    """Open the next draft of ``process``'s map, copying the steps (with their layout) and the
    transitions of the published version (else the latest one); an empty draft when the
    process has no map yet. An open draft is returned as it is (one draft at a time).

    Raises ``PolicyDenied``. Audit: create (the map; copied steps and transitions come with it).
    """
    _require_maintainer(actor, process, "add")
    maps = ProcessMap.objects.select_for_update().filter(process=process)
    draft = maps.filter(status=MapStatus.DRAFT).order_by("-version").first()
    if draft is not None:
        return draft
    latest = maps.aggregate(v=Max("version"))["v"] or 0
    base = (
        ProcessMap.objects.filter(process=process, status=MapStatus.PUBLISHED).first()
        or ProcessMap.objects.filter(process=process).order_by("-version").first()
    )
    draft = ProcessMap(
        process=process,
        version=latest + 1,
        status=MapStatus.DRAFT,
        change_note=change_note.strip(),
        created_by=actor,
    )
    full_clean(draft)
    draft.save()
    if base is not None:
        _copy_map(base, draft)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=draft,
        note=_("copied from v{version}").format(version=base.version) if base else "",
    )
    return draft


def _copy_map(source: ProcessMap, draft: ProcessMap) -> None:
    """Copy the steps and transitions of ``source`` into ``draft`` (two bulk inserts)."""
    old_steps = list(Step.objects.filter(map=source).order_by("order", "code"))
    new_steps = Step.objects.bulk_create(
        [
            Step(
                map=draft,
                **{name: getattr(step, name) for name in STEP_FIELDS},
                x=step.x,
                y=step.y,
            )
            for step in old_steps
        ]
    )
    if new_steps and new_steps[0].pk is None:  # backends without RETURNING
        by_code = dict(Step.objects.filter(map=draft).values_list("code", "pk"))
        new_ids = {old.pk: by_code[old.code] for old in old_steps}
    else:
        new_ids = {old.pk: new.pk for old, new in zip(old_steps, new_steps, strict=True)}
    Transition.objects.bulk_create(
        [
            Transition(
                map=draft,
                source_id=new_ids[transition.source_id],
                target_id=new_ids[transition.target_id],
                handoff_target_minutes=transition.handoff_target_minutes,
                label=transition.label,
            )
            for transition in Transition.objects.filter(map=source)
        ]
    )


@transaction.atomic
def map_update(*, actor: Any, process_map: ProcessMap, change_note: str) -> ProcessMap:
    """Change a draft's change note. Raises ``PolicyDenied``, ``InvalidTransition`` (not a
    draft). Audit: update."""
    _require_maintainer(actor, process_map.process, "change")
    _require_draft(process_map)
    before = audit.snapshot(process_map)
    process_map.change_note = change_note.strip()
    full_clean(process_map)
    process_map.save(update_fields=["change_note", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=process_map, before=before)
    return process_map


@transaction.atomic
def map_publish(*, actor: Any, process_map: ProcessMap) -> ProcessMap:
    """Publish a draft; the previously published version is archived.

    Raises ``PolicyDenied``, ``InvalidTransition`` (not a draft) and ``ValidationFailed``
    (``steps``: a map without steps). Audit: update (the archived and the published version).
    """
    _require_maintainer(actor, process_map.process, "publish")
    process_map = ProcessMap.objects.select_for_update().get(pk=process_map.pk)
    _require_draft(process_map)
    if not Step.objects.filter(map=process_map).exists():
        raise ValidationFailed(_("Add at least one step before publishing."), field="steps")
    previous = (
        ProcessMap.objects.select_for_update()
        .filter(process_id=process_map.process_id, status=MapStatus.PUBLISHED)
        .first()
    )
    if previous is not None:
        before = audit.snapshot(previous)
        previous.status = MapStatus.ARCHIVED
        previous.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=previous, before=before)
    before = audit.snapshot(process_map)
    process_map.status = MapStatus.PUBLISHED
    process_map.published_at = timezone.now()
    process_map.published_by = actor
    process_map.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=process_map, before=before)
    return process_map


@transaction.atomic
def map_discard(*, actor: Any, process_map: ProcessMap) -> None:
    """Delete a draft version with its steps and transitions. Raises ``PolicyDenied``,
    ``InvalidTransition`` (published or archived versions are kept). Audit: delete."""
    _require_maintainer(actor, process_map.process, "change")
    _require_draft(process_map)
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=process_map,
        before=audit.snapshot(process_map),
    )
    process_map.delete()


def _check_step(step: Step) -> None:
    """Field-level rules of a step beyond the model's: the activity belongs to the map's
    process, the code is unique in the map."""
    if step.activity_id is not None:
        process_id = step.activity.process_id
        if process_id != step.map.process_id:
            raise ValidationFailed(
                _("Choose an activity of the process {process}.").format(process=step.map.process),
                field="activity",
            )
    if not step.code:
        raise ValidationFailed(_("Give the step a code."), field="code")
    duplicate = Step.objects.filter(map_id=step.map_id, code=step.code).exclude(pk=step.pk)
    if duplicate.exists():
        raise ValidationFailed(
            _("Another step of this version already has the code {code}.").format(code=step.code),
            field="code",
        )
    if not step.name.strip():
        raise ValidationFailed(_("Give the step a name."), field="name")


def _apply(obj: Any, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationFailed(
            _("Unknown field: {name}.").format(name=", ".join(sorted(unknown))),
            field=sorted(unknown)[0],
        )
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(obj, name, value)


@transaction.atomic
def step_create(
    *, actor: Any, process_map: ProcessMap, code: str, name: str, **fields: Any
) -> Step:
    """Add a step to a draft. ``fields``: ``name_en``, ``activity`` (of the map's process),
    ``position``, ``target_minutes``, ``sop``, ``sop_url``, ``order`` (default: after the
    last step). Raises ``PolicyDenied``, ``InvalidTransition`` (not a draft),
    ``ValidationFailed`` naming the field (duplicate ``code``, ``activity`` of another
    process, …). Audit: create."""
    _require_maintainer(actor, process_map.process, "change")
    _require_draft(process_map)
    step = Step(map=process_map)
    if fields.get("order") is None:
        last = Step.objects.filter(map=process_map).aggregate(o=Max("order"))["o"]
        fields["order"] = 0 if last is None else last + 1
    _apply(step, {"code": code, "name": name, **fields}, STEP_FIELDS)
    _check_step(step)
    full_clean(step, exclude=("map",))
    step.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=step)
    return step


@transaction.atomic
def step_update(*, actor: Any, step: Step, **fields: Any) -> Step:
    """Change a step of a draft (the fields of ``step_create``). Raises as ``step_create``.
    Audit: update."""
    _require_maintainer(actor, step.map.process, "change")
    _require_draft(step.map)
    before = audit.snapshot(step)
    if "order" in fields and fields["order"] is None:
        fields.pop("order")
    _apply(step, fields, STEP_FIELDS)
    _check_step(step)
    full_clean(step, exclude=("map",))
    step.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=step, before=before)
    return step


@transaction.atomic
def step_delete(*, actor: Any, step: Step) -> None:
    """Remove a step of a draft with its transitions. Raises ``PolicyDenied``,
    ``InvalidTransition``. Audit: delete (the step and each of its transitions)."""
    _require_maintainer(actor, step.map.process, "change")
    _require_draft(step.map)
    for transition in Transition.objects.filter(map_id=step.map_id).filter(
        pk__in=[
            *step.outgoing.values_list("pk", flat=True),
            *step.incoming.values_list("pk", flat=True),
        ]
    ):
        audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=transition,
            before=audit.snapshot(transition),
        )
    audit.record(actor=actor, action=AuditAction.DELETE, obj=step, before=audit.snapshot(step))
    step.delete()


def _check_transition(transition: Transition) -> None:
    for name in ("source", "target"):
        step = getattr(transition, name, None)
        if step is None:
            raise ValidationFailed(_("Choose a step."), field=name)
        if step.map_id != transition.map_id:
            raise ValidationFailed(
                _("{step} is a step of another map version.").format(step=step), field=name
            )
    if transition.source_id == transition.target_id:
        raise ValidationFailed(_("A handoff goes to another step."), field="target")
    duplicate = Transition.objects.filter(
        map_id=transition.map_id, source_id=transition.source_id, target_id=transition.target_id
    ).exclude(pk=transition.pk)
    if duplicate.exists():
        raise ValidationFailed(
            _("This handoff is already on the map."),
            field="target",
        )


@transaction.atomic
def transition_create(
    *, actor: Any, process_map: ProcessMap, source: Step, target: Step, **fields: Any
) -> Transition:
    """Add a handoff between two steps of a draft; ``fields``: ``handoff_target_minutes``,
    ``label``. Raises ``PolicyDenied``, ``InvalidTransition``, ``ValidationFailed``
    (``source``/``target`` of another map, the same step twice, a duplicate). Audit: create."""
    _require_maintainer(actor, process_map.process, "change")
    _require_draft(process_map)
    transition = Transition(map=process_map)
    _apply(transition, {"source": source, "target": target, **fields}, TRANSITION_FIELDS)
    _check_transition(transition)
    full_clean(transition, exclude=("map", "source", "target"))
    transition.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=transition)
    return transition


@transaction.atomic
def transition_update(*, actor: Any, transition: Transition, **fields: Any) -> Transition:
    """Change a handoff of a draft (the fields of ``transition_create``). Audit: update."""
    _require_maintainer(actor, transition.map.process, "change")
    _require_draft(transition.map)
    before = audit.snapshot(transition)
    _apply(transition, fields, TRANSITION_FIELDS)
    _check_transition(transition)
    full_clean(transition, exclude=("map", "source", "target"))
    transition.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=transition, before=before)
    return transition


@transaction.atomic
def transition_delete(*, actor: Any, transition: Transition) -> None:
    """Remove a handoff of a draft. Audit: delete."""
    _require_maintainer(actor, transition.map.process, "change")
    _require_draft(transition.map)
    audit.record(
        actor=actor, action=AuditAction.DELETE, obj=transition, before=audit.snapshot(transition)
    )
    transition.delete()


MAX_COORDINATE = 1_000_000.0


@transaction.atomic
def map_layout_save(
    *, actor: Any, process_map: ProcessMap, positions: dict[int, tuple[float, float]]
) -> int:
    """Store where the flowchart draws each step of a draft (``{step id: (x, y)}``); returns
    how many steps moved. Raises ``PolicyDenied``, ``InvalidTransition`` and
    ``ValidationFailed`` (``positions``: a step of another map, a coordinate out of range).
    Audit: update (one entry per moved step)."""
    _require_maintainer(actor, process_map.process, "change")
    _require_draft(process_map)
    steps = Step.objects.filter(map=process_map).in_bulk(list(positions))
    unknown = sorted(set(positions) - set(steps))
    if unknown:
        raise ValidationFailed(
            _("Not a step of this version: {ids}.").format(ids=", ".join(map(str, unknown))),
            field="positions",
        )
    moved = []
    for pk, (x, y) in positions.items():
        if not all(abs(value) <= MAX_COORDINATE for value in (x, y)):
            raise ValidationFailed(_("A position is out of range."), field="positions")
        step = steps[pk]
        x, y = round(float(x), 1), round(float(y), 1)
        if (step.x, step.y) == (x, y):
            continue
        before = audit.snapshot(step)
        step.x, step.y = x, y
        moved.append((step, before))
    Step.objects.bulk_update([step for step, _before in moved], ["x", "y"])
    audit.record_many(
        audit.build_entry(actor=actor, action=AuditAction.UPDATE, obj=step, before=before)
        for step, before in moved
    )
    return len(moved)
