"""Forms of the KPI pages; cleaned data goes straight into a service call."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from opsteam.org.models import JobLevel, Position, Staff
from opsteam.performance.choices import (
    KpiAggregation,
    KpiCategory,
    KpiDirection,
    MissingRule,
    ScoringRule,
)
from opsteam.performance.models import Kpi

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}
NUMBER = {"class": "form-control", "step": "any"}
CHECK = {"class": "form-check-input"}


def _decimal(label, required=True, help_text="", max_digits=18, decimal_places=6, **kwargs):
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=max_digits,
        decimal_places=decimal_places,
        widget=forms.NumberInput(attrs=NUMBER),
        **kwargs,
    )


def _choice(choices, label, coerce=int):
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=coerce, widget=forms.Select(attrs=SELECT)
    )


class KpiForm(forms.Form):
    """Every field of a KPI the service accepts (``services.KPI_FIELDS``), nothing else."""

    code = forms.CharField(label=_("Code"), max_length=40, widget=forms.TextInput(attrs=TEXT))
    name = forms.CharField(label=_("Name"), max_length=160, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=160, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    definition = forms.CharField(
        label=_("Definition"),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
        help_text=_("What is counted, from which system, and how."),
    )
    definition_en = forms.CharField(
        label=_("Definition (English)"),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=KpiCategory.choices, widget=forms.Select(attrs=SELECT)
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("e.g. %, 元, 分钟"),
    )
    direction = _choice(KpiDirection.choices, _("Direction"))
    aggregation = _choice(KpiAggregation.choices, _("Period value"))
    rule = _choice(ScoringRule.choices, _("Scoring rule"))
    threshold = _decimal(
        _("Threshold"), required=False, help_text=_("Linear rule: the value that scores 0.")
    )
    target = _decimal(_("Target"), help_text=_("The value that scores 100."))
    stretch = _decimal(
        _("Stretch value"),
        required=False,
        help_text=_("Linear rule: the value that scores the stretch score."),
    )
    stretch_score = _decimal(
        _("Score at the stretch value"), max_digits=6, decimal_places=2, initial=Decimal("120")
    )
    cap = _decimal(
        _("Highest score"),
        max_digits=6,
        decimal_places=2,
        initial=Decimal("120"),
        min_value=0,
        max_value=1000,
    )
    per_unit = _decimal(
        _("Points per unit"),
        max_digits=10,
        decimal_places=4,
        initial=Decimal("0"),
        help_text=_("Deduction or bonus rules: points per unit of distance to the target."),
    )
    bands = forms.JSONField(
        label=_("Score bands"),
        required=False,
        initial=list,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2, "placeholder": "[[60, 60], [80, 90]]"}),
        help_text=_("Bands rule: [[from value, score], ...]"),
    )
    missing_rule = _choice(MissingRule.choices, _("When there is no measurement"))
    is_veto = forms.BooleanField(
        label=_("Veto item (一票否决)"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
        help_text=_("Scoring below 100 caps the whole appraisal."),
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, widget=forms.CheckboxInput(attrs=CHECK)
    )

    def clean_bands(self):
        return self.cleaned_data.get("bands") or []


class KpiTemplateForm(forms.Form):
    position = forms.ModelChoiceField(
        label=_("Position"),
        queryset=Position.objects.filter(is_active=True),
        widget=forms.Select(attrs=SELECT),
    )
    level = forms.ModelChoiceField(
        label=_("Level"),
        queryset=JobLevel.objects.all(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Leave empty for a template that applies to every level of the position."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class KpiTemplateItemForm(forms.Form):
    kpi = forms.ModelChoiceField(
        label=_("KPI"),
        queryset=Kpi.objects.filter(is_active=True),
        widget=forms.Select(attrs=SELECT),
    )
    weight = _decimal(
        _("Weight (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
    )
    target = _decimal(
        _("Target for this position"),
        required=False,
        help_text=_("Leave empty to use the KPI's target."),
    )


class BaseItemFormSet(forms.BaseFormSet):
    """The items of a template: each KPI once, weights adding up to exactly 100%."""

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        total = Decimal("0")
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            kpi = form.cleaned_data.get("kpi")
            if kpi is None:
                continue
            if kpi.pk in seen:
                raise forms.ValidationError(_t("{kpi} is listed twice.").format(kpi=kpi))
            seen.add(kpi.pk)
            total += form.cleaned_data.get("weight") or Decimal("0")
        if not seen:
            raise forms.ValidationError(_t("Add at least one KPI."))
        if total != Decimal("100"):
            raise forms.ValidationError(
                _t("The weights add up to {total}%; they must add up to exactly 100%.").format(
                    total=format(total.normalize(), "f")
                )
            )

    def items(self) -> list[dict]:
        return [
            {
                "kpi": form.cleaned_data["kpi"],
                "weight": form.cleaned_data["weight"],
                "target": form.cleaned_data.get("target"),
            }
            for form in self.forms
            if form.has_changed()
            and not self._should_delete_form(form)
            and form.cleaned_data.get("kpi")
        ]


KpiTemplateItemFormSet = forms.formset_factory(
    KpiTemplateItemForm, formset=BaseItemFormSet, extra=1, can_delete=True
)


class MeasurementForm(forms.Form):
    """A value entered by hand: the person by employee number (any of the user's scope)."""

    employee_no = forms.CharField(
        label=_("Employee number"), max_length=40, widget=forms.TextInput(attrs=TEXT)
    )
    kpi = forms.ModelChoiceField(
        label=_("KPI"),
        queryset=Kpi.objects.filter(is_active=True),
        widget=forms.Select(attrs=SELECT),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE))
    value = _decimal(_("Value"), help_text=_("For ratio KPIs: the numerator."))
    denominator = _decimal(
        _("Denominator"), required=False, help_text=_("Required for ratio KPIs; greater than 0.")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_employee_no(self):
        employee_no = self.cleaned_data["employee_no"].strip()
        staff = Staff.objects.restrict(self.user, "view").filter(employee_no=employee_no).first()
        if staff is None:
            raise forms.ValidationError(_t("No staff member with this employee number."))
        self.cleaned_data["staff"] = staff
        return employee_no

    def clean(self):
        data = super().clean()
        kpi = data.get("kpi")
        denominator = data.get("denominator")
        is_ratio = kpi is not None and kpi.aggregation == KpiAggregation.RATIO
        if is_ratio and (denominator is None or denominator <= 0):
            self.add_error("denominator", _t("A ratio KPI needs a denominator greater than 0."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "staff": data["staff"],
            "kpi": data["kpi"],
            "date": data["date"],
            "value": data["value"],
            "denominator": data.get("denominator"),
        }
