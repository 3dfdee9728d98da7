"""Collaboration API: meetings (registered by collab/api/urls.py).

Meetings and regular meeting series, agenda items, attendance, minutes, decisions, action
items (``?mine=1`` for the caller's own; owners update the status), the idea board's ideas,
groups and votes, and calendar files. Reads are scoped by the policy; every write goes
through ``collab.services_meetings``, which checks who may do it. Input serializers name the
writable fields explicitly: organiser, status, author and voter always come from the caller.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.collab import selectors_meetings, services_meetings
from opsteam.collab.api.notifications import LocalTimeField
from opsteam.collab.forms_meetings import ActionItemFilterSet, MeetingFilterSet
from opsteam.collab.models_meetings import (
    ActionItemStatus,
    Attendance,
    Idea,
    IdeaGroup,
    Meeting,
    MeetingActionItem,
    MeetingAgendaItem,
    MeetingKind,
    MeetingParticipant,
    MeetingSeries,
    Recurrence,
)
from opsteam.core import policy
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.org.models import OrgUnit

MAX_LIST = 500


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _user(value: int | None) -> Any:
    if value is None:
        return None
    user = get_user_model().objects.filter(pk=value, is_active=True).first()
    if user is None:
        raise serializers.ValidationError(_("Unknown person."))
    return user


def _units(values: list[int]) -> list[OrgUnit]:
    units = list(OrgUnit.objects.filter(pk__in=values))
    if len(units) != len(set(values)):
        raise serializers.ValidationError(_("Unknown team."))
    return units


def _people(values: list[int]) -> list[int]:
    found = set(
        get_user_model().objects.filter(pk__in=values, is_active=True).values_list("pk", flat=True)
    )
    if found != set(values):
        raise serializers.ValidationError(_("Unknown person."))
    return sorted(found)


def _id_list(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=_id_field(), required=False, default=list, max_length=MAX_LIST, **kwargs
    )


# Output -------------------------------------------------------------------------------------


class MeetingParticipantSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    attendance = serializers.ChoiceField(choices=Attendance.choices, read_only=True)

    class Meta:
        model = MeetingParticipant
        fields = ["id", "user", "name", "attendance"]
        read_only_fields = fields

    def get_name(self, row: MeetingParticipant) -> str:
        staff = getattr(row.user, "staff", None)
        return staff.name if staff else str(row.user)


class CollabMeetingSerializer(serializers.ModelSerializer):
    # Empty when the meeting has no link: a plain string, not a "uri" that "" would violate.
    online_url = serializers.CharField(read_only=True)
    organiser_name = serializers.CharField(source="organiser.__str__", read_only=True)
    unit_code = serializers.CharField(
        source="unit.code", read_only=True, allow_null=True, default=None
    )
    participant_count = serializers.IntegerField(read_only=True)
    open_actions = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=MeetingKind.choices, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "series",
            "kind",
            "title",
            "unit",
            "unit_code",
            "organiser",
            "organiser_name",
            "starts_at",
            "ends_at",
            "time_zone",
            "location",
            "online_url",
            "status",
            "minutes_published_at",
            "votes_per_person",
            "participant_count",
            "open_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CollabMeetingDetailSerializer(CollabMeetingSerializer):
    participants = MeetingParticipantSerializer(many=True, read_only=True)
    minutes = serializers.SerializerMethodField(
        help_text="Markdown; empty until published for those who do not run the meeting."
    )

    class Meta(CollabMeetingSerializer.Meta):
        fields = [*CollabMeetingSerializer.Meta.fields, "minutes", "participants"]
        read_only_fields = fields

    def get_minutes(self, meeting: Meeting) -> str:
        # draft minutes are the organiser's working notes until published
        request = self.context.get("request")
        if meeting.minutes_published_at or (
            request is not None and policy.can(request.user, "change", meeting)
        ):
            return meeting.minutes
        return ""


class MeetingSeriesSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices, read_only=True)
    frequency = serializers.ChoiceField(choices=Recurrence.choices, read_only=True)
    start_time = LocalTimeField(read_only=True)
    online_url = serializers.CharField(read_only=True)

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "title",
            "kind",
            "unit",
            "organiser",
            "frequency",
            "interval",
            "weekday",
            "week_of_month",
            "start_date",
            "start_time",
            "duration_minutes",
            "time_zone",
            "until",
            "count",
            "location",
            "online_url",
            "active",
            "created_at",
        ]
        read_only_fields = fields


class MeetingAgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingAgendaItem
        fields = ["id", "meeting", "title", "presenter", "minutes", "position", "added_by"]
        read_only_fields = fields


class MeetingActionItemSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    meeting_title = serializers.CharField(source="meeting.title", read_only=True)
    status = serializers.ChoiceField(choices=ActionItemStatus.choices, read_only=True)

    class Meta:
        model = MeetingActionItem
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "title",
            "owner",
            "owner_name",
            "due_date",
            "status",
            "done_at",
            "idea",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class IdeaSerializer(serializers.ModelSerializer):
    vote_count = serializers.IntegerField(read_only=True)
    voted = serializers.BooleanField(read_only=True, help_text="Whether the caller voted for it.")

    class Meta:
        model = Idea
        fields = ["id", "meeting", "text", "author", "group", "vote_count", "voted", "created_at"]
        read_only_fields = fields


class IdeaGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = IdeaGroup
        fields = ["id", "meeting", "name", "position"]
        read_only_fields = fields


# Input --------------------------------------------------------------------------------------


class CollabMeetingInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=MeetingKind.choices, default=MeetingKind.CROSS)
    unit = _id_field(required=False, allow_null=True, default=None)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=720, default=60)
    time_zone = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    votes_per_person = serializers.IntegerField(min_value=1, max_value=20, default=3)
    participants = _id_list()
    teams = _id_list()

    def validate_unit(self, value: int | None) -> OrgUnit | None:
        if value is None:
            return None
        unit = OrgUnit.objects.filter(pk=value).first()
        if unit is None:
            raise serializers.ValidationError(_("Unknown team."))
        return unit

    def validate_participants(self, value: list[int]) -> list[int]:
        return _people(value)

    def validate_teams(self, value: list[int]) -> list[OrgUnit]:
        return _units(value)


class CollabMeetingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=720, required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    online_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    votes_per_person = serializers.IntegerField(min_value=1, max_value=20, required=False)


class MeetingSeriesInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=MeetingKind.choices, default=MeetingKind.TEAM)
    unit = _id_field(required=False, allow_null=True, default=None)
    frequency = serializers.ChoiceField(choices=Recurrence.choices, default=Recurrence.WEEKLY)
    interval = serializers.IntegerField(min_value=1, max_value=12, default=1)
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    week_of_month = serializers.IntegerField(
        min_value=-1, max_value=4, required=False, allow_null=True, default=None
    )
    start_date = serializers.DateField()
    start_time = serializers.TimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=720, default=60)
    time_zone = serializers.CharField(max_length=64, default="Asia/Shanghai")
    until = serializers.DateField(required=False, allow_null=True, default=None)
    count = serializers.IntegerField(
        min_value=1, max_value=500, required=False, allow_null=True, default=None
    )
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    participants = _id_list()
    teams = _id_list()

    validate_unit = CollabMeetingInputSerializer.validate_unit
    validate_participants = CollabMeetingInputSerializer.validate_participants
    validate_teams = CollabMeetingInputSerializer.validate_teams


class MeetingInviteInputSerializer(serializers.Serializer):
    participants = _id_list()
    teams = _id_list()

    validate_participants = CollabMeetingInputSerializer.validate_participants
    validate_teams = CollabMeetingInputSerializer.validate_teams


class MeetingAttendanceRowSerializer(serializers.Serializer):
    user = _id_field()
    attendance = serializers.ChoiceField(choices=Attendance.choices, allow_blank=True)


class MeetingAttendanceInputSerializer(serializers.Serializer):
    attendance = MeetingAttendanceRowSerializer(many=True, max_length=MAX_LIST)


class MeetingMinutesInputSerializer(serializers.Serializer):
    minutes = serializers.CharField(max_length=50_000, allow_blank=True)
    publish = serializers.BooleanField(default=False)


class MeetingDecisionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)


class MeetingDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)


class AgendaOrderInputSerializer(serializers.Serializer):
    order = serializers.ListField(child=_id_field(), max_length=MAX_LIST)


class MeetingAgendaInputSerializer(serializers.Serializer):
    meeting = _id_field()
    title = serializers.CharField(max_length=200)
    presenter = _id_field(required=False, allow_null=True, default=None)
    minutes = serializers.IntegerField(min_value=1, max_value=240, default=10)

    def validate_presenter(self, value: int | None) -> Any:
        return _user(value)


class MeetingActionItemInputSerializer(serializers.Serializer):
    meeting = _id_field()
    title = serializers.CharField(max_length=300)
    owner = _id_field()
    due_date = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_owner(self, value: int) -> Any:
        return _user(value)


class MeetingActionItemUpdateSerializer(serializers.Serializer):
    """Owners send ``status`` only; whoever runs the meeting may change the rest."""

    title = serializers.CharField(max_length=300, required=False)
    owner = _id_field(required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=ActionItemStatus.choices, required=False)

    def validate_owner(self, value: int) -> Any:
        return _user(value)


class IdeaInputSerializer(serializers.Serializer):
    meeting = _id_field()
    text = serializers.CharField(max_length=500)


class IdeaMoveSerializer(serializers.Serializer):
    group = _id_field(allow_null=True)


class IdeaGroupInputSerializer(serializers.Serializer):
    meeting = _id_field()
    name = serializers.CharField(max_length=100)


class IdeaToActionSerializer(serializers.Serializer):
    owner = _id_field()
    due_date = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_owner(self, value: int) -> Any:
        return _user(value)


class IdeaVoteResultSerializer(serializers.Serializer):
    voted = serializers.BooleanField()
    vote_count = serializers.IntegerField()


# Viewsets -----------------------------------------------------------------------------------

ICS_RESPONSE = {(200, "text/calendar"): OpenApiTypes.STR}


def _ics(text: str, stem: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.ics"'
    return response


def _meeting_for(request: Request, pk: int) -> Meeting:
    """A meeting the caller may see (404 otherwise)."""
    return selectors_meetings.meeting_get(user=request.user, pk=pk)


class MeetingViewSet(ScopedModelViewSet):
    """Meetings the caller may see (participants, organisers, managers of the team, HR).
    ``POST`` schedules a one-off meeting; ``invite``, ``attendance``, ``minutes``,
    ``decisions``, ``agenda-order`` and ``cancel`` are the organiser's; ``ics`` is the
    invitation file."""

    queryset = Meeting.objects.all()
    serializer_class = CollabMeetingSerializer
    filterset_class = MeetingFilterSet
    ordering_fields = ["starts_at", "title"]
    ordering = ["-starts_at", "-id"]
    policy_actions = {
        "cancel": "change",
        "invite": "change",
        "attendance": "change",
        "minutes": "change",
        "decisions": "change",
        "agenda_order": "change",
        "ics": "view",
    }

    def get_queryset(self):
        return selectors_meetings.meeting_list(user=self.request.user)

    def get_serializer_class(self):
        return (
            CollabMeetingDetailSerializer if self.action == "retrieve" else CollabMeetingSerializer
        )

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        meeting = (
            self.get_queryset().prefetch_related("participants__user__staff").get(pk=meeting.pk)
        )
        return Response(CollabMeetingDetailSerializer(meeting, context={"request": request}).data)

    def _out(self, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().prefetch_related("participants__user__staff").get(pk=meeting.pk)
        return Response(
            CollabMeetingDetailSerializer(fresh, context={"request": self.request}).data,
            status=code,
        )

    @extend_schema(
        request=CollabMeetingInputSerializer, responses={201: CollabMeetingDetailSerializer}
    )
    def create(self, request: Request) -> Response:
        data = _valid(CollabMeetingInputSerializer, request)
        meeting = services_meetings.meeting_create(actor=request.user, **data)
        return self._out(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=CollabMeetingUpdateSerializer, responses=CollabMeetingDetailSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = _valid(CollabMeetingUpdateSerializer, request)
        services_meetings.meeting_update(actor=request.user, meeting=meeting, **data)
        return self._out(meeting)

    @extend_schema(request=None, responses=CollabMeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        meeting = services_meetings.meeting_cancel(actor=request.user, meeting=self.get_object())
        return self._out(meeting)

    @extend_schema(request=MeetingInviteInputSerializer, responses=CollabMeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = _valid(MeetingInviteInputSerializer, request)
        services_meetings.participants_add(
            actor=request.user, meeting=meeting, users=data["participants"], teams=data["teams"]
        )
        return self._out(meeting)

    @extend_schema(
        request=MeetingAttendanceInputSerializer, responses=CollabMeetingDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        rows = _valid(MeetingAttendanceInputSerializer, request)["attendance"]
        services_meetings.attendance_record(
            actor=request.user,
            meeting=meeting,
            attendance={row["user"]: row["attendance"] for row in rows},
        )
        return self._out(meeting)

    @extend_schema(request=MeetingMinutesInputSerializer, responses=CollabMeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = _valid(MeetingMinutesInputSerializer, request)
        services_meetings.minutes_save(actor=request.user, meeting=meeting, **data)
        return self._out(meeting)

    @extend_schema(
        request=MeetingDecisionInputSerializer, responses={201: MeetingDecisionSerializer}
    )
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = _valid(MeetingDecisionInputSerializer, request)
        decision = services_meetings.decision_add(
            actor=request.user, meeting=meeting, text=data["text"]
        )
        return Response(MeetingDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AgendaOrderInputSerializer, responses=MeetingAgendaItemSerializer(many=True)
    )
    @action(detail=True, methods=["post"], url_path="agenda-order", pagination_class=None)
    def agenda_order(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        order = _valid(AgendaOrderInputSerializer, request)["order"]
        services_meetings.agenda_reorder(actor=request.user, meeting=meeting, order=order)
        return Response(MeetingAgendaItemSerializer(meeting.agenda_items.all(), many=True).data)

    @extend_schema(request=None, responses=ICS_RESPONSE)
    @action(detail=True, methods=["get"])
    def ics(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The meeting's invitation as an iCalendar file."""
        meeting = self.get_object()
        return _ics(selectors_meetings.meeting_ics(meeting), f"meeting-{meeting.pk}")


