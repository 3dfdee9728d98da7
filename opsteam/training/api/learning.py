"""Training API: enrolments (assign, enrol myself, complete, withdraw), behaviour checks, my
learning summary and the effectiveness report of a course."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from opsteam.core import policy
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.org.models import Staff
from opsteam.training import selectors, selectors_effectiveness, services
from opsteam.training.models import BehaviourCheck, Course, Enrolment


class EnrolmentSerializer(serializers.ModelSerializer):
    course_code = serializers.CharField(source="course.code", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "staff",
            "course",
            "course_code",
            "plan_assignment",
            "source",
            "status",
            "due_on",
            "started_on",
            "completed_on",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Enrolment) -> bool:
        from django.utils import timezone

        return obj.is_overdue(timezone.localdate())


class AssignInputSerializer(serializers.Serializer):
    staff = serializers.IntegerField()
    course = serializers.IntegerField()
    due_on = serializers.DateField(required=False, allow_null=True)


class EnrolSelfInputSerializer(serializers.Serializer):
    course = serializers.IntegerField()


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


def _course(user: Any, pk: int) -> Course:
    return policy.scoped_get(Course.objects.all(), user, pk=pk)


class EnrolmentViewSet(ScopedModelViewSet):
    """People's courses: scoped to the user's own, their team's (managers) or all (HR)."""

    queryset = Enrolment.objects.select_related("course").order_by("due_on", "pk")
    serializer_class = EnrolmentSerializer
    policy_actions = {"complete": "change", "cancel": "change", "enrol": "enrol_self"}
    filterset_fields = ["staff", "course", "status"]

    @extend_schema(request=AssignInputSerializer, responses={201: EnrolmentSerializer})
    def create(self, request: Request) -> Response:
        data = AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        staff = policy.scoped_get(
            Staff.objects.all(), request.user, pk=data.validated_data["staff"]
        )
        enrolment = services.enrolment_assign(
            actor=request.user,
            staff=staff,
            course=_course(request.user, data.validated_data["course"]),
            due_on=data.validated_data.get("due_on"),
        )
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EnrolSelfInputSerializer, responses={201: EnrolmentSerializer})
    @action(detail=False, methods=["post"])
    def enrol(self, request: Request) -> Response:
        """Enrol myself in an open course."""
        data = EnrolSelfInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = services.enrol_self(
            actor=request.user, course=_course(request.user, data.validated_data["course"])
        )
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        enrolment = services.enrolment_complete(actor=request.user, enrolment=self.get_object())
        return Response(EnrolmentSerializer(enrolment).data)

    @extend_schema(request=CancelInputSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        enrolment = self.get_object()
        data = CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = services.enrolment_cancel(
            actor=request.user, enrolment=enrolment, reason=data.validated_data["reason"]
        )
        return Response(EnrolmentSerializer(enrolment).data)


class BehaviourCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = BehaviourCheck
        fields = [
            "id",
            "enrolment",
            "checkpoint_days",
            "due_on",
            "observer",
            "status",
            "ratings",
            "comment",
            "observed_at",
        ]
        read_only_fields = fields


class ObserveInputSerializer(serializers.Serializer):
    ratings = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5))
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class BehaviourCheckViewSet(ScopedModelViewSet):
    """Managers' 30/60/90-day observations of trainees."""

    queryset = BehaviourCheck.objects.order_by("due_on", "pk")
    serializer_class = BehaviourCheckSerializer
    policy_actions = {"observe": "observe"}
    filterset_fields = ["enrolment", "status", "observer"]

    @extend_schema(request=ObserveInputSerializer, responses=BehaviourCheckSerializer)
    @action(detail=True, methods=["post"])
    def observe(self, request: Request, pk: str | None = None) -> Response:
        check = self.get_object()
        data = ObserveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.behaviour_check_record(
            actor=request.user,
            check=check,
            ratings=dict(data.validated_data["ratings"]),
            comment=data.validated_data["comment"],
        )
        return Response(BehaviourCheckSerializer(check).data)


MyLearningSerializer = inline_serializer(
    "MyLearning",
    fields={
        "open": EnrolmentSerializer(many=True),
        "overdue": EnrolmentSerializer(many=True),
        "completed": EnrolmentSerializer(many=True),
        "hours": serializers.DecimalField(max_digits=8, decimal_places=1),
        "recommended_courses": serializers.ListField(child=serializers.IntegerField()),
    },
)


class MyLearningView(APIView):
    """My learning in one call: open, overdue and completed courses, hours, recommendations."""

    @extend_schema(responses=MyLearningSerializer)
    def get(self, request: Request) -> Response:
        data = selectors.my_learning(user=request.user)
        return Response(
            {
                "open": EnrolmentSerializer(data["open"], many=True).data,
                "overdue": EnrolmentSerializer(data["overdue"], many=True).data,
                "completed": EnrolmentSerializer(data["completed"], many=True).data,
                "hours": str(data["hours"]),
                "recommended_courses": sorted(
                    {course.pk for gap in data["gaps"] for course in gap.courses}
                ),
            }
        )


