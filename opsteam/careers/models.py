"""Career development (职业发展通道): ladders, level standards, development plans, promotions.

A track orders job levels (``org.JobLevel``) from junior operator to expert, or team lead to
director; a level may also be entered from another track (a senior operator becoming a team
lead). What it takes to reach a level is its published ``LevelStandard``: time in the current
level, competency levels, courses, certificates, recent appraisal grades and an optional defence
(答辩) score. Standards are versioned: a nomination keeps the version it was judged against.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsteam.careers.choices import (
    ActionKind,
    ActionStatus,
    NominationKind,
    NominationStatus,
    PlanStatus,
    Recommendation,
    RoundStatus,
    StandardStatus,
)
from opsteam.core.models import BilingualNameMixin, ScopedManager, TimeStampedModel
from opsteam.org.choices import LevelTrack

SKILL_LEVELS = [MinValueValidator(1), MaxValueValidator(5)]
SCORE = [MinValueValidator(0), MaxValueValidator(100)]


class CareerTrack(BilingualNameMixin, TimeStampedModel):
    """A career track: the professional ladder or the management ladder."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LevelTrack.choices)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("career track")
        verbose_name_plural = _("career tracks")
        ordering = ["kind", "code"]

    def get_absolute_url(self) -> str:
        return reverse("careers:track_detail", args=[self.pk])


