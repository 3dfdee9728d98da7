"""Forms and filters of the automation-rule pages.

A rule is edited as a structured form: the rule's fields, then its conditions and actions as
rows (one row per condition or action; blank rows are ignored). ``conditions_from`` and
``actions_from`` turn the rows into the JSON the services validate; the services' problems
come back on the row they concern (``attach_problems``). ``RuleFilterSet`` is shared by the
list page and the API.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.core.filters import SELECT, IdChoiceFilter, SearchFilterSet
from opsteam.org.forms import AREA, TEXT
from opsteam.org.forms import SELECT as SELECT_ATTRS
from opsteam.org.models import Process
from opsteam.workflow import automation
from opsteam.workflow.choices import Priority, RuleAction, Trigger
from opsteam.workflow.models import AutomationRule, RuleRun

CHECK = {"class": "form-check-input"}
SMALL_TEXT = {"class": "form-control form-control-sm"}
SMALL_SELECT = {"class": "form-select form-select-sm"}

CONDITION_FIELD_LABELS = {
    "priority": _("Priority"),
    "status": _("Status"),
    "kind": _("Kind"),
    "step": _("Step (code)"),
    "assignee": _("Assignee (employee number)"),
    "unit": _("Team (unit code)"),
    "due_in_days": _("Days until due (negative: overdue)"),
    "waiting_hours": _("Hours waiting in the step"),
    "title_contains": _("Title contains"),
}
OP_LABELS = {
    "eq": _("is"),
    "ne": _("is not"),
    "in": _("is one of (comma-separated)"),
    "gt": _("is more than"),
    "lt": _("is less than"),
    "contains": _("contains"),
}
NUMERIC_FIELDS = ("due_in_days", "waiting_hours")
ROW_EXTRA = 2


class RuleForm(forms.Form):
    """The rule itself: name, scope (a process or every process), when it runs."""

    name = forms.CharField(label=_("Name"), max_length=160, widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs=AREA)
    )
    process = forms.ModelChoiceField(
        label=_("Process"),
        queryset=Process.objects.none(),
        required=False,
        empty_label=_("Every process (global rule)"),
        widget=forms.Select(attrs=SELECT_ATTRS),
        help_text=_("A global rule applies to the work items of every process."),
    )
    trigger = forms.ChoiceField(
        label=_("When"), choices=Trigger.choices, widget=forms.Select(attrs=SELECT_ATTRS)
    )
    step_code = forms.SlugField(
        label=_("Only in step (code)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "list": "rule-step-codes"}),
        help_text=_("Leave empty for items in any step."),
    )
    enabled = forms.BooleanField(
        label=_("Enabled"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )

    def __init__(self, *args: Any, processes: Any = None, allow_global: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["process"]
        if processes is not None:
            field.queryset = processes
        if not allow_global:
            field.required = True
            field.empty_label = None


class ConditionRowForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Field"),
        required=False,
        choices=[("", "—"), *CONDITION_FIELD_LABELS.items()],
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    op = forms.ChoiceField(
        label=_("Comparison"),
        required=False,
        choices=[("", "—"), *OP_LABELS.items()],
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    value = forms.CharField(
        label=_("Value"), required=False, max_length=500, widget=forms.TextInput(attrs=SMALL_TEXT)
    )


class ActionRowForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", "—"), *RuleAction.choices],
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    to = forms.CharField(
        label=_("To"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={**SMALL_TEXT, "list": "rule-targets"}),
    )
    step = forms.CharField(
        label=_("Step"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={**SMALL_TEXT, "list": "rule-step-codes"}),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", "—"), *Priority.choices],
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    title = forms.CharField(
        label=_("Follow-up title"),
        required=False,
        max_length=automation.MAX_TITLE,
        widget=forms.TextInput(attrs=SMALL_TEXT),
    )
    assignee = forms.CharField(
        label=_("Follow-up assignee"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs=SMALL_TEXT),
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=automation.MAX_MESSAGE,
        widget=forms.Textarea(attrs={**SMALL_TEXT, "rows": 2}),
    )


class RowFormSet(forms.BaseFormSet):
    """Every row is cleaned, even one equal to its initial values (a saved rule's rows are
    sent back unchanged); rows whose first field is empty are then ignored."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False
        return form


ConditionFormSet = forms.formset_factory(
    ConditionRowForm, formset=RowFormSet, extra=ROW_EXTRA, max_num=automation.MAX_CONDITIONS
)
ActionFormSet = forms.formset_factory(
    ActionRowForm, formset=RowFormSet, extra=ROW_EXTRA, max_num=automation.MAX_ACTIONS
)


