"""Reads of the learning pages: my learning, my team's, HR's overview, skill-gap recommendations.

Each function runs a fixed number of queries whatever the number of people or courses (counts
are grouped in SQL), so the pages stay fast for a 10,000-person company.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from opsteam.core import policy
from opsteam.org.choices import JobDescriptionStatus
from opsteam.org.models import JobSkillRequirement, Staff, StaffSkill
from opsteam.training.choices import (
    ApprovalStatus,
    CheckpointStatus,
    CourseStatus,
    EnrolmentStatus,
)
from opsteam.training.models import (
    BehaviourCheck,
    Certificate,
    Course,
    CourseSkill,
    Enrolment,
    SelfLearning,
)
from opsteam.training.selectors_delivery import learning_hours

OPEN = (EnrolmentStatus.ASSIGNED, EnrolmentStatus.IN_PROGRESS)
EXPIRY_WARNING_DAYS = 60


@dataclass
class SkillGap:
    skill: Any
    required: int
    held: int
    courses: list[Course] = field(default_factory=list)


def skill_gaps(staff: Staff) -> list[SkillGap]:
    """Skills the person's published job description asks for above their recorded level, each
    with the open courses that teach it to the required level (not already taken)."""
    if staff.position_id is None:
        return []
    requirements = list(
        JobSkillRequirement.objects.filter(
            job_description__position_id=staff.position_id,
            job_description__status=JobDescriptionStatus.PUBLISHED,
        ).select_related("skill")
    )
    if not requirements:
        return []
    held = dict(StaffSkill.objects.filter(staff=staff).values_list("skill_id", "level"))
    gaps = {
        req.skill_id: SkillGap(req.skill, req.level, held.get(req.skill_id, 0))
        for req in requirements
        if held.get(req.skill_id, 0) < req.level
    }
    if not gaps:
        return []
    taken = Enrolment.objects.filter(staff=staff).exclude(status=EnrolmentStatus.CANCELLED)
    teaching = (
        CourseSkill.objects.filter(
            skill_id__in=gaps, course__status=CourseStatus.ACTIVE, course__is_open=True
        )
        .exclude(course__in=taken.values("course_id"))
        .select_related("course")
        .order_by("course__code")
    )
    for row in teaching:
        gap = gaps[row.skill_id]
        if row.target_level > gap.held:
            gap.courses.append(row.course)
    return sorted(gaps.values(), key=lambda g: (g.held - g.required, g.skill.code))


def my_learning(*, user: Any, today: dt.date | None = None) -> dict[str, Any]:
    """Everything on "My learning": open and overdue courses, completed ones, certificates
    (expiring soon flagged), hours this year, behaviour checks I owe as a manager, and courses
    recommended from my skill gaps."""
    today = today or timezone.localdate()
    staff = getattr(user, "staff", None)
    empty: dict[str, Any] = {
        "staff": None,
        "open": [],
        "overdue": [],
        "completed": [],
        "certificates": [],
        "hours": Decimal(0),
        "gaps": [],
        "checks_owed": [],
        "pending_learning": [],
    }
    if staff is None:
        return empty
    enrolments = list(
        Enrolment.objects.filter(staff=staff)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("course", "plan_assignment__plan")
        .order_by("due_on", "course__code")
    )
    open_rows = [e for e in enrolments if e.status in OPEN]
    certificates = list(Certificate.objects.filter(staff=staff).select_related("course"))
    for certificate in certificates:
        certificate.expiring = bool(
            certificate.expires_on
            and today <= certificate.expires_on <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        )
        certificate.expired = bool(certificate.expires_on and certificate.expires_on < today)
    return {
        "staff": staff,
        "open": [e for e in open_rows if not e.is_overdue(today)],
        "overdue": [e for e in open_rows if e.is_overdue(today)],
        "completed": sorted(
            (e for e in enrolments if e.status == EnrolmentStatus.COMPLETED),
            key=lambda e: e.completed_on or today,
            reverse=True,
        ),
        "certificates": certificates,
        "hours": learning_hours([staff.pk], today.year).get(staff.pk, Decimal(0)),
        "gaps": skill_gaps(staff),
        "checks_owed": list(
            BehaviourCheck.objects.filter(
                observer=staff, status=CheckpointStatus.DUE, due_on__lte=today
            )
            .select_related("enrolment__staff", "enrolment__course")
            .order_by("due_on")[:50]
        ),
        "pending_learning": list(
            SelfLearning.objects.filter(staff=staff, status=ApprovalStatus.SUBMITTED)
        ),
    }


def _progress_counts(enrolments: QuerySet, today: dt.date, key: str) -> dict[Any, dict[str, int]]:
    rows = enrolments.values(key).annotate(
        assigned=Count("pk", filter=~Q(status=EnrolmentStatus.CANCELLED)),
        completed=Count("pk", filter=Q(status=EnrolmentStatus.COMPLETED)),
        overdue=Count("pk", filter=Q(status__in=OPEN, due_on__lt=today)),
        open=Count("pk", filter=Q(status__in=OPEN)),
    )
    return {row[key]: row for row in rows}


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def team_learning(*, user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per person the user manages (their org subtree; everyone for HR): assigned,
    completed, overdue and open courses and hours this year. Four queries."""
    today = today or timezone.localdate()
    people = list(
        Staff.objects.restrict(user, "list")
        .filter(status="active")
        .select_related("unit", "position")
        .order_by("unit__path", "employee_no")[:500]
    )
    ids = [p.pk for p in people]
    counts = _progress_counts(Enrolment.objects.filter(staff_id__in=ids), today, "staff_id")
    hours = learning_hours(ids, today.year)
    blank = {"assigned": 0, "completed": 0, "overdue": 0, "open": 0}
    return [
        {
            "staff": person,
            **{k: counts.get(person.pk, blank)[k] for k in blank},
            "hours": hours.get(person.pk, Decimal(0)),
            "completion_rate": _rate(
                counts.get(person.pk, blank)["completed"], counts.get(person.pk, blank)["assigned"]
            ),
        }
        for person in people
    ]


