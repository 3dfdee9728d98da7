"""Writes of the training catalogue: courses, materials, plans, assignment rules and the runs
that hand plans out (by rule on events, or by hand).

``plan_rules_run`` is set-based and idempotent: it reads the events (hires, position and level
changes from the assignment history, improvement-plan starts) in a bounded number of queries,
lets the pure engine ``rules.plan_assignments`` decide, and inserts the new plan assignments
and enrolments in bulk. An assignment is unique per (person, plan, event), so running the
rules again assigns nothing twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, bulk, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, NotVisible, ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.org.choices import AssignmentReason, StaffStatus
from opsteam.org.models import Assignment, OrgUnit, Skill, Staff
from opsteam.training import files
from opsteam.training import rules as engine
from opsteam.training.choices import (
    AssignmentSource,
    CourseStatus,
    EnrolmentStatus,
    MaterialKind,
)
from opsteam.training.models import (
    AssignmentRule,
    Course,
    CourseSkill,
    Enrolment,
    Material,
    PlanAssignment,
    PlanCourse,
    TrainingPlan,
)

OPEN_STATUSES = (EnrolmentStatus.ASSIGNED, EnrolmentStatus.IN_PROGRESS)
ENROLMENT_FKS = frozenset({"staff", "course", "plan_assignment", "assigned_by"})
ENROLMENT_INSERT_FIELDS = (
    "staff",
    "course",
    "plan_assignment",
    "source",
    "status",
    "due_on",
    "started_on",
    "completed_on",
    "assigned_by",
    "created_at",
    "updated_at",
)
COURSE_FIELDS = (
    "code",
    "name",
    "name_en",
    "description",
    "description_en",
    "category",
    "method",
    "delivery",
    "provider",
    "duration_hours",
    "owner",
    "is_open",
    "requires_approval",
    "issues_certificate",
    "certificate_valid_months",
    "status",
)
PLAN_FIELDS = ("code", "name", "name_en", "stage", "description", "description_en", "is_active")
RULE_FIELDS = ("plan", "trigger", "unit", "position", "level", "due_days", "is_active")
# Assignment reasons that move a person to another position (a correction is not an event).
POSITION_REASONS = (
    AssignmentReason.POSITION_CHANGE,
    AssignmentReason.PROMOTION,
    AssignmentReason.TRANSFER,
)
# Reasons that are not events at all: fixing a typo, an import of history, leaving.
NON_EVENT_REASONS = (AssignmentReason.CORRECTION, AssignmentReason.IMPORT, AssignmentReason.LEAVE)


def _today() -> dt.date:
    return timezone.localdate()


# Courses ----------------------------------------------------------------------------------


def _course_values(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"unknown course fields: {sorted(unknown)}")
    return fields


@transaction.atomic
def course_create(
    *,
    actor: Any,
    skills: Iterable[tuple[Skill, int]] | None = None,
    prerequisites: Iterable[Course] | None = None,
    **fields: Any,
) -> Course:
    """Add a course to the catalogue, with the skills it teaches and its prerequisites.

    Raise PolicyDenied unless the actor maintains the catalogue (HR, administrators) and
    ValidationFailed naming the field for bad values or a duplicate code. Audited as create.
    """
    policy.require(actor, "add", Course)
    course = Course(**_course_values(fields))
    full_clean(course)
    course.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=course)
    if skills is not None:
        course_skills_set(actor=actor, course=course, skills=skills)
    if prerequisites is not None:
        course_prerequisites_set(actor=actor, course=course, prerequisites=prerequisites)
    return course


@transaction.atomic
def course_update(
    *,
    actor: Any,
    course: Course,
    skills: Iterable[tuple[Skill, int]] | None = None,
    prerequisites: Iterable[Course] | None = None,
    **fields: Any,
) -> Course:
    """Change a course's fields (and, when given, its skills and prerequisites). Audited."""
    policy.require(actor, "change", course)
    before = audit.snapshot(course)
    for name, value in _course_values(fields).items():
        setattr(course, name, value)
    full_clean(course)
    course.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=course, before=before)
    if skills is not None:
        course_skills_set(actor=actor, course=course, skills=skills)
    if prerequisites is not None:
        course_prerequisites_set(actor=actor, course=course, prerequisites=prerequisites)
    return course


