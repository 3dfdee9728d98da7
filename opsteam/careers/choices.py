"""Choices of the careers app (career ladders, development plans, promotion rounds)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class ActionKind(models.TextChoices):
    COURSE = "course", _("Course")
    MENTORING = "mentoring", _("Mentoring (带教)")
    ROTATION = "rotation", _("Job rotation (轮岗)")
    STRETCH = "stretch", _("Stretch assignment")
    CERTIFICATE = "certificate", _("Certificate")
    OTHER = "other", _("Other")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOMINATING = "nominating", _("Open for nominations")
    REVIEWING = "reviewing", _("Committee review")
    CLOSED = "closed", _("Closed")


class NominationKind(models.TextChoices):
    SELF = "self", _("Self-nomination")
    MANAGER = "manager", _("Nominated by the manager")
    HR = "hr", _("Nominated by HR")


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DEFERRED = "deferred", _("Deferred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve")
    DEFER = "defer", _("Defer")
    REJECT = "reject", _("Reject")
