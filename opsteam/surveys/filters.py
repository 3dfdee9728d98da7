"""FilterSets shared by the survey pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from opsteam.core.filters import IdChoiceFilter
from opsteam.surveys.choices import CampaignStatus, InvitationStatus, Relationship
from opsteam.surveys.models import Campaign, Invitation, Subject


class CampaignFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, label=_("Status"))

    class Meta:
        model = Campaign
        fields = ["status"]


class SubjectFilterSet(django_filters.FilterSet):
    campaign = IdChoiceFilter(queryset=Campaign.objects.all(), label=_("Campaign"))

    class Meta:
        model = Subject
        fields = ["campaign"]


class InvitationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=InvitationStatus.choices, label=_("Status"))
    relationship = django_filters.ChoiceFilter(
        choices=Relationship.choices, label=_("Relationship")
    )
    campaign = IdChoiceFilter(
        field_name="subject__campaign", queryset=Campaign.objects.all(), label=_("Campaign")
    )

    class Meta:
        model = Invitation
        fields = ["status", "relationship", "campaign"]
