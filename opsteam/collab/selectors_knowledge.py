"""Reads of collab: knowledge base, shared by pages, API, exports and the home page."""

from __future__ import annotations

from typing import Any


def home_sections(*, user: Any) -> list[dict[str, Any]]:
    """This area's sections of the role home page (see insights/home.py for the shape)."""
    return []
