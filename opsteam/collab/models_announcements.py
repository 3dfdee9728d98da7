"""Announcements (公告): targeted messages with read receipts and required acknowledgement.

An ``Announcement`` is addressed to everyone, or to org units (with their sub-units) and/or
positions: units say *where*, positions say *who*; with both, the people of those units who
hold one of those positions. Publishing resolves that audience once, set-based, into one
``AnnouncementReceipt`` per person (so later moves between teams do not change who was asked,
and statistics read one indexed table). ``unit`` is the announcement's scope (the deepest unit
containing its whole audience, empty for organisation-wide ones): the managers of that subtree
manage it and read its statistics, as do HR, administrators and the author.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.models import ScopedManager

__all__ = [
    "Announcement",
    "AnnouncementImportance",
    "AnnouncementReceipt",
    "AnnouncementStatus",
]


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("announcement status", "Draft")
    SCHEDULED = "scheduled", pgettext_lazy("announcement status", "Scheduled")
    PUBLISHED = "published", pgettext_lazy("announcement status", "Published")
    ARCHIVED = "archived", pgettext_lazy("announcement status", "Archived")


class AnnouncementImportance(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("announcement importance", "Normal")
    IMPORTANT = "important", pgettext_lazy("announcement importance", "Important")


class Announcement(models.Model):
    """One announcement, from draft to published (now or at ``publish_at``) to archived."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown: **bold**, lists, links."))
    importance = models.CharField(
        _("importance"),
        max_length=10,
        choices=AnnouncementImportance.choices,
        default=AnnouncementImportance.NORMAL,
    )
    requires_acknowledgement = models.BooleanField(
        _("requires acknowledgement"),
        default=False,
        help_text=_("Each reader confirms “I have read and understood”."),
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    everyone = models.BooleanField(_("everyone"), default=False)
    units = models.ManyToManyField(
        "org.OrgUnit",
        verbose_name=_("departments and teams"),
        blank=True,
        related_name="+",
        help_text=_("Including their sub-teams."),
    )
    positions = models.ManyToManyField(
        "org.Position", verbose_name=_("positions"), blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("scope"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AnnouncementStatus.choices,
        default=AnnouncementStatus.DRAFT,
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    content_updated_at = models.DateTimeField(_("updated after publication"), null=True, blank=True)
    audience_size = models.PositiveIntegerField(_("audience"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-pinned", "-published_at", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="collab_announcement_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collab:announcement_detail", args=[self.pk])

    @property
    def is_important(self) -> bool:
        return self.importance == AnnouncementImportance.IMPORTANT

    @property
    def is_live(self) -> bool:
        return self.status == AnnouncementStatus.PUBLISHED and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class AnnouncementReceipt(models.Model):
    """One person's copy of a published announcement: when they read and acknowledged it.

    ``unit`` is the person's team when it was published (the per-team statistics and the
    managers' scope read it without joining staff).
    """

    announcement = models.ForeignKey(
        Announcement,
        verbose_name=_("announcement"),
        on_delete=models.CASCADE,
        related_name="receipts",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="announcement_receipts",
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        ordering = ["announcement", "id"]
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="collab_receipt_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "acknowledged_at"], name="collab_receipt_person"),
            models.Index(fields=["announcement", "unit"], name="collab_receipt_team"),
        ]

    def __str__(self) -> str:
        return f"{self.announcement} · {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("collab:announcement_detail", args=[self.announcement_id])
