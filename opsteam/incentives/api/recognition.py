"""Incentives API, recognition: kudos (the feed, giving), company values, badges and their
awards, team commendations, each team's switches, the leaderboards and the fairness review.

Reads are scoped by the policy (recognition is public by design) and by the teams' switches;
every write goes through ``incentives.services`` or ``services_recognition`` with explicitly
declared input fields.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from opsteam.core import policy
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from opsteam.incentives import (
    fairness,
    selectors_fairness,
    services,
    services_recognition,
)
from opsteam.incentives import selectors_recognition as selectors
from opsteam.incentives.choices import BadgeCriterion
from opsteam.incentives.forms_recognition import (
    MAX_COMMENDATION_POINTS,
    MAX_KUDOS_POINTS,
    BadgeFilterSet,
    CommendationFilterSet,
)
from opsteam.incentives.models import (
    Badge,
    BadgeAward,
    CompanyValue,
    Kudos,
    RecognitionSetting,
    TeamCommendation,
)
from opsteam.org.models import OrgUnit
from opsteam.performance.models import Kpi, ReviewCycle
from opsteam.training.models import TrainingPlan

# Serializers ------------------------------------------------------------------------------


class KudosSerializer(serializers.ModelSerializer):
    sender_name = serializers.CharField(source="sender.display_name", read_only=True)
    recipient_name = serializers.CharField(source="recipient.display_name", read_only=True)
    recipient_unit = serializers.IntegerField(source="recipient.unit_id", read_only=True)
    value_name = serializers.CharField(source="value.display_name", read_only=True)

    class Meta:
        model = Kudos
        fields = [
            "id",
            "sender",
            "sender_name",
            "recipient",
            "recipient_name",
            "recipient_unit",
            "value",
            "value_name",
            "message",
            "points",
            "created_at",
        ]
        read_only_fields = fields


class KudosInputSerializer(serializers.Serializer):
    recipient = serializers.PrimaryKeyRelatedField(queryset=selectors.kudos_recipients())
    value = serializers.PrimaryKeyRelatedField(queryset=CompanyValue.objects.filter(is_active=True))
    message = serializers.CharField(max_length=2000)
    points = serializers.IntegerField(min_value=1, max_value=MAX_KUDOS_POINTS, default=10)


class CompanyValueSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = CompanyValue
        fields = ["id", *services_recognition.VALUE_FIELDS, "display_name"]
        read_only_fields = fields


class CompanyValueInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    is_active = serializers.BooleanField(required=False)


class BadgeSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    holders = serializers.IntegerField(read_only=True, help_text="People holding the badge.")

    class Meta:
        model = Badge
        fields = ["id", *services_recognition.BADGE_FIELDS, "display_name", "holders"]
        read_only_fields = fields


class BadgeInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    criterion = serializers.ChoiceField(choices=BadgeCriterion.choices)
    plan = serializers.PrimaryKeyRelatedField(
        queryset=TrainingPlan.objects.all(), required=False, allow_null=True
    )
    kpi = serializers.PrimaryKeyRelatedField(
        queryset=Kpi.objects.all(), required=False, allow_null=True
    )
    threshold = serializers.IntegerField(min_value=0, max_value=100000, required=False)
    points = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    is_active = serializers.BooleanField(required=False)


class BadgeAwardSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    badge_name = serializers.CharField(source="badge.display_name", read_only=True)

    class Meta:
        model = BadgeAward
        fields = [
            "id",
            "badge",
            "badge_name",
            "staff",
            "staff_name",
            "awarded_on",
            "awarded_by",
            "evidence",
        ]
        read_only_fields = fields


class BadgeAwardInputSerializer(serializers.Serializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=selectors.awardable_staff())
    evidence = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CommendationSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.display_name", read_only=True)

    class Meta:
        model = TeamCommendation
        fields = [
            "id",
            "unit",
            "unit_name",
            "title",
            "citation",
            "value",
            "points_each",
            "awarded_on",
            "awarded_by",
        ]
        read_only_fields = fields


class CommendationInputSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.filter(is_active=True))
    title = serializers.CharField(max_length=200)
    citation = serializers.CharField(max_length=5000)
    value = serializers.PrimaryKeyRelatedField(
        queryset=CompanyValue.objects.filter(is_active=True), required=False, allow_null=True
    )
    points_each = serializers.IntegerField(
        min_value=0, max_value=MAX_COMMENDATION_POINTS, required=False
    )


class RecognitionSettingSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.display_name", read_only=True)

    class Meta:
        model = RecognitionSetting
        fields = ["id", "unit", "unit_name", "leaderboard_enabled", "feed_enabled"]
        read_only_fields = fields


class RecognitionSettingInputSerializer(serializers.Serializer):
    leaderboard_enabled = serializers.BooleanField(required=False)
    feed_enabled = serializers.BooleanField(required=False)


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


# Viewsets ---------------------------------------------------------------------------------


class KudosViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The kudos of the recognition feed, newest first (without teams that switched the feed
    off); ``POST`` gives kudos as the caller (at most five a day, 1 to 50 points)."""

    queryset = Kudos.objects.all()
    serializer_class = KudosSerializer
    filterset_fields = ["recipient", "sender", "value"]

    def get_queryset(self):
        return selectors.kudos_feed(user=self.request.user)

    @extend_schema(request=KudosInputSerializer, responses={201: KudosSerializer})
    def create(self, request: Request) -> Response:
        kudos = services.kudos_give(actor=request.user, **_valid(KudosInputSerializer, request))
        return Response(KudosSerializer(kudos).data, status=status.HTTP_201_CREATED)


