"""Forms of the work-item pages; cleaned data goes straight into a service call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.core.widgets import PersonPicker
from opsteam.org.forms import AREA, DATE, SELECT, TEXT
from opsteam.org.models import OrgUnit, Process, Staff
from opsteam.workflow import selectors_items
from opsteam.workflow.choices import ItemKind, ItemStatus, LinkKind, Priority
from opsteam.workflow.filters import StaffChoiceField
from opsteam.workflow.models import Step
from opsteam.workflow.services_items import COMMENT_MAX_LENGTH


class ProcessChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Process) -> str:
        return "{code} · {name}".format(code=obj.code, name=obj.display_name)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return "{code} · {name}".format(code=obj.code, name=obj.display_name)


class ItemEditForm(forms.Form):
    """The fields anyone who may change an item edits (status, step and assignee have their
    own actions)."""

    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={**AREA, "rows": 5})
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ItemKind.choices, widget=forms.Select(attrs=SELECT)
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        widget=forms.Select(attrs=SELECT),
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs=DATE)
    )


class ItemCreateForm(ItemEditForm):
    """A new item: the process (one with a published map; it starts in the first step), the
    fields, and optionally the assignee (people the user may see) and the team."""

    field_order = ["process", "title", "description", "kind", "priority", "due_date"]

    process = ProcessChoiceField(
        label=_("Process"), queryset=Process.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    assignee = StaffChoiceField(
        label=_("Assignee"),
        queryset=Staff.objects.none(),
        required=False,
        widget=PersonPicker(scope="view"),
        help_text=_("Leave empty to let the team's manager assign it."),
    )
    unit = UnitChoiceField(
        label=_("Team"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("By default the assignee's team, else yours."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = selectors_items.processes_with_published_map()
        self.fields["assignee"].queryset = selectors_items.assignable_staff(user=user)
        self.fields["unit"].queryset = OrgUnit.objects.order_by("path")


class MoveForm(forms.Form):
    to_step = forms.ModelChoiceField(label=_("Move to"), queryset=Step.objects.all())
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=Staff.objects.all(),
        required=False,
        empty_label=_("Unassigned"),
        widget=PersonPicker(scope="view"),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={**AREA, "rows": 3}),
    )


class AttachForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Office, images, text, zip or mp4; at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )


class LinkForm(forms.Form):
    reference = forms.CharField(
        label=_("Item reference"),
        max_length=60,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "AS-12"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of link"), choices=LinkKind.choices, widget=forms.Select(attrs=SELECT)
    )
