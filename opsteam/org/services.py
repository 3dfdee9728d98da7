"""Every write to the org domain: one transaction each, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.org import selectors
from opsteam.org.choices import AssignmentReason, JobDescriptionStatus, StaffStatus
from opsteam.org.models import (
    Activity,
    Assignment,
    Compensation,
    JobDescription,
    JobDuty,
    JobLevel,
    JobRelation,
    JobSkillRequirement,
    OrgUnit,
    Position,
    Process,
    RaciAssignment,
    Staff,
)

ASSIGNMENT_FIELDS = ("unit", "position", "level", "manager")


def _apply(obj: Any, fields: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    """Set allowed fields on ``obj``; return the names that actually changed."""
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationFailed(
                _("Field {name} cannot be changed here.").format(name=name), field=name
            )
        try:
            current = getattr(obj, name)
        except ObjectDoesNotExist:  # a required relation not set yet on a new object
            current = None
        if current != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _full_clean(obj: Any, exclude: tuple[str, ...] = ()) -> None:
    full_clean(obj, exclude=exclude)


# Org units


def _unit_path(unit: OrgUnit) -> tuple[str, int]:
    if unit.parent_id is None:
        return OrgUnit.path_segment(unit.pk), 0
    parent = OrgUnit.objects.only("path", "depth").get(pk=unit.parent_id)
    return parent.path + OrgUnit.path_segment(unit.pk), parent.depth + 1


UNIT_FIELDS = ("code", "name", "name_en", "kind", "parent", "lead", "description", "is_active")


@transaction.atomic
def org_unit_create(
    *, actor: Any, code: str, name: str, kind: str, parent: OrgUnit | None = None, **fields: Any
) -> OrgUnit:
    """Create a department or team under ``parent``. Audit: create."""
    policy.require(actor, "add", OrgUnit)
    unit = OrgUnit(code=code.strip(), name=name.strip(), kind=kind, parent=parent)
    _apply(unit, fields, UNIT_FIELDS)
    _full_clean(unit, exclude=("path",))
    unit.save()
    unit.path, unit.depth = _unit_path(unit)
    unit.save(update_fields=["path", "depth"])
    audit.record(actor=actor, action=AuditAction.CREATE, obj=unit)
    return unit


@transaction.atomic
def org_unit_update(*, actor: Any, unit: OrgUnit, **fields: Any) -> OrgUnit:
    """Change a unit; moving it under another parent re-paths its whole subtree.

    Raises ValidationFailed when the new parent is the unit itself or one of its descendants.
    """
    policy.require(actor, "change", unit)
    before = audit.snapshot(unit)
    old_path = unit.path
    new_parent = fields.get("parent", unit.parent)
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationFailed(
            _("A unit cannot be moved under itself or its own sub-unit."), field="parent"
        )
    changed = _apply(unit, fields, UNIT_FIELDS)
    if not changed:
        return unit
    _full_clean(unit, exclude=("path",))
    unit.save()
    if "parent" in changed:
        unit.path, unit.depth = _unit_path(unit)
        unit.save(update_fields=["path", "depth"])
        depth_shift = unit.depth - before.get("depth", 0)
        OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_shift,
        )
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=unit, before=before)
    return unit


# Job levels

LEVEL_FIELDS = ("code", "name", "name_en", "track", "rank")


def _check_level_code(level: JobLevel) -> None:
    """A code is required and used once, whatever its case (P2 and p2 would be confused)."""
    level.code = (level.code or "").strip()
    if not level.code:
        raise ValidationFailed(_("Give the level a code, such as P2 or M1."), field="code")
    if JobLevel.objects.filter(code__iexact=level.code).exclude(pk=level.pk).exists():
        raise ValidationFailed(
            _("The code {code} is already used by another level.").format(code=level.code),
            field="code",
        )


@transaction.atomic
def job_level_create(*, actor: Any, **fields: Any) -> JobLevel:
    """Add a job level (a grade on the professional or management track).

    Raise ``PolicyDenied`` for anyone but HR and administrators, ``ValidationFailed`` naming the
    field for a missing or duplicate code or a missing name. Audit: create.
    """
    policy.require(actor, "add", JobLevel)
    level = JobLevel()
    _apply(level, fields, LEVEL_FIELDS)
    _check_level_code(level)
    _full_clean(level)
    level.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=level)
    return level


@transaction.atomic
def job_level_update(*, actor: Any, level: JobLevel, **fields: Any) -> JobLevel:
    """Rename, recode or re-rank a job level. Audit: update (nothing when unchanged)."""
    policy.require(actor, "change", level)
    before = audit.snapshot(level)
    if _apply(level, fields, LEVEL_FIELDS):
        _check_level_code(level)
        _full_clean(level)
        level.save()
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=level, before=before)
    return level


@transaction.atomic
def job_level_delete(*, actor: Any, level: JobLevel) -> None:
    """Delete a job level nobody and nothing uses yet (a level created by mistake).

    Raise ``InvalidTransition`` naming what still uses it (people, assignment history,
    positions, ladders, standards, plans, reviews, training rules): history must keep its
    levels. Audit: delete.
    """
    policy.require(actor, "delete", level)
    usage = selectors.job_level_usage(level=level)
    if usage:
        raise InvalidTransition(
            _("{level} is still used ({usage}), so it cannot be deleted.").format(
                level=level.code,
                usage=", ".join(f"{what}: {count}" for what, count in usage),
            )
        )
    before = audit.snapshot(level)
    audit.record(actor=actor, action=AuditAction.DELETE, obj=level, before=before)
    level.delete()


# Positions

POSITION_FIELDS = (
    "code",
    "name",
    "name_en",
    "family",
    "unit",
    "min_level",
    "max_level",
    "headcount_plan",
    "is_active",
)


@transaction.atomic
def position_create(*, actor: Any, **fields: Any) -> Position:
    """Add a position to the catalogue. Audit: create."""
    policy.require(actor, "add", Position)
    position = Position()
    _apply(position, fields, POSITION_FIELDS)
    _check_level_range(position)
    _full_clean(position)
    position.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=position)
    return position


@transaction.atomic
def position_update(*, actor: Any, position: Position, **fields: Any) -> Position:
    """Change a position's catalogue data. Audit: update."""
    policy.require(actor, "change", position)
    before = audit.snapshot(position)
    if _apply(position, fields, POSITION_FIELDS):
        _check_level_range(position)
        _full_clean(position)
        position.save()
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=position, before=before)
    return position


