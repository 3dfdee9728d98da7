"""Factories of the incentives domain (and the review cycles and reviews pools are built from)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from opsteam.incentives import models
from opsteam.incentives.choices import BadgeCriterion
from opsteam.org.models import Compensation
from opsteam.performance.choices import CycleStage, ReviewStatus
from opsteam.performance.models import Review, ReviewCycle


class ReviewCycleFactory(factory.django.DjangoModelFactory):
    """A published quarter (Q1 2026: 90 days)."""

    class Meta:
        model = ReviewCycle

    name = factory.Sequence(lambda n: f"2026 Q1 考核 {n}")
    name_en = factory.Sequence(lambda n: f"2026 Q1 review {n}")
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 3, 31)
    stage = CycleStage.PUBLISHED


class ReviewFactory(factory.django.DjangoModelFactory):
    """A published review; unit, position and level are the person's."""

    class Meta:
        model = Review

    cycle = factory.SubFactory(ReviewCycleFactory)
    staff = factory.SubFactory("opsteam.org.tests.factories.StaffFactory")
    unit = factory.LazyAttribute(lambda o: o.staff.unit)
    position = factory.LazyAttribute(lambda o: o.staff.position)
    level = factory.LazyAttribute(lambda o: o.staff.level)
    status = ReviewStatus.PUBLISHED
    grade = "B"
    final_score = Decimal("80")


class CompensationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compensation

    staff = factory.SubFactory("opsteam.org.tests.factories.StaffFactory")
    effective_from = dt.date(2025, 1, 1)
    base_salary = Decimal("10000")


class BonusPolicyFactory(factory.django.DjangoModelFactory):
    """S 2.0, A 1.5, B 1.0, C 0.5, D 0; one month of base salary; rounded to 1 yuan."""

    class Meta:
        model = models.BonusPolicy

    code = factory.Sequence(lambda n: f"BP{n:03d}")
    name = factory.Sequence(lambda n: f"年终奖方案{n}")
    name_en = factory.Sequence(lambda n: f"Bonus policy {n}")


class BonusPoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BonusPool

    name = factory.Sequence(lambda n: f"奖金池{n}")
    cycle = factory.SubFactory(ReviewCycleFactory)
    unit = factory.SubFactory("opsteam.org.tests.factories.OrgUnitFactory")
    policy = factory.SubFactory(BonusPolicyFactory)
    budget = Decimal("100000")


class RewardEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RewardEntry

    staff = factory.SubFactory("opsteam.org.tests.factories.StaffFactory")
    kind = "other"
    title = "季度之星"
    granted_on = factory.LazyFunction(timezone.localdate)


class CompanyValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CompanyValue

    code = factory.Sequence(lambda n: f"V{n:02d}")
    name = factory.Sequence(lambda n: f"客户第一{n}")
    name_en = factory.Sequence(lambda n: f"Customer first {n}")


class KudosFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Kudos

    sender = factory.SubFactory("opsteam.org.tests.factories.StaffFactory")
    recipient = factory.SubFactory("opsteam.org.tests.factories.StaffFactory")
    value = factory.SubFactory(CompanyValueFactory)
    message = "大促期间主动加班处理售后"


class TeamCommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TeamCommendation

    unit = factory.SubFactory("opsteam.org.tests.factories.OrgUnitFactory")
    title = "双十一最佳团队"
    citation = "大促零差错"
    awarded_on = factory.LazyFunction(timezone.localdate)


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Badge

    code = factory.Sequence(lambda n: f"BADGE{n:02d}")
    name = factory.Sequence(lambda n: f"徽章{n}")
    name_en = factory.Sequence(lambda n: f"Badge {n}")
    criterion = BadgeCriterion.MANUAL
    points = 50


class BadgeAwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BadgeAward

    badge = factory.SubFactory(BadgeFactory)
    staff = factory.SubFactory("opsteam.org.tests.factories.StaffFactory")
    awarded_on = factory.LazyFunction(timezone.localdate)


class RecognitionSettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RecognitionSetting

    unit = factory.SubFactory("opsteam.org.tests.factories.OrgUnitFactory")
