"""Reads of pulse surveys: results by team with trends, themes, and the system review's figures."""

from __future__ import annotations

from typing import Any


def review_section(*, start: Any, end: Any) -> dict[str, Any] | None:
    """Engagement (pulse results, eNPS) for the periodic system review (see insights), or None."""
    return None