def _check_level_range(position: Position) -> None:
    low, high = position.min_level, position.max_level
    if low and high and (low.track != high.track or low.rank > high.rank):
        raise ValidationFailed(
            _("The lowest level must not be above the highest level."), field="max_level"
        )


# Staff and assignment history

STAFF_FIELDS = (
    "name",
    "name_en",
    "email",
    "phone",
    "hire_date",
    "gender",
    "status",
    "user",
    "leave_date",
    "id_number",
    "bank_account",
)


def _check_manager(staff: Staff, manager: Staff | None) -> None:
    if manager is None:
        return
    if staff.pk is not None and manager.pk == staff.pk:
        raise ValidationFailed(_("A person cannot be their own manager."), field="manager")
    seen = {staff.pk}
    current: Staff | None = manager
    while current is not None:
        if current.pk in seen:
            raise ValidationFailed(
                _("{name} already reports (directly or indirectly) to this person.").format(
                    name=manager.display_name
                ),
                field="manager",
            )
        seen.add(current.pk)
        current = current.manager


@transaction.atomic
def staff_create(
    *,
    actor: Any,
    employee_no: str,
    name: str,
    hire_date: dt.date,
    unit: OrgUnit,
    position: Position,
    level: JobLevel | None = None,
    manager: Staff | None = None,
    **fields: Any,
) -> Staff:
    """Add a staff member and open their first assignment (reason: hire). Audit: create."""
    policy.require(actor, "add", Staff)
    staff = Staff(
        employee_no=employee_no.strip(),
        name=name.strip(),
        hire_date=hire_date,
        unit=unit,
        position=position,
        level=level,
        manager=manager,
    )
    _apply(staff, fields, STAFF_FIELDS)
    _check_manager(staff, manager)
    _full_clean(staff)
    staff.save()
    Assignment.objects.create(
        staff=staff,
        start_date=hire_date,
        unit=unit,
        position=position,
        level=level,
        manager=manager,
        reason=AssignmentReason.HIRE,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=staff)
    return staff


