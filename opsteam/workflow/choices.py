"""Choices of the workflow app: process maps, work items, event sources, automation rules."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MapStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ItemKind(models.TextChoices):
    TASK = "task", _("Task")
    TICKET = "ticket", _("Ticket")
    REQUEST = "request", _("Request")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.BLOCKED)


class LinkKind(models.TextChoices):
    RELATES = "relates", _("Relates to")
    BLOCKS = "blocks", _("Blocks")
    DUPLICATES = "duplicates", _("Duplicates")
    FOLLOWS_UP = "follows_up", _("Follows up")


class SourceKind(models.TextChoices):
    CSV = "csv", _("CSV file")
    XES = "xes", _("XES event log (IEEE 1849)")
    API = "api", _("API push")
    WORK_ITEMS = "work_items", _("Work items in OpsTeam")


class ActionStatus(models.TextChoices):
    PLAN = "plan", pgettext_lazy("PDCA", "Plan")
    DO = "do", pgettext_lazy("PDCA", "Do")
    CHECK = "check", pgettext_lazy("PDCA", "Check")
    ACT = "act", pgettext_lazy("PDCA", "Act")
    DONE = "done", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Trigger(models.TextChoices):
    ITEM_CREATED = "item_created", _("A work item is created")
    ITEM_MOVED = "item_moved", _("A work item moves to another step")
    STATUS_CHANGED = "status_changed", _("A work item's status changes")
    WAITING_OVER_TARGET = "waiting_over_target", _("A work item waits longer than its target")
    DUE_PASSED = "due_passed", _("A work item is past its due date")
    SCHEDULE_DAILY = "schedule_daily", _("Every day")
    SCHEDULE_WEEKLY = "schedule_weekly", _("Every Monday")


EVENT_TRIGGERS = (Trigger.ITEM_CREATED, Trigger.ITEM_MOVED, Trigger.STATUS_CHANGED)
TIME_TRIGGERS = (
    Trigger.WAITING_OVER_TARGET,
    Trigger.DUE_PASSED,
    Trigger.SCHEDULE_DAILY,
    Trigger.SCHEDULE_WEEKLY,
)


class RuleAction(models.TextChoices):
    ASSIGN = "assign", _("Assign to a person")
    MOVE = "move", _("Move to a step")
    SET_PRIORITY = "set_priority", _("Set the priority")
    NOTIFY = "notify", _("Notify")
    ESCALATE = "escalate", _("Escalate to the step's owner position")
    CREATE_FOLLOW_UP = "create_follow_up", _("Create a follow-up item")
