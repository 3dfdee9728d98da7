"""Factories for survey tests: one per model, plus ``make_questionnaire`` with questions."""

import datetime as dt

import factory
from django.utils import timezone

from opsteam.org.tests.factories import StaffFactory
from opsteam.surveys import models
from opsteam.surveys.choices import CampaignStatus, InvitationStatus, QuestionKind, Relationship


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Questionnaire

    code = factory.Sequence(lambda n: f"q360-{n}")
    name = factory.Sequence(lambda n: f"360 问卷 {n}")
    name_en = factory.Sequence(lambda n: f"360 questionnaire {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Question

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    order = factory.Sequence(lambda n: n)
    kind = QuestionKind.RATING
    text = factory.Sequence(lambda n: f"问题 {n}")
    text_en = factory.Sequence(lambda n: f"Question {n}")
    competency = "teamwork"
    competency_name = "团队协作"
    competency_name_en = "Teamwork"
    anchors = factory.LazyFunction(
        lambda: [{"value": v, "text": f"锚点{v}", "text_en": f"Anchor {v}"} for v in range(1, 6)]
    )


def make_questionnaire(**kwargs):
    """A questionnaire with two competencies (three rating questions) and one comment."""
    questionnaire = QuestionnaireFactory(**kwargs)
    QuestionFactory(
        questionnaire=questionnaire, order=1, competency="teamwork", text_en="Shares information"
    )
    QuestionFactory(
        questionnaire=questionnaire, order=2, competency="teamwork", text_en="Helps colleagues"
    )
    QuestionFactory(
        questionnaire=questionnaire,
        order=3,
        competency="ownership",
        competency_name="主人翁精神",
        competency_name_en="Ownership",
        text_en="Follows through",
    )
    QuestionFactory(
        questionnaire=questionnaire,
        order=4,
        kind=QuestionKind.COMMENT,
        competency="",
        competency_name="",
        competency_name_en="",
        text_en="What should they keep doing?",
        anchors=[],
    )
    return questionnaire


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Campaign

    name = factory.Sequence(lambda n: f"2026 年 360 反馈 {n}")
    name_en = factory.Sequence(lambda n: f"360 feedback 2026 #{n}")
    questionnaire = factory.LazyFunction(make_questionnaire)
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    status = CampaignStatus.OPEN
    anonymity_threshold = 3
    rater_load_limit = 8


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Subject

    campaign = factory.SubFactory(CampaignFactory)
    staff = factory.SubFactory(StaffFactory)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Invitation

    subject = factory.SubFactory(SubjectFactory)
    relationship = Relationship.PEER
    rater = factory.SubFactory(StaffFactory)
    status = InvitationStatus.OPEN
