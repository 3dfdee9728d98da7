"""Careers API, promotion rounds: rounds (HR creates and advances them), nominations
(nominate, withdraw, decide) and committee reviews (each member submits their own).

Reads are scoped by the policy; every write goes through ``careers.services`` with explicitly
declared input fields. Ids in input are bounded integers: an id of a row the user may not see
answers 404 like one that does not exist.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.careers import selectors_rounds, services
from opsteam.careers.choices import Recommendation
from opsteam.careers.forms_rounds import (
    CommitteeReviewFilterSet,
    NominationFilterSet,
    RoundFilterSet,
)
from opsteam.careers.models import CommitteeReview, Nomination, PromotionRound
from opsteam.core import policy
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.core.exceptions import ValidationFailed
from opsteam.org.models import JobLevel, Staff

# Serializers ------------------------------------------------------------------------------


class PromotionRoundSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    committee = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    nomination_count = serializers.IntegerField(
        read_only=True, help_text="Nominations in the round, withdrawn ones left out."
    )

    class Meta:
        model = PromotionRound
        fields = [
            "id",
            "name",
            "name_en",
            "display_name",
            "status",
            "nominations_close",
            "effective_date",
            "allow_self_nomination",
            "committee",
            "nomination_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PromotionRoundInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    nominations_close = serializers.DateField()
    effective_date = serializers.DateField()
    allow_self_nomination = serializers.BooleanField(required=False)
    committee = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=200,
        help_text="User ids of the committee members.",
    )

    def validate_committee(self, value: list[int]) -> list[Any]:
        users = list(get_user_model().objects.filter(pk__in=set(value), is_active=True))
        if len(users) != len(set(value)):
            raise serializers.ValidationError("Unknown or inactive user.")
        return users


@extend_schema_field(
    {
        "type": "object",
        "description": "Eligibility at nomination: ready, met, total and every check with"
        " kind, key, met, required, actual, gap, evidence, reason and params.",
        "additionalProperties": True,
    }
)
class EligibilitySnapshotField(serializers.JSONField):
    pass


class PromotionNominationSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    from_level_code = serializers.CharField(
        source="from_level.code", read_only=True, allow_null=True, default=None
    )
    target_level_code = serializers.CharField(source="target_level.code", read_only=True)
    eligibility = EligibilitySnapshotField(read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "round",
            "staff",
            "staff_name",
            "unit",
            "from_level",
            "from_level_code",
            "target_level",
            "target_level_code",
            "standard",
            "kind",
            "nominated_by",
            "justification",
            "eligibility",
            "ready_at_nomination",
            "status",
            "defence_score",
            "decision_note",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class PromotionNominateInputSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    staff = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    target_level = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    justification = serializers.CharField(max_length=4000)


# HR's decision (the same values as a committee member's recommendation, its own enum).
DECISIONS = [
    (Recommendation.APPROVE, gettext_lazy("Approve and promote")),
    (Recommendation.DEFER, gettext_lazy("Defer")),
    (Recommendation.REJECT, gettext_lazy("Reject")),
]


class DecideInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DECISIONS)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class CommitteeReviewSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="nomination.round_id", read_only=True)
    staff = serializers.IntegerField(source="nomination.staff_id", read_only=True)
    staff_name = serializers.CharField(source="nomination.staff.display_name", read_only=True)
    target_level = serializers.IntegerField(source="nomination.target_level_id", read_only=True)
    # Empty until the member submits: the model field is ``blank=True``.
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = CommitteeReview
        fields = [
            "id",
            "nomination",
            "round",
            "staff",
            "staff_name",
            "target_level",
            "reviewer",
            "score",
            "recommendation",
            "comment",
            "submitted_at",
        ]
        read_only_fields = fields


class CommitteeReviewInputSerializer(serializers.Serializer):
    score = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=Decimal(0), max_value=Decimal(100)
    )
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


# Viewsets ---------------------------------------------------------------------------------


class PromotionRoundViewSet(ScopedModelViewSet):
    """Promotion rounds, announced to everyone; HR creates them and moves them on
    (``advance``: draft → nominations open → committee review → closed)."""

    queryset = PromotionRound.objects.all()
    serializer_class = PromotionRoundSerializer
    filterset_class = RoundFilterSet
    ordering_fields = ["effective_date", "nominations_close", "name"]
    ordering = ["-effective_date", "-id"]
    policy_actions = {"advance": "change"}

    def get_queryset(self):
        queryset = selectors_rounds.round_list(user=self.request.user)
        return queryset.prefetch_related("committee")

    def _out(self, promotion_round: PromotionRound, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            PromotionRoundSerializer(self.get_queryset().get(pk=promotion_round.pk)).data,
            status=code,
        )

    @extend_schema(request=PromotionRoundInputSerializer, responses={201: PromotionRoundSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(PromotionRoundInputSerializer, request)
        promotion_round = services.round_create(
            actor=request.user, committee=data.pop("committee", []), **data
        )
        return self._out(promotion_round, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PromotionRoundSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str | None = None) -> Response:
        """Move the round to its next stage (409 when it cannot move yet, with the reason)."""
        promotion_round = services.round_advance(
            actor=request.user, promotion_round=self.get_object()
        )
        return self._out(promotion_round)


class NominationViewSet(ScopedModelViewSet):
    """Nominations: the nominee's own, a manager's subtree, everyone's for HR and auditors.
    ``POST`` nominates (the eligibility at nomination is kept), ``withdraw`` and ``decide``
    (HR: approve moves the person to the level on the round's effective date)."""

    queryset = Nomination.objects.select_related("staff", "from_level", "target_level")
    serializer_class = PromotionNominationSerializer
    filterset_class = NominationFilterSet
    ordering_fields = ["created_at", "status", "defence_score"]
    ordering = ["round", "staff__employee_no", "id"]
    policy_actions = {"create": "nominate", "withdraw": "withdraw", "decide": "decide"}

    def _out(self, nomination: Nomination, code: int = status.HTTP_200_OK) -> Response:
        nomination = Nomination.objects.select_related("staff", "from_level", "target_level").get(
            pk=nomination.pk
        )
        return Response(PromotionNominationSerializer(nomination).data, status=code)

    @extend_schema(
        request=PromotionNominateInputSerializer, responses={201: PromotionNominationSerializer}
    )
    def create(self, request: Request) -> Response:
        """Nominate: a manager their team, an operator themself (if the round allows), HR
        anyone. The person's eligibility for the level is kept as it stands today."""
        data = _valid(PromotionNominateInputSerializer, request)
        user = request.user
        promotion_round = policy.scoped_get(PromotionRound.objects.all(), user, pk=data["round"])
        staff = policy.scoped_get(Staff.objects.select_related("level"), user, pk=data["staff"])
        level = JobLevel.objects.filter(pk=data["target_level"]).first()
        if level is None:
            raise ValidationFailed(_("Unknown level."), field="target_level")
        nomination = services.nominate(
            actor=user,
            promotion_round=promotion_round,
            staff=staff,
            target_level=level,
            justification=data["justification"],
        )
        return self._out(nomination, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PromotionNominationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw an undecided nomination; its open committee reviews go with it."""
        nomination = services.nomination_withdraw(actor=request.user, nomination=self.get_object())
        return self._out(nomination)

    @extend_schema(request=DecideInputSerializer, responses=PromotionNominationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Approve, defer or reject during committee review (a note is required to defer or
        reject). Approving promotes the person on the round's effective date."""
        nomination = self.get_object()
        data = _valid(DecideInputSerializer, request)
        nomination = services.nomination_decide(
            actor=request.user, nomination=nomination, decision=data["decision"], note=data["note"]
        )
        return self._out(nomination)


class CommitteeReviewViewSet(ScopedModelViewSet):
    """Committee reviews: a member's own; all of them for HR, administrators and auditors;
    never the nominee's or their manager's. ``submit`` scores one's own review."""

    queryset = CommitteeReview.objects.select_related("nomination__staff")
    serializer_class = CommitteeReviewSerializer
    filterset_class = CommitteeReviewFilterSet
    ordering = ["nomination", "id"]
    policy_actions = {"submit": "review"}

    @extend_schema(request=CommitteeReviewInputSerializer, responses=CommitteeReviewSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Score the nomination 0-100 and recommend (editable until it is decided)."""
        review = self.get_object()
        data = _valid(CommitteeReviewInputSerializer, request)
        review = services.committee_review_submit(actor=request.user, review=review, **data)
        return Response(CommitteeReviewSerializer(review).data)


paths: list = []


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the careers router."""
    router.register("rounds", PromotionRoundViewSet, basename="careers-round")
    router.register("nominations", NominationViewSet, basename="careers-nomination")
    router.register(
        "committee-reviews", CommitteeReviewViewSet, basename="careers-committee-review"
    )
