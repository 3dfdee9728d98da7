from decimal import Decimal

import factory

from opsteam.performance import models
from opsteam.performance.choices import KpiCategory, ScoringRule


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Kpi

    code = factory.Sequence(lambda n: f"KPI{n:03d}")
    name = factory.Sequence(lambda n: f"指标{n}")
    name_en = factory.Sequence(lambda n: f"Indicator {n}")
    category = KpiCategory.GOAL_ATTAINMENT
    rule = ScoringRule.LINEAR
    threshold = Decimal("60")
    target = Decimal("100")
    stretch = Decimal("120")


class KpiTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.KpiTemplate

    position = factory.SubFactory("opsteam.org.tests.factories.PositionFactory")
    version = 1
