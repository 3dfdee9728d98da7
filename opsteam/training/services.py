"""Enrolment lifecycle: assign, enrol, start, complete (skills, certificate, behaviour checks).

Every area of the training app (catalogue, delivery, exams) ends a person's course through
``enrolment_evaluate``: it completes the enrolment once the course's requirements are met (a
passed post-test where the course has one, attendance where it is taught in sessions), raises
the skill levels the course teaches, issues the certificate and schedules the 30/60/90-day
behaviour checks. One transaction per call, permission-checked, audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, ValidationFailed
from opsteam.org.choices import SkillSource
from opsteam.org.models import Staff, StaffSkill
from opsteam.training.choices import (
    BEHAVIOUR_CHECKPOINTS,
    AssignmentSource,
    AttemptStatus,
    CertificateSource,
    CheckpointStatus,
    CourseStatus,
    EnrolmentStatus,
    ExamKind,
    RegistrationStatus,
)
from opsteam.training.models import (
    Attempt,
    BehaviourCheck,
    Certificate,
    Course,
    Enrolment,
    Exam,
    PlanAssignment,
    Registration,
)

OPEN_STATUSES = (EnrolmentStatus.ASSIGNED, EnrolmentStatus.IN_PROGRESS)


def _today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class Requirement:
    """One condition of completing a course, met or not, in words."""

    code: str
    label: str
    met: bool


def completion_requirements(enrolment: Enrolment) -> list[Requirement]:
    """What completing ``enrolment``'s course takes, each marked met or missed (explainable)."""
    course = enrolment.course
    requirements: list[Requirement] = []
    post_exam = Exam.objects.filter(course=course, kind=ExamKind.POST, is_active=True).first()
    if post_exam is not None:
        passed = Attempt.objects.filter(
            enrolment=enrolment, exam__kind=ExamKind.POST, passed=True
        ).exists()
        requirements.append(
            Requirement(
                "post_test",
                _("Pass the post-test “{exam}” ({mark}%)").format(
                    exam=post_exam.display_name, mark=post_exam.pass_mark
                ),
                passed,
            )
        )
    if course.sessions.exists():
        attended = Registration.objects.filter(enrolment=enrolment, attended=True).exists()
        requirements.append(Requirement("attendance", _("Attend a session"), attended))
    return requirements


def _require_course_open(course: Course) -> None:
    if course.status != CourseStatus.ACTIVE:
        raise InvalidTransition(_("This course is not open: it is a draft or retired."))


def _missing_prerequisites(staff: Staff, course: Course) -> list[Course]:
    required = list(course.prerequisites.all())
    if not required:
        return []
    done = set(
        Enrolment.objects.filter(
            staff=staff, course__in=required, status=EnrolmentStatus.COMPLETED
        ).values_list("course_id", flat=True)
    )
    return [c for c in required if c.pk not in done]


@transaction.atomic
def enrolment_assign(
    *,
    actor: Any,
    staff: Staff,
    course: Course,
    due_on: dt.date | None = None,
    plan_assignment: PlanAssignment | None = None,
) -> Enrolment:
    """Assign ``course`` to ``staff`` by hand (managers for their team, HR anyone).

    Re-assigning an open enrolment only moves its due date; a cancelled or completed one is
    reopened. Audit: create or update.
    """
    policy.require_for_person(actor, "add", Enrolment, staff)
    _require_course_open(course)
    if due_on is not None and due_on < _today():
        raise ValidationFailed(_("The due date is in the past."), field="due_on")
    enrolment, before = _enrolment_open(
        staff=staff,
        course=course,
        source=AssignmentSource.MANUAL,
        due_on=due_on,
        plan_assignment=plan_assignment,
        assigned_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        obj=enrolment,
        before=before,
    )
    return enrolment


def _enrolment_open(
    *,
    staff: Staff,
    course: Course,
    source: str,
    due_on: dt.date | None,
    plan_assignment: PlanAssignment | None = None,
    assigned_by: Any = None,
) -> tuple[Enrolment, dict | None]:
    existing = Enrolment.objects.select_for_update().filter(staff=staff, course=course).first()
    if existing is None:
        enrolment = Enrolment.objects.create(
            staff=staff,
            course=course,
            source=source,
            due_on=due_on,
            plan_assignment=plan_assignment,
            assigned_by=assigned_by,
        )
        return enrolment, None
    before = audit.snapshot(existing)
    if existing.status in OPEN_STATUSES:
        if due_on is not None and (existing.due_on is None or due_on < existing.due_on):
            existing.due_on = due_on
    else:
        existing.status = EnrolmentStatus.ASSIGNED
        existing.completed_on = None
        existing.started_on = None
        existing.due_on = due_on
        existing.source = source
    if plan_assignment is not None and existing.plan_assignment_id is None:
        existing.plan_assignment = plan_assignment
    existing.save()
    return existing, before