class CareerStep(models.Model):
    """A job level's place on a track; ``entry_from`` lists levels of other tracks leading in."""

    track = models.ForeignKey(
        CareerTrack, verbose_name=_("track"), on_delete=models.CASCADE, related_name="steps"
    )
    level = models.ForeignKey(
        "org.JobLevel",
        verbose_name=_("level"),
        on_delete=models.PROTECT,
        related_name="career_steps",
    )
    order = models.PositiveSmallIntegerField(_("order"))
    entry_from = models.ManyToManyField(
        "org.JobLevel",
        verbose_name=_("also entered from"),
        blank=True,
        related_name="career_exits",
        help_text=_("Levels of other tracks from which people may move to this one."),
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("career step")
        verbose_name_plural = _("career steps")
        ordering = ["track", "order"]
        constraints = [
            models.UniqueConstraint(fields=["track", "level"], name="careers_step_level_once"),
            models.UniqueConstraint(fields=["track", "order"], name="careers_step_order_once"),
        ]

    def __str__(self) -> str:
        return f"{self.track} · {self.level}"


class CareerTrackVersion(models.Model):
    """One saved state of a track's ladder, kept unchanged ever after.

    Each save of the ladder (the track's fields, its levels in order, the levels leading into
    each step) that changes anything adds the next number, with who saved it and when, a JSON
    ``snapshot`` (format in ``careers.ladder_versions``: levels with codes, names, minimum
    months and standard version of the day, and entries) and a short summary of what changed
    against the version before, in Chinese and English. Eligibility and nominations read the
    live ladder (``CareerStep``), never a version.
    """

    track = models.ForeignKey(
        CareerTrack, verbose_name=_("track"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)
    snapshot = models.JSONField(_("ladder"), default=dict)
    summary = models.CharField(_("what changed"), max_length=300, blank=True)
    summary_en = models.CharField(_("what changed (English)"), max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("career track version")
        verbose_name_plural = _("career track versions")
        ordering = ["track", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "number"], name="careers_trackversion_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.track} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A version is a record of what the ladder was: it is written once, never changed.
        if not self._state.adding:
            raise ValueError("A saved ladder version cannot be changed.")
        super().save(*args, **kwargs)


class LevelStandard(TimeStampedModel):
    """What it takes to reach a level (one version; the published one applies).

    Appraisal: in the last ``appraisal_window`` cycles at least ``appraisal_min_count`` grades at
    or better than ``appraisal_at_least`` and none worse than ``appraisal_none_below`` (either
    part left blank is not required).
    """

    level = models.ForeignKey(
        "org.JobLevel", verbose_name=_("level"), on_delete=models.PROTECT, related_name="standards"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=StandardStatus.choices, default=StandardStatus.DRAFT
    )
    min_months_in_level = models.PositiveSmallIntegerField(
        _("minimum months in the current level"), default=0
    )
    appraisal_window = models.PositiveSmallIntegerField(
        _("appraisal cycles considered"), default=4, validators=[MinValueValidator(1)]
    )
    appraisal_min_count = models.PositiveSmallIntegerField(_("good grades needed"), default=0)
    appraisal_at_least = models.CharField(_("good grade: at least"), max_length=10, blank=True)
    appraisal_none_below = models.CharField(_("no grade below"), max_length=10, blank=True)
    min_assessment_score = models.DecimalField(
        _("minimum defence score (答辩)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=SCORE,
    )
    notes = models.TextField(_("notes"), blank=True)
    notes_en = models.TextField(_("notes (English)"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("level standard")
        verbose_name_plural = _("level standards")
        ordering = ["level", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["level", "version"], name="careers_standard_version"),
            models.UniqueConstraint(
                fields=["level"],
                condition=Q(status="published"),
                name="careers_standard_one_published",
            ),
            models.UniqueConstraint(
                fields=["level"], condition=Q(status="draft"), name="careers_standard_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("careers:standard_detail", args=[self.pk])


class StandardCompetency(models.Model):
    standard = models.ForeignKey(
        LevelStandard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="competencies",
    )
    skill = models.ForeignKey(
        "org.Skill", verbose_name=_("competency"), on_delete=models.PROTECT, related_name="+"
    )
    min_level = models.PositiveSmallIntegerField(_("minimum level"), validators=SKILL_LEVELS)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("required competency")
        verbose_name_plural = _("required competencies")
        ordering = ["standard", "skill__code"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "skill"], name="careers_stdskill_once")
        ]

    def __str__(self) -> str:
        return f"{self.skill} ≥ {self.min_level}"


class StandardCourse(models.Model):
    standard = models.ForeignKey(
        LevelStandard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="courses"
    )
    course = models.ForeignKey(
        "training.Course", verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("required course")
        verbose_name_plural = _("required courses")
        ordering = ["standard", "course__code"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "course"], name="careers_stdcourse_once")
        ]

    def __str__(self) -> str:
        return str(self.course)


class StandardCertificate(models.Model):
    """A certificate the level requires, valid on the day: one issued for ``course`` or, for
    outside certificates, one whose name is ``name``."""

    standard = models.ForeignKey(
        LevelStandard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    course = models.ForeignKey(
        "training.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("certificate"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("required certificate")
        verbose_name_plural = _("required certificates")
        ordering = ["standard", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(course__isnull=False) | ~Q(name=""), name="careers_stdcert_names"
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.course)

    @property
    def key(self) -> tuple[str, object]:
        """The key the eligibility engine matches a person's certificates by."""
        if self.course_id:
            return ("course", self.course_id)
        return ("name", self.name.strip().casefold())


class DevelopmentPlan(TimeStampedModel):
    """An individual development plan (IDP) towards a target level."""

    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="development_plans",
    )
    target_level = models.ForeignKey(
        "org.JobLevel",
        verbose_name=_("target level"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    goals = models.TextField(_("goals"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("target date"), null=True, blank=True)
    owner = models.ForeignKey(
        "org.Staff",
        verbose_name=_("manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["-start_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.staff} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("careers:plan_detail", args=[self.pk])


class DevelopmentAction(models.Model):
    """One action of a development plan: a course, mentoring, a rotation, a stretch task."""

    plan = models.ForeignKey(
        DevelopmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices)
    title = models.CharField(_("action"), max_length=200)
    course = models.ForeignKey(
        "training.Course",
        verbose_name=_("course"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    skill = models.ForeignKey(
        "org.Skill",
        verbose_name=_("competency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    mentor = models.ForeignKey(
        "org.Staff",
        verbose_name=_("mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentoring_actions",
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    gap = models.CharField(_("closes the gap"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("development action")
        verbose_name_plural = _("development actions")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class DevelopmentCheckIn(models.Model):
    plan = models.ForeignKey(
        DevelopmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="checkins"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    date = models.DateField(_("date"))
    notes = models.TextField(_("notes"))
    progress = models.PositiveSmallIntegerField(
        _("overall progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("development check-in")
        verbose_name_plural = _("development check-ins")
        ordering = ["plan", "-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.date.isoformat()}"


class PromotionRound(BilingualNameMixin, TimeStampedModel):
    """A promotion round (晋升评审): nominations, committee review, decisions, effective date."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    nominations_close = models.DateField(_("nominations close"))
    effective_date = models.DateField(_("promotions take effect"))
    committee = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("committee"), blank=True, related_name="+"
    )
    allow_self_nomination = models.BooleanField(_("self-nomination allowed"), default=True)

    class Meta:
        verbose_name = _("promotion round")
        verbose_name_plural = _("promotion rounds")
        ordering = ["-effective_date", "-pk"]

    def get_absolute_url(self) -> str:
        return reverse("careers:round_detail", args=[self.pk])


class Nomination(TimeStampedModel):
    """A person put forward for a level in a round, with the eligibility seen at nomination."""

    round = models.ForeignKey(
        PromotionRound,
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="nominations",
    )
    staff = models.ForeignKey(
        "org.Staff", verbose_name=_("nominee"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The nominee's unit at nomination: decides which managers see it."),
    )
    from_level = models.ForeignKey(
        "org.JobLevel",
        verbose_name=_("current level"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    target_level = models.ForeignKey(
        "org.JobLevel", verbose_name=_("proposed level"), on_delete=models.PROTECT, related_name="+"
    )
    standard = models.ForeignKey(
        LevelStandard,
        verbose_name=_("standard version"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    kind = models.CharField(_("nominated as"), max_length=20, choices=NominationKind.choices)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    justification = models.TextField(_("justification"))
    eligibility = models.JSONField(_("eligibility at nomination"), default=dict)
    ready_at_nomination = models.BooleanField(_("met every standard at nomination"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=NominationStatus.choices,
        default=NominationStatus.NOMINATED,
    )
    defence_score = models.DecimalField(
        _("defence score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["round", "staff__employee_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "staff"],
                condition=~Q(status="withdrawn"),
                name="careers_nomination_once_per_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} → {self.target_level}"

    def get_absolute_url(self) -> str:
        return reverse("careers:nomination_detail", args=[self.pk])


class CommitteeReview(models.Model):
    """One committee member's score and recommendation on a nomination.

    Opened (empty) for every member when the round moves to review, like a survey invitation:
    members read the nominations through their own review rows, whatever their role.
    """

    nomination = models.ForeignKey(
        Nomination, verbose_name=_("nomination"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committee member"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    score = models.DecimalField(
        _("score"), max_digits=5, decimal_places=1, null=True, blank=True, validators=SCORE
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("committee review")
        verbose_name_plural = _("committee reviews")
        ordering = ["nomination", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "reviewer"], name="careers_review_once_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.nomination} · {self.reviewer}"
