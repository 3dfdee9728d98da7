"""Reads of collab: suggestions, shared by pages, API, exports, reminders and the home page."""

from __future__ import annotations

from typing import Any


def home_sections(*, user: Any) -> list[dict[str, Any]]:
    """This area's sections of the role home page (see insights/home.py for the shape)."""
    return []


def review_section(*, start: Any, end: Any) -> dict[str, Any] | None:
    """Suggestion throughput for the periodic system review (see insights), or None."""
    return None
