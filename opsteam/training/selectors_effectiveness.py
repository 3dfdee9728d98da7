"""The effectiveness report (培训效果评估) of a course or one session, on the four levels.

Reads the inputs (reaction survey answers released by the surveys anonymity rule, pre/post-test
scores, managers' behaviour observations, KPI measurements of trainees and of matched untrained
colleagues) in a fixed number of queries and hands them to the pure engine
``opsteam.training.effectiveness``; the view only renders what comes back.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from opsteam.org.models import Staff
from opsteam.performance.choices import KpiDirection, TemplateStatus
from opsteam.performance.models import Kpi, KpiTemplateItem, Measurement
from opsteam.training import effectiveness
from opsteam.training.choices import CheckpointStatus, EnrolmentStatus
from opsteam.training.models import BehaviourCheck, BehaviourItem, Course, Enrolment, Session

WINDOW_DAYS = 90
CONTROLS_PER_TRAINEE = 3

# Reasons the engine gives (stable codes) in the reader's language.
REASONS = {
    "no_trained": lambda r: _("Nobody who completed the training has KPI data in both windows."),
    "too_few_trained": lambda r: _(
        "Not enough data: {n} trained people have KPI data before and after (at least {m} needed)."
    ).format(n=r.n_trained, m=r.min_group),
    "no_control": lambda r: _("Not enough data: no comparable untrained colleague was found."),
    "too_few_control": lambda r: _(
        "Not enough data: {n} comparable untrained colleagues (at least {m} needed)."
    ).format(n=r.n_control, m=r.min_group),
    "zero_variance": lambda r: _("Every change was identical, so no interval can be given."),
    "too_few_pairs": lambda r: _("At least two people with both tests are needed for an interval."),
    "no_spread": lambda r: _("Every gain was identical, so no interval can be given."),
}


def reason_text(code: str | None, result: Any) -> str:
    """The engine's reason ``code`` in the reader's language."""
    if not code:
        return ""
    render = REASONS.get(code)
    return render(result) if render else getattr(result, "reason", "") or code


@dataclass
class ResultsLevel:
    kpi: Kpi | None
    candidates: list[Kpi]
    did: effectiveness.DiD | None
    window_days: int
    reason: str
    ci_reason: str
    chart: dict | None


def _trainees(course: Course, session: Session | None) -> list[tuple[int, dt.date]]:
    completed = Enrolment.objects.filter(
        course=course, status=EnrolmentStatus.COMPLETED, completed_on__isnull=False
    )
    if session is not None:
        completed = completed.filter(registrations__session=session, registrations__attended=True)
    return list(completed.values_list("staff_id", "completed_on").distinct())


QUERY_CHUNK = 2000  # query rows per statement (SQLite allows 32,766 parameters)


@dataclass(frozen=True)
class WindowMeans:
    before: np.ndarray  # (queries,) mean in [anchor - window, anchor); NaN without data
    after: np.ndarray  # (queries,) mean in (anchor, anchor + window]; NaN without data


def window_means(
    kpi: Kpi, queries: list[tuple[int, dt.date]], window_days: int, *, after: bool = True
) -> WindowMeans:
    """Each (person, anchor day)'s KPI mean in the window before and after the anchor.

    Set-based: the query rows go to the database as a VALUES list joined to the measurements
    and grouped, so only one row per query comes back, whatever the number of daily values.
    The anchor day itself (the course day) belongs to neither window.
    """
    before_out = np.full(len(queries), np.nan)
    after_out = np.full(len(queries), np.nan)
    if not queries:
        return WindowMeans(before_out, after_out)
    table = Measurement._meta.db_table
    window, day = dt.timedelta(days=window_days), dt.timedelta(days=1)
    with connection.cursor() as cursor:
        for start in range(0, len(queries), QUERY_CHUNK):
            chunk = queries[start : start + QUERY_CHUNK]
            params: list[Any] = []
            for index, (staff_id, anchor) in enumerate(chunk, start=start):
                last = anchor + window if after else anchor - day
                params += [index, staff_id, anchor - window, anchor - day, anchor + day, last]
            rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"""
                WITH q (idx, staff_id, b_lo, b_hi, a_lo, a_hi) AS (VALUES {rows})
                SELECT q.idx,
                       AVG(CASE WHEN m.date <= q.b_hi THEN m.value END),
                       AVG(CASE WHEN m.date >= q.a_lo THEN m.value END)
                FROM q JOIN {table} m
                  ON m.staff_id = q.staff_id AND m.kpi_id = %s
                 AND m.date >= q.b_lo AND m.date <= q.a_hi
                GROUP BY q.idx
                """,  # noqa: S608 (table name from the model; every value is a parameter)
                [*params, kpi.pk],
            )
            for index, before, after_mean in cursor.fetchall():
                if before is not None:
                    before_out[index] = float(before)
                if after_mean is not None:
                    after_out[index] = float(after_mean)
    return WindowMeans(before_out, after_out)


def results_level(
    *,
    course: Course,
    session: Session | None = None,
    kpi_id: int | None = None,
    window_days: int = WINDOW_DAYS,
    min_group: int = 5,
) -> ResultsLevel:
    """Difference-in-differences of a KPI: trainees before/after their course against matched
    untrained colleagues of the same positions over the same windows (6 queries)."""
    trainees = _trainees(course, session)
    empty = ResultsLevel(None, [], None, window_days, _("Nobody has completed it yet."), "", None)
    if not trainees:
        return empty
    trained_ids = [staff_id for staff_id, _day in trainees]
    first = min(day for _s, day in trainees) - dt.timedelta(days=window_days)  # KPI choice
    last = max(day for _s, day in trainees) + dt.timedelta(days=window_days)
    measured = (
        Measurement.objects.filter(staff_id__in=trained_ids, date__gte=first, date__lte=last)
        .values("kpi_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "kpi_id")
    )
    counts = {row["kpi_id"]: row["n"] for row in measured}
    # the default KPI is the one that weighs most in the trainees' scorecards
    weights: dict[int, float] = {}
    for kpi_pk, weight in KpiTemplateItem.objects.filter(
        template__status=TemplateStatus.ACTIVE,
        template__position__in=Staff.objects.filter(pk__in=trained_ids).values("position_id"),
        kpi_id__in=list(counts),
    ).values_list("kpi_id", "weight"):
        weights[kpi_pk] = max(weights.get(kpi_pk, 0.0), float(weight))
    candidates = sorted(
        Kpi.objects.filter(pk__in=counts),
        key=lambda k: (-weights.get(k.pk, 0.0), -counts[k.pk], k.code),
    )
    if not candidates:
        empty.reason = _("The trainees have no KPI measurements around their course dates.")
        return empty
    kpi = next((k for k in candidates if k.pk == kpi_id), candidates[0])

    # the comparison pool: active colleagues in the trainees' positions who have not completed it
    positions = Staff.objects.filter(pk__in=trained_ids).values("position_id")
    pool = list(
        Staff.objects.filter(position_id__in=positions, status="active")
        .exclude(
            pk__in=Enrolment.objects.filter(course=course, status=EnrolmentStatus.COMPLETED).values(
                "staff_id"
            )
        )
        .values_list("pk", "hire_date", "level__rank")
    )
    pool_ids = [pk for pk, _h, _r in pool]
    anchors = np.array([day.toordinal() for _s, day in trainees], dtype=np.int64)
    trained = window_means(kpi, trainees, window_days)
    did_inputs: tuple[np.ndarray, ...]
    control_before = control_after = np.array([], dtype=float)
    if pool:
        # match on the KPI before the course (at the trainee's median date), tenure and level
        median_anchor = int(np.median(anchors))
        median_day = dt.date.fromordinal(median_anchor)
        pool_baseline = window_means(
            kpi, [(pk, median_day) for pk in pool_ids], window_days, after=False
        ).before
        trained_info = {
            pk: (hired, rank)
            for pk, hired, rank in Staff.objects.filter(pk__in=trained_ids).values_list(
                "pk", "hire_date", "level__rank"
            )
        }
        usable_t = ~np.isnan(trained.before)
        usable_p = ~np.isnan(pool_baseline)
        if usable_t.any() and usable_p.any():
            t_rows = np.flatnonzero(usable_t)
            p_rows = np.flatnonzero(usable_p)
            t_features = np.array(
                [
                    [
                        trained.before[i],
                        (anchors[i] - trained_info[trained_ids[i]][0].toordinal()) / 30.4,
                        trained_info[trained_ids[i]][1] or 0,
                    ]
                    for i in t_rows
                ]
            )
            p_features = np.array(
                [
                    [
                        pool_baseline[j],
                        (median_anchor - pool[j][1].toordinal()) / 30.4,
                        pool[j][2] or 0,
                    ]
                    for j in p_rows
                ]
            )
            match = effectiveness.match_controls(
                t_features, p_features, per_trained=CONTROLS_PER_TRAINEE
            )
            chosen = [
                (pool_ids[p_rows[pick]], trainees[t_index][1])
                for t_index, picks in zip(t_rows, match.pool_index, strict=True)
                for pick in picks
                if pick >= 0
            ]
            if chosen:
                control = window_means(kpi, chosen, window_days)
                control_before, control_after = control.before, control.after
    did_inputs = (trained.before, trained.after, control_before, control_after)
    did = effectiveness.estimate_did(
        *did_inputs,
        min_group=min_group,
        higher_is_better=kpi.direction == KpiDirection.HIGHER,
    )
    chart = None
    if did.trained_before_mean is not None:
        chart = {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [_("Trained"), _("Comparison group")]},
            "xAxis": {
                "type": "category",
                "data": [
                    pgettext("training effect", "Before the course"),
                    pgettext("training effect", "After the course"),
                ],
            },
            "yAxis": {"type": "value", "scale": True, "name": kpi.unit},
            "series": [
                {
                    "name": _("Trained"),
                    "type": "line",
                    "data": [_round(did.trained_before_mean), _round(did.trained_after_mean)],
                },
                {
                    "name": _("Comparison group"),
                    "type": "line",
                    "lineStyle": {"type": "dashed"},
                    "data": [_round(did.control_before_mean), _round(did.control_after_mean)],
                },
            ],
        }
    return ResultsLevel(
        kpi=kpi,
        candidates=candidates,
        did=did,
        window_days=window_days,
        reason=reason_text(did.code, did) if not did.estimable else "",
        ci_reason=reason_text(did.ci_code, did),
        chart=chart,
    )


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def behaviour_level(*, course: Course, session: Session | None = None) -> dict[str, Any]:
    """Managers' observations at 30/60/90 days, per checkpoint and per behaviour (1-5 scale)."""
    items = list(BehaviourItem.objects.filter(course=course))
    checks = BehaviourCheck.objects.filter(enrolment__course=course, status=CheckpointStatus.DONE)
    if session is not None:
        checks = checks.filter(
            enrolment__registrations__session=session, enrolment__registrations__attended=True
        )
    rows = list(checks.values_list("checkpoint_days", "ratings"))
    due = BehaviourCheck.objects.filter(
        enrolment__course=course, status=CheckpointStatus.DUE
    ).count()
    if not items or not rows:
        return {"items": items, "summary": None, "due": due, "chart": None}
    ratings = np.full((len(rows), len(items)), np.nan)
    for r, (_days, values) in enumerate(rows):
        for c, item in enumerate(items):
            value = (values or {}).get(str(item.pk))
            if value is not None:
                ratings[r, c] = float(value)
    summary = effectiveness.summarise_behaviour(
        ratings, np.array([days for days, _v in rows]), scale=(1.0, 5.0)
    )
    chart = {
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "category",
            "data": [_("{days} days").format(days=int(d)) for d in summary.checkpoints],
        },
        "yAxis": {"type": "value", "min": 0, "max": 100, "name": "%"},
        "series": [
            {
                "name": _("Behaviour applied"),
                "type": "line",
                "data": [
                    None if np.isnan(m) else round(float(m) * 100, 1)
                    for m in summary.checkpoint_means
                ],
            }
        ],
    }
    per_item = [
        {
            "item": item,
            "mean": None
            if np.isnan(summary.item_means[i])
            else round(float(summary.item_means[i]) * 100, 1),
            "n": int(summary.item_counts[i]),
        }
        for i, item in enumerate(items)
    ]
    return {"items": items, "summary": summary, "per_item": per_item, "due": due, "chart": chart}