@transaction.atomic
def staff_update(*, actor: Any, staff: Staff, **fields: Any) -> Staff:
    """Change personal data (not the assignment: see ``staff_reassign``). Audit: update."""
    policy.require(actor, "change", staff)
    before = audit.snapshot(staff)
    if _apply(staff, fields, STAFF_FIELDS):
        _full_clean(staff)
        staff.save()
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=staff, before=before)
    return staff


@transaction.atomic
def staff_reassign(
    *,
    actor: Any,
    staff: Staff,
    effective_date: dt.date,
    reason: str,
    note: str = "",
    **changes: Any,
) -> Staff:
    """Change unit, position, level or manager from ``effective_date`` on.

    Closes the open assignment the day before and opens a new one, so "what was X's position
    on date D" stays answerable. Back-dating before the open assignment's start is refused.
    Audit: update (staff) with the assignment note.
    """
    policy.require(actor, "change", staff)
    unknown = set(changes) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Field {name} cannot be changed here.").format(name=", ".join(sorted(unknown))),
            field=sorted(unknown)[0],
        )
    if "manager" in changes:
        _check_manager(staff, changes["manager"])
    before = audit.snapshot(staff)
    changed = _apply(staff, changes, ASSIGNMENT_FIELDS)
    if not changed:
        return staff
    current = (
        Assignment.objects.select_for_update().filter(staff=staff, end_date__isnull=True).first()
    )
    if current is not None and effective_date <= current.start_date:
        if effective_date < current.start_date:
            raise ValidationFailed(
                _(
                    "The change cannot take effect before the current assignment began ({date})."
                ).format(date=current.start_date.isoformat()),
                field="effective_date",
            )
        current.delete()  # same-day correction replaces the open row
    elif current is not None:
        current.end_date = effective_date - dt.timedelta(days=1)
        current.save(update_fields=["end_date"])
    Assignment.objects.create(
        staff=staff,
        start_date=effective_date,
        unit=staff.unit,
        position=staff.position,
        level=staff.level,
        manager=staff.manager,
        reason=reason,
        note=note,
    )
    staff.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=staff,
        before=before,
        note=f"{reason} {effective_date.isoformat()} {note}".strip(),
    )
    return staff


@transaction.atomic
def staff_set_concurrent_positions(*, actor: Any, staff: Staff, positions: list[Position]) -> Staff:
    """Replace the positions held in addition to the main one (兼岗). Audit: update."""
    policy.require(actor, "change", staff)
    before_ids = sorted(staff.concurrent_positions.values_list("pk", flat=True))
    after_ids = sorted({p.pk for p in positions if p.pk != staff.position_id})
    if before_ids != after_ids:
        staff.concurrent_positions.set(after_ids)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=staff,
            before={"concurrent_positions": before_ids},
            after={"concurrent_positions": after_ids},
        )
    return staff


@transaction.atomic
def staff_leave(*, actor: Any, staff: Staff, leave_date: dt.date) -> Staff:
    """Record that a person left: close the assignment, end their login. Audit: update."""
    policy.require(actor, "change", staff)
    if leave_date < staff.hire_date:
        raise ValidationFailed(_("The leave date is before the hire date."), field="leave_date")
    before = audit.snapshot(staff)
    Assignment.objects.filter(staff=staff, end_date__isnull=True).update(end_date=leave_date)
    staff.status = StaffStatus.LEFT
    staff.leave_date = leave_date
    staff.save(update_fields=["status", "leave_date", "updated_at"])
    if staff.user_id is not None and staff.user.is_active:
        from opsteam.accounts import services as account_services

        account_services.user_deactivate(actor=None, user=staff.user)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=staff, before=before)
    return staff


# Compensation


