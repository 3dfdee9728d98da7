"""Reaction surveys of training sessions: opened once for the attendees, answered anonymously,
released only at the threshold (per session and pooled per course), NPS inputs right."""

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.surveys import services as surveys
from opsteam.surveys.choices import CampaignPurpose, InvitationStatus, Relationship
from opsteam.surveys.models import Invitation
from opsteam.training import reaction
from opsteam.training.choices import RegistrationStatus, SessionStatus
from opsteam.training.models import Registration
from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory, SessionFactory


def seat(session, staff, attended):
    enrolment = EnrolmentFactory(staff=staff, course=session.course)
    return Registration.objects.create(
        session=session,
        enrolment=enrolment,
        status=RegistrationStatus.REGISTERED,
        attended=attended,
        checked_in_at=timezone.now() if attended else None,
    )


def held_session(course=None, **kwargs):
    start = timezone.now() - dt.timedelta(hours=3)
    return SessionFactory(
        course=course or CourseFactory(),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        **kwargs,
    )


def answer(session, user, *, items=(4, 4, 4, 4), recommend=9, comment=""):
    invitation = Invitation.objects.get(
        subject__campaign=session.reaction_campaign, rater=user.staff
    )
    values = dict(zip(reaction.ITEMS, items, strict=True), recommend=recommend)
    ratings, comments = {}, {}
    for question in session.reaction_campaign.questionnaire.questions.all():
        if question.is_rating:
            ratings[question.pk] = values[question.competency]
        else:
            comments[question.pk] = comment
    surveys.submit_response(actor=user, invitation=invitation, ratings=ratings, comments=comments)


@pytest.fixture
def setup(user_as, org_tree):
    hr = user_as("hr")
    instructor = user_as("operator")
    session = held_session(instructor=instructor.staff)
    attendees = [user_as("operator") for _ in range(4)]
    for user in attendees:
        seat(session, user.staff, attended=True)
    absent = user_as("operator")
    seat(session, absent.staff, attended=False)
    unmarked = user_as("operator")
    seat(session, unmarked.staff, attended=None)
    return {
        "hr": hr,
        "instructor": instructor,
        "session": session,
        "attendees": attendees,
        "absent": absent,
        "unmarked": unmarked,
    }


def _open(setup, actor=None):
    campaign = reaction.reaction_survey_open(actor=actor or setup["hr"], session=setup["session"])
    setup["session"].refresh_from_db()
    return campaign


def test_open_creates_the_survey_for_attendees_only(setup):
    campaign = _open(setup)
    session = setup["session"]

    assert session.reaction_campaign == campaign
    assert campaign.purpose == CampaignPurpose.TRAINING_REACTION
    assert campaign.status == "open"
    assert campaign.anonymity_threshold == 3
    assert campaign.deadline == session.ends_at + dt.timedelta(days=7)
    subject = campaign.subjects.get()
    assert subject.staff is None
    assert session.course.name in subject.topic
    assert timezone.localtime(session.starts_at).date().isoformat() in subject.topic
    invited = Invitation.objects.filter(subject=subject)
    assert {i.rater_id for i in invited} == {u.staff.pk for u in setup["attendees"]}
    assert {i.relationship for i in invited} == {Relationship.PARTICIPANT}
    assert {i.status for i in invited} == {InvitationStatus.OPEN}


def test_open_is_idempotent_and_adds_newly_attended_people(setup):
    first = _open(setup)
    audit_count = AuditEntry.objects.count()
    again = _open(setup)

    assert again.pk == first.pk
    assert Invitation.objects.filter(subject__campaign=first).count() == 4
    assert AuditEntry.objects.count() == audit_count  # nothing to do, nothing written

    Registration.objects.filter(enrolment__staff=setup["unmarked"].staff).update(attended=True)
    _open(setup)
    raters = set(Invitation.objects.filter(subject__campaign=first).values_list("rater", flat=True))
    assert setup["unmarked"].staff.pk in raters
    assert setup["absent"].staff.pk not in raters
    assert len(raters) == 5


def test_the_instructor_may_open_it_and_others_may_not(setup, user_as):
    assert _open(setup, actor=setup["instructor"]).pk

    trainee = setup["attendees"][0]
    with pytest.raises((PolicyDenied, NotVisible)):
        reaction.reaction_survey_open(actor=trainee, session=setup["session"])
    with pytest.raises((PolicyDenied, NotVisible)):
        reaction.reaction_survey_open(actor=user_as("manager"), session=setup["session"])


def test_open_refuses_future_cancelled_or_unattended_sessions(user_as, org_tree):
    hr = user_as("hr")
    future = SessionFactory()
    seat(future, user_as("operator").staff, attended=True)
    with pytest.raises(InvalidTransition):
        reaction.reaction_survey_open(actor=hr, session=future)

    cancelled = held_session(status=SessionStatus.CANCELLED)
    with pytest.raises(InvalidTransition):
        reaction.reaction_survey_open(actor=hr, session=cancelled)

    nobody = held_session()
    with pytest.raises(ValidationFailed):
        reaction.reaction_survey_open(actor=hr, session=nobody)
    nobody.refresh_from_db()
    assert nobody.reaction_campaign is None


