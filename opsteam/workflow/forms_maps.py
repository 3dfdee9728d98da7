"""Forms of the process-map pages; cleaned data goes straight into a ``services_maps`` call.

Choice lists come from the map being edited: a step's activity from the activities of the
map's process, a transition's steps from the steps of the same version.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.core.filters import SELECT as FILTER_SELECT
from opsteam.core.filters import IdChoiceFilter, SearchFilterSet
from opsteam.org.forms import AREA, SELECT, TEXT
from opsteam.org.models import Activity, OrgUnit, Position, Process
from opsteam.workflow.choices import MapStatus
from opsteam.workflow.models import ProcessMap, Step, Transition

NUMBER = {"class": "form-control", "min": 0}


class _Labelled(forms.ModelChoiceField):
    """A choice of rows labelled "code · name"."""

    def label_from_instance(self, obj: Any) -> str:
        code = getattr(obj, "code", "")
        name = getattr(obj, "display_name", str(obj))
        return f"{code} · {name}" if code else name


class ProcessCreateForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("A short unique code, e.g. AFTER-SALES."),
    )
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=120, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    owner_unit = _Labelled(
        label=_("Owning unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Its managers maintain the process's map."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs=AREA)
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["owner_unit"].queryset = units


class MapNoteForm(forms.Form):
    change_note = forms.CharField(
        label=_("What changes in this version"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )


class StepForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("Letters, digits, - and _; unique in this version (e.g. review)."),
    )
    name = forms.CharField(label=_("Name"), max_length=160, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=160, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    activity = _Labelled(
        label=_("Activity (RACI)"),
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("The activity of the RACI matrix this step performs."),
    )
    position = _Labelled(
        label=_("Responsible position"),
        queryset=Position.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    target_minutes = forms.IntegerField(
        label=_("Target processing time (minutes)"),
        min_value=0,
        max_value=10_000_000,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=32767,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("Left to right on the flowchart; empty: after the last step."),
    )
    sop_url = forms.URLField(
        label=_("SOP link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs=TEXT),
    )
    sop = forms.CharField(
        label=_("SOP"),
        required=False,
        widget=forms.Textarea(attrs={**AREA, "rows": 8}),
        help_text=_("Plain text; blank lines separate paragraphs, lines starting with - a list."),
    )

    def __init__(self, *args: Any, process_map: ProcessMap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(
            process_id=process_map.process_id
        ).order_by("order", "code")
        self.fields["position"].queryset = Position.objects.order_by("code")


class TransitionForm(forms.Form):
    source = _Labelled(
        label=_("From step"), queryset=Step.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    target = _Labelled(
        label=_("To step"), queryset=Step.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    handoff_target_minutes = forms.IntegerField(
        label=_("Handoff target (minutes)"),
        min_value=0,
        max_value=10_000_000,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("How long the next step may take to pick the work up (交接时间)."),
    )
    label = forms.CharField(
        label=_("Label"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("E.g. “approved” or “sent back”."),
    )

    def __init__(self, *args: Any, process_map: ProcessMap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = Step.objects.filter(map=process_map).order_by("order", "code")
        self.fields["source"].queryset = steps
        self.fields["target"].queryset = steps


class ProcessFilterSet(SearchFilterSet):
    """Filters of the process list page: text, owning unit, whether a map is published."""

    search_fields = ("code", "name", "name_en")
    owner_unit = IdChoiceFilter(
        queryset=OrgUnit.objects.order_by("path"), label=_("Owning unit"), widget=FILTER_SELECT
    )
    published = django_filters.BooleanFilter(
        method="filter_published",
        label=_("Map published"),
        widget=forms.Select(
            attrs={"class": "form-select"},
            choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))],
        ),
    )

    class Meta:
        model = Process
        fields = ["q", "owner_unit", "published"]

    def filter_published(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(published_map_id__isnull=not value)


class ProcessMapFilterSet(django_filters.FilterSet):
    """Filters of the map API: one process's versions, or one status."""

    process = IdChoiceFilter(queryset=Process.objects.all(), label=_("Process"))
    status = django_filters.ChoiceFilter(choices=MapStatus.choices, label=_("Status"))

    class Meta:
        model = ProcessMap
        fields = ["process", "status"]


class StepFilterSet(django_filters.FilterSet):
    map = IdChoiceFilter(queryset=ProcessMap.objects.all(), label=_("Map version"))

    class Meta:
        model = Step
        fields = ["map"]


class TransitionFilterSet(django_filters.FilterSet):
    map = IdChoiceFilter(queryset=ProcessMap.objects.all(), label=_("Map version"))

    class Meta:
        model = Transition
        fields = ["map"]
