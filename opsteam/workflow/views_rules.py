"""Automation-rule pages: the list (per process and global), the structured create/edit form,
a rule with its paginated run log, enable/disable, run now (time rules), the dry run against
an item, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.tables import Column, Table
from opsteam.core.views import ObjectPostView, PolicyMixin, ScopedDetailView, ScopedListView
from opsteam.org.models import Process
from opsteam.workflow import automation, selectors_rules, services_rules
from opsteam.workflow.choices import TIME_TRIGGERS, RuleAction
from opsteam.workflow.forms_rules import (
    CONDITION_FIELD_LABELS,
    OP_LABELS,
    ActionFormSet,
    ConditionFormSet,
    DryRunForm,
    RuleFilterSet,
    RuleForm,
    action_rows,
    actions_from,
    attach_problems,
    condition_rows,
    conditions_from,
)
from opsteam.workflow.models import AutomationRule

RUNS_PER_PAGE = 20

RULE_TABLE = Table(
    columns=(
        Column("name", gettext_lazy("Rule"), order_by="name", link=True),
        Column(
            "process",
            gettext_lazy("Process"),
            accessor=lambda rule: rule.process.display_name if rule.process_id else _("All"),
            order_by="process__code",
        ),
        Column("trigger", gettext_lazy("When"), accessor="get_trigger_display", order_by="trigger"),
        Column("step_code", gettext_lazy("Step")),
        Column("enabled", gettext_lazy("Enabled"), order_by="enabled"),
        Column("run_count", gettext_lazy("Runs"), order_by="run_count"),
        Column("last_run_at", gettext_lazy("Last run"), order_by="last_run_at"),
    ),
    default_order="name",
)


def describe_condition(condition: dict[str, Any]) -> str:
    """A condition as a sentence fragment: "Priority is one of high, urgent"."""
    value = condition.get("value")
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    field = str(CONDITION_FIELD_LABELS.get(condition.get("field"), condition.get("field")))
    op = str(OP_LABELS.get(condition.get("op", "contains"), condition.get("op")))
    return f"{field} {op} “{text}”"


def describe_action(action: dict[str, Any]) -> str:
    """An action as the list of its settings: "Notify · to: assignee · message: …"."""
    labels = dict(RuleAction.choices)
    parts = [str(labels.get(action.get("type"), action.get("type")))]
    for key, value in action.items():
        if key == "type":
            continue
        shown = ", ".join(value) if isinstance(value, list) else value
        parts.append(f"{key}: {shown}")
    return " · ".join(parts)


class RuleListView(ScopedListView):
    """The rules the user may read; ``?process=<id>`` for one process, ``?scope=global``."""

    model = AutomationRule
    table = RULE_TABLE
    filterset_class = RuleFilterSet
    title = gettext_lazy("Automation rules")
    create_url = "workflow:rule_create"
    empty_hint = gettext_lazy(
        "Rules act on work items for you: alert when an item waits over its target, assign new"
        " tickets, escalate, create follow-ups. Every run is logged."
    )

    def base_queryset(self, action="view"):
        return selectors_rules.rule_list(user=self.request.user, action=action)


class RuleFormView(PolicyMixin, View):
    """Create (no pk) or edit a rule: the rule's fields, conditions and actions as rows."""

    template_name = "workflow/rule_form.html"

    def get_rule(self) -> AutomationRule | None:
        pk = self.kwargs.get("pk")
        if pk is None:
            policy.require(self.request.user, "add", AutomationRule)
            return None
        return policy.scoped_get(
            AutomationRule.objects.select_related("process"), self.request.user, "change", pk=pk
        )

    def forms(self, rule: AutomationRule | None, data: Any = None) -> tuple[Any, Any, Any]:
        user = self.request.user
        processes = selectors_rules.rule_processes(user=user)
        allow_global = services_rules.can_own_process(user, "add", None)
        if rule is None:
            process_id = self.request.GET.get("process", "")
            initial = {"enabled": True, "trigger": "item_created"}
            if process_id.isdigit():
                initial["process"] = int(process_id)
            conditions, actions = [], []
        else:
            initial = {
                "name": rule.name,
                "description": rule.description,
                "process": rule.process_id,
                "trigger": rule.trigger,
                "step_code": rule.step_code,
                "enabled": rule.enabled,
            }
            conditions, actions = condition_rows(rule.conditions), action_rows(rule.actions)
        form = RuleForm(data, initial=initial, processes=processes, allow_global=allow_global)
        return (
            form,
            ConditionFormSet(data, prefix="conditions", initial=conditions),
            ActionFormSet(data, prefix="actions", initial=actions),
        )

    def render_page(self, rule, form, condition_set, action_set, status: int = 200):
        process = None
        if rule is not None:
            process = rule.process
        elif form.is_bound and form.is_valid():
            process = form.cleaned_data.get("process")
        elif form.initial.get("process"):
            process = Process.objects.filter(pk=form.initial["process"]).first()
        context = {
            "title": _("Edit rule") if rule else _("New automation rule"),
            "rule": rule,
            "form": form,
            "condition_set": condition_set,
            "action_set": action_set,
            "step_codes": selectors_rules.step_codes(process=process),
            "targets": [*automation.NOTIFY_TARGETS, *automation.ASSIGN_TARGETS, "same"],
            "placeholders": ["{" + name + "}" for name in automation.PLACEHOLDERS],
            "cancel_url": rule.get_absolute_url() if rule else reverse("workflow:rule_list"),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk: int | None = None):
        rule = self.get_rule()
        return self.render_page(rule, *self.forms(rule))

    def post(self, request, pk: int | None = None):
        rule = self.get_rule()
        form, condition_set, action_set = self.forms(rule, request.POST)
        valid = form.is_valid() & condition_set.is_valid() & action_set.is_valid()
        if valid:
            conditions, condition_index = conditions_from(condition_set)
            actions, action_index = actions_from(action_set)
            data = form.cleaned_data
            fields = {
                "process": data["process"],
                "name": data["name"],
                "description": data["description"],
                "trigger": data["trigger"],
                "step_code": data["step_code"],
                "conditions": conditions,
                "actions": actions,
            }
            try:
                if rule is None:
                    rule = services_rules.rule_create(
                        actor=request.user, enabled=data["enabled"], **fields
                    )
                    messages.success(request, _("The rule is saved."))
                else:
                    changed = {k: v for k, v in fields.items() if getattr(rule, k) != v}
                    if rule.enabled != data["enabled"]:
                        changed["enabled"] = data["enabled"]
                    if changed:
                        services_rules.rule_update(actor=request.user, rule=rule, **changed)
                    messages.success(request, _("The rule is saved."))
                return redirect(rule.get_absolute_url())
            except (NotVisible, PolicyDenied):
                raise
            except automation.RuleInvalid as exc:
                attach_problems(
                    exc.problems,
                    form=form,
                    formsets={
                        "conditions": (condition_set, condition_index),
                        "actions": (action_set, action_index),
                    },
                )
            except OpsTeamError as exc:
                form.add_error(None, exc.message)
        return self.render_page(rule, form, condition_set, action_set, status=400)


