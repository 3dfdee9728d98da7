"""Reads of the appraisal domain that other modules (imports, scoring) build on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LockedPeriod:
    """Dates whose KPI data may no longer change: the data deadline of a cycle has passed.

    ``kpi_ids`` None means every KPI; ``reason`` is shown to the user (e.g. the cycle's name
    and deadline).
    """

    start: dt.date
    end: dt.date
    reason: str
    kpi_ids: frozenset[int] | None = None

    def covers(self, kpi_id: int, date: dt.date) -> bool:
        """Whether a measurement of ``kpi_id`` on ``date`` falls in this locked period."""
        return self.start <= date <= self.end and (self.kpi_ids is None or kpi_id in self.kpi_ids)


def period_locked(kpi_ids: Collection[int], dates: Collection[dt.date]) -> list[LockedPeriod]:
    """The locked periods that touch any of ``kpi_ids`` on any of ``dates``: cycles whose
    KPI data deadline has passed refuse imports and hand entry of their KPIs in their period.
    Callers check each row with ``LockedPeriod.covers``.
    """
    wanted = set(kpi_ids)
    return [
        period
        for period in locked_periods_from_cycles(dates)
        if period.kpi_ids is None or wanted & period.kpi_ids
    ]


def locked_periods_from_cycles(dates: Collection[dt.date]) -> list[LockedPeriod]:
    """Periods of cycles whose KPI data deadline has passed, overlapping ``dates``."""
    from django.utils import timezone

    from opsteam.performance.models import ReviewCycle

    if not dates:
        return []
    today = timezone.localdate()
    cycles = ReviewCycle.objects.filter(
        data_deadline__lt=today, period_start__lte=max(dates), period_end__gte=min(dates)
    ).exclude(stage="draft")
    return [
        LockedPeriod(
            start=cycle.period_start,
            end=cycle.period_end,
            reason=f"{cycle.name} ({cycle.data_deadline.isoformat()})",
            kpi_ids=frozenset(int(key) for key in cycle.kpi_snapshot or {}) or None,
        )
        for cycle in cycles
    ]


def result_visible(review: Any, user: Any) -> bool:
    """Whether ``user`` may see the scores and grade of ``review`` now.

    The reviewee sees them only once the cycle is published; everyone else who may view the
    review sees them as they are computed.
    """
    is_reviewee = review.staff.user_id is not None and review.staff.user_id == user.pk
    return not is_reviewee or review.cycle.stage in ("published", "acknowledgement", "closed")


def work_owed(user: Any) -> dict[str, Any]:
    """What ``user`` owes in open cycles (the in-app reminders on the home page), one query."""
    from django.db.models import Q

    from opsteam.performance.models import Review

    owed: dict[str, list[Any]] = {"self_reviews": [], "manager_reviews": [], "acknowledgements": []}
    staff = getattr(user, "staff", None)
    if staff is None:
        return owed
    mine = Q(staff=staff) & (
        Q(cycle__stage="self_review", status="pending") | Q(status="published")
    )
    to_review = Q(
        reviewer=staff, cycle__stage="manager_review", status__in=["pending", "self_done"]
    )
    rows = (
        Review.objects.filter(mine | to_review)
        .select_related("cycle", "staff")
        .order_by("cycle__period_start", "staff__name")[:200]
    )
    for review in rows:
        if review.staff_id != staff.pk:
            owed["manager_reviews"].append(review)
        elif review.status == "published":
            owed["acknowledgements"].append(review)
        else:
            owed["self_reviews"].append(review)
    return owed


def cycle_progress(*, cycle: Any, reviews: Any) -> dict[str, Any]:
    """Counts of ``reviews`` (already scoped to the viewer) by status and by grade, with the
    self-review, manager-review and acknowledgement completion rates (one query each)."""
    from django.db.models import Count, Q

    totals = reviews.aggregate(
        total=Count("pk"),
        self_done=Count("pk", filter=Q(self_submitted_at__isnull=False)),
        manager_done=Count("pk", filter=Q(manager_submitted_at__isnull=False)),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        appealed=Count("appeals", distinct=True),
        graded=Count("pk", filter=~Q(grade="")),
    )
    by_grade = dict(
        reviews.exclude(grade="").order_by().values_list("grade").annotate(n=Count("pk"))
    )
    total = totals["total"] or 0

    def rate(count: int) -> float:
        return round(100.0 * count / total, 1) if total else 0.0

    return {
        **totals,
        "self_rate": rate(totals["self_done"]),
        "manager_rate": rate(totals["manager_done"]),
        "acknowledged_rate": rate(totals["acknowledged"]),
        "grades": [(name, by_grade.get(name, 0)) for name in cycle.grade_names],
    }


def calibration_board(
    *, cycle: Any, reviews: Any, group: str = "", page: int = 1, per_page: int = 100
) -> dict[str, Any]:
    """Per calibration group: the guideline counts, the actual counts, each person's suggested
    grade from the guideline (small groups pooled), and the 9-box grid of grade x potential.

    The figures cover every scored review in ``reviews`` (a few columns each); only one page
    of people (optionally of one pooled ``group``) is loaded as objects for the table.
    """
    import numpy as np

    from opsteam.performance import calibration

    names = cycle.grade_names
    scored = list(
        reviews.exclude(final_score__isnull=True)
        .order_by("calibration_group", "-final_score", "pk")
        .values_list("pk", "final_score", "calibration_group", "grade", "potential")
    )
    # Reviews without a final score (e.g. no released 360 result) still need a grade from HR:
    # they come after the scored ones, without a suggestion.
    unscored = list(
        reviews.filter(final_score__isnull=True)
        .order_by("unit__path", "pk")
        .values_list("pk", flat=True)
    )
    ids = np.array([row[0] for row in scored], dtype=np.int64)
    scores = np.array([float(row[1]) for row in scored])
    groups = np.array([row[2] or "-" for row in scored])
    current = np.array(
        [names.index(row[3]) if row[3] in names else -1 for row in scored], dtype=np.int64
    )
    if not scored:
        return _calibration_page(reviews, names, [], [], unscored, {}, group, page, per_page)
    proposal = calibration.propose_grades(
        scores,
        groups,
        np.array(cycle.guideline, dtype=float) / 100.0,
        current_grades=current,
        min_group_size=cycle.min_calibration_group,
    )
    summary = []
    for name, target in sorted(proposal.targets.items()):
        members = proposal.pooled_group == name
        actual = np.bincount(current[members & (current >= 0)], minlength=len(names))
        summary.append(
            {
                "group": name,
                "size": int(members.sum()),
                "rows": list(zip(names, target.tolist(), actual.tolist(), strict=True)),
                "off_guideline": bool((target != actual).any()),
            }
        )
    chosen = ids if not group else ids[proposal.pooled_group == group]
    suggestion = {
        int(pk): (names[int(grade)], str(pooled))
        for pk, grade, pooled in zip(ids, proposal.grades, proposal.pooled_group, strict=True)
    }
    potential = np.array([row[4] or 0 for row in scored])
    graded = (current >= 0) & (potential > 0)
    boxes = calibration.nine_box(current[graded], potential[graded] - 1, len(names))
    counts = np.bincount(boxes, minlength=9).reshape(3, 3)  # rows: potential low..high
    grid = [{"potential": level + 1, "cells": counts[level].tolist()} for level in (2, 1, 0)]
    return _calibration_page(
        reviews,
        names,
        summary,
        grid if graded.any() else [],
        chosen.tolist() + ([] if group else unscored),
        suggestion,
        group,
        page,
        per_page,
    )


def _calibration_page(
    reviews: Any,
    names: list[str],
    summary: list[dict[str, Any]],
    grid: list[dict[str, Any]],
    ids: list[int],
    suggestion: dict[int, tuple[str, str]],
    group: str,
    page: int,
    per_page: int,
) -> dict[str, Any]:
    """One page of the calibration table (people loaded as objects for that page only)."""
    from django.core.paginator import Paginator

    page_obj = Paginator(ids, per_page).get_page(page)
    order = {pk: index for index, pk in enumerate(page_obj.object_list)}
    rows = sorted(
        reviews.filter(pk__in=list(order)).select_related("staff", "unit"),
        key=lambda review: order[review.pk],
    )
    for review in rows:
        review.suggested_grade, review.pooled_group = suggestion.get(review.pk, ("", ""))
    return {
        "groups": summary,
        "rows": rows,
        "nine_box": grid,
        "names": names,
        "page": page_obj,
        "group": group,
    }


def review_measurements(review: Any, kpi_id: int) -> Any:
    """The raw measurements behind one KPI line of a scorecard (the period, that person)."""
    from opsteam.performance.models import Measurement

    return Measurement.objects.filter(
        staff_id=review.staff_id,
        kpi_id=kpi_id,
        date__range=(review.cycle.period_start, review.cycle.period_end),
    ).order_by("date")


def what_if(review: Any, kpi_id: int, actual: float) -> dict[str, Any]:
    """The KPI score, final score and grade ``review`` would have if KPI ``kpi_id``'s period
    value were ``actual`` (everything else as scored)."""
    import numpy as np

    from opsteam.performance import engine_inputs, scoring, services_cycles

    cycle = review.cycle
    lines = review.scorecard.get("lines", [])
    snapshot = cycle.kpi_snapshot or {}
    import types

    kpis = [
        types.SimpleNamespace(**services_cycles._rules_from_snapshot(snapshot[str(line["kpi"])]))
        for line in lines
        if str(line["kpi"]) in snapshot
    ]
    lines = [line for line in lines if str(line["kpi"]) in snapshot]
    if not lines:
        return {}

    def row(key: str, override: float | None = None) -> np.ndarray:
        values = [
            override if override is not None and line["kpi"] == kpi_id else line[key]
            for line in lines
        ]
        return np.array([[np.nan if v is None else float(v) for v in values]])

    result = scoring.score_kpis(
        engine_inputs.kpi_rules(kpis),
        scoring.ScoringInput(
            actual=row("actual", actual), weights=row("weight"), targets=row("target")
        ),
    )
    final, grades = services_cycles.final_and_grades(
        cycle,
        kpi=result.weighted_score,
        competency=np.array(
            [np.nan if review.competency_score is None else float(review.competency_score)]
        ),
        manager=np.array(
            [
                np.nan
                if review.manager_rating is None
                else review.manager_rating * services_cycles.RATING_SCALE
            ]
        ),
        adjustment=np.array([float(review.adjustment)]),
        veto=result.veto_failed.any(axis=1),
    )
    column = next(i for i, line in enumerate(lines) if line["kpi"] == kpi_id)
    grade = cycle.grade_names[int(grades[0])] if grades[0] >= 0 else ""
    return {
        "kpi_score": round(float(result.kpi_scores[0, column]), 2)
        if np.isfinite(result.kpi_scores[0, column])
        else None,
        "weighted_kpi": round(float(result.weighted_score[0]), 2),
        "final": round(float(final[0]), 2) if np.isfinite(final[0]) else None,
        "grade": grade,
    }


def dashboard(*, user: Any, cycle: Any | None) -> dict[str, Any]:
    """Figures of the appraisal dashboard over the reviews ``user`` may list (own excluded):
    grade distribution by team for ``cycle``, completion rates by team, progress of open
    cycles by status, and the average KPI and final score per cycle (the trend)."""
    from django.db.models import Avg, Count, Q

    from opsteam.performance.models import Review, ReviewCycle

    visible = Review.objects.restrict(user, "list").exclude(staff__user=user)
    result: dict[str, Any] = {"cycle": cycle}
    if cycle is not None:
        names = cycle.grade_names
        rows = (
            visible.filter(cycle=cycle)
            .exclude(grade="")
            .order_by()
            .values("unit__name", "grade")
            .annotate(n=Count("pk"))
        )
        teams: dict[str, dict[str, int]] = {}
        for row in rows:
            teams.setdefault(row["unit__name"], {})[row["grade"]] = row["n"]
        team_names = sorted(teams)
        result["grade_chart"] = {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": names},
            "xAxis": {"type": "category", "data": team_names},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {
                    "name": name,
                    "type": "bar",
                    "stack": "grades",
                    "data": [teams[team].get(name, 0) for team in team_names],
                }
                for name in names
            ],
        }
        result["completion"] = list(
            visible.filter(cycle=cycle)
            .order_by("unit__name")
            .values("unit__name")
            .annotate(
                total=Count("pk"),
                self_done=Count("pk", filter=Q(self_submitted_at__isnull=False)),
                manager_done=Count("pk", filter=Q(manager_submitted_at__isnull=False)),
                acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            )
        )
        for row in result["completion"]:
            for key in ("self_done", "manager_done", "acknowledged"):
                row[f"{key}_rate"] = (
                    round(100.0 * row[key] / row["total"], 1) if row["total"] else 0
                )
        if cycle.feedback_campaign_id:
            from opsteam.surveys import selectors as surveys

            teams_of = dict(visible.filter(cycle=cycle).values_list("staff_id", "unit__name"))
            heat = surveys.competency_heatmap(cycle.feedback_campaign, teams_of, min_people=3)
            result["heatmap"] = heat
            points = [
                [x, y, value]
                for y, row in enumerate(heat["values"])
                for x, value in enumerate(row)
                if value is not None
            ]
            result["heatmap_chart"] = (
                {
                    "tooltip": {"position": "top"},
                    "grid": {"left": 120, "bottom": 60},
                    "xAxis": {"type": "category", "data": heat["competencies"]},
                    "yAxis": {"type": "category", "data": heat["groups"]},
                    "visualMap": {
                        "min": 1,
                        "max": 5,
                        "calculable": True,
                        "orient": "horizontal",
                        "left": "center",
                        "bottom": 0,
                    },
                    "series": [{"type": "heatmap", "data": points, "label": {"show": True}}],
                }
                if points
                else None
            )
    trend = list(
        visible.filter(cycle__scored_at__isnull=False)
        .order_by("cycle__period_start")
        .values("cycle__name", "cycle__period_start")
        .annotate(kpi=Avg("kpi_score"), final=Avg("final_score"))
    )
    result["trend_chart"] = (
        {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": ["KPI", "final"]},
            "xAxis": {"type": "category", "data": [row["cycle__name"] for row in trend]},
            "yAxis": {"type": "value"},
            "series": [
                {
                    "name": "KPI",
                    "type": "line",
                    "data": [round(float(row["kpi"] or 0), 1) for row in trend],
                },
                {
                    "name": "final",
                    "type": "line",
                    "data": [round(float(row["final"] or 0), 1) for row in trend],
                },
            ],
        }
        if trend
        else None
    )
    open_cycles = ReviewCycle.objects.exclude(stage__in=["draft", "closed"]).order_by(
        "-period_start"
    )
    progress = (
        visible.filter(cycle__in=open_cycles)
        .order_by()
        .values("cycle_id", "status")
        .annotate(n=Count("pk"))
    )
    by_cycle: dict[int, dict[str, int]] = {}
    for row in progress:
        by_cycle.setdefault(row["cycle_id"], {})[row["status"]] = row["n"]
    result["open_cycles"] = [
        {"cycle": c, "statuses": by_cycle.get(c.pk, {})} for c in open_cycles[:10]
    ]
    return result


def kpi_list(*, user: Any, action: str = "view") -> Any:
    """The KPI library rows ``user`` may ``action`` (everyone reads it; HR and admins edit)."""
    from opsteam.core import policy
    from opsteam.performance.models import Kpi

    return policy.restrict(Kpi.objects.all(), user, action)


def kpi_template_list(*, user: Any, action: str = "view") -> Any:
    """KPI templates with their position and level, item count and total weight (one query)."""
    from django.db.models import Count, Sum

    from opsteam.core import policy
    from opsteam.performance.models import KpiTemplate

    return (
        policy.restrict(KpiTemplate.objects.all(), user, action)
        .select_related("position", "level")
        .annotate(item_count=Count("items"), weight_total=Sum("items__weight"))
    )


def measurement_list(*, user: Any, action: str = "view") -> Any:
    """Measurements ``user`` may ``action``: operators their own, managers their subtree's,
    HR, administrators and auditors everyone's."""
    from opsteam.performance.models import Measurement

    return Measurement.objects.restrict(user, action).select_related("staff", "kpi", "entered_by")


# Scores, ratings and grades a reviewee sees only once their cycle is published.
RESULT_FIELDS = (
    "kpi_score",
    "competency_score",
    "manager_rating",
    "manager_comment",
    "potential",
    "adjustment",
    "adjustment_reason",
    "final_score",
    "proposed_grade",
    "grade",
    "grade_source",
    "coefficient",
    "veto_applied",
    "scorecard",
)


def redact_unpublished_results(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Personal-data export of a person's own reviews: blank the results of unpublished cycles
    (the same rule as the pages and the API)."""
    from opsteam.performance.models import ReviewCycle

    published = set(
        ReviewCycle.objects.filter(
            pk__in={row["cycle_id"] for row in rows}, published_at__isnull=False
        ).values_list("pk", flat=True)
    )
    return [
        row if row["cycle_id"] in published else {**row, **dict.fromkeys(RESULT_FIELDS, None)}
        for row in rows
    ]
