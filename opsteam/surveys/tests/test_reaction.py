"""Training reaction campaigns on the survey instrument: subjects that are not people, the
anonymous participant group under the one anonymity rule, and 360 flows left as they were."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.core.exceptions import InvalidTransition, ValidationFailed
from opsteam.org.tests.factories import StaffFactory
from opsteam.surveys import selectors, services
from opsteam.surveys.choices import CampaignPurpose, InvitationStatus, Relationship
from opsteam.surveys.models import Invitation, Questionnaire, Subject
from opsteam.surveys.tests.factories import CampaignFactory

TOPIC = "话术培训 · 2026-03-02"


def _answers(invitation, *, item=4, recommend=9, comment=""):
    ratings, comments = {}, {}
    for question in invitation.subject.campaign.questionnaire.questions.all():
        if question.is_rating:
            ratings[question.pk] = recommend if question.competency == "recommend" else item
        else:
            comments[question.pk] = comment
    return ratings, comments


def answer(invitation, **kwargs):
    ratings, comments = _answers(invitation, **kwargs)
    return services.submit_response(
        actor=invitation.rater.user, invitation=invitation, ratings=ratings, comments=comments
    )


@pytest.fixture
def reaction(user_as, org_tree):
    hr = user_as("hr")
    campaign = services.reaction_campaign_create(
        actor=hr,
        name="培训反应评估",
        name_en="Reaction survey",
        topic=TOPIC,
        deadline=timezone.now() + dt.timedelta(days=7),
    )
    trainees = [user_as("operator") for _ in range(4)]
    services.participants_invite(
        actor=hr, campaign=campaign, staff_ids=[u.staff.pk for u in trainees]
    )
    invitations = {
        u.pk: Invitation.objects.get(subject__campaign=campaign, rater=u.staff) for u in trainees
    }
    return {
        "hr": hr,
        "campaign": campaign,
        "subject": campaign.subjects.get(),
        "trainees": trainees,
        "invitations": [invitations[u.pk] for u in trainees],
    }


def test_the_standard_questionnaire_is_created_once_with_a_0_to_10_recommend_item(user_as):
    hr = user_as("hr")
    first = services.reaction_questionnaire_ensure(actor=hr)
    again = services.reaction_questionnaire_ensure(actor=hr)

    assert first.pk == again.pk
    assert Questionnaire.objects.filter(code="TRAINING-REACTION").count() == 1
    questions = list(first.questions.all())
    assert [q.competency for q in questions if q.is_rating] == [
        "satisfaction",
        "relevance",
        "instructor",
        "materials",
        "recommend",
    ]
    recommend = next(q for q in questions if q.competency == "recommend")
    assert (recommend.scale_min, recommend.scale_max) == (0, 10)
    assert [p["value"] for p in recommend.scale()] == list(range(11))
    assert all(q.text and q.text_en for q in questions)
    assert sum(not q.is_rating for q in questions) == 1


def test_reaction_campaign_has_one_topic_subject_and_anonymous_participants(reaction):
    campaign = reaction["campaign"]
    subject = reaction["subject"]

    assert campaign.purpose == CampaignPurpose.TRAINING_REACTION
    assert campaign.status == "open"
    assert campaign.anonymity_threshold >= 3
    assert subject.staff is None
    assert subject.topic == TOPIC
    assert subject.label == TOPIC
    invitations = Invitation.objects.filter(subject=subject)
    assert {i.relationship for i in invitations} == {Relationship.PARTICIPANT}
    assert not any(i.is_named for i in invitations)
    assert all(i.status == InvitationStatus.OPEN for i in invitations)


def test_inviting_participants_again_adds_only_new_people(reaction, user_as):
    hr, campaign = reaction["hr"], reaction["campaign"]
    staff_ids = [u.staff.pk for u in reaction["trainees"]]

    assert services.participants_invite(actor=hr, campaign=campaign, staff_ids=staff_ids) == 0
    newcomer = user_as("operator")
    added = services.participants_invite(
        actor=hr, campaign=campaign, staff_ids=[*staff_ids, newcomer.staff.pk]
    )

    assert added == 1
    assert Invitation.objects.filter(subject__campaign=campaign).count() == 5


def test_two_answers_release_nothing_anywhere(reaction, client, api_client_as):
    for invitation in reaction["invitations"][:2]:
        answer(invitation, item=5, recommend=10, comment="SECRET-COMMENT")
    subject = reaction["subject"]

    group = selectors.group_answers(
        subject_ids=[subject.pk], relationship=Relationship.PARTICIPANT, threshold=3
    )
    assert (group.released, group.responses, group.needed) == (False, 2, 1)
    assert group.rows == []
    assert group.comments == []

    results = selectors.subject_results(subject, reaction["hr"])
    (participants,) = results["groups"]
    assert participants == {
        "relationship": "participant",
        "label": "Training participant",
        "named": False,
        "released": False,
    }
    assert results["overall"] == {"released": False}
    assert results["comments"] == []

    client.force_login(reaction["hr"])
    page = client.get(reverse("surveys:subject_results", args=[subject.pk]))
    assert page.status_code == 200
    assert "SECRET-COMMENT" not in page.content.decode()
    assert "5.0" not in page.content.decode()

    api = api_client_as("hr")
    data = api.get(f"/api/surveys/subjects/{subject.pk}/results/").json()
    assert data["groups"][0]["released"] is False
    assert data["comments"] == []
    assert "mean" not in data["groups"][0]

    export = client.get(
        reverse("surveys:campaign_export", args=[reaction["campaign"].pk]) + "?file_format=csv"
    )
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert TOPIC in text
    assert "withheld" in text
    assert "5.0" not in text


def test_three_answers_release_the_group(reaction, client):
    for n, invitation in enumerate(reaction["invitations"][:3]):
        answer(invitation, item=3 + n % 2, recommend=10, comment=f"NOTE-{n}")
    subject = reaction["subject"]

    group = selectors.group_answers(
        subject_ids=[subject.pk], relationship=Relationship.PARTICIPANT, threshold=3
    )
    assert group.released
    assert group.responses == 3
    assert len(group.rows) == 3
    assert sorted(c["text"] for c in group.comments) == ["NOTE-0", "NOTE-1", "NOTE-2"]
    assert all(set(c) == {"question", "text"} for c in group.comments)
    assert sorted(row["satisfaction"] for row in group.rows) == [3, 3, 4]
    assert {row["recommend"] for row in group.rows} == {10}

    results = selectors.subject_results(subject, reaction["hr"])
    assert results["groups"][0]["released"]
    assert results["groups"][0]["responses"] == 3

    client.force_login(reaction["hr"])
    page = client.get(reverse("surveys:subject_results", args=[subject.pk]))
    assert page.status_code == 200
    assert "NOTE-1" in page.content.decode()


def test_named_groups_are_never_pooled_anonymously(reaction):
    with pytest.raises(ValueError, match="named group"):
        selectors.group_answers(
            subject_ids=[reaction["subject"].pk], relationship="manager", threshold=3
        )


def test_trainee_answers_on_the_usual_page_including_a_zero(reaction, client):
    trainee = reaction["trainees"][0]
    invitation = reaction["invitations"][0]
    client.force_login(trainee)

    listing = client.get(reverse("surveys:invitation_list"))
    assert TOPIC in listing.content.decode()
    page = client.get(reverse("surveys:invitation_answer", args=[invitation.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert TOPIC in body
    assert "anonymous" in body
    assert "None" not in body

    ratings, comments = _answers(invitation, recommend=0)
    post = {f"q{pk}": str(value) for pk, value in ratings.items()}
    post.update({f"q{pk}": "good" for pk in comments})
    done = client.post(
        reverse("surveys:invitation_answer", args=[invitation.pk]), {**post, "submit": "1"}
    )
    assert done.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SUBMITTED
    assert invitation.answers.filter(question__competency="recommend").get().rating == 0


def test_reaction_campaign_pages_render_for_hr(reaction, client):
    client.force_login(reaction["hr"])
    campaign, subject = reaction["campaign"], reaction["subject"]

    detail = client.get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    assert detail.status_code == 200
    assert TOPIC in detail.content.decode()
    assert 'name="staff"' not in detail.content.decode()  # no "add a person" form
    raters = client.get(reverse("surveys:subject_detail", args=[subject.pk]))
    assert raters.status_code == 200
    assert "Propose a rater" not in raters.content.decode()


def test_subjects_without_a_person_are_hidden_from_managers_and_trainees(reaction, user_as):
    manager = user_as("manager")
    trainee = reaction["trainees"][0]

    assert not Subject.objects.restrict(manager, "view").filter(pk=reaction["subject"].pk)
    assert not Subject.objects.restrict(trainee, "results").filter(pk=reaction["subject"].pk)
    assert Subject.objects.restrict(reaction["hr"], "results").filter(pk=reaction["subject"].pk)


def test_360_writes_refuse_reaction_campaigns(reaction):
    hr, campaign, subject = reaction["hr"], reaction["campaign"], reaction["subject"]

    with pytest.raises(InvalidTransition):
        services.subject_add(actor=hr, campaign=campaign, staff=StaffFactory())
    with pytest.raises(InvalidTransition):
        services.subjects_add_bulk(actor=hr, campaign=campaign, staff_ids=[StaffFactory().pk])
    with pytest.raises(InvalidTransition):
        services.nominate(actor=hr, subject=subject, relationship="peer", rater=StaffFactory())


def test_360_campaigns_keep_their_rules(user_as):
    hr = user_as("hr")
    reviewee = user_as("operator")
    campaign = CampaignFactory()
    subject = services.subject_add(actor=hr, campaign=campaign, staff=reviewee.staff)

    assert campaign.purpose == CampaignPurpose.FEEDBACK_360
    with pytest.raises(ValidationFailed):
        services.nominate(
            actor=hr, subject=subject, relationship="participant", rater=StaffFactory()
        )
    with pytest.raises(InvalidTransition):
        services.participants_invite(actor=hr, campaign=campaign, staff_ids=[StaffFactory().pk])
    invitation = services.nominate(
        actor=hr, subject=subject, relationship="peer", rater=StaffFactory()
    )
    assert invitation.status == InvitationStatus.PROPOSED


def test_a_subject_needs_a_person_or_a_topic(reaction):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Subject.objects.create(campaign=reaction["campaign"], topic="")


def test_the_overall_mean_stays_on_the_rating_scale(reaction):
    for invitation in reaction["invitations"][:3]:
        answer(invitation, item=4, recommend=10)

    results = selectors.subject_results(reaction["subject"], reaction["hr"])

    assert results["overall"]["mean"] == 4.0
    recommend = next(q for q in results["overall"]["questions"] if q["competency"] == "recommend")
    assert recommend["mean"] == 10.0
