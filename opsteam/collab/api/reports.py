"""Collaboration API: work reports, their templates and comments, and wellbeing check-ins.

Reads are scoped by the policy; writes go through the services. A check-in is readable by
its author and their direct manager only; team figures are not exposed row by row.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.collab import (
    selectors_reports,
    selectors_wellbeing,
    services_reports,
    services_wellbeing,
)
from opsteam.collab.forms_reports import ReportFilterSet
from opsteam.collab.models_reports import (
    ReportComment,
    ReportKind,
    ReportTemplate,
    WellbeingCheckIn,
    WorkReport,
)
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet

MAX_KEYS = 12


class ReportSectionSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=40)
    label = serializers.CharField(max_length=80)
    required = serializers.BooleanField(required=False, default=False)


class ReportMetricSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=40)
    label = serializers.CharField(max_length=80)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    kpi = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class ReportTemplateSerializer(serializers.ModelSerializer):
    sections = ReportSectionSerializer(many=True, read_only=True)
    metrics = ReportMetricSerializer(many=True, read_only=True)
    unit_code = serializers.CharField(
        source="unit.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ReportTemplate
        fields = [
            "id",
            "unit",
            "unit_code",
            "kind",
            "name",
            "sections",
            "metrics",
            "due_time",
            "due_weekday",
            "updated_at",
        ]
        read_only_fields = fields


class ReportTemplateViewSet(ScopedReadOnlyViewSet):
    """Report templates per team and kind (without a unit: the company default)."""

    queryset = ReportTemplate.objects.all()
    serializer_class = ReportTemplateSerializer
    filter_backends: list[Any] = []

    def get_queryset(self):
        return selectors_reports.template_list(user=self.request.user).order_by("kind", "id")


class ReportCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(
        source="author.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ReportComment
        fields = ["id", "parent", "author_name", "body", "created_at"]
        read_only_fields = fields


class WorkReportSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    sections = serializers.DictField(child=serializers.CharField(), read_only=True)
    metrics = serializers.DictField(child=serializers.CharField(), read_only=True)
    period = serializers.CharField(source="period_label", read_only=True)

    class Meta:
        model = WorkReport
        fields = [
            "id",
            "staff",
            "staff_name",
            "kind",
            "period_start",
            "period",
            "status",
            "sections",
            "metrics",
            "has_blockers",
            "due_at",
            "submitted_at",
            "is_late",
            "read_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReportInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    period_start = serializers.DateField(required=False)
    sections = serializers.DictField(child=serializers.CharField(max_length=5000, allow_blank=True))
    metrics = serializers.DictField(
        child=serializers.DecimalField(
            max_digits=16, decimal_places=4, min_value=-(10**11), max_value=10**11
        ),
        required=False,
        default=dict,
    )
    submit = serializers.BooleanField(required=False, default=False)

    def validate_sections(self, value: dict) -> dict:
        if len(value) > MAX_KEYS:
            raise serializers.ValidationError(f"At most {MAX_KEYS} sections.")
        return value

    def validate_metrics(self, value: dict) -> dict:
        if len(value) > MAX_KEYS:
            raise serializers.ValidationError(f"At most {MAX_KEYS} key numbers.")
        return value


class ReportCommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=2000)
    parent = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )


class WorkReportViewSet(ScopedModelViewSet):
    """Reports in scope (``?q=`` text, ``staff``, ``unit``, ``kind``, ``date_from``/``date_to``,
    ``blockers``). POST writes the caller's own report of a period (``submit`` to submit);
    ``submit``, ``read`` and ``comments`` act on one report."""

    queryset = WorkReport.objects.all()
    serializer_class = WorkReportSerializer
    filterset_class = ReportFilterSet
    ordering_fields = ["period_start", "submitted_at"]
    ordering = ["-period_start", "-id"]
    policy_actions = {"submit": "submit", "read": "mark_read", "comments": "view"}

    def get_queryset(self):
        return selectors_reports.report_list(user=self.request.user)

    def get_object(self):
        obj = super().get_object()
        if self.action == "comments" and self.request.method == "POST":
            from opsteam.core import policy

            policy.require(self.request.user, "comment", obj)
        return obj

    def _out(self, report: WorkReport, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            WorkReportSerializer(self.get_queryset().get(pk=report.pk)).data, status=code
        )

    @extend_schema(request=ReportInputSerializer, responses={201: WorkReportSerializer})
    def create(self, request: Request) -> Response:
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.setdefault("period_start", timezone.localdate())
        report = services_reports.report_save(actor=request.user, **values)
        return self._out(report, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=WorkReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        report = services_reports.report_submit(actor=request.user, report=self.get_object())
        return self._out(report)

    @extend_schema(request=None, responses=WorkReportSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        report = services_reports.report_mark_read(actor=request.user, report=self.get_object())
        return self._out(report)

    @extend_schema(methods=["GET"], request=None, responses=ReportCommentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=ReportCommentInputSerializer,
        responses={201: ReportCommentSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        if request.method == "GET":
            rows = report.comments.select_related("author").order_by("created_at", "id")
            return Response(ReportCommentSerializer(rows, many=True).data)
        data = ReportCommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data["parent"] is not None:
            parent = ReportComment.objects.filter(
                pk=data.validated_data["parent"], report=report
            ).first()
            if parent is None:
                raise serializers.ValidationError(
                    {"parent": ["Reply to a comment of this report."]}
                )
        comment = services_reports.report_comment_add(
            actor=request.user, report=report, body=data.validated_data["body"], parent=parent
        )
        return Response(ReportCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class WellbeingCheckInSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)

    class Meta:
        model = WellbeingCheckIn
        fields = [
            "id",
            "staff",
            "staff_name",
            "week_start",
            "mood",
            "workload",
            "blockers",
            "wants_to_talk",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WellbeingCheckInInputSerializer(serializers.Serializer):
    mood = serializers.IntegerField(min_value=1, max_value=5)
    workload = serializers.IntegerField(min_value=1, max_value=5)
    blockers = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    wants_to_talk = serializers.BooleanField(required=False, default=False)


class CheckInViewSet(ScopedModelViewSet):
    """The caller's own check-ins and those shared with them as direct manager (nobody
    else's). POST writes the caller's check-in of this week."""

    queryset = WellbeingCheckIn.objects.all()
    serializer_class = WellbeingCheckInSerializer
    filter_backends: list[Any] = []

    def get_queryset(self):
        return selectors_wellbeing.checkin_list(user=self.request.user).order_by(
            "-week_start", "-id"
        )

    @extend_schema(
        request=WellbeingCheckInInputSerializer, responses={201: WellbeingCheckInSerializer}
    )
    def create(self, request: Request) -> Response:
        data = WellbeingCheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checkin = services_wellbeing.checkin_save(actor=request.user, **data.validated_data)
        return Response(
            WellbeingCheckInSerializer(self.get_queryset().get(pk=checkin.pk)).data,
            status=status.HTTP_201_CREATED,
        )


def register(router: DefaultRouter) -> None:
    """Register this area's viewsets."""
    router.register("report-templates", ReportTemplateViewSet, basename="collab-report-template")
    router.register("reports", WorkReportViewSet, basename="collab-report")
    router.register("checkins", CheckInViewSet, basename="collab-checkin")


paths: list = []
