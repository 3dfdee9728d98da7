"""Campaigns, nominations, approval with the rater load limit, answering, de-anonymisation."""

import datetime as dt

import pytest
from django.utils import timezone

from opsteam.core.exceptions import (
    InvalidTransition,
    NotVisible,
    PolicyDenied,
    ValidationFailed,
)
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import StaffFactory
from opsteam.surveys import services
from opsteam.surveys.choices import CampaignStatus, InvitationStatus, Relationship
from opsteam.surveys.models import Answer, Invitation
from opsteam.surveys.tests.factories import CampaignFactory, make_questionnaire


@pytest.fixture
def people(user_as, org_tree):
    hr = user_as("hr")
    manager = user_as("manager")
    reviewee_user = user_as("operator")
    reviewee = reviewee_user.staff
    reviewee.manager = manager.staff
    reviewee.save(update_fields=["manager"])
    return {"hr": hr, "manager": manager, "reviewee": reviewee_user, "org": org_tree}


def _campaign(hr, **kwargs):
    return services.campaign_create(
        actor=hr,
        name="2026 上半年 360",
        questionnaire=make_questionnaire(),
        deadline=timezone.now() + dt.timedelta(days=10),
        **kwargs,
    )


def test_campaign_threshold_is_never_below_three_and_questionnaire_freezes(people):
    campaign = _campaign(people["hr"], anonymity_threshold=2)

    assert campaign.anonymity_threshold == 3
    assert campaign.status == CampaignStatus.DRAFT
    campaign.questionnaire.refresh_from_db()
    assert campaign.questionnaire.is_frozen
    with pytest.raises(InvalidTransition):
        services.question_add(
            actor=people["hr"], questionnaire=campaign.questionnaire, kind="comment", text="新"
        )


def test_new_version_of_a_frozen_questionnaire_is_editable(people):
    campaign = _campaign(people["hr"])

    new = services.questionnaire_new_version(
        actor=people["hr"], questionnaire=campaign.questionnaire
    )

    assert new.version == campaign.questionnaire.version + 1
    assert not new.is_frozen
    assert new.questions.count() == campaign.questionnaire.questions.count()


def test_operator_cannot_create_a_campaign(people):
    with pytest.raises(PolicyDenied):
        _campaign(people["reviewee"])


def test_adding_a_subject_invites_self_and_manager_automatically(people):
    campaign = _campaign(people["hr"])

    subject = services.subject_add(
        actor=people["hr"], campaign=campaign, staff=people["reviewee"].staff
    )

    invitations = {i.relationship: i for i in subject.invitations.all()}
    assert set(invitations) == {Relationship.SELF, Relationship.MANAGER}
    assert invitations["self"].rater == people["reviewee"].staff
    assert invitations["manager"].rater == people["manager"].staff
    assert all(i.status == InvitationStatus.OPEN for i in invitations.values())
    assert AuditEntry.objects.filter(object_type="surveys.invitation").count() == 2


def test_reviewee_proposes_and_manager_approves(people):
    campaign = _campaign(people["hr"])
    subject = services.subject_add(
        actor=people["hr"], campaign=campaign, staff=people["reviewee"].staff
    )
    peer = StaffFactory(unit=people["org"].t1)

    proposal = services.nominate(
        actor=people["reviewee"], subject=subject, relationship="peer", rater=peer
    )
    assert proposal.status == InvitationStatus.PROPOSED
    with pytest.raises(PolicyDenied):  # the reviewee cannot approve their own raters
        services.approve(actor=people["reviewee"], invitation=proposal)

    services.approve(actor=people["manager"], invitation=proposal)

    proposal.refresh_from_db()
    assert proposal.status == InvitationStatus.OPEN
    assert proposal.decided_by == people["manager"]


def test_manager_declines_a_proposal(people):
    campaign = _campaign(people["hr"])
    subject = services.subject_add(
        actor=people["hr"], campaign=campaign, staff=people["reviewee"].staff
    )
    proposal = services.nominate(
        actor=people["manager"],
        subject=subject,
        relationship="direct_report",
        rater=StaffFactory(unit=people["org"].t1),
    )

    services.decline(actor=people["manager"], invitation=proposal)

    proposal.refresh_from_db()
    assert proposal.status == InvitationStatus.DECLINED


def test_someone_else_cannot_nominate_for_a_reviewee(people, user_as):
    other = user_as("operator")
    campaign = _campaign(people["hr"])
    subject = services.subject_add(
        actor=people["hr"], campaign=campaign, staff=people["reviewee"].staff
    )

    with pytest.raises(NotVisible):
        services.nominate(actor=other, subject=subject, relationship="peer", rater=other.staff)


def test_self_and_manager_cannot_be_proposed_and_duplicates_are_refused(people):
    campaign = _campaign(people["hr"])
    subject = services.subject_add(
        actor=people["hr"], campaign=campaign, staff=people["reviewee"].staff
    )

    with pytest.raises(ValidationFailed):
        services.nominate(
            actor=people["reviewee"],
            subject=subject,
            relationship="manager",
            rater=StaffFactory(),
        )
    with pytest.raises(ValidationFailed) as exc:
        services.nominate(
            actor=people["reviewee"],
            subject=subject,
            relationship="peer",
            rater=people["manager"].staff,
        )
    assert exc.value.field == "rater"


