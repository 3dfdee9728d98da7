"""The periodic system review: one report per period (a quarter by default) gathering
appraisal fairness, training effectiveness, engagement, suggestion throughput and process
health, with improvement actions (``workflow.ImprovementAction``, PDCA) raised from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsteam.core.models import ScopedManager, TimeStampedModel
from opsteam.insights.choices import ReviewStatus


class SystemReview(TimeStampedModel):
    """One review of how the whole system of people management worked over a period.

    Figures are read live from each area's selectors while the review is open; closing it
    freezes them in ``snapshot`` (JSON) so a closed report never changes afterwards.
    """

    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True)
    conclusions = models.TextField(_("conclusions"), blank=True)
    snapshot = models.JSONField(_("frozen figures"), default=dict, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("system review")
        verbose_name_plural = _("system reviews")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end"],
                name="insights_systemreview_unique_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="insights_systemreview_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("insights:review_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == ReviewStatus.CLOSED