@transaction.atomic
def course_retire(*, actor: Any, course: Course) -> Course:
    """Retire a course: no new enrolments; people already enrolled may finish it.

    Raise InvalidTransition when it is already retired. Audited as update.
    """
    policy.require(actor, "change", course)
    if course.status == CourseStatus.RETIRED:
        raise InvalidTransition(_("This course is already retired."))
    before = audit.snapshot(course)
    course.status = CourseStatus.RETIRED
    course.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=course, before=before)
    return course


@transaction.atomic
def course_skills_set(
    *, actor: Any, course: Course, skills: Iterable[tuple[Skill, int]]
) -> list[CourseSkill]:
    """Replace the skills ``course`` teaches with ``skills`` (skill, level reached 1..5).

    Kept rows whose level changes are updated, others added or removed; each change audited.
    """
    policy.require(actor, "change", course)
    wanted: dict[int, tuple[Skill, int]] = {}
    for skill, level in skills:
        if not 1 <= int(level) <= 5:
            raise ValidationFailed(
                _("The level reached in {skill} must be between 1 and 5.").format(
                    skill=skill.display_name
                ),
                field="skills",
            )
        wanted[skill.pk] = (skill, int(level))
    current = {row.skill_id: row for row in CourseSkill.objects.filter(course=course)}
    for skill_id, row in current.items():
        if skill_id not in wanted:
            audit.record(
                actor=actor, action=AuditAction.DELETE, obj=row, before=audit.snapshot(row)
            )
            row.delete()
    result = []
    for skill_id, (skill, level) in wanted.items():
        row = current.get(skill_id)
        if row is None:
            row = CourseSkill.objects.create(course=course, skill=skill, target_level=level)
            audit.record(actor=actor, action=AuditAction.CREATE, obj=row)
        elif row.target_level != level:
            before = audit.snapshot(row)
            row.target_level = level
            row.save(update_fields=["target_level"])
            audit.record(actor=actor, action=AuditAction.UPDATE, obj=row, before=before)
        result.append(row)
    return result


def _prerequisite_links() -> dict[int, set[int]]:
    links: dict[int, set[int]] = {}
    through = Course.prerequisites.through
    for from_id, to_id in through.objects.values_list("from_course_id", "to_course_id"):
        links.setdefault(from_id, set()).add(to_id)
    return links


def requires(
    links: Mapping[Hashable, Iterable[Hashable]], start: Hashable, target: Hashable
) -> bool:
    """Whether course ``start`` requires ``target``, directly or through other courses
    (``links`` maps a course, by id or code, to the courses it requires)."""
    seen: set[Hashable] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(links.get(node, ()))
    return False


@transaction.atomic
def course_prerequisites_set(
    *, actor: Any, course: Course, prerequisites: Iterable[Course]
) -> list[Course]:
    """Replace ``course``'s prerequisites, refusing any that would close a circle.

    Raise ValidationFailed (field "prerequisites") naming the course that already requires
    this one. Audited as an update of the course with the prerequisite codes before and after.
    """
    policy.require(actor, "change", course)
    chosen = list({c.pk: c for c in prerequisites}.values())
    links = _prerequisite_links()
    links[course.pk] = set()
    for prerequisite in chosen:
        if prerequisite.pk == course.pk:
            raise ValidationFailed(
                _("A course cannot be its own prerequisite."), field="prerequisites"
            )
        if requires(links, prerequisite.pk, course.pk):
            raise ValidationFailed(
                _(
                    "“{other}” ({other_code}) already requires “{course}” ({code}), directly or"
                    " through other courses; prerequisites cannot go round in a circle."
                ).format(
                    other=prerequisite.display_name,
                    other_code=prerequisite.code,
                    course=course.display_name,
                    code=course.code,
                ),
                field="prerequisites",
            )
    before_codes = sorted(course.prerequisites.values_list("code", flat=True))
    after_codes = sorted(c.code for c in chosen)
    if before_codes != after_codes:
        course.prerequisites.set(chosen)
        snapshot = audit.snapshot(course)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=course,
            before={**snapshot, "prerequisites": before_codes},
            after={**snapshot, "prerequisites": after_codes},
        )
    return chosen


