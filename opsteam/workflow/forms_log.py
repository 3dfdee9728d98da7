"""Forms of the event-log pages: sources, uploads, the column mapping, event filters."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.workflow.choices import SourceKind
from opsteam.workflow.imports import ColumnMapping
from opsteam.workflow.selectors_log import EventFilters

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
FILE_KINDS = [(SourceKind.CSV, SourceKind.CSV.label), (SourceKind.XES, SourceKind.XES.label)]
SOURCE_KINDS = [*FILE_KINDS, (SourceKind.API, SourceKind.API.label)]
COMMON_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)


class SourceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Where the events come from, e.g. 售后工单系统."),
        widget=forms.TextInput(attrs={**TEXT, "autofocus": True}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=SOURCE_KINDS, widget=forms.Select(attrs=SELECT)
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Event log file"),
        help_text=_(
            "CSV (UTF-8 or GB18030, as Excel saves it; comma, semicolon or tab separated) or"
            " XES (IEEE 1849)."
        ),
        widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ".csv,.xes,.xml"}),
    )


class MappingForm(forms.Form):
    """Pick the column (CSV header or XES key) of each field; the choices are the file's."""

    case = forms.ChoiceField(label=_("Case"), help_text=_("The ticket, order or case id."))
    step = forms.ChoiceField(label=_("Step"), help_text=_("The activity or step name."))
    resource = forms.ChoiceField(
        label=_("Resource"),
        required=False,
        help_text=_("Who did it: employee number or user name links the person."),
    )
    start = forms.ChoiceField(
        label=_("Start"),
        required=False,
        help_text=_("When work on the step started (optional). XES: pair lifecycle events."),
    )
    complete = forms.ChoiceField(label=_("Complete"), help_text=_("When the step was finished."))
    timestamp_format = forms.CharField(
        label=_("Timestamp format"),
        required=False,
        max_length=60,
        help_text=_(
            "Leave empty for ISO 8601 and common forms (2026-03-02 09:30, 2026/3/2 9:30);"
            " otherwise a strptime format such as %d.%m.%Y %H:%M."
        ),
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "%Y-%m-%d %H:%M:%S"}),
    )
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=60,
        help_text=_("Of timestamps without an offset."),
        widget=forms.TextInput(attrs={**TEXT, "list": "time-zones"}),
    )

    def __init__(self, *args: Any, columns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(column, column) for column in columns]
        blank = [("", _("— none —"))]
        for name in ("case", "step", "complete"):
            self.fields[name].choices = [("", _("— choose —")), *choices]
        for name in ("resource", "start"):
            self.fields[name].choices = blank + choices
        for name in ("case", "step", "resource", "start", "complete"):
            self.fields[name].widget.attrs.update(SELECT)
        self.zones = COMMON_ZONES

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"].strip()
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(_("Unknown time zone.")) from exc
        return value

    def mapping(self) -> ColumnMapping:
        return ColumnMapping.from_dict(self.cleaned_data)


class EventFilterForm(forms.Form):
    case = forms.CharField(
        label=_("Case"), required=False, max_length=120, widget=forms.TextInput(attrs=TEXT)
    )
    step = forms.CharField(
        label=_("Step"), required=False, max_length=160, widget=forms.TextInput(attrs=TEXT)
    )
    resource = forms.CharField(
        label=_("Resource"), required=False, max_length=120, widget=forms.TextInput(attrs=TEXT)
    )
    since = forms.DateField(
        label=_("Completed from"),
        required=False,
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
    )
    until = forms.DateField(
        label=_("Completed until"),
        required=False,
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
    )
    source = forms.TypedChoiceField(
        label=_("Source"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, sources: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("All sources"))] + [
            (source.pk, source.name) for source in sources
        ]

    def filters(self) -> EventFilters:
        """The filters as given; invalid fields are left out (the page shows their errors)."""
        if not self.is_bound:
            return EventFilters()
        self.is_valid()
        data = self.cleaned_data
        return EventFilters(
            case=(data.get("case") or "").strip(),
            step=(data.get("step") or "").strip(),
            resource=(data.get("resource") or "").strip(),
            source=data.get("source"),
            since=data.get("since"),
            until=data.get("until"),
        )