def test_approval_refuses_a_rater_over_the_load_limit_and_names_them(people):
    campaign = _campaign(people["hr"], rater_load_limit=2)
    busy = StaffFactory(unit=people["org"].t1, name="忙碌的同事", name_en="Busy Colleague")
    for _ in range(2):
        other = services.subject_add(
            actor=people["hr"], campaign=campaign, staff=StaffFactory(unit=people["org"].t1)
        )
        proposal = services.nominate(
            actor=people["hr"], subject=other, relationship="peer", rater=busy
        )
        services.approve(actor=people["hr"], invitation=proposal)
    subject = services.subject_add(
        actor=people["hr"], campaign=campaign, staff=people["reviewee"].staff
    )
    third = services.nominate(
        actor=people["reviewee"], subject=subject, relationship="peer", rater=busy
    )

    with pytest.raises(ValidationFailed) as exc:
        services.approve(actor=people["manager"], invitation=third)

    assert "Busy Colleague" in exc.value.message
    assert "2" in exc.value.message
    third.refresh_from_db()
    assert third.status == InvitationStatus.PROPOSED


def test_rater_saves_a_draft_then_submits_and_answers_are_final(people):
    campaign = _campaign(people["hr"])
    services.campaign_open(actor=people["hr"], campaign=campaign)
    subject = services.subject_add(
        actor=people["hr"], campaign=campaign, staff=people["reviewee"].staff
    )
    invitation = subject.invitations.get(relationship="manager")
    rating_ids = list(
        campaign.questionnaire.questions.filter(kind="rating").values_list("pk", flat=True)
    )
    comment_id = campaign.questionnaire.questions.get(kind="comment").pk

    services.submit_response(
        actor=people["manager"], invitation=invitation, ratings={rating_ids[0]: 4}, final=False
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPEN
    assert invitation.draft_saved_at is not None

    with pytest.raises(ValidationFailed):  # every rating is required to submit
        services.submit_response(
            actor=people["manager"], invitation=invitation, ratings={rating_ids[0]: 4}
        )
    with pytest.raises(ValidationFailed):  # out of the scale
        services.submit_response(
            actor=people["manager"],
            invitation=invitation,
            ratings=dict.fromkeys(rating_ids, 9),
        )

    services.submit_response(
        actor=people["manager"],
        invitation=invitation,
        ratings=dict.fromkeys(rating_ids, 4),
        comments={comment_id: "沟通清楚"},
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SUBMITTED
    assert Answer.objects.filter(invitation=invitation).count() == 4
    with pytest.raises(InvalidTransition):
        services.submit_response(
            actor=people["manager"], invitation=invitation, ratings=dict.fromkeys(rating_ids, 1)
        )
    # the trail says it was answered, never what was answered
    entry = AuditEntry.objects.filter(object_type="surveys.invitation").order_by("-id").first()
    assert "沟通清楚" not in str(entry.after) + entry.note


def test_only_the_invited_rater_may_answer(people, user_as):
    campaign = CampaignFactory()
    invitation = Invitation.objects.create(
        subject=services.subject_add(
            actor=people["hr"], campaign=campaign, staff=StaffFactory(unit=people["org"].t1)
        ),
        relationship="peer",
        rater=people["reviewee"].staff,
        status=InvitationStatus.OPEN,
    )

    with pytest.raises(PolicyDenied):  # HR sees the invitation but cannot answer it
        services.submit_response(actor=people["hr"], invitation=invitation, ratings={})
    with pytest.raises(NotVisible):  # a colleague does not even see it
        services.submit_response(actor=user_as("operator"), invitation=invitation, ratings={})


def test_answers_are_refused_after_the_deadline(people):
    campaign = CampaignFactory(deadline=timezone.now() - dt.timedelta(minutes=1))
    subject = services.subject_add(
        actor=people["hr"], campaign=campaign, staff=people["reviewee"].staff
    )

    with pytest.raises(InvalidTransition):
        services.submit_response(
            actor=people["reviewee"],
            invitation=subject.invitations.get(relationship="self"),
            ratings={},
        )


def test_nobody_may_deanonymise_by_default(people):
    subject = services.subject_add(
        actor=people["hr"], campaign=CampaignFactory(), staff=people["reviewee"].staff
    )

    with pytest.raises(PolicyDenied):
        services.responses_deanonymise(
            actor=people["hr"], subject=subject, reason="investigation of a complaint"
        )


def test_configured_deanonymisation_requires_a_reason_and_is_audited(people, settings, user_as):
    settings.OPSTEAM_SURVEY_DEANONYMISE_ROLES = ["admin"]
    admin = user_as("admin")
    subject = services.subject_add(
        actor=people["hr"], campaign=CampaignFactory(), staff=people["reviewee"].staff
    )

    with pytest.raises(ValidationFailed):
        services.responses_deanonymise(actor=admin, subject=subject, reason="why")
    rows = services.responses_deanonymise(
        actor=admin, subject=subject, reason="Harassment complaint #2026-14"
    )

    assert rows == []
    entry = AuditEntry.objects.filter(object_type="surveys.subject", action="view").get()
    assert "Harassment complaint #2026-14" in entry.note
    assert entry.actor == admin
