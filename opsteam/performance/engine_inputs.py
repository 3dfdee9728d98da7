"""Translate KPI rows into the pure engines' arrays (and back-check them with the engine)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from opsteam.performance.scoring import BANDS, KpiRules, ScoringInput, ScoringInputError, score_kpis


def _float(value: Any, default: float = np.nan) -> float:
    return default if value is None else float(value)


def _bands(kpi: Any) -> tuple[tuple[float, float], ...]:
    raw = kpi.bands or []
    if not isinstance(raw, list) or not all(
        isinstance(pair, list | tuple) and len(pair) == 2 for pair in raw
    ):
        raise ScoringInputError("bands: use a list of [from value, score] pairs")
    try:
        return tuple((float(edge), float(score)) for edge, score in raw)
    except (TypeError, ValueError) as exc:
        raise ScoringInputError("bands: every value and score must be a number") from exc


def kpi_rules(kpis: Sequence[Any]) -> KpiRules:
    """Build the scoring engine's rules for ``kpis`` (in that order)."""
    return KpiRules(
        kind=np.array([k.rule for k in kpis], dtype=int),
        direction=np.array([k.direction for k in kpis], dtype=int),
        threshold=np.array([_float(k.threshold, 0.0) for k in kpis]),
        target=np.array([_float(k.target) for k in kpis]),
        stretch=np.array([_float(k.stretch) for k in kpis]),
        stretch_score=np.array([_float(k.stretch_score, 100.0) for k in kpis]),
        cap=np.array([_float(k.cap, 100.0) for k in kpis]),
        per_unit=np.array([_float(k.per_unit, 0.0) for k in kpis]),
        missing=np.array([k.missing_rule for k in kpis], dtype=int),
        veto=np.array([bool(k.is_veto) for k in kpis]),
        bands=tuple(_bands(k) if k.rule == BANDS else () for k in kpis),
    )


def check_kpi(kpi: Any) -> None:
    """Raise ValueError (naming the field) if the engine would refuse this KPI's rule."""
    rules = kpi_rules([kpi])
    if rules.kind[0] == BANDS and not rules.bands[0]:
        raise ScoringInputError("bands: a band rule needs at least one [from value, score] pair")
    score_kpis(
        rules,
        ScoringInput(actual=np.array([[_float(kpi.target, 0.0)]]), weights=np.array([[100.0]])),
    )
