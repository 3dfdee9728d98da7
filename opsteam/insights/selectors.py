"""Reads for the home page of each role; they go through the policy like every page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from opsteam.core import policy
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.org import selectors as org_selectors
from opsteam.org.choices import JobDescriptionStatus, StaffStatus
from opsteam.org.models import JobDescription, OrgUnit, Position, RaciAssignment, Staff


def home_summary(*, user: Any) -> dict[str, Any]:
    """Return what the signed-in user's home page shows, by what their roles may see."""
    visible_staff = Staff.objects.restrict(user, "view").exclude(status=StaffStatus.LEFT)
    summary: dict[str, Any] = {
        "me": Staff.objects.filter(user=user)
        .select_related("unit", "position", "level", "manager")
        .first()
    }
    if summary["me"] is not None:
        me = summary["me"]
        summary["my_job_description"] = org_selectors.current_job_description(position=me.position)
        summary["my_responsibilities"] = (
            RaciAssignment.objects.filter(position=me.position)
            .select_related("activity", "activity__process")
            .order_by("role", "activity__order")[:12]
        )
    if policy.can(user, "view", Staff) and visible_staff.exclude(user=user).exists():
        by_unit = list(
            visible_staff.values("unit__name", "unit__name_en")
            .annotate(n=Count("pk"))
            .order_by("-n")[:12]
        )
        summary["team"] = {
            "headcount": visible_staff.count(),
            "probation": visible_staff.filter(status=StaffStatus.PROBATION).count(),
            "by_unit": by_unit,
            "recent_hires": _recent_hires(visible_staff),
        }
    if policy.can(user, "change", JobDescription):
        positions = Position.objects.filter(is_active=True)
        summary["catalogue"] = {
            "units": OrgUnit.objects.filter(is_active=True).count(),
            "positions": positions.count(),
            "without_jd": positions.exclude(
                job_descriptions__status=JobDescriptionStatus.PUBLISHED
            ).count(),
            "drafts": JobDescription.objects.filter(
                status=JobDescriptionStatus.DRAFT
            ).select_related("position")[:8],
        }
        analysis = org_selectors.raci_analysis()
        summary["raci_issue_count"] = analysis["issue_count"]
        summary["raci_conflicts"] = len(analysis["findings"].get("multiple_accountable", []))
    if policy.can(user, "view", ImportJob):
        summary["recent_imports"] = ImportJob.objects.restrict(user).select_related("actor")[:5]
    if policy.can(user, "view", AuditEntry):
        summary["recent_changes"] = AuditEntry.objects.restrict(user)[:8]
    summary["headcount_chart"] = _headcount_chart(summary.get("team"))
    return summary


def _recent_hires(staff: Any, count: int = 6) -> list[Staff]:
    """The ``count`` latest hires among ``staff``, with their position and unit.

    The ids are sorted first and the rows loaded after: sorting 10,000 rows joined to their
    unit and position to keep six cost PostgreSQL more than the rest of the home page.
    """
    ids = list(staff.order_by("-hire_date").values_list("pk", flat=True)[:count])
    rows = Staff.objects.select_related("position", "unit").in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def _headcount_chart(team: dict[str, Any] | None) -> dict[str, Any] | None:
    if not team or not team["by_unit"]:
        return None
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    rows = list(reversed(team["by_unit"]))
    names = [
        (row["unit__name_en"] if english and row["unit__name_en"] else row["unit__name"])
        for row in rows
    ]
    return {
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names},
        "series": [
            {
                "type": "bar",
                "data": [row["n"] for row in rows],
                "itemStyle": {"color": "#206bc4"},
                "label": {"show": True, "position": "right"},
            }
        ],
    }


from opsteam.insights.selectors_review import (  # noqa: E402  (the review's reads, re-exported)
    can_read_fairness,
    can_steer,
    home_owed,
    home_watch,
    is_director,
    previous_review,
    report_for,
    require_steer,
    review_actions,
    review_get,
    review_list,
    section_evidence,
    visible_sections,
)

__all__ = [
    "can_read_fairness",
    "can_steer",
    "home_owed",
    "home_summary",
    "home_watch",
    "is_director",
    "previous_review",
    "report_for",
    "require_steer",
    "review_actions",
    "review_get",
    "review_list",
    "section_evidence",
    "visible_sections",
]