def overview(*, user: Any, year: int | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """HR's overview: completion and overdue rates and hours by team, and per course figures."""
    today = today or timezone.localdate()
    year = year or today.year
    visible = Enrolment.objects.restrict(user, "list")
    by_unit = _progress_counts(visible, today, "staff__unit_id")
    from opsteam.org.models import OrgUnit

    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[k for k in by_unit if k])}
    staff_units = dict(
        Staff.objects.restrict(user, "list").filter(status="active").values_list("pk", "unit_id")
    )
    hours = learning_hours(list(staff_units), year)
    hours_by_unit: dict[int, Decimal] = {}
    heads_by_unit: dict[int, int] = {}
    for staff_id, unit_id in staff_units.items():
        heads_by_unit[unit_id] = heads_by_unit.get(unit_id, 0) + 1
        hours_by_unit[unit_id] = hours_by_unit.get(unit_id, Decimal(0)) + hours.get(
            staff_id, Decimal(0)
        )
    teams = []
    for unit_id, row in by_unit.items():
        unit = units.get(unit_id)
        if unit is None:
            continue
        heads = heads_by_unit.get(unit_id, 0)
        teams.append(
            {
                "unit": unit,
                "assigned": row["assigned"],
                "completed": row["completed"],
                "overdue": row["overdue"],
                "completion_rate": _rate(row["completed"], row["assigned"]),
                "overdue_rate": _rate(row["overdue"], row["open"] + row["completed"]),
                "people": heads,
                "hours": hours_by_unit.get(unit_id, Decimal(0)),
                "hours_per_person": (
                    round(hours_by_unit.get(unit_id, Decimal(0)) / heads, 1) if heads else None
                ),
            }
        )
    teams.sort(key=lambda t: t["unit"].path)
    course_rows = _progress_counts(visible, today, "course_id")
    courses = []
    for course in Course.objects.filter(pk__in=list(course_rows)).order_by("category", "code"):
        row = course_rows[course.pk]
        courses.append(
            {
                "course": course,
                "assigned": row["assigned"],
                "completed": row["completed"],
                "overdue": row["overdue"],
                "completion_rate": _rate(row["completed"], row["assigned"]),
            }
        )
    totals = {
        "assigned": sum(t["assigned"] for t in teams),
        "completed": sum(t["completed"] for t in teams),
        "overdue": sum(t["overdue"] for t in teams),
        "hours": sum((t["hours"] for t in teams), Decimal(0)),
    }
    totals["completion_rate"] = _rate(totals["completed"], totals["assigned"])
    return {"year": year, "teams": teams, "courses": courses, "totals": totals}


def enrolment_detail(*, user: Any, pk: int) -> Enrolment:
    """One enrolment the user may see, with its course (404 otherwise)."""
    return policy.scoped_get(
        Enrolment.objects.select_related("course", "staff", "plan_assignment__plan"),
        user,
        pk=pk,
    )
