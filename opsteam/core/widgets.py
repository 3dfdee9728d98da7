"""Form widgets shared by every app.

``PersonPicker`` replaces a ``<select>`` of every staff member: at 10,000 staff such a select
is a megabyte of HTML and most of a second of rendering per page. The picker renders only the
chosen person (or people) and an empty choice; ``static/opsteam/app.js`` adds a search box that
asks ``org:staff_pick`` for matching people. The form field keeps its own queryset, so what may be
chosen is still decided, and validated, by the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from opsteam.core.filters import Select

# Which of the policy's Staff actions the search runs under (org.staff's rule): "directory" is
# everyone's name, unit and position; "list" and "view" are the people the user may browse.
PICKER_SCOPES = ("directory", "list", "view")


class _PickerMixin:
    """Options for the chosen values only, and the data attributes app.js wires the search to."""

    def __init__(self, attrs: dict | None = None, *, scope: str = "directory") -> None:
        if scope not in PICKER_SCOPES:
            raise ValueError(f"unknown picker scope {scope!r}")
        self.scope = scope
        super().__init__(attrs={"class": "form-select", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        attrs = {
            **(attrs or {}),
            "data-staff-picker": reverse("org:staff_pick") + "?" + urlencode({"scope": self.scope}),
            "data-picker-placeholder": _("Type a name or employee number"),
        }
        return super().get_context(name, value, attrs)

    def optgroups(self, name: str, value: list, attrs: dict | None = None) -> list:
        iterator = self.choices
        field = getattr(iterator, "field", None)
        if field is None:  # plain choices: behave like the base widget
            return super().optgroups(name, value, attrs)
        chosen = [str(item) for item in value if item not in (None, "")]
        options = []
        if not self.allow_multiple_selected and field.empty_label is not None:
            options.append(self.create_option(name, "", field.empty_label, not chosen, 0))
        ids = [item for item in chosen if item.isdigit()]
        if ids:
            for obj in iterator.queryset.filter(pk__in=ids):
                option_value, label = iterator.choice(obj)
                options.append(self.create_option(name, option_value, label, True, len(options)))
        return [(None, options, 0)]


class PersonPicker(_PickerMixin, Select):
    """One staff member, searched by name or employee number."""


class PeoplePicker(_PickerMixin, forms.SelectMultiple):
    """Several staff members, searched by name or employee number."""