class CompanyValueViewSet(ScopedModelViewSet):
    """Company values kudos are tied to: everyone reads them, HR maintains them."""

    queryset = CompanyValue.objects.all()
    serializer_class = CompanyValueSerializer
    filterset_fields = ["is_active"]
    ordering = ["order", "code"]

    @extend_schema(request=CompanyValueInputSerializer, responses={201: CompanyValueSerializer})
    def create(self, request: Request) -> Response:
        value = services_recognition.value_create(
            actor=request.user, **_valid(CompanyValueInputSerializer, request)
        )
        return Response(CompanyValueSerializer(value).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CompanyValueInputSerializer, responses=CompanyValueSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        value = self.get_object()
        data = _valid(CompanyValueInputSerializer, request, partial=True)
        value = services_recognition.value_update(actor=request.user, value=value, **data)
        return Response(CompanyValueSerializer(value).data)


class BadgeViewSet(ScopedModelViewSet):
    """Badges with their criterion and number of holders; HR creates and edits them and
    awards manual ones (``award``)."""

    queryset = Badge.objects.all()
    serializer_class = BadgeSerializer
    filterset_class = BadgeFilterSet
    ordering = ["code"]
    policy_actions = {"award": "view"}

    def get_queryset(self):
        return selectors.badge_list(user=self.request.user).order_by("code")

    def _out(self, badge: Badge, code: int = status.HTTP_200_OK) -> Response:
        return Response(BadgeSerializer(self.get_queryset().get(pk=badge.pk)).data, status=code)

    @extend_schema(request=BadgeInputSerializer, responses={201: BadgeSerializer})
    def create(self, request: Request) -> Response:
        badge = services_recognition.badge_create(
            actor=request.user, **_valid(BadgeInputSerializer, request)
        )
        return self._out(badge, status.HTTP_201_CREATED)

    @extend_schema(request=BadgeInputSerializer, responses=BadgeSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        badge = self.get_object()
        data = _valid(BadgeInputSerializer, request, partial=True)
        return self._out(services_recognition.badge_update(actor=request.user, badge=badge, **data))

    @extend_schema(request=BadgeAwardInputSerializer, responses={201: BadgeAwardSerializer})
    @action(detail=True, methods=["post"])
    def award(self, request: Request, pk: str | None = None) -> Response:
        """Award a manual badge to a person by hand (HR); 400 for automatic badges."""
        badge = self.get_object()
        policy.require(request.user, "add", BadgeAward)
        award = services.badge_award(
            actor=request.user, badge=badge, **_valid(BadgeAwardInputSerializer, request)
        )
        return Response(BadgeAwardSerializer(award).data, status=status.HTTP_201_CREATED)


class BadgeAwardViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who holds which badge (public, like the feed), newest first."""

    queryset = BadgeAward.objects.all()
    serializer_class = BadgeAwardSerializer
    filterset_fields = ["badge", "staff"]

    def get_queryset(self):
        return selectors.badge_award_list(user=self.request.user).order_by("-awarded_on", "-pk")


class CommendationViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Team commendations (团队表彰); managers commend teams of their subtree, HR any team."""

    queryset = TeamCommendation.objects.all()
    serializer_class = CommendationSerializer
    filterset_class = CommendationFilterSet

    def get_queryset(self):
        return selectors.commendation_list(user=self.request.user).order_by("-awarded_on", "-pk")

    @extend_schema(request=CommendationInputSerializer, responses={201: CommendationSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(CommendationInputSerializer, request)
        data.setdefault("points_each", 0)
        commendation = services.commendation_award(actor=request.user, **data)
        return Response(CommendationSerializer(commendation).data, status=status.HTTP_201_CREATED)


class RecognitionSettingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Teams' own switches (rows exist where a team decided); ``PATCH /{unit id}/`` switches a
    unit's leaderboards or feed (the unit's managers, HR), creating its setting if needed."""

    queryset = RecognitionSetting.objects.all()
    serializer_class = RecognitionSettingSerializer
    lookup_field = "unit"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.recognition_setting_list(user=self.request.user).order_by("unit__path")

    @extend_schema(
        request=RecognitionSettingInputSerializer,
        responses=RecognitionSettingSerializer,
        parameters=[
            OpenApiParameter(
                "unit",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                OpenApiParameter.PATH,
                description="Org unit id",
            )
        ],
    )
    def partial_update(self, request: Request, unit: str | None = None) -> Response:
        unit_id = int(unit) if unit and unit.isdigit() and int(unit) <= MAX_ID else 0
        org_unit = policy.scoped_get(
            OrgUnit.objects.filter(is_active=True), request.user, pk=unit_id
        )
        data = _valid(RecognitionSettingInputSerializer, request)
        setting = services_recognition.recognition_setting_update(
            actor=request.user, unit=org_unit, **data
        )
        return Response(RecognitionSettingSerializer(setting).data)


# Leaderboards and the fairness review -----------------------------------------------------

BoardPersonSerializer = inline_serializer(
    "LeaderboardPerson",
    many=True,
    fields={
        "rank": serializers.IntegerField(),
        "staff": serializers.IntegerField(),
        "name": serializers.CharField(),
        "unit": serializers.IntegerField(),
        "unit_name": serializers.CharField(),
        "points": serializers.IntegerField(),
    },
)
BoardTeamSerializer = inline_serializer(
    "LeaderboardTeam",
    many=True,
    fields={
        "rank": serializers.IntegerField(),
        "unit": serializers.IntegerField(),
        "name": serializers.CharField(),
        "people": serializers.IntegerField(),
        "points": serializers.IntegerField(),
    },
)
LeaderboardSerializer = inline_serializer(
    "Leaderboard",
    fields={
        "period": serializers.ChoiceField(choices=selectors.PERIODS),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "enabled": serializers.BooleanField(
            help_text="False when the caller's team switched leaderboards off (no boards)."
        ),
        "my_points": serializers.IntegerField(allow_null=True),
        "people": BoardPersonSerializer,
        "teams": BoardTeamSerializer,
    },
)


class LeaderboardView(APIView):
    """Recognition points this month or quarter, top ten people and teams."""

    @extend_schema(
        responses=LeaderboardSerializer,
        parameters=[
            OpenApiParameter(
                "period", str, OpenApiParameter.QUERY, enum=list(selectors.PERIODS), default="month"
            )
        ],
    )
    def get(self, request: Request) -> Response:
        period = request.query_params.get("period", "month")
        if period not in selectors.PERIODS:
            raise serializers.ValidationError({"period": ["month or quarter"]})
        board = selectors.leaderboard(user=request.user, period=period)
        return Response(
            {
                "period": board.period,
                "start": board.start,
                "end": board.end,
                "enabled": board.enabled,
                "my_points": board.my_points,
                "people": [
                    {
                        "rank": row.rank,
                        "staff": row.obj.pk,
                        "name": row.obj.display_name,
                        "unit": row.obj.unit_id,
                        "unit_name": row.obj.unit.display_name,
                        "points": row.points,
                    }
                    for row in board.people
                ],
                "teams": [
                    {
                        "rank": row.rank,
                        "unit": row.obj.pk,
                        "name": row.obj.display_name,
                        "people": row.people,
                        "points": row.points,
                    }
                    for row in board.teams
                ],
            }
        )


class FairnessQuerySerializer(serializers.Serializer):
    cycle = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    margin = serializers.IntegerField(
        min_value=1,
        max_value=100,
        default=round(fairness.DEFAULT_MARGIN * 100),
        help_text="Percentage points beyond which a group is flagged.",
    )
    min_group = serializers.IntegerField(
        min_value=fairness.MIN_GROUP_FLOOR,
        max_value=10000,
        default=fairness.DEFAULT_MIN_GROUP,
        help_text="Smaller groups are returned without their rate (never fewer than 3).",
    )


FairnessGroupSerializer = inline_serializer(
    "FairnessGroup",
    many=True,
    fields={
        "key": serializers.CharField(),
        "label": serializers.CharField(),
        "n": serializers.IntegerField(),
        "rate": serializers.FloatField(allow_null=True, help_text="Percent; null unless compared."),
        "difference": serializers.FloatField(
            allow_null=True, help_text="Percentage points from the overall rate."
        ),
        "flagged": serializers.BooleanField(),
        "status": serializers.ChoiceField(
            choices=[fairness.COMPARED, fairness.TOO_SMALL, fairness.WITHHELD]
        ),
    },
)
FairnessComparisonSerializer = inline_serializer(
    "FairnessComparison",
    many=True,
    fields={
        "measure": serializers.ChoiceField(choices=selectors_fairness.MEASURES),
        "label": serializers.CharField(),
        "n": serializers.IntegerField(),
        "overall": serializers.FloatField(allow_null=True),
        "groups": FairnessGroupSerializer,
    },
)
FairnessSerializer = inline_serializer(
    "FairnessReview",
    fields={
        "cycle": serializers.IntegerField(allow_null=True),
        "margin": serializers.IntegerField(),
        "min_group": serializers.IntegerField(),
        "people": serializers.IntegerField(),
        "gender_not_recorded": serializers.IntegerField(
            help_text="People of the cycle without a recorded gender (never shown as a group)."
        ),
        "dimensions": inline_serializer(
            "FairnessDimension",
            fields={
                "dimension": serializers.ChoiceField(choices=selectors_fairness.DIMENSIONS),
                "label": serializers.CharField(),
                "measures": FairnessComparisonSerializer,
            },
            many=True,
        ),
    },
)


def _fairness_payload(report: selectors_fairness.FairnessReport) -> list[dict[str, Any]]:
    percent = selectors_fairness.percent
    dimensions = []
    for dimension in report.dimensions:
        measures = []
        for index, (measure, label) in enumerate(report.measures):
            comparison = dimension.comparisons[index]
            measures.append(
                {
                    "measure": measure,
                    "label": label,
                    "n": comparison.n,
                    "overall": percent(comparison.overall),
                    "groups": [
                        {
                            "key": row.key,
                            "label": row.label,
                            "n": row.cells[index].n,
                            "rate": percent(row.cells[index].rate),
                            "difference": percent(row.cells[index].difference),
                            "flagged": row.cells[index].flagged,
                            "status": row.cells[index].status,
                        }
                        for row in dimension.rows
                        if row.cells[index] is not None
                    ],
                }
            )
        dimensions.append(
            {"dimension": dimension.key, "label": dimension.label, "measures": measures}
        )
    return dimensions


class FairnessView(APIView):
    """The fairness review of a review cycle (administrators, HR, auditors): grade, bonus and
    promotion rates by team, level, tenure band and gender (where recorded), flagged beyond the
    margin. Groups smaller than ``min_group`` come without their rate; people without a recorded
    gender are counted, never grouped. Without ``cycle``, the latest graded cycle."""

    @extend_schema(parameters=[FairnessQuerySerializer], responses=FairnessSerializer)
    def get(self, request: Request) -> Response:
        selectors_fairness.require_fairness(request.user)
        query = FairnessQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        settings = query.validated_data
        if "cycle" in settings:
            cycle = policy.scoped_get(ReviewCycle.objects.all(), request.user, pk=settings["cycle"])
        else:
            cycle = selectors_fairness.default_cycle(user=request.user)
        empty = {
            "cycle": None,
            "margin": settings["margin"],
            "min_group": settings["min_group"],
            "people": 0,
            "gender_not_recorded": 0,
            "dimensions": [],
        }
        if cycle is None:
            return Response(empty)
        report = selectors_fairness.fairness_report(
            user=request.user,
            cycle=cycle,
            margin=settings["margin"] / 100,
            min_group=settings["min_group"],
        )
        return Response(
            {
                **empty,
                "cycle": cycle.pk,
                "people": report.people,
                "gender_not_recorded": report.gender_not_recorded,
                "dimensions": _fairness_payload(report),
            }
        )


# Routes outside the router (computed answers, not collections).
paths = [
    path("leaderboard/", LeaderboardView.as_view(), name="incentives-leaderboard"),
    path("fairness/", FairnessView.as_view(), name="incentives-fairness"),
]


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the incentives router."""
    router.register("kudos", KudosViewSet, basename="incentives-kudos")
    router.register("values", CompanyValueViewSet, basename="incentives-value")
    router.register("badges", BadgeViewSet, basename="incentives-badge")
    router.register("badge-awards", BadgeAwardViewSet, basename="incentives-badge-award")
    router.register("commendations", CommendationViewSet, basename="incentives-commendation")
    router.register(
        "recognition-settings", RecognitionSettingViewSet, basename="incentives-recognition-setting"
    )
