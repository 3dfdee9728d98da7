"""Pulse surveys: a question library, surveys with their audience and schedule, waves, who
took part, and anonymous responses.

Anonymity is a data rule here: ``PulseParticipation`` records *that* a person responded to a
wave (nothing else); ``PulseResponse`` holds the answers with only the wave, the team the
person sat in and their tenure band: no person, no participation id, no time. Responses and
answers have random (UUID) keys, so not even insertion order links them to a participation.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsteam.core.models import BilingualNameMixin, ScopedManager, TimeStampedModel, localized
from opsteam.surveys.anonymity import MINIMUM_THRESHOLD
from opsteam.surveys.choices_pulse import (
    PulseQuestionKind,
    PulseStatus,
    PulseTheme,
    TenureBand,
    WaveStatus,
)


class PulseQuestion(TimeStampedModel):
    """A reusable question of the library (bilingual), with its theme and kind."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    theme = models.CharField(_("theme"), max_length=20, choices=PulseTheme.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=PulseQuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in the library"), default=True)
    is_standard = models.BooleanField(_("standard question"), default=False, editable=False)

    class Meta:
        verbose_name = _("pulse question")
        verbose_name_plural = _("pulse question library")
        ordering = ["theme", "code"]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        return localized(self, "text")


class PulseSurvey(BilingualNameMixin, TimeStampedModel):
    """A pulse or engagement survey: questions, audience, schedule and minimum group size."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PulseStatus.choices, default=PulseStatus.DRAFT
    )
    questions = models.ManyToManyField(
        PulseQuestion, through="PulseSurveyQuestion", related_name="surveys"
    )
    audience_all = models.BooleanField(_("everyone"), default=False)
    audience_units = models.ManyToManyField(
        "org.OrgUnit",
        verbose_name=_("teams and departments (with their sub-teams)"),
        blank=True,
        related_name="pulse_surveys",
    )
    starts_on = models.DateField(_("first opens on"))
    open_days = models.PositiveSmallIntegerField(
        _("open for (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    repeat_weeks = models.PositiveSmallIntegerField(
        _("repeat every (weeks)"),
        default=0,
        validators=[MaxValueValidator(52)],
        help_text=_("0 for a one-off survey."),
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("minimum group size"),
        default=5,
        validators=[MinValueValidator(MINIMUM_THRESHOLD), MaxValueValidator(50)],
        help_text=_("Groups with fewer responses are never shown (at least 3)."),
    )
    share_results = models.BooleanField(_("share company results with everyone"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("pulse survey")
        verbose_name_plural = _("pulse surveys")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_group_size__gte=MINIMUM_THRESHOLD),
                name="surveys_pulse_min_group_3",
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("surveys:pulse_detail", args=[self.pk])

    @property
    def is_recurring(self) -> bool:
        return self.repeat_weeks > 0


class PulseSurveyQuestion(models.Model):
    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(PulseQuestion, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager()

    class Meta:
        ordering = ["survey", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="surveys_pulse_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.question_id}"


class PulseWave(TimeStampedModel):
    """One run of a survey: open from ``opens_on`` to ``closes_on`` (inclusive)."""

    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveSmallIntegerField(_("wave"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.OPEN
    )
    invited = models.PositiveIntegerField(_("invited"), default=0)

    class Meta:
        verbose_name = _("pulse wave")
        verbose_name_plural = _("pulse waves")
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="surveys_pulse_wave_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:pulse_respond", args=[self.pk])


class PulseParticipation(models.Model):
    """A person invited to a wave, and whether they responded. No time, no answers."""

    wave = models.ForeignKey(PulseWave, on_delete=models.CASCADE, related_name="participations")
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.CASCADE, related_name="pulse_participations"
    )
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    tenure_band = models.CharField(max_length=5, choices=TenureBand.choices)
    responded = models.BooleanField(_("responded"), default=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("pulse participation")
        verbose_name_plural = _("pulse participations")
        constraints = [
            models.UniqueConstraint(fields=["wave", "staff"], name="surveys_pulse_once_per_wave")
        ]
        indexes = [models.Index(fields=["wave", "unit"], name="surveys_pulse_part_unit")]

    def __str__(self) -> str:
        return f"{self.wave} · {self.staff_id}"


class PulseResponse(models.Model):
    """One anonymous response: the wave, the team and tenure band snapshots, nothing more."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(PulseWave, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    tenure_band = models.CharField(max_length=5, choices=TenureBand.choices)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("pulse response")
        verbose_name_plural = _("pulse responses")
        indexes = [models.Index(fields=["wave", "unit"], name="surveys_pulse_resp_unit")]

    def __str__(self) -> str:
        return str(self.wave)


class PulseAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(PulseResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(PulseQuestion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("pulse answer")
        verbose_name_plural = _("pulse answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="surveys_pulse_answer_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.question_id)
