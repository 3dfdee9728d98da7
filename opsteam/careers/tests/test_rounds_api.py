"""The promotion-round API: rounds (create, advance), nominations (nominate, withdraw,
decide) and committee reviews (each member submits their own), scoped by the policy."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from opsteam.careers import services
from opsteam.careers.choices import NominationStatus, RoundStatus
from opsteam.careers.models import CommitteeReview, Nomination, PromotionRound
from opsteam.careers.tests.test_rounds_pages import make_world, nominate, start_review
from opsteam.core.models import AuditEntry
from opsteam.org.models import Staff
from opsteam.org.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

ROUNDS = "/api/careers/rounds/"
NOMINATIONS = "/api/careers/nominations/"
REVIEWS = "/api/careers/committee-reviews/"


@pytest.fixture
def world(user_as, org_tree):
    return make_world(user_as, org_tree)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_everyone_lists_rounds_and_hr_creates_one_with_a_committee(world):
    listed = api(world.nominee_user).get(ROUNDS)
    created = api(world.hr).post(
        ROUNDS,
        {
            "name": "2027 晋升",
            "nominations_close": "2027-03-01",
            "effective_date": "2027-04-01",
            "committee": [member.pk for member in world.members],
        },
        format="json",
    )

    assert [row["name_en"] for row in listed.json()["results"]] == ["2026 promotions"]
    assert listed.json()["results"][0]["committee"] == sorted(m.pk for m in world.members)
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["nomination_count"]) == ("draft", 0)
    assert sorted(body["committee"]) == sorted(m.pk for m in world.members)
    assert AuditEntry.objects.filter(
        object_type="careers.promotionround", object_id=str(body["id"]), action="create"
    ).exists()


@pytest.mark.parametrize(
    ("_case", "data", "attr"),
    [
        (
            "effective before close",
            {"name": "x", "nominations_close": "2027-04-01", "effective_date": "2027-03-01"},
            "effective_date",
        ),
        ("no dates", {"name": "x"}, "nominations_close"),
        (
            "unknown member",
            {
                "name": "x",
                "nominations_close": "2027-03-01",
                "effective_date": "2027-04-01",
                "committee": [987654],
            },
            "committee",
        ),
    ],
)
def test_bad_round_is_refused_with_the_field_named(world, _case, data, attr):
    response = api(world.hr).post(ROUNDS, data, format="json")

    assert response.status_code == 400
    assert attr in [error["attr"] for error in response.json()["errors"]]
    assert PromotionRound.objects.count() == 1


def test_only_hr_creates_and_advances_rounds(world):
    created = api(world.manager).post(
        ROUNDS,
        {"name": "x", "nominations_close": "2027-03-01", "effective_date": "2027-04-01"},
        format="json",
    )
    refused = api(world.manager).post(f"{ROUNDS}{world.round.pk}/advance/")
    advanced = api(world.hr).post(f"{ROUNDS}{world.round.pk}/advance/")
    closing = api(world.hr).post(f"{ROUNDS}{world.round.pk}/advance/")

    assert created.status_code == 403
    assert refused.status_code == 403
    assert advanced.json()["status"] == RoundStatus.REVIEWING
    # no nomination is undecided, so the round may close
    assert closing.json()["status"] == RoundStatus.CLOSED


def test_manager_nominates_their_team_member_and_the_snapshot_is_kept(world):
    response = api(world.manager).post(
        NOMINATIONS,
        {
            "round": world.round.pk,
            "staff": world.nominee.pk,
            "target_level": world.levels["P3"].pk,
            "justification": "连续两个季度超额完成 GMV",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["status"], body["target_level_code"]) == (
        "manager",
        "nominated",
        "P3",
    )
    assert body["ready_at_nomination"] is False
    assert (body["eligibility"]["met"], body["eligibility"]["total"]) == (1, 2)
    assert [check["kind"] for check in body["eligibility"]["checks"]] == [
        "time_in_level",
        "competency",
    ]
    nomination = Nomination.objects.get(pk=body["id"])
    assert AuditEntry.objects.filter(
        object_type="careers.nomination", object_id=str(nomination.pk), action="create"
    ).exists()


def test_nominating_outside_ones_scope_is_not_found_and_writes_nothing(world, org_tree, user_as):
    outsider = StaffFactory(unit=org_tree.t3, level=world.levels["P2"])
    data = {
        "round": world.round.pk,
        "staff": outsider.pk,
        "target_level": world.levels["P3"].pk,
        "justification": "推荐",
    }

    by_manager = api(world.manager).post(NOMINATIONS, data, format="json")
    by_operator = api(world.nominee_user).post(NOMINATIONS, data, format="json")
    by_auditor = api(user_as("auditor")).post(NOMINATIONS, data, format="json")

    assert by_manager.status_code == 404
    assert by_manager.json()["type"] == "client_error"
    assert by_operator.status_code == 404
    assert by_auditor.status_code == 403
    assert not Nomination.objects.exists()
    assert not AuditEntry.objects.filter(object_type="careers.nomination").exists()


@pytest.mark.parametrize(
    ("_case", "change", "status", "attr"),
    [
        ("unknown level", {"target_level": 999999}, 400, "target_level"),
        ("same level", {"target_level": "P2"}, 400, "target_level"),
        ("blank justification", {"justification": "  "}, 400, "justification"),
        ("unknown round", {"round": 999999}, 404, None),
    ],
)
def test_bad_nomination_is_refused(world, _case, change, status, attr):
    data = {
        "round": world.round.pk,
        "staff": world.nominee.pk,
        "target_level": world.levels["P3"].pk,
        "justification": "推荐",
    }
    if change.get("target_level") == "P2":
        change = {"target_level": world.levels["P2"].pk}
    data.update(change)

    response = api(world.manager).post(NOMINATIONS, data, format="json")

    assert response.status_code == status
    if attr:
        assert attr in [error["attr"] for error in response.json()["errors"]]
    assert not Nomination.objects.exists()


def test_nominations_are_listed_within_each_users_scope(world, org_tree):
    nominate(world)
    teammate = StaffFactory(unit=org_tree.t1, level=world.levels["P2"])
    nominate(world, staff=teammate)
    outsider = StaffFactory(unit=org_tree.t3, level=world.levels["P2"])
    other = nominate(world, actor=world.hr, staff=outsider)

    def staff_ids(user):
        return sorted(row["staff"] for row in api(user).get(NOMINATIONS).json()["results"])

    assert staff_ids(world.hr) == sorted([world.nominee.pk, teammate.pk, outsider.pk])
    assert staff_ids(world.manager) == sorted([world.nominee.pk, teammate.pk])
    assert staff_ids(world.nominee_user) == [world.nominee.pk]
    assert api(world.manager).get(f"{NOMINATIONS}{other.pk}/").status_code == 404
    filtered = api(world.hr).get(NOMINATIONS, {"staff": outsider.pk}).json()["results"]
    assert [row["id"] for row in filtered] == [other.pk]


def test_withdrawing_and_deciding_follow_the_roles(world):
    nomination = start_review(world)
    url = f"{NOMINATIONS}{nomination.pk}/"

    by_manager = api(world.manager).post(f"{url}decide/", {"decision": "approve"}, format="json")
    bad = api(world.hr).post(f"{url}decide/", {"decision": "promote"}, format="json")
    reject_without_note = api(world.hr).post(f"{url}decide/", {"decision": "reject"}, format="json")
    approved = api(world.hr).post(f"{url}decide/", {"decision": "approve"}, format="json")
    withdraw_after = api(world.manager).post(f"{url}withdraw/")

    assert by_manager.status_code == 403
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "decision"
    assert reject_without_note.status_code == 400
    assert reject_without_note.json()["errors"][0]["attr"] == "decision_note"
    assert approved.status_code == 200
    assert approved.json()["status"] == NominationStatus.APPROVED
    assert Staff.objects.get(pk=world.nominee.pk).level == world.levels["P3"]
    assert withdraw_after.status_code == 409


def test_manager_withdraws_an_undecided_nomination(world):
    nomination = nominate(world)

    response = api(world.manager).post(f"{NOMINATIONS}{nomination.pk}/withdraw/")

    assert response.status_code == 200
    assert response.json()["status"] == NominationStatus.WITHDRAWN


def test_committee_reviews_are_each_members_own_and_hidden_from_nominee_and_manager(world):
    nomination = start_review(world)
    first, second = world.members
    mine = CommitteeReview.objects.get(nomination=nomination, reviewer=first)
    theirs = CommitteeReview.objects.get(nomination=nomination, reviewer=second)

    def ids(user):
        return sorted(row["id"] for row in api(user).get(REVIEWS).json()["results"])

    assert ids(first) == [mine.pk]
    assert ids(world.hr) == sorted([mine.pk, theirs.pk])
    assert ids(world.nominee_user) == []
    assert ids(world.manager) == []
    assert api(world.manager).get(f"{REVIEWS}{mine.pk}/").status_code == 404
    row = api(first).get(f"{REVIEWS}{mine.pk}/").json()
    assert (row["staff"], row["round"], row["submitted_at"]) == (
        world.nominee.pk,
        world.round.pk,
        None,
    )


def test_member_submits_their_own_review_and_no_one_elses(world):
    nomination = start_review(world)
    first, second = world.members
    mine = CommitteeReview.objects.get(nomination=nomination, reviewer=first)

    submitted = api(first).post(
        f"{REVIEWS}{mine.pk}/submit/",
        {"score": "88.5", "recommendation": "approve", "comment": "条理清楚"},
        format="json",
    )
    by_other_member = api(second).post(
        f"{REVIEWS}{mine.pk}/submit/", {"score": 10, "recommendation": "reject"}, format="json"
    )
    by_hr = api(world.hr).post(
        f"{REVIEWS}{mine.pk}/submit/", {"score": 10, "recommendation": "reject"}, format="json"
    )
    too_high = api(first).post(
        f"{REVIEWS}{mine.pk}/submit/", {"score": 101, "recommendation": "approve"}, format="json"
    )

    assert submitted.status_code == 200
    assert (submitted.json()["score"], submitted.json()["recommendation"]) == ("88.5", "approve")
    assert by_other_member.status_code == 404
    assert by_hr.status_code == 403
    assert too_high.status_code == 400
    assert too_high.json()["errors"][0]["attr"] == "score"
    mine.refresh_from_db()
    assert (str(mine.score), mine.comment) == ("88.5", "条理清楚")
    nomination.refresh_from_db()
    assert str(nomination.defence_score) == "88.5"
    assert api(first).get(REVIEWS, {"submitted": "false"}).json()["results"] == []
    assert len(api(first).get(REVIEWS, {"submitted": "true"}).json()["results"]) == 1


def test_a_review_cannot_be_submitted_once_the_nomination_is_decided(world):
    nomination = start_review(world)
    first = world.members[0]
    review = CommitteeReview.objects.get(nomination=nomination, reviewer=first)
    services.nomination_decide(
        actor=world.hr, nomination=nomination, decision="defer", note="再积累半年"
    )

    response = api(first).post(
        f"{REVIEWS}{review.pk}/submit/", {"score": 70, "recommendation": "defer"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == "The nomination has been decided."
