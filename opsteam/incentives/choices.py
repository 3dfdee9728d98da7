"""Choices of the incentives app (bonus pools, the reward ledger, recognition)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PoolStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Sent back")
    EXPORTED = "exported", _("Exported to payroll")


class RewardKind(models.TextChoices):
    BONUS = "bonus", _("Bonus")
    TRAINING_PLACE = "training_place", _("Training place")
    CONFERENCE = "conference", _("Conference budget")
    PROMOTION_PRIORITY = "promotion_priority", _("Promotion priority")
    PROMOTION = "promotion", _("Promotion")
    POINTS = "points", _("Recognition points")
    OTHER = "other", _("Other reward")


class BadgeCriterion(models.TextChoices):
    MANUAL = "manual", _("Awarded by hand")
    PLAN_COMPLETED = "plan_completed", _("Completed a training plan")
    KPI_TOP_DECILE = "kpi_top_decile", _("Top decile on a KPI in a cycle")
    KUDOS_RECEIVED = "kudos_received", _("Received kudos")
