"""Forms of the job level pages: the level form (its cleaned data goes straight into
``org.services.job_level_create``/``job_level_update``) and the list's filters."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.core.filters import SELECT as FILTER_SELECT
from opsteam.core.filters import SearchFilterSet
from opsteam.org.choices import LevelTrack
from opsteam.org.forms import SELECT, TEXT
from opsteam.org.models import JobLevel

NUMBER = {"class": "form-control"}


class JobLevelForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={**TEXT, "autofocus": True}),
        help_text=_("Short and unique, such as P3 or M1."),
    )
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    track = forms.ChoiceField(
        label=_("Track"), choices=LevelTrack.choices, widget=forms.Select(attrs=SELECT)
    )
    rank = forms.IntegerField(
        label=_("Rank"),
        min_value=0,
        max_value=999,
        widget=forms.NumberInput(NUMBER),
        help_text=_("Higher is more senior; levels are listed by track, then rank."),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class JobLevelFilterSet(SearchFilterSet):
    """Filters of the job level list page."""

    search_fields = ("code", "name", "name_en")
    track = django_filters.ChoiceFilter(
        choices=LevelTrack.choices, label=_("Track"), widget=FILTER_SELECT
    )

    class Meta:
        model = JobLevel
        fields = ["q", "track"]
