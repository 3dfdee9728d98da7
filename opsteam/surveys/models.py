"""Questionnaires, campaigns, subjects, invitations and answers.

Generic: 360 feedback uses it today, training reactions and pulse surveys later. The app knows
nothing of performance reviews (a review cycle will point at a ``Campaign``). Answers are read
only through ``selectors`` (which apply the anonymity rule), never listed with their rater.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsteam.core.models import BilingualNameMixin, TimeStampedModel, localized
from opsteam.surveys.anonymity import MINIMUM_THRESHOLD
from opsteam.surveys.choices import (
    NAMED_RELATIONSHIPS,
    CampaignPurpose,
    CampaignStatus,
    InvitationStatus,
    QuestionKind,
    Relationship,
)


class Questionnaire(BilingualNameMixin, TimeStampedModel):
    """A versioned set of questions. Frozen once a campaign uses it: later changes make a
    new version (same ``code``, ``version`` + 1) so past results keep their questions."""

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="surveys_questionnaire_version"
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("surveys:questionnaire_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Question(models.Model):
    """One question: a competency rating on a scale with a behavioural anchor per point, or a
    free-text comment. Ratings are always required; comments never are."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    competency = models.SlugField(_("competency code"), max_length=60, blank=True)
    competency_name = models.CharField(_("competency"), max_length=120, blank=True)
    competency_name_en = models.CharField(_("competency (English)"), max_length=120, blank=True)
    scale_min = models.PositiveSmallIntegerField(_("lowest rating"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest rating"), default=5)
    # [{"value": 1, "text": "...", "text_en": "..."}, ...]: one behavioural anchor per point
    anchors = models.JSONField(_("behavioural anchors"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "order", "pk"]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        return localized(self, "text")

    @property
    def display_competency(self) -> str:
        return localized(self, "competency_name") or self.competency

    @property
    def is_rating(self) -> bool:
        return self.kind == QuestionKind.RATING

    def scale(self) -> list[dict]:
        """The points of the scale with their anchors in the active language."""
        by_value = {int(a.get("value", 0)): a for a in self.anchors or []}
        points = []
        for value in range(self.scale_min, self.scale_max + 1):
            anchor = by_value.get(value, {})
            points.append({"value": value, "anchor": localized(_Anchor(anchor), "text")})
        return points

    def clean(self) -> None:
        if self.kind == QuestionKind.RATING:
            if self.scale_min >= self.scale_max:
                raise ValidationError(
                    {"scale_max": _("The highest rating must be above the lowest.")}
                )
            if not self.competency:
                raise ValidationError(
                    {"competency": _("A rating question needs a competency code.")}
                )


class _Anchor:
    def __init__(self, data: dict) -> None:
        self.text = data.get("text", "")
        self.text_en = data.get("text_en", "")


class Campaign(BilingualNameMixin, TimeStampedModel):
    """One run of a questionnaire with its subjects, anonymity threshold and rater load limit."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    deadline = models.DateTimeField(_("deadline"))
    anonymity_threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold"),
        default=MINIMUM_THRESHOLD,
        validators=[MinValueValidator(MINIMUM_THRESHOLD)],
        help_text=_("Anonymous groups with fewer answers are never shown (at least 3)."),
    )
    rater_load_limit = models.PositiveSmallIntegerField(
        _("rater load limit"),
        default=8,
        validators=[MinValueValidator(1)],
        help_text=_("The most open invitations one rater may hold in this campaign."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=30,
        choices=CampaignPurpose.choices,
        default=CampaignPurpose.FEEDBACK_360,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("feedback campaign")
        verbose_name_plural = _("feedback campaigns")
        ordering = ["-deadline", "-pk"]

    def get_absolute_url(self) -> str:
        return reverse("surveys:campaign_detail", args=[self.pk])

    @property
    def is_360(self) -> bool:
        return self.purpose == CampaignPurpose.FEEDBACK_360


class Subject(TimeStampedModel):
    """What a campaign asks about: a person reviewed (360 feedback, ``staff``) or something
    that is not a person, such as a training session (``topic``; ``staff`` empty). Subjects
    without a person are visible only to roles that see every unit (HR, administrators,
    auditors): the policy reaches units through ``staff``."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="subjects"
    )
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("person reviewed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_subjects",
    )
    topic = models.CharField(
        _("topic"),
        max_length=300,
        blank=True,
        help_text=_("What is rated when it is not a person, e.g. a training session."),
    )

    class Meta:
        verbose_name = _("person reviewed")
        verbose_name_plural = _("people reviewed")
        ordering = ["campaign", "staff__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "staff"], name="surveys_subject_once"),
            models.CheckConstraint(
                condition=models.Q(staff__isnull=False) | ~models.Q(topic=""),
                name="surveys_subject_staff_or_topic",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} · {self.campaign}"

    @property
    def label(self) -> str:
        """The person reviewed, or the topic for subjects that are not people."""
        return str(self.staff) if self.staff_id else self.topic

    def get_absolute_url(self) -> str:
        return reverse("surveys:subject_detail", args=[self.pk])


class Invitation(TimeStampedModel):
    """One rater asked to give feedback on one subject: proposed, then approved (open) or
    declined, then submitted. External customers have no staff record: they answer through
    a link whose token is stored only as a SHA-256 hash."""

    subject = models.ForeignKey(
        Subject,
        verbose_name=_("person reviewed"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    relationship = models.CharField(_("relationship"), max_length=30, choices=Relationship.choices)
    rater = models.ForeignKey(
        "org.Staff",
        verbose_name=_("rater"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    external_name = models.CharField(_("external rater"), max_length=200, blank=True)
    external_email = models.EmailField(_("external rater's email"), blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    draft_saved_at = models.DateTimeField(_("draft saved at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback invitation")
        verbose_name_plural = _("feedback invitations")
        ordering = ["subject", "relationship", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "rater"],
                condition=models.Q(rater__isnull=False),
                name="surveys_invitation_rater_once",
            ),
            models.CheckConstraint(
                condition=models.Q(rater__isnull=False)
                | models.Q(relationship=Relationship.EXTERNAL_CUSTOMER),
                name="surveys_invitation_rater_or_external",
            ),
        ]
        indexes = [models.Index(fields=["rater", "status"], name="surveys_invitation_load_idx")]

    def __str__(self) -> str:
        return f"{self.rater_label} → {self.subject.label}"

    @property
    def rater_label(self) -> str:
        return str(self.rater) if self.rater_id else self.external_name

    @property
    def is_named(self) -> bool:
        return self.relationship in NAMED_RELATIONSHIPS

    def get_absolute_url(self) -> str:
        return reverse("surveys:invitation_answer", args=[self.pk])


class Answer(models.Model):
    """One answer of one invitation. Never listed with its rater: selectors aggregate."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "question"], name="surveys_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}"


from opsteam.surveys.models_pulse import (  # noqa: E402  (pulse surveys live in their own module)
    PulseAnswer,
    PulseParticipation,
    PulseQuestion,
    PulseResponse,
    PulseSurvey,
    PulseSurveyQuestion,
    PulseWave,
)

__all__ = [
    "Answer",
    "Campaign",
    "Invitation",
    "PulseAnswer",
    "PulseParticipation",
    "PulseQuestion",
    "PulseResponse",
    "PulseSurvey",
    "PulseSurveyQuestion",
    "PulseWave",
    "Question",
    "Questionnaire",
    "Subject",
]
