"""External customers answer through a token link without logging in."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.surveys import services
from opsteam.surveys.choices import CampaignStatus, InvitationStatus
from opsteam.surveys.models import Answer
from opsteam.surveys.tests.factories import CampaignFactory


@pytest.fixture
def external(user_as, org_tree):
    hr = user_as("hr")
    reviewee = user_as("operator")
    subject = services.subject_add(actor=hr, campaign=CampaignFactory(), staff=reviewee.staff)
    invitation = services.nominate(
        actor=reviewee,
        subject=subject,
        relationship="external_customer",
        external_name="天猫店铺 李经理",
        external_email="li@example.com",
    )
    approval = services.approve(actor=hr, invitation=invitation)
    return {
        "invitation": approval.invitation,
        "token": approval.token,
        "campaign": subject.campaign,
    }


def _post(client, token, campaign, submit=True):
    data = {
        f"q{q.pk}": "4" if q.is_rating else "回复及时"
        for q in campaign.questionnaire.questions.all()
    }
    if submit:
        data["submit"] = "1"
    return client.post(reverse("surveys:external_respond", args=[token]), data)


def test_token_is_stored_only_hashed(external):
    invitation = external["invitation"]

    assert len(external["token"]) >= 40
    assert invitation.token_hash == services.token_hash(external["token"])
    assert external["token"] not in invitation.token_hash


def test_external_customer_answers_without_logging_in(client, external):
    url = reverse("surveys:external_respond", args=[external["token"]])

    page = client.get(url)
    assert page.status_code == 200
    assert "Follows through" in page.content.decode()

    response = _post(client, external["token"], external["campaign"])

    assert response.status_code == 200
    assert "Your feedback is submitted" in response.content.decode()
    external["invitation"].refresh_from_db()
    assert external["invitation"].status == InvitationStatus.SUBMITTED
    assert Answer.objects.filter(invitation=external["invitation"]).count() == 4


def test_missing_rating_comes_back_with_a_clear_error_and_keeps_input(client, external):
    campaign = external["campaign"]
    first = campaign.questionnaire.questions.filter(kind="rating").first()

    response = client.post(
        reverse("surveys:external_respond", args=[external["token"]]),
        {f"q{first.pk}": "5", "submit": "1"},
    )

    assert response.status_code == 400
    assert "has no rating" in response.content.decode()
    assert 'value="5" checked' in response.content.decode()


def test_wrong_token_is_404_without_login(client, external):
    wrong = "x" * len(external["token"])

    assert client.get(reverse("surveys:external_respond", args=[wrong])).status_code == 404
    assert _post(client, wrong, external["campaign"]).status_code == 404


def test_link_expires_with_the_campaign(client, external):
    campaign = external["campaign"]
    campaign.deadline = timezone.now() - dt.timedelta(seconds=1)
    campaign.save(update_fields=["deadline"])

    assert (
        client.get(reverse("surveys:external_respond", args=[external["token"]])).status_code == 404
    )

    campaign.deadline = timezone.now() + dt.timedelta(days=1)
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["deadline", "status"])
    assert _post(client, external["token"], campaign).status_code == 404


def test_other_survey_pages_still_require_login(client, external):
    response = client.get(reverse("surveys:invitation_list"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
