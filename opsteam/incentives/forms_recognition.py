"""Forms and filters of the recognition pages; cleaned data goes straight into a service call.

``BadgeFilterSet`` and ``CommendationFilterSet`` are shared by the list pages and the API.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.filters import SELECT, SearchFilterSet, Select
from opsteam.core.widgets import PersonPicker
from opsteam.incentives import fairness, selectors_recognition
from opsteam.incentives.choices import BadgeCriterion
from opsteam.incentives.models import Badge, TeamCommendation
from opsteam.org.forms import AREA, TEXT
from opsteam.org.models import OrgUnit
from opsteam.performance.models import Kpi
from opsteam.training.models import TrainingPlan

CHECK = {"class": "form-check-input"}
NUMBER = {"class": "form-control", "inputmode": "numeric"}
FORM_SELECT = {"class": "form-select"}
MAX_KUDOS_POINTS = 50
MAX_COMMENDATION_POINTS = 100


class StaffChoiceField(forms.ModelChoiceField):
    """A person as "employee no · name · team" (two people may share a name)."""

    def label_from_instance(self, obj):
        unit = obj.unit.display_name if obj.unit_id else ""
        return " · ".join(part for part in (obj.employee_no, obj.display_name, unit) if part)


class KudosForm(forms.Form):
    recipient = StaffChoiceField(
        label=_("Colleague"),
        queryset=selectors_recognition.kudos_recipients(),
        widget=PersonPicker(),
    )
    value = forms.ModelChoiceField(
        label=_("Company value"),
        queryset=selectors_recognition.active_values(),
        widget=Select(attrs=FORM_SELECT),
    )
    message = forms.CharField(
        label=_("What did they do?"),
        max_length=2000,
        widget=forms.Textarea(attrs=AREA),
    )
    points = forms.IntegerField(
        label=_("Points"),
        min_value=1,
        max_value=MAX_KUDOS_POINTS,
        initial=10,
        widget=forms.NumberInput(attrs=NUMBER),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = selectors_recognition.kudos_recipients(user=user)


class RecognitionSettingForm(forms.Form):
    leaderboard_enabled = forms.BooleanField(
        label=_("Show leaderboards (rank the team's people and the team)"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )
    feed_enabled = forms.BooleanField(
        label=_("Show the team's kudos, commendations and badges in the recognition feed"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )


class CompanyValueForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, widget=forms.TextInput(attrs=TEXT))
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=120, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs=AREA)
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs=AREA)
    )
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=32767,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("Values are listed by this number, lowest first."),
    )
    is_active = forms.BooleanField(
        label=_("Active: kudos can be tied to it"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs=CHECK),
    )

    def clean_order(self):
        return self.cleaned_data.get("order") or 0


class BadgeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, widget=forms.TextInput(attrs=TEXT))
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=120, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs=AREA)
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs=AREA)
    )
    criterion = forms.ChoiceField(
        label=pgettext_lazy("badge", "Criterion"),
        choices=BadgeCriterion.choices,
        widget=Select(attrs=FORM_SELECT),
        help_text=_("All but badges awarded by hand are awarded from data every night."),
    )
    plan = forms.ModelChoiceField(
        label=_("Training plan"),
        queryset=TrainingPlan.objects.filter(is_active=True).order_by("code"),
        required=False,
        widget=Select(attrs=FORM_SELECT),
        help_text=_("For “Completed a training plan”: every required course of the plan."),
    )
    kpi = forms.ModelChoiceField(
        label=_("KPI"),
        queryset=Kpi.objects.order_by("code"),
        required=False,
        widget=Select(attrs=FORM_SELECT),
        help_text=_("For “Top decile on a KPI”: the latest published cycle's scorecards."),
    )
    threshold = forms.IntegerField(
        label=_("Kudos received"),
        min_value=0,
        max_value=100000,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("For “Received kudos”: how many kudos earn the badge."),
    )
    points = forms.IntegerField(
        label=_("Points"),
        min_value=0,
        max_value=1000,
        initial=50,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, widget=forms.CheckboxInput(attrs=CHECK)
    )

    def clean_threshold(self):
        return self.cleaned_data.get("threshold") or 0


class BadgeAwardForm(forms.Form):
    staff = StaffChoiceField(
        label=_("Staff member"),
        queryset=selectors_recognition.awardable_staff(),
        widget=PersonPicker(),
    )
    evidence = forms.CharField(
        label=_("Why"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("Shown with the award, e.g. “mentored three new colleagues”."),
    )


class CommendationForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Team"), queryset=OrgUnit.objects.none(), widget=Select(attrs=FORM_SELECT)
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    citation = forms.CharField(label=_("Citation"), widget=forms.Textarea(attrs=AREA))
    value = forms.ModelChoiceField(
        label=_("Company value"),
        queryset=selectors_recognition.active_values(),
        required=False,
        widget=Select(attrs=FORM_SELECT),
    )
    points_each = forms.IntegerField(
        label=_("Points for each member"),
        min_value=0,
        max_value=MAX_COMMENDATION_POINTS,
        initial=0,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("Every current member of the team (and the teams under it) gets them."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors_recognition.commendable_units(user=user)


class FairnessForm(forms.Form):
    """The fairness review's settings (GET): cycle, margin, smallest group compared."""

    cycle = forms.ModelChoiceField(
        label=_("Review cycle"), queryset=None, required=False, widget=Select(attrs=FORM_SELECT)
    )
    margin = forms.IntegerField(
        label=_("Margin (percentage points)"),
        min_value=1,
        max_value=100,
        initial=round(fairness.DEFAULT_MARGIN * 100),
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("A group is flagged when its rate differs from the overall rate by more."),
    )
    min_group = forms.IntegerField(
        label=_("Smallest group compared"),
        min_value=fairness.MIN_GROUP_FLOOR,
        max_value=10000,
        initial=fairness.DEFAULT_MIN_GROUP,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("Smaller groups are shown without their rate (never fewer than 3 people)."),
    )

    def __init__(self, *args, cycles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles


class BadgeFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en", "description", "description_en")
    criterion = django_filters.ChoiceFilter(
        choices=BadgeCriterion.choices, label=pgettext_lazy("badge", "Criterion"), widget=SELECT
    )

    class Meta:
        model = Badge
        fields = ["q", "criterion"]


class CommendationFilterSet(SearchFilterSet):
    search_fields = ("title", "citation", "unit__name", "unit__name_en", "unit__code")
    since = django_filters.DateFilter(
        field_name="awarded_on",
        lookup_expr="gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    class Meta:
        model = TeamCommendation
        fields = ["q", "since"]
