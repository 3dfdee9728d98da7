"""Filters of the delivery log and the channel list (UI pages and API alike)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.collab.choices import DeliveryMedium, DeliveryStatus, ImProvider
from opsteam.collab.models import Delivery, ImChannel
from opsteam.core.filters import SELECT, IdChoiceFilter, SearchFilterSet


class DeliveryFilterSet(SearchFilterSet):
    search_fields = ("title", "last_error", "kind")
    status = django_filters.ChoiceFilter(
        choices=DeliveryStatus.choices, label=_("Status"), widget=SELECT
    )
    medium = django_filters.ChoiceFilter(
        choices=DeliveryMedium.choices, label=_("Medium"), widget=SELECT
    )
    channel = IdChoiceFilter(
        queryset=ImChannel.objects.all(), label=_("IM channel"), widget=forms.HiddenInput
    )

    class Meta:
        model = Delivery
        fields = ["status", "medium", "channel"]


class ChannelFilterSet(SearchFilterSet):
    search_fields = ("name", "unit__code", "unit__name")
    provider = django_filters.ChoiceFilter(
        choices=ImProvider.choices, label=_("Provider"), widget=SELECT
    )
    enabled = django_filters.BooleanFilter(label=_("Enabled"))

    class Meta:
        model = ImChannel
        fields = ["provider", "enabled"]
