"""Access-matrix rows of meetings, action items and the idea board (pages and API). Walked by
core/tests/test_permission_matrix.py.

Objects: a team meeting of T1 organised by the manager with the operator invited (with an
agenda point the operator added, a decision, an action item the operator owns, an idea and a
group), the T1 regular meeting series, and a T3 meeting HR organised that nobody else in the
walk is invited to (with an action item HR owns). Everyone sees the T1 meeting (the operator
as a participant, the manager as its organiser and team lead, HR and administrators all,
auditors read); the T3 meeting is invisible to the manager and the operator. Only the
organiser, the unit's managers, HR and administrators run a meeting (403 for the invited
operator and the read-only auditor); participants add agenda points and ideas and vote;
owners move their action items.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opsteam.core.tests.matrix_support import Check, _all, _roles

SEE_TEAM = _all(200)
SEE_OTHER = _roles(200, manager=404, operator=404)
RUN_TEAM_PAGE = _roles(302, operator=403, auditor=403)
RUN_OTHER_PAGE = _roles(302, manager=404, operator=404, auditor=403)
JOIN_TEAM_PAGE = _roles(302, auditor=403)
RUN_TEAM_API = _roles(200, operator=403, auditor=403)
RUN_OTHER_API = _roles(200, manager=404, operator=404, auditor=403)
SCHEDULERS = _roles(200, auditor=403)

EXPECTED: dict[str, list[Check]] = {
    "collab:meeting_list": [Check(SEE_TEAM), Check(SEE_TEAM, query="when=upcoming&kind=team")],
    "collab:meeting_create": [
        Check(SCHEDULERS),
        Check(_roles(400, auditor=403), method="post", data={"title": ""}),
    ],
    "collab:my_action_items": [Check(SEE_TEAM), Check(SEE_TEAM, query="status=open")],
    "collab:meeting_detail": [
        Check(SEE_TEAM, obj="t1_meeting"),
        Check(SEE_OTHER, obj="t3_meeting"),
    ],
    "collab:meeting_edit": [
        Check(_roles(200, operator=403, auditor=403), obj="t1_meeting"),
        Check(_roles(200, manager=404, operator=404, auditor=403), obj="t3_meeting"),
    ],
    "collab:meeting_cancel": [
        Check(RUN_TEAM_PAGE, method="post", obj="t1_meeting"),
        Check(RUN_OTHER_PAGE, method="post", obj="t3_meeting"),
    ],
    "collab:meeting_ics": [
        Check(SEE_TEAM, obj="t1_meeting"),
        Check(SEE_OTHER, obj="t3_meeting"),
    ],
    "collab:meeting_agenda_add": [
        Check(
            JOIN_TEAM_PAGE, method="post", obj="t1_meeting", data={"title": "议题", "minutes": 10}
        ),
        Check(
            _roles(302, manager=404, operator=404, auditor=403),
            method="post",
            obj="t3_meeting",
            data={"title": "议题", "minutes": 10},
        ),
    ],
    "collab:meeting_attendance": [
        Check(RUN_TEAM_PAGE, method="post", obj="t1_meeting"),
        Check(RUN_OTHER_PAGE, method="post", obj="t3_meeting"),
    ],
    "collab:meeting_minutes": [
        Check(RUN_TEAM_PAGE, method="post", obj="t1_meeting", data={"minutes": "纪要"}),
        Check(RUN_OTHER_PAGE, method="post", obj="t3_meeting", data={"minutes": "纪要"}),
    ],
    "collab:meeting_decision_add": [
        Check(RUN_TEAM_PAGE, method="post", obj="t1_meeting", data={"text": "决定"}),
    ],
    "collab:meeting_action_add": [
        # form errors come back as messages on the meeting page (nothing written)
        Check(RUN_TEAM_PAGE, method="post", obj="t1_meeting", data={"title": ""}),
    ],
    "collab:meeting_idea_add": [
        Check(JOIN_TEAM_PAGE, method="post", obj="t1_meeting", data={"text": "点子"}),
    ],
    "collab:meeting_idea_group_add": [
        Check(RUN_TEAM_PAGE, method="post", obj="t1_meeting", data={"name": "分组"}),
    ],
    "collab:meeting_agenda_move": [
        Check(RUN_TEAM_PAGE, method="post", obj="t1_agenda", data={"direction": "up"}),
    ],
    "collab:meeting_agenda_delete": [
        # the operator added it: theirs to remove
        Check(JOIN_TEAM_PAGE, method="post", obj="t1_agenda"),
    ],
    "collab:meeting_decision_delete": [
        Check(RUN_TEAM_PAGE, method="post", obj="t1_decision"),
    ],
    "collab:meeting_action_status": [
        Check(JOIN_TEAM_PAGE, method="post", obj="t1_action", data={"status": "done"}),
        Check(
            _roles(302, manager=404, operator=404, auditor=403),
            method="post",
            obj="t3_action",
            data={"status": "done"},
        ),
    ],
    "collab:meeting_idea_vote": [Check(JOIN_TEAM_PAGE, method="post", obj="t1_idea")],
    "collab:meeting_idea_move": [
        Check(RUN_TEAM_PAGE, method="post", obj="t1_idea", data={"group": ""}),
    ],
    "collab:meeting_idea_to_action": [
        Check(RUN_TEAM_PAGE, method="post", obj="t1_idea", data={}),
    ],
    "collab:meeting_series_create": [
        Check(SCHEDULERS),
        Check(_roles(400, auditor=403), method="post", data={"title": ""}),
    ],
    "collab:meeting_series_detail": [Check(SEE_TEAM, obj="t1_series")],
    "collab:meeting_series_end": [Check(RUN_TEAM_PAGE, method="post", obj="t1_series")],
    "collab:meeting_series_ics": [Check(SEE_TEAM, obj="t1_series")],
    # API
    "collab-meeting-list": [
        Check(SEE_TEAM),
        Check(SEE_TEAM, query="when=past&status=scheduled"),
        Check(_roles(400, auditor=403), method="post", data={}),
    ],
    "collab-meeting-detail": [
        Check(SEE_TEAM, obj="t1_meeting"),
        Check(SEE_OTHER, obj="t3_meeting"),
        Check(RUN_TEAM_API, method="patch", obj="t1_meeting", data={"title": "新标题"}),
        Check(RUN_OTHER_API, method="patch", obj="t3_meeting", data={"title": "新标题"}),
    ],
    "collab-meeting-cancel": [Check(RUN_TEAM_API, method="post", obj="t1_meeting")],
    "collab-meeting-invite": [Check(RUN_TEAM_API, method="post", obj="t1_meeting")],
    "collab-meeting-attendance": [
        Check(_roles(400, operator=403, auditor=403), method="post", obj="t1_meeting"),
    ],
    "collab-meeting-minutes": [
        Check(RUN_TEAM_API, method="post", obj="t1_meeting", data={"minutes": "纪要"}),
        Check(RUN_OTHER_API, method="post", obj="t3_meeting", data={"minutes": "纪要"}),
    ],
    "collab-meeting-decisions": [
        Check(
            _roles(201, operator=403, auditor=403),
            method="post",
            obj="t1_meeting",
            data={"text": "决定"},
        ),
    ],
    "collab-meeting-agenda-order": [
        Check(RUN_TEAM_API, method="post", obj="t1_meeting", data={"order": []}),
    ],
    "collab-meeting-ics": [
        Check(SEE_TEAM, obj="t1_meeting"),
        Check(SEE_OTHER, obj="t3_meeting"),
    ],
    "collab-meeting-series-list": [
        Check(SEE_TEAM),
        Check(_roles(400, auditor=403), method="post", data={}),
    ],
    "collab-meeting-series-detail": [Check(SEE_TEAM, obj="t1_series")],
    "collab-meeting-series-end": [Check(RUN_TEAM_API, method="post", obj="t1_series")],
    "collab-meeting-series-ics": [Check(SEE_TEAM, obj="t1_series")],
    "collab-agenda-item-list": [Check(SEE_TEAM), Check(_all(400), method="post", data={})],
    "collab-agenda-item-detail": [
        Check(SEE_TEAM, obj="t1_agenda"),
        Check(_roles(204, auditor=403), method="delete", obj="t1_agenda"),
    ],
    "collab-action-item-list": [
        Check(SEE_TEAM),
        Check(SEE_TEAM, query="mine=true&status=open"),
        Check(_all(400), method="post", data={}),
    ],
    "collab-action-item-detail": [
        Check(SEE_TEAM, obj="t1_action"),
        Check(SEE_OTHER, obj="t3_action"),
        Check(_roles(200, auditor=403), method="patch", obj="t1_action", data={"status": "done"}),
        Check(RUN_TEAM_API, method="patch", obj="t1_action", data={"title": "改名"}),
    ],
    "collab-idea-list": [
        Check(SEE_TEAM),
        Check(SEE_TEAM, query="meeting=99999999"),
        Check(_all(400), method="post", data={}),
    ],
    "collab-idea-detail": [Check(SEE_TEAM, obj="t1_idea")],
    "collab-idea-vote": [
        Check(_roles(200, auditor=403), method="post", obj="t1_idea"),
        Check(_roles(200, auditor=403), method="delete", obj="t1_idea"),
    ],
    "collab-idea-move": [
        Check(RUN_TEAM_API, method="post", obj="t1_idea", data={"group": None}),
    ],
    "collab-idea-to-action": [
        Check(_roles(400, operator=403, auditor=403), method="post", obj="t1_idea", data={}),
    ],
    "collab-idea-group-list": [Check(SEE_TEAM), Check(_all(400), method="post", data={})],
    "collab-idea-group-detail": [Check(SEE_TEAM, obj="t1_group")],
}

GUARDED = (
    "collab.MeetingSeries",
    "collab.Meeting",
    "collab.MeetingParticipant",
    "collab.MeetingAgendaItem",
    "collab.Decision",
    "collab.MeetingActionItem",
    "collab.Idea",
    "collab.IdeaGroup",
    "collab.IdeaVote",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """The T1 meeting (manager organises, operator invited) with its rows, the T1 series and
    HR's T3 meeting."""
    from django.utils import timezone

    from opsteam.collab import services_meetings as services

    manager, operator, hr = users["manager"], users["operator"], users["hr"]
    start = timezone.now() + dt.timedelta(days=2)
    team = services.meeting_create(
        actor=manager,
        title="店铺运营组周会",
        kind="team",
        unit=objects["t1"],
        starts_at=start,
        participants=[operator],
    )
    other = services.meeting_create(
        actor=hr,
        title="结算组复盘",
        kind="cross",
        unit=objects["t3"],
        starts_at=start,
    )
    group = services.idea_group_create(actor=manager, meeting=team, name="会员")
    series = services.series_create(
        actor=manager,
        title="店铺运营组例会",
        kind="team",
        unit=objects["t1"],
        frequency="weekly",
        weekday=0,
        start_date=timezone.localdate(),
        start_time=dt.time(10),
        duration_minutes=30,
        participants=[operator],
    )
    return {
        "t1_meeting": team,
        "t3_meeting": other,
        "t1_agenda": services.agenda_item_add(actor=operator, meeting=team, title="差评"),
        "t1_decision": services.decision_add(actor=manager, meeting=team, text="先做 A/B 测试"),
        "t1_action": services.action_item_create(
            actor=manager, meeting=team, title="整理差评", owner=operator
        ),
        "t3_action": services.action_item_create(
            actor=hr, meeting=other, title="核对账单", owner=hr
        ),
        "t1_idea": services.idea_add(actor=operator, meeting=team, text="老客专属券"),
        "t1_group": group,
        "t1_series": series,
    }
