"""Forms of the review-cycle pages; cleaned data goes straight into a service call."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.org.forms import AREA, DATE, SELECT, TEXT
from opsteam.org.models import OrgUnit, Position
from opsteam.performance.choices import PeriodKind
from opsteam.performance.models import DEFAULT_GRADE_BANDS, DEFAULT_GUIDELINE
from opsteam.surveys.models import Questionnaire

MULTI = {"class": "form-select", "size": 6}


class JsonListField(forms.CharField):
    """A JSON list typed into a text box (grade bands, guideline shares)."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return []
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: {error}").format(error=exc)) from exc
        if not isinstance(parsed, list):
            raise forms.ValidationError(_("Give a list in square brackets."))
        return parsed

    def prepare_value(self, value):
        if isinstance(value, list):
            return json.dumps(value, ensure_ascii=False)
        return value


def _date(label, required=False):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE))


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=160, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    period_kind = forms.ChoiceField(
        label=_("Period"), choices=PeriodKind.choices, widget=forms.Select(attrs=SELECT)
    )
    period_start = _date(_("Period start"), required=True)
    period_end = _date(_("Period end"), required=True)
    units = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.filter(is_active=True),
        label=_("Departments and teams"),
        required=False,
        widget=forms.SelectMultiple(attrs=MULTI),
        help_text=_("Everyone in these units and their sub-units."),
    )
    positions = forms.ModelMultipleChoiceField(
        queryset=Position.objects.all(),
        label=_("Positions"),
        required=False,
        widget=forms.SelectMultiple(attrs=MULTI),
    )
    people = forms.CharField(
        label=_("Named people"),
        required=False,
        widget=forms.Textarea(attrs={**AREA, "rows": 3}),
        help_text=_("Employee numbers, separated by spaces, commas or new lines."),
    )
    formula = forms.CharField(
        label=_("Score formula"),
        max_length=300,
        initial="0.7 * kpi + 0.3 * competency",
        widget=forms.TextInput(attrs=TEXT),
        help_text=_(
            "Arithmetic on kpi, competency (360 mean x 20) and manager (rating x 20), each 0-100. "
            "Example: 0.6 * kpi + 0.2 * competency + 0.2 * manager"
        ),
    )
    questionnaire = forms.ModelChoiceField(
        queryset=Questionnaire.objects.all(),
        label=_("360 questionnaire"),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Needed when the formula uses competency."),
    )
    grade_bands = JsonListField(
        label=_("Grade bands"),
        initial=DEFAULT_GRADE_BANDS,
        widget=forms.Textarea(attrs={**AREA, "rows": 4}),
        help_text=_("Best first: name, lowest score, performance coefficient (绩效系数)."),
    )
    guideline = JsonListField(
        label=_("Guideline distribution (%)"),
        initial=DEFAULT_GUIDELINE,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("One share per grade, best first, summing to 100, e.g. [10, 20, 50, 15, 5]."),
    )
    veto_cap_grade = forms.CharField(
        label=_("Highest grade after a failed veto item"),
        max_length=10,
        initial="C",
        widget=forms.TextInput(attrs=TEXT),
    )
    max_adjustment = forms.DecimalField(
        label=_("Largest manager adjustment (points)"),
        initial=5,
        min_value=0,
        max_value=20,
        widget=forms.NumberInput(attrs=TEXT),
    )
    min_calibration_group = forms.IntegerField(
        label=_("Smallest calibration group"),
        initial=10,
        min_value=1,
        widget=forms.NumberInput(attrs=TEXT),
    )
    data_deadline = _date(_("KPI data deadline"))
    goal_deadline = _date(_("Goal setting due"))
    self_review_deadline = _date(_("Self-review due"))
    feedback_deadline = _date(_("360 feedback due"))
    manager_review_deadline = _date(_("Manager review due"))
    calibration_deadline = _date(_("Calibration due"))
    acknowledgement_deadline = _date(_("Acknowledgement and appeal due"))

    def clean_people(self):
        """Employee numbers -> staff; every unknown number is named."""
        import re

        from opsteam.org.models import Staff

        numbers = [n for n in re.split(r"[\s,，;；]+", self.cleaned_data.get("people") or "") if n]
        found = {s.employee_no: s for s in Staff.objects.filter(employee_no__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(
                _("Unknown employee numbers: {numbers}").format(numbers=", ".join(unknown[:20]))
            )
        return [found[n] for n in dict.fromkeys(numbers)]


class CycleAdvanceForm(forms.Form):
    stage = forms.CharField(max_length=20)


class SelfReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How did your period go? (1-5)"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    comment = forms.CharField(
        label=_("Self-review"),
        widget=forms.Textarea(attrs={**AREA, "rows": 5}),
        help_text=_("What you achieved, what got in the way, what you want to learn next."),
    )


class ManagerReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Manager rating (1-5)"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.Select(attrs=SELECT),
    )
    comment = forms.CharField(
        label=_("Comment for the reviewee"), widget=forms.Textarea(attrs={**AREA, "rows": 4})
    )
    potential = forms.TypedChoiceField(
        label=_("Potential"),
        choices=[("", "—"), (1, _("1 · low")), (2, _("2 · medium")), (3, _("3 · high"))],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    adjustment = forms.DecimalField(
        label=_("Adjustment (points, + or -)"),
        initial=0,
        required=False,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.5"}),
    )
    adjustment_reason = forms.CharField(
        label=_("Reason for the adjustment"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs=TEXT),
    )


class GradeChangeForm(forms.Form):
    grade = forms.CharField(label=_("Grade"), max_length=10, widget=forms.TextInput(attrs=TEXT))
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={**AREA, "rows": 2})
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you appeal?"), widget=forms.Textarea(attrs={**AREA, "rows": 4})
    )


class AppealResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("0", _("Reject: keep the grade")), ("1", _("Uphold: change the grade"))],
        coerce=lambda value: value == "1",
        widget=forms.Select(attrs=SELECT),
    )
    new_grade = forms.CharField(
        label=_("New grade"), max_length=10, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={**AREA, "rows": 3}))


class WhatIfForm(forms.Form):
    kpi = forms.IntegerField(widget=forms.HiddenInput)
    actual = forms.DecimalField(
        label=_("If the actual were"),
        max_digits=18,
        decimal_places=6,
        widget=forms.NumberInput(attrs={**TEXT, "step": "any"}),
    )


class TargetForm(forms.Form):
    kpi = forms.IntegerField(widget=forms.Select(attrs=SELECT))
    target = forms.DecimalField(
        label=_("Agreed target"),
        max_digits=18,
        decimal_places=6,
        widget=forms.NumberInput(attrs={**TEXT, "step": "any"}),
    )
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )
