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
    AppealStatus,
    CycleStage,
    GradeSource,
    KpiAggregation,
    KpiCategory,
    KpiDirection,
    MeasurementSource,
    MissingRule,
    PeriodKind,
    ReviewStatus,
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
        from opsteam.performance import engine_inputs, explain

        try:
            engine_inputs.check_kpi(self)
        except ValueError as exc:
            # on the field the engine names, in words the user reads
            raise explain.kpi_validation_error(exc) from exc


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


DEFAULT_GRADE_BANDS = [
    {"name": "S", "min": 95, "coefficient": 1.5},
    {"name": "A", "min": 85, "coefficient": 1.2},
    {"name": "B", "min": 70, "coefficient": 1.0},
    {"name": "C", "min": 60, "coefficient": 0.8},
    {"name": "D", "min": 0, "coefficient": 0.5},
]
DEFAULT_GUIDELINE = [10, 20, 50, 15, 5]


def default_grade_bands() -> list[dict]:
    return [dict(band) for band in DEFAULT_GRADE_BANDS]


def default_guideline() -> list[int]:
    return list(DEFAULT_GUIDELINE)


class ReviewCycle(TimeStampedModel):
    """A review cycle (周期考核): period, population, formula, grade bands and stage deadlines.

    At launch the KPI rules and templates in force are frozen into ``kpi_snapshot`` and onto
    each review, so later edits of the KPI library never change a past cycle's scores.
    """

    name = models.CharField(_("name"), max_length=160)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    period_kind = models.CharField(
        _("period"), max_length=20, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    units = models.ManyToManyField(
        "org.OrgUnit", verbose_name=_("departments and teams"), blank=True, related_name="+"
    )
    positions = models.ManyToManyField(
        "org.Position", verbose_name=_("positions"), blank=True, related_name="+"
    )
    people = models.ManyToManyField(
        "org.Staff", verbose_name=_("named people"), blank=True, related_name="+"
    )
    formula = models.CharField(
        _("score formula"),
        max_length=300,
        default="0.7 * kpi + 0.3 * competency",
        help_text=_(
            "Variables: kpi, competency, manager (each 0-100). E.g. 0.7 * kpi + 0.3 * competency"
        ),
    )
    grade_bands = models.JSONField(_("grade bands"), default=default_grade_bands)
    guideline = models.JSONField(
        _("guideline distribution (%)"),
        default=default_guideline,
        help_text=_("Share of each grade, best first; sums to 100."),
    )
    min_calibration_group = models.PositiveSmallIntegerField(
        _("smallest calibration group"),
        default=10,
        help_text=_(
            "Smaller teams are pooled so a guideline never forces grades onto a few people."
        ),
    )
    max_adjustment = models.DecimalField(
        _("largest manager adjustment (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    veto_cap_grade = models.CharField(
        _("highest grade after a failed veto item"),
        max_length=10,
        default="C",
        help_text=_("一票否决: whoever fails a veto KPI grades no higher than this."),
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=CycleStage.choices, default=CycleStage.DRAFT
    )
    data_deadline = models.DateField(
        _("KPI data deadline"),
        null=True,
        blank=True,
        help_text=_("After this day the period's KPI data can no longer change."),
    )
    goal_deadline = models.DateField(_("goal setting due"), null=True, blank=True)
    self_review_deadline = models.DateField(_("self-review due"), null=True, blank=True)
    feedback_deadline = models.DateField(_("360 feedback due"), null=True, blank=True)
    manager_review_deadline = models.DateField(_("manager review due"), null=True, blank=True)
    calibration_deadline = models.DateField(_("calibration due"), null=True, blank=True)
    acknowledgement_deadline = models.DateField(
        _("acknowledgement and appeal due"), null=True, blank=True
    )
    questionnaire = models.ForeignKey(
        "surveys.Questionnaire",
        verbose_name=_("360 questionnaire"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Needed when the formula uses competency (the 360 result)."),
    )
    feedback_campaign = models.ForeignKey(
        "surveys.Campaign",
        verbose_name=_("360 feedback campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_cycles",
        editable=False,
    )
    kpi_snapshot = models.JSONField(_("KPI rules at launch"), default=dict, blank=True)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="performance_reviewcycle_period_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("performance:cycle_detail", args=[self.pk])

    @property
    def grade_names(self) -> list[str]:
        return [band["name"] for band in self.grade_bands]

    def clean(self) -> None:
        from opsteam.performance import cycles

        errors = cycles.validate_settings(self)
        if errors:
            raise ValidationError(errors)


class Review(models.Model):
    """One person's appraisal in one cycle: the scorecard, the ratings, the grade and its origin.

    Unit, position, level and manager are those of the person at the end of the period (from
    the assignment history), fixed at launch.
    """

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reviews")
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.ForeignKey(
        "org.Position",
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.ForeignKey(
        "org.JobLevel",
        verbose_name=_("level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        "org.Staff",
        verbose_name=_("reviewing manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews_to_give",
    )
    template = models.ForeignKey(
        KpiTemplate,
        verbose_name=_("KPI template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    calibration_group = models.CharField(_("calibration group"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    self_rating = models.PositiveSmallIntegerField(
        _("self rating (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    self_comment = models.TextField(_("self-review"), blank=True)
    manager_rating = models.PositiveSmallIntegerField(
        _("manager rating (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    potential = models.PositiveSmallIntegerField(
        _("potential (1-3)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    adjustment = models.DecimalField(
        _("manager adjustment (points)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    adjustment_reason = models.CharField(_("reason for the adjustment"), max_length=500, blank=True)
    kpi_score = models.DecimalField(
        _("KPI score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    competency_score = models.DecimalField(
        _("competency score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    final_score = models.DecimalField(
        _("final score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    proposed_grade = models.CharField(_("grade from the score"), max_length=10, blank=True)
    grade = models.CharField(_("grade"), max_length=10, blank=True)
    grade_source = models.CharField(
        _("grade from"), max_length=20, choices=GradeSource.choices, blank=True
    )
    coefficient = models.DecimalField(
        _("performance coefficient (绩效系数)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    veto_applied = models.BooleanField(_("veto item failed"), default=False)
    scorecard = models.JSONField(_("scorecard"), default=dict, blank=True)
    self_submitted_at = models.DateTimeField(_("self-review submitted"), null=True, blank=True)
    manager_submitted_at = models.DateTimeField(
        _("manager review submitted"), null=True, blank=True
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["cycle_id", "unit_id", "staff_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "staff"], name="performance_review_one_per_cycle"
            )
        ]
        indexes = [models.Index(fields=["cycle", "grade"], name="performance_review_grade")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.staff}"

    def get_absolute_url(self) -> str:
        return reverse("performance:review_detail", args=[self.pk])


class PersonalTarget(models.Model):
    """A target agreed with one person for one KPI in the goal-setting stage."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="targets")
    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField(_("agreed target"), max_digits=18, decimal_places=6)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("personal target")
        verbose_name_plural = _("personal targets")
        constraints = [
            models.UniqueConstraint(fields=["review", "kpi"], name="performance_target_one_per_kpi")
        ]

    def __str__(self) -> str:
        return f"{self.review} · {self.kpi_id} = {self.target}"


class GradeChange(models.Model):
    """A change of a final grade after the score proposed it (calibration or appeal)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="grade_changes")
    from_grade = models.CharField(_("from"), max_length=10)
    to_grade = models.CharField(_("to"), max_length=10)
    source = models.CharField(_("source"), max_length=20, choices=GradeSource.choices)
    justification = models.TextField(_("justification"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.review}: {self.from_grade or '-'} → {self.to_grade}"


class Appeal(models.Model):
    """An appeal (申诉/复议) against a published result, resolved by HR with a recorded outcome."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appeals")
    reason = models.TextField(_("reason"))
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    new_grade = models.CharField(_("new grade"), max_length=10, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"{self.review} ({self.get_status_display()})"


from opsteam.performance.models_coaching import *  # noqa: E402,F403  (1:1s and improvement plans)
