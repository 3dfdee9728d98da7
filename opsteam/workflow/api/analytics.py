"""Workflow API, analytics: a process's analysis over a window (the engine's result as JSON),
the cases behind a directly-follows edge, and improvement actions (list, read, create, change
explicit fields; there is no delete: an action is cancelled).

Reads are scoped by the policy ("analyse" on the process for the analysis, "view" for
actions); every write goes through ``workflow.services_actions``. The evidence of an action is
never taken from the client: it is the bottleneck's snapshot from the server's own analysis.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.org.models import Process, Staff
from opsteam.workflow import selectors_analytics as selectors
from opsteam.workflow import services_actions as services
from opsteam.workflow.choices import ActionStatus
from opsteam.workflow.forms_analytics import (
    DEFAULT_DAYS,
    MAX_DAYS,
    ImprovementActionFilterSet,
    window_of,
)
from opsteam.workflow.models import ImprovementAction

ID = {"min_value": 1, "max_value": MAX_ID}
WINDOW_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: 90 days ago)"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, included (default: today)"),
]


class WindowQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"end": [_("The end comes before the start.")]})
        if (end - start).days > MAX_DAYS:
            raise serializers.ValidationError({"start": [_("Choose at most ten years.")]})
        return {"start": start, "end": end}


class EdgeQuerySerializer(WindowQuerySerializer):
    source = serializers.CharField(max_length=160)
    target = serializers.CharField(max_length=160)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        window = super().validate(attrs)
        return {**attrs, **window}


def _window(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


AnalysisSerializer = inline_serializer(
    "ProcessAnalysis",
    fields={
        "process": serializers.IntegerField(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "events": serializers.IntegerField(),
        "analysis": serializers.DictField(help_text="The engine's result (bottlenecks.Analysis)"),
    },
)
EdgeCaseSerializer = inline_serializer(
    "EdgeCase",
    fields={
        "case": serializers.CharField(),
        "work_item": serializers.IntegerField(allow_null=True),
        "times": serializers.DictField(help_text="The two events' times and the wait (seconds)"),
    },
    many=True,
)


class ProcessAnalysisView(APIView):
    """The analysis of a process's event log over a window: per-step and per-handoff times,
    throughput, cycle times, rework, SLA breaches, load, variants and the ranked bottlenecks
    with their evidence (HR, administrators, auditors and the owning unit's managers)."""

    @extend_schema(responses=AnalysisSerializer, parameters=WINDOW_PARAMETERS)
    def get(self, request: Request, pk: int) -> Response:
        process = selectors.visible_process(user=request.user, pk=pk)
        selectors.require_analyse(request.user, process)
        window = _window(WindowQuerySerializer, request)
        found = selectors.analysis(process, *window_of((window["start"], window["end"])))
        return Response(
            {
                "process": process.pk,
                "start": window["start"],
                "end": window["end"],
                "events": found.events,
                "analysis": selectors.jsonable(found.result.as_dict()),
            }
        )


class EdgeCasesView(APIView):
    """The cases in which ``target`` directly followed ``source`` in the window, longest wait
    first, with the work item when the case is one the user may see."""

    @extend_schema(
        responses=EdgeCaseSerializer,
        parameters=[
            *WINDOW_PARAMETERS,
            OpenApiParameter("source", OpenApiTypes.STR, required=True),
            OpenApiParameter("target", OpenApiTypes.STR, required=True),
            OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        process = selectors.visible_process(user=request.user, pk=pk)
        selectors.require_analyse(request.user, process)
        query = _window(EdgeQuerySerializer, request)
        start, end = window_of((query["start"], query["end"]))
        rows = selectors.edge_cases(
            request.user,
            process,
            start,
            end,
            query["source"],
            query["target"],
            limit=query["limit"],
        )
        return Response(
            [
                {
                    "case": str(row["case"]),
                    "work_item": row["item"].pk if row.get("item") else None,
                    "times": selectors.jsonable(
                        {k: v for k, v in row.items() if k not in ("case", "item")}
                    ),
                }
                for row in rows
            ]
        )


class ImprovementActionSerializer(serializers.ModelSerializer):
    process_code = serializers.CharField(
        source="process.code", read_only=True, default=None, allow_null=True
    )
    owner_name = serializers.CharField(
        source="owner.display_name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ImprovementAction
        fields = [
            "id",
            "process",
            "process_code",
            "review",
            "section",
            "title",
            "description",
            "bottleneck_key",
            "evidence",
            "owner",
            "owner_name",
            "due_date",
            "status",
            "effective_date",
            "result_note",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ImprovementActionCreateInputSerializer(serializers.Serializer):
    process = serializers.IntegerField(**ID)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    bottleneck_key = serializers.CharField(
        max_length=340,
        required=False,
        allow_blank=True,
        help_text="A bottleneck of the analysis of the window (its evidence is stored).",
    )
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    owner = serializers.IntegerField(**ID, required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)


class ImprovementActionUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True)
    owner = serializers.IntegerField(**ID, allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    effective_date = serializers.DateField(allow_null=True)
    result_note = serializers.CharField(allow_blank=True)


def _staff(pk: int | None) -> Staff | None:
    if pk is None:
        return None
    staff = Staff.objects.filter(pk=pk).first()
    if staff is None:
        raise serializers.ValidationError({"owner": [_("Unknown id: {ids}.").format(ids=pk)]})
    return staff


class ImprovementActionViewSet(ScopedModelViewSet):
    """Improvement actions (PDCA): process owners create and change them, an operator who owns
    one reports on it (status, effective date, result)."""

    queryset = ImprovementAction.objects.select_related("process", "owner")
    serializer_class = ImprovementActionSerializer
    filterset_class = ImprovementActionFilterSet
    ordering_fields = ["created_at", "due_date", "status"]
    ordering = ["-created_at"]

    def _out(self, action: ImprovementAction, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.queryset.get(pk=action.pk)).data, status=code)

    @extend_schema(
        request=ImprovementActionCreateInputSerializer,
        responses={201: ImprovementActionSerializer},
    )
    def create(self, request: Request) -> Response:
        data = ImprovementActionCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        data = dict(data.validated_data)
        process = Process.objects.select_related("owner_unit").filter(pk=data["process"]).first()
        if process is None:
            raise serializers.ValidationError(
                {"process": [_("Unknown id: {ids}.").format(ids=data["process"])]}
            )
        services.require_on_process(request.user, "add", ImprovementAction, process)
        key, evidence, bottleneck = data.get("bottleneck_key") or "", {}, None
        if key:
            end = data.get("end") or timezone.localdate()
            start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
            found = selectors.analysis(process, *window_of((start, end)))
            bottleneck = selectors.find_bottleneck(found, key)
            if bottleneck is None:
                raise serializers.ValidationError(
                    {"bottleneck_key": [_("This bottleneck is not in the analysis of the window.")]}
                )
            evidence = selectors.bottleneck_snapshot(bottleneck, found.people)
            evidence["window"] = {"start": start.isoformat(), "end": end.isoformat()}
        title = data.get("title") or (
            selectors.default_action_title(bottleneck) if bottleneck is not None else ""
        )
        action = services.improvement_action_create(
            actor=request.user,
            process=process,
            title=title,
            description=data.get("description")
            or (selectors.evidence_text(bottleneck) if bottleneck is not None else ""),
            bottleneck_key=key,
            evidence=evidence,
            owner=_staff(data.get("owner")),
            due_date=data.get("due_date"),
        )
        return self._out(action, status.HTTP_201_CREATED)

    @extend_schema(
        request=ImprovementActionUpdateInputSerializer, responses=ImprovementActionSerializer
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        action = self.get_object()
        data = ImprovementActionUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "owner" in fields:
            fields["owner"] = _staff(fields["owner"])
        action = services.improvement_action_update(actor=request.user, action=action, **fields)
        return self._out(action)


paths = [
    path(
        "processes/<int:pk>/analysis/",
        ProcessAnalysisView.as_view(),
        name="workflow-process-analysis",
    ),
    path(
        "processes/<int:pk>/analysis/edge/",
        EdgeCasesView.as_view(),
        name="workflow-process-analysis-edge",
    ),
]


def register(router: DefaultRouter) -> None:
    """Register this area's viewsets on the workflow router."""
    router.register(
        "improvement-actions", ImprovementActionViewSet, basename="workflow-improvement-action"
    )
