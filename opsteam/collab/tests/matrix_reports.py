"""Access-matrix rows of work reports and wellbeing check-ins (pages and API). Walked by
core/tests/test_permission_matrix.py.

Objects: the requester's own draft report, a submitted report of a T1 team member and one of
a T3 member; templates of T1 and T3; the requester's own check-in and one of a T1 member whose
direct manager is the matrix's manager. Reports: the author, managers of the subtree, HR and
administrators, auditors read; peers never. Check-ins: the person and the direct manager only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opsteam.core.tests.matrix_support import Check, _all, _roles

TEAM = _roles(200, operator=404)
OTHER = _roles(200, manager=404, operator=404)
TEMPLATE_WRITERS = _roles(403, admin=200, hr=200, manager=200)
TEMPLATE_WRITERS_400 = _roles(403, admin=400, hr=400, manager=400)
DIGEST = _roles(200, operator=403)
AGGREGATE = _roles(403, admin=200, hr=200, manager=200)
DIRECT_MANAGER_ONLY = _roles(404, manager=200)

EXPECTED: dict[str, list[Check]] = {
    "collab:report_list": [Check(_all(200)), Check(_all(200), query="q=库存&blockers=true")],
    "collab:report_write": [
        Check(_all(200)),
        Check(_all(200), query="kind=weekly&copy_plan=1"),
        Check(_all(400), method="post", data={"kind": "daily", "submit": "1"}),
    ],
    "collab:report_digest": [Check(DIGEST), Check(DIGEST, query="kind=weekly")],
    "collab:report_detail": [
        Check(_all(200), obj="own_report"),
        Check(TEAM, obj="team_report"),
        Check(OTHER, obj="other_report"),
    ],
    "collab:report_submit": [
        Check(_all(302), method="post", obj="own_report"),
        Check(_roles(403, operator=404), method="post", obj="team_report"),
    ],
    "collab:report_mark_read": [
        Check(_roles(302, auditor=403, operator=404), method="post", obj="team_report"),
        Check(
            _roles(302, auditor=403, manager=404, operator=404), method="post", obj="other_report"
        ),
    ],
    "collab:report_comment": [
        Check(_all(302), method="post", obj="own_report", data={"body": "补充一下"}),
        Check(
            _roles(302, auditor=403, operator=404),
            method="post",
            obj="team_report",
            data={"body": "收到"},
        ),
    ],
    "collab:reporttemplate_list": [Check(_all(200))],
    "collab:reporttemplate_create": [
        Check(TEMPLATE_WRITERS),
        Check(TEMPLATE_WRITERS_400, method="post", data={"name": "x"}),
    ],
    "collab:reporttemplate_edit": [
        Check(TEMPLATE_WRITERS, obj="template_t1"),
        Check(_roles(403, admin=200, hr=200), obj="template_t3"),
        Check(TEMPLATE_WRITERS_400, method="post", obj="template_t1", data={"name": ""}),
    ],
    "collab:reporttemplate_delete": [
        Check(_roles(403, admin=302, hr=302), method="post", obj="template_t3"),
    ],
    "collab:wellbeing_checkin": [
        Check(_all(200)),
        Check(_all(400), method="post", data={"mood": "9"}),
    ],
    "collab:wellbeing_team": [Check(_all(200))],
    "collab:wellbeing_person": [
        Check(_all(200), obj="checkin_self", kwarg="staff_pk"),
        Check(DIRECT_MANAGER_ONLY, obj="checkin_team_staff", kwarg="staff_pk"),
    ],
    "collab:wellbeing_aggregates": [
        Check(AGGREGATE),
        Check(_roles(403, admin=404, hr=404, manager=404), query="unit=999999"),
    ],
    "collab-report-template-list": [Check(_all(200))],
    "collab-report-template-detail": [Check(_all(200), obj="template_t3")],
    "collab-report-list": [
        Check(_all(200)),
        Check(_all(200), query="q=库存&kind=daily&date_from=2026-01-01"),
        Check(_all(400), method="post", data={"sections": {"done": 1}}),
    ],
    "collab-report-detail": [
        Check(_all(200), obj="own_report"),
        Check(TEAM, obj="team_report"),
        Check(OTHER, obj="other_report"),
    ],
    "collab-report-submit": [
        Check(_all(200), method="post", obj="own_report"),
        Check(_roles(403, operator=404), method="post", obj="team_report"),
    ],
    "collab-report-read": [
        Check(_roles(200, auditor=403, operator=404), method="post", obj="team_report"),
        Check(_all(403), method="post", obj="own_report"),
    ],
    "collab-report-comments": [
        Check(TEAM, obj="team_report"),
        Check(
            _roles(201, auditor=403, operator=404),
            method="post",
            obj="team_report",
            data={"body": "收到"},
        ),
        Check(_all(400), method="post", obj="own_report", data={"body": ""}),
    ],
    "collab-checkin-list": [Check(_all(200)), Check(_all(400), method="post", data={"mood": 0})],
    "collab-checkin-detail": [
        Check(_all(200), obj="own_checkin"),
        Check(DIRECT_MANAGER_ONLY, obj="team_checkin"),
    ],
}

GUARDED = (
    "collab.ReportTemplate",
    "collab.WorkReport",
    "collab.ReportComment",
    "collab.WellbeingCheckIn",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """Reports, templates and check-ins in the requester's relations (see the module doc)."""
    from opsteam.collab.models_reports import ReportTemplate, WellbeingCheckIn, WorkReport

    due = dt.datetime(2026, 3, 5, 10, tzinfo=dt.UTC)

    def report(staff: Any, status: str) -> WorkReport:
        return WorkReport.objects.create(
            staff=staff,
            kind="daily",
            period_start=dt.date(2026, 3, 5),
            status=status,
            sections={"done": "盘点库存", "planned": "上新", "blockers": "库存系统慢"},
            has_blockers=True,
            search_text="盘点库存 上新 库存系统慢",
            due_at=due,
            submitted_at=due if status == "submitted" else None,
        )

    def template(unit: Any) -> ReportTemplate:
        return ReportTemplate.objects.create(unit=unit, kind="daily", name=f"{unit.code} 日报")

    team_staff = objects["team_staff"]
    monday = dt.date(2026, 3, 2)
    own_checkin = WellbeingCheckIn.objects.create(
        staff=user.staff, unit=user.staff.unit, week_start=monday, mood=3, workload=3
    )
    team_checkin = WellbeingCheckIn.objects.create(
        staff=team_staff,
        manager=users["manager"].staff,
        unit=team_staff.unit,
        week_start=monday,
        mood=2,
        workload=5,
        blockers="压力大",
    )
    return {
        "own_report": report(user.staff, "draft"),
        "team_report": report(team_staff, "submitted"),
        "other_report": report(objects["other_staff"], "submitted"),
        "template_t1": template(objects["t1"]),
        "template_t3": template(objects["t3"]),
        "own_checkin": own_checkin,
        "team_checkin": team_checkin,
        "checkin_self": user.staff,
        "checkin_team_staff": team_staff,
    }
