"""Forms and filters of the promotion-round pages; cleaned data goes straight into a service.

``RoundFilterSet``, ``NominationFilterSet`` and ``CommitteeReviewFilterSet`` are shared by the
pages and the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from opsteam.careers import selectors_rounds
from opsteam.careers.choices import NominationStatus, Recommendation, RoundStatus
from opsteam.careers.models import CommitteeReview, Nomination, PromotionRound
from opsteam.core.filters import SELECT, IdChoiceFilter, SearchFilterSet
from opsteam.core.widgets import PersonPicker
from opsteam.org.forms import AREA, DATE, TEXT
from opsteam.org.forms import SELECT as SELECT_ATTRS
from opsteam.org.models import JobLevel, Staff

CHECK = {"class": "form-check-input"}
MULTI = {"class": "form-select", "size": 8}


class RoundForm(forms.Form):
    """A new promotion round: name, dates, whether people may put themselves forward, and the
    committee chosen from the system's users."""

    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    nominations_close = forms.DateField(
        label=_("Nominations close"), widget=forms.DateInput(attrs=DATE)
    )
    effective_date = forms.DateField(
        label=_("Promotions take effect"),
        widget=forms.DateInput(attrs=DATE),
        help_text=_("Approved people move to their new level on this day."),
    )
    allow_self_nomination = forms.BooleanField(
        label=_("People may nominate themselves"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )
    committee = forms.ModelMultipleChoiceField(
        label=_("Committee"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs=MULTI),
        help_text=_(
            "Each member scores every nomination once the review starts; nobody scores their"
            " own nomination."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("username")
        )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        parts = [obj.display_name, obj.employee_no, obj.unit.display_name]
        if obj.level is not None:
            parts.append(obj.level.display_name)
        return " · ".join(parts)


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: JobLevel) -> str:
        return "{code} · {name}".format(code=obj.code, name=obj.display_name)


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PromotionRound) -> str:
        return str(_("{name} (nominations close {date})")).format(
            name=obj.display_name, date=obj.nominations_close.isoformat()
        )


def _raw(form: forms.Form, name: str) -> str:
    """The value the user chose for ``name``: posted, or given as the initial value."""
    value = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    value = getattr(value, "pk", value)
    return str(value) if value not in (None, "") else ""


class NominateForm(forms.Form):
    """Put someone forward: the round, the person (from those the user may nominate), a next
    level of the person's level and why. ``chosen_staff`` and ``chosen_level`` drive the live
    eligibility shown before submitting."""

    round = RoundChoiceField(
        label=_("Round"),
        queryset=PromotionRound.objects.none(),
        widget=forms.Select(attrs=SELECT_ATTRS),
    )
    staff = StaffChoiceField(
        label=_("Person"),
        queryset=Staff.objects.none(),
        widget=PersonPicker(scope="view"),
    )
    level = LevelChoiceField(
        label=_("Proposed level"),
        queryset=JobLevel.objects.none(),
        widget=forms.Select(attrs=SELECT_ATTRS),
        help_text=_("The next levels of the person's level on the career ladders."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={**AREA, "rows": 5}),
        help_text=_("Why the person is ready: results, responsibilities taken on, feedback."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = selectors_rounds.open_rounds()
        self.fields["staff"].queryset = selectors_rounds.nominable_staff(user=user)
        self.chosen_staff = self._pick(self.fields["staff"].queryset, _raw(self, "staff"))
        self.fields["level"].queryset = selectors_rounds.target_levels_for(self.chosen_staff)
        if self.chosen_staff is None:
            self.fields["level"].help_text = _("Choose the person first.")
        self.chosen_level = self._pick(self.fields["level"].queryset, _raw(self, "level"))

    @staticmethod
    def _pick(queryset: Any, raw: str) -> Any:
        if not raw.isdigit() or len(raw) > 18:
            return None
        return queryset.filter(pk=int(raw)).first()


class DecideForm(forms.Form):
    """HR's decision on a nomination; a note is required to defer or reject (the service
    says so by field)."""

    decision = forms.ChoiceField(label=_("Decision"), choices=Recommendation.choices)
    note = forms.CharField(
        label=_("Decision note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={**AREA, "rows": 3}),
    )


class CommitteeReviewForm(forms.Form):
    """A committee member's score (0-100), recommendation and comment."""

    score = forms.DecimalField(
        label=_("Score"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.5", "min": "0", "max": "100"}),
        help_text=_("From 0 to 100."),
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={**AREA, "rows": 4}),
    )


class RoundFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en")
    status = django_filters.ChoiceFilter(
        choices=RoundStatus.choices, label=_("Stage"), widget=SELECT
    )

    class Meta:
        model = PromotionRound
        fields = ["q", "status"]


class NominationFilterSet(SearchFilterSet):
    search_fields = ("staff__employee_no", "staff__name", "staff__name_en")
    round = IdChoiceFilter(queryset=PromotionRound.objects.all(), label=_("Round"), widget=SELECT)
    staff = IdChoiceFilter(
        queryset=Staff.objects.all(), label=_("Nominee"), widget=PersonPicker(scope="view")
    )
    target_level = IdChoiceFilter(
        queryset=JobLevel.objects.all(), label=_("Proposed level"), widget=SELECT
    )
    status = django_filters.ChoiceFilter(
        choices=NominationStatus.choices, label=_("Status"), widget=SELECT
    )
    ready_at_nomination = django_filters.BooleanFilter(label=_("Ready at nomination"))

    class Meta:
        model = Nomination
        fields = ["q", "round", "staff", "target_level", "status", "ready_at_nomination"]


class CommitteeReviewFilterSet(django_filters.FilterSet):
    round = IdChoiceFilter(
        field_name="nomination__round",
        queryset=PromotionRound.objects.all(),
        label=_("Round"),
        widget=SELECT,
    )
    submitted = django_filters.BooleanFilter(
        field_name="submitted_at", lookup_expr="isnull", exclude=True, label=_("Submitted")
    )

    class Meta:
        model = CommitteeReview
        fields = ["round", "submitted"]
