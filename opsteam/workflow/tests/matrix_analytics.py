"""Access-matrix rows of the analytics pages and API (a process's dashboard, the cases behind a
graph edge, the process review, improvement actions). Walked by
core/tests/test_permission_matrix.py.

Objects: a process owned by team T1 (the manager's team) with a published map and a small
event log, and one owned by T3; an improvement action on each (owned by a T1 colleague and by
a T3 person) and one owned by the requesting user. Analytics are read by HR, administrators,
auditors and the owning unit's managers (processes are public, so a refusal is 403); actions
are added by HR, administrators and the owning unit's managers, and changed by those and by
an operator who owns one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from opsteam.core.tests.matrix_support import EVERYONE, Check, _roles

READ_TEAM = _roles(200, operator=403)
READ_OTHER = _roles(200, manager=403, operator=403)
TEAM_DETAIL = _roles(200, operator=404)
OTHER_DETAIL = _roles(200, manager=404, operator=404)
_TODAY = timezone.localdate()
WINDOW = {"start": (_TODAY - dt.timedelta(days=29)).isoformat(), "end": _TODAY.isoformat()}
EDGE = "source=%E5%AE%A1%E6%A0%B8&target=%E4%B8%8A%E6%9E%B6"  # 审核 → 上架
ACTION_FORM = {
    "title": "上架权限开放",
    "description": "",
    "owner": "",
    "due_date": "",
    "status": "do",
    "effective_date": "",
    "result_note": "",
}

EXPECTED: dict[str, list[Check]] = {
    "workflow:analytics": [
        Check(READ_TEAM, obj="analytics_team_process"),
        Check(READ_OTHER, obj="analytics_other_process"),
        Check(READ_TEAM, obj="analytics_team_process", query="start=2020-01-01&end=2020-01-31"),
    ],
    "workflow:analytics_edge": [
        Check(READ_TEAM, obj="analytics_team_process", query=EDGE),
        Check(READ_OTHER, obj="analytics_other_process", query=EDGE),
    ],
    "workflow:action_from_bottleneck": [
        Check(
            _roles(302, auditor=403, operator=403),
            method="post",
            obj="analytics_team_process",
            data={"key": "handoff:审核→上架", **WINDOW},
        ),
        Check(
            _roles(302, manager=403, auditor=403, operator=403),
            method="post",
            obj="analytics_other_process",
            data={"key": "step:x", **WINDOW},
        ),
    ],
    "workflow:process_review": [
        Check(READ_TEAM, obj="analytics_team_process"),
        Check(READ_OTHER, obj="analytics_other_process", query="before=2025-01-01..2025-01-31"),
    ],
    "workflow:action_list": [Check(EVERYONE), Check(_roles(200, operator=403), query="export=csv")],
    "workflow:action_detail": [
        Check(EVERYONE, obj="analytics_own_action"),
        Check(TEAM_DETAIL, obj="analytics_team_action"),
        Check(OTHER_DETAIL, obj="analytics_other_action"),
    ],
    "workflow:action_edit": [
        Check(_roles(200, auditor=403), obj="analytics_own_action"),
        Check(_roles(200, auditor=403, operator=404), obj="analytics_team_action"),
        Check(
            _roles(403, admin=200, hr=200, manager=404, operator=404), obj="analytics_other_action"
        ),
        Check(
            _roles(302, auditor=403, operator=404),
            method="post",
            obj="analytics_team_action",
            data=ACTION_FORM,
        ),
    ],
    "workflow-process-analysis": [
        Check(READ_TEAM, obj="analytics_team_process"),
        Check(READ_OTHER, obj="analytics_other_process"),
    ],
    "workflow-process-analysis-edge": [
        Check(READ_TEAM, obj="analytics_team_process", query=EDGE),
    ],
    "workflow-improvement-action-list": [
        Check(EVERYONE),
        Check(
            _roles(201, auditor=403, operator=403),
            method="post",
            data={"process": "__team_process__", "title": "x"},
        ),
    ],
    "workflow-improvement-action-detail": [
        Check(EVERYONE, obj="analytics_own_action"),
        Check(TEAM_DETAIL, obj="analytics_team_action"),
        Check(OTHER_DETAIL, obj="analytics_other_action"),
        Check(
            _roles(200, auditor=403, operator=404),
            method="patch",
            obj="analytics_team_action",
            data={"status": "do"},
        ),
        Check(
            _roles(200, auditor=403),
            method="patch",
            obj="analytics_own_action",
            data={"status": "do"},
        ),
    ],
}

GUARDED = ("workflow.ImprovementAction",)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """Two processes (T1 with a published map and events, T3), an action on each, and one the
    requesting user owns."""
    from django.core.cache import cache

    from opsteam.org.tests.factories import StaffFactory
    from opsteam.workflow.models import ImprovementAction
    from opsteam.workflow.tests.factories_analytics import build_log

    cache.clear()
    t3 = objects["t3"]
    team = build_log(unit=objects["t1"], cases=3)
    other = build_log(unit=t3, cases=2)
    team_action = ImprovementAction.objects.create(
        process=team.process, title="团队的改进", owner=objects["team_staff"]
    )
    other_action = ImprovementAction.objects.create(
        process=other.process, title="别处的改进", owner=StaffFactory(unit=t3)
    )
    own_action = ImprovementAction.objects.create(
        process=team.process, title="我的改进", owner=user.staff
    )
    # The API create check names the T1 process by id (the table's data is static).
    for check in EXPECTED["workflow-improvement-action-list"]:
        if check.data.get("process") is not None:
            check.data["process"] = team.process.pk
    return {
        "analytics_team_process": team.process,
        "analytics_other_process": other.process,
        "analytics_team_action": team_action,
        "analytics_other_action": other_action,
        "analytics_own_action": own_action,
    }
