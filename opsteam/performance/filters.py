"""FilterSets shared by the KPI list pages and the performance API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.core.filters import DATE_INPUT, SELECT, IdChoiceFilter, SearchFilterSet, TextFilter
from opsteam.org.models import JobLevel, Position, Staff
from opsteam.performance.choices import (
    KpiCategory,
    KpiDirection,
    MeasurementSource,
    ScoringRule,
    TemplateStatus,
)
from opsteam.performance.models import Kpi, KpiTemplate, Measurement


class KpiFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en", "definition", "definition_en")
    category = django_filters.ChoiceFilter(
        choices=KpiCategory.choices, label=_("Category"), widget=SELECT
    )
    direction = django_filters.TypedChoiceFilter(
        choices=KpiDirection.choices, coerce=int, label=_("Direction"), widget=SELECT
    )
    rule = django_filters.TypedChoiceFilter(
        choices=ScoringRule.choices, coerce=int, label=_("Scoring rule"), widget=SELECT
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))
    is_veto = django_filters.BooleanFilter(label=_("Veto item"))

    class Meta:
        model = Kpi
        fields = ["q", "category", "direction", "rule", "is_active", "is_veto"]


class KpiTemplateFilterSet(SearchFilterSet):
    search_fields = ("position__code", "position__name", "position__name_en", "note")
    position = IdChoiceFilter(queryset=Position.objects.all(), label=_("Position"), widget=SELECT)
    level = IdChoiceFilter(queryset=JobLevel.objects.all(), label=_("Level"), widget=SELECT)
    status = django_filters.ChoiceFilter(
        choices=TemplateStatus.choices, label=_("Status"), widget=SELECT
    )

    class Meta:
        model = KpiTemplate
        fields = ["q", "position", "level", "status"]


class MeasurementFilterSet(SearchFilterSet):
    """Measurements by person, KPI, date range, source and import batch."""

    search_fields = ("staff__employee_no", "staff__name", "staff__name_en", "kpi__code")
    staff = IdChoiceFilter(
        queryset=Staff.objects.all(), label=_("Staff member"), widget=forms.HiddenInput
    )
    employee_no = TextFilter(
        field_name="staff__employee_no",
        max_length=40,
        label=_("Employee number"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    kpi = IdChoiceFilter(queryset=Kpi.objects.all(), label=_("KPI"), widget=SELECT)
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("Until"), widget=DATE_INPUT
    )
    source = django_filters.ChoiceFilter(
        choices=MeasurementSource.choices, label=_("Source"), widget=SELECT
    )
    batch = TextFilter(
        max_length=120,
        label=_("Import batch"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    class Meta:
        model = Measurement
        fields = ["q", "staff", "employee_no", "kpi", "date_from", "date_to", "source", "batch"]
