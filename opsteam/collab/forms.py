"""Forms of the collaboration app: notification preferences and IM channels."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.collab import kinds
from opsteam.collab.choices import EmailFrequency, ImProvider
from opsteam.collab.models import ImChannel
from opsteam.core import policy
from opsteam.org.models import OrgUnit

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
TIME = {"class": "form-control", "type": "time"}


class PreferencesForm(forms.Form):
    """One e-mail choice and one IM switch per kind, quiet hours and the digest hour."""

    quiet_start = forms.TimeField(
        label=_("Quiet hours from"), required=False, widget=forms.TimeInput(TIME, format="%H:%M")
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"), required=False, widget=forms.TimeInput(TIME, format="%H:%M")
    )
    digest_hour = forms.IntegerField(
        label=_("Digest hour"),
        min_value=0,
        max_value=23,
        initial=9,
        widget=forms.NumberInput({**TEXT, "min": 0, "max": 23}),
        help_text=_("Daily digests leave at this hour of your day, weekly ones on Mondays."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in kinds.KINDS:
            self.fields[f"email_{spec.slug}"] = forms.ChoiceField(
                label=spec.label,
                choices=EmailFrequency.choices,
                widget=forms.Select(SELECT),
            )
            self.fields[f"im_{spec.slug}"] = forms.BooleanField(
                label=_("Team IM channel"),
                required=False,
                widget=forms.CheckboxInput(CHECK),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            self.add_error("quiet_end", _("Give both ends of the quiet hours, or neither."))
        return data

    def rows(self) -> list[dict[str, Any]]:
        """The kinds with their two fields, for the table on the page."""
        return [
            {
                "spec": spec,
                "email": self[f"email_{spec.slug}"],
                "im": self[f"im_{spec.slug}"],
            }
            for spec in kinds.KINDS
        ]

    def choices(self) -> dict[str, tuple[str, bool]]:
        return {
            spec.slug: (
                self.cleaned_data[f"email_{spec.slug}"],
                bool(self.cleaned_data[f"im_{spec.slug}"]),
            )
            for spec in kinds.KINDS
        }


class _UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.display_name}"


class ChannelForm(forms.Form):
    """An IM channel. On edit an empty secret keeps the stored one (it is never shown)."""

    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(TEXT))
    provider = forms.ChoiceField(
        label=_("Provider"), choices=ImProvider.choices, widget=forms.Select(SELECT)
    )
    webhook_url = forms.CharField(
        label=_("Webhook address"),
        max_length=500,
        widget=forms.TextInput(
            {**TEXT, "placeholder": "https://oapi.dingtalk.com/robot/send?access_token=…"}
        ),
        help_text=_("Copied from the robot's settings in the group chat."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(TEXT, render_value=False),
        help_text=_(
            "DingTalk (加签) and Feishu (签名校验) robots; leave empty to keep the saved one."
        ),
    )
    unit = _UnitChoice(
        label=_("Team or department"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.Select(SELECT),
        empty_label=_("The whole company"),
    )
    include_subunits = forms.BooleanField(
        label=_("Include sub-teams"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(CHECK),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of notification"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"), required=False, widget=forms.TimeInput(TIME, format="%H:%M")
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"), required=False, widget=forms.TimeInput(TIME, format="%H:%M")
    )
    enabled = forms.BooleanField(
        label=_("Enabled"), required=False, initial=True, widget=forms.CheckboxInput(CHECK)
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["kinds"].choices = [(spec.slug, spec.label) for spec in kinds.KINDS]
        units = OrgUnit.objects.filter(is_active=True).order_by("path")
        self.fields["unit"].queryset = units
        if not policy.can_for_unit(user, "add", ImChannel, None):
            # managers: their own subtree only, never the whole company
            allowed = [
                unit.pk for unit in units if policy.can_for_unit(user, "add", ImChannel, unit)
            ]
            self.fields["unit"].queryset = units.filter(pk__in=allowed)
            self.fields["unit"].required = True
            self.fields["unit"].empty_label = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            self.add_error("quiet_end", _("Give both ends of the quiet hours, or neither."))
        return data

    def channel_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.editing and not data.get("secret"):
            data.pop("secret", None)
        data["kinds"] = list(data.get("kinds") or [])
        return data
