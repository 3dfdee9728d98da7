"""Reads of the org domain shared by views, API, exports, jobs and the permission policy."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from opsteam.core.choices import Role
from opsteam.org.choices import JobDescriptionStatus, StaffStatus
from opsteam.org.models import (
    Activity,
    Assignment,
    JobDescription,
    OrgUnit,
    Position,
    RaciAssignment,
    Staff,
)


def role_scopes_for_user(*, user: Any) -> dict[Role, list[str]]:
    """Return each role the user holds with the org-unit paths that scope it.

    Used by ``core.policy``: a manager acts on the subtrees of the units in their grants.
    """
    from opsteam.accounts.models import RoleGrant

    roles: dict[Role, list[str]] = {}
    for role, path in RoleGrant.objects.filter(user=user).values_list("role", "unit__path"):
        paths = roles.setdefault(Role(role), [])
        if path:
            paths.append(path)
    return roles


def compensation_history(*, user: Any, staff: Staff) -> list[Any]:
    """Return the pay records of ``staff`` the user may see, newest first.

    Every read by someone who is not HR (administrators, the person themself) is audited.
    """
    from opsteam.core import audit
    from opsteam.core.choices import AuditAction
    from opsteam.org.models import Compensation

    records = list(
        Compensation.objects.restrict(user, "view").filter(staff=staff).order_by("-effective_from")
    )
    if records and Role.HR not in policy_roles(user):
        audit.record_many(
            audit.build_entry(
                actor=user, action=AuditAction.VIEW, obj=record, after={"read": ["base_salary"]}
            )
            for record in records
        )
    return records


def policy_roles(user: Any) -> set[Role]:
    from opsteam.core import policy

    return set(policy.user_roles(user))


def unit_subtree(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Return the unit and every unit below it."""
    return OrgUnit.objects.filter(path__startswith=unit.path)


