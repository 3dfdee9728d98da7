"""Forms and filters of meetings: scheduling (one-off and regular), agenda points, minutes,
attendance, action items and the idea board. ``cleaned_data`` goes straight to a service."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import available_timezones

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.collab.models_meetings import (
    ActionItemStatus,
    Attendance,
    Meeting,
    MeetingActionItem,
    MeetingKind,
    MeetingStatus,
    Recurrence,
)
from opsteam.core import policy
from opsteam.core.filters import SELECT, SearchFilterSet
from opsteam.org.models import OrgUnit

TEXT = {"class": "form-control"}
SELECTW = {"class": "form-select"}
MULTI = {"class": "form-select", "size": "6"}
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
WEEKS = [(1, _("First")), (2, _("Second")), (3, _("Third")), (4, _("Fourth")), (-1, _("Last"))]


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user: Any) -> str:
        staff = getattr(user, "staff", None)
        return f"{staff.name} ({user.username})" if staff else str(user)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Any) -> str:
        return unit.display_name


class TeamsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit: Any) -> str:
        return unit.display_name


def _people():
    return (
        get_user_model().objects.filter(is_active=True).select_related("staff").order_by("username")
    )


def _units():
    return OrgUnit.objects.order_by("path")


def _zones() -> list[tuple[str, str]]:
    common = ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Tokyo", "Europe/London"]
    rest = sorted(zone for zone in available_timezones() if zone not in common and "/" in zone)
    return [(zone, zone) for zone in [*common, *rest]]


class _Invitees(forms.Form):
    """People and whole teams to invite (a team brings its active members)."""

    participants = PersonChoiceField(
        label=_("Participants"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.SelectMultiple(MULTI),
        help_text=_("You are always a participant."),
    )
    teams = TeamsChoiceField(
        label=_("Invite whole teams"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(MULTI),
        help_text=_("Every active member of the chosen teams (and their sub-teams) is invited."),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["participants"].queryset = _people()
        self.fields["teams"].queryset = _units()
        if "unit" in self.fields:
            units = _units()
            if user is not None and not policy.can_for_unit(user, "change", Meeting, None):
                paths = policy.user_roles(user).get(policy.MANAGER, [])
                condition = Q(pk__in=[])
                for path in paths:
                    condition |= Q(path__startswith=path)
                units = units.filter(condition)
            self.fields["unit"].queryset = units

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == MeetingKind.TEAM and not data.get("unit"):
            self.add_error("unit", _("A team meeting belongs to a team."))
        return data


class MeetingForm(_Invitees):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=MeetingKind.choices, widget=forms.Select(SELECTW)
    )
    unit = UnitChoiceField(
        label=_("Team"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.Select(SELECTW),
        help_text=_("A team meeting belongs to a team; its managers see it."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput({**TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=5,
        max_value=720,
        initial=60,
        widget=forms.NumberInput({**TEXT, "step": 5}),
    )
    location = forms.CharField(
        label=_("Location"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    online_url = forms.URLField(
        label=_("Online meeting link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(TEXT),
    )
    votes_per_person = forms.IntegerField(
        label=_("Votes per person (brainstorm)"),
        min_value=1,
        max_value=20,
        initial=3,
        widget=forms.NumberInput(TEXT),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["participants"]
            del self.fields["teams"]
            del self.fields["kind"]

    def meeting_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("participants", [])
        data.setdefault("teams", [])
        return data


class SeriesForm(_Invitees):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=MeetingKind.choices, widget=forms.Select(SELECTW)
    )
    unit = UnitChoiceField(
        label=_("Team"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.Select(SELECTW),
    )
    frequency = forms.ChoiceField(
        label=_("Repeats"), choices=Recurrence.choices, widget=forms.Select(SELECTW)
    )
    interval = forms.IntegerField(
        label=_("Every (weeks or months)"),
        min_value=1,
        max_value=12,
        initial=1,
        widget=forms.NumberInput(TEXT),
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekday"), choices=WEEKDAYS, coerce=int, widget=forms.Select(SELECTW)
    )
    week_of_month = forms.TypedChoiceField(
        label=_("Week of the month (monthly)"),
        choices=[("", "—"), *WEEKS],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(SELECTW),
    )
    start_date = forms.DateField(
        label=_("First meeting on or after"),
        widget=forms.DateInput({**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput({**TEXT, "type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=5,
        max_value=720,
        initial=60,
        widget=forms.NumberInput({**TEXT, "step": 5}),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), widget=forms.Select(SELECTW))
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput({**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    count = forms.IntegerField(
        label=_("Or a number of meetings"),
        min_value=1,
        max_value=500,
        required=False,
        widget=forms.NumberInput(TEXT),
    )
    location = forms.CharField(
        label=_("Location"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    online_url = forms.URLField(
        label=_("Online meeting link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(TEXT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _zones()
        self.fields["time_zone"].initial = settings.TIME_ZONE

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("frequency") == Recurrence.MONTHLY and data.get("week_of_month") is None:
            self.add_error("week_of_month", _("Choose the week of the month."))
        if data.get("until") and data.get("count"):
            self.add_error("count", _("End by a date or by a number of meetings, not both."))
        return data


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda point"), max_length=200, widget=forms.TextInput(TEXT))
    minutes = forms.IntegerField(
        label=pgettext_lazy("duration", "Minutes"),
        min_value=1,
        max_value=240,
        initial=10,
        widget=forms.NumberInput(TEXT),
    )
    presenter = forms.ModelChoiceField(
        label=_("Presenter"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.Select(SELECTW),
    )

    def __init__(self, *args: Any, meeting: Meeting | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["presenter"].queryset = get_user_model().objects.filter(
                pk__in=meeting.participants.values("user_id")
            )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea({**TEXT, "rows": 10}),
        help_text=_("Markdown: **bold**, lists with -, links."),
    )
    publish = forms.BooleanField(required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=500, widget=forms.TextInput(TEXT))


class ActionItemForm(forms.Form):
    title = forms.CharField(
        label=_("Action"), max_length=300, required=False, widget=forms.TextInput(TEXT)
    )
    idea = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=get_user_model().objects.none(), widget=forms.Select(SELECTW)
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput({**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("title") or "").strip() and not data.get("idea"):
            self.add_error("title", _("Say what is to be done."))
        return data

    def clean_due_date(self) -> dt.date | None:
        value = self.cleaned_data.get("due_date")
        if value and value < timezone.localdate() - dt.timedelta(days=365):
            raise forms.ValidationError(_("The due date is more than a year ago."))
        return value


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItemStatus.choices)


class IdeaForm(forms.Form):
    text = forms.CharField(label=_("Idea"), max_length=500, widget=forms.TextInput(TEXT))


class IdeaGroupForm(forms.Form):
    name = forms.CharField(label=_("Group"), max_length=100, widget=forms.TextInput(TEXT))


class AttendanceForm(forms.Form):
    """One choice per participant, named ``attendance_<user id>``."""

    def __init__(self, *args: Any, participants: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in participants:
            self.fields[f"attendance_{row.user_id}"] = forms.ChoiceField(
                choices=Attendance.choices, required=False
            )

    def attendance(self) -> dict[int, str]:
        return {
            int(name.split("_", 1)[1]): value or ""
            for name, value in self.cleaned_data.items()
            if name.startswith("attendance_")
        }


class MeetingFilterSet(SearchFilterSet):
    """Meeting list filters, shared by the page and the API."""

    search_fields = ("title", "location", "unit__name")
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("Kind"), widget=SELECT)
    status = django_filters.ChoiceFilter(
        choices=MeetingStatus.choices, label=_("Status"), widget=SELECT
    )
    when = django_filters.ChoiceFilter(
        choices=[("upcoming", _("Upcoming")), ("past", _("Past"))],
        label=_("When"),
        method="filter_when",
        widget=SELECT,
    )

    class Meta:
        model = Meeting
        fields = ["kind", "status"]

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(ends_at__gte=now)
        if value == "past":
            return queryset.filter(ends_at__lt=now)
        return queryset


class ActionItemFilterSet(SearchFilterSet):
    search_fields = ("title", "meeting__title")
    status = django_filters.ChoiceFilter(
        choices=ActionItemStatus.choices, label=_("Status"), widget=SELECT
    )
    mine = django_filters.BooleanFilter(label=_("Mine"), method="filter_mine")

    class Meta:
        model = MeetingActionItem
        fields = ["status"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(owner=user)
        return queryset
