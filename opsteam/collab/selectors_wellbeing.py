"""Reads of wellbeing check-ins. A person's check-ins are read through the policy (the person
and their direct manager only); team figures only through ``team_aggregates``, which releases
a group and week at or above the anonymity threshold and never lists rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from opsteam.collab import wellbeing
from opsteam.collab.models_reports import WellbeingCheckIn
from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, PolicyDenied
from opsteam.org.models import OrgUnit, Staff

DEFAULT_THRESHOLD = 5
TREND_WEEKS = 8
MAX_TREND_WEEKS = 26


def threshold() -> int:
    """The wellbeing release threshold: ``OPSTEAM_WELLBEING_THRESHOLD`` (default 5), never
    below the survey minimum of 3."""
    from opsteam.surveys.anonymity import effective_threshold

    return effective_threshold(getattr(settings, "OPSTEAM_WELLBEING_THRESHOLD", DEFAULT_THRESHOLD))


def checkin_list(*, user: Any) -> QuerySet[WellbeingCheckIn]:
    """Check-ins the user may read: their own and those shared with them as direct manager."""
    return WellbeingCheckIn.objects.restrict(user, "view").select_related("staff", "staff__unit")


def person_checkins(*, user: Any, staff_id: int) -> tuple[Staff, list[WellbeingCheckIn]]:
    """One person's check-ins the user may read, newest first; ``NotVisible`` when none."""
    rows = list(checkin_list(user=user).filter(staff_id=staff_id)[:MAX_TREND_WEEKS])
    if not rows:
        raise NotVisible()
    return rows[0].staff, rows


def person_chart(rows: list[WellbeingCheckIn]) -> dict[str, Any]:
    """An ECharts line chart of mood and workload by week (oldest first)."""
    ordered = sorted(rows, key=lambda row: row.week_start)
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 30, "right": 20, "top": 20, "bottom": 40},
        "xAxis": {"type": "category", "data": [row.week_start.isoformat() for row in ordered]},
        "yAxis": {"type": "value", "min": 1, "max": 5, "interval": 1},
        "series": [
            {"type": "line", "name": str(_("Mood")), "data": [row.mood for row in ordered]},
            {"type": "line", "name": str(_("Workload")), "data": [row.workload for row in ordered]},
        ],
    }


def alert_history(
    *, staff_id: int, as_of: dt.date
) -> tuple[list[wellbeing.CheckInPoint], WellbeingCheckIn | None]:
    """The person's check-ins of the baseline window up to ``as_of`` as engine input, and the
    newest row (whose recorded manager is the one to tell). For the alert rule only."""
    since = as_of - dt.timedelta(weeks=wellbeing.BASELINE_WEEKS + 1)
    rows = list(
        WellbeingCheckIn.objects.filter(staff_id=staff_id, week_start__range=(since, as_of))
        .select_related("manager", "manager__user")
        .order_by("week_start")
    )
    points = [
        wellbeing.CheckInPoint(row.week_start, row.mood, row.workload, row.wants_to_talk)
        for row in rows
    ]
    return points, rows[-1] if rows else None


def team_overview(*, user: Any, as_of: dt.date) -> list[dict[str, Any]]:
    """For a direct manager: each person who shared check-ins with them, with the latest one
    and the alert the rule raises (two queries whatever the team size)."""
    staff = getattr(user, "staff", None)
    if staff is None:
        return []
    since = as_of - dt.timedelta(weeks=wellbeing.BASELINE_WEEKS + 1)
    rows = (
        checkin_list(user=user)
        .filter(manager=staff, week_start__gte=since)
        .exclude(staff=staff)
        .order_by("staff_id", "week_start")
    )
    people: dict[int, list[WellbeingCheckIn]] = defaultdict(list)
    for row in rows:
        people[row.staff_id].append(row)
    overview = []
    for history in people.values():
        points = [
            wellbeing.CheckInPoint(r.week_start, r.mood, r.workload, r.wants_to_talk)
            for r in history
        ]
        overview.append(
            {
                "staff": history[-1].staff,
                "latest": history[-1],
                "alert": wellbeing.assess(points, as_of=as_of),
                "weeks": len(history),
            }
        )
    overview.sort(key=lambda row: (row["alert"] is None, row["staff"].employee_no))
    return overview