EffectivenessSerializer = inline_serializer(
    "CourseEffectiveness",
    fields={
        "course": serializers.IntegerField(),
        "reaction": serializers.DictField(),
        "learning": serializers.DictField(),
        "behaviour": serializers.DictField(),
        "results": serializers.DictField(),
    },
)


def _plain(result: Any) -> dict[str, Any] | None:
    """An engine result as JSON-friendly numbers (arrays to lists, numpy scalars to floats)."""
    if result is None:
        return None
    import numpy as np

    out: dict[str, Any] = {}
    for name in result.__slots__ if hasattr(result, "__slots__") else vars(result):
        value = getattr(result, name)
        if isinstance(value, np.ndarray):
            value = [None if (isinstance(v, float) and np.isnan(v)) else v for v in value.tolist()]
        elif isinstance(value, np.generic):
            value = value.item()
        out[name] = value
    return out


class CourseEffectivenessViewSet(viewsets.ViewSet):
    """The four-level effectiveness report of a course (HR, administrators, auditors)."""

    @extend_schema(
        responses=EffectivenessSerializer,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Course id")],
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        course = _course(request.user, int(pk)) if str(pk).isdigit() else None
        if course is None:
            from rest_framework.exceptions import NotFound

            raise NotFound
        policy.require(request.user, "report", course)
        kpi = request.query_params.get("kpi", "")
        report = selectors_effectiveness.course_report(
            course=course, kpi_id=int(kpi) if kpi.isdigit() else None
        )
        results = report["results"]
        return Response(
            {
                "course": course.pk,
                "reaction": {
                    key: value
                    for key, value in report["reaction"].items()
                    if key not in ("chart", "summary")
                },
                "learning": _plain(report["learning"]["summary"]) or {},
                "behaviour": _plain(report["behaviour"]["summary"]) or {},
                "results": {
                    "kpi": results.kpi.pk if results.kpi else None,
                    "window_days": results.window_days,
                    "reason": results.reason,
                    **(_plain(results.did) or {}),
                },
            }
        )


TeamRowsSerializer = inline_serializer(
    "TeamLearningRow",
    many=True,
    fields={
        "staff": serializers.IntegerField(),
        "employee_no": serializers.CharField(),
        "name": serializers.CharField(),
        "unit": serializers.CharField(),
        "assigned": serializers.IntegerField(),
        "completed": serializers.IntegerField(),
        "overdue": serializers.IntegerField(),
        "open": serializers.IntegerField(),
        "completion_rate": serializers.FloatField(allow_null=True),
        "hours": serializers.DecimalField(max_digits=8, decimal_places=1),
    },
)


class TeamLearningView(APIView):
    """Each person the user leads (everyone for HR): courses assigned, done, overdue, hours."""

    @extend_schema(responses=TeamRowsSerializer)
    def get(self, request: Request) -> Response:
        policy.require(request.user, "list", Enrolment)
        rows = selectors.team_learning(user=request.user)
        return Response(
            [
                {
                    "staff": row["staff"].pk,
                    "employee_no": row["staff"].employee_no,
                    "name": row["staff"].display_name,
                    "unit": row["staff"].unit.display_name if row["staff"].unit else "",
                    **{k: row[k] for k in ("assigned", "completed", "overdue", "open")},
                    "completion_rate": row["completion_rate"],
                    "hours": str(row["hours"]),
                }
                for row in rows
            ]
        )


OverviewSerializer = inline_serializer(
    "TrainingOverview",
    fields={
        "year": serializers.IntegerField(),
        "totals": serializers.DictField(),
        "teams": serializers.ListField(child=serializers.DictField()),
        "courses": serializers.ListField(child=serializers.DictField()),
    },
)


class OverviewView(APIView):
    """HR's overview: completion and overdue rates and hours by team, figures per course."""

    @extend_schema(
        responses=OverviewSerializer,
        parameters=[OpenApiParameter("year", int, OpenApiParameter.QUERY, required=False)],
    )
    def get(self, request: Request) -> Response:
        policy.require(request.user, "report", Course)
        year = request.query_params.get("year", "")
        data = selectors.overview(
            user=request.user, year=int(year) if year.isdigit() and len(year) == 4 else None
        )

        def plain(row: dict[str, Any], key: str) -> dict[str, Any]:
            item = row[key]
            values = {k: v for k, v in row.items() if k != key}
            values = {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}
            return {key: item.pk, "code": getattr(item, "code", ""), "name": str(item), **values}

        return Response(
            {
                "year": data["year"],
                "totals": {
                    k: str(v) if isinstance(v, Decimal) else v for k, v in data["totals"].items()
                },
                "teams": [plain(row, "unit") for row in data["teams"]],
                "courses": [plain(row, "course") for row in data["courses"]],
            }
        )


# Routes outside the router (single objects, not collections).
paths = [
    path("my-learning/", MyLearningView.as_view(), name="training-my-learning"),
    path("team-learning/", TeamLearningView.as_view(), name="training-team-learning"),
    path("overview/", OverviewView.as_view(), name="training-overview"),
]


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the training router."""
    router.register("enrolments", EnrolmentViewSet, basename="training-enrolment")
    router.register("behaviour-checks", BehaviourCheckViewSet, basename="training-behaviour-check")
    router.register("effectiveness", CourseEffectivenessViewSet, basename="training-effectiveness")
