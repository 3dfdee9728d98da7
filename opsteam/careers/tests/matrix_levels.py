"""Access-matrix rows of the job level pages (list, add, edit, delete). Walked by
core/tests/test_permission_matrix.py; the job level API (``org-level-*``) is in core's table.

Job levels are reference data: everyone reads them, HR and administrators add, change and
delete them. ``levels_spare`` is a level nothing uses, so deleting it succeeds for editors.
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import EDITORS, EDITORS_400, EVERYONE, Check, _roles

EDITORS_302 = _roles(403, admin=302, hr=302)

EXPECTED: dict[str, list[Check]] = {
    "careers:level_list": [Check(EVERYONE), Check(EVERYONE, query="export=csv")],
    "careers:level_create": [
        Check(EDITORS),
        Check(EDITORS_400, method="post", data={"code": "", "name": "新级别"}),
    ],
    "careers:level_edit": [
        Check(EDITORS, obj="levels_spare"),
        Check(EDITORS_400, method="post", obj="levels_spare", data={"code": ""}),
    ],
    "careers:level_delete": [Check(EDITORS_302, method="post", obj="levels_spare")],
}

GUARDED = ("org.JobLevel",)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A job level nothing uses yet."""
    from opsteam.org.tests.factories import JobLevelFactory

    return {"levels_spare": JobLevelFactory(code="LVL-SPARE", name="备用级别", rank=9)}
