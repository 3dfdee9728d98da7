"""Forms and filters of the bonus and reward pages; cleaned data goes straight into a service.

The FilterSets are shared by the list pages and the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from opsteam.core.filters import DATE_INPUT, SELECT, IdChoiceFilter, SearchFilterSet, TextFilter
from opsteam.incentives.choices import PoolStatus, RewardKind
from opsteam.incentives.models import BonusLine, BonusPolicy, BonusPool, RewardEntry
from opsteam.incentives.services import NON_CASH_KINDS
from opsteam.incentives.tables_pools import money
from opsteam.org.forms import AREA, DATE, TEXT
from opsteam.org.models import OrgUnit, Staff
from opsteam.performance.models import ReviewCycle

NUMBER = {"class": "form-control", "inputmode": "decimal"}
CHECK = {"class": "form-check-input"}
# Grades are short codes (the review's grade field holds at most 10 characters).
GRADE_MAX_LENGTH = 10
# The most people a select lists; beyond it, the person is typed by employee number.
SELECT_MAX_PEOPLE = 300


def _decimal(label, *, required=True, max_digits=12, places=2, minimum="0", **kwargs):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=max_digits,
        decimal_places=places,
        min_value=Decimal(minimum) if minimum is not None else None,
        widget=forms.NumberInput(attrs={**NUMBER, "step": "any"}),
        **kwargs,
    )


# Filters ----------------------------------------------------------------------------------


class PolicyFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en")
    is_active = django_filters.BooleanFilter(
        label=_("Active"),
        widget=forms.Select(
            attrs={"class": "form-select"},
            choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))],
        ),
    )

    class Meta:
        model = BonusPolicy
        fields = ["q", "is_active"]


class PoolFilterSet(SearchFilterSet):
    search_fields = ("name", "unit__name", "unit__name_en", "unit__code")
    status = django_filters.ChoiceFilter(
        choices=PoolStatus.choices, label=_("Status"), widget=SELECT
    )
    cycle = IdChoiceFilter(
        queryset=ReviewCycle.objects.order_by("-period_end"), label=_("Review cycle"), widget=SELECT
    )
    unit = IdChoiceFilter(
        queryset=OrgUnit.objects.filter(is_active=True).order_by("path"),
        label=_("Unit"),
        widget=SELECT,
    )

    class Meta:
        model = BonusPool
        fields = ["q", "status", "cycle", "unit"]


class LineFilterSet(SearchFilterSet):
    search_fields = ("staff__name", "staff__name_en", "staff__employee_no")
    pool = IdChoiceFilter(queryset=BonusPool.objects.all(), label=_("Pool"), widget=SELECT)
    unit = IdChoiceFilter(queryset=OrgUnit.objects.all(), label=_("Unit"), widget=SELECT)
    staff = IdChoiceFilter(
        queryset=Staff.objects.all(), label=_("Staff member"), widget=forms.HiddenInput
    )
    grade = TextFilter(max_length=GRADE_MAX_LENGTH, label=_("Grade"))
    capped = django_filters.BooleanFilter(label=_("Capped"))
    floored = django_filters.BooleanFilter(label=_("Raised to the floor"))

    class Meta:
        model = BonusLine
        fields = ["q", "pool", "unit", "staff", "grade", "capped", "floored"]


class RewardFilterSet(SearchFilterSet):
    search_fields = ("title", "staff__name", "staff__name_en", "staff__employee_no")
    kind = django_filters.ChoiceFilter(choices=RewardKind.choices, label=_("Kind"), widget=SELECT)
    staff = IdChoiceFilter(
        queryset=Staff.objects.all(), label=_("Staff member"), widget=forms.HiddenInput
    )
    since = django_filters.DateFilter(
        field_name="granted_on", lookup_expr="gte", label=_("From"), widget=DATE_INPUT
    )
    until = django_filters.DateFilter(
        field_name="granted_on", lookup_expr="lte", label=_("Until"), widget=DATE_INPUT
    )

    class Meta:
        model = RewardEntry
        fields = ["q", "kind", "staff", "since", "until"]


# Bonus policies -----------------------------------------------------------------------------


class PolicyForm(forms.Form):
    """A bonus policy's settings; the grade multipliers come in ``MultiplierFormSet``."""

    code = forms.CharField(label=_("Code"), max_length=40, widget=forms.TextInput(attrs=TEXT))
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=120, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    base_months = _decimal(
        _("Base: months of base salary"),
        max_digits=5,
        help_text=_("Each person's base is their monthly salary at the period's end times this."),
    )
    use_kpi_factor = forms.BooleanField(
        label=_("Apply the KPI factor (KPI score / 100)"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )
    kpi_factor_min = _decimal(_("KPI factor at least"), max_digits=4)
    kpi_factor_max = _decimal(_("KPI factor at most"), max_digits=4)
    cap_multiple = _decimal(
        _("Cap: times the base"),
        required=False,
        max_digits=5,
        help_text=_("Empty: no cap by the base."),
    )
    cap_amount = _decimal(_("Cap: amount"), required=False, help_text=_("Empty: no cap by amount."))
    floor_amount = _decimal(
        _("Floor: amount"),
        help_text=_("The least anyone with a weight above 0 receives."),
    )
    rounding_unit = _decimal(
        _("Round to"),
        max_digits=8,
        minimum="0.01",
        help_text=_("Amounts are multiples of this; the total still equals the budget."),
    )
    is_active = forms.BooleanField(
        label=_("Active (offered for new pools)"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("kpi_factor_min"), data.get("kpi_factor_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "kpi_factor_max",
                _t("The upper bound is below the lower bound ({low}).").format(low=low),
            )
        return data


class MultiplierForm(forms.Form):
    """One row of the multipliers table: a grade and what it multiplies the base by."""

    grade = forms.CharField(
        label=_("Grade"),
        max_length=GRADE_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "A"}),
    )
    multiplier = _decimal(_("Multiplier"), required=False, max_digits=6, places=3)

    def clean(self):
        data = super().clean()
        grade = (data.get("grade") or "").strip()
        data["grade"] = grade
        if grade and data.get("multiplier") is None and not data.get("DELETE"):
            self.add_error(
                "multiplier", _t("Give the multiplier of grade {grade}.").format(grade=grade)
            )
        if not grade and data.get("multiplier") is not None and not data.get("DELETE"):
            self.add_error("grade", _t("Name the grade this multiplier is for."))
        return data


class BaseMultiplierFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            grade = form.cleaned_data.get("grade")
            if not grade:
                continue
            if grade in seen:
                raise forms.ValidationError(
                    _t("Grade {grade} is listed twice.").format(grade=grade)
                )
            seen.add(grade)
        if not seen:
            raise forms.ValidationError(_t("Give at least one grade and its multiplier."))

    def multipliers(self) -> dict[str, str]:
        """The filled rows as the policy stores them: grade -> multiplier as text."""
        return {
            form.cleaned_data["grade"]: str(form.cleaned_data["multiplier"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("grade")
        }


MultiplierFormSet = forms.formset_factory(
    MultiplierForm, formset=BaseMultiplierFormSet, extra=0, can_delete=True
)


def multiplier_rows(multipliers: dict[str, Any]) -> list[dict[str, Any]]:
    """A policy's multipliers as the formset's initial rows, best grade first."""
    from opsteam.incentives.selectors_pools import grade_order

    order = grade_order(multipliers)
    return [
        {"grade": grade, "multiplier": multipliers[grade]}
        for grade in sorted(multipliers, key=order.get)
    ]


# Pools ----------------------------------------------------------------------------------------


class PoolForm(forms.Form):
    """A new pool: the cycle whose grades it pays, the unit whose people share it, how, how much."""

    cycle = forms.ModelChoiceField(
        label=_("Review cycle"),
        queryset=ReviewCycle.objects.order_by("-period_end", "pk"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.filter(is_active=True).order_by("path"),
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Everyone graded in this unit and the units below it shares the budget."),
    )
    policy_row = forms.ModelChoiceField(
        label=_("Bonus policy"),
        queryset=BonusPolicy.objects.filter(is_active=True).order_by("code"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    budget = _decimal(_("Budget"), max_digits=14)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("Empty: the cycle and the unit."),
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        initial="CNY",
        widget=forms.TextInput(attrs={**TEXT, "style": "max-width: 8rem"}),
    )

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean(self):
        data = super().clean()
        row, budget = data.get("policy_row"), data.get("budget")
        if row is not None and budget is not None and budget % row.rounding_unit:
            self.add_error(
                "budget",
                _t("The budget must be a multiple of the policy's rounding unit ({unit}).").format(
                    unit=money(row.rounding_unit)
                ),
            )
        return data


class DecideForm(forms.Form):
    """Approve a submitted pool, or send it back with the reason."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("send_back", _("Send back"))],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**AREA, "rows": 2}),
    )


class WhatIfForm(forms.Form):
    """What-if inputs (a GET form: nothing is written). Empty fields keep the pool's values."""

    budget = _decimal(_("Budget"), required=False, max_digits=14)
    policy_row = forms.ModelChoiceField(
        label=_("Policy"),
        queryset=BonusPolicy.objects.order_by("code"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Empty: the pool's policy."),
    )
    use_kpi_factor = forms.ChoiceField(
        label=_("KPI factor"),
        required=False,
        choices=[("", _("As the policy says")), ("on", _("On")), ("off", _("Off"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    cap_multiple = _decimal(_("Cap: times the base"), required=False, max_digits=5)
    cap_amount = _decimal(_("Cap: amount"), required=False)
    floor_amount = _decimal(_("Floor: amount"), required=False)
    rounding_unit = _decimal(_("Round to"), required=False, max_digits=8, minimum="0.01")

    def __init__(self, *args, grades: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.grades = list(grades)
        for grade in self.grades:
            self.fields[self.grade_field(grade)] = _decimal(
                _t("Multiplier {grade}").format(grade=grade),
                required=False,
                max_digits=6,
                places=3,
            )

    @staticmethod
    def grade_field(grade: str) -> str:
        return f"m_{grade}"

    def grade_fields(self) -> list[forms.BoundField]:
        return [self[self.grade_field(grade)] for grade in self.grades]

    def setting_fields(self) -> list[forms.BoundField]:
        names = ("use_kpi_factor", "cap_multiple", "cap_amount", "floor_amount", "rounding_unit")
        return [self[name] for name in names]

    def overrides(self) -> dict[str, Any]:
        """The policy fields the user changed (multipliers as grade -> Decimal)."""
        data = self.cleaned_data
        changed: dict[str, Any] = {
            name: data[name]
            for name in ("cap_multiple", "cap_amount", "floor_amount", "rounding_unit")
            if data.get(name) is not None
        }
        if data.get("use_kpi_factor"):
            changed["use_kpi_factor"] = data["use_kpi_factor"] == "on"
        multipliers = {
            grade: data[self.grade_field(grade)]
            for grade in self.grades
            if data.get(self.grade_field(grade)) is not None
        }
        if multipliers:
            changed["multipliers"] = multipliers
        return changed


# The reward ledger ----------------------------------------------------------------------------


class RewardGrantForm(forms.Form):
    """A non-cash reward for one person (training place, conference budget, priority, other)."""

    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=Staff.objects.none(),
        to_field_name="employee_no",
        widget=forms.TextInput(attrs={**TEXT, "placeholder": _("Employee number")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(kind.value, kind.label) for kind in NON_CASH_KINDS],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.CharField(
        label=_("Reward"),
        max_length=200,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": _("e.g. Data analysis bootcamp")}),
    )
    amount = _decimal(
        _("Amount"), required=False, help_text=_("A conference budget, for instance; optional.")
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "CNY", "style": "max-width: 8rem"}),
    )
    granted_on = forms.DateField(
        label=_("Granted on"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={**AREA, "rows": 2})
    )

    def __init__(self, *args, staff_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        field.queryset = staff_queryset if staff_queryset is not None else Staff.objects.none()
        if field.queryset.count() <= SELECT_MAX_PEOPLE:
            field.widget = forms.Select(attrs={"class": "form-select"})
            field.widget.choices = field.choices
        else:
            field.help_text = _t("Type the person's employee number.")

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").upper()

    def clean(self):
        data = super().clean()
        if data.get("currency") and data.get("amount") is None:
            self.add_error("amount", _t("Give the amount the currency is for."))
        return data
