"""KPI library, KPI templates per position and the measurements behind every score."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsteam.core.models import BilingualNameMixin, ScopedManager, TimeStampedModel
from opsteam.performance.choices import (
    KpiAggregation,
    KpiCategory,
    KpiDirection,
    MeasurementSource,
    MissingRule,
    ScoringRule,
    TemplateStatus,
)


class Kpi(BilingualNameMixin, TimeStampedModel):
    """A quantified indicator (量化指标) with how its period value is aggregated and scored.

    The scoring parameters are validated by the pure engine (``scoring.py``) on save, so a
    rule that the engine would refuse never reaches a cycle.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    category = models.CharField(_("category"), max_length=30, choices=KpiCategory.choices)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("e.g. %, 元, 分钟"))
    direction = models.SmallIntegerField(
        _("direction"), choices=KpiDirection.choices, default=KpiDirection.HIGHER
    )
    aggregation = models.SmallIntegerField(
        _("period value"), choices=KpiAggregation.choices, default=KpiAggregation.SUM
    )
    rule = models.SmallIntegerField(
        _("scoring rule"), choices=ScoringRule.choices, default=ScoringRule.LINEAR
    )
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=18,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Linear rule: the value that scores 0."),
    )
    target = models.DecimalField(
        _("target"), max_digits=18, decimal_places=6, help_text=_("The value that scores 100.")
    )
    stretch = models.DecimalField(
        _("stretch value"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    stretch_score = models.DecimalField(
        _("score at the stretch value"), max_digits=6, decimal_places=2, default=Decimal("120")
    )
    cap = models.DecimalField(
        _("highest score"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("120"),
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    per_unit = models.DecimalField(
        _("points per unit"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0"),
        help_text=_("Deduction or bonus rules: points per unit of distance to the target."),
    )
    bands = models.JSONField(
        _("score bands"),
        default=list,
        blank=True,
        help_text=_("Bands rule: [[from value, score], ...]"),
    )
    missing_rule = models.SmallIntegerField(
        _("when there is no measurement"), choices=MissingRule.choices, default=MissingRule.SPREAD
    )
    is_veto = models.BooleanField(
        _("veto item (一票否决)"),
        default=False,
        help_text=_("Scoring below 100 caps the whole appraisal."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["code"]

    def get_absolute_url(self) -> str:
        return reverse("performance:kpi_detail", args=[self.pk])

    def clean(self) -> None:
        from opsteam.performance import engine_inputs

        try:
            engine_inputs.check_kpi(self)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class KpiTemplate(TimeStampedModel):
    """The KPIs and weights of a position (optionally a level); versions stay attached to the
    cycles that used them."""

    position = models.ForeignKey(
        "org.Position",
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        related_name="kpi_templates",
    )
    level = models.ForeignKey(
        "org.JobLevel",
        verbose_name=_("level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("KPI template")
        verbose_name_plural = _("KPI templates")
        ordering = ["position__code", "level__rank", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "level", "version"],
                name="performance_kpitemplate_unique_version",
            ),
            models.UniqueConstraint(
                fields=["position", "level"],
                condition=Q(status="active"),
                name="performance_kpitemplate_one_active",
            ),
        ]

    def __str__(self) -> str:
        level = f" {self.level.code}" if self.level_id else ""
        return f"{self.position}{level} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("performance:kpitemplate_detail", args=[self.pk])


class KpiTemplateItem(models.Model):
    """One KPI of a template with its weight (percent; a template's weights sum to 100)."""

    template = models.ForeignKey(KpiTemplate, on_delete=models.CASCADE, related_name="items")
    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )
    target = models.DecimalField(
        _("target for this position"),
        max_digits=18,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Leave empty to use the KPI's target."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("template KPI")
        verbose_name_plural = _("template KPIs")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "kpi"], name="performance_kpitemplateitem_unique_kpi"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.weight}%"


class Measurement(models.Model):
    """One measured value of a KPI for a person on a date (the raw data behind a score).

    Imports replace what an earlier import wrote for the same person, KPI and date, but never
    a value someone entered by hand.
    """

    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="kpi_measurements",
    )
    kpi = models.ForeignKey(
        Kpi, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="measurements"
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6)
    denominator = models.DecimalField(
        _("denominator"),
        max_digits=18,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Ratio KPIs: the value is the numerator."),
    )
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=MeasurementSource.choices,
        default=MeasurementSource.IMPORT,
    )
    batch = models.CharField(_("import batch"), max_length=120, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["staff_id", "kpi_id", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "kpi", "date"], name="performance_measurement_one_per_day"
            )
        ]
        indexes = [models.Index(fields=["kpi", "date"], name="performance_measure_kpi_date")]

    def __str__(self) -> str:
        return f"{self.staff} {self.kpi.code} {self.date.isoformat()} = {self.value}"
