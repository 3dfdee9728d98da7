"""Filters of the suggestion list (page and API alike)."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsteam.collab.models_suggestions import (
    OPEN_STATUSES,
    Suggestion,
    SuggestionCategory,
    SuggestionStatus,
)
from opsteam.core.filters import SELECT, IdChoiceFilter, SearchFilterSet
from opsteam.org.models import OrgUnit

YES = [("1", _("Yes"))]


class SuggestionFilterSet(SearchFilterSet):
    search_fields = ("title", "body")
    status = django_filters.ChoiceFilter(
        choices=SuggestionStatus.choices, label=_("Status"), widget=SELECT
    )
    category = django_filters.ChoiceFilter(
        choices=SuggestionCategory.choices, label=_("Category"), widget=SELECT
    )
    unit = IdChoiceFilter(
        queryset=OrgUnit.objects.all(),
        label=_("Addressed to"),
        method="in_subtree",
        widget=SELECT,
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES, label=_("Overdue"), method="only_overdue", widget=SELECT
    )
    mine = django_filters.ChoiceFilter(
        choices=YES, label=_("Submitted by me"), method="only_mine", widget=SELECT
    )
    owner = django_filters.ChoiceFilter(
        choices=[("me", _("Me"))], label=_("Owner"), method="owned_by", widget=SELECT
    )

    class Meta:
        model = Suggestion
        fields = ["q", "status", "category", "unit", "overdue", "mine", "owner"]

    def in_subtree(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def only_overdue(self, queryset, name, value):
        if value != "1":
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())

    def _user(self):
        return getattr(self.request, "user", None)

    def only_mine(self, queryset, name, value):
        user = self._user()
        if value != "1" or user is None or not user.is_authenticated:
            return queryset
        # Only named suggestions: anonymous ones belong to nobody, the submitter included.
        return queryset.filter(author=user)

    def owned_by(self, queryset, name, value):
        user = self._user()
        if value != "me" or user is None or not user.is_authenticated:
            return queryset
        return queryset.filter(owner=user)
