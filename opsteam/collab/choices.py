"""Choices of the collaboration app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailFrequency(models.TextChoices):
    """How a person wants e-mail for one kind of notification."""

    OFF = "off", _("No e-mail")
    IMMEDIATE = "immediate", _("Right away")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


class ImProvider(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu / Lark bot")
    WECOM = "wecom", _("WeCom group robot")
    SLACK = "slack", _("Slack incoming webhook")


class DeliveryMedium(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IM = "im", _("IM channel")


class DeliveryStatus(models.TextChoices):
    """Where one delivery stands. ``digest`` waits for the person's digest e-mail."""

    PENDING = "pending", _("Waiting")
    DIGEST = "digest", _("In the next digest")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Retrying")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
