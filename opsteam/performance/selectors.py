"""Reads of the appraisal domain that other modules (imports, scoring) build on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass


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
    """The locked periods that touch any of ``kpi_ids`` on any of ``dates``.

    HOOK for appraisal cycles: once a cycle's data deadline has passed, measurements of its
    KPIs in its period are refused by imports (and should be by hand entry). Cycles do not
    exist yet, so nothing is locked today; the measurement import calls this through the
    module (``selectors.period_locked``) so tests can monkeypatch it.
    """
    return []