def test_a_late_survey_still_gets_a_week_to_answer(user_as, org_tree):
    hr = user_as("hr")
    start = timezone.now() - dt.timedelta(days=30)
    old = SessionFactory(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    seat(old, user_as("operator").staff, attended=True)

    campaign = reaction.reaction_survey_open(actor=hr, session=old)

    assert campaign.deadline > timezone.now() + dt.timedelta(days=6)


def test_two_answers_release_counts_only(setup):
    _open(setup)
    session = setup["session"]
    for user in setup["attendees"][:2]:
        answer(session, user, items=(5, 5, 5, 5), recommend=10, comment="SECRET")

    result = reaction.reaction_results(session=session)

    assert not result.released
    assert (result.responses, result.invited, result.threshold, result.needed) == (2, 4, 3, 1)
    assert result.items == ()
    assert result.comments == ()
    assert result.overall_mean is None
    assert result.nps is None
    assert result.scores is None
    assert result.recommend is None
    assert result.summary is None
    assert "2 of the 3 answers needed" in result.status_text
    data = result.as_dict()
    assert "items" not in data
    assert "nps" not in data
    assert "comments" not in data
    assert reaction.reaction_results(campaign=session.reaction_campaign) == result


def test_three_answers_release_means_and_nps_inputs(setup):
    _open(setup)
    session = setup["session"]
    users = setup["attendees"]
    answer(session, users[0], items=(5, 4, 5, 3), recommend=10, comment="很实用")
    answer(session, users[1], items=(4, 4, 3, 3), recommend=7)
    answer(session, users[2], items=(3, 5, 4, 3), recommend=2, comment="太快了")

    result = reaction.reaction_results(session=session)

    assert result.released
    assert result.responses == 3
    means = {item.code: item.mean for item in result.items}
    assert means == {"satisfaction": 4.0, "relevance": 4.33, "instructor": 4.0, "materials": 3.0}
    assert {item.count for item in result.items} == {3}
    assert result.overall_mean == pytest.approx(np.mean([5, 4, 5, 3, 4, 4, 3, 3, 3, 5, 4, 3]), 0.01)
    assert (result.promoters, result.passives, result.detractors) == (1, 1, 1)
    assert result.recommend_answers == 3
    assert result.nps == 0.0
    assert sorted(result.recommend.tolist()) == [2.0, 7.0, 10.0]
    assert result.scores.shape == (3, 4)
    assert sorted(c["text"] for c in result.comments) == ["太快了", "很实用"]
    assert all(set(c) == {"question", "text"} for c in result.comments)
    assert result.as_dict()["nps"] == 0.0


def test_course_results_pool_sessions_but_the_pool_must_reach_the_threshold(user_as, org_tree):
    hr = user_as("hr")
    course = CourseFactory()
    first, second = held_session(course=course), held_session(course=course)
    people = {first.pk: [], second.pk: []}
    for session in (first, second):
        for _ in range(2):
            user = user_as("operator")
            seat(session, user.staff, attended=True)
            people[session.pk].append(user)
        reaction.reaction_survey_open(actor=hr, session=session)
        session.refresh_from_db()

    answer(first, people[first.pk][0], recommend=10)
    pooled = reaction.course_reaction([course.pk])[course.pk]
    assert not pooled.released
    assert pooled.responses == 1
    assert pooled.sessions == 2
    assert pooled.invited == 4

    answer(first, people[first.pk][1], recommend=9)
    answer(second, people[second.pk][0], recommend=3)
    pooled = reaction.course_reaction([course.pk])[course.pk]
    assert pooled.released
    assert pooled.responses == 3
    assert (pooled.promoters, pooled.detractors) == (2, 1)
    assert pooled.scores.shape == (3, 4)
    # each session alone stays below the threshold
    assert not reaction.reaction_results(session=first).released
    assert not reaction.reaction_results(session=second).released
    report = reaction.report_reaction(course=course)
    assert report["released"]
    assert report["answers"] == 3
    assert report["nps"] == pooled.nps
    assert report["chart"]["series"][0]["data"] == [i.mean for i in pooled.items]
    single = reaction.report_reaction(course=course, session=first)
    assert not single["released"]
    assert single["answers"] == 2
    assert single["chart"] is None
    assert single["comments"] == []
    assert "nps" not in single


def test_courses_without_surveys_get_an_empty_result(org_tree):
    course = CourseFactory()

    result = reaction.course_reaction([course.pk])[course.pk]

    assert not result.released
    assert result.sessions == 0
    assert result.responses == 0
    assert result.status_text == "No reaction survey yet."
    assert reaction.report_reaction(course=course)["answers"] is None
    assert not reaction.reaction_results(session=held_session(course=course)).released


def test_course_reaction_reads_in_a_bounded_number_of_queries(
    user_as, org_tree, django_assert_max_num_queries
):
    hr = user_as("hr")
    courses = [CourseFactory() for _ in range(2)]
    for course in courses:
        for _ in range(3):
            session = held_session(course=course)
            for _ in range(3):
                user = user_as("operator")
                seat(session, user.staff, attended=True)
            reaction.reaction_survey_open(actor=hr, session=session)
            session.refresh_from_db()
            for invitation in Invitation.objects.filter(
                subject__campaign=session.reaction_campaign
            ):
                answer(session, invitation.rater.user)

    with django_assert_max_num_queries(2 + 3 * len(courses)):
        results = reaction.course_reaction([c.pk for c in courses])
    assert all(r.released and r.responses == 9 for r in results.values())
