"""Reads of training delivery: sessions with seat counts, rosters, registrations, self-learning,
certificates and learning hours. Every function runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from opsteam.core import policy
from opsteam.org.models import Staff
from opsteam.training.choices import (
    ApprovalStatus,
    EnrolmentStatus,
    RegistrationStatus,
    SessionStatus,
)
from opsteam.training.models import (
    Certificate,
    Enrolment,
    Registration,
    SelfLearning,
    Session,
)

ACTIVE = (RegistrationStatus.PENDING, RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
EXPIRY_WARNING_DAYS = 60


def session_list(
    *,
    user: Any,
    when: str = "",
    course: int | None = None,
    month: dt.date | None = None,
) -> QuerySet[Session]:
    """Sessions the user may see with registered / waiting / pending counts.

    ``when``: "upcoming" (not ended, not cancelled), "past" (ended or held), or all;
    ``month``: sessions starting in that calendar month (local time).
    """
    queryset = (
        Session.objects.restrict(user, "view")
        .select_related("course", "instructor")
        .annotate(
            registered_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
            ),
            waitlist_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
            ),
            pending_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.PENDING)
            ),
        )
    )
    now = timezone.now()
    if when == "upcoming":
        queryset = queryset.filter(ends_at__gte=now, status=SessionStatus.SCHEDULED).order_by(
            "starts_at", "pk"
        )
    elif when == "past":
        queryset = queryset.filter(Q(ends_at__lt=now) | Q(status=SessionStatus.COMPLETED))
    if course:
        queryset = queryset.filter(course_id=course)
    if month is not None:
        tz = timezone.get_current_timezone()
        start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
        end = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
        queryset = queryset.filter(starts_at__gte=start, starts_at__lt=end)
    return queryset


def parse_month(text: str) -> dt.date | None:
    """``YYYY-MM`` as the first day of that month; None for anything else."""
    try:
        return dt.date.fromisoformat(f"{text}-01") if text and len(text) == 7 else None
    except ValueError:
        return None


def session_seats(session: Session) -> dict[str, int]:
    """Seat counts of one session: registered, waiting, pending, free."""
    counts = dict(session.registrations.values_list("status").annotate(n=Count("pk")).order_by())
    registered = counts.get(RegistrationStatus.REGISTERED, 0)
    return {
        "registered": registered,
        "waitlisted": counts.get(RegistrationStatus.WAITLISTED, 0),
        "pending": counts.get(RegistrationStatus.PENDING, 0),
        "free": max(0, session.capacity - registered),
    }


def session_roster(*, user: Any, session: Session, full: bool) -> QuerySet[Registration]:
    """The session's registrations the user may see: everyone for instructors and HR
    (``full``), else the policy's scope (managers: their people; operators: themselves)."""
    queryset = Registration.objects.filter(session=session)
    if not full:
        queryset = Registration.objects.restrict(user, "view").filter(session=session)
    return queryset.select_related("enrolment__staff__unit", "enrolment__staff__position").order_by(
        "status", "created_at", "pk"
    )


def waitlist_position(registration: Registration) -> int | None:
    """1-based place on the waiting list (FIFO by ``created_at``), None if not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        session_id=registration.session_id, status=RegistrationStatus.WAITLISTED
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def my_registration(*, user: Any, session: Session) -> Registration | None:
    return (
        Registration.objects.filter(session=session, enrolment__staff__user=user)
        .select_related("enrolment")
        .first()
    )


def registration_list(*, user: Any, status: str = "", mine: bool = False) -> QuerySet[Registration]:
    """Registrations the user may see (``mine``: only their own)."""
    queryset = Registration.objects.restrict(user, "view").select_related(
        "session__course", "enrolment__staff__unit"
    )
    if mine:
        queryset = queryset.filter(enrolment__staff__user=user)
    if status in RegistrationStatus.values:
        queryset = queryset.filter(status=status)
    return queryset


def pending_approvals(*, user: Any) -> QuerySet[Registration]:
    """Registrations awaiting the user's approval (never their own)."""
    return (
        Registration.objects.restrict(user, "approve")
        .filter(status=RegistrationStatus.PENDING)
        .exclude(enrolment__staff__user=user)
        .select_related("session__course", "enrolment__staff__unit")
        .order_by("session__starts_at", "created_at", "pk")
    )


def my_sessions(*, user: Any) -> QuerySet[Registration]:
    """The user's own active and past registrations, soonest first."""
    return (
        Registration.objects.filter(enrolment__staff__user=user)
        .select_related("session__course", "session__instructor")
        .order_by("-session__starts_at", "pk")
    )


def selflearning_list(*, user: Any, status: str = "", mine: bool = False) -> QuerySet[SelfLearning]:
    queryset = SelfLearning.objects.restrict(user, "view").select_related("staff__unit")
    if mine:
        queryset = queryset.filter(staff__user=user)
    if status in ApprovalStatus.values:
        queryset = queryset.filter(status=status)
    return queryset


def certificate_list(*, user: Any, scope: str = "", expiring_days: int | None = None):
    """Certificates the user may see: ``scope`` "mine", "team" (others in scope) or all."""
    queryset = Certificate.objects.restrict(user, "view").select_related("staff__unit", "course")
    if scope == "mine":
        queryset = queryset.filter(staff__user=user)
    elif scope == "team":
        queryset = queryset.exclude(staff__user=user)
    if expiring_days is not None:
        today = timezone.localdate()
        queryset = queryset.filter(
            expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=expiring_days)
        ).order_by("expires_on", "pk")
    return queryset


def learning_hours(staff_ids: list[int] | QuerySet[Staff], year: int) -> dict[int, Decimal]:
    """Hours learnt in ``year`` per person: the duration of courses completed that year plus
    approved self-learning completed that year. Two grouped queries; people with no hours
    are absent from the result (read it with ``.get(pk, Decimal(0))``)."""
    hours: dict[int, Decimal] = {}
    courses = (
        Enrolment.objects.filter(
            staff_id__in=staff_ids, status=EnrolmentStatus.COMPLETED, completed_on__year=year
        )
        .values("staff_id")
        .annotate(total=Sum("course__duration_hours"))
        .order_by()
    )
    own = (
        SelfLearning.objects.filter(
            staff_id__in=staff_ids, status=ApprovalStatus.APPROVED, completed_on__year=year
        )
        .values("staff_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for row in [*courses, *own]:
        hours[row["staff_id"]] = hours.get(row["staff_id"], Decimal(0)) + (
            row["total"] or Decimal(0)
        )
    return hours


def is_instructor(user: Any, session: Session) -> bool:
    """Whether ``user`` teaches ``session`` (instructors take attendance)."""
    return bool(
        session.instructor_id
        and getattr(user, "pk", None) is not None
        and Staff.objects.filter(pk=session.instructor_id, user_id=user.pk).exists()
    )


def can_take_attendance(user: Any, session: Session) -> bool:
    """HR and administrators (policy ``check_in``) and the session's instructor."""
    return policy.can(user, "check_in", session) or is_instructor(user, session)


def can_register_others(user: Any) -> bool:
    return policy.can(user, "add", Enrolment)
