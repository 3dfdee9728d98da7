"""Collaboration API: knowledge base (registered by collab/api/urls.py)."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Register this area's viewsets."""


paths: list = []
