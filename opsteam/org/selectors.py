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
    JobLevel,
    OrgUnit,
    Position,
    RaciAssignment,
    SkillLevelDescriptor,
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
    from opsteam.org.models import Compensation

    records = list(
        Compensation.objects.restrict(user, "view").filter(staff=staff).order_by("-effective_from")
    )
    audit.record_pay_reads(user=user, rows=records, fields=["base_salary"])
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


def position_list_state(*, position_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Return what the position list shows beyond the row, for a batch of positions.

    ``published_version``, ``draft_version`` (each position has at most one of each) and
    ``holder_count`` (current main holders), in two queries for any number of positions.
    Exports use it for rows whose queryset did not annotate them.
    """
    state: dict[int, dict[str, Any]] = {
        pk: {"published_version": None, "draft_version": None, "holder_count": 0}
        for pk in position_ids
    }
    if not state:
        return state
    versions = JobDescription.objects.filter(
        position_id__in=position_ids,
        status__in=[JobDescriptionStatus.PUBLISHED, JobDescriptionStatus.DRAFT],
    ).values_list("position_id", "status", "version")
    for position_id, status, version in versions:
        key = "published_version" if status == JobDescriptionStatus.PUBLISHED else "draft_version"
        state[position_id][key] = version
    holders = (
        Staff.objects.filter(position_id__in=position_ids)
        .exclude(status=StaffStatus.LEFT)
        .order_by()
        .values("position_id")
        .annotate(n=Count("pk"))
        .values_list("position_id", "n")
    )
    for position_id, n in holders:
        state[position_id]["holder_count"] = n
    return state


def unit_headcounts(*, unit_ids: list[int]) -> dict[int, int]:
    """Return the current headcount (staff not left) of each unit, sub-units not included."""
    counts = dict.fromkeys(unit_ids, 0)
    if unit_ids:
        counts.update(
            Staff.objects.filter(unit_id__in=unit_ids)
            .exclude(status=StaffStatus.LEFT)
            .order_by()
            .values("unit_id")
            .annotate(n=Count("pk"))
            .values_list("unit_id", "n")
        )
    return counts


def current_job_description(*, position: Position) -> JobDescription | None:
    """Return the published job description of ``position``, if any."""
    return position.job_descriptions.filter(status=JobDescriptionStatus.PUBLISHED).first()


def _display(name: str, name_en: str, english: bool) -> str:
    """``display_name`` of a bilingual row read with ``values()`` (see ``BilingualNameMixin``)."""
    if english and name_en:
        return name_en
    return name or name_en


def org_chart(*, root: OrgUnit | None = None) -> list[dict[str, Any]]:
    """Return the unit tree as nested dicts (name, lead, headcount) for the ECharts tree.

    Two queries whatever the size: the active units with their lead's names (plain values,
    not model instances: a 1,000-unit tree is built in a few milliseconds) and the headcount
    of every unit (one ``GROUP BY``).
    """
    from django.urls import reverse
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    units = OrgUnit.objects.filter(is_active=True)
    if root is not None:
        units = units.filter(path__startswith=root.path)
    rows = list(
        units.order_by("path").values(
            "id",
            "code",
            "name",
            "name_en",
            "kind",
            "parent_id",
            "lead_id",
            "lead__name",
            "lead__name_en",
            "lead__position__name",
            "lead__position__name_en",
        )
    )
    headcounts = dict(
        Staff.objects.exclude(status=StaffStatus.LEFT)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    # One reverse() for the URL shape instead of one per unit.
    placeholder = 987654321
    url_shape = reverse("org:orgunit_detail", args=[placeholder])
    children: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    ids = {row["id"] for row in rows}
    for row in rows:
        parent = row["parent_id"] if row["parent_id"] in ids else None
        children[parent].append(row)

    def build(row: dict[str, Any]) -> dict[str, Any]:
        nodes = [build(child) for child in children[row["id"]]]
        headcount = headcounts.get(row["id"], 0)
        has_lead = row["lead_id"] is not None
        return {
            "id": row["id"],
            "code": row["code"],
            "name": _display(row["name"], row["name_en"], english),
            "kind": row["kind"],
            "lead": _display(row["lead__name"], row["lead__name_en"], english) if has_lead else "",
            "lead_position": _display(
                row["lead__position__name"], row["lead__position__name_en"], english
            )
            if has_lead
            else "",
            "headcount": headcount,
            "total": headcount + sum(node["total"] for node in nodes),
            "url": url_shape.replace(str(placeholder), str(row["id"])),
            "children": nodes,
        }

    return [build(row) for row in children[None]]


# How many current holders "who does what" names per cell; ``holder_count`` has them all.
WHO_DOES_WHAT_HOLDERS = 20
# What the page and the API show of a holder (the directory fields): loading whole rows (and
# their units) for hundreds of holders per request cost more than rendering them.
HOLDER_FIELDS = ("employee_no", "name", "name_en", "unit", "position")


def who_does_what(
    *,
    query: str = "",
    activity_ids: list[int] | None = None,
    holder_limit: int | None = WHO_DOES_WHAT_HOLDERS,
) -> list[dict[str, Any]]:
    """Return activities matching ``query`` with each RACI position and its current holders.

    Each cell has ``role``, ``position``, ``holders`` (people holding the position now: main
    holders by employee number, then concurrent holders; at most ``holder_limit``, None for
    all), ``holder_count`` (all current holders) and ``more`` (those not listed). In a large
    organisation a specialist position has thousands of holders: listing them all made the
    page megabytes long, so the database ranks holders per position (a window function) and
    only the first ``holder_limit`` leave it. Six queries whatever the size.
    """
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

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
    position_ids = sorted(
        {cell.position_id for activity in activity_list for cell in activity.raci.all()}
    )
    holders: dict[int, list[Staff]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    if position_ids:
        current = Staff.objects.exclude(status=StaffStatus.LEFT)
        main = current.filter(position_id__in=position_ids)
        counts.update(
            main.order_by()
            .values("position_id")
            .annotate(n=Count("pk"))
            .values_list("position_id", "n")
        )
        main = main.only(*HOLDER_FIELDS)
        if holder_limit is not None:
            main = main.annotate(
                rank=Window(
                    RowNumber(), partition_by=F("position_id"), order_by=F("employee_no").asc()
                )
            ).filter(rank__lte=holder_limit)
        for staff in main.order_by("position_id", "employee_no"):
            holders[staff.position_id].append(staff)
        through = Staff.concurrent_positions.through
        concurrent = (
            through.objects.filter(position_id__in=position_ids)
            .exclude(staff__status=StaffStatus.LEFT)
            .exclude(staff__position_id=F("position_id"))
        )
        for position_id, n in (
            concurrent.order_by()
            .values("position_id")
            .annotate(n=Count("pk"))
            .values_list("position_id", "n")
        ):
            counts[position_id] += n
        concurrent = concurrent.select_related("staff").only(
            "position", *(f"staff__{name}" for name in HOLDER_FIELDS)
        )
        if holder_limit is not None:
            concurrent = concurrent.annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=F("position_id"),
                    order_by=F("staff__employee_no").asc(),
                )
            ).filter(rank__lte=holder_limit)
        for link in concurrent.order_by("position_id", "staff__employee_no"):
            listed = holders[link.position_id]
            if holder_limit is None or len(listed) < holder_limit:
                listed.append(link.staff)
    return [
        {
            "activity": activity,
            "cells": [
                {
                    "role": cell.role,
                    "position": cell.position,
                    "holders": holders[cell.position_id],
                    "holder_count": counts[cell.position_id],
                    "more": counts[cell.position_id] - len(holders[cell.position_id]),
                }
                for cell in activity.raci.all()
            ],
        }
        for activity in activity_list
    ]


def raci_matrix(*, process_id: int | None = None) -> dict[str, Any]:
    """Return activities (grouped by process), positions and the cell roles for the grid."""
    activities = Activity.objects.select_related("process").order_by(
        "process__code", "order", "code"
    )
    if process_id:
        activities = activities.filter(process_id=process_id)
    activities = list(activities)
    cells = RaciAssignment.objects.filter(
        activity_id__in=[activity.pk for activity in activities]
    ).values_list("activity_id", "position_id", "role")
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

    Returns the ``RaciInput`` and lookups (activities and positions by id) for display. Staff
    enter the matrix as (id, position id) pairs only: with 10,000 people, building a model
    instance per person cost more than the whole analysis. ``raci_analysis`` loads the few
    people its load findings name.
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
    main = np.array(
        Staff.objects.exclude(status=StaffStatus.LEFT)
        .order_by("pk")
        .values_list("pk", "position_id"),
        dtype=np.int64,
    ).reshape(-1, 2)
    staff_ids = main[:, 0].copy()
    holdings = np.zeros((len(staff_ids), len(position_ids)), dtype=bool)
    holdings[np.arange(len(staff_ids)), np.searchsorted(position_ids, main[:, 1])] = True
    through = Staff.concurrent_positions.through
    concurrent = np.array(
        through.objects.exclude(staff__status=StaffStatus.LEFT).values_list(
            "staff_id", "position_id"
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    holdings[
        np.searchsorted(staff_ids, concurrent[:, 0]),
        np.searchsorted(position_ids, concurrent[:, 1]),
    ] = True
    data = RaciInput(
        activity_ids=activity_ids,
        position_ids=position_ids,
        matrix=matrix,
        staff_ids=staff_ids,
        holdings=holdings,
    )
    return data, {"activities": activities, "positions": positions}


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
    activities, positions = lookup["activities"], lookup["positions"]
    staff = Staff.objects.select_related("unit", "position").in_bulk(
        [finding.staff_id for finding in result.load_findings]
    )
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


def job_description_skills(*, job_description: JobDescription) -> list[Any]:
    """The skills a job description requires, each with ``descriptor``: what the framework says
    the required level looks like at work (a ``SkillLevelDescriptor``, or None where the
    competency framework does not describe that level yet). Two queries, however many skills."""
    requirements = list(
        job_description.skill_requirements.select_related("skill").prefetch_related(
            Prefetch(
                "skill__level_descriptors",
                SkillLevelDescriptor.objects.order_by("level"),
                to_attr="framework_levels",
            )
        )
    )
    for requirement in requirements:
        by_level = {row.level: row for row in requirement.skill.framework_levels}
        requirement.descriptor = by_level.get(requirement.level)
    return requirements


def job_level_usage(*, level: Any) -> list[tuple[str, int]]:
    """Where a job level is used: (what, how many rows) for every table that points at it
    (people, assignment history, positions' level ranges, ladders, standards, plans, reviews,
    training rules ...), leaving out the ones with no row. A level in use cannot be deleted."""
    fields_by_model: dict[Any, list[str]] = defaultdict(list)
    for relation in type(level)._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        if relation.related_model._meta.auto_created:  # a many-to-many's through table
            continue
        fields_by_model[relation.related_model].append(relation.field.name)
    usage: list[tuple[str, int]] = []
    for model, names in fields_by_model.items():
        condition = Q()
        for name in names:
            condition |= Q(**{name: level})
        count = model._base_manager.filter(condition).values("pk").distinct().count()
        if count:
            usage.append((str(model._meta.verbose_name_plural), count))
    return usage


def job_level_list(*, user: Any, action: str = "view") -> QuerySet[JobLevel]:
    """Job levels the user may ``action``, by track and rank, each with ``people``: how many
    current staff (not those who left) hold it, in one query."""
    return (
        JobLevel.objects.restrict(user, action)
        .annotate(people=Count("holders", filter=~Q(holders__status=StaffStatus.LEFT)))
        .order_by("track", "rank", "code")
    )
