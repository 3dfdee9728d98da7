"""Forms of the analytics pages: the analysis window, the review's two windows, the improvement
action editor and the action list's filters. Cleaned data goes into a selector or a service."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsteam.core.filters import SELECT as FILTER_SELECT
from opsteam.core.filters import SearchFilterSet
from opsteam.org.forms import AREA, DATE, SELECT, TEXT
from opsteam.org.models import Process
from opsteam.workflow.choices import ActionStatus
from opsteam.workflow.models import ImprovementAction

DEFAULT_DAYS = 90
MAX_DAYS = 3660
QUICK_WINDOWS = (30, 90, 180)
REVIEW_DAYS = 30


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(DATE, "%Y-%m-%d"))


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes from the start of ``start`` to the end of ``end`` (local days)."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


class WindowForm(forms.Form):
    """The analysis window: ``start`` and ``end`` dates (both included); by default the last
    90 days up to today."""

    start = _date_field(_("From"))
    end = _date_field(_("To"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end comes before the start."))
        elif start and end and (end - start).days > MAX_DAYS:
            self.add_error("start", _("Choose at most ten years."))
        return data

    def dates(self) -> tuple[dt.date, dt.date]:
        """The chosen days (the default window when the form is empty or invalid)."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        return start, end

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        return _window(*self.dates())


def parse_range(value: str | None) -> tuple[dt.date, dt.date] | None:
    """``YYYY-MM-DD..YYYY-MM-DD`` as two dates (None when absent or malformed)."""
    if not value or ".." not in value or len(value) > 30:
        return None
    first, _sep, last = value.partition("..")
    try:
        start, end = dt.date.fromisoformat(first.strip()), dt.date.fromisoformat(last.strip())
    except ValueError:
        return None
    return (start, end) if start <= end else None


class ReviewForm(forms.Form):
    """Two windows to compare. ``action`` takes the ``days`` before and after its effective
    date; ``before``/``after`` as ``YYYY-MM-DD..YYYY-MM-DD`` or the four dates override it."""

    action = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    days = forms.IntegerField(
        label=_("Days each side"),
        required=False,
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={**TEXT, "placeholder": str(REVIEW_DAYS)}),
    )
    before_start = _date_field(_("Before: from"))
    before_end = _date_field(_("Before: to"))
    after_start = _date_field(_("After: from"))
    after_end = _date_field(_("After: to"))

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None:
            data = data.copy()
            for side in ("before", "after"):
                parsed = parse_range(data.get(side))
                if parsed and not data.get(f"{side}_start"):
                    data[f"{side}_start"], data[f"{side}_end"] = (d.isoformat() for d in parsed)
        super().__init__(data, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for side in ("before", "after"):
            start, end = data.get(f"{side}_start"), data.get(f"{side}_end")
            if start and end and start > end:
                self.add_error(f"{side}_end", _("The end comes before the start."))
        return data

    def windows(
        self, effective: dt.date | None
    ) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
        """The before and after windows (dates included), defaulting around ``effective`` (or
        today)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        days = data.get("days") or REVIEW_DAYS
        pivot = effective or timezone.localdate()
        before = (pivot - dt.timedelta(days=days), pivot - dt.timedelta(days=1))
        after = (pivot, pivot + dt.timedelta(days=days - 1))
        if data.get("before_start") and data.get("before_end"):
            before = (data["before_start"], data["before_end"])
        if data.get("after_start") and data.get("after_end"):
            after = (data["after_start"], data["after_end"])
        return before, after


def window_of(dates: tuple[dt.date, dt.date]) -> tuple[dt.datetime, dt.datetime]:
    return _window(*dates)


class ActionFromBottleneckForm(forms.Form):
    """The one-click "create an improvement action" button under a bottleneck."""

    key = forms.CharField(max_length=340)
    start = forms.DateField()
    end = forms.DateField()
    title = forms.CharField(max_length=200, required=False)


class ImprovementActionForm(forms.Form):
    """Edit an action: what, who, by when, where it stands (PDCA) and what it achieved."""

    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(AREA)
    )
    owner = forms.TypedChoiceField(
        label=_("Owner"), required=False, coerce=int, empty_value=None, widget=forms.Select(SELECT)
    )
    due_date = _date_field(_("Due date"))
    status = forms.ChoiceField(
        label=_("Status"), choices=ActionStatus.choices, widget=forms.Select(SELECT)
    )
    effective_date = _date_field(_("Change effective from"))
    result_note = forms.CharField(
        label=_("Result"),
        required=False,
        widget=forms.Textarea(AREA),
        help_text=_("What the process review showed; required to close the action."),
    )

    def __init__(self, *args: Any, owners: list[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *owners]


class ImprovementActionFilterSet(SearchFilterSet):
    """Filters of the action list (and the API's): process, status, search in the title."""

    search_fields = ("title", "description", "bottleneck_key")
    process = django_filters.ModelChoiceFilter(
        label=_("Process"), queryset=Process.objects.order_by("code"), widget=FILTER_SELECT
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ActionStatus.choices, widget=FILTER_SELECT
    )

    class Meta:
        model = ImprovementAction
        fields = ["process", "status"]
