"""Training delivery: sessions, seats and waiting lists, approval, attendance, self-learning and
certificates. Every write is one transaction, permission-checked and audited.

Seats are counted under a row lock on the session (``select_for_update``), so two people
taking the last seat at once never overbook it: the second one waits for the first's
transaction and then finds the session full (waiting list). A freed seat goes to the first
person on the waiting list (FIFO by the time they joined it).

Instructors of a session may take attendance and close it in addition to the policy's
``check_in`` roles. E-mails (with the ``.ics`` invitation attached) leave after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.links import site_url
from opsteam.org.models import Staff
from opsteam.training import calendar, files, reminders, selectors_delivery, services
from opsteam.training.choices import (
    ApprovalStatus,
    CertificateSource,
    CourseStatus,
    EnrolmentStatus,
    LearningKind,
    RegistrationStatus,
    SessionStatus,
)
from opsteam.training.models import (
    Certificate,
    Course,
    Enrolment,
    Registration,
    SelfLearning,
    Session,
)

ACTIVE = (RegistrationStatus.PENDING, RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
OPEN_ENROLMENT = (EnrolmentStatus.ASSIGNED, EnrolmentStatus.IN_PROGRESS)
CHECK_IN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed on phones
CHECK_IN_CODE_LENGTH = 6
CHECK_IN_OPENS_BEFORE = dt.timedelta(minutes=30)
CHECK_IN_MAX_FAILURES = 5
CHECK_IN_LOCK_SECONDS = 15 * 60
REMINDER_AHEAD = dt.timedelta(hours=24)
RENEWAL_WARNING_DAYS = 60


# Permission helpers -----------------------------------------------------------------------


def can_take_attendance(user: Any, session: Session) -> bool:
    return selectors_delivery.can_take_attendance(user, session)


def _require_attendance(user: Any, session: Session) -> None:
    policy.require(user, "view", session)
    if not can_take_attendance(user, session):
        raise PolicyDenied()


def _own_staff(actor: Any) -> Staff:
    staff = Staff.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if staff is None:
        raise ValidationFailed(_("Only staff members can take part in training."))
    return staff


# Sessions ---------------------------------------------------------------------------------

SESSION_FIELDS = (
    "course",
    "instructor",
    "external_instructor",
    "starts_at",
    "ends_at",
    "location",
    "online_url",
    "capacity",
)


def _validate_session(values: Mapping[str, Any], *, creating: bool) -> None:
    starts, ends = values["starts_at"], values["ends_at"]
    if ends <= starts:
        raise ValidationFailed(_("The session must end after it starts."), field="ends_at")
    if creating and starts <= timezone.now():
        raise ValidationFailed(_("The session must start in the future."), field="starts_at")
    if not values.get("location") and not values.get("online_url"):
        raise ValidationFailed(_("Give a place or an online link."), field="location")
    if creating and values.get("instructor") is None and not values.get("external_instructor"):
        raise ValidationFailed(
            _("Name the instructor: a colleague or an external trainer."), field="instructor"
        )
    if values["course"].status != CourseStatus.ACTIVE:
        raise ValidationFailed(
            _("This course is not open: it is a draft or retired."), field="course"
        )


@transaction.atomic
def session_create(
    *,
    actor: Any,
    course: Course,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    instructor: Staff | None = None,
    external_instructor: str = "",
    location: str = "",
    online_url: str = "",
    capacity: int = 20,
) -> Session:
    """Schedule a session of ``course`` (HR, administrators). Audit: create."""
    policy.require(actor, "add", Session)
    values = {
        "course": course,
        "instructor": instructor,
        "external_instructor": external_instructor.strip(),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": location.strip(),
        "online_url": online_url.strip(),
        "capacity": capacity,
    }
    _validate_session(values, creating=True)
    if capacity < 1:
        raise ValidationFailed(_("At least one seat."), field="capacity")
    session = Session.objects.create(**values)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=session)
    return session


@transaction.atomic
def session_update(*, actor: Any, session: Session, **changes: Any) -> Session:
    """Change a scheduled session. More seats promote the waiting list; fewer than the people
    already registered are refused. A new time or place re-sends the invitation (a higher
    SEQUENCE replaces it in calendars). Audit: update."""
    policy.require(actor, "change", session)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.SCHEDULED:
        raise InvalidTransition(_("Only scheduled sessions can be changed."))
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    values = {name: getattr(session, name) for name in SESSION_FIELDS}
    values.update(changes)
    for name in ("external_instructor", "location", "online_url"):
        values[name] = (values[name] or "").strip()
    _validate_session(values, creating=False)
    registered = session.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    if values["capacity"] < max(1, registered):
        raise ValidationFailed(
            _("{count} people are registered: the session needs at least that many seats.").format(
                count=registered
            ),
            field="capacity",
        )
    if session.registrations.exists() and values["course"].pk != session.course_id:
        raise ValidationFailed(
            _("People are registered: the course of the session cannot change."), field="course"
        )
    before = audit.snapshot(session)
    moved = any(
        values[name] != getattr(session, name)
        for name in ("starts_at", "ends_at", "location", "online_url")
    )
    for name, value in values.items():
        setattr(session, name, value)
    session.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=session, before=before)
    promoted = _fill_seats(actor=actor, session=session)
    if moved:
        ids = list(
            session.registrations.filter(status=RegistrationStatus.REGISTERED)
            .exclude(pk__in=[r.pk for r in promoted])
            .values_list("pk", flat=True)
        )
        _notify_on_commit("updated", ids)
    return session


@transaction.atomic
def session_cancel(*, actor: Any, session: Session, reason: str = "") -> Session:
    """Cancel a scheduled session: every open seat is cancelled and its holder told (with a
    calendar cancellation). Audit: update (session) and update per registration."""
    policy.require(actor, "change", session)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.SCHEDULED:
        raise InvalidTransition(_("Only scheduled sessions can be cancelled."))
    before = audit.snapshot(session)
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=session, before=before, note=reason)
    notify = list(session.registrations.filter(status__in=ACTIVE))
    _set_status(actor=actor, registrations=notify, status=RegistrationStatus.CANCELLED)
    _notify_on_commit("session_cancelled", [r.pk for r in notify], reason=reason)
    return session


@transaction.atomic
def session_close(*, actor: Any, session: Session) -> Session:
    """Mark a session held: registered people not checked in are recorded absent; people still
    waiting or awaiting approval lose their place. Instructors and HR. Audit: update."""
    _require_attendance(actor, session)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.SCHEDULED:
        raise InvalidTransition(_("Only scheduled sessions can be marked held."))
    if session.starts_at > timezone.now():
        raise InvalidTransition(_("The session has not started yet."))
    before = audit.snapshot(session)
    session.status = SessionStatus.COMPLETED
    session.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=session, before=before)
    absent = list(
        session.registrations.filter(status=RegistrationStatus.REGISTERED, attended__isnull=True)
    )
    entries = []
    for registration in absent:
        snap = audit.snapshot(registration)
        registration.attended = False
        entries.append((registration, snap))
    Registration.objects.bulk_update(absent, ["attended"])
    audit.record_many(
        audit.build_entry(actor=actor, action=AuditAction.UPDATE, obj=r, before=snap)
        for r, snap in entries
    )
    waiting = list(
        session.registrations.filter(
            status__in=[RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED]
        )
    )
    _set_status(actor=actor, registrations=waiting, status=RegistrationStatus.CANCELLED)
    if session.registrations.filter(attended=True).exists():
        # the reaction survey goes to everyone who attended as soon as the session is held
        from opsteam.training import reaction

        reaction.reaction_survey_open(actor=actor, session=session)
    return session


# Registration -----------------------------------------------------------------------------


def _seats_taken(session: Session) -> int:
    return session.registrations.filter(status=RegistrationStatus.REGISTERED).count()


def _require_bookable(session: Session) -> None:
    if session.status != SessionStatus.SCHEDULED:
        raise InvalidTransition(_("This session is not open for registration."))
    if session.starts_at <= timezone.now():
        raise InvalidTransition(_("This session has already started."))


def _enrolment_for(*, actor: Any, staff: Staff, course: Course, for_self: bool) -> Enrolment:
    """The person's open enrolment in ``course``: self-enrol in an open course if needed."""
    enrolment = Enrolment.objects.filter(staff=staff, course=course).first()
    if enrolment is not None and enrolment.status in OPEN_ENROLMENT:
        return enrolment
    if enrolment is not None and enrolment.status == EnrolmentStatus.COMPLETED:
        raise InvalidTransition(_("This course is already completed."))
    if for_self:
        if not course.is_open:
            raise InvalidTransition(
                _("This course is not open for self-enrolment; ask your manager or HR.")
            )
        return services.enrol_self(actor=actor, course=course)
    return services.enrolment_assign(actor=actor, staff=staff, course=course)


