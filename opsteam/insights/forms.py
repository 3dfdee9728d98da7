"""Forms of the system review: create, edit, raise an action from a section."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.insights import review as report
from opsteam.org.forms import AREA, DATE, SELECT, TEXT

MAX_TEXT = 20000


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(DATE, "%Y-%m-%d"))


class SystemReviewCreateForm(forms.Form):
    """A review of a period (by default the last full quarter)."""

    period_start = _date(_("Period start"))
    period_end = _date(_("Period end"))
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        widget=forms.TextInput(TEXT),
        help_text=_('Leave empty for "2026 Q3 system review".'),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end comes before the start."))
        return data


class SystemReviewEditForm(forms.Form):
    """What the review concluded (markdown)."""

    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea({**AREA, "rows": 6}),
        help_text=_("Markdown. What the period looked like, in a few sentences."),
    )
    conclusions = forms.CharField(
        label=_("Conclusions"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea({**AREA, "rows": 8}),
        help_text=_("Markdown. Required to close the review."),
    )


class ReviewActionForm(forms.Form):
    """An improvement action raised from one section of the report."""

    section = forms.ChoiceField(label=_("Section"), widget=forms.Select(SELECT))
    title = forms.CharField(
        label=_("Improvement action"), max_length=200, widget=forms.TextInput(TEXT)
    )
    description = forms.CharField(
        label=_("How (the plan)"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(AREA)
    )
    owner = forms.TypedChoiceField(
        label=_("Owner"), required=False, coerce=int, empty_value=None, widget=forms.Select(SELECT)
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(DATE, "%Y-%m-%d")
    )

    def __init__(
        self,
        *args: Any,
        owners: list[tuple[int, str]] = (),
        sections: list[tuple[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *owners]
        self.fields["section"].choices = sections or report.section_choices()
