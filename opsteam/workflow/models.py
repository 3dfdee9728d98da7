"""Workflow (优化流程与工具): process maps, work items, the event log, improvement, automation.

A process of the foundation (``org.Process``, whose activities carry the RACI matrix) gets
versioned *maps*: steps with the responsible position, a target processing time and the SOP,
and transitions with a handoff target (交接时间). Work items move through a published map's
steps; every move writes a ``ProcessEvent`` (case, step, who, start, complete). Events imported
from ticketing, CRM or order systems land in the same log, so one engine
(``opsteam/workflow/bottlenecks.py``) analyses both. Improvement actions start from a
bottleneck and keep its evidence; automation rules act on work items and log every run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsteam.core.models import BilingualNameMixin, ScopedManager, TimeStampedModel
from opsteam.workflow.choices import (
    ActionStatus,
    ItemKind,
    ItemStatus,
    LinkKind,
    MapStatus,
    Priority,
    SourceKind,
    Trigger,
)


class ProcessMap(TimeStampedModel):
    """One version of a process's map (流程图); one published version at a time."""

    process = models.ForeignKey(
        "org.Process", verbose_name=_("process"), on_delete=models.CASCADE, related_name="maps"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=MapStatus.choices, default=MapStatus.DRAFT
    )
    change_note = models.CharField(_("change note"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("process map")
        verbose_name_plural = _("process maps")
        ordering = ["process__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["process", "version"], name="workflow_map_version"),
            models.UniqueConstraint(
                fields=["process"],
                condition=models.Q(status="published"),
                name="workflow_one_published_map",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.process} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("workflow:map_detail", args=[self.pk])


class Step(BilingualNameMixin, models.Model):
    """A step of a map: the foundation's activity, who is responsible, the target, the SOP."""

    map = models.ForeignKey(
        ProcessMap, verbose_name=_("map"), on_delete=models.CASCADE, related_name="steps"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=160)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    activity = models.ForeignKey(
        "org.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workflow_steps",
    )
    position = models.ForeignKey(
        "org.Position",
        verbose_name=_("responsible position"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workflow_steps",
    )
    target_minutes = models.PositiveIntegerField(
        _("target processing time (minutes)"), null=True, blank=True
    )
    sop = models.TextField(_("SOP"), blank=True, help_text=_("Markdown."))
    sop_url = models.URLField(_("SOP link"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Where the flowchart draws the step (null: laid out automatically).
    x = models.FloatField(_("x"), null=True, blank=True)
    y = models.FloatField(_("y"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["map", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["map", "code"], name="workflow_step_code"),
        ]

    def __str__(self) -> str:
        return self.display_name


class Transition(models.Model):
    """A handoff from one step to the next, with its target (交接时间)."""

    map = models.ForeignKey(
        ProcessMap, verbose_name=_("map"), on_delete=models.CASCADE, related_name="transitions"
    )
    source = models.ForeignKey(
        Step, verbose_name=_("from"), on_delete=models.CASCADE, related_name="outgoing"
    )
    target = models.ForeignKey(
        Step, verbose_name=_("to"), on_delete=models.CASCADE, related_name="incoming"
    )
    handoff_target_minutes = models.PositiveIntegerField(
        _("handoff target (minutes)"), null=True, blank=True
    )
    label = models.CharField(_("label"), max_length=120, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["map", "source__order", "target__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["map", "source", "target"], name="workflow_transition_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class WorkItem(TimeStampedModel):
    """A task, ticket or request moving through a process's steps."""

    process = models.ForeignKey(
        "org.Process",
        verbose_name=_("process"),
        on_delete=models.PROTECT,
        related_name="work_items",
    )
    step = models.ForeignKey(
        Step,
        verbose_name=_("step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_items",
    )
    reference = models.CharField(_("reference"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices, default="task")
    priority = models.CharField(
        _("priority"), max_length=20, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    assignee = models.ForeignKey(
        "org.Staff",
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_items",
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="work_items",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_work_items",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # When the item entered its current step (the open event's start).
    step_started_at = models.DateTimeField(_("in this step since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "reference"], name="workflow_item_reference"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="workflow_item_status_due"),
            models.Index(fields=["assignee", "status"], name="workflow_item_assignee"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("workflow:item_detail", args=[self.pk])


class WorkItemComment(models.Model):
    item = models.ForeignKey(
        WorkItem, verbose_name=_("work item"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return _("Comment on {item}").format(item=self.item.reference)


class WorkItemAttachment(models.Model):
    item = models.ForeignKey(
        WorkItem,
        verbose_name=_("work item"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="workflow/attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class WorkItemLink(models.Model):
    source = models.ForeignKey(
        WorkItem, verbose_name=_("from"), on_delete=models.CASCADE, related_name="links_out"
    )
    target = models.ForeignKey(
        WorkItem, verbose_name=_("to"), on_delete=models.CASCADE, related_name="links_in"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=LinkKind.choices, default=LinkKind.RELATES
    )
    url = models.URLField(_("external link"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="workflow_link"),
        ]

    def __str__(self) -> str:
        return f"{self.source.reference} → {self.target.reference}"


class EventSource(TimeStampedModel):
    """Where events come from, with the column mapping saved for the next import."""

    process = models.ForeignKey(
        "org.Process",
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="event_sources",
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    # {"case": "工单号", "step": "环节", "resource": "处理人", "start": "开始时间",
    #  "complete": "完成时间", "timestamp_format": "", "timezone": "Asia/Shanghai"}
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    last_import_at = models.DateTimeField(_("last import"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("event source")
        verbose_name_plural = _("event sources")
        ordering = ["process__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["process", "name"], name="workflow_source_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessEvent(models.Model):
    """One row of the event log: a case spent ``started_at``..``completed_at`` in a step."""

    process = models.ForeignKey(
        "org.Process", verbose_name=_("process"), on_delete=models.CASCADE, related_name="events"
    )
    source = models.ForeignKey(
        EventSource,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    case_id = models.CharField(_("case"), max_length=120)
    step_name = models.CharField(_("step"), max_length=160)
    step = models.ForeignKey(
        Step,
        verbose_name=_("mapped step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    resource = models.CharField(_("resource"), max_length=120, blank=True)
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="process_events",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"))
    work_item = models.ForeignKey(
        WorkItem,
        verbose_name=_("work item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("process event")
        verbose_name_plural = _("process events")
        ordering = ["process", "case_id", "started_at"]
        indexes = [
            models.Index(fields=["process", "completed_at"], name="workflow_event_time"),
            models.Index(fields=["process", "case_id"], name="workflow_event_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.step_name}"


class ImprovementAction(TimeStampedModel):
    """An improvement started from a bottleneck (PDCA), keeping the evidence it was based on."""

    # Either a process (from a bottleneck) or a system review (from one of its sections).
    process = models.ForeignKey(
        "org.Process",
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="improvement_actions",
    )
    review = models.ForeignKey(
        "insights.SystemReview",
        verbose_name=_("system review"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    # The review section the action was raised from ("fairness", "training", ...).
    section = models.CharField(_("section"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # "step:<name>" or "handoff:<source>→<target>", as the engine names its bottlenecks.
    bottleneck_key = models.CharField(_("bottleneck"), max_length=340, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    owner = models.ForeignKey(
        "org.Staff",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_actions",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLAN
    )
    # When the change took effect: the process review compares the windows either side.
    effective_date = models.DateField(_("change effective from"), null=True, blank=True)
    result_note = models.TextField(_("result"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workflow:action_detail", args=[self.pk])


class AutomationRule(TimeStampedModel):
    """When <trigger>, if <conditions on the item>, then <actions>: data, with a run log.

    ``conditions``: ``[{"field": "priority", "op": "eq", "value": "urgent"}, ...]`` (all must
    hold); ``actions``: ``[{"type": "notify", "to": "assignee"}, {"type": "move", "step":
    "review"}, ...]``. ``opsteam/workflow/automation.py`` validates and evaluates both.
    """

    process = models.ForeignKey(
        "org.Process",
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="automation_rules",
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    trigger = models.CharField(_("when"), max_length=30, choices=Trigger.choices)
    # For a step-specific trigger (moved into / waiting in this step), the step's code.
    step_code = models.SlugField(_("step"), max_length=40, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    enabled = models.BooleanField(_("enabled"), default=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")
        ordering = ["process__code", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workflow:rule_detail", args=[self.pk])


class RuleRun(models.Model):
    """One evaluation of a rule against one item (or one scheduled run): what it did."""

    rule = models.ForeignKey(
        AutomationRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="runs"
    )
    item = models.ForeignKey(
        WorkItem,
        verbose_name=_("work item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rule_runs",
    )
    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices)
    matched = models.BooleanField(_("conditions held"), default=False)
    outcome = models.JSONField(_("what it did"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("rule run")
        verbose_name_plural = _("rule runs")
        ordering = ["-ran_at"]
        indexes = [models.Index(fields=["rule", "-ran_at"], name="workflow_rulerun_recent")]

    def __str__(self) -> str:
        return f"{self.rule} · {self.ran_at:%Y-%m-%d %H:%M}"
