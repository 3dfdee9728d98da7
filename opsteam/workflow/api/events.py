"""Workflow API, event log: push events (all or none, every problem with its index and field)
and read them back filtered by process, case, source and completion time.

``POST /api/workflow/events/`` takes either a list of events, each naming its ``process`` (id or
code) and ``source`` (a name), or ``{"process": ..., "source": ..., "events": [...]}`` where the
top-level values apply to every event that does not give its own. Token auth as everywhere
(``Authorization: Token <secret>``); only the process's owners may push (HR, administrators,
the owning unit's managers).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.core.api.errors import error_body
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.core.exceptions import ImportRejected
from opsteam.workflow import services_log
from opsteam.workflow.models import ProcessEvent
from opsteam.workflow.selectors_log import EventFilters, event_list


class ProcessEventSerializer(serializers.ModelSerializer):
    process_code = serializers.CharField(source="process.code", read_only=True)
    source_name = serializers.CharField(source="source.name", read_only=True, default=None)

    class Meta:
        model = ProcessEvent
        fields = [
            "id",
            "process",
            "process_code",
            "source",
            "source_name",
            "case_id",
            "step_name",
            "step",
            "resource",
            "staff",
            "started_at",
            "completed_at",
            "work_item",
        ]
        read_only_fields = fields


class EventInputSerializer(serializers.Serializer):
    """One pushed event (documentation: the service checks every field itself)."""

    case = serializers.CharField(max_length=120)
    step = serializers.CharField(max_length=160)
    resource = serializers.CharField(max_length=120, required=False, allow_blank=True)
    start = serializers.DateTimeField(required=False, allow_null=True)
    complete = serializers.DateTimeField()
    process = serializers.CharField(
        required=False, help_text="Process id or code (unless given for the whole request)."
    )
    source = serializers.CharField(
        max_length=120, required=False, help_text='Source name (default "API").'
    )


class EventPushInputSerializer(serializers.Serializer):
    process = serializers.CharField(required=False, help_text="Process id or code.")
    source = serializers.CharField(max_length=120, required=False)
    events = EventInputSerializer(many=True)


class EventQuerySerializer(serializers.Serializer):
    process = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    process_code = serializers.CharField(required=False, max_length=40)
    case = serializers.CharField(required=False, max_length=120)
    source = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


PushResultSerializer = inline_serializer(
    name="EventPushResult",
    fields={
        "created": serializers.IntegerField(),
        "skipped": serializers.IntegerField(help_text="Exact duplicates already in the source."),
        "sources": inline_serializer(
            name="EventPushSource",
            fields={
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "process": serializers.IntegerField(),
            },
            many=True,
        ),
    },
)


def _push_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API's error items, each naming the event's index and field."""
    items = []
    for error in errors:
        index, field = error.get("row"), error.get("column")
        attr = None
        if index is not None:
            attr = f"events.{index}.{field}" if field else f"events.{index}"
        items.append(
            {
                "code": error.get("code", "invalid"),
                "detail": error.get("reason", ""),
                "attr": attr,
                "index": index,
                "field": field,
                "value": error.get("value", ""),
            }
        )
    return items


class ProcessEventViewSet(ScopedModelViewSet):
    """The event log: read what the policy lets you see; push new events."""

    queryset = ProcessEvent.objects.all()
    serializer_class = ProcessEventSerializer
    filter_backends: list = []

    def get_queryset(self):
        if self.action != "list":
            return super().get_queryset().select_related("process", "source")
        query = EventQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        events = event_list(
            user=self.request.user,
            filters=EventFilters(
                case=data.get("case", ""),
                source=data.get("source"),
                since=data.get("since"),
                until=data.get("until"),
            ),
        )
        if "process" in data:
            events = events.filter(process_id=data["process"])
        if "process_code" in data:
            events = events.filter(process__code=data["process_code"])
        return events

    @extend_schema(
        parameters=[
            OpenApiParameter("process", OpenApiTypes.INT, description="Process id"),
            OpenApiParameter("process_code", OpenApiTypes.STR, description="Process code"),
            OpenApiParameter("case", OpenApiTypes.STR, description="One case"),
            OpenApiParameter("source", OpenApiTypes.INT, description="Source id"),
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Completed at or after"),
            OpenApiParameter("until", OpenApiTypes.DATETIME, description="Completed at or before"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=EventPushInputSerializer, responses={201: PushResultSerializer})
    def create(self, request: Request) -> Response:
        body = request.data
        process = source = None
        if isinstance(body, dict):
            process, source = body.get("process"), body.get("source")
            events = body.get("events")
        else:
            events = body
        if not isinstance(events, list) or not events:
            return Response(
                error_body(
                    "validation_error",
                    [
                        {
                            "code": "required",
                            "detail": _("Send a non-empty list of events."),
                            "attr": "events",
                        }
                    ],
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        if source is not None and not isinstance(source, str):
            source = str(source)
        try:
            result = services_log.events_push(
                actor=request.user, events=events, process=process, source_name=source
            )
        except ImportRejected as exc:
            return Response(
                error_body("validation_error", _push_errors(exc.errors)),
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {
                "created": result.created,
                "skipped": result.skipped,
                "sources": [
                    {"id": s.pk, "name": s.name, "process": s.process_id} for s in result.sources
                ],
            },
            status=status.HTTP_201_CREATED,
        )


paths: list = []


def register(router: DefaultRouter) -> None:
    """Register the event-log viewsets on the workflow router."""
    router.register("events", ProcessEventViewSet, basename="workflow-event")
