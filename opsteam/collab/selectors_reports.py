"""Reads of work reports, shared by pages, API, exports, reminders, the performance pages and
the home page. Every list starts from the policy's ``restrict``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.collab.models_reports import (
    ReportComment,
    ReportKind,
    ReportStatus,
    ReportTemplate,
    WorkReport,
)
from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, PolicyDenied
from opsteam.org.choices import StaffStatus
from opsteam.org.models import OrgUnit, Staff

WORKING = (StaffStatus.ACTIVE, StaffStatus.PROBATION)
EVIDENCE_ITEMS = 8


def unit_ancestor_ids(unit: OrgUnit) -> list[int]:
    """Ids of ``unit`` and the units above it, from the materialised path (no query)."""
    return [int(part) for part in unit.path.split("/") if part]


def template_for(*, staff: Staff, kind: str) -> ReportTemplate:
    """The template a person's report follows: their team's, the nearest one up the tree, the
    company default, or (nothing configured) the built-in default (unsaved)."""
    ids = unit_ancestor_ids(staff.unit) or [staff.unit_id]
    candidates = list(
        ReportTemplate.objects.filter(kind=kind).filter(Q(unit_id__in=ids) | Q(unit__isnull=True))
    )
    depth = {pk: index for index, pk in enumerate(ids)}
    candidates.sort(key=lambda template: depth.get(template.unit_id, -1), reverse=True)
    if candidates:
        return candidates[0]
    name = _("Daily report") if kind == ReportKind.DAILY else _("Weekly report")
    return ReportTemplate(kind=kind, name=name)


def templates_by_unit(*, kind: str) -> dict[int | None, ReportTemplate]:
    """Every template of ``kind`` by unit id (None: the company default)."""
    return {template.unit_id: template for template in ReportTemplate.objects.filter(kind=kind)}


def template_list(*, user: Any, action: str = "view") -> QuerySet[ReportTemplate]:
    return ReportTemplate.objects.restrict(user, action).select_related("unit")


def report_list(*, user: Any, action: str = "view") -> QuerySet[WorkReport]:
    """Reports the user may see (the author, their managers' subtree, HR, admins, auditors)."""
    return WorkReport.objects.restrict(user, action).select_related(
        "staff", "staff__unit", "read_by"
    )


def report_comments(*, report: WorkReport) -> list[ReportComment]:
    """The report's comments threaded: top-level ones in order, each with ``thread`` replies."""
    comments = list(
        report.comments.select_related("author", "author__staff").order_by("created_at", "id")
    )
    by_parent: dict[int | None, list[ReportComment]] = defaultdict(list)
    for comment in comments:
        by_parent[comment.parent_id].append(comment)
    for comment in comments:
        comment.thread = by_parent.get(comment.pk, [])
    return by_parent.get(None, [])


def previous_report(*, staff: Staff, kind: str, before: dt.date) -> WorkReport | None:
    """The person's last report of ``kind`` before the period (for "copy yesterday's plan")."""
    return (
        WorkReport.objects.filter(staff=staff, kind=kind, period_start__lt=before)
        .order_by("-period_start")
        .first()
    )


def digest_units(*, user: Any) -> QuerySet[OrgUnit]:
    """Units whose digest the user may open: all for HR, administrators and auditors, the
    managed subtrees for managers."""
    roles = policy.user_roles(user)
    allowed = policy.rule_for(WorkReport).actions["digest"]
    scopes = {allowed[role] for role in roles if role in allowed}
    units = OrgUnit.objects.filter(is_active=True)
    if policy.ALL in scopes:
        return units
    paths = [
        path
        for role, paths in roles.items()
        if allowed.get(role) is policy.SUBTREE
        for path in paths
    ]
    if not paths:
        return units.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition)


