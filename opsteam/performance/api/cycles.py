"""API of review cycles and reviews: what incentives and careers read grades from.

Reviewees see their own scores and grade only once the cycle is published (the same rule as the
pages); writable fields are explicit input serializers, never the model's fields.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.performance import selectors, services_cycles
from opsteam.performance.choices import CycleStage, PeriodKind
from opsteam.performance.models import Appeal, Review, ReviewCycle
from opsteam.surveys.models import Questionnaire

RESULT_FIELDS = selectors.RESULT_FIELDS


class ReviewCycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewCycle
        fields = [
            "id",
            "name",
            "name_en",
            "period_kind",
            "period_start",
            "period_end",
            "units",
            "positions",
            "people",
            "formula",
            "questionnaire",
            "feedback_campaign",
            "grade_bands",
            "guideline",
            "min_calibration_group",
            "max_adjustment",
            "veto_cap_grade",
            "stage",
            "data_deadline",
            "goal_deadline",
            "self_review_deadline",
            "feedback_deadline",
            "manager_review_deadline",
            "calibration_deadline",
            "acknowledgement_deadline",
            "launched_at",
            "scored_at",
            "published_at",
        ]
        read_only_fields = fields


class ReviewCycleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=160)
    name_en = serializers.CharField(max_length=160, required=False, allow_blank=True)
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices, required=False)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    units = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ReviewCycle.units.rel.model.objects.all()
    )
    positions = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ReviewCycle.positions.rel.model.objects.all()
    )
    people = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ReviewCycle.people.rel.model.objects.all()
    )
    formula = serializers.CharField(max_length=300, required=False)
    questionnaire = serializers.PrimaryKeyRelatedField(
        required=False, allow_null=True, queryset=Questionnaire.objects.all()
    )
    grade_bands = serializers.JSONField(required=False)
    guideline = serializers.JSONField(required=False)
    min_calibration_group = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    max_adjustment = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=20, required=False
    )
    veto_cap_grade = serializers.CharField(max_length=10, required=False)
    data_deadline = serializers.DateField(required=False, allow_null=True)
    goal_deadline = serializers.DateField(required=False, allow_null=True)
    self_review_deadline = serializers.DateField(required=False, allow_null=True)
    feedback_deadline = serializers.DateField(required=False, allow_null=True)
    manager_review_deadline = serializers.DateField(required=False, allow_null=True)
    calibration_deadline = serializers.DateField(required=False, allow_null=True)
    acknowledgement_deadline = serializers.DateField(required=False, allow_null=True)


class StageInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=CycleStage.choices)


class LaunchResultSerializer(serializers.Serializer):
    reviews_created = serializers.IntegerField()


class ReviewSerializer(serializers.ModelSerializer):
    """A review; the result fields are null for a reviewee before publication."""

    employee_no = serializers.CharField(source="staff.employee_no", read_only=True)
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    result_visible = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "cycle",
            "staff",
            "employee_no",
            "staff_name",
            "unit",
            "position",
            "level",
            "reviewer",
            "status",
            "self_rating",
            "self_comment",
            "result_visible",
            *RESULT_FIELDS,
            "self_submitted_at",
            "manager_submitted_at",
            "acknowledged_at",
        ]
        read_only_fields = fields

    def get_result_visible(self, review: Review) -> bool:
        return selectors.result_visible(review, self.context["request"].user)

    def to_representation(self, review: Review) -> dict[str, Any]:
        data = super().to_representation(review)
        if not data["result_visible"]:
            for name in RESULT_FIELDS:
                data[name] = None
        return data


class SelfReviewInputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    comment = serializers.CharField()


class ManagerReviewInputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField()
    potential = serializers.IntegerField(min_value=1, max_value=3, required=False, allow_null=True)
    adjustment = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=0)
    adjustment_reason = serializers.CharField(required=False, allow_blank=True, default="")


class GradeInputSerializer(serializers.Serializer):
    grade = serializers.CharField(max_length=10)
    justification = serializers.CharField()


class AppealInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = [
            "id",
            "review",
            "reason",
            "filed_at",
            "status",
            "outcome",
            "new_grade",
            "resolved_at",
        ]
        read_only_fields = fields


class AppealResolveInputSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    outcome = serializers.CharField()
    new_grade = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")


class ReviewCycleViewSet(ScopedModelViewSet):
    """Review cycles: everyone reads them; HR and administrators create, launch and move them."""

    queryset = ReviewCycle.objects.prefetch_related("units", "positions", "people")
    serializer_class = ReviewCycleSerializer
    ordering = ["-period_start"]
    policy_actions = {"launch": "change", "stage": "change"}

    @extend_schema(request=ReviewCycleInputSerializer, responses={201: ReviewCycleSerializer})
    def create(self, request: Request) -> Response:
        data = ReviewCycleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services_cycles.cycle_create(actor=request.user, **data.validated_data)
        return Response(ReviewCycleSerializer(cycle).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReviewCycleInputSerializer, responses=ReviewCycleSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        cycle = self.get_object()
        data = ReviewCycleInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        cycle = services_cycles.cycle_update(actor=request.user, cycle=cycle, **data.validated_data)
        return Response(ReviewCycleSerializer(cycle).data)

    @extend_schema(request=None, responses=LaunchResultSerializer)
    @action(detail=True, methods=["post"])
    def launch(self, request: Request, pk: str | None = None) -> Response:
        """Create every review of the cycle and open goal setting."""
        count = services_cycles.cycle_launch(actor=request.user, cycle=self.get_object())
        return Response({"reviews_created": count})

    @extend_schema(request=StageInputSerializer, responses=ReviewCycleSerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request: Request, pk: str | None = None) -> Response:
        """Move the cycle to the next (or previous) stage as the state machine allows."""
        data = StageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services_cycles.cycle_advance(
            actor=request.user, cycle=self.get_object(), stage=data.validated_data["stage"]
        )
        return Response(ReviewCycleSerializer(cycle).data)


class ReviewViewSet(ScopedModelViewSet):
    """Reviews the caller may see: their own, their subtree's (managers), all (HR, auditors).

    Filter with ``?cycle=<id>``; grades and performance coefficients are what incentives and
    careers read.
    """

    queryset = Review.objects.select_related("cycle", "staff")
    serializer_class = ReviewSerializer
    ordering = ["cycle_id", "staff_id"]
    policy_actions = {
        "self_review": "self_review",
        "manager_review": "manager_review",
        "grade": "calibrate",
        "acknowledge": "acknowledge",
        "appeal": "acknowledge",
    }

    def get_queryset(self):
        queryset = super().get_queryset()
        cycle = self.request.query_params.get("cycle")
        if self.action == "list" and cycle and cycle.isdigit():
            queryset = queryset.filter(cycle_id=int(cycle))
        return queryset

    def _respond(self, review: Review) -> Response:
        review = Review.objects.select_related("cycle", "staff").get(pk=review.pk)
        return Response(ReviewSerializer(review, context={"request": self.request}).data)

    @extend_schema(request=SelfReviewInputSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], url_path="self-review")
    def self_review(self, request: Request, pk: str | None = None) -> Response:
        data = SelfReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services_cycles.review_self_submit(
            actor=request.user, review=self.get_object(), **data.validated_data
        )
        return self._respond(review)

    @extend_schema(request=ManagerReviewInputSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], url_path="manager-review")
    def manager_review(self, request: Request, pk: str | None = None) -> Response:
        data = ManagerReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services_cycles.review_manager_submit(
            actor=request.user, review=self.get_object(), **data.validated_data
        )
        return self._respond(review)

    @extend_schema(request=GradeInputSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request: Request, pk: str | None = None) -> Response:
        """Calibration: change the grade with a justification (audited)."""
        data = GradeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services_cycles.grade_change(
            actor=request.user, review=self.get_object(), **data.validated_data
        )
        return self._respond(review)

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        review = services_cycles.review_acknowledge(actor=request.user, review=self.get_object())
        return self._respond(review)

    @extend_schema(request=AppealInputSerializer, responses={201: AppealSerializer})
    @action(detail=True, methods=["post"])
    def appeal(self, request: Request, pk: str | None = None) -> Response:
        data = AppealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services_cycles.appeal_file(
            actor=request.user, review=self.get_object(), reason=data.validated_data["reason"]
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealViewSet(ScopedModelViewSet):
    """Appeals the caller may see; HR resolves them."""

    queryset = Appeal.objects.all()
    serializer_class = AppealSerializer
    ordering = ["-filed_at"]
    policy_actions = {"resolve": "resolve_appeal"}

    @extend_schema(request=AppealResolveInputSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        data = AppealResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services_cycles.appeal_resolve(
            actor=request.user, appeal=self.get_object(), **data.validated_data
        )
        return Response(AppealSerializer(appeal).data)
