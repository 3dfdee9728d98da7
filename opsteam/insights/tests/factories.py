import datetime as dt

import factory

from opsteam.insights.models import SystemReview


class SystemReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SystemReview

    title = factory.Sequence(lambda n: f"2026 Q{n % 4 + 1} 体系评估 {n}")
    period_start = factory.Sequence(lambda n: dt.date(2000 + n, 7, 1))
    period_end = factory.LazyAttribute(lambda review: review.period_start.replace(month=9, day=30))