@transaction.atomic
def registration_request(
    *, actor: Any, session: Session, staff: Staff | None = None
) -> Registration:
    """Take a seat in ``session`` for yourself (``staff`` omitted) or, as a manager or HR,
    for a person. The course's enrolment is created if needed (self: open courses only).

    Courses that need approval wait for the person's manager or HR (PENDING) unless the
    actor registering someone else may approve it; a full session puts the person on the
    waiting list. Registering starts the enrolment. Raises ``NotVisible``/``PolicyDenied``,
    ``InvalidTransition`` (not bookable, already registered, completed) and
    ``ValidationFailed``. Audit: create (or update when an old cancelled seat is reused).
    """
    if staff is None:
        staff = _own_staff(actor)
    for_self = staff.user_id is not None and staff.user_id == getattr(actor, "pk", None)
    if for_self:
        policy.require(actor, "enrol_self", Enrolment)
    else:
        policy.require_for_person(actor, "add", Enrolment, staff)
    policy.require(actor, "view", session)
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    _require_bookable(session)
    enrolment = _enrolment_for(actor=actor, staff=staff, course=session.course, for_self=for_self)
    if for_self:
        policy.require(actor, "learn", enrolment)
    else:
        policy.require(actor, "add", enrolment)
    existing = Registration.objects.filter(session=session, enrolment=enrolment).first()
    if existing is not None and existing.status in ACTIVE:
        raise InvalidTransition(_("Already registered for this session."))
    elsewhere = (
        Registration.objects.filter(
            enrolment=enrolment,
            status__in=ACTIVE,
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__gt=timezone.now(),
        )
        .exclude(session=session)
        .select_related("session")
        .first()
    )
    if elsewhere is not None:
        raise InvalidTransition(
            _("Already holding a place in the session of {date}: cancel it first.").format(
                date=timezone.localtime(elsewhere.session.starts_at).strftime("%Y-%m-%d %H:%M")
            )
        )
    approved_by_actor = not for_self and policy.can(actor, "approve", Registration)
    if session.course.requires_approval and not approved_by_actor:
        status = RegistrationStatus.PENDING
    elif _seats_taken(session) < session.capacity:
        status = RegistrationStatus.REGISTERED
    else:
        status = RegistrationStatus.WAITLISTED
    decided_by = actor if session.course.requires_approval and approved_by_actor else None
    now = timezone.now()
    if existing is None:
        registration = Registration.objects.create(
            session=session, enrolment=enrolment, status=status, decided_by=decided_by
        )
        audit.record(actor=actor, action=AuditAction.CREATE, obj=registration)
    else:
        before = audit.snapshot(existing)
        existing.status = status
        existing.decided_by = decided_by
        existing.attended = None
        existing.checked_in_at = None
        existing.created_at = now  # the waiting list is FIFO by when one (re)joined
        existing.save()
        registration = existing
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=registration, before=before)
    services.enrolment_start(actor=actor, enrolment=enrolment)
    _notify_on_commit(status, [registration.pk])
    return registration


