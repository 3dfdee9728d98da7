"""Forms of the suggestion box: submit, comment, reply through the private link, and the
handlers' status change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from opsteam.collab.models_suggestions import (
    SuggestionCategory,
    SuggestionStatus,
)
from opsteam.collab.services_suggestions import MAX_BODY, MAX_COMMENT, MAX_NOTE, MAX_TITLE
from opsteam.org.models import OrgUnit

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}


class SuggestionForm(forms.Form):
    """A new suggestion: what, which kind, for which team, named or anonymous."""

    title = forms.CharField(
        label=_("Title"), max_length=MAX_TITLE, widget=forms.TextInput({**TEXT, "autofocus": True})
    )
    body = forms.CharField(
        label=_("Details"),
        max_length=MAX_BODY,
        widget=forms.Textarea({**TEXT, "rows": 6}),
        help_text=_(
            "What is the problem, what do you propose, what would it change? Markdown works."
        ),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=SuggestionCategory.choices, widget=forms.Select(SELECT)
    )
    unit = forms.ModelChoiceField(
        label=_("Addressed to"),
        queryset=OrgUnit.objects.all(),
        required=False,
        empty_label=_("The whole company (HR handles it)"),
        widget=forms.Select(SELECT),
        help_text=_("The team or department whose managers should handle it."),
    )
    anonymous = forms.BooleanField(
        label=_("Submit anonymously"),
        required=False,
        widget=forms.CheckboxInput(CHECK),
        help_text=_(
            "Nothing that identifies you is stored, not even in the audit trail. You get a "
            "private link to follow and answer it; keep it, it is shown only once."
        ),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=MAX_COMMENT, widget=forms.Textarea({**TEXT, "rows": 3})
    )
    anonymous = forms.BooleanField(
        label=_("Comment anonymously"), required=False, widget=forms.CheckboxInput(CHECK)
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=MAX_COMMENT, widget=forms.Textarea({**TEXT, "rows": 3})
    )


def owner_choices() -> Any:
    """People who can own an accepted suggestion: holders of a handling role (administrators,
    HR, managers). A short list, and never a list of everyone next to a suggestion."""
    return (
        get_user_model()
        .objects.filter(is_active=True, role_grants__role__in=["admin", "hr", "manager"])
        .distinct()
        .order_by("display_name", "username")
    )


class TransitionForm(forms.Form):
    """A handler moves a suggestion on: accepting asks for owner and due date, declining for a
    reason (the service enforces both; the form says so inline)."""

    to_status = forms.ChoiceField(
        label=_("New status"), choices=SuggestionStatus.choices, widget=forms.Select(SELECT)
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.Select(SELECT),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput({**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea({**TEXT, "rows": 2}),
        help_text=_("Shown to everyone with the change; required when declining."),
    )

    def __init__(self, *args: Any, suggestion: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices()
        if suggestion is not None:
            allowed = set(suggestion.next_statuses)
            self.fields["to_status"].choices = [
                (value, label) for value, label in SuggestionStatus.choices if value in allowed
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        status = data.get("to_status")
        if status == SuggestionStatus.ACCEPTED:
            if not data.get("owner"):
                self.add_error("owner", _("An accepted suggestion needs an owner."))
            if not data.get("due_date"):
                self.add_error("due_date", _("An accepted suggestion needs a due date."))
        if status == SuggestionStatus.DECLINED and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the suggestion is declined."))
        return data


class PlanForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=get_user_model().objects.none(), widget=forms.Select(SELECT)
    )
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput({**TEXT, "type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Note"), max_length=MAX_NOTE, required=False, widget=forms.TextInput(TEXT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices()