def digest(*, user: Any, unit: OrgUnit, kind: str, period_start: dt.date) -> dict[str, Any]:
    """The team digest of one period: who submitted (late or not), who has a draft, who is
    missing, blockers first, and the key numbers summed and averaged. Members are the unit
    subtree's working staff. Raises ``PolicyDenied`` outside the user's digest scope."""
    if not policy.can_for_unit(user, "digest", WorkReport, unit):
        if not policy.can(user, "digest", WorkReport):
            raise PolicyDenied()
        raise NotVisible()
    members = list(
        Staff.objects.filter(unit__path__startswith=unit.path, status__in=WORKING)
        .select_related("unit")
        .order_by("unit__path", "employee_no")
    )
    reports = {
        report.staff_id: report
        for report in report_list(user=user).filter(
            kind=kind, period_start=period_start, staff__in=[m.pk for m in members]
        )
    }
    rows, blockers = [], []
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for member in members:
        report = reports.get(member.pk)
        state = "missing" if report is None else report.status
        rows.append({"staff": member, "report": report, "state": state})
        if report is not None and report.status == ReportStatus.SUBMITTED:
            if report.has_blockers:
                blockers.append(
                    {"staff": member, "report": report, "text": report.sections.get("blockers", "")}
                )
            for key, value in report.metrics.items():
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    continue
                sums[key] += number
                counts[key] += 1
    template = template_for_unit(unit=unit, kind=kind)
    metrics = [
        {
            "key": row["key"],
            "label": row["label"],
            "unit": row.get("unit", ""),
            "kpi": row.get("kpi", ""),
            "sum": round(sums[row["key"]], 2) if counts[row["key"]] else None,
            "average": round(sums[row["key"]] / counts[row["key"]], 2)
            if counts[row["key"]]
            else None,
            "reported": counts[row["key"]],
        }
        for row in template.metrics
    ]
    submitted = [row for row in rows if row["state"] == ReportStatus.SUBMITTED]
    return {
        "unit": unit,
        "kind": kind,
        "period_start": period_start,
        "rows": sorted(rows, key=lambda row: {"missing": 0, "draft": 1}.get(row["state"], 2)),
        "members": len(members),
        "submitted": len(submitted),
        "late": sum(1 for row in submitted if row["report"].is_late),
        "missing": sum(1 for row in rows if row["state"] != ReportStatus.SUBMITTED),
        "blockers": blockers,
        "metrics": metrics,
        "chart": _digest_chart(rows, metrics),
    }


def template_for_unit(*, unit: OrgUnit, kind: str) -> ReportTemplate:
    ids = unit_ancestor_ids(unit) or [unit.pk]
    candidates = list(
        ReportTemplate.objects.filter(kind=kind).filter(Q(unit_id__in=ids) | Q(unit__isnull=True))
    )
    depth = {pk: index for index, pk in enumerate(ids)}
    candidates.sort(key=lambda template: depth.get(template.unit_id, -1), reverse=True)
    return candidates[0] if candidates else ReportTemplate(kind=kind, name="")


def _digest_chart(rows: list[dict[str, Any]], metrics: list[dict[str, Any]]) -> dict[str, Any]:
    """ECharts options: submitted/draft/missing as a ring (``states``) and the key numbers'
    team totals as bars (``metrics``, None without numbers)."""
    states: dict[str, int] = defaultdict(int)
    for row in rows:
        states[row["state"]] += 1
    labels = {
        ReportStatus.SUBMITTED: _("Submitted"),
        ReportStatus.DRAFT: _("Draft"),
        "missing": _("Missing"),
    }
    colours = {
        ReportStatus.SUBMITTED: "#2fb344",
        ReportStatus.DRAFT: "#f59f00",
        "missing": "#d63939",
    }
    ring = {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["45%", "70%"],
                "center": ["50%", "45%"],
                "label": {"formatter": "{b}: {c}"},
                "data": [
                    {
                        "name": str(labels[key]),
                        "value": states[key],
                        "itemStyle": {"color": colours[key]},
                    }
                    for key in (ReportStatus.SUBMITTED, ReportStatus.DRAFT, "missing")
                    if states[key]
                ],
            }
        ],
    }
    shown = [m for m in metrics if m["sum"] is not None]
    bars = None
    if shown:
        bars = {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 10, "right": 40, "top": 10, "bottom": 10, "containLabel": True},
            "xAxis": {"type": "value"},
            "yAxis": {
                "type": "category",
                "data": [f"{m['label']} ({m['unit']})" if m["unit"] else m["label"] for m in shown],
            },
            "series": [
                {
                    "type": "bar",
                    "name": str(_("Team total")),
                    "data": [m["sum"] for m in shown],
                    "label": {"show": True, "position": "right"},
                    "itemStyle": {"color": "#206bc4"},
                }
            ],
        }
    return {"states": ring, "metrics": bars}


