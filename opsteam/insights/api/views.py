"""The system review API: reviews (list, read, create, edit), their report, transitions and
improvement actions raised from a section (returned in workflow's action format)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.insights import selectors, services
from opsteam.insights.api.serializers import (
    ReviewActionInputSerializer,
    ReviewReportSerializer,
    SystemReviewCreateInputSerializer,
    SystemReviewSerializer,
    SystemReviewUpdateInputSerializer,
)
from opsteam.insights.models import SystemReview
from opsteam.org.models import Staff
from opsteam.workflow.api.analytics import ImprovementActionSerializer
from opsteam.workflow.models import ImprovementAction


class SystemReviewViewSet(ScopedModelViewSet):
    """System reviews: HR, administrators and directors create and run them (the services
    check it), managers and auditors read them; the fairness section follows its grant."""

    queryset = SystemReview.objects.all()
    serializer_class = SystemReviewSerializer
    ordering_fields = ["period_start", "status", "created_at"]
    ordering = ["-period_start"]
    # Writes are decided by the services (directors run reviews beyond the policy's "change").
    policy_actions = {
        "create": "view",
        "partial_update": "view",
        "start": "view",
        "close": "view",
        "raise_action": "view",
        "report": "view",
    }

    def get_queryset(self):
        if self.action == "list":
            return selectors.review_list(user=self.request.user)
        return super().get_queryset()

    def _out(self, review: SystemReview, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.review_list(user=self.request.user).get(pk=review.pk)
        return Response(SystemReviewSerializer(fresh).data, status=code)

    @extend_schema(
        request=SystemReviewCreateInputSerializer, responses={201: SystemReviewSerializer}
    )
    def create(self, request: Request) -> Response:
        selectors.require_steer(request.user)
        data = SystemReviewCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.system_review_create(actor=request.user, **data.validated_data)
        return self._out(review, status.HTTP_201_CREATED)

    @extend_schema(request=SystemReviewUpdateInputSerializer, responses=SystemReviewSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        selectors.require_steer(request.user, review)
        data = SystemReviewUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        review = services.system_review_update(
            actor=request.user, review=review, **data.validated_data
        )
        return self._out(review)

    @extend_schema(request=None, responses=SystemReviewSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        return self._out(services.system_review_start(actor=request.user, review=self.get_object()))

    @extend_schema(request=None, responses=SystemReviewSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._out(services.system_review_close(actor=request.user, review=self.get_object()))

    @extend_schema(responses=ReviewReportSerializer)
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        previous = selectors.previous_review(review)
        figures = selectors.report_for(review)
        sections = selectors.visible_sections(
            user=request.user,
            figures=figures,
            previous=selectors.report_for(previous) if previous is not None else None,
        )
        payload: dict[str, Any] = {
            "review": SystemReviewSerializer(review).data,
            "frozen": review.is_closed,
            "generated_at": figures.get("generated_at"),
            "previous": previous.pk if previous is not None else None,
            "sections": [{**section, "title": str(section["title"])} for section in sections],
        }
        return Response(ReviewReportSerializer(payload).data)

    @extend_schema(
        request=ReviewActionInputSerializer, responses={201: ImprovementActionSerializer}
    )
    @action(detail=True, methods=["post"], url_path="actions")
    def raise_action(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        selectors.require_steer(request.user, review)
        data = ReviewActionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        owner_id = fields.pop("owner", None)
        owner = None
        if owner_id is not None:
            owner = Staff.objects.filter(pk=owner_id).first()
            if owner is None:
                raise serializers.ValidationError(
                    {"owner": [_("Unknown id: {ids}.").format(ids=owner_id)]}
                )
        created = services.review_action_create(
            actor=request.user, review=review, owner=owner, **fields
        )
        fresh = ImprovementAction.objects.select_related("process", "owner").get(pk=created.pk)
        return Response(ImprovementActionSerializer(fresh).data, status=status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    router.register("reviews", SystemReviewViewSet, basename="insights-review")
