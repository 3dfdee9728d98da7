"""The suggestion box (建议箱): open or anonymous suggestions, votes, comments and the status workflow.

Anonymity is a data rule here: an anonymous suggestion or comment stores no author, no user id,
no hash of the user and no address, and its creation time is kept to the day only (see
``services_suggestions``), so nothing in the database, the audit trail or an export leads back
to the person. The submitter keeps a private follow link: a random token shown once, of which
only a SHA-256 hash is stored.

Everyone reads every suggestion and its whole history (the workflow is public); HR and
administrators handle any suggestion, managers the ones addressed to their subtree.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsteam.core.models import ScopedManager

__all__ = [
    "OPEN_STATUSES",
    "TRANSITIONS",
    "Suggestion",
    "SuggestionCategory",
    "SuggestionComment",
    "SuggestionEvent",
    "SuggestionFollower",
    "SuggestionStatus",
    "SuggestionVote",
]


class SuggestionCategory(models.TextChoices):
    PROCESS = "process", _("Process")
    TOOLS = "tools", _("Tools")
    WORKPLACE = "workplace", _("Workplace")
    TRAINING = "training", _("Training")
    CUSTOMER = "customer", _("Customer experience")
    OTHER = "other", _("Other")


class SuggestionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    IMPLEMENTED = "implemented", _("Implemented")
    DECLINED = "declined", _("Declined")


S = SuggestionStatus
# The workflow: where each status may go next. Declining is possible until work starts.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.RECEIVED: (S.UNDER_REVIEW, S.DECLINED),
    S.UNDER_REVIEW: (S.ACCEPTED, S.DECLINED),
    S.ACCEPTED: (S.IN_PROGRESS, S.IMPLEMENTED, S.DECLINED),
    S.IN_PROGRESS: (S.IMPLEMENTED,),
    S.IMPLEMENTED: (),
    S.DECLINED: (),
}
# Waiting for an answer from the handlers.
WAITING_STATUSES = (S.RECEIVED, S.UNDER_REVIEW)
# Accepted and not yet done: these have an owner and a due date.
OPEN_STATUSES = (S.ACCEPTED, S.IN_PROGRESS)


class Suggestion(models.Model):
    """One suggestion: what, for which unit, and where it stands in the workflow.

    ``author`` is empty for anonymous suggestions, always (a database constraint keeps the two
    consistent); ``follow_token_hash`` is the hash of the anonymous submitter's private link.
    ``vote_count`` and ``comment_count`` are kept by the services so that lists sort and show
    them without counting per row.
    """

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), max_length=20000)
    category = models.CharField(
        _("category"), max_length=20, choices=SuggestionCategory.choices, db_index=True
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    follow_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.RECEIVED,
        db_index=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_suggestions",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, max_length=2000)
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    implemented_at = models.DateTimeField(_("implemented"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_anonymous=False) | models.Q(author__isnull=True),
                name="collab_suggestion_anonymous_has_no_author",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collab:suggestion_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        """Accepted or in progress past its due date."""
        return (
            self.status in OPEN_STATUSES
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())

    def days_waiting(self, today: dt.date | None = None) -> int:
        today = today or timezone.localdate()
        return (today - timezone.localdate(self.created_at)).days


class SuggestionVote(models.Model):
    """One person's vote for a suggestion (one each; toggled). Never listed by voter."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestion_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("suggestion vote")
        verbose_name_plural = _("suggestion votes")
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "user"], name="collab_suggestionvote_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return str(self.suggestion_id)


class SuggestionFollower(models.Model):
    """Someone who asked to hear about a suggestion's status changes and replies."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_suggestions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("suggestion follower")
        verbose_name_plural = _("suggestion followers")
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "user"], name="collab_suggestionfollower_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.suggestion_id)


class SuggestionComment(models.Model):
    """A comment, named or anonymous; ``by_submitter`` marks the anonymous submitter's replies
    through the private link (shown as "the submitter", never as a person)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestion_comments",
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    by_submitter = models.BooleanField(_("by the submitter"), default=False)
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("suggestion comment")
        verbose_name_plural = _("suggestion comments")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_anonymous=False) | models.Q(author__isnull=True),
                name="collab_suggestioncomment_anonymous_has_no_author",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class SuggestionEvent(models.Model):
    """One step of a suggestion's public history: who moved it from which status to which,
    when, and why. The anonymous submission's own event has no actor and a day-only time."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=SuggestionStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=SuggestionStatus.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("suggestion event")
        verbose_name_plural = _("suggestion events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
