"""Pages: feedback to give, answering, nominating, approving, running a campaign."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.org.tests.factories import StaffFactory
from opsteam.surveys import services
from opsteam.surveys.choices import InvitationStatus
from opsteam.surveys.models import Campaign, Invitation
from opsteam.surveys.tests.factories import CampaignFactory, make_questionnaire


@pytest.fixture
def setup(user_as, org_tree):
    hr = user_as("hr")
    manager = user_as("manager")
    reviewee = user_as("operator")
    reviewee.staff.manager = manager.staff
    reviewee.staff.save(update_fields=["manager"])
    campaign = CampaignFactory()
    subject = services.subject_add(actor=hr, campaign=campaign, staff=reviewee.staff)
    return {
        "hr": hr,
        "manager": manager,
        "reviewee": reviewee,
        "subject": subject,
        "campaign": campaign,
        "org": org_tree,
    }


def test_rater_sees_feedback_to_give_and_submits_it(client, setup):
    client.force_login(setup["manager"])

    listing = client.get(reverse("surveys:invitation_list"))
    invitation = setup["subject"].invitations.get(relationship="manager")
    assert str(setup["reviewee"].staff) in listing.content.decode()

    url = reverse("surveys:invitation_answer", args=[invitation.pk])
    questions = list(setup["campaign"].questionnaire.questions.all())
    draft = client.post(url, {f"q{questions[0].pk}": "3", "save": "1"})
    assert draft.status_code == 302
    assert 'value="3" checked' in client.get(url).content.decode()

    data = {f"q{q.pk}": "4" if q.is_rating else "很好" for q in questions}
    done = client.post(url, {**data, "submit": "1"})

    assert done.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SUBMITTED
    again = client.post(url, {**data, "submit": "1"})
    assert again.status_code == 400
    assert "already submitted" in again.content.decode()


def test_someone_elses_invitation_is_404(client, setup, user_as):
    invitation = setup["subject"].invitations.get(relationship="manager")
    client.force_login(user_as("operator"))

    assert client.get(reverse("surveys:invitation_answer", args=[invitation.pk])).status_code == 404


def test_reviewee_nominates_and_manager_approves_on_the_subject_page(client, setup):
    peer = StaffFactory(unit=setup["org"].t1, name_en="Peer Person")
    url = reverse("surveys:subject_detail", args=[setup["subject"].pk])
    client.force_login(setup["reviewee"])

    response = client.post(url, {"relationship": "peer", "rater": peer.pk})
    assert response.status_code == 302
    invitation = Invitation.objects.get(rater=peer)
    assert invitation.status == InvitationStatus.PROPOSED
    assert "Approve" not in client.get(url).content.decode()
    denied = client.post(reverse("surveys:invitation_approve", args=[invitation.pk]))
    assert denied.status_code == 403

    client.force_login(setup["manager"])
    page = client.get(url).content.decode()
    assert "Peer Person" in page
    assert "Approve" in page
    client.post(reverse("surveys:invitation_approve", args=[invitation.pk]))

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPEN


def test_load_limit_error_names_the_rater_on_the_page(client, setup):
    setup["campaign"].rater_load_limit = 1
    setup["campaign"].save(update_fields=["rater_load_limit"])
    busy = StaffFactory(unit=setup["org"].t1, name_en="Very Busy")
    other = services.subject_add(
        actor=setup["hr"], campaign=setup["campaign"], staff=StaffFactory(unit=setup["org"].t1)
    )
    services.approve(
        actor=setup["hr"],
        invitation=services.nominate(
            actor=setup["hr"], subject=other, relationship="peer", rater=busy
        ),
    )
    proposal = services.nominate(
        actor=setup["reviewee"], subject=setup["subject"], relationship="peer", rater=busy
    )
    client.force_login(setup["manager"])

    response = client.post(reverse("surveys:invitation_approve", args=[proposal.pk]), follow=True)

    assert "Very Busy already has 1 open invitations" in response.content.decode()


def test_approving_an_external_customer_shows_the_link_once(client, setup):
    proposal = services.nominate(
        actor=setup["reviewee"],
        subject=setup["subject"],
        relationship="external_customer",
        external_name="Customer Wang",
    )
    client.force_login(setup["manager"])

    response = client.post(reverse("surveys:invitation_approve", args=[proposal.pk]), follow=True)

    body = response.content.decode()
    assert "/surveys/respond/" in body
    assert (
        "/surveys/respond/"
        not in client.get(
            reverse("surveys:subject_detail", args=[setup["subject"].pk])
        ).content.decode()
    )


def test_hr_creates_and_opens_a_campaign_and_adds_a_subject(client, setup):
    client.force_login(setup["hr"])
    questionnaire = make_questionnaire()
    deadline = (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("surveys:campaign_create"),
        {
            "name": "三季度 360",
            "questionnaire": questionnaire.pk,
            "deadline": deadline,
            "anonymity_threshold": 4,
            "rater_load_limit": 5,
        },
    )
    campaign = Campaign.objects.get(name="三季度 360")
    assert response.status_code == 302
    assert campaign.anonymity_threshold == 4

    staff = StaffFactory(unit=setup["org"].t2)
    client.post(reverse("surveys:subject_add", args=[campaign.pk]), {"staff": staff.pk})
    client.post(reverse("surveys:campaign_open", args=[campaign.pk]))

    campaign.refresh_from_db()
    assert campaign.status == "open"
    page = client.get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()
    assert str(staff) in page
    assert "0 of 1 invitations answered" in page


def test_campaign_form_refuses_a_threshold_below_three(client, setup):
    client.force_login(setup["hr"])

    response = client.post(
        reverse("surveys:campaign_create"),
        {
            "name": "x",
            "questionnaire": make_questionnaire().pk,
            "deadline": "2030-01-01T00:00",
            "anonymity_threshold": 2,
            "rater_load_limit": 5,
        },
    )

    assert response.status_code == 400
    assert not Campaign.objects.filter(name="x").exists()


def test_response_rates_per_team(setup):
    from opsteam.surveys import selectors

    services.subject_add(
        actor=setup["hr"], campaign=setup["campaign"], staff=StaffFactory(unit=setup["org"].t3)
    )
    self_invitation = setup["subject"].invitations.get(relationship="self")
    Invitation.objects.filter(pk=self_invitation.pk).update(status=InvitationStatus.SUBMITTED)

    rates = selectors.response_rates(campaign=setup["campaign"], user=setup["hr"])
    manager_rates = selectors.response_rates(campaign=setup["campaign"], user=setup["manager"])

    assert (rates["invited"], rates["submitted"]) == (3, 1)
    by_team = {team["unit"]: team for team in rates["teams"]}
    assert by_team["Store Ops"]["rate"] == 0.5
    assert by_team["Settlement"]["rate"] == 0.0
    assert [team["unit"] for team in manager_rates["teams"]] == ["Store Ops"]
