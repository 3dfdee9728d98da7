"""Factories of the careers domain (ladders, standards, plans, promotion rounds)."""

import datetime as dt

import factory
from django.utils import timezone

from opsteam.careers import models
from opsteam.careers.choices import (
    ActionKind,
    NominationKind,
    RoundStatus,
    StandardStatus,
)
from opsteam.org.choices import LevelTrack


class CareerTrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CareerTrack

    code = factory.Sequence(lambda n: f"TRK{n:03d}")
    name = factory.Sequence(lambda n: f"专业通道{n}")
    name_en = factory.Sequence(lambda n: f"Professional track {n}")
    kind = LevelTrack.PROFESSIONAL


class CareerStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CareerStep

    track = factory.SubFactory(CareerTrackFactory)
    level = factory.SubFactory("opsteam.org.tests.factories.JobLevelFactory")
    order = factory.Sequence(lambda n: n + 1)


class LevelStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.LevelStandard

    level = factory.SubFactory("opsteam.org.tests.factories.JobLevelFactory")
    version = 1
    status = StandardStatus.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == StandardStatus.PUBLISHED else None
    )


class StandardCompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StandardCompetency

    standard = factory.SubFactory(LevelStandardFactory)
    skill = factory.SubFactory("opsteam.org.tests.factories.SkillFactory")
    min_level = 3


class StandardCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StandardCourse

    standard = factory.SubFactory(LevelStandardFactory)
    course = factory.SubFactory("opsteam.training.tests.factories.CourseFactory")


class StandardCertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StandardCertificate

    standard = factory.SubFactory(LevelStandardFactory)
    course = None
    name = factory.Sequence(lambda n: f"Certificate {n}")


class DevelopmentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DevelopmentPlan

    staff = factory.SubFactory("opsteam.org.tests.factories.StaffFactory")
    title = factory.Sequence(lambda n: f"发展计划{n}")
    start_date = factory.LazyFunction(timezone.localdate)


class DevelopmentActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DevelopmentAction

    plan = factory.SubFactory(DevelopmentPlanFactory)
    kind = ActionKind.OTHER
    title = factory.Sequence(lambda n: f"行动{n}")


class DevelopmentCheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DevelopmentCheckIn

    plan = factory.SubFactory(DevelopmentPlanFactory)
    date = factory.LazyFunction(timezone.localdate)
    notes = "进展顺利"


class PromotionRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PromotionRound
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"晋升评审{n}")
    name_en = factory.Sequence(lambda n: f"Promotion round {n}")
    status = RoundStatus.NOMINATING
    nominations_close = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    effective_date = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def committee(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.committee.set(extracted)


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Nomination

    round = factory.SubFactory(PromotionRoundFactory)
    staff = factory.SubFactory("opsteam.org.tests.factories.StaffFactory")
    unit = factory.SelfAttribute("staff.unit")
    from_level = factory.SelfAttribute("staff.level")
    target_level = factory.SubFactory(
        "opsteam.org.tests.factories.JobLevelFactory", code="P3", name="高级运营", rank=3
    )
    kind = NominationKind.MANAGER
    justification = "业绩稳定"
    ready_at_nomination = False


class CommitteeReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CommitteeReview

    nomination = factory.SubFactory(NominationFactory)
    reviewer = factory.SubFactory("opsteam.accounts.tests.factories.UserFactory")
