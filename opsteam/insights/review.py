"""The system review's report: a registry of section providers and the assembly of a report.

Each provider is a dotted path to ``f(*, start, end) -> dict | None`` (None: nothing to report
for the period, e.g. no pulse survey ran). A section dict may hold::

    {"figures": [{"key": "completion", "label": "Completion", "value": 82.5, "unit": "%",
                  "hint": "Completed / assigned enrolments due in the period"}],
     "explanation": "How the figures were computed and what they mean",
     "flags": ["A statement a reader should act on"],
     "links": [{"label": "Training overview", "url": "/training/overview/"}],
     "chart": {...ECharts option...} | None,
     "rows": [{"label": ..., "values": [...]}], "columns": [...]}   # an optional table

Providers of other areas may return any JSON-able dict: ``normalise`` keeps the known keys,
turns top-level numbers into figures and drops the rest, so a provider's mistake can never
break the page (a provider that raises is reported as unavailable). Closing a review freezes
the normalised sections in ``SystemReview.snapshot``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

MAX_FIGURES = 24
MAX_ROWS = 60
MAX_LINES = 20


@dataclass(frozen=True)
class SectionSource:
    """One section of the report: its key, title, provider and whether it holds ratings/pay
    figures (shown only to roles with the fairness review's grant)."""

    key: str
    title: Any
    provider: str
    sensitive: bool = False


SECTIONS: tuple[SectionSource, ...] = (
    SectionSource(
        "fairness",
        gettext_lazy("Appraisal fairness"),
        "opsteam.insights.review.fairness_section",
        sensitive=True,
    ),
    SectionSource(
        "training",
        gettext_lazy("Training effectiveness"),
        "opsteam.insights.review.training_section",
    ),
    SectionSource(
        "engagement", gettext_lazy("Engagement"), "opsteam.surveys.selectors_pulse.review_section"
    ),
    SectionSource(
        "suggestions",
        gettext_lazy("Suggestion throughput"),
        "opsteam.collab.selectors_suggestions.review_section",
    ),
    SectionSource(
        "process", gettext_lazy("Process health"), "opsteam.insights.review.process_section"
    ),
)
SECTION_KEYS = tuple(source.key for source in SECTIONS)


def section_choices() -> list[tuple[str, Any]]:
    return [(source.key, source.title) for source in SECTIONS]


def source_of(key: str) -> SectionSource | None:
    return next((source for source in SECTIONS if source.key == key), None)


# Assembly ------------------------------------------------------------------------------------


def _finite(value: Any) -> Any:
    """NaN and infinities as None: PostgreSQL's jsonb refuses them."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, list):
        return [_finite(item) for item in value]
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    return value


def _jsonable(value: Any) -> Any:
    return _finite(json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str)))


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _local(url: str) -> bool:
    """A link within the site (no scheme, no other host)."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def normalise(raw: Any) -> dict[str, Any] | None:
    """A provider's answer as a bounded, JSON-safe section (None when it has nothing)."""
    if not isinstance(raw, dict):
        return None
    raw = _jsonable(raw)
    figures = []
    for item in _list(raw.get("figures")):
        if isinstance(item, dict) and "label" in item:
            figures.append(
                {
                    "key": str(item.get("key") or item["label"])[:80],
                    "label": str(item["label"])[:200],
                    "value": item.get("value")
                    if _number(item.get("value")) is not None
                    else str(item.get("value", ""))[:200],
                    "unit": str(item.get("unit") or "")[:20],
                    "hint": str(item.get("hint") or "")[:400],
                }
            )
    if not figures:
        for key, value in raw.items():
            if _number(value) is not None:
                figures.append({"key": key, "label": key, "value": value, "unit": "", "hint": ""})
    text = raw.get("explanation") or raw.get("summary") or ""
    section = {
        "figures": figures[:MAX_FIGURES],
        "explanation": str(text)[:4000],
        "flags": [str(flag)[:400] for flag in _list(raw.get("flags"))][:MAX_LINES],
        "links": [
            {"label": str(link.get("label", ""))[:200], "url": str(link.get("url", ""))[:500]}
            for link in _list(raw.get("links"))
            if isinstance(link, dict) and _local(str(link.get("url", "")))
        ][:MAX_LINES],
        "columns": [str(column)[:100] for column in _list(raw.get("columns"))][:12],
        "rows": [
            {
                "label": str(row.get("label", ""))[:200],
                "values": _list(row.get("values"))[:12],
            }
            for row in _list(raw.get("rows"))
            if isinstance(row, dict)
        ][:MAX_ROWS],
        "chart": raw.get("chart") if isinstance(raw.get("chart"), dict) else None,
    }
    if not (section["figures"] or section["explanation"] or section["rows"]):
        return None
    return section


def assemble(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Ask every provider for the period; returns ``{"sections": {key: section | None},
    "unavailable": [keys whose provider failed], "generated_at": iso}``."""
    sections: dict[str, Any] = {}
    unavailable: list[str] = []
    for source in SECTIONS:
        try:
            provider = import_string(source.provider)
            sections[source.key] = normalise(provider(start=start, end=end))
        except Exception:  # a broken provider must not take the whole report down
            logger.exception("system review provider %s failed", source.provider)
            sections[source.key] = None
            unavailable.append(source.key)
    return {
        "sections": sections,
        "unavailable": unavailable,
        "generated_at": timezone.now().isoformat(),
    }


def compare(current: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """Each numeric figure's change against the previous review (same section, same key)."""
    changes: dict[str, dict[str, float]] = {}
    if not previous:
        return changes
    for key, section in (current.get("sections") or {}).items():
        before = ((previous.get("sections") or {}).get(key)) or {}
        old = {
            figure["key"]: figure["value"]
            for figure in before.get("figures", [])
            if _number(figure.get("value")) is not None
        }
        for figure in (section or {}).get("figures", []):
            value = _number(figure.get("value"))
            if value is not None and figure["key"] in old:
                changes.setdefault(key, {})[figure["key"]] = round(value - old[figure["key"]], 2)
    return changes


# Providers of this area (fairness, training, processes) --------------------------------------


class _SystemReader:
    """Who reads org-wide figures for the report: the report is shown to each user through
    ``selectors.visible_sections``; a provider itself reads as an administrator would."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True

    def __init__(self) -> None:
        from opsteam.core.choices import Role

        self._opsteam_roles = {Role.ADMIN: []}


def fairness_section(*, start: dt.date, end: dt.date) -> dict[str, Any] | None:
    """Grade distribution and the fairness review's flags (by team, level, tenure) of the
    latest review cycle that ended in the period, through incentives' fairness selectors."""
    from opsteam.incentives import selectors_fairness
    from opsteam.performance.models import ReviewCycle

    cycle = (
        ReviewCycle.objects.filter(period_end__gte=start, period_end__lte=end)
        .order_by("-period_end")
        .first()
    )
    if cycle is None:
        return None
    report = selectors_fairness.fairness_report(user=_SystemReader(), cycle=cycle)
    if not report.people:
        return None
    from django.db.models import Count

    from opsteam.performance.models import Review

    by_grade = dict(
        Review.objects.filter(cycle=cycle)
        .exclude(grade="")
        .order_by()
        .values_list("grade")
        .annotate(n=Count("pk"))
    )
    grades = [name for name in (cycle.grade_names or sorted(by_grade)) if name in by_grade]
    flags = []
    rows = []
    for dimension in report.dimensions:
        for row in dimension.rows:
            for (measure, label), cell in zip(report.measures, row.cells, strict=False):
                if cell is not None and cell.flagged:
                    flags.append(
                        _(
                            "{dimension} {group}: {measure} {rate}% against {overall}% overall"
                        ).format(
                            dimension=dimension.label,
                            group=row.label,
                            measure=label,
                            rate=selectors_fairness.percent(getattr(cell, "rate", None)),
                            overall=selectors_fairness.percent(
                                getattr(_comparison(dimension, measure, report), "overall", None)
                            ),
                        )
                    )
            if dimension.key == "team":
                rows.append({"label": row.label, "values": [row.n]})
    graded_rate = round(100 * report.graded / report.people, 1) if report.people else None
    return {
        "figures": [
            {"key": "people", "label": _("People in the cycle"), "value": report.people},
            {
                "key": "graded",
                "label": _("Graded"),
                "value": graded_rate,
                "unit": "%",
                "hint": _("{graded} of {people} reviews have a grade").format(
                    graded=report.graded, people=report.people
                ),
            },
            {
                "key": "flags",
                "label": _("Fairness flags"),
                "value": report.flag_count,
                "hint": _(
                    "Groups of at least {n} whose rate differs by more than {margin} points"
                ).format(n=report.min_group, margin=round(report.margin * 100)),
            },
            {"key": "promoted", "label": _("Promoted"), "value": report.promoted},
        ],
        "explanation": _(
            "Cycle {cycle}: the share of top and low grades, bonus ratio and promotions of each "
            "team, level and tenure band compared with everyone, by the fairness review's rules."
        ).format(cycle=cycle.name),
        "flags": flags[:20],
        "links": [
            {
                "label": _("Fairness review"),
                "url": f"{reverse('incentives:fairness')}?cycle={cycle.pk}",
            }
        ],
        "columns": [_("People")],
        "rows": rows[:30],
        "chart": _bar_chart(grades, [by_grade[name] for name in grades]) if grades else None,
    }


def _comparison(dimension: Any, measure: str, report: Any) -> Any:
    for (key, _label), comparison in zip(report.measures, dimension.comparisons, strict=False):
        if key == measure:
            return comparison
    return None


def training_section(*, start: dt.date, end: dt.date) -> dict[str, Any] | None:
    """Completion of enrolments due in the period, overdue ones, and per course completion,
    as training's overview counts them (``training.selectors._progress_counts``)."""
    from opsteam.training import selectors as training_selectors
    from opsteam.training.models import Enrolment

    due = Enrolment.objects.filter(due_on__gte=start, due_on__lte=end)
    by_course = training_selectors._progress_counts(due, end, "course__name")
    assigned = sum(row["assigned"] for row in by_course.values())
    if not assigned:
        return None
    completed = sum(row["completed"] for row in by_course.values())
    overdue = sum(row["overdue"] for row in by_course.values())
    worst = sorted(
        by_course.items(), key=lambda item: item[1]["completed"] / max(item[1]["assigned"], 1)
    )[:10]
    rate = round(100 * completed / assigned, 1)
    return {
        "figures": [
            {
                "key": "completion",
                "label": _("Completion"),
                "value": rate,
                "unit": "%",
                "hint": _("{completed} of {assigned} enrolments due in the period").format(
                    completed=completed, assigned=assigned
                ),
            },
            {"key": "overdue", "label": _("Overdue"), "value": overdue},
            {"key": "assigned", "label": _("Enrolments due"), "value": assigned},
        ],
        "explanation": _(
            "Enrolments whose due date falls in the period; completion counts those completed, "
            "overdue those still open after their due date. Each course's reaction, learning, "
            "behaviour and results levels are on its effectiveness report."
        ),
        "flags": [
            _("{course}: completed {rate}%").format(
                course=title, rate=round(100 * row["completed"] / max(row["assigned"], 1))
            )
            for title, row in worst
            if row["assigned"] and row["completed"] / row["assigned"] < 0.6
        ][:5],
        "links": [{"label": _("Training overview"), "url": reverse("training:overview")}],
        "columns": [_("Assigned"), _("Completed"), _("Overdue")],
        "rows": [
            {"label": title, "values": [row["assigned"], row["completed"], row["overdue"]]}
            for title, row in worst
        ],
        "chart": _bar_chart(
            [title for title, _row in worst],
            [round(100 * row["completed"] / max(row["assigned"], 1), 1) for _t, row in worst],
            unit="%",
        ),
    }


def process_section(*, start: dt.date, end: dt.date) -> dict[str, Any] | None:
    """Work of the processes in the period: items finished, still open past their due date,
    and improvement actions of processes opened and closed (workflow's data)."""
    from django.db.models import Count, Q

    from opsteam.workflow.choices import ActionStatus
    from opsteam.workflow.models import ImprovementAction, ProcessEvent

    tz = timezone.get_current_timezone()
    window = (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    events = list(
        ProcessEvent.objects.filter(completed_at__gte=window[0], completed_at__lt=window[1])
        .order_by()
        .values("process__code", "process__name")
        .annotate(events=Count("pk"), cases=Count("case_id", distinct=True))
        .order_by("-events")[:10]
    )
    actions = ImprovementAction.objects.filter(process__isnull=False).aggregate(
        raised=Count("pk", filter=Q(created_at__gte=window[0], created_at__lt=window[1])),
        closed=Count(
            "pk",
            filter=Q(status=ActionStatus.DONE, updated_at__gte=window[0], updated_at__lt=window[1]),
        ),
        open=Count("pk", filter=~Q(status__in=(ActionStatus.DONE, ActionStatus.CANCELLED))),
    )
    if not events and not any(actions.values()):
        return None
    return {
        "figures": [
            {"key": "processes", "label": _("Processes with activity"), "value": len(events)},
            {
                "key": "cases",
                "label": _("Cases handled"),
                "value": sum(row["cases"] for row in events),
            },
            {
                "key": "actions_raised",
                "label": _("Process actions raised"),
                "value": actions["raised"],
            },
            {
                "key": "actions_closed",
                "label": _("Process actions closed"),
                "value": actions["closed"],
            },
            {"key": "actions_open", "label": _("Process actions open"), "value": actions["open"]},
        ],
        "explanation": _(
            "Cases and events recorded in each process's event log during the period, and the "
            "improvement actions started from its bottlenecks. Each process's analytics shows "
            "where cases wait and why."
        ),
        "links": [{"label": _("Improvement actions"), "url": reverse("workflow:action_list")}],
        "columns": [_("Cases"), _("Events")],
        "rows": [
            {
                "label": f"{row['process__code']} {row['process__name']}",
                "values": [row["cases"], row["events"]],
            }
            for row in events
        ],
    }


def _bar_chart(labels: list[str], values: list[Any], unit: str = "") -> dict[str, Any]:
    return {
        "grid": {"left": 8, "right": 24, "top": 16, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [str(label) for label in labels]},
        "yAxis": {"type": "value", "name": unit},
        "series": [
            {
                "type": "bar",
                "data": values,
                "itemStyle": {"color": "#206bc4"},
                "label": {"show": True, "position": "top"},
            }
        ],
    }
