"""Absolute links for messages that leave the site (e-mail, IM, calendar invitations)."""

from __future__ import annotations

from django.conf import settings


def site_url(path: str) -> str:
    """Absolute address of ``path`` when ``OPSTEAM_SITE_URL`` is set (else the path)."""
    if not path or path.startswith(("http://", "https://")):
        return path
    base = settings.OPSTEAM_SITE_URL.rstrip("/")
    return f"{base}{path}"
