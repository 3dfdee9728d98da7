"""Filters of announcements (the manage page and the API alike)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from opsteam.collab.models import Announcement, AnnouncementImportance, AnnouncementStatus
from opsteam.core.filters import SELECT, SearchFilterSet


class AnnouncementFilterSet(SearchFilterSet):
    search_fields = ("title", "body")
    status = django_filters.ChoiceFilter(
        choices=AnnouncementStatus.choices, label=_("Status"), widget=SELECT
    )
    importance = django_filters.ChoiceFilter(
        choices=AnnouncementImportance.choices, label=_("Importance"), widget=SELECT
    )

    class Meta:
        model = Announcement
        fields = ["status", "importance"]