class SeriesViewSet(ScopedModelViewSet):
    """Regular meetings: the recurrence; ``POST`` starts one and schedules its meetings
    ahead; ``end`` stops it; ``ics`` is the whole series with its ``RRULE``."""

    queryset = MeetingSeries.objects.all()
    serializer_class = MeetingSeriesSerializer
    filter_backends: list[Any] = []
    policy_actions = {"end": "change", "ics": "view"}

    def get_queryset(self):
        return selectors_meetings.series_list(user=self.request.user).order_by("title", "id")

    @extend_schema(request=MeetingSeriesInputSerializer, responses={201: MeetingSeriesSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(MeetingSeriesInputSerializer, request)
        series = services_meetings.series_create(actor=request.user, **data)
        return Response(MeetingSeriesSerializer(series).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MeetingSeriesSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        series = services_meetings.series_end(actor=request.user, series=self.get_object())
        return Response(MeetingSeriesSerializer(series).data)

    @extend_schema(request=None, responses=ICS_RESPONSE)
    @action(detail=True, methods=["get"])
    def ics(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The series as one recurring iCalendar event."""
        series = self.get_object()
        return _ics(selectors_meetings.series_ics(series), f"meeting-series-{series.pk}")


class AgendaItemViewSet(ScopedModelViewSet):
    """Agenda points of the meetings the caller sees; participants add them (``POST``), the
    person who added one or whoever runs the meeting removes it."""

    queryset = MeetingAgendaItem.objects.all()
    serializer_class = MeetingAgendaItemSerializer
    filter_backends: list[Any] = []
    # who may add or remove is decided per meeting by the service
    policy_actions = {"create": "view", "destroy": "view"}

    def get_queryset(self):
        return (
            MeetingAgendaItem.objects.restrict(self.request.user, "view")
            .select_related("meeting")
            .order_by("meeting_id", "position", "id")
        )

    @extend_schema(
        request=MeetingAgendaInputSerializer, responses={201: MeetingAgendaItemSerializer}
    )
    def create(self, request: Request) -> Response:
        data = _valid(MeetingAgendaInputSerializer, request)
        meeting = _meeting_for(request, data.pop("meeting"))
        item = services_meetings.agenda_item_add(actor=request.user, meeting=meeting, **data)
        return Response(MeetingAgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services_meetings.agenda_item_delete(actor=request.user, item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActionItemViewSet(ScopedModelViewSet):
    """Action items of the meetings the caller sees, and their own (``?mine=1``). Whoever
    runs the meeting adds them (the owner is told); owners ``PATCH`` the ``status``."""

    queryset = MeetingActionItem.objects.all()
    serializer_class = MeetingActionItemSerializer
    filterset_class = ActionItemFilterSet
    ordering_fields = ["due_date", "created_at"]
    ordering = ["due_date", "id"]
    policy_actions = {"create": "view", "partial_update": "view"}

    def get_queryset(self):
        return selectors_meetings.action_item_list(user=self.request.user)

    @extend_schema(
        request=MeetingActionItemInputSerializer, responses={201: MeetingActionItemSerializer}
    )
    def create(self, request: Request) -> Response:
        data = _valid(MeetingActionItemInputSerializer, request)
        meeting = _meeting_for(request, data.pop("meeting"))
        item = services_meetings.action_item_create(actor=request.user, meeting=meeting, **data)
        return Response(MeetingActionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeetingActionItemUpdateSerializer, responses=MeetingActionItemSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = _valid(MeetingActionItemUpdateSerializer, request)
        services_meetings.action_item_update(actor=request.user, item=item, **data)
        return Response(MeetingActionItemSerializer(self.get_queryset().get(pk=item.pk)).data)


class IdeaViewSet(ScopedModelViewSet):
    """The idea boards the caller sees: vote counts, never who voted. Participants post
    (``POST``) and ``vote`` (``DELETE`` on ``vote`` takes it back); the facilitator ``move``s
    ideas into groups and turns one into an action item (``to-action``)."""

    queryset = Idea.objects.all()
    serializer_class = IdeaSerializer
    filter_backends: list[Any] = []
    policy_actions = {"create": "view", "vote": "view", "move": "view", "to_action": "view"}

    def get_queryset(self):
        queryset = selectors_meetings.idea_list(user=self.request.user).order_by("id")
        meeting = self.request.query_params.get("meeting", "")
        if meeting.isdigit() and len(meeting) < 19:
            queryset = queryset.filter(meeting_id=int(meeting))
        return queryset

    def _out(self, idea: Idea, code: int = status.HTTP_200_OK) -> Response:
        return Response(IdeaSerializer(self.get_queryset().get(pk=idea.pk)).data, status=code)

    @extend_schema(request=IdeaInputSerializer, responses={201: IdeaSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(IdeaInputSerializer, request)
        meeting = _meeting_for(request, data["meeting"])
        idea = services_meetings.idea_add(actor=request.user, meeting=meeting, text=data["text"])
        return self._out(idea, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["post", "delete"], request=None, responses={200: IdeaVoteResultSerializer}
    )
    @action(detail=True, methods=["post", "delete"])
    def vote(self, request: Request, pk: str | None = None) -> Response:
        idea = self.get_object()
        if request.method == "DELETE":
            services_meetings.idea_unvote(actor=request.user, idea=idea)
        else:
            services_meetings.idea_vote(actor=request.user, idea=idea)
        fresh = self.get_queryset().get(pk=idea.pk)
        return Response({"voted": fresh.voted, "vote_count": fresh.vote_count})

    @extend_schema(request=IdeaMoveSerializer, responses=IdeaSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        idea = self.get_object()
        group_id = _valid(IdeaMoveSerializer, request)["group"]
        group = None
        if group_id is not None:
            group = IdeaGroup.objects.filter(pk=group_id, meeting_id=idea.meeting_id).first()
            if group is None:
                raise serializers.ValidationError({"group": [_("Unknown group.")]})
        services_meetings.idea_move(actor=request.user, idea=idea, group=group)
        return self._out(idea)

    @extend_schema(request=IdeaToActionSerializer, responses={201: MeetingActionItemSerializer})
    @action(detail=True, methods=["post"], url_path="to-action")
    def to_action(self, request: Request, pk: str | None = None) -> Response:
        idea = self.get_object()
        policy.require(request.user, "change", idea.meeting)  # 403 before 400
        data = _valid(IdeaToActionSerializer, request)
        item = services_meetings.idea_to_action(actor=request.user, idea=idea, **data)
        return Response(MeetingActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


class IdeaGroupViewSet(ScopedModelViewSet):
    """Named clusters on an idea board; the facilitator adds them."""

    queryset = IdeaGroup.objects.all()
    serializer_class = IdeaGroupSerializer
    filter_backends: list[Any] = []
    policy_actions = {"create": "view"}

    def get_queryset(self):
        return IdeaGroup.objects.restrict(self.request.user, "view").order_by(
            "meeting_id", "position", "id"
        )

    @extend_schema(request=IdeaGroupInputSerializer, responses={201: IdeaGroupSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(IdeaGroupInputSerializer, request)
        meeting = _meeting_for(request, data["meeting"])
        group = services_meetings.idea_group_create(
            actor=request.user, meeting=meeting, name=data["name"]
        )
        return Response(IdeaGroupSerializer(group).data, status=status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    """Register this area's viewsets."""
    router.register("meetings", MeetingViewSet, basename="collab-meeting")
    router.register("meeting-series", SeriesViewSet, basename="collab-meeting-series")
    router.register("agenda-items", AgendaItemViewSet, basename="collab-agenda-item")
    router.register("action-items", ActionItemViewSet, basename="collab-action-item")
    router.register("ideas", IdeaViewSet, basename="collab-idea")
    router.register("idea-groups", IdeaGroupViewSet, basename="collab-idea-group")


paths: list = []