# Materials --------------------------------------------------------------------------------


@transaction.atomic
def material_add(
    *,
    actor: Any,
    course: Course,
    title: str,
    kind: str,
    file: Any = None,
    url: str = "",
    note: str = "",
) -> Material:
    """Upload a file or add a link to ``course``; a title already in use gets a new version.

    The previous version stays downloadable but is no longer current. Raise ValidationFailed
    for a missing file or link, a file too large or of a kind not on the allow-list.
    Audited: create of the new version, update of the one it replaces.
    """
    policy.require(actor, "change", course)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("Give the material a title."), field="title")
    if kind == MaterialKind.FILE:
        if not file:
            raise ValidationFailed(_("Choose the file to upload."), field="file")
        files.validate_upload(file, field="file", max_bytes=files.material_max_bytes())
        url = ""
    elif kind == MaterialKind.LINK:
        if not url:
            raise ValidationFailed(_("A link material needs its address."), field="url")
        file = None
    else:
        raise ValidationFailed(_("Choose a file or a link."), field="kind")
    previous = (
        Material.objects.select_for_update()
        .filter(course=course, title=title, is_current=True)
        .first()
    )
    highest = Material.objects.filter(course=course, title=title).aggregate(v=Max("version"))["v"]
    if previous is not None:
        before = audit.snapshot(previous)
        previous.is_current = False
        previous.save(update_fields=["is_current", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=previous, before=before)
    material = Material(
        course=course,
        title=title,
        kind=kind,
        url=url,
        version=(highest or 0) + 1,
        is_current=True,
        note=note.strip()[:300],
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if file:
        material.file.save(PurePath(file.name).name, file, save=False)
    full_clean(material, exclude=["file"], validate_constraints=False)
    material.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=material)
    return material


# Plans ------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor: Any, items: Sequence[dict] | None = None, **fields: Any) -> TrainingPlan:
    """Create a training plan (and its ordered courses, when given). Audited."""
    policy.require(actor, "add", TrainingPlan)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    plan = TrainingPlan(**fields)
    full_clean(plan)
    plan.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=plan)
    if items is not None:
        plan_items_set(actor=actor, plan=plan, items=items)
    return plan


@transaction.atomic
def plan_update(
    *, actor: Any, plan: TrainingPlan, items: Sequence[dict] | None = None, **fields: Any
) -> TrainingPlan:
    """Change a plan's fields (and its courses, when given). Audited."""
    policy.require(actor, "change", plan)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    before = audit.snapshot(plan)
    for name, value in fields.items():
        setattr(plan, name, value)
    full_clean(plan)
    plan.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=plan, before=before)
    if items is not None:
        plan_items_set(actor=actor, plan=plan, items=items)
    return plan


@transaction.atomic
def plan_items_set(*, actor: Any, plan: TrainingPlan, items: Sequence[dict]) -> list[PlanCourse]:
    """Replace the plan's courses with ``items`` in order: dicts of ``course`` and optional
    ``due_days`` (default 30) and ``is_required`` (default True). Each change audited.

    Raise ValidationFailed when a course appears twice or is retired.
    """
    policy.require(actor, "change", plan)
    seen: set[int] = set()
    for item in items:
        course = item["course"]
        if course.pk in seen:
            raise ValidationFailed(
                _("“{course}” is in the plan twice.").format(course=course.display_name),
                field="items",
            )
        if course.status == CourseStatus.RETIRED:
            raise ValidationFailed(
                _("“{course}” is retired and cannot be added to a plan.").format(
                    course=course.display_name
                ),
                field="items",
            )
        due_days = int(item.get("due_days", 30))
        if not 0 <= due_days <= 730:
            raise ValidationFailed(_("Days until due must be between 0 and 730."), field="items")
        seen.add(course.pk)
    current = {row.course_id: row for row in PlanCourse.objects.filter(plan=plan)}
    for course_id, row in current.items():
        if course_id not in seen:
            audit.record(
                actor=actor, action=AuditAction.DELETE, obj=row, before=audit.snapshot(row)
            )
            row.delete()
    result = []
    for order, item in enumerate(items):
        course = item["course"]
        values = {
            "order": order,
            "due_days": int(item.get("due_days", 30)),
            "is_required": bool(item.get("is_required", True)),
        }
        row = current.get(course.pk)
        if row is None:
            row = PlanCourse.objects.create(plan=plan, course=course, **values)
            audit.record(actor=actor, action=AuditAction.CREATE, obj=row)
        else:
            before = audit.snapshot(row)
            changed = [k for k, v in values.items() if getattr(row, k) != v]
            if changed:
                for key in changed:
                    setattr(row, key, values[key])
                row.save(update_fields=changed)
                audit.record(actor=actor, action=AuditAction.UPDATE, obj=row, before=before)
        result.append(row)
    return result


