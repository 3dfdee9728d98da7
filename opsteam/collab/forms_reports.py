"""Forms and the search filter of work reports and wellbeing check-ins (pages and API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.collab.models_reports import ReportKind, ReportStatus, ReportTemplate, WorkReport
from opsteam.core.filters import DATE_INPUT, SELECT, IdChoiceFilter, SearchFilterSet
from opsteam.org.models import OrgUnit, Staff

TEXTAREA = {"class": "form-control", "rows": 4}
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class ReportFilterSet(SearchFilterSet):
    """Search across the reports in scope: text, person, team, kind, dates, blockers."""

    search_fields = ("search_text", "staff__name", "staff__name_en", "staff__employee_no")
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, label=_("Kind"), widget=SELECT)
    status = django_filters.ChoiceFilter(
        choices=ReportStatus.choices, label=_("Status"), widget=SELECT
    )
    staff = IdChoiceFilter(
        queryset=Staff.objects.all(), label=_("Staff member"), widget=forms.HiddenInput
    )
    unit = IdChoiceFilter(
        queryset=OrgUnit.objects.all(),
        label=_("Team"),
        method="in_unit",
        widget=forms.HiddenInput,
    )
    date_from = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte", label=_("From"), widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte", label=_("Until"), widget=DATE_INPUT
    )
    blockers = django_filters.BooleanFilter(field_name="has_blockers", label=_("With blockers"))
    unread = django_filters.BooleanFilter(method="only_unread", label=_("Unread"))
    mine = django_filters.BooleanFilter(method="only_mine", label=_("Mine"))

    class Meta:
        model = WorkReport
        fields = ["kind", "status", "staff", "unit", "date_from", "date_to", "blockers"]

    def in_unit(self, queryset, name, value):
        return queryset.filter(staff__unit__path__startswith=value.path) if value else queryset

    def only_unread(self, queryset, name, value):
        if value:
            return queryset.filter(status=ReportStatus.SUBMITTED, read_at__isnull=True)
        return queryset

    def only_mine(self, queryset, name, value):
        request = getattr(self, "request", None)
        if value and request is not None:
            return queryset.filter(staff__user=request.user)
        return queryset


def report_form_class(template: ReportTemplate) -> type[forms.Form]:
    """A form with one text area per section and one number per key number of ``template``."""
    fields: dict[str, forms.Field] = {}
    for row in template.sections:
        fields[f"section_{row['key']}"] = forms.CharField(
            label=row["label"],
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={**TEXTAREA, "data-section": row["key"]}),
            help_text=_("Markdown: lists, **bold**, links.") if row["key"] == "done" else "",
        )
    for row in template.metrics:
        label = f"{row['label']} ({row['unit']})" if row.get("unit") else row["label"]
        fields[f"metric_{row['key']}"] = forms.DecimalField(
            label=label,
            required=False,
            max_digits=18,
            decimal_places=4,
            widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
        )
    return type("ReportForm", (forms.Form,), fields)


def report_content(form: forms.Form, template: ReportTemplate) -> tuple[dict, dict]:
    data = form.cleaned_data
    sections = {row["key"]: data.get(f"section_{row['key']}") or "" for row in template.sections}
    metrics = {
        row["key"]: data.get(f"metric_{row['key']}")
        for row in template.metrics
        if data.get(f"metric_{row['key']}") is not None
    }
    return sections, metrics


def _lines(text: str) -> list[list[str]]:
    return [
        [part.strip() for part in line.split("|")] for line in text.splitlines() if line.strip()
    ]


class ReportTemplateForm(forms.Form):
    """A team's template. Sections one per line: ``key | label | required``; key numbers one
    per line: ``key | label | unit | KPI code``."""

    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label=_("Team"),
        empty_label=_("Company default"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        choices=ReportKind.choices,
        label=_("Kind"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    name = forms.CharField(
        max_length=120, label=_("Name"), widget=forms.TextInput(attrs={"class": "form-control"})
    )
    sections = forms.CharField(
        label=_("Sections"),
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 5}),
        help_text=_("One per line: key | label | required. Keys: lower-case letters, digits, _."),
    )
    metrics = forms.CharField(
        label=_("Key numbers"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 4}),
        help_text=_("One per line: key | label | unit | KPI code (optional)."),
    )
    due_time = forms.TimeField(
        label=_("Due time"),
        initial=dt.time(18),
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
    )
    due_weekday = forms.TypedChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        initial=4,
        label=_("Due on (weekly reports)"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, units: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
        if editing:
            for name in ("unit", "kind"):
                self.fields[name].disabled = True
                self.fields[name].required = False

    def clean_sections(self) -> list[dict[str, Any]]:
        return [
            {
                "key": parts[0],
                "label": parts[1] if len(parts) > 1 else "",
                "required": len(parts) > 2 and parts[2].lower() in {"required", "必填", "yes", "1"},
            }
            for parts in _lines(self.cleaned_data["sections"])
        ]

    def clean_metrics(self) -> list[dict[str, Any]]:
        return [
            {
                "key": parts[0],
                "label": parts[1] if len(parts) > 1 else "",
                "unit": parts[2] if len(parts) > 2 else "",
                "kpi": parts[3] if len(parts) > 3 else "",
            }
            for parts in _lines(self.cleaned_data.get("metrics") or "")
        ]


def template_initial(template: ReportTemplate) -> dict[str, Any]:
    return {
        "unit": template.unit_id,
        "kind": template.kind,
        "name": template.name,
        "sections": "\n".join(
            " | ".join([row["key"], row["label"]] + (["required"] if row.get("required") else []))
            for row in template.sections
        ),
        "metrics": "\n".join(
            " | ".join([row["key"], row["label"], row.get("unit", ""), row.get("kpi", "")]).rstrip(
                " |"
            )
            for row in template.metrics
        ),
        "due_time": template.due_time,
        "due_weekday": template.due_weekday,
    }


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


SCALE = [(n, str(n)) for n in range(1, 6)]


class CheckInForm(forms.Form):
    mood = forms.TypedChoiceField(
        label=_("How do you feel about work this week?"),
        choices=[
            (1, _("1 · Very low")),
            (2, _("2 · Low")),
            (3, _("3 · OK")),
            (4, _("4 · Good")),
            (5, _("5 · Great")),
        ],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    workload = forms.TypedChoiceField(
        label=_("Your workload"),
        choices=[
            (1, _("1 · Too light")),
            (2, _("2 · Light")),
            (3, _("3 · About right")),
            (4, _("4 · Heavy")),
            (5, _("5 · Too heavy")),
        ],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    blockers = forms.CharField(
        label=_("Anything in your way?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    wants_to_talk = forms.BooleanField(
        label=_("I'd like to talk with my manager"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
