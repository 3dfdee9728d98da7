"""API of 1:1s and improvement plans: reads scoped by the policy, writes through services.

Private notes leave the server only as ``my_private_note`` on a meeting: the caller's own
note, read through ``selectors_coaching`` (which the policy scopes to its author).
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from opsteam.core import policy
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.core.exceptions import ValidationFailed
from opsteam.org.models import Staff
from opsteam.performance import selectors_coaching as selectors
from opsteam.performance import services_coaching as services
from opsteam.performance.choices import (
    ActionItemStatus,
    OneOnOneCadence,
    PlanGoalStatus,
    PlanOutcome,
)
from opsteam.performance.models import Review, ReviewCycle
from opsteam.performance.models_coaching import (
    ActionItem,
    AgendaItem,
    ImprovementPlan,
    OneOnOne,
    OneOnOneMeeting,
    PlanCheckIn,
    PlanGoal,
)

STAFF = Staff.objects.all()


class OneOnOneSerializer(serializers.ModelSerializer):
    manager_name = serializers.CharField(source="manager.display_name", read_only=True)
    report_name = serializers.CharField(source="report.display_name", read_only=True)

    class Meta:
        model = OneOnOne
        fields = [
            "id",
            "manager",
            "manager_name",
            "report",
            "report_name",
            "cadence",
            "next_date",
            "is_active",
        ]
        read_only_fields = fields


class OneOnOneInputSerializer(serializers.Serializer):
    report = serializers.PrimaryKeyRelatedField(queryset=STAFF)
    manager = serializers.PrimaryKeyRelatedField(queryset=STAFF, required=False, allow_null=True)
    cadence = serializers.ChoiceField(choices=OneOnOneCadence.choices, required=False)
    next_date = serializers.DateField(required=False, allow_null=True)


class OneOnOneUpdateInputSerializer(serializers.Serializer):
    cadence = serializers.ChoiceField(choices=OneOnOneCadence.choices, required=False)
    next_date = serializers.DateField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "text", "added_by", "is_discussed", "created_at"]
        read_only_fields = fields


class ActionItemSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "meeting", "text", "owner", "owner_name", "due_date", "status", "closed_at"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    action_items = ActionItemSerializer(many=True, read_only=True)
    my_private_note = serializers.SerializerMethodField()

    class Meta:
        model = OneOnOneMeeting
        fields = [
            "id",
            "series",
            "date",
            "cycle",
            "shared_notes",
            "agenda",
            "action_items",
            "my_private_note",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_my_private_note(self, meeting: OneOnOneMeeting) -> str | None:
        """The caller's own note only (``private_notes`` is prepared by the viewset)."""
        note = self.context.get("private_notes", {}).get(meeting.pk)
        return note.body if note is not None else None


class MeetingInputSerializer(serializers.Serializer):
    series = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    date = serializers.DateField()
    cycle = serializers.PrimaryKeyRelatedField(
        queryset=ReviewCycle.objects.all(), required=False, allow_null=True
    )
    shared_notes = serializers.CharField(required=False, allow_blank=True)


class SharedNotesInputSerializer(serializers.Serializer):
    shared_notes = serializers.CharField(allow_blank=True)


class PrivateNoteInputSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)


class PrivateNoteSerializer(serializers.Serializer):
    side = serializers.CharField()
    body = serializers.CharField()


class AgendaItemInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)


class ActionItemInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    owner = serializers.PrimaryKeyRelatedField(queryset=STAFF)
    due_date = serializers.DateField(required=False, allow_null=True)


class ActionItemStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionItemStatus.choices)


class PlanGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanGoal
        fields = ["id", "description", "measure", "target_date", "status", "order"]
        read_only_fields = fields


class PlanCheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanCheckIn
        fields = ["id", "date", "notes", "held_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ImprovementPlan")
class PlanSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    goals = PlanGoalSerializer(many=True, read_only=True)
    check_ins = PlanCheckInSerializer(many=True, read_only=True)
    # Declared: read-only model fields lose ``allow_blank``, and an open plan has no outcome.
    outcome = serializers.ChoiceField(choices=PlanOutcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ImprovementPlan
        fields = [
            "id",
            "staff",
            "staff_name",
            "manager",
            "hr_owner",
            "review",
            "continues",
            "state",
            "start_date",
            "end_date",
            "summary",
            "support_training",
            "mentor",
            "support_other",
            "goals",
            "check_ins",
            "outcome",
            "outcome_date",
            "outcome_comment",
            "activated_at",
            "closed_at",
        ]
        read_only_fields = fields


class PlanGoalInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    measure = serializers.CharField(max_length=500)
    target_date = serializers.DateField(required=False, allow_null=True)


class PlanUpdateInputSerializer(serializers.Serializer):
    manager = serializers.PrimaryKeyRelatedField(queryset=STAFF, required=False)
    hr_owner = serializers.PrimaryKeyRelatedField(queryset=STAFF, required=False, allow_null=True)
    review = serializers.PrimaryKeyRelatedField(
        queryset=Review.objects.all(), required=False, allow_null=True
    )
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    support_training = serializers.CharField(required=False, allow_blank=True)
    mentor = serializers.PrimaryKeyRelatedField(queryset=STAFF, required=False, allow_null=True)
    support_other = serializers.CharField(required=False, allow_blank=True)


class PlanInputSerializer(PlanUpdateInputSerializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=STAFF)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    goals = PlanGoalInputSerializer(many=True, required=False)
    check_in_dates = serializers.ListField(child=serializers.DateField(), required=False)


class PlanGoalStatusInputSerializer(serializers.Serializer):
    goal = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=PlanGoalStatus.choices)


