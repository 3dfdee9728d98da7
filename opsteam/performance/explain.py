"""A KPI's scoring rule in words and as a score curve, and the engine's refusals as field errors.

The numbers come from the pure engine (``scoring.score_kpis``), so the curve on the KPI page is
exactly what a review cycle would compute; this module only adds words and translations.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opsteam.performance import engine_inputs, scoring

# The engine names the offending rule parameter first ("rules.threshold[0]: ..."): the model
# field it comes from, so the form shows the error on that field.
_ENGINE_FIELDS = {
    "threshold": "threshold",
    "target": "target",
    "stretch": "stretch",
    "stretch_score": "stretch_score",
    "cap": "cap",
    "per_unit": "per_unit",
    "bands": "bands",
    "direction": "direction",
    "missing": "missing_rule",
    "veto": "is_veto",
    "kind": "rule",
}
_ENGINE_PREFIX = re.compile(r"^(?:rules\.)?(?P<name>[a-z_]+)(?:\[\d+\])?:\s*(?P<text>.*)$", re.S)


def _engine_messages() -> list[tuple[str, str]]:
    """(fragment of the engine's English message, what the user reads), most specific first."""
    return [
        (
            "worse side of the target",
            _(
                "The threshold (score 0) must be worse than the target: below it when higher "
                "is better, above it when lower is better."
            ),
        ),
        (
            "at least one",
            _("The bands need at least one [from value, score] pair, e.g. [[60, 60], [80, 90]]."),
        ),
        (
            "never score less",
            _(
                "A better value must never score less than a worse one: check the scores of "
                "the bands."
            ),
        ),
        ("list of", _("Write the bands as a list of [from value, score] pairs.")),
        ("must be a number", _("Every value and score in the bands must be a number.")),
    ]


def kpi_validation_error(exc: Exception) -> ValidationError:
    """Turn the engine's refusal of a KPI rule into a ``ValidationError`` on the field it names."""
    raw = str(exc)
    match = _ENGINE_PREFIX.match(raw)
    field = _ENGINE_FIELDS.get(match["name"]) if match else None
    text = match["text"] if match else raw
    message = next((mine for fragment, mine in _engine_messages() if fragment in text), text)
    return ValidationError({field: message} if field else message)


def number(value: Any) -> str:
    """A rule parameter as people write it: 95, 0.5, -3 (no trailing zeros)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = Decimal(repr(value))
    return format(Decimal(value).normalize(), "f")


def _with_unit(value: Any, unit: str) -> str:
    return f"{number(value)}{unit}"


def rule_in_words(kpi: Any) -> list[str]:
    """Sentences explaining how a period value of ``kpi`` becomes a score (0..highest score)."""
    unit = kpi.unit or ""
    better = _("Higher is better.") if kpi.direction > 0 else _("Lower is better.")
    target = _with_unit(kpi.target, unit)
    cap = number(kpi.cap)
    lines = [better]
    if kpi.rule == scoring.LINEAR:
        lines.append(
            _(
                "Scores 0 at {threshold} or worse and 100 at the target {target}, on a straight "
                "line in between."
            ).format(threshold=_with_unit(kpi.threshold, unit), target=target)
        )
        if kpi.stretch is not None:
            lines.append(
                _(
                    "Beyond the target the score rises on a straight line to {score} at the "
                    "stretch value {stretch} and stays there."
                ).format(score=number(kpi.stretch_score), stretch=_with_unit(kpi.stretch, unit))
            )
        else:
            lines.append(_("Doing better than the target still scores 100 (no stretch value)."))
    elif kpi.rule == scoring.BANDS:
        lines.append(_("The score is that of the best band the value reaches:"))
        ordered = sorted(
            (pair for pair in kpi.bands or [] if isinstance(pair, list | tuple) and len(pair) == 2),
            key=lambda pair: float(pair[0]) * kpi.direction,
        )
        for edge, score in ordered:
            lines.append(
                _("from {value}: {score} points").format(
                    value=_with_unit(edge, unit), score=number(score)
                )
            )
        lines.append(_("A value worse than every band scores 0."))
    elif kpi.rule == scoring.DEDUCTION:
        lines.append(
            _(
                "100 at the target {target} or better; {points} points off for each unit short "
                "of it, never below 0."
            ).format(target=target, points=number(kpi.per_unit))
        )
    elif kpi.rule == scoring.BONUS:
        lines.append(
            _(
                "100 at the target {target}; {points} more points for each unit beyond it. Short "
                "of the target the score falls in proportion to the shortfall."
            ).format(target=target, points=number(kpi.per_unit))
        )
    elif kpi.rule == scoring.PASS_FAIL:
        lines.append(
            _("100 when the target {target} is reached, otherwise 0.").format(target=target)
        )
    if kpi.rule != scoring.PASS_FAIL:
        lines.append(_("A score never exceeds {cap}.").format(cap=cap))
    if kpi.missing_rule == scoring.ZERO:
        lines.append(_("Without a measurement in the period the KPI scores 0."))
    else:
        lines.append(
            _("Without a measurement in the period its weight goes to the person's other KPIs.")
        )
    if kpi.is_veto:
        lines.append(_("Veto item (一票否决): a score below 100 caps the whole appraisal's grade."))
    return lines


def _anchors(kpi: Any) -> list[float]:
    values = [kpi.target, kpi.threshold if kpi.rule == scoring.LINEAR else None, kpi.stretch]
    if kpi.rule == scoring.BANDS:
        values += [pair[0] for pair in kpi.bands or [] if isinstance(pair, list | tuple) and pair]
    anchors = []
    for value in values:
        try:
            anchors.append(float(value))
        except (TypeError, ValueError):
            continue
    return sorted(set(anchors))


def score_curve(kpi: Any, *, points: int = 80) -> dict[str, Any] | None:
    """Score against actual value over a range around the rule's anchors, from the engine.

    Returns ``{"actual": [...], "score": [...], "anchors": [...]}`` or None when the engine
    refuses the rule (the edit form then says why).
    """
    anchors = _anchors(kpi)
    if not anchors:
        return None
    low, high = anchors[0], anchors[-1]
    span = high - low
    if kpi.rule in (scoring.DEDUCTION, scoring.BONUS) and float(kpi.per_unit or 0) > 0:
        # far enough to see the line reach 0 (deduction) or the cap (bonus)
        reach = max(100.0, float(kpi.cap) - 100.0) / float(kpi.per_unit)
        span = max(span, reach)
    if span <= 0:
        span = abs(low) * 0.5 or 1.0
    pad = span if kpi.rule in (scoring.DEDUCTION, scoring.BONUS) else span * 0.25
    start, stop = low - pad, high + pad
    grid = np.unique(np.concatenate([np.linspace(start, stop, points), np.array(anchors)]))
    try:
        result = scoring.score_kpis(
            engine_inputs.kpi_rules([kpi]),
            scoring.ScoringInput(
                actual=grid.reshape(-1, 1), weights=np.full((len(grid), 1), 100.0)
            ),
        )
    except ValueError:
        return None
    scores = result.kpi_scores[:, 0]
    return {
        "actual": [round(float(x), 6) for x in grid],
        "score": [round(float(y), 2) for y in scores],
        "anchors": anchors,
    }


def curve_chart_option(kpi: Any, curve: dict[str, Any]) -> dict[str, Any]:
    """An ECharts option drawing ``curve`` with the target marked."""
    unit = kpi.unit or ""
    return {
        "grid": {"left": 48, "right": 24, "top": 24, "bottom": 40},
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "value",
            "name": _("Actual value") + (f" ({unit})" if unit else ""),
            "nameLocation": "middle",
            "nameGap": 26,
            "scale": True,
        },
        "yAxis": {"type": "value", "name": _("Score"), "min": 0},
        "series": [
            {
                "type": "line",
                "name": _("Score"),
                "showSymbol": False,
                "data": list(zip(curve["actual"], curve["score"], strict=True)),
                "markLine": {
                    "symbol": "none",
                    "label": {"formatter": _("target")},
                    "data": [{"xAxis": float(kpi.target)}],
                },
            }
        ],
    }
