"""Forms of the survey pages; cleaned data goes straight into a service call."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.core.widgets import PersonPicker
from opsteam.org.models import Staff
from opsteam.surveys.anonymity import MINIMUM_THRESHOLD
from opsteam.surveys.choices import NOMINATABLE_RELATIONSHIPS
from opsteam.surveys.models import Questionnaire

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"),
        queryset=Questionnaire.objects.none(),
        widget=forms.Select(attrs=SELECT),
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        widget=forms.DateTimeInput(
            attrs={**TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    anonymity_threshold = forms.IntegerField(
        label=_("Anonymity threshold"),
        min_value=MINIMUM_THRESHOLD,
        initial=MINIMUM_THRESHOLD,
        help_text=_("Anonymous rater groups with fewer answers are never shown (at least 3)."),
        widget=forms.NumberInput(attrs=TEXT),
    )
    rater_load_limit = forms.IntegerField(
        label=_("Rater load limit"),
        min_value=1,
        initial=8,
        help_text=_("The most open invitations one rater may hold in this campaign."),
        widget=forms.NumberInput(attrs=TEXT),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = Questionnaire.objects.restrict(user, "view")


class SubjectAddForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=_("Person to review"),
        queryset=Staff.objects.none(),
        widget=PersonPicker(),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.restrict(user, "directory").exclude(
            status="left"
        )


class NominateForm(forms.Form):
    relationship = forms.ChoiceField(
        label=_("Relationship"),
        choices=NOMINATABLE_RELATIONSHIPS,
        widget=forms.Select(attrs=SELECT),
    )
    rater = forms.ModelChoiceField(
        label=_("Rater"),
        queryset=Staff.objects.none(),
        required=False,
        widget=PersonPicker(),
    )
    external_name = forms.CharField(
        label=_("External customer's name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    external_email = forms.EmailField(
        label=_("External customer's email"), required=False, widget=forms.EmailInput(attrs=TEXT)
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rater"].queryset = Staff.objects.restrict(user, "directory").exclude(
            status="left"
        )
