"""Shared vocabulary of the access-matrix tables: roles, expected-status shorthands, ``Check``.

Module tables (``opsteam/<app>/tests/matrix_*.py``) import from here; the walk itself is
``opsteam/core/tests/test_permission_matrix.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = ("admin", "hr", "manager", "operator", "auditor")


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _roles(default: int, **overrides: int) -> dict[str, int]:
    return {**_all(default), **overrides}


EVERYONE = _all(200)
READERS = _roles(403, admin=200, hr=200, auditor=200)  # org-wide readers (list pages)
READERS_404 = _roles(404, admin=200, hr=200, auditor=200)  # their objects: invisible to others
EDITORS = _roles(403, admin=200, hr=200)
ADMIN_ONLY = _roles(403, admin=200)


@dataclass(frozen=True)
class Check:
    """One request: ``obj`` names the object whose pk fills the URL (see ``_objects``)."""

    expected: dict[str, int]
    method: str = "get"
    obj: str | None = None
    kwarg: str = "pk"
    data: dict[str, Any] = field(default_factory=dict)
    extra_kwargs: tuple[tuple[str, str], ...] = ()
    query: str = ""
    multipart: bool = False  # API uploads are multipart; other API writes send JSON


# Staff objects by relation: own record, same team T1, sibling team T2, other department T3.
STAFF_OWN = EVERYONE
STAFF_TEAM = _roles(200, operator=404)
STAFF_SIBLING = _roles(200, manager=404, operator=404)
STAFF_OTHER = _roles(200, manager=404, operator=404)
CHANGE_STAFF_TEAM = _roles(403, admin=200, hr=200, operator=404)
CHANGE_STAFF_OTHER = _roles(403, admin=200, hr=200, manager=404, operator=404)

EDITORS_400 = _roles(403, admin=400, hr=400)
