"""1:1 and improvement-plan pages and API as users see them: privacy, 404s, clear refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import StaffFactory
from opsteam.performance import services_coaching as services
from opsteam.performance.models_coaching import ActionItem, ImprovementPlan

MARCH = dt.date(2026, 3, 2)
MANAGER_NOTE = "经理的私人备注-担心状态"
REPORT_NOTE = "员工的私人备注-想换项目"


@pytest.fixture
def people(org_tree, user_as):
    manager = user_as("manager", unit=org_tree.t1, username="lead")
    return {
        "manager": manager,
        "report": user_as("operator", unit=org_tree.t1, username="report", manager=manager.staff),
        "peer": user_as("operator", unit=org_tree.t1, username="peer", manager=manager.staff),
        "other_manager": user_as("manager", unit=org_tree.t2, username="lead2"),
        "hr": user_as("hr", unit=org_tree.d1, username="hr"),
        "admin": user_as("admin", unit=org_tree.company, username="admin"),
    }


@pytest.fixture
def meeting(people):
    series = services.one_on_one_create(actor=people["manager"], report=people["report"].staff)
    meeting = services.meeting_create(actor=people["manager"], series=series, date=MARCH)
    services.private_note_save(actor=people["manager"], meeting=meeting, body=MANAGER_NOTE)
    services.private_note_save(actor=people["report"], meeting=meeting, body=REPORT_NOTE)
    services.meeting_update_notes(actor=people["report"], meeting=meeting, shared_notes="共享纪要")
    return meeting


@pytest.fixture
def plan(people):
    return services.plan_create(
        actor=people["manager"],
        staff=people["report"].staff,
        start_date=MARCH,
        end_date=MARCH + dt.timedelta(days=60),
        summary="一起提升客服响应速度",
        goals=[{"description": "首次响应", "measure": "平均低于2分钟"}],
        check_in_dates=[MARCH + dt.timedelta(days=14)],
    )


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.parametrize(
    ("_case", "role", "sees", "hidden"),
    [
        ("manager", "manager", [MANAGER_NOTE], [REPORT_NOTE]),
        ("report", "report", [REPORT_NOTE], [MANAGER_NOTE]),
        ("hr", "hr", [], [MANAGER_NOTE, REPORT_NOTE]),
        ("admin", "admin", [], [MANAGER_NOTE, REPORT_NOTE]),
    ],
)
def test_meeting_page_and_api_show_only_your_own_private_note(
    client, people, meeting, _case, role, sees, hidden
):
    page = _page(client, people[role], meeting.get_absolute_url()).content.decode()
    api = _api(people[role]).get(reverse("coaching-meeting-detail", args=[meeting.pk]))
    listed = _api(people[role]).get(reverse("coaching-meeting-list"))

    assert api.status_code == 200
    assert "共享纪要" in page
    assert api.json()["shared_notes"] == "共享纪要"
    assert api.json()["my_private_note"] == (sees[0] if sees else None)
    for text in sees:
        assert text in page
    for text in hidden:
        assert text not in page
        assert text not in api.content.decode()
        assert text not in listed.content.decode()


def test_audit_pages_do_not_show_private_notes(client, people, meeting):
    page = _page(client, people["admin"], reverse("core:audit_list")).content.decode()
    api = _api(people["admin"]).get(reverse("audit-entry-list")).content.decode()

    assert "performance.privatenote" in api
    for text in (MANAGER_NOTE, REPORT_NOTE):
        assert text not in page
        assert text not in api


def test_writing_a_private_note_through_the_api(people, meeting):
    api = _api(people["report"])

    response = api.post(
        reverse("coaching-meeting-private-note", args=[meeting.pk]), {"body": "新的想法"}
    )

    assert response.status_code == 200
    assert response.json() == {"side": "report", "body": "新的想法"}
    manager_view = _api(people["manager"]).get(
        reverse("coaching-meeting-detail", args=[meeting.pk])
    )
    assert "新的想法" not in manager_view.content.decode()


@pytest.mark.parametrize(("_case", "role"), [("peer", "peer"), ("other team", "other_manager")])
def test_plan_is_not_found_for_peers_and_other_managers(client, people, plan, _case, role):
    page = _page(client, people[role], plan.get_absolute_url())
    api = _api(people[role]).get(reverse("coaching-plan-detail", args=[plan.pk]))

    assert page.status_code == 404
    assert api.status_code == 404
    assert "客服响应" not in page.content.decode()
    assert "客服响应" not in api.content.decode()


def test_plan_page_for_the_person_is_read_only(client, people, plan):
    response = _page(client, people["report"], plan.get_absolute_url())
    start = client.post(reverse("performance:plan_activate", args=[plan.pk]))

    assert response.status_code == 200
    assert "一起提升客服响应速度" in response.content.decode()
    assert "Start the plan" not in response.content.decode()
    assert start.status_code == 403


def test_starting_a_plan_without_check_ins_is_refused_with_a_clear_error(people):
    plan = services.plan_create(
        actor=people["manager"],
        staff=people["report"].staff,
        start_date=MARCH,
        end_date=MARCH + dt.timedelta(days=30),
    )
    api = _api(people["manager"])

    response = api.post(reverse("coaching-plan-activate", args=[plan.pk]))

    assert response.status_code == 409
    detail = response.json()["errors"][0]["detail"]
    assert "Add at least one measurable goal before starting the plan." in detail
    assert "Schedule at least one check-in before starting the plan." in detail


def test_closing_a_draft_plan_on_the_page_shows_why_it_cannot(client, people, plan):
    client.force_login(people["manager"])

    response = client.post(
        reverse("performance:plan_close", args=[plan.pk]),
        {"outcome": "successful", "comment": "很好"},
    )

    assert response.status_code == 400
    assert "A draft plan cannot become closed directly." in response.content.decode()
    plan.refresh_from_db()
    assert plan.state == "draft"


def test_plan_lifecycle_through_the_api(people, plan):
    api = _api(people["manager"])

    started = api.post(reverse("coaching-plan-activate", args=[plan.pk]))
    goal_id = started.json()["goals"][0]["id"]
    check_in_id = started.json()["check_ins"][0]["id"]
    api.post(
        reverse("coaching-plan-set-goal-status", args=[plan.pk]),
        {"goal": goal_id, "status": "on_track"},
        format="json",
    )
    api.post(
        reverse("coaching-plan-record-check-in", args=[plan.pk]),
        {"check_in": check_in_id, "notes": "进展顺利"},
        format="json",
    )
    closed = api.post(
        reverse("coaching-plan-close", args=[plan.pk]),
        {"outcome": "successful", "comment": "目标达成", "outcome_date": "2026-04-30"},
        format="json",
    )

    assert started.status_code == 200
    assert closed.status_code == 200
    body = closed.json()
    assert body["state"] == "closed"
    assert body["outcome"] == "successful"
    assert body["goals"][0]["status"] == "on_track"
    assert body["check_ins"][0]["notes"] == "进展顺利"


def test_action_item_lifecycle_through_page_and_api(client, people, meeting):
    client.force_login(people["report"])
    client.post(
        reverse("performance:actionitem_add", args=[meeting.pk]),
        {"text": "整理差评", "owner": people["report"].staff.pk, "due_date": "2026-03-09"},
    )
    item = ActionItem.objects.get()
    home = client.get(reverse("performance:coaching_home")).content.decode()
    api = _api(people["report"])

    done = api.post(reverse("coaching-action-item-set-status", args=[item.pk]), {"status": "done"})
    refused = api.post(
        reverse("coaching-action-item-set-status", args=[item.pk]), {"status": "cancelled"}
    )
    mine = api.get(reverse("coaching-action-item-list"), {"mine": 1, "status": "open"})

    assert "整理差评" in home
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert refused.status_code == 409
    assert "reopen it first" in refused.json()["errors"][0]["detail"]
    assert mine.json()["results"] == []


def test_hr_may_read_but_not_write_a_1_1(client, people, meeting):
    client.force_login(people["hr"])
    before = AuditEntry.objects.count()

    page = client.get(meeting.get_absolute_url())
    denied = client.post(reverse("performance:agendaitem_add", args=[meeting.pk]), {"text": "x"})

    assert page.status_code == 200
    assert denied.status_code == 403
    assert AuditEntry.objects.count() == before


def test_pages_render_for_a_manager(client, people, meeting, plan):
    client.force_login(people["manager"])

    for url in [
        reverse("performance:coaching_home"),
        reverse("performance:oneonone_list"),
        reverse("performance:oneonone_create"),
        meeting.series.get_absolute_url(),
        meeting.get_absolute_url(),
        reverse("performance:plan_list"),
        reverse("performance:plan_create"),
        plan.get_absolute_url(),
        reverse("performance:plan_update", args=[plan.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_creating_a_plan_on_the_page(client, people):
    client.force_login(people["manager"])

    response = client.post(
        reverse("performance:plan_create"),
        {
            "staff": people["report"].staff.pk,
            "start_date": "2026-03-02",
            "end_date": "2026-05-01",
            "summary": "一起改进",
        },
    )

    plan = ImprovementPlan.objects.get()
    assert response.status_code == 302
    assert response.url == plan.get_absolute_url()
    assert plan.manager == people["manager"].staff


def test_lists_run_a_bounded_number_of_queries(
    client, people, org_tree, django_assert_max_num_queries
):
    # given 12 reports of the manager, each with a 1:1, a meeting with an action, and a plan
    manager = people["manager"]
    for n in range(12):
        staff = StaffFactory(unit=org_tree.t1, manager=manager.staff)
        series = services.one_on_one_create(actor=manager, report=staff)
        meeting = services.meeting_create(actor=manager, series=series, date=MARCH)
        services.action_item_add(actor=manager, meeting=meeting, text=f"事项{n}", owner=staff)
        services.plan_create(
            actor=manager,
            staff=staff,
            start_date=MARCH,
            end_date=MARCH + dt.timedelta(days=30),
            goals=[{"description": "g", "measure": "m"}],
        )
    api = _api(manager)
    client.force_login(manager)

    # then every list answers in a fixed number of queries
    for name in [
        "coaching-one-on-one-list",
        "coaching-meeting-list",
        "coaching-action-item-list",
        "coaching-plan-list",
    ]:
        with django_assert_max_num_queries(12):
            assert api.get(reverse(name)).status_code == 200
    for name in ["performance:oneonone_list", "performance:plan_list"]:
        with django_assert_max_num_queries(16):
            assert client.get(reverse(name)).status_code == 200


def test_recording_a_meeting_through_the_api(people, meeting):
    series_id = meeting.series_id

    created = _api(people["report"]).post(
        reverse("coaching-meeting-list"), {"series": series_id, "date": "2026-03-16"}
    )
    hidden = _api(people["peer"]).post(
        reverse("coaching-meeting-list"), {"series": series_id, "date": "2026-03-23"}
    )
    missing = _api(people["peer"]).post(
        reverse("coaching-meeting-list"), {"series": 999999, "date": "2026-03-23"}
    )

    assert created.status_code == 201
    assert created.json()["date"] == "2026-03-16"
    assert created.json()["my_private_note"] is None
    assert hidden.status_code == 404
    assert missing.status_code == 404


def test_my_page_shows_my_started_plan_but_not_a_draft(client, people, plan):
    client.force_login(people["report"])

    draft = client.get(reverse("performance:coaching_home")).content.decode()
    services.plan_activate(actor=people["manager"], plan=plan)
    started = client.get(reverse("performance:coaching_home")).content.decode()

    assert 'id="coaching-my-plans"' not in draft
    assert 'id="coaching-my-plans"' in started
    assert plan.get_absolute_url() in started
    assert 'id="coaching-plans-to-support"' not in started  # operators support no plans
