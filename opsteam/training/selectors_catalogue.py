"""Reads of the training catalogue shared by pages, API and exports (bounded queries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from opsteam.core import policy
from opsteam.training.choices import CourseStatus, EnrolmentStatus, SessionStatus
from opsteam.training.models import (
    AssignmentRule,
    Course,
    CourseSkill,
    Enrolment,
    Material,
    PlanAssignment,
    PlanCourse,
    Session,
    TrainingPlan,
)

OPEN_STATUSES = (EnrolmentStatus.ASSIGNED, EnrolmentStatus.IN_PROGRESS)


def course_list(*, user: Any, action: str = "view") -> QuerySet[Course]:
    """Courses ``user`` may see: editors see every status, others the active catalogue."""
    queryset = Course.objects.restrict(user, action).select_related("owner")
    if not policy.can(user, "change", Course):
        queryset = queryset.filter(status=CourseStatus.ACTIVE)
    return queryset


def my_enrolled_course_ids(*, user: Any) -> set[int]:
    """Courses the user is enrolled in and has not finished (to hide "Enrol" buttons)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Enrolment.objects.filter(staff__user=user, status__in=OPEN_STATUSES).values_list(
            "course_id", flat=True
        )
    )


@dataclass(frozen=True)
class MaterialGroup:
    """A material title with its current version first and older versions after it."""

    title: str
    current: Material | None
    versions: list[Material]


def course_materials(*, course: Course) -> list[MaterialGroup]:
    """Materials of ``course`` grouped by title, newest version first (one query)."""
    groups: dict[str, list[Material]] = {}
    for material in Material.objects.filter(course=course).select_related("uploaded_by"):
        groups.setdefault(material.title, []).append(material)
    result = []
    for title, versions in sorted(groups.items()):
        versions.sort(key=lambda m: -m.version)
        current = next((m for m in versions if m.is_current), None)
        result.append(MaterialGroup(title=title, current=current, versions=versions))
    return result


def course_detail(*, course: Course, user: Any) -> dict[str, Any]:
    """Everything the course page shows, in a handful of queries."""
    today = timezone.now()
    return {
        "skills": list(CourseSkill.objects.filter(course=course).select_related("skill")),
        "prerequisites": list(course.prerequisites.all()),
        "unlocks": list(course.unlocks.filter(status=CourseStatus.ACTIVE)),
        "materials": course_materials(course=course),
        "sessions": list(
            Session.objects.filter(
                course=course, starts_at__gte=today, status=SessionStatus.SCHEDULED
            )
            .select_related("instructor")
            .order_by("starts_at")[:10]
        ),
        "exam_count": course.exams.filter(is_active=True).count(),
        "plans": list(
            TrainingPlan.objects.filter(items__course=course).order_by("stage", "code").distinct()
        ),
        "my_enrolment": Enrolment.objects.filter(course=course, staff__user=user).first()
        if getattr(user, "is_authenticated", False)
        else None,
    }


def plan_list(*, user: Any) -> QuerySet[TrainingPlan]:
    """Plans with their course count and how many (visible) people hold them, one query."""
    visible = PlanAssignment.objects.restrict(user, "view").filter(is_cancelled=False)
    return TrainingPlan.objects.restrict(user, "view").annotate(
        course_count=Count("items", distinct=True),
        assigned_count=Count(
            "assignments",
            filter=Q(assignments__in=visible.values("pk")),
            distinct=True,
        ),
    )


@dataclass(frozen=True)
class PlanProgress:
    """Assigned people the user may see, and how many finished every required course."""

    assigned: int
    completed: int
    overdue: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.completed / self.assigned, 1) if self.assigned else None


def plan_progress(*, plan: TrainingPlan, user: Any) -> PlanProgress:
    """Completion of ``plan`` among the people the user may see (three aggregate queries)."""
    today = timezone.localdate()
    assigned = (
        PlanAssignment.objects.restrict(user, "view")
        .filter(plan=plan, is_cancelled=False)
        .values("staff_id")
        .distinct()
    )
    required = list(
        PlanCourse.objects.filter(plan=plan, is_required=True).values_list("course_id", flat=True)
    )
    total = assigned.count()
    if not total:
        return PlanProgress(0, 0, 0)
    if required:
        completed = (
            Enrolment.objects.filter(
                staff_id__in=assigned,
                course_id__in=required,
                status=EnrolmentStatus.COMPLETED,
            )
            .values("staff_id")
            .annotate(done=Count("course_id", distinct=True))
            .filter(done=len(required))
            .count()
        )
    else:
        completed = total
    overdue = (
        Enrolment.objects.filter(
            staff_id__in=assigned,
            plan_assignment__plan=plan,
            status__in=OPEN_STATUSES,
            due_on__lt=today,
        )
        .values("staff_id")
        .distinct()
        .count()
    )
    return PlanProgress(total, completed, overdue)


def plan_detail(*, plan: TrainingPlan, user: Any) -> dict[str, Any]:
    """Courses, rules and progress of a plan."""
    rules = (
        list(
            AssignmentRule.objects.restrict(user, "view")
            .filter(plan=plan)
            .select_related("unit", "position", "level")
        )
        if policy.can(user, "view", AssignmentRule)
        else []
    )
    return {
        "items": list(PlanCourse.objects.filter(plan=plan).select_related("course")),
        "rules": rules,
        "progress": plan_progress(plan=plan, user=user),
        "recent": list(
            PlanAssignment.objects.restrict(user, "view")
            .filter(plan=plan)
            .select_related("staff", "staff__unit", "rule")
            .order_by("-assigned_on", "-pk")[:20]
        ),
    }


def rule_list(*, user: Any) -> QuerySet[AssignmentRule]:
    return AssignmentRule.objects.restrict(user, "view").select_related(
        "plan", "unit", "position", "level"
    )


def plan_assignment_list(*, user: Any) -> QuerySet[PlanAssignment]:
    """Plan assignments the user may see: own (operators), subtree (managers), all (HR)."""
    return PlanAssignment.objects.restrict(user, "view").select_related(
        "staff", "staff__unit", "plan", "rule", "assigned_by"
    )


def course_prefetch_for_api() -> list[Any]:
    return [
        Prefetch("skills", CourseSkill.objects.select_related("skill")),
        "prerequisites",
    ]
