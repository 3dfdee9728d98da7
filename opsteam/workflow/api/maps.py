"""Workflow API, process maps: processes with their published map, map versions with nested
steps and transitions (open a new draft, change its note, publish, discard, the RACI check),
and the steps and transitions of drafts (create, change, delete).

Reads are scoped by the policy; writes go through ``workflow.services_maps`` with explicitly
declared input fields. An unknown id in input answers 400 naming the field; editing a
published or archived version answers 409.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from opsteam.org.models import Activity, Position, Process
from opsteam.workflow import selectors_maps, services_maps
from opsteam.workflow.forms_maps import (
    ProcessFilterSet,
    ProcessMapFilterSet,
    StepFilterSet,
    TransitionFilterSet,
)
from opsteam.workflow.models import ProcessMap, Step, Transition

ID = {"min_value": 1, "max_value": MAX_ID}
MINUTES = {"min_value": 0, "max_value": 10_000_000}


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _row(queryset: Any, pk: int | None, field: str) -> Any:
    """The row ``pk`` of ``queryset`` (None stays None); an unknown id is a 400 naming
    ``field``."""
    if pk is None:
        return None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise serializers.ValidationError({field: [_("Unknown id: {ids}.").format(ids=pk)]})
    return row


# Processes ------------------------------------------------------------------------------------


class ProcessOverviewSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    owner_unit_name = serializers.SerializerMethodField()
    published_map = serializers.IntegerField(
        source="published_map_id", read_only=True, allow_null=True
    )
    published_version = serializers.IntegerField(read_only=True, allow_null=True)
    latest_version = serializers.IntegerField(read_only=True, allow_null=True)
    steps_count = serializers.IntegerField(read_only=True)
    open_items = serializers.IntegerField(
        read_only=True, help_text="Open work items the requesting user may see."
    )

    class Meta:
        model = Process
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "owner_unit",
            "owner_unit_name",
            "published_map",
            "published_version",
            "latest_version",
            "steps_count",
            "open_items",
        ]
        read_only_fields = fields

    def get_owner_unit_name(self, obj: Process) -> str:
        return obj.owner_unit.display_name if obj.owner_unit_id else ""


class ProcessOverviewViewSet(ScopedReadOnlyViewSet):
    """Every process with its published map version, steps and open work items (the process
    list page). Processes are created in the organisation API (``/api/org/processes/``)."""

    queryset = Process.objects.all()
    serializer_class = ProcessOverviewSerializer
    filterset_class = ProcessFilterSet
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def get_queryset(self):
        return selectors_maps.process_list(user=self.request.user)


# Steps and transitions ------------------------------------------------------------------------


class StepSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    activity_code = serializers.CharField(source="activity.code", read_only=True, default=None)
    position_code = serializers.CharField(source="position.code", read_only=True, default=None)
    position_name = serializers.CharField(
        source="position.display_name", read_only=True, default=None
    )

    class Meta:
        model = Step
        fields = [
            "id",
            "map",
            "code",
            "name",
            "name_en",
            "display_name",
            "activity",
            "activity_code",
            "position",
            "position_code",
            "position_name",
            "target_minutes",
            "sop",
            "sop_url",
            "order",
            "x",
            "y",
        ]
        read_only_fields = fields


class TransitionSerializer(serializers.ModelSerializer):
    source_code = serializers.CharField(source="source.code", read_only=True)
    target_code = serializers.CharField(source="target.code", read_only=True)

    class Meta:
        model = Transition
        fields = [
            "id",
            "map",
            "source",
            "source_code",
            "target",
            "target_code",
            "handoff_target_minutes",
            "label",
        ]
        read_only_fields = fields


class StepInputSerializer(serializers.Serializer):
    """A step of a draft; ``map`` only when creating."""

    map = serializers.IntegerField(**ID)
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=160)
    name_en = serializers.CharField(max_length=160, required=False, allow_blank=True)
    activity = serializers.IntegerField(
        **ID,
        required=False,
        allow_null=True,
        help_text="An activity of the map's process (its RACI row).",
    )
    position = serializers.IntegerField(**ID, required=False, allow_null=True)
    target_minutes = serializers.IntegerField(**MINUTES, required=False, allow_null=True)
    sop = serializers.CharField(required=False, allow_blank=True, help_text="Markdown-ish text.")
    sop_url = serializers.URLField(max_length=200, required=False, allow_blank=True)
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)


class TransitionInputSerializer(serializers.Serializer):
    """A handoff of a draft; ``map`` only when creating."""

    map = serializers.IntegerField(**ID)
    source = serializers.IntegerField(**ID)
    target = serializers.IntegerField(**ID)
    handoff_target_minutes = serializers.IntegerField(**MINUTES, required=False, allow_null=True)
    label = serializers.CharField(max_length=120, required=False, allow_blank=True)


def _step_arguments(data: dict[str, Any]) -> dict[str, Any]:
    if "activity" in data:
        data["activity"] = _row(Activity.objects.all(), data["activity"], "activity")
    if "position" in data:
        data["position"] = _row(Position.objects.all(), data["position"], "position")
    return data


def _transition_arguments(data: dict[str, Any]) -> dict[str, Any]:
    for name in ("source", "target"):
        if name in data:
            data[name] = _row(Step.objects.select_related("map"), data[name], name)
    return data


class StepViewSet(ScopedModelViewSet):
    """Steps of every map version; the maintainers of a process edit the steps of its draft
    (409 on a published or archived version)."""

    queryset = Step.objects.all()
    serializer_class = StepSerializer
    filterset_class = StepFilterSet
    ordering_fields = ["order", "code"]
    ordering = ["map", "order", "code"]
    policy_actions = {"create": "change", "destroy": "change"}

    def get_queryset(self):
        return super().get_queryset().select_related("activity", "position", "map__process")

    def _out(self, step: Step, code: int = status.HTTP_200_OK) -> Response:
        return Response(StepSerializer(self.get_queryset().get(pk=step.pk)).data, status=code)

    @extend_schema(request=StepInputSerializer, responses={201: StepSerializer})
    def create(self, request: Request) -> Response:
        data = _step_arguments(_valid(StepInputSerializer, request))
        process_map = _row(
            ProcessMap.objects.restrict(request.user).select_related("process"),
            data.pop("map"),
            "map",
        )
        step = services_maps.step_create(actor=request.user, process_map=process_map, **data)
        return self._out(step, status.HTTP_201_CREATED)

    @extend_schema(request=StepInputSerializer, responses=StepSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        step = self.get_object()
        data = _valid(StepInputSerializer, request, partial=True)
        data.pop("map", None)
        step = services_maps.step_update(actor=request.user, step=step, **_step_arguments(data))
        return self._out(step)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services_maps.step_delete(actor=request.user, step=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class TransitionViewSet(ScopedModelViewSet):
    """Handoffs of every map version; the maintainers of a process edit those of its draft."""

    queryset = Transition.objects.all()
    serializer_class = TransitionSerializer
    filterset_class = TransitionFilterSet
    ordering = ["map", "source__order", "target__order"]
    policy_actions = {"create": "change", "destroy": "change"}

    def get_queryset(self):
        return super().get_queryset().select_related("source", "target", "map__process")

    def _out(self, transition: Transition, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            TransitionSerializer(self.get_queryset().get(pk=transition.pk)).data, status=code
        )

    @extend_schema(request=TransitionInputSerializer, responses={201: TransitionSerializer})
    def create(self, request: Request) -> Response:
        data = _transition_arguments(_valid(TransitionInputSerializer, request))
        process_map = _row(
            ProcessMap.objects.restrict(request.user).select_related("process"),
            data.pop("map"),
            "map",
        )
        transition = services_maps.transition_create(
            actor=request.user, process_map=process_map, **data
        )
        return self._out(transition, status.HTTP_201_CREATED)

    @extend_schema(request=TransitionInputSerializer, responses=TransitionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        transition = self.get_object()
        data = _valid(TransitionInputSerializer, request, partial=True)
        data.pop("map", None)
        transition = services_maps.transition_update(
            actor=request.user, transition=transition, **_transition_arguments(data)
        )
        return self._out(transition)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services_maps.transition_delete(actor=request.user, transition=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# Map versions ---------------------------------------------------------------------------------


class ProcessMapSerializer(serializers.ModelSerializer):
    process_code = serializers.CharField(source="process.code", read_only=True)
    process_name = serializers.CharField(source="process.display_name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft, published or archived")
    steps = StepSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = ProcessMap
        fields = [
            "id",
            "process",
            "process_code",
            "process_name",
            "version",
            "status",
            "change_note",
            "published_at",
            "published_by",
            "created_by",
            "created_at",
            "steps",
            "transitions",
        ]
        read_only_fields = fields


class ProcessMapCreateInputSerializer(serializers.Serializer):
    process = serializers.IntegerField(**ID)
    change_note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ProcessMapUpdateInputSerializer(serializers.Serializer):
    change_note = serializers.CharField(max_length=300, allow_blank=True)


RACI_PROBLEM = inline_serializer(
    name="RaciDisagreement",
    fields={
        "step": serializers.IntegerField(),
        "step_code": serializers.CharField(),
        "kind": serializers.CharField(
            help_text="no_activity, no_responsible, no_position, accountable_only or "
            "not_responsible"
        ),
        "message": serializers.CharField(),
        "position": serializers.IntegerField(allow_null=True),
        "responsible": serializers.ListField(child=serializers.IntegerField()),
        "accountable": serializers.ListField(child=serializers.IntegerField()),
    },
    many=True,
)


class ProcessMapViewSet(ScopedModelViewSet):
    """Every version of every process's map with its steps and handoffs. The maintainers of a
    process (HR, administrators, the owning unit's managers) open a new draft (a copy of the
    published version), change its note, publish it (the previous version is archived) or
    discard it."""

    queryset = ProcessMap.objects.all()
    serializer_class = ProcessMapSerializer
    filterset_class = ProcessMapFilterSet
    ordering_fields = ["version", "published_at"]
    ordering = ["process__code", "-version"]
    policy_actions = {"publish": "publish", "destroy": "change", "raci": "view"}

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("process")
            .prefetch_related(
                Prefetch("steps", Step.objects.select_related("activity", "position")),
                Prefetch("transitions", Transition.objects.select_related("source", "target")),
            )
        )

    def _out(self, process_map: ProcessMap, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            ProcessMapSerializer(self.get_queryset().get(pk=process_map.pk)).data, status=code
        )

    @extend_schema(request=ProcessMapCreateInputSerializer, responses={201: ProcessMapSerializer})
    def create(self, request: Request) -> Response:
        """Open the next draft of a process's map, copied from the published version (the open
        draft if there is one)."""
        data = _valid(ProcessMapCreateInputSerializer, request)
        process = _row(
            Process.objects.restrict(request.user).select_related("owner_unit"),
            data["process"],
            "process",
        )
        draft = services_maps.map_new_version(
            actor=request.user, process=process, change_note=data.get("change_note", "")
        )
        return self._out(draft, status.HTTP_201_CREATED)

    @extend_schema(request=ProcessMapUpdateInputSerializer, responses=ProcessMapSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change a draft's change note (409 for a published or archived version)."""
        process_map = self.get_object()
        data = _valid(ProcessMapUpdateInputSerializer, request)
        process_map = services_maps.map_update(
            actor=request.user, process_map=process_map, change_note=data["change_note"]
        )
        return self._out(process_map)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Discard a draft (409 for a published or archived version)."""
        services_maps.map_discard(actor=request.user, process_map=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ProcessMapSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish a draft; the previously published version is archived (409 if not a draft,
        400 naming ``steps`` for a map without steps)."""
        process_map = services_maps.map_publish(actor=request.user, process_map=self.get_object())
        return self._out(process_map)

    @extend_schema(request=None, responses=RACI_PROBLEM)
    @action(detail=True, methods=["get"], pagination_class=None)
    def raci(self, request: Request, pk: str | None = None) -> Response:
        """The steps whose responsible position disagrees with the RACI matrix."""
        problems = selectors_maps.raci_disagreements(self.get_object())
        return Response(
            [
                {
                    "step": problem["step"].pk,
                    "step_code": problem["step"].code,
                    "kind": problem["kind"],
                    "message": problem["message"],
                    "position": problem["step"].position_id,
                    "responsible": [p.pk for p in problem["responsible"]],
                    "accountable": [p.pk for p in problem["accountable"]],
                }
                for problem in problems
            ]
        )


paths: list = []


def register(router: DefaultRouter) -> None:
    """Register this area's viewsets on the workflow router."""
    router.register("processes", ProcessOverviewViewSet, basename="workflow-process")
    router.register("process-maps", ProcessMapViewSet, basename="workflow-process-map")
    router.register("process-steps", StepViewSet, basename="workflow-process-step")
    router.register(
        "process-transitions", TransitionViewSet, basename="workflow-process-transition"
    )