def evidence(*, user: Any, staff: Staff, start: dt.date, end: dt.date) -> dict[str, Any] | None:
    """The person's reports over a period as evidence for a 1:1 or a review: counts, late
    count, blockers and links. Only reports the user may see count; None when they may see
    none of the person's reports."""
    if not policy.can(user, "view", WorkReport):
        return None
    reports = report_list(user=user).filter(staff=staff, period_start__range=(start, end))
    submitted = reports.filter(status=ReportStatus.SUBMITTED)
    rows = list(submitted.order_by("-period_start")[:EVIDENCE_ITEMS])
    counts = submitted.aggregate(
        total=Count("pk"),
        late=Count("pk", filter=Q(is_late=True)),
        blockers=Count("pk", filter=Q(has_blockers=True)),
    )
    blocker_rows = list(submitted.filter(has_blockers=True).order_by("-period_start")[:5])
    return {
        "start": start,
        "end": end,
        "count": counts["total"],
        "late": counts["late"],
        "blocker_count": counts["blockers"],
        "reports": rows,
        "blockers": [{"report": r, "text": r.sections.get("blockers", "")} for r in blocker_rows],
        "search_url": reverse("collab:report_list")
        + f"?staff={staff.pk}&date_from={start.isoformat()}&date_to={end.isoformat()}",
    }


def home_sections(*, user: Any) -> list[dict[str, Any]]:
    """Today's report still to write (weekdays), this week's check-in, and for managers the
    submitted reports of their team still unread."""
    sections: list[dict[str, Any]] = []
    staff = Staff.objects.filter(user_id=getattr(user, "pk", None)).select_related("unit").first()
    today = timezone.localdate()
    if staff is not None:
        has_daily = _has_template(staff=staff, kind=ReportKind.DAILY)
        if has_daily and today.weekday() < 5:
            done = WorkReport.objects.filter(
                staff=staff,
                kind=ReportKind.DAILY,
                period_start=today,
                status=ReportStatus.SUBMITTED,
            ).exists()
            if not done:
                sections.append(
                    {
                        "key": "report-today",
                        "title": _("Today's work report"),
                        "count": 1,
                        "items": [
                            {
                                "title": _("Write today's report"),
                                "url": reverse("collab:report_write"),
                                "due": today,
                                "meta": "",
                            }
                        ],
                        "more_url": reverse("collab:report_list") + "?mine=1",
                    }
                )
        from opsteam.collab import selectors_wellbeing

        sections += selectors_wellbeing.home_sections(user=user, staff=staff, today=today)
    if policy.can(user, "mark_read", WorkReport):
        unread = (
            report_list(user=user, action="mark_read")
            .filter(
                status=ReportStatus.SUBMITTED,
                read_at__isnull=True,
                period_start__gte=today - dt.timedelta(days=7),
            )
            .exclude(staff__user=user)
        )
        if policy.ALL not in {
            policy.rule_for(WorkReport).actions["mark_read"].get(r) for r in policy.user_roles(user)
        }:
            count = unread.count()
            if count:
                sections.append(
                    {
                        "key": "reports-to-read",
                        "title": _("Team reports to read"),
                        "count": count,
                        "items": [
                            {
                                "title": f"{report.staff.display_name} · {report.get_kind_display()} {report.period_label}",
                                "url": report.get_absolute_url(),
                                "due": None,
                                "meta": _("blockers") if report.has_blockers else "",
                            }
                            for report in unread.order_by("-has_blockers", "-period_start")[:5]
                        ],
                        "more_url": reverse("collab:report_list") + "?unread=1",
                    }
                )
    return sections


def _has_template(*, staff: Staff, kind: str) -> bool:
    ids = unit_ancestor_ids(staff.unit) or [staff.unit_id]
    return (
        ReportTemplate.objects.filter(kind=kind)
        .filter(Q(unit_id__in=ids) | Q(unit__isnull=True))
        .exists()
    )
