"""Demo data of collab: reports (idempotent; called by load_demo)."""

from __future__ import annotations


def load(seed: int = 7) -> dict[str, int]:
    """Load this area's demo data; returns created counts by kind."""
    return {}
