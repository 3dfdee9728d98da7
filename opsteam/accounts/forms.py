import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from opsteam.core.choices import Role
from opsteam.org.models import OrgUnit

TEXT = {"class": "form-control"}


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Follow the browser"))]
        + [(code, name) for code, name in settings.LANGUAGES],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=[("", _("Organisation default"))]
        + [(tz, tz) for tz in sorted(zoneinfo.available_timezones())],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("What the token is for, e.g. 'BI sync'."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        initial=90,
        widget=forms.NumberInput(attrs=TEXT),
    )


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    unit = forms.ModelChoiceField(
        label=_("Org unit (managers)"),
        queryset=OrgUnit.objects.all(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.MANAGER and not data.get("unit"):
            self.add_error("unit", _("A manager role needs the unit they manage."))
        return data
