"""API of this area (being built)."""

paths: list = []


def register(router) -> None:
    """Register this area's viewsets on the app's router."""
