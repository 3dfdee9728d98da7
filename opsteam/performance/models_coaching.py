"""1:1s between a manager and a report, and performance improvement plans (PIPs).

The tone is support, not punishment (一对一反馈 / 支持而不是惩罚): a 1:1 is the manager's and the
report's shared space, each with notes of their own that nobody else reads; an improvement plan
names what success looks like, what help is offered and when feedback comes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsteam.core.models import ScopedManager, TimeStampedModel
from opsteam.performance.choices import (
    ActionItemStatus,
    OneOnOneCadence,
    OneOnOneSide,
    PlanGoalStatus,
    PlanOutcome,
    PlanState,
)

__all__ = [
    "ActionItem",
    "AgendaItem",
    "ImprovementPlan",
    "OneOnOne",
    "OneOnOneMeeting",
    "PlanCheckIn",
    "PlanGoal",
    "PrivateNote",
]


class OneOnOne(TimeStampedModel):
    """A recurring 1:1 between a manager and one report, with its cadence and next date."""

    manager = models.ForeignKey(
        "org.Staff",
        verbose_name=_("manager"),
        on_delete=models.PROTECT,
        related_name="one_on_ones_led",
    )
    report = models.ForeignKey(
        "org.Staff",
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        related_name="one_on_ones",
    )
    cadence = models.CharField(
        _("cadence"),
        max_length=20,
        choices=OneOnOneCadence.choices,
        default=OneOnOneCadence.BIWEEKLY,
    )
    next_date = models.DateField(_("next 1:1"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("1:1")
        verbose_name_plural = _("1:1s")
        ordering = ["next_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(manager=F("report")), name="performance_oneonone_two_people"
            ),
            models.UniqueConstraint(
                fields=["manager", "report"],
                condition=Q(is_active=True),
                name="performance_oneonone_one_active_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manager} · {self.report}"

    def get_absolute_url(self) -> str:
        return reverse("performance:oneonone_detail", args=[self.pk])


class OneOnOneMeeting(TimeStampedModel):
    """One 1:1 conversation: shared notes both sides read; linked to a review cycle when the
    conversation is about it (goal setting, mid-term feedback, results)."""

    series = models.ForeignKey(
        OneOnOne, verbose_name=_("1:1"), on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField(_("date"))
    cycle = models.ForeignKey(
        "performance.ReviewCycle",
        verbose_name=_("review cycle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="one_on_one_meetings",
    )
    shared_notes = models.TextField(_("shared notes"), blank=True)

    class Meta:
        verbose_name = _("1:1 meeting")
        verbose_name_plural = _("1:1 meetings")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "date"], name="performance_oneononemeeting_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.date.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("performance:meeting_detail", args=[self.pk])


class AgendaItem(models.Model):
    """A topic either side puts on a meeting's shared agenda."""

    meeting = models.ForeignKey(
        OneOnOneMeeting, on_delete=models.CASCADE, related_name="agenda_items"
    )
    text = models.CharField(_("topic"), max_length=500)
    added_by = models.ForeignKey(
        "org.Staff", verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    is_discussed = models.BooleanField(_("discussed"), default=False)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        # Not the text: this string lands in the audit trail, which auditors read org-wide.
        return f"{self._meta.verbose_name} #{self.pk}"


class PrivateNote(models.Model):
    """One side's private note on a meeting: readable by its author only.

    Not by the other side, not by HR, not by administrators: the policy rule has no role
    with a wider scope than the author's own rows, and the audit trail keeps only a
    fingerprint of the text (``core.policy.AUDIT_MASKED_FIELDS``).
    """

    meeting = models.ForeignKey(
        OneOnOneMeeting, on_delete=models.CASCADE, related_name="private_notes"
    )
    side = models.CharField(_("side"), max_length=20, choices=OneOnOneSide.choices)
    author = models.ForeignKey(
        "org.Staff", verbose_name=_("author"), on_delete=models.CASCADE, related_name="+"
    )
    body = models.TextField(_("private note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "side"], name="performance_privatenote_one_per_side"
            )
        ]

    def __str__(self) -> str:
        # Never the text: this string lands in the audit trail's object column.
        return f"{self.meeting_id}:{self.side}"


class ActionItem(TimeStampedModel):
    """Something one side agreed to do after a meeting, with a due date and a status."""

    meeting = models.ForeignKey(
        OneOnOneMeeting, on_delete=models.CASCADE, related_name="action_items"
    )
    text = models.CharField(_("what will be done"), max_length=500)
    owner = models.ForeignKey(
        "org.Staff", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["status", "due_date", "id"]
        indexes = [models.Index(fields=["owner", "status"], name="performance_actionitem_owner")]

    def __str__(self) -> str:
        # Not the text: this string lands in the audit trail, which auditors read org-wide.
        return f"{self._meta.verbose_name} #{self.pk}"


class ImprovementPlan(TimeStampedModel):
    """A performance improvement plan (绩效改进计划): goals, support, check-ins and outcome.

    Visible to the person, their managers and HR only (``core.policy``). States run
    draft -> active -> closed (``coaching_states.py``); an extension closes the plan with the
    outcome "extended" and starts a new plan that ``continues`` it.
    """

    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="improvement_plans",
    )
    manager = models.ForeignKey(
        "org.Staff", verbose_name=_("manager"), on_delete=models.PROTECT, related_name="+"
    )
    hr_owner = models.ForeignKey(
        "org.Staff",
        verbose_name=_("HR partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review = models.ForeignKey(
        "performance.Review",
        verbose_name=_("review that led to the plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_plans",
    )
    continues = models.ForeignKey(
        "self",
        verbose_name=_("continues plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="extensions",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    summary = models.TextField(
        _("why we are doing this"),
        blank=True,
        help_text=_("What we want to improve together, in plain words."),
    )
    support_training = models.TextField(_("training offered"), blank=True)
    mentor = models.ForeignKey(
        "org.Staff",
        verbose_name=_("mentor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    support_other = models.TextField(_("other support"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=PlanOutcome.choices, blank=True)
    outcome_date = models.DateField(_("outcome date"), null=True, blank=True)
    outcome_comment = models.TextField(_("outcome comment"), blank=True)
    activated_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="performance_improvementplan_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(state="closed", outcome__gt="") | (~Q(state="closed") & Q(outcome="")),
                name="performance_improvementplan_outcome_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.start_date.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("performance:plan_detail", args=[self.pk])


class PlanGoal(models.Model):
    """A measurable goal of a plan: what, how it is measured, by when, and where it stands."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("goal"), max_length=500)
    measure = models.CharField(
        _("how we measure it"), max_length=500, help_text=_("e.g. order error rate below 1%")
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanGoalStatus.choices, default=PlanGoalStatus.OPEN
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class PlanCheckIn(models.Model):
    """A scheduled check-in of a plan; its notes are written when it has taken place."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="check_ins")
    date = models.DateField(_("date"))
    notes = models.TextField(_("check-in notes"), blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("plan check-in")
        verbose_name_plural = _("plan check-ins")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "date"], name="performance_plancheckin_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.date.isoformat()}"
