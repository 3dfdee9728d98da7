"""Meetings: scheduling and series, who sees and runs a meeting, agenda, attendance, minutes,
action items (notifications, reminders, home page), the idea board, pages and API."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.collab import reminders_meetings, selectors_meetings
from opsteam.collab import services_meetings as services
from opsteam.collab.models import Notification
from opsteam.collab.models_meetings import (
    Meeting,
    MeetingActionItem,
    MeetingParticipant,
    MeetingSeries,
)
from opsteam.collab.tests.test_ics import strict_parse
from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(user_as, org_tree):
    return {
        "manager": user_as("manager"),
        "operator": user_as("operator"),
        "peer": user_as("operator"),
        "outsider": user_as("operator", unit=org_tree.t3),
        "other_manager": user_as("manager", unit=org_tree.t3),
        "hr": user_as("hr"),
        "auditor": user_as("auditor"),
    }


def _meeting(people, org_tree, **overrides):
    values = {
        "actor": people["manager"],
        "title": "店铺运营组周会",
        "kind": "team",
        "unit": org_tree.t1,
        "starts_at": timezone.now() + dt.timedelta(days=1),
        "participants": [people["operator"]],
    }
    values.update(overrides)
    return services.meeting_create(**values)


def test_scheduling_invites_participants_and_teams_in_their_language(people, org_tree):
    people["operator"].language = "en"
    people["operator"].save(update_fields=["language"])
    meeting = _meeting(people, org_tree, participants=[people["operator"]], teams=[org_tree.t1])

    invited = set(meeting.participants.values_list("user_id", flat=True))
    # the organiser, the named operator and every active member of T1
    assert {people["manager"].pk, people["operator"].pk, people["peer"].pk} <= invited
    assert people["outsider"].pk not in invited
    note = Notification.objects.get(recipient=people["operator"], kind="meeting")
    assert note.title.startswith("Meeting invitation")
    assert reverse("collab:meeting_ics", args=[meeting.pk]) in note.body
    assert Notification.objects.filter(recipient=people["peer"], kind="meeting").count() == 1
    assert not Notification.objects.filter(recipient=people["manager"]).exists()
    assert AuditEntry.objects.filter(object_type="collab.meeting", action="create").exists()


def test_team_meeting_needs_a_team_the_organiser_leads(people, org_tree):
    with pytest.raises(PolicyDenied):
        _meeting(people, org_tree, unit=org_tree.t3)
    with pytest.raises(ValidationFailed):
        _meeting(people, org_tree, unit=None)
    with pytest.raises(PolicyDenied):
        _meeting(people, org_tree, actor=people["operator"])  # team meetings are the lead's
    cross = _meeting(people, org_tree, actor=people["operator"], kind="cross", unit=None)
    assert cross.organiser == people["operator"]
    with pytest.raises(PolicyDenied):
        _meeting(people, org_tree, actor=people["auditor"], kind="cross", unit=None)


def test_who_sees_and_who_runs_a_meeting(people, org_tree):
    team = _meeting(people, org_tree)
    cross = _meeting(
        people, org_tree, actor=people["outsider"], kind="cross", unit=None, participants=[]
    )

    def visible(user):
        return set(selectors_meetings.meeting_list(user=user).values_list("pk", flat=True))

    assert visible(people["operator"]) == {team.pk}
    assert visible(people["peer"]) == set()  # not invited
    assert visible(people["manager"]) == {team.pk}  # T1's lead, not the T3 cross meeting
    assert visible(people["other_manager"]) == set()
    assert visible(people["hr"]) == visible(people["auditor"]) == {team.pk, cross.pk}
    assert visible(people["outsider"]) == {cross.pk}
    # no duplicates from the participants join, even for a participant-organiser
    assert selectors_meetings.meeting_list(user=people["manager"]).count() == 1

    assert policy.can(people["manager"], "change", team)
    assert policy.can(people["hr"], "change", cross)
    assert not policy.can(people["operator"], "change", team)  # participant, not organiser
    assert not policy.can(people["auditor"], "change", team)
    assert policy.can(people["outsider"], "change", cross)
    with pytest.raises(PolicyDenied):
        services.minutes_save(actor=people["operator"], meeting=team, minutes="x")
    with pytest.raises(NotVisible):
        services.minutes_save(actor=people["peer"], meeting=team, minutes="x")


def test_participants_build_the_agenda_and_the_organiser_orders_it(people, org_tree):
    meeting = _meeting(people, org_tree)
    first = services.agenda_item_add(
        actor=people["operator"], meeting=meeting, title="差评处理", presenter=people["operator"]
    )
    second = services.agenda_item_add(actor=people["manager"], meeting=meeting, title="GMV 复盘")
    with pytest.raises(NotVisible):
        services.agenda_item_add(actor=people["peer"], meeting=meeting, title="插一句")
    with pytest.raises(PolicyDenied):
        services.agenda_reorder(actor=people["operator"], meeting=meeting, order=[second.pk])
    services.agenda_reorder(actor=people["manager"], meeting=meeting, order=[second.pk])
    assert list(meeting.agenda_items.values_list("pk", flat=True)) == [second.pk, first.pk]
    with pytest.raises(ValidationFailed):
        services.agenda_reorder(actor=people["manager"], meeting=meeting, order=[999999])
    with pytest.raises(PolicyDenied):  # someone else's point: only whoever runs the meeting
        services.agenda_item_delete(actor=people["operator"], item=second)
    services.agenda_item_delete(actor=people["operator"], item=first)
    assert list(meeting.agenda_items.values_list("pk", flat=True)) == [second.pk]


def _english(user):
    user.language = "en"
    user.save(update_fields=["language"])


def test_attendance_minutes_and_publishing(people, org_tree):
    _english(people["operator"])
    meeting = _meeting(people, org_tree, starts_at=timezone.now() - dt.timedelta(hours=2))
    services.attendance_record(
        actor=people["manager"],
        meeting=meeting,
        attendance={people["operator"].pk: "late", people["manager"].pk: "present"},
    )
    assert (
        MeetingParticipant.objects.get(meeting=meeting, user=people["operator"]).attendance
        == "late"
    )
    with pytest.raises(ValidationFailed):
        services.attendance_record(
            actor=people["manager"], meeting=meeting, attendance={people["peer"].pk: "present"}
        )
    with pytest.raises(ValidationFailed):
        services.attendance_record(
            actor=people["manager"], meeting=meeting, attendance={people["operator"].pk: "asleep"}
        )
    services.minutes_save(actor=people["manager"], meeting=meeting, minutes="**草稿**")
    assert not Notification.objects.filter(
        recipient=people["operator"], title__startswith="Minutes"
    ).exists()
    services.minutes_save(actor=people["manager"], meeting=meeting, minutes="## 纪要", publish=True)
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert meeting.minutes_published_at
    assert Notification.objects.filter(
        recipient=people["operator"], kind="meeting", title="Minutes published: 店铺运营组周会"
    ).exists()


def test_action_item_reaches_its_owner_who_updates_only_its_status(people, org_tree):
    meeting = _meeting(people, org_tree, participants=[])
    due = timezone.localdate() + dt.timedelta(days=3)
    item = services.action_item_create(
        actor=people["manager"],
        meeting=meeting,
        title="整理差评",
        owner=people["peer"],
        due_date=due,
    )
    # the owner was not invited: now they are, so they can read the meeting
    assert MeetingParticipant.objects.filter(meeting=meeting, user=people["peer"]).exists()
    note = Notification.objects.get(recipient=people["peer"], kind="meeting-action-due")
    assert "整理差评" in note.title
    assert note.url == reverse("collab:my_action_items")

    services.action_item_set_status(actor=people["peer"], item=item, status="in_progress")
    with pytest.raises(PolicyDenied):
        services.action_item_update(actor=people["peer"], item=item, title="改名")
    with pytest.raises(NotVisible):
        services.action_item_set_status(actor=people["outsider"], item=item, status="done")
    services.action_item_set_status(actor=people["peer"], item=item, status="done")
    item.refresh_from_db()
    assert item.status == "done"
    assert item.done_at is not None
    services.action_item_set_status(actor=people["manager"], item=item, status="open")
    item.refresh_from_db()
    assert item.done_at is None


def test_reminders_due_tomorrow_and_overdue_once(people, org_tree):
    _english(people["operator"])
    meeting = _meeting(people, org_tree)
    today = dt.date(2026, 11, 20)
    tomorrow = services.action_item_create(
        actor=people["manager"],
        meeting=meeting,
        title="明天到期",
        owner=people["operator"],
        due_date=today + dt.timedelta(days=1),
    )
    late = services.action_item_create(
        actor=people["manager"],
        meeting=meeting,
        title="已逾期",
        owner=people["operator"],
        due_date=today - dt.timedelta(days=2),
    )
    services.action_item_create(
        actor=people["manager"],
        meeting=meeting,
        title="很久以前",
        owner=people["operator"],
        due_date=today - dt.timedelta(days=30),
    )
    done = services.action_item_create(
        actor=people["manager"],
        meeting=meeting,
        title="已完成",
        owner=people["operator"],
        due_date=today - dt.timedelta(days=1),
    )
    services.action_item_set_status(actor=people["operator"], item=done, status="done")
    Notification.objects.all().delete()

    assert reminders_meetings.scan(today=today) == 2
    assert reminders_meetings.scan(today=today) == 0  # once
    titles = sorted(Notification.objects.values_list("title", flat=True))
    assert any(tomorrow.title in title for title in titles)
    assert any(late.title in title and "overdue" in title for title in titles)
    assert not any("很久以前" in title or "已完成" in title for title in titles)


def test_home_section_lists_open_items_overdue_first(people, org_tree):
    meeting = _meeting(people, org_tree)
    today = timezone.localdate()
    for title, days in (("later", 5), ("overdue", -2), ("undated", None)):
        services.action_item_create(
            actor=people["manager"],
            meeting=meeting,
            title=title,
            owner=people["operator"],
            due_date=today + dt.timedelta(days=days) if days is not None else None,
        )
    sections = {s["key"]: s for s in selectors_meetings.home_sections(user=people["operator"])}
    actions = sections["meeting-action-items"]
    assert actions["count"] == 3
    assert [item["title"] for item in actions["items"]] == ["overdue", "later", "undated"]
    assert "meetings-this-week" in sections
    assert selectors_meetings.home_sections(user=people["peer"]) == []


def test_weekly_series_generates_occurrences_and_an_rrule_calendar(people, org_tree):
    today = dt.date(2026, 3, 4)  # a Wednesday
    series = services.series_create(
        actor=people["manager"],
        title="周例会",
        kind="team",
        unit=org_tree.t1,
        frequency="weekly",
        interval=1,
        weekday=0,
        start_date=today,
        start_time=dt.time(10, 0),
        duration_minutes=45,
        time_zone="Asia/Shanghai",
        teams=[org_tree.t1],
        today=today,
    )
    starts = list(series.meetings.order_by("starts_at").values_list("starts_at", flat=True))
    assert len(starts) == 8  # 56 days ahead
    assert starts[0] == dt.datetime(2026, 3, 9, 10, tzinfo=SHANGHAI)
    assert {s.astimezone(SHANGHAI).weekday() for s in starts} == {0}
    first = series.meetings.order_by("starts_at").first()
    assert first.participants.filter(user=people["peer"]).exists()
    assert services.series_extend(today=today) == 0  # idempotent
    assert services.series_extend(today=today + dt.timedelta(days=7)) == 1
    (event,) = strict_parse(selectors_meetings.series_ics(series))
    assert event["RRULE"][1] == "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"
    assert event["DTSTART"] == ({"TZID": "Asia/Shanghai"}, "20260309T100000")
    assert Notification.objects.filter(recipient=people["peer"], kind="meeting").exists()

    services.series_end(actor=people["manager"], series=series)
    assert not MeetingSeries.objects.get(pk=series.pk).active


def test_idea_board_votes_are_limited_and_anonymous_in_results(people, org_tree, api_client_as):
    board = _meeting(
        people, org_tree, kind="brainstorm", participants=[people["operator"]], votes_per_person=2
    )
    ideas = [
        services.idea_add(actor=people["operator"], meeting=board, text=f"点子 {n}")
        for n in range(3)
    ]
    services.idea_vote(actor=people["operator"], idea=ideas[0])
    with pytest.raises(ValidationFailed):
        services.idea_vote(actor=people["operator"], idea=ideas[0])  # one per idea
    services.idea_vote(actor=people["operator"], idea=ideas[1])
    with pytest.raises(ValidationFailed):
        services.idea_vote(actor=people["operator"], idea=ideas[2])  # two in all
    services.idea_vote(actor=people["manager"], idea=ideas[1])
    with pytest.raises(NotVisible):
        services.idea_vote(actor=people["peer"], idea=ideas[2])
    group = services.idea_group_create(actor=people["manager"], meeting=board, name="会员")
    services.idea_move(actor=people["manager"], idea=ideas[1], group=group)
    with pytest.raises(PolicyDenied):
        services.idea_move(actor=people["operator"], idea=ideas[0], group=group)

    page = selectors_meetings.meeting_page(user=people["operator"], meeting=board)
    assert [idea.pk for idea in page.ideas_by_votes] == [ideas[1].pk, ideas[0].pk, ideas[2].pk]
    assert page.my_votes == 2
    assert page.groups[0]["votes"] == 2

    item = services.idea_to_action(actor=people["manager"], idea=ideas[1], owner=people["operator"])
    assert item.idea == ideas[1]
    assert item.title == "点子 1"


def test_meeting_page_and_htmx_partials(client_as, user_as, org_tree):
    client = client_as("manager")
    operator = user_as("operator")
    response = client.post(
        reverse("collab:meeting_create"),
        {
            "title": "周会",
            "kind": "team",
            "unit": org_tree.t1.pk,
            "starts_at": "2030-01-07T10:00",
            "duration_minutes": 45,
            "votes_per_person": 3,
            "participants": [operator.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get(title="周会")
    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200
    assert "周会" in page.content.decode()
    response = client.post(
        reverse("collab:meeting_agenda_add", args=[meeting.pk]),
        {"title": "议程一", "minutes": 10},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "议程一" in response.content.decode()
    assert "<html" not in response.content.decode()
    response = client.post(
        reverse("collab:meeting_action_add", args=[meeting.pk]),
        {"title": "行动一", "owner": operator.pk, "due_date": "2030-01-10"},
    )
    assert response.status_code == 302
    assert MeetingActionItem.objects.filter(title="行动一", owner=operator).exists()
    ics_response = client.get(reverse("collab:meeting_ics", args=[meeting.pk]))
    assert ics_response["Content-Type"].startswith("text/calendar")
    (event,) = strict_parse(ics_response.content.decode())
    assert event["UID"][1].startswith(f"meeting-{meeting.pk}@")
    # a missing title is an inline error, nothing is written
    response = client.post(reverse("collab:meeting_create"), {"title": "", "kind": "team"})
    assert response.status_code == 400


def test_my_action_items_page_marks_done(client_as, user_as, org_tree):
    manager = user_as("manager")
    client = client_as("operator")
    meeting = services.meeting_create(
        actor=manager,
        title="周会",
        kind="team",
        unit=org_tree.t1,
        starts_at=timezone.now(),
        participants=[client.user],
    )
    item = services.action_item_create(
        actor=manager,
        meeting=meeting,
        title="整理差评",
        owner=client.user,
        due_date=timezone.localdate() - dt.timedelta(days=1),
    )
    page = client.get(reverse("collab:my_action_items"))
    assert "整理差评" in page.content.decode()
    assert 'id="overdue-count">1<' in page.content.decode()
    response = client.post(
        reverse("collab:meeting_action_status", args=[item.pk]),
        {"status": "done", "next": "mine"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"


def test_api_flow_and_strict_input(api_client_as, user_as, org_tree):
    api = api_client_as("manager")
    operator = user_as("operator")
    response = api.post(
        "/api/collab/meetings/",
        {
            "title": "API 周会",
            "kind": "team",
            "unit": org_tree.t1.pk,
            "starts_at": "2030-01-07T10:00:00+08:00",
            "participants": [operator.pk],
            "status": "held",  # not writable: ignored
            "organiser": operator.pk,  # not writable: ignored
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["organiser"] == api.user.pk
    meeting_id = body["id"]
    assert len(body["participants"]) == 2
    bad = api.post(
        "/api/collab/meetings/",
        {"title": "x", "starts_at": "2030-01-07T10:00:00Z", "participants": [2**62]},
        format="json",
    )
    assert bad.status_code == 400
    bad = api.post("/api/collab/meetings/", {"title": ["x"], "starts_at": 5}, format="json")
    assert bad.status_code == 400
    response = api.post(
        "/api/collab/action-items/",
        {
            "meeting": meeting_id,
            "title": "API 行动",
            "owner": operator.pk,
            "due_date": "2030-01-10",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    item_id = response.json()["id"]

    from rest_framework.test import APIClient

    owner = APIClient()
    owner.force_authenticate(operator)
    mine = owner.get("/api/collab/action-items/?mine=true").json()
    assert [row["id"] for row in mine["results"]] == [item_id]
    assert (
        owner.patch(
            f"/api/collab/action-items/{item_id}/", {"title": "x"}, format="json"
        ).status_code
        == 403
    )
    done = owner.patch(f"/api/collab/action-items/{item_id}/", {"status": "done"}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    ics_response = owner.get(f"/api/collab/meetings/{meeting_id}/ics/")
    assert ics_response.status_code == 200
    strict_parse(ics_response.content.decode())
    assert owner.get(f"/api/collab/meetings/{2**63 - 1}/").status_code == 404


def test_demo_is_bilingual_realistic_and_idempotent(user_as, org_tree):
    from opsteam.collab import demo_meetings
    from opsteam.collab.models_meetings import Idea, IdeaVote
    from opsteam.org.tests.factories import OrgUnitFactory

    store = OrgUnitFactory(
        code="OPS-STORE", name="店铺运营组", name_en="Store Ops", parent=org_tree.d1
    )
    users = {
        "manager": user_as("manager", unit=store, username="manager"),
        "operator": user_as("operator", unit=store, username="operator"),
        "operator2": user_as("operator", unit=store, username="operator2"),
        "hr": user_as("hr", username="hr"),
        "director": user_as("manager", unit=org_tree.d1, username="director"),
    }
    today = timezone.localdate()
    first = demo_meetings.build(users=users, today=today)
    counts = (
        Meeting.objects.count(),
        MeetingActionItem.objects.count(),
        Idea.objects.count(),
        IdeaVote.objects.count(),
    )
    assert first["collab.meetingseries"] == 1
    assert first["collab.idea"] == 5
    assert counts[1] >= 5
    assert demo_meetings.build(users=users, today=today) == {}
    assert counts == (
        Meeting.objects.count(),
        MeetingActionItem.objects.count(),
        Idea.objects.count(),
        IdeaVote.objects.count(),
    )
    # the operator has an overdue item on their home page
    section = selectors_meetings.home_sections(user=users["operator"])[0]
    assert section["key"] == "meeting-action-items"
    assert section["items"][0]["due"] < today


def test_api_refuses_dates_that_would_overflow(api_client_as, org_tree):
    api = api_client_as("manager")
    for starts_at in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"):
        response = api.post(
            "/api/collab/meetings/",
            {"title": "x", "kind": "cross", "starts_at": starts_at},
            format="json",
        )
        assert response.status_code == 400, response.content
    response = api.post(
        "/api/collab/meeting-series/",
        {
            "title": "x",
            "kind": "cross",
            "weekday": 0,
            "start_date": "9999-12-30",
            "start_time": "10:00",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert not Meeting.objects.exists()
