"""Access-matrix rows of the system review (pages and API) and the home page's panels.
Walked by core/tests/test_permission_matrix.py.

Objects: one draft review of 2026 Q3. HR and administrators run it (the matrix's manager leads
team T1, not a director, so only reads it); auditors read it; operators do not see reviews
(they see the improvement actions they own, through workflow's pages).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opsteam.core.tests.matrix_support import Check, _all, _roles

READ = _roles(200, operator=404)
LIST = _roles(200, operator=403)
RUN_PAGE = _roles(403, admin=200, hr=200, operator=404)
RUN_POST = _roles(403, admin=302, hr=302, operator=404)
RUN_API = _roles(403, admin=200, hr=200, operator=404)
RUN_API_400 = _roles(403, admin=400, hr=400, operator=404)

EXPECTED: dict[str, list[Check]] = {
    "insights:home_owed": [Check(_all(200))],
    "insights:home_watch": [Check(_all(200))],
    "insights:review_list": [Check(LIST)],
    "insights:review_create": [
        Check(_roles(403, admin=200, hr=200)),
        Check(_roles(403, admin=400, hr=400), method="post", data={"period_start": "x"}),
    ],
    "insights:review_detail": [Check(READ, obj="review")],
    "insights:review_print": [Check(READ, obj="review")],
    "insights:review_export": [Check(READ, obj="review")],
    "insights:review_edit": [
        Check(RUN_PAGE, obj="review"),
        Check(_roles(403, admin=400, hr=400, operator=404), method="post", obj="review", data={}),
    ],
    "insights:review_start": [Check(RUN_POST, method="post", obj="review")],
    "insights:review_close": [Check(RUN_POST, method="post", obj="review")],
    "insights:review_action_create": [Check(RUN_POST, method="post", obj="review", data={})],
    "insights-review-list": [
        Check(LIST),
        Check(_roles(403, admin=400, hr=400), method="post", data={"period_start": "x"}),
    ],
    "insights-review-detail": [
        Check(READ, obj="review"),
        Check(RUN_API, method="patch", obj="review", data={"summary": "本季度稳定"}),
    ],
    "insights-review-report": [Check(READ, obj="review")],
    "insights-review-start": [Check(RUN_API, method="post", obj="review")],
    "insights-review-close": [Check(RUN_API_400, method="post", obj="review")],
    "insights-review-raise-action": [
        Check(RUN_API_400, method="post", obj="review", data={"section": "nope"})
    ],
}

GUARDED = ("insights.SystemReview", "workflow.ImprovementAction")


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A draft review of 2026 Q3."""
    from opsteam.insights.models import SystemReview

    review, _created = SystemReview.objects.get_or_create(
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        defaults={"title": "2026 Q3 体系评估"},
    )
    return {"review": review}