class PlanCheckInInputSerializer(serializers.Serializer):
    date = serializers.DateField()


class PlanCheckInRecordInputSerializer(serializers.Serializer):
    check_in = serializers.IntegerField(min_value=1)
    notes = serializers.CharField()


class PlanCloseInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=PlanOutcome.choices)
    comment = serializers.CharField()
    outcome_date = serializers.DateField(required=False, allow_null=True)
    new_end_date = serializers.DateField(required=False, allow_null=True)


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class OneOnOneViewSet(ScopedModelViewSet):
    """Recurring 1:1s the caller may see: their own (either side), their teams', or all (HR)."""

    queryset = OneOnOne.objects.select_related("manager", "report")
    serializer_class = OneOnOneSerializer
    ordering = ["next_date", "id"]

    @extend_schema(request=OneOnOneInputSerializer, responses={201: OneOnOneSerializer})
    def create(self, request: Request) -> Response:
        series = services.one_on_one_create(
            actor=request.user, **_valid(OneOnOneInputSerializer, request)
        )
        return Response(OneOnOneSerializer(series).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OneOnOneUpdateInputSerializer, responses=OneOnOneSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        series = self.get_object()
        data = _valid(OneOnOneUpdateInputSerializer, request, partial=True)
        series = services.one_on_one_update(actor=request.user, series=series, **data)
        return Response(OneOnOneSerializer(series).data)


class MeetingViewSet(ScopedModelViewSet):
    """1:1 meetings with shared agenda, shared notes, action items and the caller's own note."""

    queryset = OneOnOneMeeting.objects.select_related("series").prefetch_related(
        "agenda_items", Prefetch("action_items", ActionItem.objects.select_related("owner"))
    )
    serializer_class = MeetingSerializer
    ordering = ["-date", "-id"]
    policy_actions = {
        "create": "participate",
        "notes": "participate",
        "private_note": "participate",
        "agenda": "participate",
        "add_action_item": "participate",
    }

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["private_notes"] = {}
        return context

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        notes = selectors.private_notes_by_meeting(
            user=request.user, meeting_ids=[meeting.pk for meeting in page]
        )
        data = MeetingSerializer(page, many=True, context={"private_notes": notes}).data
        return self.get_paginated_response(data)

    def _detail(self, meeting: OneOnOneMeeting, code: int = status.HTTP_200_OK) -> Response:
        meeting = self.get_queryset().get(pk=meeting.pk)
        notes = selectors.private_notes_by_meeting(user=self.request.user, meeting_ids=[meeting.pk])
        return Response(
            MeetingSerializer(meeting, context={"private_notes": notes}).data, status=code
        )

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self._detail(self.get_object())

    @extend_schema(request=MeetingInputSerializer, responses={201: MeetingSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(MeetingInputSerializer, request)
        # A 1:1 the caller may not see is "not found", whether or not it exists.
        data["series"] = policy.scoped_get(
            OneOnOne.objects.all(), request.user, "participate", pk=data["series"]
        )
        meeting = services.meeting_create(actor=request.user, **data)
        return self._detail(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=SharedNotesInputSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str | None = None) -> Response:
        """Replace the shared notes (either side)."""
        meeting = services.meeting_update_notes(
            actor=request.user,
            meeting=self.get_object(),
            **_valid(SharedNotesInputSerializer, request),
        )
        return self._detail(meeting)

    @extend_schema(request=PrivateNoteInputSerializer, responses=PrivateNoteSerializer)
    @action(detail=True, methods=["post"], url_path="private-note")
    def private_note(self, request: Request, pk: str | None = None) -> Response:
        """Write the caller's own private note: nobody else ever reads it."""
        note = services.private_note_save(
            actor=request.user,
            meeting=self.get_object(),
            **_valid(PrivateNoteInputSerializer, request),
        )
        return Response({"side": note.side, "body": note.body})

    @extend_schema(request=AgendaItemInputSerializer, responses={201: AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def agenda(self, request: Request, pk: str | None = None) -> Response:
        """Add a topic to the shared agenda (either side)."""
        item = services.agenda_item_add(
            actor=request.user,
            meeting=self.get_object(),
            **_valid(AgendaItemInputSerializer, request),
        )
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionItemInputSerializer, responses={201: ActionItemSerializer})
    @action(detail=True, methods=["post"], url_path="action-items")
    def add_action_item(self, request: Request, pk: str | None = None) -> Response:
        """Agree an action owned by one of the two sides."""
        item = services.action_item_add(
            actor=request.user,
            meeting=self.get_object(),
            **_valid(ActionItemInputSerializer, request),
        )
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ActionItemViewSet(ScopedModelViewSet):
    """Action items; ``?mine=1`` lists the caller's own, ``?status=open`` the open ones."""

    queryset = ActionItem.objects.select_related("owner")
    serializer_class = ActionItemSerializer
    ordering = ["due_date", "id"]
    policy_actions = {"set_status": "participate"}

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        params = self.request.query_params
        if params.get("mine") in {"1", "true"}:
            queryset = queryset.filter(owner__user=self.request.user.pk)
        if params.get("status") in ActionItemStatus.values:
            queryset = queryset.filter(status=params["status"])
        return queryset

    @extend_schema(request=ActionItemStatusInputSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"], url_path="set-status")
    def set_status(self, request: Request, pk: str | None = None) -> Response:
        """Mark done or cancelled, or reopen (409 for a change the state machine refuses)."""
        item = services.action_item_set_status(
            actor=request.user,
            item=self.get_object(),
            **_valid(ActionItemStatusInputSerializer, request),
        )
        return Response(ActionItemSerializer(item).data)


class ImprovementPlanViewSet(ScopedModelViewSet):
    """Improvement plans: the person, their managers and HR only; others get 404."""

    queryset = ImprovementPlan.objects.select_related("staff").prefetch_related(
        "goals", "check_ins"
    )
    serializer_class = PlanSerializer
    ordering = ["-start_date", "-id"]
    policy_actions = {
        "activate": "change",
        "close": "change",
        "add_goal": "change",
        "set_goal_status": "change",
        "add_check_in": "change",
        "record_check_in": "change",
    }

    def _out(self, plan: ImprovementPlan, code: int = status.HTTP_200_OK) -> Response:
        return Response(PlanSerializer(self.queryset.get(pk=plan.pk)).data, status=code)

    @extend_schema(request=PlanInputSerializer, responses={201: PlanSerializer})
    def create(self, request: Request) -> Response:
        plan = services.plan_create(actor=request.user, **_valid(PlanInputSerializer, request))
        return self._out(plan, status.HTTP_201_CREATED)

    @extend_schema(request=PlanUpdateInputSerializer, responses=PlanSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = _valid(PlanUpdateInputSerializer, request, partial=True)
        return self._out(services.plan_update(actor=request.user, plan=plan, **data))

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        """Start a draft plan (it needs goals and check-ins; 409 otherwise)."""
        return self._out(services.plan_activate(actor=request.user, plan=self.get_object()))

    @extend_schema(request=PlanCloseInputSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close an active plan with its outcome (extended: a new plan continues it)."""
        plan = services.plan_close(
            actor=request.user, plan=self.get_object(), **_valid(PlanCloseInputSerializer, request)
        )
        return self._out(plan)

    @extend_schema(request=PlanGoalInputSerializer, responses={201: PlanGoalSerializer})
    @action(detail=True, methods=["post"], url_path="add-goal")
    def add_goal(self, request: Request, pk: str | None = None) -> Response:
        goal = services.plan_goal_add(
            actor=request.user, plan=self.get_object(), **_valid(PlanGoalInputSerializer, request)
        )
        return Response(PlanGoalSerializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanGoalStatusInputSerializer, responses=PlanGoalSerializer)
    @action(detail=True, methods=["post"], url_path="set-goal-status")
    def set_goal_status(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = _valid(PlanGoalStatusInputSerializer, request)
        goal = plan.goals.filter(pk=data["goal"]).first()
        if goal is None:
            raise ValidationFailed(field="goal")
        goal = services.plan_goal_set_status(actor=request.user, goal=goal, status=data["status"])
        return Response(PlanGoalSerializer(goal).data)

    @extend_schema(request=PlanCheckInInputSerializer, responses={201: PlanCheckInSerializer})
    @action(detail=True, methods=["post"], url_path="add-check-in")
    def add_check_in(self, request: Request, pk: str | None = None) -> Response:
        check_in = services.plan_check_in_add(
            actor=request.user,
            plan=self.get_object(),
            **_valid(PlanCheckInInputSerializer, request),
        )
        return Response(PlanCheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanCheckInRecordInputSerializer, responses=PlanCheckInSerializer)
    @action(detail=True, methods=["post"], url_path="record-check-in")
    def record_check_in(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = _valid(PlanCheckInRecordInputSerializer, request)
        check_in = plan.check_ins.filter(pk=data["check_in"]).first()
        if check_in is None:
            raise ValidationFailed(field="check_in")
        check_in = services.plan_check_in_record(
            actor=request.user, check_in=check_in, notes=data["notes"]
        )
        return Response(PlanCheckInSerializer(check_in).data)
