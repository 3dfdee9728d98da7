"""Recognition API: kudos feed and giving, values, badges and awards, commendations, the teams'
switches, leaderboards and the fairness review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.core.models import AuditEntry
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
    ReviewCycleFactory,
    ReviewFactory,
    RewardEntryFactory,
    TeamCommendationFactory,
)
from opsteam.org.tests.factories import StaffFactory


@pytest.fixture
def value(db):
    return CompanyValueFactory(name="客户第一", name_en="Customer first")


# --- kudos ------------------------------------------------------------------------------------


def test_the_kudos_list_is_the_feed_without_feed_off_teams(api_client_as, org_tree, value):
    RecognitionSettingFactory(unit=org_tree.t3, feed_enabled=False)
    shown = KudosFactory(recipient=StaffFactory(unit=org_tree.t2), value=value)
    KudosFactory(recipient=StaffFactory(unit=org_tree.t3), value=value)
    api = api_client_as("operator")

    body = api.get(reverse("incentives-kudos-list")).json()

    assert [row["id"] for row in body["results"]] == [shown.pk]
    assert body["results"][0]["value_name"] == "Customer first"


def test_a_member_of_a_feed_off_team_gets_no_feed(api_client_as, org_tree, value):
    RecognitionSettingFactory(unit=org_tree.d2, feed_enabled=False)  # T3's department
    KudosFactory(recipient=StaffFactory(unit=org_tree.t2), value=value)

    body = api_client_as("operator", unit=org_tree.t3).get(reverse("incentives-kudos-list")).json()

    assert body["results"] == []


def test_giving_kudos_through_the_api_records_points(api_client_as, org_tree, value):
    api = api_client_as("operator")
    colleague = StaffFactory(unit=org_tree.t3)

    response = api.post(
        reverse("incentives-kudos-list"),
        {"recipient": colleague.pk, "value": value.pk, "message": "谢谢对账支持", "points": 5},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["sender"] == api.user.staff.pk
    assert RewardEntry.objects.get(staff=colleague).points == 5
    assert AuditEntry.objects.filter(object_type="incentives.kudos").exists()


@pytest.mark.parametrize(
    ("_case", "change", "attr"),
    [
        ("to oneself", {"recipient": "self"}, "recipient"),
        ("no message", {"message": ""}, "message"),
        ("too many points", {"points": 51}, "points"),
        ("unknown value", {"value": 999999}, "value"),
    ],
)
def test_bad_kudos_answer_400_naming_the_field(api_client_as, org_tree, value, _case, change, attr):
    api = api_client_as("operator")
    data = {
        "recipient": StaffFactory(unit=org_tree.t2).pk,
        "value": value.pk,
        "message": "谢谢",
        **change,
    }
    if data["recipient"] == "self":
        data["recipient"] = api.user.staff.pk

    response = api.post(reverse("incentives-kudos-list"), data, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr
    assert not Kudos.objects.exists()


# --- values -----------------------------------------------------------------------------------


def test_hr_creates_and_updates_values_others_are_refused(api_client_as, value):
    hr = api_client_as("hr")
    operator = api_client_as("operator")

    created = hr.post(
        reverse("incentives-value-list"), {"code": "TEAM", "name": "团队协作"}, format="json"
    )
    updated = hr.patch(
        reverse("incentives-value-detail", args=[value.pk]), {"is_active": False}, format="json"
    )
    refused = operator.post(
        reverse("incentives-value-list"), {"code": "X", "name": "x"}, format="json"
    )

    assert (created.status_code, updated.status_code, refused.status_code) == (201, 200, 403)
    assert CompanyValue.objects.filter(code="TEAM").exists()
    value.refresh_from_db()
    assert value.is_active is False
    assert not CompanyValue.objects.filter(code="X").exists()


def test_a_duplicate_value_code_answers_400(api_client_as, value):
    response = api_client_as("hr").post(
        reverse("incentives-value-list"), {"code": value.code, "name": "重复"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "code"


# --- badges -----------------------------------------------------------------------------------


def test_badges_list_their_holders_count(api_client_as):
    badge = BadgeFactory()
    BadgeAwardFactory.create_batch(3, badge=badge)

    body = api_client_as("operator").get(reverse("incentives-badge-list")).json()

    assert body["results"][0]["holders"] == 3


def test_a_kpi_badge_needs_its_kpi(api_client_as):
    from opsteam.performance.tests.factories import KpiFactory

    api = api_client_as("hr")
    data = {"code": "TOP", "name": "转化之星", "criterion": "kpi_top_decile"}

    missing = api.post(reverse("incentives-badge-list"), data, format="json")
    created = api.post(
        reverse("incentives-badge-list"), {**data, "kpi": KpiFactory().pk}, format="json"
    )

    assert missing.status_code == 400
    assert missing.json()["errors"][0]["attr"] == "kpi"
    assert created.status_code == 201
    assert Badge.objects.get(code="TOP").kpi_id == created.json()["kpi"]


def test_hr_awards_a_manual_badge_and_an_automatic_one_is_refused(api_client_as, org_tree):
    api = api_client_as("hr")
    manual = BadgeFactory(points=20)
    automatic = BadgeFactory(criterion="kudos_received", threshold=2)
    person = StaffFactory(unit=org_tree.t2)

    awarded = api.post(
        reverse("incentives-badge-award", args=[manual.pk]), {"staff": person.pk}, format="json"
    )
    refused = api.post(
        reverse("incentives-badge-award", args=[automatic.pk]), {"staff": person.pk}, format="json"
    )

    assert awarded.status_code == 201
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "badge"
    assert list(BadgeAward.objects.values_list("badge_id", flat=True)) == [manual.pk]


def test_managers_may_not_award_badges(api_client_as, org_tree):
    badge = BadgeFactory()

    response = api_client_as("manager").post(
        reverse("incentives-badge-award", args=[badge.pk]),
        {"staff": StaffFactory(unit=org_tree.t1).pk},
        format="json",
    )

    assert response.status_code == 403
    assert not BadgeAward.objects.exists()


def test_badge_awards_filter_by_badge(api_client_as):
    badge = BadgeFactory()
    mine = BadgeAwardFactory(badge=badge)
    BadgeAwardFactory()

    body = api_client_as("operator").get(
        reverse("incentives-badge-award-list"), {"badge": badge.pk}
    )

    assert [row["id"] for row in body.json()["results"]] == [mine.pk]


# --- commendations ----------------------------------------------------------------------------


def test_a_manager_commends_a_team_of_their_subtree_only(api_client_as, org_tree):
    api = api_client_as("manager")

    own = api.post(
        reverse("incentives-commendation-list"),
        {"unit": org_tree.t1.pk, "title": "零差错", "citation": "大促零差错", "points_each": 5},
        format="json",
    )
    other = api.post(
        reverse("incentives-commendation-list"),
        {"unit": org_tree.t3.pk, "title": "好", "citation": "好"},
        format="json",
    )

    assert own.status_code == 201
    assert other.status_code == 403
    assert list(TeamCommendation.objects.values_list("unit_id", flat=True)) == [org_tree.t1.pk]


def test_commendations_are_listed_newest_first(api_client_as, org_tree):
    older = TeamCommendationFactory(unit=org_tree.t2, awarded_on=dt.date(2025, 1, 1))
    newer = TeamCommendationFactory(unit=org_tree.t3, awarded_on=dt.date(2026, 1, 1))

    body = api_client_as("operator").get(reverse("incentives-commendation-list")).json()

    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]


# --- settings ---------------------------------------------------------------------------------


def test_a_manager_switches_their_team_feed_off_through_the_api(api_client_as, org_tree):
    api = api_client_as("manager")
    url = reverse("incentives-recognition-setting-detail", args=[org_tree.t1.pk])

    response = api.patch(url, {"feed_enabled": False}, format="json")
    listed = api.get(reverse("incentives-recognition-setting-list")).json()

    assert response.status_code == 200
    assert response.json() == {
        "id": RecognitionSetting.objects.get().pk,
        "unit": org_tree.t1.pk,
        "unit_name": "Store Ops",
        "leaderboard_enabled": True,
        "feed_enabled": False,
    }
    assert [row["unit"] for row in listed["results"]] == [org_tree.t1.pk]
    assert AuditEntry.objects.filter(object_type="incentives.recognitionsetting").exists()


@pytest.mark.parametrize(
    ("role", "unit", "status"),
    [("manager", "t3", 403), ("operator", "t1", 403), ("auditor", "t1", 403), ("hr", "t3", 200)],
)
def test_settings_of_a_unit_are_the_units_managers_and_hrs(
    api_client_as, org_tree, role, unit, status
):
    response = api_client_as(role).patch(
        reverse("incentives-recognition-setting-detail", args=[getattr(org_tree, unit).pk]),
        {"leaderboard_enabled": False},
        format="json",
    )

    assert response.status_code == status
    assert RecognitionSetting.objects.exists() == (status == 200)


def test_settings_of_an_unknown_unit_answer_404(api_client_as):
    response = api_client_as("hr").patch(
        reverse("incentives-recognition-setting-detail", args=[999999]), {}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


# --- leaderboard ------------------------------------------------------------------------------


def test_the_leaderboard_ranks_people_and_teams(api_client_as, org_tree):
    today = timezone.localdate()
    star = StaffFactory(unit=org_tree.t2)
    other = StaffFactory(unit=org_tree.t2)
    RewardEntryFactory(staff=star, kind="points", points=30, granted_on=today)
    RewardEntryFactory(staff=other, kind="points", points=30, granted_on=today)
    RewardEntryFactory(staff=other, kind="bonus", amount=Decimal("9000"), granted_on=today)
    api = api_client_as("operator")

    body = api.get(reverse("incentives-leaderboard"), {"period": "quarter"}).json()

    assert body["enabled"] is True
    assert body["period"] == "quarter"
    assert [(row["rank"], row["points"]) for row in body["people"]] == [(1, 30), (1, 30)]
    assert body["teams"] == [
        {"rank": 1, "unit": org_tree.t2.pk, "name": "Content Ops", "people": 2, "points": 60}
    ]
    assert body["my_points"] == 0


def test_the_leaderboard_of_a_board_off_team_is_empty(api_client_as, org_tree):
    RecognitionSettingFactory(unit=org_tree.t1, leaderboard_enabled=False)
    RewardEntryFactory(
        staff=StaffFactory(unit=org_tree.t2),
        kind="points",
        points=10,
        granted_on=timezone.localdate(),
    )

    body = api_client_as("operator").get(reverse("incentives-leaderboard")).json()

    assert (body["enabled"], body["people"], body["teams"]) == (False, [], [])


def test_an_unknown_leaderboard_period_answers_400(api_client_as):
    response = api_client_as("operator").get(reverse("incentives-leaderboard"), {"period": "year"})

    assert response.status_code == 400


# --- fairness ---------------------------------------------------------------------------------


def test_the_fairness_review_returns_rates_and_hides_small_groups(api_client_as, org_tree):
    cycle = ReviewCycleFactory()
    # two groups below the minimum of 3 that together reach it: nothing else is withheld
    teams = (
        (org_tree.t1, "AAAAAA"),
        (org_tree.t2, "BBBBBBBB"),
        (org_tree.t3, "CC"),
        (org_tree.d2, "C"),
    )
    for unit, grades in teams:
        for grade in grades:
            ReviewFactory(cycle=cycle, staff=StaffFactory(unit=unit), grade=grade)
    api = api_client_as("auditor")

    body = api.get(reverse("incentives-fairness"), {"cycle": cycle.pk, "min_group": 3}).json()

    team = next(d for d in body["dimensions"] if d["dimension"] == "team")
    top = next(m for m in team["measures"] if m["measure"] == "top_grade")
    groups = {group["label"]: group for group in top["groups"]}
    assert body["people"] == 17
    assert top["overall"] == 35.3
    assert groups["Store Ops"]["rate"] == 100.0
    assert groups["Store Ops"]["flagged"] is True
    assert groups["Settlement"] == {
        "key": f"u{org_tree.t3.pk}",
        "label": "Settlement",
        "n": 2,
        "rate": None,
        "difference": None,
        "flagged": False,
        "status": "too_small",
    }


@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("operator", 403), ("hr", 200)])
def test_only_org_wide_readers_get_the_fairness_review(api_client_as, role, status):
    ReviewCycleFactory()

    assert api_client_as(role).get(reverse("incentives-fairness")).status_code == status


@pytest.mark.parametrize("query", [{"min_group": 2}, {"margin": 0}, {"cycle": "x"}])
def test_bad_fairness_settings_answer_400(api_client_as, query):
    response = api_client_as("hr").get(reverse("incentives-fairness"), query)

    assert response.status_code == 400


def test_an_unknown_cycle_answers_404(api_client_as):
    response = api_client_as("hr").get(reverse("incentives-fairness"), {"cycle": 999999})

    assert response.status_code == 404