@transaction.atomic
def compensation_set(
    *,
    actor: Any,
    staff: Staff,
    effective_from: dt.date,
    base_salary: Any,
    currency: str = "CNY",
    note: str = "",
) -> Compensation:
    """Record base pay from ``effective_from`` (replacing a record of the same day).

    Audit: create/update, with the amount as a fingerprint only.
    """
    policy.require(actor, "add", Compensation)
    policy.require(actor, "view", staff)
    record = Compensation.objects.filter(staff=staff, effective_from=effective_from).first()
    before = audit.snapshot(record) if record else None
    if record is None:
        record = Compensation(staff=staff, effective_from=effective_from)
    record.base_salary, record.currency, record.note = base_salary, currency.upper(), note
    _full_clean(record)
    record.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=record,
        before=before,
    )
    return record


JD_TEXT_FIELDS = (
    *(name for base in JobDescription.TEXT_FIELDS for name in (base, f"{base}_en")),
    "change_note",
    "effective_from",
)


def _jd_snapshot(jd: JobDescription) -> dict[str, Any]:
    data = audit.snapshot(jd)
    data["duties"] = [audit.snapshot(d, exclude=("id", "job_description")) for d in jd.duties.all()]
    data["skills"] = [
        audit.snapshot(s, exclude=("id", "job_description")) for s in jd.skill_requirements.all()
    ]
    data["relations"] = [
        audit.snapshot(r, exclude=("id", "job_description")) for r in jd.relations.all()
    ]
    return data


def _require_draft(jd: JobDescription) -> None:
    if jd.status != JobDescriptionStatus.DRAFT:
        raise InvalidTransition(_("Published versions are read-only; start a new draft to edit."))


@transaction.atomic
def job_description_start_draft(*, actor: Any, position: Position) -> JobDescription:
    """Return the position's draft, creating it as a copy of the latest version if needed.

    Audit: create.
    """
    policy.require(actor, "change", JobDescription)
    Position.objects.select_for_update().filter(pk=position.pk).first()
    existing = position.job_descriptions.filter(status=JobDescriptionStatus.DRAFT).first()
    if existing is not None:
        return existing
    latest = position.job_descriptions.order_by("-version").first()
    next_version = (position.job_descriptions.aggregate(v=Max("version"))["v"] or 0) + 1
    draft = JobDescription(position=position, version=next_version)
    if latest is not None:
        for name in JD_TEXT_FIELDS:
            setattr(draft, name, getattr(latest, name))
        draft.change_note = ""
        draft.effective_from = None
    draft.save()
    if latest is not None:
        JobDuty.objects.bulk_create(
            JobDuty(
                job_description=draft,
                **_fix_fk_snapshot(audit.snapshot(d, exclude=("id", "job_description"))),
            )
            for d in latest.duties.all()
        )
        JobSkillRequirement.objects.bulk_create(
            JobSkillRequirement(
                job_description=draft, skill_id=s.skill_id, level=s.level, is_required=s.is_required
            )
            for s in latest.skill_requirements.all()
        )
        JobRelation.objects.bulk_create(
            JobRelation(
                job_description=draft,
                **_fix_fk_snapshot(audit.snapshot(r, exclude=("id", "job_description"))),
            )
            for r in latest.relations.all()
        )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=draft, after=_jd_snapshot(draft))
    return draft


def _fix_fk_snapshot(values: dict[str, Any]) -> dict[str, Any]:
    """Snapshots name FKs by field name with ids; model constructors want ``<name>_id``."""
    fixed = {}
    for key, value in values.items():
        fixed[f"{key}_id" if key in {"activity", "position", "unit", "skill"} else key] = value
    return fixed