def aggregate_units(*, user: Any) -> QuerySet[OrgUnit]:
    """Units whose aggregates the user may open (HR, administrators: all; managers: their
    subtrees)."""
    roles = policy.user_roles(user)
    allowed = policy.rule_for(WellbeingCheckIn).actions["aggregate"]
    units = OrgUnit.objects.filter(is_active=True)
    if any(allowed.get(role) is policy.ALL for role in roles):
        return units
    paths = [
        p for role, paths in roles.items() if allowed.get(role) is policy.SUBTREE for p in paths
    ]
    if not paths:
        return units.none()
    from django.db.models import Q

    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition)


def team_aggregates(
    *, user: Any, unit: OrgUnit, as_of: dt.date, weeks: int = TREND_WEEKS
) -> dict[str, Any]:
    """Average mood and workload by week for the groups inside ``unit``, and for them taken
    together. Groups come from one organisation-wide partition into groups of at least the
    threshold of distinct people (``wellbeing.aggregate``): a team too small to show alone is
    pooled into its parent unit's group, and nothing smaller is ever shown, on any page."""
    if not policy.can_for_unit(user, "aggregate", WellbeingCheckIn, unit):
        if not policy.can(user, "aggregate", WellbeingCheckIn):
            raise PolicyDenied()
        raise NotVisible()
    weeks = max(1, min(int(weeks), MAX_TREND_WEEKS))
    last = wellbeing.week_start(as_of)
    first = last - dt.timedelta(weeks=weeks - 1)
    # Base manager on purpose: the partition pools the whole organisation's answers (so it is
    # the same on every page) and only group figures leave this function, never a row.
    answers = [
        wellbeing.Answer(path, week, person, mood, workload)
        for path, week, person, mood, workload in WellbeingCheckIn._base_manager.filter(
            week_start__range=(first, last)
        ).values_list("unit__path", "week_start", "staff_id", "mood", "workload")
    ]
    result = wellbeing.aggregate(answers, threshold=threshold())
    inside = [figure for figure in result.groups if figure.unit_path.startswith(unit.path)]
    names = dict(
        OrgUnit.objects.filter(path__in={figure.unit_path for figure in inside}).values_list(
            "path", "pk"
        )
    )
    labels = {u.pk: u for u in OrgUnit.objects.filter(pk__in=names.values())}
    week_keys = [first + dt.timedelta(weeks=n) for n in range(weeks)]
    by_group: dict[str, dict[dt.date, wellbeing.GroupFigure]] = defaultdict(dict)
    for figure in inside:
        by_group[figure.unit_path][figure.week_start] = figure
    table = []
    for path, by_week in sorted(by_group.items()):
        named = labels.get(names.get(path))
        label = named.display_name if named else path
        pooled = any(figure.pooled for figure in by_week.values())
        table.append(
            {
                "label": label,
                "pooled": pooled,
                "weeks": [by_week.get(week) for week in week_keys],
            }
        )
    overall = [wellbeing.combine([f for f in inside if f.week_start == week]) for week in week_keys]
    small = any(path.startswith(unit.path) and week >= first for week, path in result.withheld)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 30, "right": 20, "top": 20, "bottom": 40},
        "xAxis": {"type": "category", "data": [week.isoformat() for week in week_keys]},
        "yAxis": {"type": "value", "min": 1, "max": 5, "interval": 1},
        "series": [
            {
                "type": "line",
                "name": str(_("Mood")),
                "data": [row[1] if row else None for row in overall],
            },
            {
                "type": "line",
                "name": str(_("Workload")),
                "data": [row[2] if row else None for row in overall],
            },
        ],
    }
    return {
        "unit": unit,
        "threshold": result.threshold,
        "weeks": week_keys,
        "overall": list(zip(week_keys, overall, strict=True)),
        "groups": table,
        "chart": chart,
        "released_any": bool(inside),
        "some_withheld": small,
    }


def home_sections(*, user: Any, staff: Staff, today: dt.date) -> list[dict[str, Any]]:
    """This week's check-in when not yet written (one query)."""
    week = wellbeing.week_start(today)
    if WellbeingCheckIn.objects.filter(staff=staff, week_start=week).exists():
        return []
    return [
        {
            "key": "wellbeing-checkin",
            "title": _("This week's check-in"),
            "count": 1,
            "items": [
                {
                    "title": _("How is your week going? (1 minute, shared with your manager only)"),
                    "url": reverse("collab:wellbeing_checkin"),
                    "due": None,
                    "meta": "",
                }
            ],
            "more_url": reverse("collab:wellbeing_checkin"),
        }
    ]