def _number(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text  # validation names the row: "must be a number"
    return int(number) if number.is_integer() else number


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def conditions_from(formset: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """The conditions the filled rows say, and each one's row number in the formset."""
    conditions, rows = [], []
    for row, form in enumerate(formset.forms):
        data = form.cleaned_data if form.is_valid() else {}
        field = data.get("field")
        if not field:
            continue
        op = data.get("op") or ("contains" if field == "title_contains" else "eq")
        text = (data.get("value") or "").strip()
        if op == "in":
            values = _split(text)
            value: Any = [_number(v) for v in values] if field in NUMERIC_FIELDS else values
        else:
            value = _number(text) if field in NUMERIC_FIELDS else text
        conditions.append({"field": field, "op": op, "value": value})
        rows.append(row)
    return conditions, rows


def actions_from(formset: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """The actions the filled rows say (only the settings of each type), with row numbers."""
    actions, rows = [], []
    for row, form in enumerate(formset.forms):
        data = form.cleaned_data if form.is_valid() else {}
        kind = data.get("type")
        if not kind:
            continue
        allowed, _required = automation.ACTION_KEYS[kind]
        action: dict[str, Any] = {"type": kind}
        for key in allowed:
            value = (data.get(key) or "").strip()
            if not value:
                continue
            if key == "to" and kind == RuleAction.NOTIFY:
                targets = _split(value)
                action[key] = targets[0] if len(targets) == 1 else targets
            else:
                action[key] = value
        actions.append(action)
        rows.append(row)
    return actions, rows


def condition_rows(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Initial rows for the conditions of a saved rule."""
    rows = []
    for condition in conditions:
        value = condition.get("value", "")
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        rows.append(
            {"field": condition.get("field", ""), "op": condition.get("op", ""), "value": text}
        )
    return rows


def action_rows(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Initial rows for the actions of a saved rule."""
    rows = []
    for action in actions:
        row = {key: value for key, value in action.items() if key != "to"}
        to = action.get("to", "")
        row["to"] = ", ".join(to) if isinstance(to, list) else to
        rows.append(row)
    return rows


ROW_KEYS = {
    "conditions": {"field", "op", "value"},
    "actions": {"type", "to", "step", "priority", "title", "assignee", "message"},
}


def attach_problems(
    problems: list[automation.Problem],
    *,
    form: forms.Form,
    formsets: dict[str, tuple[Any, list[int]]],
) -> None:
    """Put each problem on the row (and field) it concerns, or on the rule's form."""
    for problem in problems:
        if problem.part in formsets and problem.index is not None:
            formset, rows = formsets[problem.part]
            row_form = formset.forms[rows[problem.index]]
            key = problem.key if problem.key in ROW_KEYS[problem.part] else None
            row_form.add_error(key, problem.message)
        elif problem.part in form.fields:
            form.add_error(problem.part, problem.message)
        else:
            form.add_error(None, str(problem))


class DryRunForm(forms.Form):
    item = forms.CharField(
        label=_("Work item (reference)"),
        max_length=60,
        widget=forms.TextInput(attrs={**TEXT, "list": "rule-test-items"}),
    )


class RuleFilterSet(SearchFilterSet):
    search_fields = ("name", "description")
    process = IdChoiceFilter(queryset=Process.objects.all(), label=_("Process"), widget=SELECT)
    scope = django_filters.ChoiceFilter(
        label=_("Scope"),
        choices=[("global", _("Global rules")), ("process", _("Rules of a process"))],
        method="filter_scope",
        widget=SELECT,
    )
    trigger = django_filters.ChoiceFilter(choices=Trigger.choices, label=_("When"), widget=SELECT)
    enabled = django_filters.BooleanFilter(label=_("Enabled"))

    class Meta:
        model = AutomationRule
        fields = ["q", "process", "scope", "trigger", "enabled"]

    def filter_scope(self, queryset, name, value):
        if value == "global":
            return queryset.filter(process__isnull=True)
        if value == "process":
            return queryset.filter(process__isnull=False)
        return queryset


class RuleRunFilterSet(django_filters.FilterSet):
    rule = IdChoiceFilter(queryset=AutomationRule.objects.all(), label=_("Rule"), widget=SELECT)
    matched = django_filters.BooleanFilter(label=_("Conditions held"))
    failed = django_filters.BooleanFilter(label=_("Failed"), method="filter_failed")

    class Meta:
        model = RuleRun
        fields = ["rule", "matched", "failed"]

    def filter_failed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(error="") if value else queryset.filter(error="")
