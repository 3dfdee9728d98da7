"""Access-matrix rows of announcements (pages and API). Walked by
core/tests/test_permission_matrix.py.

Every requesting user works in team T1 (the manager leads it). Objects: an important
announcement HR published to T1 (so everyone here is a reader), one HR published to T3
(nobody here reads it: HR, administrators and auditors see it through the policy), and a
draft for T1 and one for T3. HR and administrators manage all, T1's manager those scoped to
T1, auditors read all without writing or naming readers; operators only read what reaches them.
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import Check, _all, _roles

MANAGERS = _roles(200, operator=403)
WRITERS = _roles(403, admin=200, hr=200, manager=200)
WRITERS_400 = _roles(403, admin=400, hr=400, manager=400)
TEAM = _all(200)
OTHER = _roles(200, manager=404, operator=404)
TEAM_WRITE_PAGE = _roles(302, auditor=403, operator=404)
OTHER_WRITE_PAGE = _roles(302, manager=404, auditor=403, operator=404)
TEAM_WRITE_API = _roles(200, auditor=403, operator=403)
DRAFT_WRITE_API = _roles(200, auditor=403, operator=404)
OTHER_WRITE_API = _roles(200, manager=404, auditor=403, operator=404)

EXPECTED: dict[str, list[Check]] = {
    "collab:announcement_list": [
        Check(_all(200)),
        Check(_all(200), query="show=unacknowledged&q=%E9%80%9A%E7%9F%A5"),
    ],
    "collab:announcement_manage": [Check(MANAGERS), Check(MANAGERS, query="status=published")],
    "collab:announcement_create": [
        Check(WRITERS),
        Check(WRITERS_400, method="post", data={"title": "x"}),
    ],
    "collab:announcement_audience": [Check(WRITERS)],
    "collab:announcement_detail": [
        Check(TEAM, obj="team_announcement"),
        Check(OTHER, obj="other_announcement"),
        Check(_roles(200, operator=404), obj="t1_announcement_draft"),
    ],
    "collab:announcement_edit": [
        Check(_roles(200, auditor=403, operator=404), obj="team_announcement"),
        Check(_roles(200, manager=404, auditor=403, operator=404), obj="t3_announcement_draft"),
        Check(_roles(400, auditor=403, operator=404), method="post", obj="t1_announcement_draft"),
    ],
    "collab:announcement_publish": [
        Check(TEAM_WRITE_PAGE, method="post", obj="t1_announcement_draft"),
        Check(OTHER_WRITE_PAGE, method="post", obj="t3_announcement_draft"),
    ],
    "collab:announcement_archive": [
        Check(TEAM_WRITE_PAGE, method="post", obj="team_announcement"),
        Check(OTHER_WRITE_PAGE, method="post", obj="other_announcement"),
    ],
    "collab:announcement_delete": [
        Check(TEAM_WRITE_PAGE, method="post", obj="t1_announcement_draft"),
        Check(OTHER_WRITE_PAGE, method="post", obj="t3_announcement_draft"),
    ],
    "collab:announcement_acknowledge": [
        Check(_all(302), method="post", obj="team_announcement"),
        Check(_roles(403, manager=404, operator=404), method="post", obj="other_announcement"),
    ],
    "collab:announcement_stats": [
        Check(_roles(200, operator=404), obj="team_announcement"),
        Check(OTHER, obj="other_announcement"),
        Check(_roles(200, auditor=403, operator=404), obj="team_announcement", query="export=csv"),
    ],
    "collab:announcement_remind": [
        Check(TEAM_WRITE_PAGE, method="post", obj="team_announcement"),
        Check(OTHER_WRITE_PAGE, method="post", obj="other_announcement"),
    ],
    "collab-announcement-list": [
        Check(_all(200)),
        Check(_all(200), query="status=published&q=x"),
        Check(WRITERS_400, method="post", data={"title": "x", "units": [2**63]}),
    ],
    "collab-announcement-detail": [
        Check(TEAM, obj="team_announcement"),
        Check(OTHER, obj="other_announcement"),
        Check(TEAM_WRITE_API, method="patch", obj="team_announcement", data={"title": "改"}),
        Check(OTHER_WRITE_API, method="patch", obj="t3_announcement_draft", data={"title": "改"}),
        Check(_roles(204, auditor=403, operator=404), method="delete", obj="t1_announcement_draft"),
    ],
    "collab-announcement-publish": [
        Check(DRAFT_WRITE_API, method="post", obj="t1_announcement_draft"),
        Check(OTHER_WRITE_API, method="post", obj="t3_announcement_draft"),
    ],
    "collab-announcement-archive": [
        Check(TEAM_WRITE_API, method="post", obj="team_announcement"),
        Check(OTHER_WRITE_API, method="post", obj="other_announcement"),
    ],
    "collab-announcement-read": [
        Check(_all(200), method="post", obj="team_announcement"),
        Check(_all(404), method="post", obj="other_announcement"),
    ],
    "collab-announcement-acknowledge": [
        Check(_all(200), method="post", obj="team_announcement"),
        Check(_roles(403, manager=404, operator=404), method="post", obj="other_announcement"),
    ],
    "collab-announcement-remind": [
        Check(TEAM_WRITE_API, method="post", obj="team_announcement"),
        Check(OTHER_WRITE_API, method="post", obj="other_announcement"),
    ],
    "collab-announcement-receipts": [
        Check(TEAM_WRITE_API, obj="team_announcement"),
        Check(OTHER_WRITE_API, obj="other_announcement"),
    ],
}

GUARDED = ("collab.Announcement", "collab.AnnouncementReceipt")


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """Published announcements to T1 and T3, and a draft for each, all by HR."""
    from opsteam.collab import services_announcements as services

    hr = users["hr"]

    def draft(unit: Any, title: str) -> Any:
        return services.announcement_create(
            actor=hr, title=title, body="请阅读", importance="important", units=[unit]
        )

    def published(unit: Any, title: str) -> Any:
        return services.announcement_publish(actor=hr, announcement=draft(unit, title))

    return {
        "team_announcement": published(objects["t1"], "店铺排班调整"),
        "other_announcement": published(objects["t3"], "结算流程变更"),
        "t1_announcement_draft": draft(objects["t1"], "草稿：店铺"),
        "t3_announcement_draft": draft(objects["t3"], "草稿：结算"),
    }