@transaction.atomic
def registration_approve(*, actor: Any, registration: Registration) -> Registration:
    """Approve a pending registration (the person's manager or HR; never one's own): a seat
    if one is free, else the waiting list. Audit: update."""
    policy.require(actor, "approve", registration)
    _require_not_own(actor, registration)
    session = Session.objects.select_for_update().get(pk=registration.session_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING:
        raise InvalidTransition(_("Only registrations awaiting approval can be approved."))
    _require_bookable(session)
    before = audit.snapshot(registration)
    registration.status = (
        RegistrationStatus.REGISTERED
        if _seats_taken(session) < session.capacity
        else RegistrationStatus.WAITLISTED
    )
    registration.decided_by = actor
    registration.save(update_fields=["status", "decided_by", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=registration, before=before)
    _notify_on_commit(registration.status, [registration.pk])
    return registration


@transaction.atomic
def registration_reject(*, actor: Any, registration: Registration, note: str = "") -> Registration:
    """Turn down a pending registration; the person is told why. Audit: update."""
    policy.require(actor, "approve", registration)
    _require_not_own(actor, registration)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING:
        raise InvalidTransition(_("Only registrations awaiting approval can be turned down."))
    before = audit.snapshot(registration)
    registration.status = RegistrationStatus.REJECTED
    registration.decided_by = actor
    registration.save(update_fields=["status", "decided_by", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=registration, before=before, note=note)
    _notify_on_commit(RegistrationStatus.REJECTED, [registration.pk], reason=note)
    return registration


@transaction.atomic
def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    """Give up a place (the person, their manager or HR). A freed seat goes to the first
    person on the waiting list, who is told. Audit: update (and the promotion)."""
    policy.require(actor, "cancel", registration)
    session = Session.objects.select_for_update().get(pk=registration.session_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in ACTIVE:
        raise InvalidTransition(_("This registration is not active."))
    if session.status != SessionStatus.SCHEDULED or session.ends_at <= timezone.now():
        raise InvalidTransition(_("The session is over: its registrations cannot change."))
    held_seat = registration.status == RegistrationStatus.REGISTERED
    _set_status(actor=actor, registrations=[registration], status=RegistrationStatus.CANCELLED)
    if held_seat:
        _notify_on_commit("cancelled", [registration.pk])
        _fill_seats(actor=actor, session=session)
    return registration


def _require_not_own(actor: Any, registration: Registration) -> None:
    owner = Staff.objects.filter(pk=registration.enrolment.staff_id).values_list("user_id")
    if owner and owner[0][0] == actor.pk:
        raise PolicyDenied(_("You cannot decide on your own registration."))


def _set_status(*, actor: Any, registrations: list[Registration], status: str) -> None:
    entries = []
    for registration in registrations:
        before = audit.snapshot(registration)
        registration.status = status
        registration.updated_at = timezone.now()
        entries.append(
            audit.build_entry(
                actor=actor, action=AuditAction.UPDATE, obj=registration, before=before
            )
        )
    Registration.objects.bulk_update(registrations, ["status", "updated_at"])
    audit.record_many(entries)


def _fill_seats(*, actor: Any, session: Session) -> list[Registration]:
    """Give free seats to the waiting list, first come first served (session row locked)."""
    free = session.capacity - _seats_taken(session)
    if free <= 0 or session.starts_at <= timezone.now():
        return []
    promoted = list(
        session.registrations.select_for_update()
        .filter(status=RegistrationStatus.WAITLISTED)
        .order_by("created_at", "pk")[:free]
    )
    _set_status(actor=actor, registrations=promoted, status=RegistrationStatus.REGISTERED)
    _notify_on_commit("promoted", [r.pk for r in promoted])
    return promoted


# Attendance -------------------------------------------------------------------------------


def session_check_in_code(session: Session) -> str:
    """The session's 6-character self check-in code, derived from the secret key (nothing
    stored; it changes if the session is moved)."""
    message = f"training-check-in:{session.pk}:{session.starts_at.isoformat()}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    alphabet = CHECK_IN_ALPHABET
    return "".join(alphabet[b % len(alphabet)] for b in digest[:CHECK_IN_CODE_LENGTH])


def check_in_window_open(session: Session, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        session.status == SessionStatus.SCHEDULED
        and session.starts_at - CHECK_IN_OPENS_BEFORE <= now <= session.ends_at
    )


@transaction.atomic
def attendance_record(
    *, actor: Any, session: Session, attended: Mapping[int, bool]
) -> list[Registration]:
    """Save the roster's check boxes (registration id -> attended) for registered people.

    Attending completes the course where that is its last requirement
    (``services.enrolment_evaluate``). Instructors and HR; from 30 minutes before the start,
    also after the session is marked held (corrections). Audit: update per changed row.
    """
    _require_attendance(actor, session)
    if session.status == SessionStatus.CANCELLED:
        raise InvalidTransition(_("The session was cancelled."))
    if timezone.now() < session.starts_at - CHECK_IN_OPENS_BEFORE:
        raise InvalidTransition(_("Attendance opens 30 minutes before the session starts."))
    rows = {
        r.pk: r
        for r in Registration.objects.select_for_update()
        .select_related("enrolment__course")
        .filter(session=session, status=RegistrationStatus.REGISTERED, pk__in=list(attended))
    }
    unknown = set(attended) - set(rows)
    if unknown:
        raise ValidationFailed(
            _("Not a registered person of this session: {ids}.").format(
                ids=", ".join(str(i) for i in sorted(unknown))
            ),
            field="attended",
        )
    now = timezone.now()
    changed = []
    for pk, present in attended.items():
        registration = rows[pk]
        if registration.attended is present:
            continue
        before = audit.snapshot(registration)
        registration.attended = bool(present)
        registration.checked_in_at = (registration.checked_in_at or now) if present else None
        registration.save(update_fields=["attended", "checked_in_at", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=registration, before=before)
        changed.append(registration)
    for registration in changed:
        if registration.attended:
            services.enrolment_evaluate(actor=actor, enrolment=registration.enrolment)
    return changed


@transaction.atomic
def self_check_in(*, actor: Any, session: Session, code: str) -> Registration:
    """The trainee checks in with the code the instructor shows, during the session window.

    Five wrong codes lock the person out of that session's check-in for 15 minutes.
    Audit: update.
    """
    staff = _own_staff(actor)
    policy.require(actor, "view", session)
    registration = (
        Registration.objects.select_for_update()
        .select_related("enrolment__course")
        .filter(session=session, enrolment__staff=staff)
        .first()
    )
    if registration is None or registration.status != RegistrationStatus.REGISTERED:
        raise InvalidTransition(_("You do not have a seat in this session."))
    policy.require(actor, "view", registration)
    if not check_in_window_open(session):
        raise InvalidTransition(
            _("Check-in is open from 30 minutes before the start until the end of the session.")
        )
    failures_key = f"training:check-in-failures:{session.pk}:{actor.pk}"
    if (cache.get(failures_key) or 0) >= CHECK_IN_MAX_FAILURES:
        raise InvalidTransition(_("Too many wrong codes; ask the instructor to check you in."))
    typed = (code or "").strip().upper().replace(" ", "")
    if not hmac.compare_digest(typed.encode(), session_check_in_code(session).encode()):
        try:
            cache.incr(failures_key)
        except ValueError:
            cache.set(failures_key, 1, CHECK_IN_LOCK_SECONDS)
        raise ValidationFailed(_("That code is not right."), field="code")
    if registration.attended:
        return registration
    before = audit.snapshot(registration)
    registration.attended = True
    registration.checked_in_at = timezone.now()
    registration.save(update_fields=["attended", "checked_in_at", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=registration, before=before)
    services.enrolment_evaluate(actor=actor, enrolment=registration.enrolment)
    return registration


# Files ------------------------------------------------------------------------------------


# Self-learning ----------------------------------------------------------------------------


@transaction.atomic
def selflearning_submit(
    *,
    actor: Any,
    kind: str,
    title: str,
    hours: Any,
    completed_on: dt.date,
    provider: str = "",
    evidence: Any = None,
    evidence_url: str = "",
    summary: str = "",
) -> SelfLearning:
    """Record your own learning outside the catalogue for approval. Audit: create."""
    policy.require(actor, "add", SelfLearning)
    staff = _own_staff(actor)
    if kind not in LearningKind.values:
        raise ValidationFailed(_("Choose a kind."), field="kind")
    if not title.strip():
        raise ValidationFailed(_("Give a title."), field="title")
    if completed_on > timezone.localdate():
        raise ValidationFailed(_("The date is in the future."), field="completed_on")
    if hours is None or hours <= 0 or hours > 500:
        raise ValidationFailed(_("Between 0.5 and 500 hours."), field="hours")
    if evidence is None and not evidence_url and not summary.strip():
        raise ValidationFailed(
            _("Add evidence: a file, a link or a summary of what you learnt."), field="summary"
        )
    files.validate_upload(evidence, field="evidence")
    record = SelfLearning(
        staff=staff,
        kind=kind,
        title=title.strip(),
        provider=provider.strip(),
        hours=hours,
        completed_on=completed_on,
        evidence_url=evidence_url.strip(),
        summary=summary.strip(),
    )
    if evidence is not None:
        record.evidence = evidence
    record.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=record)
    return record


@transaction.atomic
def selflearning_decide(
    *, actor: Any, record: SelfLearning, approve: bool, note: str = ""
) -> SelfLearning:
    """Approve or reject a submitted record (the person's manager or HR, never one's own;
    rejecting needs a note). Audit: update."""
    policy.require(actor, "approve", record)
    if record.staff.user_id == actor.pk:
        raise PolicyDenied(_("You cannot approve your own learning record."))
    record = SelfLearning.objects.select_for_update().get(pk=record.pk)
    if record.status != ApprovalStatus.SUBMITTED:
        raise InvalidTransition(_("This record has already been decided."))
    if not approve and not note.strip():
        raise ValidationFailed(_("Say why the record is rejected."), field="note")
    before = audit.snapshot(record)
    record.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    record.decided_by = actor
    record.decided_at = timezone.now()
    record.decision_note = note.strip()[:300]
    record.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=record, before=before)
    return record


# Certificates -----------------------------------------------------------------------------


@transaction.atomic
def certificate_upload(
    *,
    actor: Any,
    name: str,
    issued_on: dt.date,
    staff: Staff | None = None,
    issuer: str = "",
    number: str = "",
    expires_on: dt.date | None = None,
    file: Any = None,
    course: Course | None = None,
) -> Certificate:
    """Record an external certificate for yourself, or (HR) for anyone. Audit: create."""
    own = Staff.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if staff is None or (own is not None and staff.pk == own.pk):
        staff = _own_staff(actor)
        policy.require(actor, "add", Certificate)
    else:
        visible = policy.restrict(Staff.objects.filter(pk=staff.pk), actor, "view").exists()
        if not visible:
            raise NotVisible()
        # Only roles that may add anyone's certificate (HR, administrators).
        if not policy.can(actor, "change", Certificate):
            raise PolicyDenied()
    if not name.strip():
        raise ValidationFailed(_("Name the certificate."), field="name")
    if issued_on > timezone.localdate():
        raise ValidationFailed(_("The issue date is in the future."), field="issued_on")
    if expires_on is not None and expires_on <= issued_on:
        raise ValidationFailed(
            _("A certificate must expire after it is issued."), field="expires_on"
        )
    files.validate_upload(file, field="file")
    certificate = Certificate(
        staff=staff,
        course=course,
        source=CertificateSource.EXTERNAL,
        name=name.strip(),
        issuer=issuer.strip(),
        number=number.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
    )
    if file is not None:
        certificate.file = file
    certificate.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=certificate)
    return certificate


# Reminders (run by Celery beat; idempotent) ---------------------------------------------


@transaction.atomic
def session_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind everyone registered for sessions starting within 24 hours, once per session
    (``reminder_sent_at``), through a notification (``training.reminders``: inbox, e-mail and
    IM per each person's preferences). Returns how many sessions were reminded."""
    now = now or timezone.now()
    due = list(
        Session.objects.select_for_update(skip_locked=True)
        .filter(
            status=SessionStatus.SCHEDULED,
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_AHEAD,
        )
        .order_by("pk")
    )
    if not due:
        return 0
    ids = [session.pk for session in due]
    Session.objects.filter(pk__in=ids).update(reminder_sent_at=now)
    reminders.remind_sessions(ids)
    return len(due)


@transaction.atomic
def certificate_renewal_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind holders of certificates expiring within 60 days, once per certificate
    (``renewal_reminded_on``), through a notification (``training.reminders``). Returns how
    many certificates were reminded."""
    today = today or timezone.localdate()
    due = list(
        Certificate.objects.select_for_update(skip_locked=True)
        .filter(
            renewal_reminded_on__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=RENEWAL_WARNING_DAYS),
        )
        .order_by("pk")
    )
    if not due:
        return 0
    entries = []
    for certificate in due:
        before = audit.snapshot(certificate)
        certificate.renewal_reminded_on = today
        entries.append(
            audit.build_entry(actor=None, action=AuditAction.UPDATE, obj=certificate, before=before)
        )
    Certificate.objects.bulk_update(due, ["renewal_reminded_on"])
    audit.record_many(entries)
    reminders.remind_renewals([c.pk for c in due])
    return len(due)


# Mail -------------------------------------------------------------------------------------


def session_event(session: Session, *, attendees: Iterable[Staff] = (), cancelled: bool = False):
    """The calendar event of ``session`` (same UID for invitation, update and cancellation)."""
    course = session.course
    instructor = session.instructor_label
    lines = [course.display_name]
    if instructor:
        lines.append(_("Instructor: {name}").format(name=instructor))
    if session.online_url:
        lines.append(_("Online: {url}").format(url=session.online_url))
    lines.append(site_url(session.get_absolute_url()))
    organizer = None
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", "") or ""
    if "@" in sender:
        organizer = calendar.Person(email=sender.split("<")[-1].rstrip(">").strip(), name="OpsTeam")
    people = tuple(
        calendar.Person(email=email, name=str(person.display_name))
        for person in attendees
        if (email := _email_of(person))
    )
    return calendar.CalendarEvent(
        uid=f"training-session-{session.pk}@opsteam",
        start=session.starts_at,
        end=session.ends_at,
        summary=course.display_name,
        location=session.location or session.online_url,
        url=session.online_url or site_url(session.get_absolute_url()),
        description="\n".join(lines),
        organizer=organizer,
        attendees=people,
        sequence=int(session.updated_at.timestamp()) if session.updated_at else 0,
        cancelled=cancelled or session.status == SessionStatus.CANCELLED,
    )


def session_ics(
    sessions: Iterable[Session],
    *,
    method: str = "PUBLISH",
    attendees: Iterable[Staff] = (),
    name: str = "",
) -> str:
    people = list(attendees)
    events = [session_event(s, attendees=people) for s in sessions]
    return calendar.build_calendar(events, method=method, stamp=timezone.now(), name=name)


def _email_of(staff: Staff) -> str:
    if staff.email:
        return staff.email
    user = getattr(staff, "user", None)
    return getattr(user, "email", "") or ""


def _language_of(staff: Staff) -> str:
    user = getattr(staff, "user", None)
    return (getattr(user, "language", "") or "") or settings.LANGUAGE_CODE


def _notify_on_commit(event: str, registration_ids: list[int], reason: str = "") -> None:
    if registration_ids:
        ids = list(registration_ids)
        transaction.on_commit(lambda: _send_registration_mail(event, ids, reason))


def _send_registration_mail(event: str, registration_ids: list[int], reason: str) -> int:
    """One e-mail per registration, in the recipient's language; confirmations and updates
    carry an invitation (REQUEST), cancellations a calendar cancellation (CANCEL)."""
    sent = 0
    registrations = Registration.objects.filter(pk__in=registration_ids).select_related(
        "session__course", "session__instructor", "enrolment__staff__user"
    )
    for registration in registrations:
        staff = registration.enrolment.staff
        to = _email_of(staff)
        if not to:
            continue
        session = registration.session
        with translation.override(_language_of(staff)):
            subject, body, method = _message(event, registration, reason)
            message = EmailMultiAlternatives(subject=subject, body=body, to=[to])
            if method is not None:
                ics = calendar.build_calendar(
                    [session_event(session, attendees=[staff], cancelled=method == "CANCEL")],
                    method=method,
                    stamp=timezone.now(),
                )
                message.attach_alternative(ics, f"text/calendar; method={method}; charset=UTF-8")
                message.attach("invite.ics", ics.encode("utf-8"), "application/ics")
            message.send(fail_silently=True)
            sent += 1
    return sent


def _when(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _message(event: str, registration: Registration, reason: str) -> tuple[str, str, str | None]:
    session = registration.session
    course = session.course.display_name
    where = session.location or session.online_url
    facts = _("{course}\nWhen: {when}\nWhere: {where}\n{url}").format(
        course=course, when=_when(session), where=where, url=site_url(session.get_absolute_url())
    )
    if event in (RegistrationStatus.REGISTERED, "promoted"):
        intro = (
            _("A place became free: you are now registered.")
            if event == "promoted"
            else _("You are registered.")
        )
        return _("Registered: {course}").format(course=course), f"{intro}\n\n{facts}", "REQUEST"
    if event == "updated":
        return (
            _("Changed: {course}").format(course=course),
            _("The session was moved or its place changed.") + f"\n\n{facts}",
            "REQUEST",
        )
    if event == RegistrationStatus.WAITLISTED:
        return (
            _("Waiting list: {course}").format(course=course),
            _(
                "The session is full: you are on the waiting list and will be told if a place becomes free."
            )
            + f"\n\n{facts}",
            None,
        )
    if event == RegistrationStatus.PENDING:
        return (
            _("Awaiting approval: {course}").format(course=course),
            _("Your registration waits for your manager's or HR's approval.") + f"\n\n{facts}",
            None,
        )
    if event == RegistrationStatus.REJECTED:
        note = f"\n{reason}" if reason else ""
        return (
            _("Not approved: {course}").format(course=course),
            _("Your registration was not approved.") + f"{note}\n\n{facts}",
            None,
        )
    if event == "session_cancelled":
        note = f"\n{reason}" if reason else ""
        return (
            _("Cancelled: {course}").format(course=course),
            _("The session was cancelled.") + f"{note}\n\n{facts}",
            "CANCEL",
        )
    return (
        _("Cancelled: {course}").format(course=course),
        _("Your place in the session was cancelled.") + f"\n\n{facts}",
        "CANCEL",
    )
