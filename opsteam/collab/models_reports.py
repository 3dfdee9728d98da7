"""Work reports (日报/周报) from team templates with the manager's comments, and wellbeing
check-ins (关注工作状态和心理健康).

A ``ReportTemplate`` belongs to a team (or, without a unit, is the company default) and a kind
(daily or weekly): its text sections (done, planned, blockers, free sections), its key numbers
(named numeric fields with a unit, optionally pointing at a KPI code) and its due time. A
``WorkReport`` is one person's report for one period (the day, or the Monday of the week):
draft, then submitted (late when after the due time). Reports are private to the management
line: the author, the managers of the author's subtree, HR and administrators, auditors read;
peers never see each other's reports (no team-level sharing in this version, by decision).

A ``WellbeingCheckIn`` is one person's weekly check-in (mood, workload, blockers, "I'd like
to talk"). It is shared with the person's direct manager of the moment it was written
(``manager``) and no one else: not HR, administrators, auditors or skip-level managers. Teams
are only ever shown as aggregates at or above the anonymity threshold.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsteam.core.models import ScopedManager

__all__ = [
    "ReportComment",
    "ReportKind",
    "ReportStatus",
    "ReportTemplate",
    "WellbeingCheckIn",
    "WorkReport",
]


class ReportKind(models.TextChoices):
    DAILY = "daily", _("Daily report")
    WEEKLY = "weekly", _("Weekly report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


def default_sections() -> list[dict]:
    return [
        {"key": "done", "label": "今日完成 / Done", "required": True},
        {"key": "planned", "label": "明日计划 / Planned", "required": True},
        {"key": "blockers", "label": "遇到的问题 / Blockers", "required": False},
    ]


class ReportTemplate(models.Model):
    """What a team's daily or weekly report asks for, and when it is due.

    ``sections``: ``[{"key", "label", "required"}]``; ``metrics``: ``[{"key", "label",
    "unit", "kpi"}]`` (``kpi`` an optional KPI code). A template without a unit is the company
    default, used by teams that have none of their own.
    """

    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_templates",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    name = models.CharField(_("name"), max_length=120)
    sections = models.JSONField(_("sections"), default=default_sections)
    metrics = models.JSONField(_("key numbers"), default=list, blank=True)
    due_time = models.TimeField(_("due time"), default=dt.time(18))
    # Monday = 0; weekly reports only (daily reports are due every working day).
    due_weekday = models.PositiveSmallIntegerField(
        _("due weekday"), default=4, validators=[MaxValueValidator(6)]
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["kind", "unit__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind"], name="collab_reporttemplate_unique_per_team"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(unit__isnull=True),
                name="collab_reporttemplate_unique_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("collab:reporttemplate_edit", args=[self.pk])


class WorkReport(models.Model):
    """One person's daily or weekly report for one period (``period_start``: the day, or the
    Monday of the week). ``sections`` maps section keys to markdown text, ``metrics`` key
    numbers; ``search_text`` and ``has_blockers`` are kept by the services for search and
    the digest."""

    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="work_reports",
    )
    template = models.ForeignKey(
        ReportTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("period"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    sections = models.JSONField(_("sections"), default=dict, blank=True)
    metrics = models.JSONField(_("key numbers"), default=dict, blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    has_blockers = models.BooleanField(_("has blockers"), default=False)
    due_at = models.DateTimeField(_("due"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "kind", "period_start"], name="collab_workreport_one_per_period"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "period_start"], name="collab_workreport_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("collab:report_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        if self.kind == ReportKind.WEEKLY:
            year, week, _day = self.period_start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.period_start.isoformat()


class ReportComment(models.Model):
    """A short comment on a report (the manager's, or the author's reply); ``parent`` threads
    a reply under the comment it answers."""

    report = models.ForeignKey(
        WorkReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("report comment")
        verbose_name_plural = _("report comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class WellbeingCheckIn(models.Model):
    """One person's weekly check-in; seen by that person and ``manager`` (their direct
    manager when it was written) only."""

    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="wellbeing_checkins",
    )
    manager = models.ForeignKey(
        "org.Staff",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+"
    )
    week_start = models.DateField(_("week"))
    mood = models.PositiveSmallIntegerField(
        _("mood"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    workload = models.PositiveSmallIntegerField(
        _("workload"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    blockers = models.TextField(_("blockers"), blank=True, max_length=2000)
    wants_to_talk = models.BooleanField(_("I'd like to talk"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("wellbeing check-in")
        verbose_name_plural = _("wellbeing check-ins")
        ordering = ["-week_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "week_start"], name="collab_wellbeingcheckin_one_per_week"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "week_start"], name="collab_checkin_unit_week"),
        ]

    def __str__(self) -> str:
        return f"{self.week_start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("collab:wellbeing_person", args=[self.staff_id])
