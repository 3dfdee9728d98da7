"""Forms of the knowledge base: a document, restoring a version, an attachment, search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsteam.collab import selectors_knowledge as selectors
from opsteam.collab.models_knowledge import (
    DocumentCategory,
    DocumentStatus,
    DocumentVisibility,
)
from opsteam.core import policy
from opsteam.core.choices import Role

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class StepChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.map.process.display_name} · {obj.display_name}"


class PositionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.display_name}"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return "\u3000" * obj.depth + obj.display_name


def writable_units(user: Any) -> tuple[Any, bool]:
    """The units ``user`` may put documents in, and whether "company-wide" is allowed."""
    from opsteam.org.models import OrgUnit

    roles = policy.user_roles(user)
    if Role.ADMIN in roles or Role.HR in roles:
        return OrgUnit.objects.filter(is_active=True).order_by("path"), True
    condition = Q(pk__in=[])
    for path in roles.get(Role.MANAGER, []):
        condition |= Q(path__startswith=path)
    for path in selectors.own_unit_paths(user):
        condition |= Q(path=path)
    return OrgUnit.objects.filter(condition).order_by("path"), False


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    category = forms.ChoiceField(
        label=_("Category"), choices=DocumentCategory.choices, widget=forms.Select(SELECT)
    )
    unit = UnitChoiceField(
        label=_("Owning unit"),
        queryset=None,
        required=False,
        empty_label=_("Company-wide"),
        widget=forms.Select(SELECT),
    )
    visibility = forms.ChoiceField(
        label=_("Visible to"),
        choices=DocumentVisibility.choices,
        widget=forms.Select(SELECT),
        help_text=_("Drafts are only visible to the unit's editors and to you."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=300,
        widget=forms.TextInput({**TEXT, "placeholder": _("e.g. 大促, 退款, 上新")}),
        help_text=_("Separated by commas."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea({**TEXT, "rows": 18, "class": "form-control font-monospace"}),
        help_text=_("Markdown: # headings, - lists, | tables |, **bold**."),
    )
    change_note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=300,
        widget=forms.TextInput(TEXT),
        help_text=_("Shown in the version history."),
    )
    positions = PositionChoiceField(
        label=_("Job descriptions (positions)"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple({**SELECT, "size": 6}),
        help_text=_("The job description of each position shows this document."),
    )
    steps = StepChoiceField(
        label=_("Process steps"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple({**SELECT, "size": 6}),
        help_text=_("The step's page on the process map shows this document."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from opsteam.org.models import Position
        from opsteam.workflow.models import Step

        units, company_wide = writable_units(user)
        self.fields["unit"].queryset = units
        if not company_wide:
            self.fields["unit"].required = True
            self.fields["unit"].empty_label = None
        self.fields["positions"].queryset = Position.objects.filter(is_active=True).order_by("code")
        self.fields["steps"].queryset = (
            Step.objects.filter(
                Q(map__status="published") | Q(pk__in=self.initial.get("steps") or [])
            )
            .select_related("map", "map__process")
            .order_by("map__process__code", "order", "code")
        )

    def document_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DocumentCreateForm(DocumentForm):
    publish = forms.BooleanField(
        label=_("Publish now"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
        help_text=_("Otherwise it stays a draft that only editors see."),
    )

    field_order = ["title", "category", "unit", "visibility", "tags", "body", "publish"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["change_note"]
        roles = policy.user_roles(user)
        if not any(role in roles for role in (Role.ADMIN, Role.HR, Role.MANAGER)):
            del self.fields["publish"]  # operators propose drafts; editors publish them

    def document_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        publish = data.pop("publish", False)
        data["status"] = DocumentStatus.PUBLISHED if publish else DocumentStatus.DRAFT
        return data


class RestoreForm(forms.Form):
    change_note = forms.CharField(label=_("What changed"), required=False, max_length=300)


class AttachForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Office, images, text, zip or mp4; at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )


class SearchForm(forms.Form):
    """The search box and filters of the knowledge base (bad values are simply ignored)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=selectors.MAX_QUERY_LENGTH,
        widget=forms.SearchInput(
            {**TEXT, "placeholder": _("Search titles, tags and text"), "autocomplete": "off"}
        ),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *DocumentCategory.choices],
        widget=forms.Select(SELECT),
    )
    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("All units"),
        widget=forms.Select(SELECT),
    )
    tag = forms.CharField(
        label=_("Tag"), required=False, max_length=40, widget=forms.TextInput(TEXT)
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Current (not archived)")), *DocumentStatus.choices],
        widget=forms.Select(SELECT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from opsteam.org.models import OrgUnit

        self.fields["unit"].queryset = OrgUnit.objects.filter(is_active=True).order_by("path")

    def filters(self) -> selectors.SearchFilters:
        if not self.is_bound:
            return selectors.SearchFilters()
        if self.is_valid():
            data = self.cleaned_data
        else:  # keep what is valid: a bad filter never hides the search
            data = {name: self.cleaned_data.get(name) for name in self.fields}
        return selectors.SearchFilters(
            query=data.get("q") or "",
            category=data.get("category") or "",
            unit=data.get("unit"),
            tag=data.get("tag") or "",
            status=data.get("status") or "",
        )
