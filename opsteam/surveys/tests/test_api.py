"""API: nominate, approve within the load limit, answer, read released results."""

import pytest
from django.urls import reverse

from opsteam.org.tests.factories import StaffFactory
from opsteam.surveys import services
from opsteam.surveys.choices import InvitationStatus
from opsteam.surveys.tests.factories import CampaignFactory


@pytest.fixture
def api_setup(api_client_as, org_tree):
    manager_api = api_client_as("manager")
    reviewee_api = api_client_as("operator")
    reviewee = reviewee_api.user.staff
    reviewee.manager = manager_api.user.staff
    reviewee.save(update_fields=["manager"])
    hr_api = api_client_as("hr")
    campaign = CampaignFactory(rater_load_limit=1)
    response = hr_api.post(
        reverse("survey-subject-list"),
        {"campaign": campaign.pk, "staff": reviewee.pk},
        format="json",
    )
    assert response.status_code == 201
    return {
        "manager": manager_api,
        "reviewee": reviewee_api,
        "hr": hr_api,
        "campaign": campaign,
        "subject_id": response.json()["id"],
        "org": org_tree,
    }


def test_nominate_approve_and_load_limit_through_the_api(api_setup):
    peer = StaffFactory(unit=api_setup["org"].t1, name_en="Api Peer")
    subject_id = api_setup["subject_id"]
    nominate = reverse("survey-subject-nominate", args=[subject_id])

    proposed = api_setup["reviewee"].post(
        nominate, {"relationship": "peer", "rater": peer.pk}, format="json"
    )
    assert proposed.status_code == 201
    invitation_id = proposed.json()["id"]

    own = api_setup["reviewee"].post(
        reverse("survey-subject-approve", args=[subject_id]),
        {"invitation": invitation_id},
        format="json",
    )
    assert own.status_code == 403

    approved = api_setup["manager"].post(
        reverse("survey-subject-approve", args=[subject_id]),
        {"invitation": invitation_id},
        format="json",
    )
    assert approved.status_code == 200
    assert approved.json()["invitation"]["status"] == InvitationStatus.OPEN

    other = services.subject_add(
        actor=api_setup["hr"].user,
        campaign=api_setup["campaign"],
        staff=StaffFactory(unit=api_setup["org"].t1),
    )
    second = services.nominate(
        actor=api_setup["hr"].user, subject=other, relationship="peer", rater=peer
    )
    refused = api_setup["hr"].post(
        reverse("survey-subject-approve", args=[other.pk]),
        {"invitation": second.pk},
        format="json",
    )
    assert refused.status_code == 400
    assert "Api Peer" in refused.content.decode()


def test_rater_answers_through_the_api(api_setup):
    reviewee = api_setup["reviewee"]
    mine = reviewee.get(reverse("survey-invitation-list")).json()["results"]
    assert [row["relationship"] for row in mine] == ["self"]
    invitation_id = mine[0]["id"]
    form = reviewee.get(reverse("survey-invitation-answer-form", args=[invitation_id])).json()
    ratings = {
        str(row["question"]["id"]): 5
        for row in form["questions"]
        if row["question"]["kind"] == "rating"
    }

    response = reviewee.post(
        reverse("survey-invitation-respond", args=[invitation_id]),
        {"ratings": ratings, "final": True},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    results = reviewee.get(reverse("survey-subject-results", args=[api_setup["subject_id"]]))
    self_group = results.json()["groups"][0]
    assert self_group["relationship"] == "self"
    assert self_group["mean"] == 5.0


def test_incomplete_submission_is_a_400_naming_the_question(api_setup):
    reviewee = api_setup["reviewee"]
    invitation_id = reviewee.get(reverse("survey-invitation-list")).json()["results"][0]["id"]

    response = reviewee.post(
        reverse("survey-invitation-respond", args=[invitation_id]),
        {"ratings": {}},
        format="json",
    )

    assert response.status_code == 400
    assert "has no rating" in response.content.decode()


def test_list_endpoints_run_a_bounded_number_of_queries(api_setup, django_assert_max_num_queries):
    for _ in range(5):
        services.subject_add(
            actor=api_setup["hr"].user,
            campaign=api_setup["campaign"],
            staff=StaffFactory(unit=api_setup["org"].t1),
        )
    hr = api_setup["hr"]
    for name in (
        "survey-campaign-list",
        "survey-subject-list",
        "survey-invitation-list",
        "survey-questionnaire-list",
    ):
        with django_assert_max_num_queries(12):
            assert hr.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(15):
        hr.get(reverse("survey-campaign-export", args=[api_setup["campaign"].pk]))
