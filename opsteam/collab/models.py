"""Collaboration (协作): the in-app notification inbox every module writes to.

The inbox is the record of every notification; each person's preferences add e-mail (now or
in a digest) and their team's IM channel, both delivered by Celery with retries and logged as
``Delivery`` rows.

A ``Notification`` is one message to one user: what happened (``kind``, a slug such as
``workflow.rule`` that preferences and digests will key on), a title, an optional body and
link, who caused it. ``read_at`` is empty until the recipient reads it; the header badge counts
the unread ones through the (recipient, read_at) index.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsteam.collab.choices import DeliveryMedium, DeliveryStatus, EmailFrequency, ImProvider
from opsteam.core.fields import EncryptedCharField
from opsteam.core.models import ScopedManager


class Notification(models.Model):
    """One in-app message to one user."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.SlugField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="collab_notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """One person's choice for one kind of notification (no row: the kind's default).

    The inbox always receives every notification (it is the record); e-mail and the team's IM
    channel are the optional extras chosen here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.SlugField(_("kind"), max_length=60)
    email = models.CharField(
        _("e-mail"), max_length=12, choices=EmailFrequency.choices, default=EmailFrequency.OFF
    )
    im = models.BooleanField(_("team IM channel"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="collab_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"


class NotificationSettings(models.Model):
    """A person's quiet hours (in their own time zone) and digest hour."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"),
        default=9,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
        help_text=_("Digests are sent at this hour of your day (weekly ones on Mondays)."),
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class ImChannel(models.Model):
    """A team's (or the company's) IM group robot: where notifications of chosen kinds go.

    A notification reaches the channel when one of its recipients works in ``unit`` (or below
    it, with ``include_subunits``) and its kind is listed (no kinds: every kind). The webhook
    address carries the robot's token, so it is stored encrypted like the signing secret.
    """

    name = models.CharField(_("name"), max_length=120)
    provider = models.CharField(_("provider"), max_length=12, choices=ImProvider.choices)
    webhook_url = EncryptedCharField(_("webhook address"), max_length=500)
    secret = EncryptedCharField(
        _("signing secret"),
        max_length=200,
        help_text=_("DingTalk and Feishu robots with signature verification: the robot's secret."),
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("team or department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="im_channels",
        help_text=_("Empty: the whole company."),
    )
    include_subunits = models.BooleanField(_("include sub-teams"), default=True)
    kinds = models.JSONField(_("kinds of notification"), default=list, blank=True)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("IM channel")
        verbose_name_plural = _("IM channels")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("collab:channel_detail", args=[self.pk])


class Delivery(models.Model):
    """One e-mail to one person or one message to one IM channel: the delivery log.

    E-mail deliveries belong to one notification; an IM delivery carries one notify() call to a
    channel once, however many of its recipients the channel covers (``mentions`` lists them).
    """

    medium = models.CharField(_("medium"), max_length=8, choices=DeliveryMedium.choices)
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.ForeignKey(
        ImChannel,
        verbose_name=_("IM channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    kind = models.SlugField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    mentions = models.JSONField(_("mentions"), default=list, blank=True)
    frequency = models.CharField(
        _("frequency"),
        max_length=12,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATE,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="collab_delivery_due"),
            models.Index(fields=["recipient", "status"], name="collab_delivery_person"),
        ]

    def __str__(self) -> str:
        return self.title


class SentReminder(models.Model):
    """A reminder already raised (``key`` names what and when), so a scan never repeats it."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self) -> str:
        return self.key


# The other collaboration areas keep their models in their own modules (one migration each).
from opsteam.collab.models_announcements import *  # noqa: E402,F403
from opsteam.collab.models_knowledge import *  # noqa: E402,F403
from opsteam.collab.models_meetings import *  # noqa: E402,F403
from opsteam.collab.models_reports import *  # noqa: E402,F403
from opsteam.collab.models_suggestions import *  # noqa: E402,F403
