"""Demo data of collab: knowledge base (idempotent; called by load_demo)."""

from __future__ import annotations


def load(seed: int = 7) -> dict[str, int]:
    """Load this area's demo data; returns created counts by kind."""
    return {}