# Rules ------------------------------------------------------------------------------------


def _rule_values(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    return fields


@transaction.atomic
def rule_create(*, actor: Any, **fields: Any) -> AssignmentRule:
    """Add an assignment rule (HR, administrators). Audited."""
    policy.require(actor, "add", AssignmentRule)
    rule = AssignmentRule(**_rule_values(fields))
    full_clean(rule)
    rule.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=rule)
    return rule


@transaction.atomic
def rule_update(*, actor: Any, rule: AssignmentRule, **fields: Any) -> AssignmentRule:
    """Change an assignment rule; assignments it already made stay. Audited."""
    policy.require(actor, "change", rule)
    before = audit.snapshot(rule)
    for name, value in _rule_values(fields).items():
        setattr(rule, name, value)
    full_clean(rule)
    rule.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=rule, before=before)
    return rule


@transaction.atomic
def rule_delete(*, actor: Any, rule: AssignmentRule) -> None:
    """Delete a rule; the plans it assigned stay (their ``rule`` becomes empty). Audited."""
    policy.require(actor, "delete", rule)
    audit.record(actor=actor, action=AuditAction.DELETE, obj=rule, before=audit.snapshot(rule))
    rule.delete()


# Assignment: shared by the rule run and manual assignment ---------------------------------


@dataclass(frozen=True, slots=True)
class NewAssignment:
    """A plan assignment to insert: who, which plan, for which event, by when."""

    staff_id: int
    plan_id: int
    source_ref: str
    occurred_on: dt.date
    due_on: dt.date
    rule_id: int | None = None
    note: str = ""


@dataclass
class RunResult:
    """What a rule run (or a manual assignment) did, with the reasons behind it."""

    events: int = 0
    proposed: int = 0
    assignments_created: int = 0
    enrolments_created: int = 0
    enrolments_updated: int = 0
    skipped: int = 0
    # Up to 50 lines explaining what was assigned and why (for the page and the command).
    explanations: list[str] = field(default_factory=list)
    assignment_ids: list[int] = field(default_factory=list)


