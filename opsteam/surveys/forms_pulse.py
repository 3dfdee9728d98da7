"""Forms of the pulse survey pages; cleaned data goes straight into a service call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.org.models import OrgUnit
from opsteam.surveys.anonymity import MINIMUM_THRESHOLD
from opsteam.surveys.choices_pulse import PulseQuestionKind, PulseTheme
from opsteam.surveys.models_pulse import PulseQuestion

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class PulseSurveyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    questions = forms.ModelMultipleChoiceField(
        label=_("Questions"),
        queryset=PulseQuestion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    audience_all = forms.BooleanField(label=_("Everyone in the organisation"), required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Teams and departments (with their sub-teams)"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 8}),
    )
    starts_on = forms.DateField(
        label=_("First opens on"),
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    open_days = forms.IntegerField(
        label=_("Open for (days)"),
        min_value=1,
        max_value=60,
        initial=7,
        widget=forms.NumberInput(attrs=TEXT),
    )
    repeat_weeks = forms.IntegerField(
        label=_("Repeat every (weeks)"),
        min_value=0,
        max_value=52,
        initial=0,
        help_text=_("0 for a one-off survey."),
        widget=forms.NumberInput(attrs=TEXT),
    )
    min_group_size = forms.IntegerField(
        label=_("Minimum group size"),
        min_value=MINIMUM_THRESHOLD,
        max_value=50,
        initial=5,
        help_text=_("Teams with fewer responses are never shown (at least 3)."),
        widget=forms.NumberInput(attrs=TEXT),
    )
    share_results = forms.BooleanField(
        label=_("Share company results with everyone"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = PulseQuestion.objects.filter(is_active=True)
        self.fields["units"].queryset = OrgUnit.objects.filter(is_active=True).order_by("path")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("audience_all") and not data.get("units"):
            self.add_error("units", _("Choose the teams to ask, or everyone."))
        return data

    def survey_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["questions"] = list(data["questions"])
        data["units"] = list(data.get("units") or [])
        return data


class PulseQuestionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60, widget=forms.TextInput(attrs=TEXT))
    theme = forms.ChoiceField(
        label=_("Theme"), choices=PulseTheme.choices, widget=forms.Select(attrs=SELECT)
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PulseQuestionKind.choices, widget=forms.Select(attrs=SELECT)
    )
    text = forms.CharField(label=_("Question"), max_length=300, widget=forms.TextInput(attrs=TEXT))
    text_en = forms.CharField(
        label=_("Question (English)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
