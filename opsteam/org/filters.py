"""FilterSets shared by the org list pages and the org API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.core.filters import SELECT, IdChoiceFilter, SearchFilterSet
from opsteam.org.choices import JobDescriptionStatus, RaciRole, StaffStatus, UnitKind
from opsteam.org.models import (
    Activity,
    JobDescription,
    JobLevel,
    OrgUnit,
    Position,
    Process,
    RaciAssignment,
    RoleFamily,
    Staff,
)


class UnitSubtreeFilter(IdChoiceFilter):
    """Filter rows whose unit lies in the chosen unit's subtree.

    Any unit id is accepted (links from a team page pass a team), but the drop-down offers only
    the company and its departments plus the chosen unit (see ``UnitChoicesMixin``).
    """

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


class UnitChoicesMixin:
    """Offer only top-level units in unit drop-downs: a large organisation has a thousand teams,
    and rendering them all on every list page cost more than the list itself."""

    OFFERED_DEPTH = 1

    @property
    def form(self):
        form = super().form
        if getattr(form, "_opsteam_units_narrowed", False):
            return form
        for name, declared in self.filters.items():
            if not isinstance(declared, UnitSubtreeFilter) or name not in form.fields:
                continue
            offered = OrgUnit.objects.filter(depth__lte=self.OFFERED_DEPTH, is_active=True)
            selected = (self.data or {}).get(name)
            if selected and str(selected).isdigit():
                offered = offered | OrgUnit.objects.filter(pk=int(selected))
            form.fields[name].widget.choices = [("", "---------")] + [
                (unit.pk, unit.display_name) for unit in offered.order_by("path")
            ]
        form._opsteam_units_narrowed = True
        return form


class OrgUnitFilterSet(UnitChoicesMixin, SearchFilterSet):
    search_fields = ("code", "name", "name_en")
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"), widget=SELECT)
    within = UnitSubtreeFilter(
        field_name="parent", queryset=OrgUnit.objects.all(), label=_("Within"), widget=SELECT
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = OrgUnit
        fields = ["q", "kind", "within", "is_active"]


class StaffFilterSet(UnitChoicesMixin, SearchFilterSet):
    search_fields = ("employee_no", "name", "name_en", "email", "phone")
    unit = UnitSubtreeFilter(
        field_name="unit",
        queryset=OrgUnit.objects.all(),
        label=_("Department or team"),
        widget=SELECT,
    )
    position = IdChoiceFilter(queryset=Position.objects.all(), label=_("Position"), widget=SELECT)
    family = IdChoiceFilter(
        field_name="position__family",
        queryset=RoleFamily.objects.all(),
        label=_("Role family"),
        widget=SELECT,
    )
    level = IdChoiceFilter(queryset=JobLevel.objects.all(), label=_("Level"), widget=SELECT)
    status = django_filters.ChoiceFilter(
        choices=StaffStatus.choices, label=_("Status"), widget=SELECT
    )
    manager = IdChoiceFilter(
        queryset=Staff.objects.all(), label=_("Manager"), widget=forms.HiddenInput
    )
    hired_after = django_filters.DateFilter(
        field_name="hire_date",
        lookup_expr="gte",
        label=_("Hired from"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    class Meta:
        model = Staff
        fields = ["q", "unit", "position", "family", "level", "status", "manager", "hired_after"]


class PositionFilterSet(UnitChoicesMixin, SearchFilterSet):
    search_fields = ("code", "name", "name_en")
    family = IdChoiceFilter(
        queryset=RoleFamily.objects.all(), label=_("Role family"), widget=SELECT
    )
    unit = UnitSubtreeFilter(
        field_name="unit",
        queryset=OrgUnit.objects.all(),
        label=_("Department or team"),
        widget=SELECT,
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Position
        fields = ["q", "family", "unit", "is_active"]


class JobDescriptionFilterSet(SearchFilterSet):
    search_fields = (
        "position__code",
        "position__name",
        "position__name_en",
        "purpose",
        "purpose_en",
    )
    status = django_filters.ChoiceFilter(
        choices=JobDescriptionStatus.choices, label=_("Status"), widget=SELECT
    )
    family = IdChoiceFilter(
        field_name="position__family",
        queryset=RoleFamily.objects.all(),
        label=_("Role family"),
        widget=SELECT,
    )
    position = IdChoiceFilter(
        queryset=Position.objects.all(), label=_("Position"), widget=forms.HiddenInput
    )

    class Meta:
        model = JobDescription
        fields = ["q", "status", "family", "position"]


class ActivityFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en", "process__name", "process__name_en")
    process = IdChoiceFilter(queryset=Process.objects.all(), label=_("Process"), widget=SELECT)

    class Meta:
        model = Activity
        fields = ["q", "process"]


class RaciFilterSet(django_filters.FilterSet):
    """The RACI cells of one activity, one position or one role (API)."""

    activity = IdChoiceFilter(queryset=Activity.objects.all(), label=_("Activity"))
    position = IdChoiceFilter(queryset=Position.objects.all(), label=_("Position"))
    role = django_filters.ChoiceFilter(choices=RaciRole.choices, label=_("Role"))

    class Meta:
        model = RaciAssignment
        fields = ["activity", "position", "role"]