@transaction.atomic
def job_description_update(
    *,
    actor: Any,
    job_description: JobDescription,
    duties: list[dict[str, Any]] | None = None,
    skills: list[dict[str, Any]] | None = None,
    relations: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> JobDescription:
    """Edit a draft: text fields, and (when given) replace duties, skills and relations.

    Duty time shares may not add up to more than 100 %. Raises InvalidTransition on a
    published version. Audit: update with the full before/after content.
    """
    policy.require(actor, "change", job_description)
    _require_draft(job_description)
    before = _jd_snapshot(job_description)
    _apply(job_description, fields, JD_TEXT_FIELDS)
    if duties is not None:
        total = sum(int(d.get("time_share") or 0) for d in duties)
        if total > 100:
            raise ValidationFailed(
                _("Duty shares of time add up to {total}%; they may not exceed 100%.").format(
                    total=total
                ),
                field="duties",
            )
        job_description.duties.all().delete()
        JobDuty.objects.bulk_create(
            JobDuty(job_description=job_description, order=index, **duty)
            for index, duty in enumerate(duties)
        )
    if skills is not None:
        seen = set()
        for skill in skills:
            key = skill["skill"].pk
            if key in seen:
                raise ValidationFailed(_("A skill is listed twice."), field="skills")
            seen.add(key)
            if not 1 <= int(skill["level"]) <= 5:
                raise ValidationFailed(_("Skill levels run from 1 to 5."), field="skills")
        job_description.skill_requirements.all().delete()
        JobSkillRequirement.objects.bulk_create(
            JobSkillRequirement(job_description=job_description, **skill) for skill in skills
        )
    if relations is not None:
        job_description.relations.all().delete()
        JobRelation.objects.bulk_create(
            JobRelation(job_description=job_description, **relation) for relation in relations
        )
    _full_clean(job_description)
    job_description.save()
    after = _jd_snapshot(job_description)
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=job_description, before=before, after=after
    )
    return job_description


@transaction.atomic
def job_description_publish(*, actor: Any, job_description: JobDescription) -> JobDescription:
    """Publish a draft; the previously published version becomes superseded.

    Raises InvalidTransition unless the version is a draft with a purpose and at least one
    duty. Audit: publish (and update for the superseded version).
    """
    policy.require(actor, "publish", job_description)
    _require_draft(job_description)
    if not job_description.purpose.strip() or not job_description.duties.exists():
        raise InvalidTransition(
            _("A job description needs a purpose and at least one duty before it can be published.")
        )
    before = audit.snapshot(job_description)
    previous = (
        JobDescription.objects.select_for_update()
        .filter(position=job_description.position, status=JobDescriptionStatus.PUBLISHED)
        .first()
    )
    if previous is not None:
        previous_before = audit.snapshot(previous)
        previous.status = JobDescriptionStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=previous, before=previous_before)
    job_description.status = JobDescriptionStatus.PUBLISHED
    job_description.published_at = timezone.now()
    job_description.published_by = actor if getattr(actor, "is_authenticated", False) else None
    if job_description.effective_from is None:
        job_description.effective_from = timezone.localdate()
    job_description.save()
    audit.record(actor=actor, action=AuditAction.PUBLISH, obj=job_description, before=before)
    return job_description


# Processes, activities and the RACI matrix


@transaction.atomic
def process_create(*, actor: Any, code: str, name: str, **fields: Any) -> Process:
    """Add a process that groups activities. Audit: create."""
    policy.require(actor, "add", Process)
    process = Process(code=code.strip(), name=name.strip())
    _apply(process, fields, ("name_en", "description", "owner_unit"))
    _full_clean(process)
    process.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=process)
    return process


@transaction.atomic
def activity_create(
    *, actor: Any, process: Process, code: str, name: str, **fields: Any
) -> Activity:
    """Add an activity (a row of the RACI matrix). Audit: create."""
    policy.require(actor, "add", Activity)
    activity = Activity(process=process, code=code.strip(), name=name.strip())
    _apply(activity, fields, ("name_en", "description", "order"))
    _full_clean(activity)
    activity.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=activity)
    return activity


@transaction.atomic
def raci_set(
    *, actor: Any, activity: Activity, position: Position, role: str | None
) -> RaciAssignment | None:
    """Set (or clear, with ``role=None``) one cell of the RACI matrix. Audit: create/update/delete."""
    policy.require(actor, "change", RaciAssignment)
    cell = RaciAssignment.objects.filter(activity=activity, position=position).first()
    if role in (None, ""):
        if cell is not None:
            audit.record(
                actor=actor, action=AuditAction.DELETE, obj=cell, before=audit.snapshot(cell)
            )
            cell.delete()
        return None
    if role not in {"R", "A", "C", "I"}:
        raise ValidationFailed(_("Use R, A, C or I."), field="role")
    if cell is None:
        cell = RaciAssignment.objects.create(activity=activity, position=position, role=role)
        audit.record(actor=actor, action=AuditAction.CREATE, obj=cell)
    elif cell.role != role:
        before = audit.snapshot(cell)
        cell.role = role
        cell.save(update_fields=["role"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=cell, before=before)
    return cell