def staff_assignment_on(*, staff: Staff, on: dt.date) -> Assignment | None:
    """Return the assignment ``staff`` held on date ``on`` (None before hire or after leaving)."""
    return (
        Assignment.objects.filter(staff=staff, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("unit", "position", "level", "manager")
        .first()
    )


def staff_list(*, user: Any, action: str = "view") -> QuerySet[Staff]:
    """Return the staff the user may see, with what list pages and exports display."""
    return Staff.objects.restrict(user, action).select_related(
        "unit", "position", "position__family", "level", "manager"
    )


def current_job_description(*, position: Position) -> JobDescription | None:
    """Return the published job description of ``position``, if any."""
    return position.job_descriptions.filter(status=JobDescriptionStatus.PUBLISHED).first()


def org_chart(*, root: OrgUnit | None = None) -> list[dict[str, Any]]:
    """Return the unit tree as nested dicts (name, lead, headcount) for the ECharts tree."""
    units = list(
        OrgUnit.objects.filter(is_active=True)
        .select_related("lead", "lead__position")
        .annotate(
            headcount=Count("members", filter=~Q(members__status=StaffStatus.LEFT), distinct=True)
        )
        .order_by("path")
    )
    if root is not None:
        units = [unit for unit in units if unit.path.startswith(root.path)]
    children: dict[int | None, list[OrgUnit]] = defaultdict(list)
    ids = {unit.pk for unit in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children[parent].append(unit)

    def build(unit: OrgUnit) -> dict[str, Any]:
        nodes = [build(child) for child in children[unit.pk]]
        total = unit.headcount + sum(node["total"] for node in nodes)
        return {
            "id": unit.pk,
            "code": unit.code,
            "name": unit.display_name,
            "kind": unit.kind,
            "lead": unit.lead.display_name if unit.lead else "",
            "lead_position": unit.lead.position.display_name if unit.lead else "",
            "headcount": unit.headcount,
            "total": total,
            "url": unit.get_absolute_url(),
            "children": nodes,
        }

    return [build(unit) for unit in children[None]]


def who_does_what(
    *, query: str = "", activity_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Return activities matching ``query`` with each RACI position and its current holders."""
    activities = Activity.objects.select_related("process").order_by("process__code", "order")
    if query:
        activities = activities.filter(
            Q(name__icontains=query)
            | Q(name_en__icontains=query)
            | Q(code__icontains=query)
            | Q(process__name__icontains=query)
            | Q(process__name_en__icontains=query)
        )
    if activity_ids is not None:
        activities = activities.filter(pk__in=activity_ids)
    activities = activities.prefetch_related(
        Prefetch(
            "raci",
            queryset=RaciAssignment.objects.select_related("position").order_by(
                "role", "position__code"
            ),
        )
    )[:200]
    activity_list = list(activities)
    position_ids = {cell.position_id for activity in activity_list for cell in activity.raci.all()}
    holders: dict[int, list[Staff]] = defaultdict(list)
    current = Staff.objects.exclude(status=StaffStatus.LEFT).select_related("unit")
    for staff in current.filter(position_id__in=position_ids).order_by("employee_no"):
        holders[staff.position_id].append(staff)
    for staff in (
        current.filter(concurrent_positions__in=position_ids)
        .annotate(extra_position=Count("pk"))
        .prefetch_related("concurrent_positions")
    ):
        for position in staff.concurrent_positions.all():
            if position.pk in position_ids and staff not in holders[position.pk]:
                holders[position.pk].append(staff)
    return [
        {
            "activity": activity,
            "cells": [
                {"role": cell.role, "position": cell.position, "holders": holders[cell.position_id]}
                for cell in activity.raci.all()
            ],
        }
        for activity in activity_list
    ]


def raci_matrix(*, process_id: int | None = None) -> dict[str, Any]:
    """Return activities (grouped by process), positions and the cell roles for the grid."""
    activities = list(
        Activity.objects.select_related("process").order_by("process__code", "order", "code")
    )
    if process_id:
        activities = [a for a in activities if a.process_id == process_id]
    cells = RaciAssignment.objects.filter(activity__in=activities).values_list(
        "activity_id", "position_id", "role"
    )
    grid: dict[tuple[int, int], str] = {(a, p): role for a, p, role in cells}
    used_positions = {p for _a, p in grid}
    positions = list(
        Position.objects.filter(Q(pk__in=used_positions) | Q(is_active=True))
        .select_related("family")
        .order_by("family__sort_order", "code")
    )
    return {"activities": activities, "positions": positions, "grid": grid}


def raci_analysis_input() -> tuple[Any, dict[str, Any]]:
    """Build the pure engine's input from the database in a bounded number of queries.

    Returns the ``RaciInput`` and lookups (activities, positions, staff by id) for display.
    """
    import numpy as np

    from opsteam.org.raci import CODES, RaciInput

    activities = {a.pk: a for a in Activity.objects.select_related("process")}
    positions = {p.pk: p for p in Position.objects.select_related("family")}
    activity_ids = np.array(sorted(activities), dtype=np.int64)
    position_ids = np.array(sorted(positions), dtype=np.int64)
    a_index = {pk: i for i, pk in enumerate(activity_ids.tolist())}
    p_index = {pk: i for i, pk in enumerate(position_ids.tolist())}
    matrix = np.zeros((len(activity_ids), len(position_ids)), dtype=np.int8)
    for activity_id, position_id, role in RaciAssignment.objects.values_list(
        "activity_id", "position_id", "role"
    ):
        matrix[a_index[activity_id], p_index[position_id]] = CODES[role]
    staff = {
        s.pk: s
        for s in Staff.objects.exclude(status=StaffStatus.LEFT).select_related("unit", "position")
    }
    staff_ids = np.array(sorted(staff), dtype=np.int64)
    s_index = {pk: i for i, pk in enumerate(staff_ids.tolist())}
    holdings = np.zeros((len(staff_ids), len(position_ids)), dtype=bool)
    for pk, member in staff.items():
        holdings[s_index[pk], p_index[member.position_id]] = True
    through = Staff.concurrent_positions.through
    for staff_id, position_id in through.objects.filter(staff_id__in=list(staff)).values_list(
        "staff_id", "position_id"
    ):
        holdings[s_index[staff_id], p_index[position_id]] = True
    data = RaciInput(
        activity_ids=activity_ids,
        position_ids=position_ids,
        matrix=matrix,
        staff_ids=staff_ids,
        holdings=holdings,
    )
    return data, {"activities": activities, "positions": positions, "staff": staff}


def raci_analysis() -> dict[str, Any]:
    """Run the RACI analysis with the configured limits; findings joined to their objects."""
    from django.conf import settings

    from opsteam.org.raci import analyse_raci

    data, lookup = raci_analysis_input()
    result = analyse_raci(
        data,
        overlap_threshold=settings.OPSTEAM_RACI_OVERLAP_THRESHOLD,
        max_load=settings.OPSTEAM_RACI_MAX_LOAD,
    )
    activities, positions, staff = lookup["activities"], lookup["positions"], lookup["staff"]
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in result.activity_findings:
        by_kind[finding.kind].append(
            {
                "activity": activities[finding.activity_id],
                "positions": [positions[p] for p in finding.position_ids],
            }
        )
    for finding in result.pair_findings:
        by_kind[finding.kind].append(
            {
                "position_a": positions[finding.position_a],
                "position_b": positions[finding.position_b],
                "activities": [activities[a] for a in finding.shared_activity_ids],
                "similarity": finding.similarity,
            }
        )
    for finding in result.load_findings:
        by_kind["overloaded_staff"].append(
            {
                "staff": staff[finding.staff_id],
                "load": finding.load,
                "limit": finding.limit,
                "contributions": [(positions[p], load) for p, load in finding.contributions],
            }
        )
    return {
        "result": result,
        "findings": dict(by_kind),
        "issue_count": result.issue_count,
        "activity_count": len(activities),
        "position_count": len(positions),
        "max_load": settings.OPSTEAM_RACI_MAX_LOAD,
        "overlap_threshold": settings.OPSTEAM_RACI_OVERLAP_THRESHOLD,
    }


def job_description_diff(*, old: JobDescription, new: JobDescription) -> list[dict[str, Any]]:
    """Compare two versions section by section; each changed text carries word-level ops."""
    import difflib

    def tokens(text: str) -> list[str]:
        # CJK text has no spaces: compare character by character; keep words for Latin text.
        import re

        return re.findall(r"[A-Za-z0-9_]+|\s+|.", text or "")

    def diff_text(a: str, b: str) -> list[tuple[str, str]]:
        left, right = tokens(a), tokens(b)
        ops = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
            None, left, right, autojunk=False
        ).get_opcodes():
            if tag == "equal":
                ops.append(("equal", "".join(left[i1:i2])))
            else:
                if i2 > i1:
                    ops.append(("delete", "".join(left[i1:i2])))
                if j2 > j1:
                    ops.append(("insert", "".join(right[j1:j2])))
        return ops

    def duty_text(jd: JobDescription) -> str:
        return "\n".join(
            f"{d.title} ({d.time_share}%)" + (f" — {d.standard}" if d.standard else "")
            for d in jd.duties.all()
        )

    def skill_text(jd: JobDescription) -> str:
        return "\n".join(
            f"{s.skill.name} ≥ {s.level}" for s in jd.skill_requirements.select_related("skill")
        )

    def relation_text(jd: JobDescription) -> str:
        return "\n".join(
            f"{r.counterpart}: {r.description}"
            for r in jd.relations.select_related("position", "unit")
        )

    sections = [
        (name, getattr(old, name), getattr(new, name))
        for name in [f for base in JobDescription.TEXT_FIELDS for f in (base, f"{base}_en")]
    ]
    sections += [
        ("duties", duty_text(old), duty_text(new)),
        ("skills", skill_text(old), skill_text(new)),
        ("relations", relation_text(old), relation_text(new)),
    ]
    return [{"section": name, "changed": a != b, "ops": diff_text(a, b)} for name, a, b in sections]