@transaction.atomic
def enrol_self(*, actor: Any, course: Course) -> Enrolment:
    """An operator (or anyone) enrols themself in an open course, prerequisites permitting."""
    staff = getattr(actor, "staff", None)
    if staff is None:
        raise ValidationFailed(_("Only staff members can enrol in courses."))
    policy.require_for_person(actor, "enrol_self", Enrolment, staff)
    _require_course_open(course)
    if not course.is_open:
        raise InvalidTransition(
            _("This course is not open for self-enrolment; ask your manager or HR.")
        )
    missing = _missing_prerequisites(staff, course)
    if missing:
        raise ValidationFailed(
            _("Complete the prerequisites first: {courses}.").format(
                courses=", ".join(c.display_name for c in missing)
            )
        )
    existing = Enrolment.objects.filter(staff=staff, course=course, status__in=OPEN_STATUSES)
    if existing.exists():
        raise InvalidTransition(_("You are already enrolled in this course."))
    enrolment, before = _enrolment_open(
        staff=staff, course=course, source=AssignmentSource.SELF, due_on=None
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        obj=enrolment,
        before=before,
    )
    return enrolment


@transaction.atomic
def enrolment_start(*, actor: Any, enrolment: Enrolment) -> Enrolment:
    """The learner starts (opens a material, registers for a session, sits the pre-test)."""
    if enrolment.status != EnrolmentStatus.ASSIGNED:
        return enrolment
    before = audit.snapshot(enrolment)
    enrolment.status = EnrolmentStatus.IN_PROGRESS
    enrolment.started_on = _today()
    enrolment.save(update_fields=["status", "started_on", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=enrolment, before=before)
    return enrolment


@transaction.atomic
def enrolment_cancel(*, actor: Any, enrolment: Enrolment, reason: str) -> Enrolment:
    """Withdraw an assignment (managers for their team, HR); the reason is kept in the audit."""
    policy.require(actor, "change", enrolment)
    if enrolment.status not in OPEN_STATUSES:
        raise InvalidTransition(_("Only open enrolments can be cancelled."))
    if not reason.strip():
        raise ValidationFailed(_("Say why the course is withdrawn."), field="reason")
    before = audit.snapshot(enrolment)
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.save(update_fields=["status", "updated_at"])
    enrolment.registrations.filter(
        status__in=[
            RegistrationStatus.PENDING,
            RegistrationStatus.REGISTERED,
            RegistrationStatus.WAITLISTED,
        ]
    ).update(status=RegistrationStatus.CANCELLED)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=enrolment, before=before, note=reason)
    return enrolment


@transaction.atomic
def enrolment_evaluate(*, actor: Any, enrolment: Enrolment, on: dt.date | None = None) -> Enrolment:
    """Complete ``enrolment`` if every requirement of its course is met; otherwise leave it.

    Called after check-in, after an exam is graded and by ``enrolment_complete``. Courses with
    no requirement (self-paced reading) are completed by hand with ``enrolment_complete``.
    """
    if enrolment.status not in OPEN_STATUSES:
        return enrolment
    requirements = completion_requirements(enrolment)
    if not requirements or not all(r.met for r in requirements):
        if enrolment.status == EnrolmentStatus.ASSIGNED and any(r.met for r in requirements):
            enrolment_start(actor=actor, enrolment=enrolment)
        return enrolment
    return _complete(actor=actor, enrolment=enrolment, on=on or _today())


@transaction.atomic
def enrolment_complete(*, actor: Any, enrolment: Enrolment, on: dt.date | None = None) -> Enrolment:
    """Mark a course done by hand (managers for their team, HR) when its requirements are met.

    A course with a post-test or sessions cannot be completed around them: the missing
    requirement is named.
    """
    policy.require(actor, "change", enrolment)
    if enrolment.status not in OPEN_STATUSES:
        raise InvalidTransition(_("This enrolment is not open."))
    missing = [r.label for r in completion_requirements(enrolment) if not r.met]
    if missing:
        raise InvalidTransition(
            _("Not complete yet: {missing}.").format(missing="; ".join(missing))
        )
    return _complete(actor=actor, enrolment=enrolment, on=on or _today())


