"""Forms of announcements: the editor (audience, importance, schedule) feeding the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.collab.models import Announcement, AnnouncementImportance
from opsteam.collab.services_announcements import MAX_BODY
from opsteam.core import policy
from opsteam.org.models import OrgUnit, Position

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
WHEN = {"class": "form-control", "type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class AnnouncementForm(forms.Form):
    """Write or edit an announcement. Units offered are those the user may address (all for
    HR and administrators, their own subtree for managers); the service re-checks."""

    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea({**TEXT, "rows": 10}),
        help_text=_("Markdown: **bold**, lists, links."),
    )
    importance = forms.ChoiceField(
        label=_("Importance"),
        choices=AnnouncementImportance.choices,
        widget=forms.Select(SELECT),
    )
    requires_acknowledgement = forms.TypedChoiceField(
        label=_("Ask each reader to confirm “I have read and understood”"),
        choices=[
            ("", _("As the importance says (important ones: yes)")),
            ("yes", _("Yes")),
            ("no", _("No")),
        ],
        required=False,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        widget=forms.Select(SELECT),
    )
    pinned = forms.BooleanField(
        label=_("Pin to the top of the list"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    everyone = forms.BooleanField(
        label=_("Everyone in the organisation"),
        required=False,
        widget=forms.CheckboxInput(CHECK),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Departments and teams"),
        queryset=OrgUnit.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple({**SELECT, "size": 8}),
        help_text=_("Including their sub-teams."),
    )
    positions = forms.ModelMultipleChoiceField(
        label=_("Positions"),
        queryset=Position.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple({**SELECT, "size": 6}),
        help_text=_("With teams chosen too: only the people of those teams in these positions."),
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(WHEN, format=DATETIME_FORMAT),
        help_text=_("Empty: when you press Publish."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(WHEN, format=DATETIME_FORMAT),
        help_text=_("Optional: it leaves people's lists after this."),
    )
    reacknowledge = forms.BooleanField(
        label=_("Ask everyone to acknowledge again"),
        required=False,
        widget=forms.CheckboxInput(CHECK),
        help_text=_("Only when the change matters: readers are told and confirm once more."),
    )

    def __init__(
        self, *args: Any, user: Any = None, announcement: Announcement | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.announcement = announcement
        published = announcement is not None and announcement.status != "draft"
        if user is not None:
            anyone, paths = _scope(user)
            if not anyone:
                offered = OrgUnit.objects.filter(is_active=True)
                where = None
                for path in paths:
                    condition = offered.filter(path__startswith=path)
                    where = condition if where is None else where | condition
                self.fields["units"].widget.choices = [
                    (unit.pk, unit.display_name)
                    for unit in (where if where is not None else offered.none())
                ]
                self.fields.pop("everyone")
        if published:
            for name in ("everyone", "units", "positions", "publish_at"):
                self.fields.pop(name, None)
        else:
            self.fields.pop("reacknowledge")
        self.audience_first = next(
            (name for name in ("everyone", "units") if name in self.fields), ""
        )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("reacknowledge", None)
        return data


def _scope(user: Any) -> tuple[bool, list[str]]:
    from opsteam.collab.services_announcements import publish_scope

    if policy.can(user, "publish", Announcement):
        return publish_scope(user)
    return False, []