def learning_level(*, course: Course, session: Session | None = None) -> dict[str, Any]:
    """Post-test minus pre-test per person: the gain, its spread and interval."""
    from opsteam.training import selectors_exams

    scores = selectors_exams.exam_scores(course.pk)
    if session is not None:
        attended = set(
            session.registrations.filter(attended=True).values_list(
                "enrolment__staff_id", flat=True
            )
        )
        scores = [row for row in scores if row[0] in attended]
    if not scores:
        return {"summary": None, "chart": None, "ci_reason": ""}
    pre = np.array([np.nan if p is None else float(p) for _s, p, _q in scores])
    post = np.array([np.nan if q is None else float(q) for _s, _p, q in scores])
    summary = effectiveness.measure_learning(pre, post)
    gains = (post - pre)[~np.isnan(post - pre)]
    chart = None
    if gains.size:
        edges = np.arange(np.floor(gains.min() / 10) * 10, np.ceil(gains.max() / 10) * 10 + 10, 10)
        if edges.size < 2:
            edges = np.array([gains.min(), gains.min() + 10])
        counts, edges = np.histogram(gains, bins=edges)
        chart = {
            "tooltip": {"trigger": "axis"},
            "xAxis": {
                "type": "category",
                "name": _("Gain (points)"),
                "data": [f"{int(lo)}…{int(hi)}" for lo, hi in itertools.pairwise(edges)],
            },
            "yAxis": {"type": "value", "minInterval": 1, "name": _("People")},
            "series": [{"name": _("People"), "type": "bar", "data": [int(c) for c in counts]}],
        }
    return {
        "summary": summary,
        "chart": chart,
        "ci_reason": reason_text(summary.ci_code, summary),
    }


def course_report(
    *,
    course: Course,
    session: Session | None = None,
    kpi_id: int | None = None,
    window_days: int = WINDOW_DAYS,
) -> dict[str, Any]:
    """All four levels of ``course`` (or of one of its sessions) for the report page and API."""
    from opsteam.training import reaction

    enrolled = Enrolment.objects.filter(course=course).aggregate(
        total=Count("pk", filter=~Q(status=EnrolmentStatus.CANCELLED)),
        completed=Count("pk", filter=Q(status=EnrolmentStatus.COMPLETED)),
    )
    return {
        "course": course,
        "session": session,
        "sessions": list(course.sessions.order_by("-starts_at")[:50]),
        "enrolled": enrolled,
        "reaction": reaction.report_reaction(course=course, session=session),
        "learning": learning_level(course=course, session=session),
        "behaviour": behaviour_level(course=course, session=session),
        "results": results_level(
            course=course, session=session, kpi_id=kpi_id, window_days=window_days
        ),
        "generated_at": timezone.now(),
    }