def _insert_assignments(
    *,
    actor: Any,
    rows: Sequence[NewAssignment],
    source: str,
    today: dt.date,
    result: RunResult,
) -> list[PlanAssignment]:
    """Insert plan assignments and their enrolments in bulk; audit one entry per assignment.

    Enrolments: one per (person, course) of the plan, due ``event + PlanCourse.due_days``
    capped by the plan's due date. An open enrolment keeps the earlier due date; a completed
    one is not reopened; a cancelled one is reopened for the new event.
    """
    if not rows:
        return []
    now = timezone.now()
    assigned_by = actor if getattr(actor, "is_authenticated", False) else None
    created = PlanAssignment.objects.bulk_create(
        [
            PlanAssignment(
                staff_id=row.staff_id,
                plan_id=row.plan_id,
                rule_id=row.rule_id,
                source=source,
                source_ref=row.source_ref,
                assigned_on=today,
                due_on=row.due_on,
                assigned_by=assigned_by,
                created_at=now,
                updated_at=now,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    if any(item.pk is None for item in created):  # a backend that returns no ids
        keys = {(r.staff_id, r.plan_id, r.source_ref) for r in rows}
        created = [
            item
            for item in PlanAssignment.objects.filter(
                plan_id__in={r.plan_id for r in rows}, created_at=now
            )
            if (item.staff_id, item.plan_id, item.source_ref) in keys
        ]
    by_key = {(a.staff_id, a.plan_id, a.source_ref): a for a in created}

    # The courses of each plan, one query.
    plan_courses: dict[int, list[tuple[int, int]]] = {}
    for plan_id, course_id, due_days in (
        PlanCourse.objects.filter(plan_id__in={r.plan_id for r in rows})
        .order_by("plan_id", "order", "pk")
        .values_list("plan_id", "course_id", "due_days")
    ):
        plan_courses.setdefault(plan_id, []).append((course_id, due_days))

    # Wanted enrolments: the earliest due date per (person, course) across this batch.
    wanted: dict[tuple[int, int], tuple[dt.date, PlanAssignment]] = {}
    for row in rows:
        assignment = by_key[(row.staff_id, row.plan_id, row.source_ref)]
        for course_id, due_days in plan_courses.get(row.plan_id, ()):
            due = min(row.occurred_on + dt.timedelta(days=due_days), row.due_on)
            due = max(due, today) if source == AssignmentSource.MANUAL else due
            key = (row.staff_id, course_id)
            if key not in wanted or due < wanted[key][0]:
                wanted[key] = (due, assignment)

    staff_ids = {staff_id for staff_id, _course in wanted}
    course_ids = {course_id for _staff, course_id in wanted}
    existing = (
        {
            (e.staff_id, e.course_id): e
            for e in Enrolment.objects.filter(
                staff_id__in=staff_ids, course_id__in=course_ids
            ).only(
                "id", "staff_id", "course_id", "status", "due_on", "plan_assignment_id", "source"
            )
        }
        if wanted
        else {}
    )
    new_enrolments: list[Enrolment] = []
    changed: list[Enrolment] = []
    for (staff_id, course_id), (due, assignment) in wanted.items():
        enrolment = existing.get((staff_id, course_id))
        if enrolment is None:
            new_enrolments.append(
                Enrolment(
                    staff_id=staff_id,
                    course_id=course_id,
                    plan_assignment=assignment,
                    source=source,
                    status=EnrolmentStatus.ASSIGNED,
                    due_on=due,
                    assigned_by=assigned_by,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif enrolment.status in OPEN_STATUSES:
            if enrolment.due_on is None or due < enrolment.due_on:
                enrolment.due_on = due
                if enrolment.plan_assignment_id is None:
                    enrolment.plan_assignment_id = assignment.pk
                changed.append(enrolment)
        elif enrolment.status == EnrolmentStatus.CANCELLED:
            enrolment.status = EnrolmentStatus.ASSIGNED
            enrolment.due_on = due
            enrolment.plan_assignment_id = assignment.pk
            enrolment.source = source
            changed.append(enrolment)
    # Raw multi-row insert (COPY on PostgreSQL): enrolments need no ids back here.
    bulk.insert_rows(
        Enrolment,
        ENROLMENT_INSERT_FIELDS,
        (
            tuple(
                getattr(e, name + "_id", None) if name in ENROLMENT_FKS else getattr(e, name)
                for name in ENROLMENT_INSERT_FIELDS
            )
            for e in new_enrolments
        ),
    )
    if changed:
        for enrolment in changed:
            enrolment.updated_at = now
        Enrolment.objects.bulk_update(
            changed,
            ["status", "due_on", "plan_assignment", "source", "updated_at"],
            batch_size=1000,
        )
    # The audit label names the person and the plan: load both once, not per entry.
    people = Staff.objects.only("pk", "name", "name_en").in_bulk({r.staff_id for r in rows})
    plans = TrainingPlan.objects.only("pk", "code", "name", "name_en").in_bulk(
        {r.plan_id for r in rows}
    )
    for assignment in created:
        assignment.staff = people[assignment.staff_id]
        assignment.plan = plans[assignment.plan_id]
    audit.record_many(
        audit.build_entry(
            actor=actor,
            action=AuditAction.CREATE,
            obj=assignment,
            note=row.note,
        )
        for row, assignment in ((r, by_key[(r.staff_id, r.plan_id, r.source_ref)]) for r in rows)
    )
    result.assignments_created += len(created)
    result.enrolments_created += len(new_enrolments)
    result.enrolments_updated += len(changed)
    result.assignment_ids.extend(a.pk for a in created)
    return created


# Rule runs --------------------------------------------------------------------------------


def _engine_path(path: str) -> str:
    # Org paths are "0000001/0000004/"; the engine wants them rooted ("/0000001/0000004/").
    return "/" + path if path else ""


def _engine_rules(rules: Iterable[AssignmentRule]) -> list[engine.Rule]:
    return [
        engine.Rule(
            id=rule.pk,
            plan_id=rule.plan_id,
            trigger=rule.trigger,
            unit_paths=(_engine_path(rule.unit.path),) if rule.unit_id else (),
            position_ids=frozenset({rule.position_id}) if rule.position_id else frozenset(),
            level_ids=frozenset({rule.level_id}) if rule.level_id else frozenset(),
            due_days=rule.due_days,
            active=rule.is_active,
        )
        for rule in rules
    ]


def rule_events(
    *,
    since: dt.date | None,
    today: dt.date,
    triggers: set[str] | None = None,
    staff_ids: Iterable[int] | None = None,
) -> list[engine.Event]:
    """Build the engine's events from the assignment history and improvement-plan starts.

    Bounded queries: one for the assignments in the window, one for the earlier assignment of
    each person concerned (to tell what changed), one for unit paths, one for improvement
    plans. Events after ``today`` (a transfer scheduled for next month) wait for their day;
    people who have left get nothing. ``staff_ids`` limits the events to those people.
    """
    staff_ids = None if staff_ids is None else list(staff_ids)
    triggers = triggers if triggers is not None else set(engine.TRIGGERS)
    paths = dict(OrgUnit.objects.values_list("pk", "path"))
    events: list[engine.Event] = []
    assignment_triggers = triggers & {engine.HIRE, engine.POSITION_CHANGE, engine.LEVEL_CHANGE}
    if assignment_triggers:
        window = Assignment.objects.filter(start_date__lte=today).exclude(
            reason__in=NON_EVENT_REASONS
        )
        window = window.exclude(staff__status=StaffStatus.LEFT)
        if since is not None:
            window = window.filter(start_date__gte=since)
        if staff_ids is not None:
            window = window.filter(staff_id__in=staff_ids)
        rows = list(
            window.order_by("staff_id", "start_date", "pk").values_list(
                "pk", "staff_id", "start_date", "unit_id", "position_id", "level_id", "reason"
            )
        )
        previous: dict[int, tuple[int | None, int | None]] = {}
        if rows and (triggers - {engine.HIRE}):
            # The assignment before each one in the window: the latest earlier row per person.
            earlier = Assignment.objects.filter(start_date__lte=today).order_by(
                "staff_id", "start_date", "pk"
            )
            if since is not None:
                staff_in_window = window.values("staff_id")
                earlier = earlier.filter(staff_id__in=staff_in_window)
            history: dict[int, list[tuple[int, dt.date, int | None, int | None]]] = {}
            for pk, staff_id, start, position_id, level_id in earlier.values_list(
                "pk", "staff_id", "start_date", "position_id", "level_id"
            ):
                history.setdefault(staff_id, []).append((pk, start, position_id, level_id))
            for items in history.values():
                for index in range(1, len(items)):
                    previous[items[index][0]] = (items[index - 1][2], items[index - 1][3])
        for pk, staff_id, start, unit_id, position_id, level_id, reason in rows:
            ref = f"assignment:{pk}"
            base = {
                "staff_id": staff_id,
                "occurred_on": start,
                "unit_path": _engine_path(paths.get(unit_id, "")),
                "position_id": position_id,
                "level_id": level_id,
                "source_ref": ref,
            }
            if reason == AssignmentReason.HIRE:
                if engine.HIRE in triggers:
                    events.append(engine.Event(trigger=engine.HIRE, **base))
                continue
            before = previous.get(pk)
            if before is None:
                continue
            if (
                engine.POSITION_CHANGE in triggers
                and reason in POSITION_REASONS
                and before[0] != position_id
            ):
                events.append(engine.Event(trigger=engine.POSITION_CHANGE, **base))
            if engine.LEVEL_CHANGE in triggers and before[1] != level_id and level_id is not None:
                events.append(engine.Event(trigger=engine.LEVEL_CHANGE, **base))
    if engine.IMPROVEMENT_PLAN in triggers:
        from opsteam.performance.choices import PlanState
        from opsteam.performance.models_coaching import ImprovementPlan

        plans = ImprovementPlan.objects.filter(
            state__in=[PlanState.ACTIVE, PlanState.CLOSED],
            start_date__lte=today,
            continues__isnull=True,  # an extension continues the same plan: not a new event
        ).exclude(staff__status=StaffStatus.LEFT)
        if since is not None:
            plans = plans.filter(start_date__gte=since)
        if staff_ids is not None:
            plans = plans.filter(staff_id__in=staff_ids)
        for pk, staff_id, start, unit_id, position_id, level_id in plans.values_list(
            "pk",
            "staff_id",
            "start_date",
            "staff__unit_id",
            "staff__position_id",
            "staff__level_id",
        ):
            events.append(
                engine.Event(
                    staff_id=staff_id,
                    trigger=engine.IMPROVEMENT_PLAN,
                    occurred_on=start,
                    unit_path=_engine_path(paths.get(unit_id, "")),
                    position_id=position_id,
                    level_id=level_id,
                    source_ref=f"pip:{pk}",
                )
            )
    return events


TRIGGER_NOTES = {
    engine.HIRE: "hire on {occurred_on}",
    engine.POSITION_CHANGE: "position change on {occurred_on}",
    engine.LEVEL_CHANGE: "level change on {occurred_on}",
    engine.IMPROVEMENT_PLAN: "improvement plan {source_ref} started on {occurred_on}",
}


def _explain(reason: engine.Reason) -> str:
    """The reason in the active language (the engine holds no wording)."""
    params = reason.as_dict()
    text = {
        engine.HIRE: _("hired on {occurred_on}"),
        engine.POSITION_CHANGE: _("position changed on {occurred_on}"),
        engine.LEVEL_CHANGE: _("level changed on {occurred_on}"),
        engine.IMPROVEMENT_PLAN: _("improvement plan started on {occurred_on}"),
    }[reason.key]
    return (
        text.format(occurred_on=params["occurred_on"])
        + "; "
        + _("due {days} days later").format(days=params["due_days"])
    )


@transaction.atomic
def plan_rules_run(
    *,
    actor: Any,
    since: dt.date | None = None,
    today: dt.date | None = None,
    progress: Callable[[str, int], None] | None = None,
    staff_ids: Iterable[int] | None = None,
) -> RunResult:
    """Give plans to everyone the active rules match, for events on or after ``since``
    (only to the people in ``staff_ids`` when given: a promotion takes effect for one person).

    ``actor`` None is the system (the nightly job); a person must be allowed to change
    assignment rules (HR, administrators). Idempotent: assignments already made for an event
    (even cancelled ones) are never made again. One audit entry per new plan assignment.
    ``progress(stage, count)`` is told "events", "proposals" and "written" as they are known.
    """
    if actor is not None:
        policy.require(actor, "change", AssignmentRule)
    today = today or _today()
    staff_ids = None if staff_ids is None else list(staff_ids)
    result = RunResult()
    rule_rows = list(
        AssignmentRule.objects.filter(is_active=True, plan__is_active=True).select_related("unit")
    )
    if not rule_rows:
        return result
    events = rule_events(
        since=since, today=today, triggers={r.trigger for r in rule_rows}, staff_ids=staff_ids
    )
    result.events = len(events)
    if progress is not None:
        progress("events", len(events))
    plan_ids = {rule.plan_id for rule in rule_rows}
    refs = {event.source_ref for event in events}
    made = PlanAssignment.objects.filter(plan_id__in=plan_ids).exclude(
        source=AssignmentSource.MANUAL
    )
    if staff_ids is not None:
        made = made.filter(staff_id__in=staff_ids)
    existing = {
        key
        for key in made.values_list("staff_id", "plan_id", "source_ref").iterator(chunk_size=5000)
        if key[2] in refs
    }
    proposals = engine.plan_assignments(_engine_rules(rule_rows), events, existing)
    result.proposed = len(proposals)
    if progress is not None:
        progress("proposals", len(proposals))
    result.skipped = len(existing)
    occurred = {(e.staff_id, e.source_ref): e.occurred_on for e in events}
    rows = [
        NewAssignment(
            staff_id=p.staff_id,
            plan_id=p.plan_id,
            source_ref=p.source_ref,
            occurred_on=occurred[(p.staff_id, p.source_ref)],
            due_on=p.due_on,
            rule_id=p.rule_id,
            note="rule {rule}: {what}".format(
                rule=p.rule_id, what=TRIGGER_NOTES[p.reason.key].format(**p.reason.as_dict())
            ),
        )
        for p in proposals
    ]
    _insert_assignments(
        actor=actor, rows=rows, source=AssignmentSource.RULE, today=today, result=result
    )
    if progress is not None:
        progress("written", result.assignments_created)
    if proposals:
        names = dict(
            Staff.objects.filter(pk__in={p.staff_id for p in proposals[:50]}).values_list(
                "pk", "name"
            )
        )
        plans = {p.pk: p for p in TrainingPlan.objects.filter(pk__in=plan_ids)}
        for proposal in proposals[:50]:
            result.explanations.append(
                _("{person}: {plan} ({reason})").format(
                    person=names.get(proposal.staff_id, proposal.staff_id),
                    plan=plans[proposal.plan_id].display_name,
                    reason=_explain(proposal.reason),
                )
            )
    return result


# Manual assignment ------------------------------------------------------------------------


@transaction.atomic
def plan_assign(
    *,
    actor: Any,
    plan: TrainingPlan,
    staff: Iterable[Staff],
    due_on: dt.date | None = None,
    today: dt.date | None = None,
) -> RunResult:
    """Assign ``plan`` by hand: managers to people in their subtree, HR to anyone.

    People outside the actor's scope raise NotVisible (nothing is written); people who already
    have this plan running (not cancelled, not yet due) are skipped and counted. Raise
    ValidationFailed for a past due date or an inactive plan. One audit entry per assignment.
    """
    policy.require(actor, "add", PlanAssignment)
    today = today or _today()
    if not plan.is_active:
        raise InvalidTransition(_("This plan is inactive; activate it before assigning it."))
    if due_on is not None and due_on < today:
        raise ValidationFailed(_("The due date is in the past."), field="due_on")
    people = list({s.pk: s for s in staff}.values())
    if not people:
        raise ValidationFailed(_("Choose at least one person."), field="staff")
    ids = [s.pk for s in people]
    visible = set(
        Staff.objects.restrict(actor, "view").filter(pk__in=ids).values_list("pk", flat=True)
    )
    if len(visible) != len(ids):
        raise NotVisible()
    longest = max(plan.items.values_list("due_days", flat=True), default=30)
    due = due_on or today + dt.timedelta(days=longest)
    running = set(
        PlanAssignment.objects.filter(
            plan=plan, staff_id__in=ids, is_cancelled=False, due_on__gte=today
        ).values_list("staff_id", flat=True)
    )
    batch = uuid.uuid4().hex[:12]
    rows = [
        NewAssignment(
            staff_id=pk,
            plan_id=plan.pk,
            source_ref=f"manual:{batch}",
            occurred_on=today,
            due_on=due,
            note="manual",
        )
        for pk in ids
        if pk not in running
    ]
    result = RunResult(proposed=len(rows), skipped=len(ids) - len(rows))
    _insert_assignments(
        actor=actor, rows=rows, source=AssignmentSource.MANUAL, today=today, result=result
    )
    return result


def assignable_staff(*, actor: Any) -> Any:
    """People ``actor`` may assign training to: their subtree (managers), everyone (HR)."""
    if not policy.can(actor, "add", PlanAssignment):
        return Staff.objects.none()
    return (
        Staff.objects.restrict(actor, "view")
        .exclude(status=StaffStatus.LEFT)
        .select_related("unit", "position")
    )
