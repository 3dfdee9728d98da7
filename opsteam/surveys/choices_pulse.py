"""Choices of pulse surveys."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PulseTheme(models.TextChoices):
    ENGAGEMENT = "engagement", _("Engagement")
    WORKLOAD = "workload", _("Workload")
    MANAGER = "manager", _("Manager")
    GROWTH = "growth", _("Growth")
    RECOGNITION = "recognition", _("Recognition")
    WELLBEING = "wellbeing", _("Wellbeing")
    TOOLS = "tools", _("Tools and processes")
    TEAM = "team", _("Team")


class PulseQuestionKind(models.TextChoices):
    AGREE = "agree", _("Agreement (1-5)")
    ENPS = "enps", _("eNPS (0-10)")
    TEXT = "text", _("Open text")


class PulseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class WaveStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TenureBand(models.TextChoices):
    UNDER_1 = "lt1", _("Under 1 year")
    ONE_TO_3 = "1to3", _("1-3 years")
    OVER_3 = "gt3", _("Over 3 years")
