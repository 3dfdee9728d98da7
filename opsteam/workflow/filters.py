"""FilterSets of the workflow pages, shared by the UI lists and the API (NetBox's lesson)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.filters import DATE_INPUT, SELECT, IdChoiceFilter, SearchFilterSet
from opsteam.org.models import OrgUnit, Process, Staff
from opsteam.workflow.choices import OPEN_STATUSES, ItemKind, ItemStatus, MapStatus, Priority
from opsteam.workflow.models import Step, WorkItem

BOOLEAN_SELECT = forms.Select(
    attrs={"class": "form-select"},
    choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))],
)


class StepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Step) -> str:
        return "{process} · {step}".format(process=obj.map.process.code, step=obj.display_name)


class StepChoiceFilter(IdChoiceFilter):
    field_class = StepChoiceField


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        return "{name} ({number})".format(name=obj.display_name, number=obj.employee_no)


class StaffChoiceFilter(IdChoiceFilter):
    field_class = StaffChoiceField


def _published_steps() -> QuerySet[Step]:
    return (
        Step.objects.filter(map__status=MapStatus.PUBLISHED)
        .select_related("map__process")
        .order_by("map__process__code", "order", "code")
    )


def _subtree(queryset: QuerySet, unit: OrgUnit | None) -> QuerySet:
    if unit is None:
        return queryset
    return queryset.filter(unit__path__startswith=unit.path)


class WorkItemFilterSet(SearchFilterSet):
    """Process, step, status (or open only), priority, kind, assignee, team (with its
    sub-teams), due before, overdue, and text over reference, title and description.

    The assignee choices are the people holding items the user may see (never a list of
    everyone)."""

    search_fields = ("reference", "title", "description")
    process = IdChoiceFilter(
        queryset=Process.objects.order_by("code"), label=_("Process"), widget=SELECT
    )
    step = StepChoiceFilter(
        queryset=_published_steps(), label=pgettext_lazy("process step", "Step"), widget=SELECT
    )
    status = django_filters.ChoiceFilter(
        choices=ItemStatus.choices, label=_("Status"), widget=SELECT
    )
    open = django_filters.BooleanFilter(
        method="filter_open", label=_("Still open"), widget=BOOLEAN_SELECT
    )
    priority = django_filters.ChoiceFilter(
        choices=Priority.choices, label=_("Priority"), widget=SELECT
    )
    kind = django_filters.ChoiceFilter(choices=ItemKind.choices, label=_("Kind"), widget=SELECT)
    assignee = StaffChoiceFilter(queryset=Staff.objects.none(), label=_("Assignee"), widget=SELECT)
    unit = IdChoiceFilter(
        queryset=OrgUnit.objects.order_by("path"),
        method="filter_unit",
        label=_("Team"),
        widget=SELECT,
    )
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label=_("Due by"), widget=DATE_INPUT
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue"), widget=BOOLEAN_SELECT
    )

    class Meta:
        model = WorkItem
        fields = [
            "q",
            "process",
            "step",
            "status",
            "open",
            "priority",
            "kind",
            "assignee",
            "unit",
            "due_before",
            "overdue",
        ]

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is not None:
            holders = WorkItem.objects.restrict(user, "view").values("assignee_id")
            self.filters["assignee"].queryset = Staff.objects.filter(pk__in=holders).order_by(
                "employee_no"
            )

    def filter_open(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.exclude(status__in=OPEN_STATUSES)

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return _subtree(queryset, value)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = Q(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class BoardFilterSet(django_filters.FilterSet):
    """The board's filters: assignee, priority, team."""

    assignee = StaffChoiceFilter(queryset=Staff.objects.none(), label=_("Assignee"), widget=SELECT)
    priority = django_filters.ChoiceFilter(
        choices=Priority.choices, label=_("Priority"), widget=SELECT
    )
    unit = IdChoiceFilter(
        queryset=OrgUnit.objects.order_by("path"),
        method="filter_unit",
        label=_("Team"),
        widget=SELECT,
    )

    class Meta:
        model = WorkItem
        fields = ["assignee", "priority", "unit"]

    def __init__(self, *args: Any, request: Any = None, process: Any = None, **kwargs: Any):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is not None:
            items = WorkItem.objects.restrict(user, "view")
            if process is not None:
                items = items.filter(process=process, status__in=OPEN_STATUSES)
            self.filters["assignee"].queryset = Staff.objects.filter(
                pk__in=items.values("assignee_id")
            ).order_by("employee_no")

    def filter_unit(self, queryset: QuerySet, name: str, value: OrgUnit | None) -> QuerySet:
        return _subtree(queryset, value)
