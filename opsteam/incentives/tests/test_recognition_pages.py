"""Recognition pages: the feed, kudos, leaderboards and the teams' switches, company values,
badges and holders, team commendations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.core.models import AuditEntry
from opsteam.incentives import services
from opsteam.incentives.models import (
    Badge,
    BadgeAward,
    CompanyValue,
    Kudos,
    RecognitionSetting,
    RewardEntry,
    TeamCommendation,
)
from opsteam.incentives.tests.factories import (
    BadgeAwardFactory,
    BadgeFactory,
    CompanyValueFactory,
    KudosFactory,
    RecognitionSettingFactory,
    RewardEntryFactory,
    TeamCommendationFactory,
)
from opsteam.org.tests.factories import StaffFactory


@pytest.fixture
def value(db):
    return CompanyValueFactory(name="客户第一", name_en="Customer first")


def _points(staff, points, on=None):
    return RewardEntryFactory(
        staff=staff,
        kind="points",
        title="kudos",
        points=points,
        granted_on=on or timezone.localdate(),
    )


# --- the feed ---------------------------------------------------------------------------------


def test_the_feed_shows_kudos_commendations_and_badges_with_the_value(client_as, org_tree, value):
    client = client_as("operator")
    colleague = StaffFactory(unit=org_tree.t2, name_en="Li Lei")
    services.kudos_give(
        actor=client.user, recipient=colleague, value=value, message="大促期间主动支援售后"
    )
    TeamCommendationFactory(unit=org_tree.t3, title="双十一最佳团队", value=value)
    BadgeAwardFactory(staff=colleague, badge=BadgeFactory(name_en="Mentor"), evidence="带新人")

    page = client.get(reverse("incentives:recognition"))

    assert page.status_code == 200
    html = page.content.decode()
    feed = html[html.index('id="recognition-feed"') :]
    assert "大促期间主动支援售后" in feed
    assert "Customer first" in feed
    assert "双十一最佳团队" in feed
    assert "Mentor" in feed
    assert feed.count("data-feed-kind=") == 3


def test_the_feed_is_newest_first_and_paginated(client_as, org_tree, value):
    client = client_as("operator")
    old = TeamCommendationFactory(unit=org_tree.t1, title="去年的表彰")
    old.awarded_on = timezone.localdate() - dt.timedelta(days=400)
    old.save(update_fields=["awarded_on"])
    KudosFactory.create_batch(
        20,
        sender=StaffFactory(unit=org_tree.t1),
        recipient=StaffFactory(unit=org_tree.t2),
        value=value,
        message="谢谢你",
    )

    first = client.get(reverse("incentives:recognition")).content.decode()
    second = client.get(reverse("incentives:recognition"), {"page": 2}).content.decode()

    assert "去年的表彰" not in first
    assert "Page 1 of 2" in first
    assert "去年的表彰" in second


def test_a_team_with_the_feed_off_stays_out_of_the_feed_and_sees_none(client_as, org_tree, value):
    # given T3 switched its feed off
    RecognitionSettingFactory(unit=org_tree.t3, feed_enabled=False)
    in_t3 = StaffFactory(unit=org_tree.t3)
    in_t2 = StaffFactory(unit=org_tree.t2)
    KudosFactory(recipient=in_t3, value=value, message="给结算组的感谢")
    KudosFactory(recipient=in_t2, value=value, message="给内容组的感谢")
    operator = client_as("operator")

    # when a T1 operator and a T3 member look at the feed
    feed = operator.get(reverse("incentives:recognition")).content.decode()
    t3_client = client_as("operator", unit=org_tree.t3)
    t3_page = t3_client.get(reverse("incentives:recognition")).content.decode()

    # then the T3 kudos are left out, and T3 sees no feed
    assert "给内容组的感谢" in feed
    assert "给结算组的感谢" not in feed
    assert 'id="feed-off"' in t3_page
    assert "给内容组的感谢" not in t3_page


# --- giving kudos -----------------------------------------------------------------------------


def test_giving_kudos_records_the_points_and_an_audit_entry(client_as, org_tree, value):
    client = client_as("operator")
    colleague = StaffFactory(unit=org_tree.t2)

    response = client.post(
        reverse("incentives:kudos_give"),
        {
            "recipient": colleague.pk,
            "value": value.pk,
            "message": "帮我排查了数据问题",
            "points": 20,
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("incentives:recognition")
    kudos = Kudos.objects.get()
    assert (kudos.sender, kudos.recipient, kudos.points) == (client.user.staff, colleague, 20)
    assert RewardEntry.objects.get(staff=colleague, kind="points").points == 20
    assert AuditEntry.objects.filter(object_type="incentives.kudos", action="create").exists()


@pytest.mark.parametrize(
    ("_case", "change", "field_error"),
    [
        ("no message", {"message": ""}, "This field is required."),
        ("too many points", {"points": 80}, "less than or equal to 50"),
        ("to oneself", {"recipient": "self"}, "Select a valid choice"),
    ],
)
def test_bad_kudos_show_the_field_error_and_write_nothing(
    client_as, org_tree, value, _case, change, field_error
):
    client = client_as("operator")
    data = {
        "recipient": StaffFactory(unit=org_tree.t2).pk,
        "value": value.pk,
        "message": "谢谢",
        "points": 10,
        **change,
    }
    if data["recipient"] == "self":
        data["recipient"] = client.user.staff.pk

    response = client.post(reverse("incentives:kudos_give"), data)

    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert not Kudos.objects.exists()
    assert not RewardEntry.objects.exists()


def test_the_sixth_kudos_of_the_day_is_refused_on_the_form(client_as, org_tree, value):
    client = client_as("operator")
    colleague = StaffFactory(unit=org_tree.t2)
    KudosFactory.create_batch(5, sender=client.user.staff, recipient=colleague, value=value)

    response = client.post(
        reverse("incentives:kudos_give"),
        {"recipient": colleague.pk, "value": value.pk, "message": "再次感谢", "points": 10},
    )

    assert response.status_code == 400
    assert "At most 5 kudos a day" in response.content.decode()
    assert Kudos.objects.count() == 5


# --- leaderboards -----------------------------------------------------------------------------


def test_leaderboards_rank_people_and_teams_by_points_this_month(client_as, org_tree):
    client = client_as("operator")
    star = StaffFactory(unit=org_tree.t2, name_en="Star")
    second = StaffFactory(unit=org_tree.t3, name_en="Runner-up")
    _points(star, 40)
    _points(star, 20)
    _points(second, 30)
    _points(second, 500, on=timezone.localdate() - dt.timedelta(days=400))  # long ago

    page = client.get(reverse("incentives:recognition")).content.decode()

    people = page[page.index('id="board-people"') : page.index('id="board-teams"')]
    assert people.index("Star") < people.index("Runner-up")
    assert "<td>1</td>" in people
    assert ">60<" in people
    assert ">30<" in people
    teams = page[page.index('id="board-teams"') :]
    assert teams.index("Content Ops") < teams.index("Settlement")


def test_a_team_with_leaderboards_off_is_not_ranked_and_its_members_see_no_board(
    client_as, org_tree
):
    RecognitionSettingFactory(unit=org_tree.d2, leaderboard_enabled=False)  # T3's department
    ranked = StaffFactory(unit=org_tree.t2, name_en="Ranked")
    hidden = StaffFactory(unit=org_tree.t3, name_en="Hidden")
    _points(ranked, 10)
    _points(hidden, 90)

    page = client_as("operator").get(reverse("incentives:recognition")).content.decode()
    t3_page = (
        client_as("operator", unit=org_tree.t3).get(reverse("incentives:recognition")).content
    ).decode()

    board = page[page.index('id="leaderboards"') :]
    assert "Ranked" in board
    assert "Hidden" not in board
    assert "Settlement" not in board[: board.index('id="recognition-switches"')]
    assert 'id="board-off"' in t3_page
    assert 'id="board-people"' not in t3_page


# --- a team's switches ------------------------------------------------------------------------


def test_a_teams_own_setting_wins_over_its_departments(client_as, org_tree):
    # given the Finance department switched boards off, but its team T3 switched them back on
    RecognitionSettingFactory(unit=org_tree.d2, leaderboard_enabled=False)
    RecognitionSettingFactory(unit=org_tree.t3, leaderboard_enabled=True)
    _points(StaffFactory(unit=org_tree.t3, name_en="Back On"), 10)
    _points(StaffFactory(unit=org_tree.d2, name_en="Still Off"), 20)

    page = client_as("operator").get(reverse("incentives:recognition")).content.decode()

    board = page[page.index('id="board-people"') : page.index('id="recognition-switches"')]
    assert "Back On" in board
    assert "Still Off" not in board


def test_a_manager_switches_their_team_board_off_and_it_is_audited(client_as, org_tree):
    client = client_as("manager")
    url = reverse("incentives:recognition_settings", args=[org_tree.t1.pk])

    form = client.get(url)
    response = client.post(url, {"feed_enabled": "on"})

    assert form.status_code == 200
    assert response.status_code == 302
    setting = RecognitionSetting.objects.get(unit=org_tree.t1)
    assert (setting.leaderboard_enabled, setting.feed_enabled) == (False, True)
    assert AuditEntry.objects.filter(
        object_type="incentives.recognitionsetting", action="create"
    ).exists()


@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("operator", 403), ("hr", 302)])
def test_only_the_units_managers_and_hr_switch_its_settings(client_as, org_tree, role, status):
    client = client_as(role)

    response = client.post(
        reverse("incentives:recognition_settings", args=[org_tree.t3.pk]), {"feed_enabled": "on"}
    )

    assert response.status_code == status
    assert RecognitionSetting.objects.filter(unit=org_tree.t3).exists() == (status == 302)


def test_settings_of_an_unknown_unit_answer_404(client_as):
    client = client_as("hr")

    assert client.get(reverse("incentives:recognition_settings", args=[999999])).status_code == 404


# --- company values ---------------------------------------------------------------------------


def test_hr_adds_and_edits_a_company_value_audited(client_as):
    client = client_as("hr")

    created = client.post(
        reverse("incentives:value_create"),
        {
            "code": "DATA",
            "name": "数据说话",
            "name_en": "Data first",
            "order": 2,
            "is_active": "on",
        },
    )
    value = CompanyValue.objects.get(code="DATA")
    edited = client.post(
        reverse("incentives:value_edit", args=[value.pk]),
        {"code": "DATA", "name": "数据驱动", "name_en": "Data driven", "order": 2},
    )
    listing = client.get(reverse("incentives:value_list"))

    assert (created.status_code, edited.status_code) == (302, 302)
    value.refresh_from_db()
    assert (value.name, value.is_active) == ("数据驱动", False)
    assert AuditEntry.objects.filter(object_type="incentives.companyvalue").count() == 2
    assert "Data driven" in listing.content.decode()
    assert reverse("incentives:value_edit", args=[value.pk]) in listing.content.decode()


def test_a_duplicate_value_code_shows_the_field_error(client_as, value):
    client = client_as("hr")

    response = client.post(reverse("incentives:value_create"), {"code": value.code, "name": "重复"})

    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert CompanyValue.objects.count() == 1


def test_operators_see_values_without_edit_links(client_as, value):
    page = client_as("operator").get(reverse("incentives:value_list")).content.decode()

    assert "Customer first" in page
    assert reverse("incentives:value_edit", args=[value.pk]) not in page


# --- badges -----------------------------------------------------------------------------------


def test_the_badge_list_shows_the_criterion_and_holders(client_as, org_tree):
    badge = BadgeFactory(name_en="Kudos magnet", criterion="kudos_received", threshold=3)
    BadgeAwardFactory.create_batch(2, badge=badge)

    page = client_as("operator").get(reverse("incentives:badge_list")).content.decode()

    assert "Kudos magnet" in page
    assert "Received kudos" in page
    assert reverse("incentives:badge_detail", args=[badge.pk]) in page


def test_the_badge_page_lists_its_holders(client_as, org_tree):
    badge = BadgeFactory(name_en="Mentor")
    BadgeAwardFactory(badge=badge, staff=StaffFactory(unit=org_tree.t2, name_en="Han Meimei"))

    page = client_as("operator").get(reverse("incentives:badge_detail", args=[badge.pk]))

    assert page.status_code == 200
    assert "Han Meimei" in page.content.decode()
    assert 'id="award-form"' not in page.content.decode()


def test_hr_creates_a_badge_for_completing_a_plan(client_as):
    from opsteam.training.tests.factories import TrainingPlanFactory

    plan = TrainingPlanFactory()
    client = client_as("hr")
    data = {"code": "ONBOARD", "name": "新人毕业", "criterion": "plan_completed", "points": 30}

    missing = client.post(reverse("incentives:badge_create"), data)
    created = client.post(reverse("incentives:badge_create"), {**data, "plan": plan.pk})

    assert missing.status_code == 400
    assert "Choose the training plan" in missing.content.decode()
    assert created.status_code == 302
    badge = Badge.objects.get(code="ONBOARD")
    assert (badge.plan, badge.kpi, badge.threshold) == (plan, None, 0)
    assert AuditEntry.objects.filter(object_type="incentives.badge", action="create").count() == 1


def test_changing_a_badges_criterion_drops_what_the_old_one_needed(client_as):
    badge = BadgeFactory(criterion="kudos_received", threshold=3)
    client = client_as("hr")
    url = reverse("incentives:badge_edit", args=[badge.pk])

    form = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "code": badge.code,
            "name": badge.name,
            "criterion": "manual",
            "points": 20,
            "threshold": 3,
        },
    )

    assert 'value="3"' in form
    assert response.status_code == 302
    badge.refresh_from_db()
    assert (badge.criterion, badge.threshold, badge.points) == ("manual", 0, 20)
    assert AuditEntry.objects.filter(object_type="incentives.badge", action="update").exists()


def test_hr_awards_a_manual_badge_from_its_page(client_as, org_tree):
    badge = BadgeFactory(points=40)
    person = StaffFactory(unit=org_tree.t2)
    client = client_as("hr")

    page = client.get(reverse("incentives:badge_detail", args=[badge.pk])).content.decode()
    response = client.post(
        reverse("incentives:badge_award", args=[badge.pk]),
        {"staff": person.pk, "evidence": "带新人 3 名"},
    )

    assert 'id="award-form"' in page
    assert 'data-confirm="' in page
    assert response.status_code == 302
    assert BadgeAward.objects.get(badge=badge).staff == person
    assert RewardEntry.objects.get(staff=person).points == 40


def test_an_automatic_badge_is_not_awarded_by_hand(client_as, org_tree):
    badge = BadgeFactory(criterion="kudos_received", threshold=3)
    client = client_as("hr")

    page = client.get(reverse("incentives:badge_award", args=[badge.pk]))
    response = client.post(
        reverse("incentives:badge_award", args=[badge.pk]),
        {"staff": StaffFactory(unit=org_tree.t2).pk},
    )

    assert page.status_code == 302
    assert response.status_code == 400
    assert "awarded by hand" in response.content.decode()
    assert not BadgeAward.objects.exists()


# --- team commendations -----------------------------------------------------------------------


def test_a_manager_commends_their_team_and_members_get_the_points(client_as, org_tree, value):
    client = client_as("manager")
    member = StaffFactory(unit=org_tree.t1)

    form = client.get(reverse("incentives:commendation_create")).content.decode()
    response = client.post(
        reverse("incentives:commendation_create"),
        {
            "unit": org_tree.t1.pk,
            "title": "大促零差错",
            "citation": "全组三天零差错完成大促",
            "value": value.pk,
            "points_each": 15,
        },
    )

    assert f'value="{org_tree.t1.pk}"' in form
    assert f'value="{org_tree.t3.pk}"' not in form
    assert response.status_code == 302
    commendation = TeamCommendation.objects.get()
    assert commendation.awarded_by == client.user
    assert RewardEntry.objects.get(staff=member).points == 15
    listing = client.get(reverse("incentives:commendation_list")).content.decode()
    assert "大促零差错" in listing


def test_a_manager_cannot_commend_a_team_of_another_department(client_as, org_tree):
    client = client_as("manager")

    response = client.post(
        reverse("incentives:commendation_create"),
        {"unit": org_tree.t3.pk, "title": "好", "citation": "好", "points_each": 0},
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not TeamCommendation.objects.exists()


def test_operators_may_not_commend_teams(client_as):
    assert client_as("operator").get(reverse("incentives:commendation_create")).status_code == 403


def test_badges_export_to_csv_with_formulas_escaped(client_as, org_tree):
    badge = BadgeFactory(name_en="=HYPERLINK(1)")
    BadgeAwardFactory(badge=badge)

    response = client_as("operator").get(reverse("incentives:badge_list"), {"export": "csv"})

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert badge.code in body
    assert "'=HYPERLINK(1)" in body
