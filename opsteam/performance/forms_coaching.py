"""Forms of the 1:1 and improvement-plan pages; cleaned data goes straight into a service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.core.widgets import PersonPicker
from opsteam.org.choices import StaffStatus
from opsteam.org.models import Staff
from opsteam.performance.choices import (
    ActionItemStatus,
    OneOnOneCadence,
    PlanGoalStatus,
    PlanOutcome,
)
from opsteam.performance.models import ReviewCycle

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}


def _area(label, rows=3, required=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": rows}),
    )


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE))


def _people(user):
    """The people the user may see (the pickers never offer anyone else)."""
    return (
        Staff.objects.restrict(user, "view")
        .exclude(status=StaffStatus.LEFT)
        .select_related("unit")
        .order_by("employee_no")
    )


def _directory():
    return Staff.objects.exclude(status=StaffStatus.LEFT).order_by("employee_no")


class OneOnOneForm(forms.Form):
    report = forms.ModelChoiceField(
        queryset=Staff.objects.none(), label=_("Report"), widget=PersonPicker(scope="view")
    )
    manager = forms.ModelChoiceField(
        queryset=Staff.objects.none(),
        label=_("Manager"),
        required=False,
        help_text=_("Leave empty for the report's manager."),
        widget=PersonPicker(),
    )
    cadence = forms.ChoiceField(
        label=_("Cadence"),
        choices=OneOnOneCadence.choices,
        initial=OneOnOneCadence.BIWEEKLY,
        widget=forms.Select(attrs=SELECT),
    )
    next_date = _date(_("Next 1:1"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = _people(user)
        self.fields["manager"].queryset = _directory()


class CadenceForm(forms.Form):
    cadence = forms.ChoiceField(
        label=_("Cadence"), choices=OneOnOneCadence.choices, widget=forms.Select(attrs=SELECT)
    )
    next_date = _date(_("Next 1:1"), required=False)


class MeetingForm(forms.Form):
    date = _date(_("Date"))
    cycle = forms.ModelChoiceField(
        queryset=ReviewCycle.objects.order_by("-period_start"),
        label=_("About the review cycle"),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )


class SharedNotesForm(forms.Form):
    shared_notes = _area(_("Shared notes"), rows=6)


class PrivateNoteForm(forms.Form):
    body = _area(
        _("My private note"),
        rows=4,
        help_text=_("Only you can read this: not the other person, not HR, not administrators."),
    )


class AgendaItemForm(forms.Form):
    text = forms.CharField(label=_("Topic"), max_length=500, widget=forms.TextInput(attrs=TEXT))


class ActionItemForm(forms.Form):
    text = forms.CharField(
        label=_("What will be done"), max_length=500, widget=forms.TextInput(attrs=TEXT)
    )
    owner = forms.ModelChoiceField(
        queryset=Staff.objects.none(), label=_("Owner"), widget=forms.Select(attrs=SELECT)
    )
    due_date = _date(_("Due"), required=False)

    def __init__(self, *args, series=None, **kwargs):
        super().__init__(*args, **kwargs)
        if series is not None:
            self.fields["owner"].queryset = Staff.objects.filter(
                pk__in=[series.manager_id, series.report_id]
            )


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItemStatus.choices)


class PlanForm(forms.Form):
    staff = forms.ModelChoiceField(
        queryset=Staff.objects.none(), label=_("Person"), widget=PersonPicker(scope="view")
    )
    manager = forms.ModelChoiceField(
        queryset=Staff.objects.none(),
        label=_("Manager"),
        required=False,
        help_text=_("Leave empty for the person's manager."),
        widget=PersonPicker(),
    )
    hr_owner = forms.ModelChoiceField(
        queryset=Staff.objects.none(),
        label=_("HR partner"),
        required=False,
        widget=PersonPicker(),
    )
    start_date = _date(_("Start"))
    end_date = _date(_("End"))
    summary = _area(
        _("Why we are doing this"), help_text=_("What we want to improve together, in plain words.")
    )
    support_training = _area(_("Training offered"))
    mentor = forms.ModelChoiceField(
        queryset=Staff.objects.none(),
        label=_("Mentor"),
        required=False,
        widget=PersonPicker(),
    )
    support_other = _area(_("Other support"))

    def __init__(self, *args, user=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = _people(user)
        for name in ("manager", "hr_owner", "mentor"):
            self.fields[name].queryset = _directory()
        if editing:
            del self.fields["staff"]


class PlanGoalForm(forms.Form):
    description = forms.CharField(
        label=_("Goal"), max_length=500, widget=forms.TextInput(attrs=TEXT)
    )
    measure = forms.CharField(
        label=_("How we measure it"), max_length=500, widget=forms.TextInput(attrs=TEXT)
    )
    target_date = _date(_("Target date"), required=False)


class PlanGoalStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlanGoalStatus.choices)


class CheckInForm(forms.Form):
    date = _date(_("Check-in date"))


class CheckInRecordForm(forms.Form):
    notes = _area(_("What we discussed"), rows=3, required=True)


class PlanCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=PlanOutcome.choices, widget=forms.Select(attrs=SELECT)
    )
    comment = _area(_("Comment to the person"), rows=4, required=True)
    outcome_date = _date(_("Outcome date"), required=False)
    new_end_date = _date(_("New end date (extension only)"), required=False)