class RuleDetailView(ScopedDetailView):
    """A rule in words, its controls and its run log (20 a page, newest first)."""

    model = AutomationRule
    template_name = "workflow/rule_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("process", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rule, user = self.object, self.request.user
        runs = Paginator(selectors_rules.rule_runs(user=user, rule=rule), RUNS_PER_PAGE)
        page = runs.get_page(self.request.GET.get("page"))
        context.update(
            title=rule.name,
            conditions=[describe_condition(c) for c in rule.conditions],
            actions=[describe_action(a) for a in rule.actions],
            runs=page,
            is_time_rule=rule.trigger in TIME_TRIGGERS,
            can_run=rule.trigger in TIME_TRIGGERS and policy.can(user, "run", rule),
            can_delete=policy.can(user, "delete", rule),
            dry_run_form=DryRunForm(),
            test_items=selectors_rules.dry_run_items(user=user, rule=rule),
        )
        return context


class RuleToggleView(ObjectPostView):
    """Enable a disabled rule, disable an enabled one."""

    model = AutomationRule
    permission = "change"

    def perform(self, obj, data):
        rule = services_rules.rule_set_enabled(
            actor=self.request.user, rule=obj, enabled=not obj.enabled
        )
        return _("The rule is enabled.") if rule.enabled else _("The rule is disabled.")


class RuleRunView(ObjectPostView):
    """Run a time rule now (items it already acted on this visit, day or week are skipped)."""

    model = AutomationRule
    permission = "run"

    def perform(self, obj, data):
        report = services_rules.rule_run_now(actor=self.request.user, rule=obj)
        return _(
            "Checked {evaluated} items: the conditions held for {matched} ({failed} failed)."
        ).format(evaluated=report.evaluated, matched=report.matched, failed=report.failed)


class RuleDeleteView(ObjectPostView):
    model = AutomationRule
    permission = "delete"

    def perform(self, obj, data):
        services_rules.rule_delete(actor=self.request.user, rule=obj)
        return _("The rule is deleted.")

    def redirect_url(self, obj: Any) -> str:
        return reverse("workflow:rule_list")


class RuleTestView(PolicyMixin, View):
    """Dry run: ``?item=<reference>`` shows what the rule would do to the item now, writing
    nothing."""

    template_name = "workflow/rule_test.html"

    def get(self, request, pk: int):
        rule = policy.scoped_get(
            AutomationRule.objects.select_related("process"), request.user, pk=pk
        )
        form = DryRunForm(request.GET or None)
        result, item, status = None, None, 200
        if form.is_valid():
            item = selectors_rules.item_for_test(
                user=request.user, rule=rule, reference=form.cleaned_data["item"]
            )
            if item is None:
                form.add_error("item", _("No work item with this reference that you can see."))
                status = 400
            else:
                result = services_rules.rule_dry_run(actor=request.user, rule=rule, item=item)
        elif form.is_bound:
            status = 400
        context = {
            "title": _("Test “{rule}”").format(rule=rule.name),
            "rule": rule,
            "form": form,
            "item": item,
            "result": result,
            "conditions": [describe_condition(c) for c in rule.conditions],
            "test_items": selectors_rules.dry_run_items(user=request.user, rule=rule),
        }
        return render(request, self.template_name, context, status=status)