def _complete(*, actor: Any, enrolment: Enrolment, on: dt.date) -> Enrolment:
    before = audit.snapshot(enrolment)
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_on = on
    enrolment.started_on = enrolment.started_on or on
    enrolment.save(update_fields=["status", "completed_on", "started_on", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=enrolment, before=before)
    skills_raise(actor=actor, enrolment=enrolment)
    course = enrolment.course
    if course.issues_certificate:
        certificate_issue(actor=actor, enrolment=enrolment, on=on)
    behaviour_checks_schedule(enrolment=enrolment, completed_on=on)
    return enrolment


def skills_raise(*, actor: Any, enrolment: Enrolment) -> list[StaffSkill]:
    """Raise the person's recorded level in each skill the course teaches (never lower it)."""
    changed: list[StaffSkill] = []
    ref = f"enrolment:{enrolment.pk}"
    held = {
        row.skill_id: row
        for row in StaffSkill.objects.select_for_update().filter(staff=enrolment.staff_id)
    }
    for taught in enrolment.course.skills.all():
        row = held.get(taught.skill_id)
        if row is None:
            row = StaffSkill.objects.create(
                staff_id=enrolment.staff_id,
                skill_id=taught.skill_id,
                level=taught.target_level,
                source=SkillSource.COURSE,
                source_ref=ref,
                recorded_on=enrolment.completed_on or _today(),
            )
            audit.record(actor=actor, action=AuditAction.CREATE, obj=row)
            changed.append(row)
        elif row.level < taught.target_level:
            before = audit.snapshot(row)
            row.level = taught.target_level
            row.source, row.source_ref = SkillSource.COURSE, ref
            row.recorded_on = enrolment.completed_on or _today()
            row.save()
            audit.record(actor=actor, action=AuditAction.UPDATE, obj=row, before=before)
            changed.append(row)
    return changed


def certificate_issue(*, actor: Any, enrolment: Enrolment, on: dt.date) -> Certificate:
    """Issue the course's certificate (valid for the course's months, if it expires)."""
    course = enrolment.course
    expires = (
        on + relativedelta(months=course.certificate_valid_months)
        if course.certificate_valid_months
        else None
    )
    certificate = Certificate.objects.create(
        staff_id=enrolment.staff_id,
        course=course,
        source=CertificateSource.COURSE,
        name=course.display_name,
        issuer=_("OpsTeam training"),
        number=f"{course.code}-{enrolment.pk:06d}-{on:%Y%m%d}",
        issued_on=on,
        expires_on=expires,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=certificate)
    return certificate


def behaviour_checks_schedule(*, enrolment: Enrolment, completed_on: dt.date) -> int:
    """Schedule the manager's observations 30/60/90 days after completion (once each)."""
    if not enrolment.course.behaviour_items.exists():
        return 0
    observer_id = Staff.objects.filter(pk=enrolment.staff_id).values_list("manager_id", flat=True)[
        0
    ]
    existing = set(
        BehaviourCheck.objects.filter(enrolment=enrolment).values_list("checkpoint_days", flat=True)
    )
    checks = [
        BehaviourCheck(
            enrolment=enrolment,
            checkpoint_days=days,
            due_on=completed_on + dt.timedelta(days=days),
            observer_id=observer_id,
        )
        for days in BEHAVIOUR_CHECKPOINTS
        if days not in existing
    ]
    BehaviourCheck.objects.bulk_create(checks)
    return len(checks)


def attempt_counts_as_start(attempt: Attempt) -> bool:
    """Sitting any exam of a course counts as starting it."""
    return attempt.status != AttemptStatus.IN_PROGRESS or attempt.exam.kind == ExamKind.PRE


@transaction.atomic
def behaviour_check_record(
    *, actor: Any, check: BehaviourCheck, ratings: dict[str, int], comment: str = ""
) -> BehaviourCheck:
    """A manager records what they observed: a 1-5 rating per behaviour item of the course."""
    policy.require(actor, "observe", check)
    if check.status != CheckpointStatus.DUE:
        raise InvalidTransition(_("This observation has already been recorded."))
    items = {str(pk) for pk in check.enrolment.course.behaviour_items.values_list("pk", flat=True)}
    missing = sorted(items - set(ratings))
    if missing:
        raise ValidationFailed(_("Rate every behaviour."), field=f"item_{missing[0]}")
    for key, value in ratings.items():
        if key not in items:
            raise ValidationFailed(_("Unknown behaviour {key}.").format(key=key), field="ratings")
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationFailed(
                _("Ratings run from 1 to 5 (got {value}).").format(value=value),
                field=f"item_{key}",
            )
    before = audit.snapshot(check)
    check.ratings = {key: ratings[key] for key in sorted(items)}
    check.comment = comment
    check.status = CheckpointStatus.DONE
    check.observed_at = timezone.now()
    if check.observer_id is None:
        check.observer = getattr(actor, "staff", None)
    check.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=check, before=before)
    return check


@transaction.atomic
def enrolment_record_external_result(
    *,
    actor: Any,
    staff: Staff,
    course: Course,
    on: dt.date,
    score: Decimal | None = None,
    passed: bool = True,
) -> Enrolment:
    """Record a result of training taken outside OpsTeam (a provider's exam, an e-learning
    platform): a pass completes the course as of ``on`` (skills, certificate, observations)
    whatever the course's own exam or sessions; a fail keeps it open with the score. HR and
    administrators (the results import). Audit: create or update."""
    policy.require_for_person(actor, "import", Enrolment, staff)
    if on > _today():
        raise ValidationFailed(_("The date is in the future."), field="completed_on")
    done = Enrolment.objects.filter(
        staff=staff, course=course, status=EnrolmentStatus.COMPLETED
    ).first()
    if done is not None:  # already completed: the earlier result stands
        return done
    enrolment, before = _enrolment_open(
        staff=staff, course=course, source=AssignmentSource.MANUAL, due_on=None, assigned_by=actor
    )
    enrolment.external_score = score
    enrolment.started_on = enrolment.started_on or on
    enrolment.status = EnrolmentStatus.IN_PROGRESS
    enrolment.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        obj=enrolment,
        before=before,
    )
    if not passed:
        return enrolment
    return _complete(actor=actor, enrolment=enrolment, on=on)
