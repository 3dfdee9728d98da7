"""Incentives (激励): bonus pools, the reward ledger and recognition.

A bonus pool shares a budget among a unit's people for one review cycle by a policy (grade
multipliers x base x optional KPI factor, pro-rated, capped, floored, rounded so the total is the
budget exactly: ``rewards.allocate``). Approved pools, promotions, training places, conference
budgets, kudos and badges all land in one ``RewardEntry`` ledger, so a person's reward history is
in one place. Recognition (kudos tied to company values, team commendations, badges) feeds a
points ledger and leaderboards each team may switch off.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsteam.core.models import BilingualNameMixin, ScopedManager, TimeStampedModel
from opsteam.incentives.choices import BadgeCriterion, PoolStatus, RewardKind

POSITIVE = [MinValueValidator(Decimal("0"))]


def default_multipliers() -> dict[str, str]:
    return {"S": "2.0", "A": "1.5", "B": "1.0", "C": "0.5", "D": "0"}


class BonusPolicy(BilingualNameMixin, TimeStampedModel):
    """How a pool is shared: grade multipliers, base, KPI factor, caps, floors, rounding."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    multipliers = models.JSONField(_("grade multipliers"), default=default_multipliers)
    base_months = models.DecimalField(
        _("base: months of base salary"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=POSITIVE,
    )
    use_kpi_factor = models.BooleanField(
        _("apply the KPI factor"),
        default=False,
        help_text=_("Multiply by the KPI score / 100 of the cycle's scorecard."),
    )
    kpi_factor_min = models.DecimalField(
        _("KPI factor at least"), max_digits=4, decimal_places=2, default=Decimal("0")
    )
    kpi_factor_max = models.DecimalField(
        _("KPI factor at most"), max_digits=4, decimal_places=2, default=Decimal("2")
    )
    cap_multiple = models.DecimalField(
        _("cap: times the base"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    cap_amount = models.DecimalField(
        _("cap: amount"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    floor_amount = models.DecimalField(
        _("floor: amount"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=POSITIVE,
    )
    rounding_unit = models.DecimalField(
        _("round to"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bonus policy")
        verbose_name_plural = _("bonus policies")
        ordering = ["code"]

    def get_absolute_url(self) -> str:
        return reverse("incentives:policy_detail", args=[self.pk])


class BonusPool(TimeStampedModel):
    """A budget shared among one unit's people (the subtree) for one review cycle."""

    name = models.CharField(_("name"), max_length=200)
    cycle = models.ForeignKey(
        "performance.ReviewCycle",
        verbose_name=_("review cycle"),
        on_delete=models.PROTECT,
        related_name="bonus_pools",
    )
    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    policy = models.ForeignKey(
        BonusPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="pools"
    )
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, validators=POSITIVE)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(
        _("status"), max_length=20, choices=PoolStatus.choices, default=PoolStatus.DRAFT
    )
    allocated = models.DecimalField(
        _("allocated"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    unallocated = models.DecimalField(
        _("left unallocated"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    allocated_at = models.DateTimeField(_("allocated at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("bonus pool")
        verbose_name_plural = _("bonus pools")
        ordering = ["-cycle__period_end", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="incentives_pool_once")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incentives:pool_detail", args=[self.pk])


class BonusLine(models.Model):
    """One person's share of a pool, with the factors that made it (the explanation)."""

    pool = models.ForeignKey(
        BonusPool, verbose_name=_("pool"), on_delete=models.CASCADE, related_name="lines"
    )
    staff = models.ForeignKey(
        "org.Staff", verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(_("grade"), max_length=10, blank=True)
    base = models.DecimalField(_("base"), max_digits=12, decimal_places=2)
    kpi_factor = models.DecimalField(
        _("KPI factor"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    days = models.PositiveIntegerField(_("days in the period"))
    period_days = models.PositiveIntegerField(_("days of the period"))
    weight = models.DecimalField(_("weight"), max_digits=18, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    capped = models.BooleanField(_("capped"), default=False)
    floored = models.BooleanField(_("raised to the floor"), default=False)
    explanation = models.JSONField(_("explanation"), default=dict)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("bonus line")
        verbose_name_plural = _("bonus lines")
        ordering = ["pool", "staff__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "staff"], name="incentives_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.pool} · {self.staff}"


class RewardEntry(models.Model):
    """One reward in a person's history: a bonus, a place, a budget, a priority, points."""

    staff = models.ForeignKey(
        "org.Staff", verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=RewardKind.choices)
    title = models.CharField(_("reward"), max_length=200)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    points = models.IntegerField(_("points"), default=0)
    granted_on = models.DateField(_("granted on"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["-granted_on", "-pk"]
        indexes = [models.Index(fields=["staff", "granted_on"], name="incentives_reward_staff")]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "source"], condition=~Q(source=""), name="incentives_reward_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.title}"


class CompanyValue(BilingualNameMixin, TimeStampedModel):
    """A company value kudos are tied to (客户第一, 数据说话 ...)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("company value")
        verbose_name_plural = _("company values")
        ordering = ["order", "code"]


class Kudos(models.Model):
    """Thanks from one colleague to another for living a company value."""

    sender = models.ForeignKey(
        "org.Staff", verbose_name=_("from"), on_delete=models.CASCADE, related_name="kudos_sent"
    )
    recipient = models.ForeignKey(
        "org.Staff", verbose_name=_("to"), on_delete=models.CASCADE, related_name="kudos_received"
    )
    value = models.ForeignKey(
        CompanyValue, verbose_name=_("value"), on_delete=models.PROTECT, related_name="kudos"
    )
    message = models.TextField(_("message"))
    points = models.PositiveSmallIntegerField(_("points"), default=10)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("kudos")
        verbose_name_plural = _("kudos")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sender=models.F("recipient")), name="incentives_kudos_not_self"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient} · {self.value}"


class TeamCommendation(models.Model):
    """A commendation of a whole team (团队表彰)."""

    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    citation = models.TextField(_("citation"))
    value = models.ForeignKey(
        CompanyValue,
        verbose_name=_("value"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    points_each = models.PositiveSmallIntegerField(_("points for each member"), default=0)
    awarded_on = models.DateField(_("awarded on"))
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("awarded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("team commendation")
        verbose_name_plural = _("team commendations")
        ordering = ["-awarded_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.title}"


class Badge(BilingualNameMixin, TimeStampedModel):
    """A badge with its criterion; all but manual badges are awarded from data nightly."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    criterion = models.CharField(_("criterion"), max_length=30, choices=BadgeCriterion.choices)
    plan = models.ForeignKey(
        "training.TrainingPlan",
        verbose_name=_("training plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kpi = models.ForeignKey(
        "performance.Kpi",
        verbose_name=_("KPI"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    threshold = models.PositiveIntegerField(
        _("threshold"), default=0, help_text=_("Kudos received, for the kudos criterion.")
    )
    points = models.PositiveSmallIntegerField(_("points"), default=50)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["code"]


class BadgeAward(models.Model):
    badge = models.ForeignKey(
        Badge, verbose_name=_("badge"), on_delete=models.CASCADE, related_name="awards"
    )
    staff = models.ForeignKey(
        "org.Staff", verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="+"
    )
    awarded_on = models.DateField(_("awarded on"))
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("awarded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["badge", "staff"], name="incentives_badge_once")
        ]

    def __str__(self) -> str:
        return f"{self.badge} · {self.staff}"


class RecognitionSetting(models.Model):
    """Per team: whether its feed and leaderboards are shown (some teams prefer not to rank)."""

    unit = models.OneToOneField(
        "org.OrgUnit",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="recognition_setting",
    )
    leaderboard_enabled = models.BooleanField(_("leaderboards shown"), default=True)
    feed_enabled = models.BooleanField(_("recognition feed shown"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("recognition setting")
        verbose_name_plural = _("recognition settings")

    def __str__(self) -> str:
        return str(self.unit)
