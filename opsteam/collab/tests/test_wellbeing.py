"""Wellbeing check-ins: only the person and their direct manager ever read one; alerts go to
that manager alone; team figures appear only for groups at or above the threshold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from opsteam.collab import selectors_wellbeing, services_wellbeing
from opsteam.collab.models import Notification
from opsteam.collab.models_reports import WellbeingCheckIn
from opsteam.core.exceptions import NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def team(org_tree, user_as):
    """A T1 manager with two direct reports, plus every other role in T1 and a skip-level
    manager of the department."""
    manager = user_as("manager")
    return {
        "manager": manager,
        "author": user_as("operator", manager=manager.staff),
        "peer": user_as("operator", manager=manager.staff),
        "hr": user_as("hr"),
        "admin": user_as("admin"),
        "auditor": user_as("auditor"),
        "skip": user_as("manager", unit=org_tree.d1),
    }


def checkin(user, mood=3, workload=3, week=MONDAY, **extra):
    return services_wellbeing.checkin_save(
        actor=user, mood=mood, workload=workload, today=week, **extra
    )


@pytest.mark.parametrize(
    ("_case", "reader", "sees"),
    [
        ("the person", "author", True),
        ("the direct manager", "manager", True),
        ("a peer", "peer", False),
        ("HR", "hr", False),
        ("an administrator", "admin", False),
        ("an auditor", "auditor", False),
        ("a skip-level manager", "skip", False),
    ],
)
def test_only_the_person_and_the_direct_manager_read_a_check_in(team, client, _case, reader, sees):
    row = checkin(team["author"], mood=2, blockers="加班太多")
    client.force_login(team[reader])

    listed = selectors_wellbeing.checkin_list(user=team[reader]).filter(pk=row.pk).exists()
    page = client.get(reverse("collab:wellbeing_person", args=[row.staff_id]))
    api = client.get("/api/collab/checkins/")

    assert listed is sees
    assert page.status_code == (200 if sees else 404)
    assert ("加班太多" in page.content.decode()) is sees
    assert (row.pk in [item["id"] for item in api.json()["results"]]) is sees


def test_the_direct_manager_is_the_unit_lead_when_none_is_recorded(org_tree, user_as):
    lead = user_as("manager")
    org_tree.t1.lead = lead.staff
    org_tree.t1.save(update_fields=["lead"])
    person = user_as("operator")

    row = checkin(person)

    assert row.manager == lead.staff


def test_rewriting_keeps_one_check_in_per_week(team):
    checkin(team["author"], mood=2)
    checkin(team["author"], mood=4)

    assert WellbeingCheckIn.objects.get().mood == 4


def test_scores_outside_one_to_five_name_the_field(team):
    with pytest.raises(ValidationFailed) as error:
        checkin(team["author"], mood=9)
    assert error.value.field == "mood"


def test_the_audit_trail_records_a_check_in_but_never_its_answers(team):
    row = checkin(team["author"], mood=1, blockers="很累", wants_to_talk=True)
    checkin(team["author"], mood=2)

    entries = AuditEntry.objects.filter(
        object_type="collab.wellbeingcheckin", object_id=str(row.pk)
    )
    assert entries.count() == 2
    for entry in entries:
        text = str(entry.before) + str(entry.after)
        assert "很累" not in text
        assert "mood" not in text
        assert "wants_to_talk" not in text


def test_wanting_to_talk_tells_the_direct_manager_once_without_naming_anyone(team):
    checkin(team["author"], wants_to_talk=True)
    checkin(team["author"], wants_to_talk=True, blockers="再说一次")

    note = Notification.objects.get(kind="wellbeing")
    assert note.recipient == team["manager"]
    assert team["author"].staff.name not in note.title
    assert note.actor is None
    assert not Notification.objects.filter(kind="wellbeing").exclude(recipient=team["manager"])


def test_three_low_weeks_alert_the_manager_and_nobody_else(team):
    for weeks_ago, mood in ((2, 2), (1, 1), (0, 2)):
        checkin(team["author"], mood=mood, week=MONDAY - dt.timedelta(weeks=weeks_ago))

    assert list(
        Notification.objects.filter(kind="wellbeing").values_list("recipient", flat=True)
    ) == [team["manager"].pk]
    overview = selectors_wellbeing.team_overview(user=team["manager"], as_of=MONDAY)
    assert overview[0]["alert"].reasons == ("low-streak",)
    assert selectors_wellbeing.team_overview(user=team["peer"], as_of=MONDAY) == []


def test_team_figures_appear_only_at_the_threshold(org_tree, user_as):
    # given four people of T1 checked in: below the wellbeing threshold of five
    hr = user_as("hr")
    people = [user_as("operator") for _n in range(4)]
    for person in people:
        checkin(person, mood=4)

    hidden = selectors_wellbeing.team_aggregates(user=hr, unit=org_tree.t1, as_of=MONDAY)
    checkin(user_as("operator"), mood=2)
    shown = selectors_wellbeing.team_aggregates(user=hr, unit=org_tree.t1, as_of=MONDAY)

    assert hidden["threshold"] == 5
    assert not hidden["released_any"]
    assert hidden["groups"] == []
    assert hidden["overall"][-1][1] is None
    assert shown["overall"][-1][1] == (5, 3.6, 3.0)


def test_a_small_team_is_never_isolated_by_looking_at_its_department(org_tree, user_as):
    # given five people in T1 and two in T2 (same department D1)
    hr = user_as("hr")
    for _n in range(5):
        checkin(user_as("operator"), mood=5)
    for _n in range(2):
        checkin(user_as("operator", unit=org_tree.t2), mood=1)

    department = selectors_wellbeing.team_aggregates(user=hr, unit=org_tree.d1, as_of=MONDAY)
    small = selectors_wellbeing.team_aggregates(user=hr, unit=org_tree.t2, as_of=MONDAY)

    # then D1 shows only T1's group; T2's two answers are in no figure anywhere
    assert [row["label"] for row in department["groups"]] == [org_tree.t1.display_name]
    assert department["overall"][-1][1] == (5, 5.0, 3.0)
    assert not small["released_any"]
    assert small["some_withheld"]


def test_aggregates_are_for_hr_and_the_managers_subtree_only(org_tree, user_as):
    with pytest.raises(PolicyDenied):
        selectors_wellbeing.team_aggregates(
            user=user_as("operator"), unit=org_tree.t1, as_of=MONDAY
        )
    with pytest.raises(PolicyDenied):
        selectors_wellbeing.team_aggregates(user=user_as("auditor"), unit=org_tree.t1, as_of=MONDAY)
    with pytest.raises(NotVisible):
        selectors_wellbeing.team_aggregates(user=user_as("manager"), unit=org_tree.t3, as_of=MONDAY)


def test_check_in_page_saves_and_shows_who_it_is_shared_with(team, client):
    client.force_login(team["author"])

    page = client.get(reverse("collab:wellbeing_checkin"))
    response = client.post(
        reverse("collab:wellbeing_checkin"), {"mood": "4", "workload": "5", "blockers": "排班"}
    )

    assert team["manager"].staff.display_name in page.content.decode()
    assert response.status_code == 302
    assert WellbeingCheckIn.objects.get().workload == 5
    invalid = client.post(reverse("collab:wellbeing_checkin"), {"mood": "7"})
    assert invalid.status_code == 400


def test_api_writes_the_callers_check_in_and_refuses_bad_scores(team, client):
    client.force_login(team["author"])

    created = client.post(
        "/api/collab/checkins/", {"mood": 3, "workload": 4}, content_type="application/json"
    )
    bad = client.post(
        "/api/collab/checkins/", {"mood": "x", "workload": 99}, content_type="application/json"
    )

    assert created.status_code == 201
    assert created.json()["workload"] == 4
    assert bad.status_code == 400
