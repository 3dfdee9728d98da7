"""FilterSets shared by the core list pages and API (one definition, NetBox's lesson)."""

import html

import django_filters
from django import forms
from django.db.models import Q
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from opsteam.core.api.serializers import MAX_ID
from opsteam.core.choices import AuditAction, AuditSource, ImportStatus
from opsteam.core.models import AuditEntry, ImportJob


def _escape(value) -> str:
    """``{{ value }}``/``{{ value|stringformat:'s' }}`` in a widget template: escaped unless safe."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """Django's ``Select`` writing the markup of its templates (select.html, select_option.html,
    attrs.html) in Python: each list page's filter form renders dozens of options, each two
    template includes, which cost more than the rest of the form. Same output (core/tests/
    test_table_rendering.py compares it with Django's templates)."""

    def render(self, name, value, attrs=None, renderer=None):
        if (self.template_name, self.option_template_name) != (
            forms.Select.template_name,
            forms.Select.option_template_name,
        ):
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{_escape(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value is escaped


DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT_INPUT = forms.TextInput(attrs={"class": "form-control", "type": "search"})
SELECT = Select(attrs={"class": "form-select"})
# The longest free-text search accepted (a longer one is a 400).
SEARCH_MAX_LENGTH = 200


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """A row chosen by id; the API schema bounds the id like the database does."""


class TextFilter(django_filters.CharFilter):
    """Free text of at most ``max_length`` characters (a longer one is a 400)."""

    def __init__(self, *args, max_length: int = SEARCH_MAX_LENGTH, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        extend_schema_field({"type": "string", "maxLength": max_length})(self)


class SearchFilterSet(django_filters.FilterSet):
    """Base FilterSet with a free-text ``q`` over ``search_fields``."""

    search_fields: tuple[str, ...] = ()
    q = TextFilter(method="search", label=_("Search"), widget=TEXT_INPUT)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class AuditEntryFilterSet(SearchFilterSet):
    search_fields = ("object_repr", "actor_label", "object_id", "note")
    action = django_filters.ChoiceFilter(
        choices=AuditAction.choices, label=_("Action"), widget=SELECT
    )
    source = django_filters.ChoiceFilter(
        choices=AuditSource.choices, label=_("Source"), widget=SELECT
    )
    object_type = TextFilter(
        max_length=100,
        label=_("Type"),
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "org.staff"}),
    )
    object_id = TextFilter(max_length=64, label=_("Object id"), widget=forms.HiddenInput)
    since = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From"), widget=DATE_INPUT
    )
    until = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("Until"), widget=DATE_INPUT
    )

    class Meta:
        model = AuditEntry
        fields = ["q", "action", "source", "object_type", "object_id", "since", "until"]


def import_kind_choices() -> list[tuple[str, str]]:
    from opsteam.core.imports import REGISTRY

    return [(kind, spec.title) for kind, spec in sorted(REGISTRY.items())]


class ImportJobFilterSet(SearchFilterSet):
    search_fields = ("file_name", "kind")
    status = django_filters.ChoiceFilter(
        choices=ImportStatus.choices, label=_("Outcome"), widget=SELECT
    )
    kind = django_filters.ChoiceFilter(choices=import_kind_choices, label=_("Kind"), widget=SELECT)

    class Meta:
        model = ImportJob
        fields = ["q", "status", "kind"]
