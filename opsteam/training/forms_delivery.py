"""Forms of the delivery pages; cleaned data goes straight into a service."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.core.widgets import PersonPicker
from opsteam.org.choices import StaffStatus
from opsteam.org.models import Staff
from opsteam.training.choices import CourseStatus, LearningKind
from opsteam.training.models import Course

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}
DATETIME = {"class": "form-control", "type": "datetime-local"}
ACCEPT = ".pdf,.docx,.xlsx,.pptx,.png,.jpg,.jpeg,.mp4,.zip,.txt,.md"


def _datetime(label):
    return forms.DateTimeField(
        label=label,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M"),
    )


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE))


def _people(user):
    """People the user may see and act for (the picker never offers anyone else)."""
    return (
        Staff.objects.restrict(user, "view")
        .exclude(status=StaffStatus.LEFT)
        .select_related("unit")
        .order_by("employee_no")
    )


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(status=CourseStatus.ACTIVE).order_by("code"),
        label=_("Course"),
        widget=forms.Select(attrs=SELECT),
    )
    starts_at = _datetime(_("Starts at"))
    ends_at = _datetime(_("Ends at"))
    instructor = forms.ModelChoiceField(
        queryset=Staff.objects.exclude(status=StaffStatus.LEFT).order_by("employee_no"),
        label=_("Instructor (colleague)"),
        required=False,
        widget=PersonPicker(),
    )
    external_instructor = forms.CharField(
        label=_("External instructor"),
        required=False,
        max_length=200,
        help_text=_("When the trainer is not a colleague."),
        widget=forms.TextInput(attrs=TEXT),
    )
    location = forms.CharField(
        label=_("Place"), required=False, max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs=TEXT),
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=1000,
        initial=20,
        widget=forms.NumberInput(attrs=TEXT),
    )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        if not data.get("location") and not data.get("online_url"):
            self.add_error("location", _("Give a place or an online link."))
        return data


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the people registered)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )


class RegisterOtherForm(forms.Form):
    staff = forms.ModelChoiceField(
        queryset=Staff.objects.none(), label=_("Person"), widget=PersonPicker(scope="view")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = _people(user)


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                **TEXT,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "inputmode": "text",
                "class": "form-control form-control-lg text-uppercase",
            }
        ),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=300, widget=forms.TextInput(attrs=TEXT)
    )


class SelfLearningForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=LearningKind.choices, widget=forms.Select(attrs=SELECT)
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    provider = forms.CharField(
        label=_("Provider or author"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal("0.5"),
        max_value=500,
        decimal_places=1,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.5"}),
    )
    completed_on = _date(_("Completed on"))
    evidence = forms.FileField(
        label=_("Evidence file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ACCEPT}),
    )
    evidence_url = forms.URLField(
        label=_("Evidence link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs=TEXT),
    )
    summary = forms.CharField(
        label=_("What I learnt"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 4})
    )


class CertificateForm(forms.Form):
    staff = forms.ModelChoiceField(
        queryset=Staff.objects.none(),
        label=_("Person"),
        required=False,
        help_text=_("Leave empty for yourself."),
        widget=PersonPicker(scope="view"),
    )
    name = forms.CharField(
        label=_("Certificate"), max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    issuer = forms.CharField(
        label=_("Issuer"), required=False, max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    number = forms.CharField(
        label=_("Certificate number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs=TEXT),
    )
    issued_on = _date(_("Issued on"))
    expires_on = _date(_("Expires on"), required=False)
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ACCEPT}),
    )

    def __init__(self, *args, user=None, may_choose_person=False, **kwargs):
        super().__init__(*args, **kwargs)
        if may_choose_person:
            self.fields["staff"].queryset = _people(user)
        else:
            del self.fields["staff"]
