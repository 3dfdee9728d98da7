"""Meetings (会议): recurring team meetings, cross-department meetings and brainstorms, with
agenda, attendance, minutes, decisions, action items and the idea board.

A ``MeetingSeries`` is the recurrence (weekly, every N weeks, monthly on the n-th weekday) of
a regular meeting; its occurrences are ordinary ``Meeting`` rows generated ahead for a horizon
(``services_meetings.series_extend``), so each one has its own agenda, attendance and minutes.
One-off meetings have no series. A team meeting belongs to a unit (its managers see it);
cross-department meetings and brainstorms may have none and are seen by their participants.

Participants carry their attendance; agenda items are added by anyone invited and ordered by
the organiser; action items have an owner, a due date and a status, and follow their owner to
the home page and reminders. The idea board (brainstorms) holds ideas, the facilitator's
groups and one vote per person per idea, at most ``Meeting.votes_per_person`` in all.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.models import ScopedManager

__all__ = [
    "ActionItemStatus",
    "Attendance",
    "Decision",
    "Idea",
    "IdeaGroup",
    "IdeaVote",
    "Meeting",
    "MeetingActionItem",
    "MeetingAgendaItem",
    "MeetingKind",
    "MeetingParticipant",
    "MeetingSeries",
    "MeetingStatus",
    "Recurrence",
]


class MeetingKind(models.TextChoices):
    TEAM = "team", _("Team meeting")
    CROSS = "cross", _("Cross-department meeting")
    BRAINSTORM = "brainstorm", _("Brainstorm")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("meeting status", "Scheduled")
    HELD = "held", pgettext_lazy("meeting status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


class Recurrence(models.TextChoices):
    WEEKLY = "weekly", _("Every N weeks")
    MONTHLY = "monthly", _("Monthly on a weekday")


class Attendance(models.TextChoices):
    UNKNOWN = "", _("Not recorded")
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class ActionItemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("action item status", "In progress")
    DONE = "done", pgettext_lazy("action item status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("action item status", "Cancelled")


OPEN_ACTION_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)
USER = settings.AUTH_USER_MODEL


class MeetingSeries(models.Model):
    """A regular meeting's recurrence; occurrences are generated as ``Meeting`` rows."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=MeetingKind.choices, default=MeetingKind.TEAM
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("team or department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser = models.ForeignKey(
        USER, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    participants = models.ManyToManyField(
        USER, verbose_name=_("participants"), blank=True, related_name="+"
    )
    frequency = models.CharField(
        _("repeats"), max_length=10, choices=Recurrence.choices, default=Recurrence.WEEKLY
    )
    interval = models.PositiveSmallIntegerField(
        _("every"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Weeks between meetings (weekly) or months (monthly)."),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MaxValueValidator(6)], help_text=_("0 = Monday … 6 = Sunday")
    )
    week_of_month = models.SmallIntegerField(
        _("week of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-1), MaxValueValidator(4)],
        help_text=_("Monthly: 1 to 4 for the first to fourth weekday, -1 for the last."),
    )
    start_date = models.DateField(_("first meeting on or after"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(12 * 60)],
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(
        _("number of meetings"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collab:meeting_series_detail", args=[self.pk])


class Meeting(models.Model):
    """One meeting: a series' occurrence or a one-off."""

    series = models.ForeignKey(
        MeetingSeries,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=MeetingKind.choices, default=MeetingKind.TEAM
    )
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("team or department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser = models.ForeignKey(
        USER, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    location = models.CharField(_("location"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
    )
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Markdown."))
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)
    votes_per_person = models.PositiveSmallIntegerField(
        _("votes per person"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    sequence = models.PositiveIntegerField(_("invitation version"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "starts_at"], name="collab_meeting_occurrence_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collab:meeting_detail", args=[self.pk])

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class MeetingParticipant(models.Model):
    """One invited person and their attendance (recorded by the organiser)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default="", blank=True
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="collab_participant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.user}"


class MeetingAgendaItem(models.Model):
    """An agenda point anyone invited adds; the organiser orders them."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    title = models.CharField(_("title"), max_length=200)
    presenter = models.ForeignKey(
        USER,
        verbose_name=_("presenter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    minutes = models.PositiveSmallIntegerField(
        _("time (minutes)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    added_by = models.ForeignKey(
        USER, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting_id", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """A decision recorded in the minutes."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.CharField(_("decision"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.text


class IdeaGroup(models.Model):
    """A cluster of ideas on a brainstorm's board, named by the facilitator."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="idea_groups"
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("idea group")
        verbose_name_plural = _("idea groups")
        ordering = ["meeting_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Idea(models.Model):
    """A sticky note on the idea board."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="ideas"
    )
    text = models.CharField(_("idea"), max_length=500)
    author = models.ForeignKey(
        USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        IdeaGroup,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class IdeaVote(models.Model):
    """One person's vote for one idea."""

    idea = models.ForeignKey(
        Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="votes"
    )
    voter = models.ForeignKey(
        USER, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["idea", "voter"], name="collab_idea_vote_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.idea_id} · {self.voter_id}"


class MeetingActionItem(models.Model):
    """Something to do after a meeting: an owner, a due date and a status."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="action_items"
    )
    title = models.CharField(_("title"), max_length=300)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ActionItemStatus.choices,
        default=ActionItemStatus.OPEN,
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    idea = models.ForeignKey(
        Idea,
        verbose_name=_("from idea"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("meeting action item")
        verbose_name_plural = _("meeting action items")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"], name="collab_action_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collab:meeting_detail", args=[self.meeting_id]) + f"#action-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES
