"""Workflow API, work items: list (the page's filters), retrieve, create, partial update of
the explicit fields, and the actions move, assign, status and comment(s).

Operators see the items assigned to them or that they raised (the policy). Status, step,
assignee, team and reporter never change through ``PATCH``: each has its action, its checks
and its event in the log. Ids in input are bounded integers; an id of a row the user may not
see answers 404 like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.core import policy
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.core.exceptions import ValidationFailed
from opsteam.org.models import OrgUnit, Process, Staff
from opsteam.workflow import selectors_items, services_items
from opsteam.workflow.choices import ItemKind, ItemStatus, Priority
from opsteam.workflow.filters import WorkItemFilterSet
from opsteam.workflow.models import Step, WorkItem, WorkItemComment
from opsteam.workflow.services_items import COMMENT_MAX_LENGTH

# Serializers ------------------------------------------------------------------------------


class WorkItemSerializer(serializers.ModelSerializer):
    process_code = serializers.CharField(source="process.code", read_only=True)
    step_code = serializers.CharField(
        source="step.code", read_only=True, allow_null=True, default=None
    )
    step_name = serializers.CharField(
        source="step.display_name", read_only=True, allow_null=True, default=None
    )
    assignee_name = serializers.CharField(
        source="assignee.display_name", read_only=True, allow_null=True, default=None
    )
    assignee_employee_no = serializers.CharField(
        source="assignee.employee_no", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "reference",
            "process",
            "process_code",
            "step",
            "step_code",
            "step_name",
            "title",
            "description",
            "kind",
            "priority",
            "status",
            "assignee",
            "assignee_name",
            "assignee_employee_no",
            "unit",
            "reporter",
            "due_date",
            "step_started_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WorkItemCreateInputSerializer(serializers.Serializer):
    process = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=ItemKind.choices, default=ItemKind.TASK)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    assignee = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    step = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="A step of the process's published map (default: its first step).",
    )


class WorkItemUpdateInputSerializer(serializers.Serializer):
    """The only fields ``PATCH`` changes; anything else sent is refused."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ItemKind.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    due_date = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: _("This field cannot be changed here.") for name in unknown}
            )
        return attrs


class WorkItemMoveInputSerializer(serializers.Serializer):
    to_step = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class WorkItemAssignInputSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, help_text="Staff id; null unassigns."
    )


class WorkItemStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ItemStatus.choices)


class WorkItemCommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH)


class WorkItemCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(
        source="author.get_username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = WorkItemComment
        fields = ["id", "item", "author", "author_name", "body", "created_at"]
        read_only_fields = fields


def _valid(
    serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any
) -> dict[str, Any]:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _staff(user: Any, pk: int | None) -> Staff | None:
    if pk is None:
        return None
    return policy.scoped_get(Staff.objects.select_related("unit"), user, pk=pk)


# Viewsets ---------------------------------------------------------------------------------


class WorkItemViewSet(ScopedModelViewSet):
    """Work items: an operator's own (assigned or raised), a manager's subtree, everyone's
    for HR, administrators and auditors. ``move`` follows the map's transitions (managers and
    HR may jump), ``status`` done/cancelled closes and an open status reopens; each writes
    the step visit to the event log."""

    queryset = WorkItem.objects.select_related(*selectors_items.ITEM_RELATED)
    serializer_class = WorkItemSerializer
    filterset_class = WorkItemFilterSet
    ordering_fields = ["created_at", "due_date", "priority", "reference", "step_started_at"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {
        "move": "move",
        "assign": "change",
        "status": "move",
        "comments": "view",
    }

    def policy_action(self) -> str:
        if self.action == "comments" and self.request.method == "POST":
            return "comment"
        return super().policy_action()

    def _out(self, item: WorkItem, code: int = http.HTTP_200_OK) -> Response:
        item = WorkItem.objects.select_related(*selectors_items.ITEM_RELATED).get(pk=item.pk)
        return Response(WorkItemSerializer(item).data, status=code)

    @extend_schema(request=WorkItemCreateInputSerializer, responses={201: WorkItemSerializer})
    def create(self, request: Request) -> Response:
        """Raise an item in a process with a published map (in its first step unless
        ``step`` is given); the reference is ``<PROCESS CODE>-<n>``."""
        data = _valid(WorkItemCreateInputSerializer, request)
        user = request.user
        process = policy.scoped_get(Process.objects.all(), user, pk=data.pop("process"))
        assignee = _staff(user, data.pop("assignee"))
        unit_id, step_id = data.pop("unit"), data.pop("step")
        unit = None
        if unit_id is not None:
            unit = OrgUnit.objects.filter(pk=unit_id).first()
            if unit is None:
                raise ValidationFailed(_("Unknown team."), field="unit")
        step = None
        if step_id is not None:
            step = Step.objects.filter(pk=step_id).first()
            if step is None:
                raise ValidationFailed(_("Unknown step."), field="step")
        item = services_items.item_create(
            actor=user, process=process, assignee=assignee, unit=unit, step=step, **data
        )
        return self._out(item, http.HTTP_201_CREATED)

    @extend_schema(request=WorkItemUpdateInputSerializer, responses=WorkItemSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change title, description, kind, priority or due date (nothing else)."""
        item = self.get_object()
        data = _valid(WorkItemUpdateInputSerializer, request)
        item = services_items.item_update(actor=request.user, item=item, **data)
        return self._out(item)

    @extend_schema(request=WorkItemMoveInputSerializer, responses=WorkItemSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move to a step (409 when no transition allows it or the item is closed)."""
        item = self.get_object()
        data = _valid(WorkItemMoveInputSerializer, request)
        step = Step.objects.filter(pk=data["to_step"]).first()
        if step is None:
            raise ValidationFailed(_("Unknown step."), field="to_step")
        item = services_items.item_move(actor=request.user, item=item, to_step=step)
        return self._out(item)

    @extend_schema(request=WorkItemAssignInputSerializer, responses=WorkItemSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Give the item to a person the user can see (null: unassign)."""
        item = self.get_object()
        data = _valid(WorkItemAssignInputSerializer, request)
        assignee = _staff(request.user, data["assignee"])
        item = services_items.item_assign(actor=request.user, item=item, assignee=assignee)
        return self._out(item)

    @extend_schema(request=WorkItemStatusInputSerializer, responses=WorkItemSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        """Set the status: done or cancelled closes the item, an open status reopens it."""
        item = self.get_object()
        data = _valid(WorkItemStatusInputSerializer, request)
        item = services_items.item_set_status(actor=request.user, item=item, status=data["status"])
        return self._out(item)

    @extend_schema(methods=["GET"], request=None, responses=WorkItemCommentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=WorkItemCommentInputSerializer,
        responses={201: WorkItemCommentSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        """The item's comments, oldest first; ``POST`` adds one."""
        item = self.get_object()
        if request.method == "POST":
            data = _valid(WorkItemCommentInputSerializer, request)
            comment = services_items.item_comment(actor=request.user, item=item, body=data["body"])
            return Response(WorkItemCommentSerializer(comment).data, status=http.HTTP_201_CREATED)
        comments = selectors_items.item_comments(item)
        return Response(WorkItemCommentSerializer(comments, many=True).data)


paths: list = []


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the workflow router."""
    router.register("items", WorkItemViewSet, basename="workflow-item")
