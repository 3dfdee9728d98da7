"""Collaboration API: the suggestion box (registered by collab/api/urls.py).

Everyone reads every suggestion; ``author`` is null for anonymous ones (nothing else is kept),
and who voted is never returned, only counts and the caller's own vote. Writes go through
``collab.services_suggestions``; the private follow link has its own endpoint, where the token
alone decides.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from opsteam.collab import selectors_suggestions as selectors
from opsteam.collab import services_suggestions as services
from opsteam.collab.filters_suggestions import SuggestionFilterSet
from opsteam.collab.models_suggestions import (
    Suggestion,
    SuggestionCategory,
    SuggestionComment,
    SuggestionEvent,
    SuggestionStatus,
)
from opsteam.core import policy
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.org.models import OrgUnit

TOKEN_PATTERN = r"[A-Za-z0-9_-]{16,200}"  # noqa: S105 - a URL pattern, not a secret


def _name(user: Any) -> str | None:
    return str(user) if user is not None else None


class SuggestionSerializer(serializers.ModelSerializer):
    unit_name = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)
    my_vote = serializers.BooleanField(read_only=True, default=False)
    my_follow = serializers.BooleanField(read_only=True, default=False)
    next_statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=SuggestionStatus.choices), read_only=True
    )

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "title",
            "body",
            "category",
            "unit",
            "unit_name",
            "is_anonymous",
            "author",
            "author_name",
            "status",
            "next_statuses",
            "owner",
            "owner_name",
            "due_date",
            "is_overdue",
            "decision_note",
            "vote_count",
            "comment_count",
            "my_vote",
            "my_follow",
            "created_at",
            "status_changed_at",
            "decided_at",
            "implemented_at",
        ]
        read_only_fields = fields

    def get_unit_name(self, obj: Suggestion) -> str | None:
        return obj.unit.display_name if obj.unit_id else None

    def get_author_name(self, obj: Suggestion) -> str | None:
        return None if obj.is_anonymous else _name(obj.author)

    def get_owner_name(self, obj: Suggestion) -> str | None:
        return _name(obj.owner)


class SuggestionCreatedSerializer(SuggestionSerializer):
    follow_token = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Anonymous suggestions only: the private follow token, returned this once.",
    )

    class Meta(SuggestionSerializer.Meta):
        fields = [*SuggestionSerializer.Meta.fields, "follow_token"]
        read_only_fields = fields


class SuggestionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=services.MAX_TITLE)
    body = serializers.CharField(max_length=services.MAX_BODY)
    category = serializers.ChoiceField(choices=SuggestionCategory.choices)
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, required=False, default=None
    )
    anonymous = serializers.BooleanField(required=False, default=False)

    def validate_unit(self, value: int | None) -> OrgUnit | None:
        if value is None:
            return None
        unit = OrgUnit.objects.filter(pk=value).first()
        if unit is None:
            raise serializers.ValidationError(_("Unknown unit."))
        return unit


class SuggestionVoteSerializer(serializers.Serializer):
    voted = serializers.BooleanField()
    vote_count = serializers.IntegerField(min_value=0)


class SuggestionFollowInputSerializer(serializers.Serializer):
    following = serializers.BooleanField(required=False, default=True)


class SuggestionFollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()


class SuggestionCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = SuggestionComment
        fields = [
            "id",
            "author",
            "author_name",
            "is_anonymous",
            "by_submitter",
            "body",
            "created_at",
        ]
        read_only_fields = fields

    def get_author_name(self, obj: SuggestionComment) -> str | None:
        return None if obj.is_anonymous else _name(obj.author)


class SuggestionCommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MAX_COMMENT)
    anonymous = serializers.BooleanField(required=False, default=False)


class SuggestionReplyInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MAX_COMMENT)


class SuggestionEventSerializer(serializers.ModelSerializer):
    # Empty on the first event (the submission), so not the status enum.
    from_status = serializers.CharField(read_only=True)
    actor_name = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = SuggestionEvent
        fields = [
            "id",
            "from_status",
            "to_status",
            "actor",
            "actor_name",
            "note",
            "owner",
            "owner_name",
            "due_date",
            "at",
        ]
        read_only_fields = fields

    def get_actor_name(self, obj: SuggestionEvent) -> str | None:
        return _name(obj.actor)

    def get_owner_name(self, obj: SuggestionEvent) -> str | None:
        return _name(obj.owner)


class _SuggestionOwnerInput(serializers.Serializer):
    def validate_owner(self, value: int | None) -> Any:
        if value is None:
            return None
        owner = get_user_model().objects.filter(pk=value, is_active=True).first()
        if owner is None:
            raise serializers.ValidationError(_("Unknown user."))
        return owner


class SuggestionTransitionInputSerializer(_SuggestionOwnerInput):
    to_status = serializers.ChoiceField(choices=SuggestionStatus.choices)
    note = serializers.CharField(
        max_length=services.MAX_NOTE, required=False, allow_blank=True, default=""
    )
    owner = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, required=False, default=None
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class SuggestionPlanInputSerializer(_SuggestionOwnerInput):
    owner = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    due_date = serializers.DateField()
    note = serializers.CharField(
        max_length=services.MAX_NOTE, required=False, allow_blank=True, default=""
    )


class FollowedSuggestionSerializer(serializers.Serializer):
    suggestion = SuggestionSerializer()
    events = SuggestionEventSerializer(many=True)
    comments = SuggestionCommentSerializer(many=True)


class SuggestionViewSet(ScopedModelViewSet):
    """Suggestions: everyone reads all of them; everyone but auditors submits (named or
    anonymous), votes, comments and follows; HR and administrators (and managers, for the
    ones addressed to their subtree) move them through the workflow with ``transition``."""

    queryset = Suggestion.objects.all()
    serializer_class = SuggestionSerializer
    filterset_class = SuggestionFilterSet
    search_fields: list[str] = []
    ordering_fields = ["created_at", "vote_count", "comment_count", "due_date", "status"]
    ordering = ["-created_at", "-id"]
    lookup_value_regex = r"\d+"
    policy_actions = {
        "vote": "vote",
        "unvote": "vote",
        "follow": "follow",
        "comments": "view",
        "history": "view",
        "transition": "handle",
        "plan": "handle",
    }

    def get_queryset(self):
        return selectors.suggestion_list(user=self.request.user)

    def _out(self, suggestion: Suggestion) -> dict[str, Any]:
        return SuggestionSerializer(self.get_queryset().get(pk=suggestion.pk)).data

    @extend_schema(request=SuggestionInputSerializer, responses={201: SuggestionCreatedSerializer})
    def create(self, request: Request) -> Response:
        data = SuggestionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        suggestion, token = services.suggestion_create(actor=request.user, **data.validated_data)
        return Response(
            {**self._out(suggestion), "follow_token": token}, status=status.HTTP_201_CREATED
        )

    def _vote(self, request: Request, voted: bool) -> Response:
        suggestion = self.get_object()
        now = services.suggestion_vote(actor=request.user, suggestion=suggestion, voted=voted)
        return Response({"voted": now, "vote_count": suggestion.vote_count})

    @extend_schema(request=None, responses=SuggestionVoteSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str | None = None) -> Response:
        return self._vote(request, True)

    @extend_schema(request=None, responses=SuggestionVoteSerializer)
    @action(detail=True, methods=["post"])
    def unvote(self, request: Request, pk: str | None = None) -> Response:
        return self._vote(request, False)

    @extend_schema(request=SuggestionFollowInputSerializer, responses=SuggestionFollowSerializer)
    @action(detail=True, methods=["post"])
    def follow(self, request: Request, pk: str | None = None) -> Response:
        suggestion = self.get_object()
        data = SuggestionFollowInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        following = services.suggestion_follow(
            actor=request.user, suggestion=suggestion, **data.validated_data
        )
        return Response({"following": following})

    @extend_schema(methods=["GET"], request=None, responses=SuggestionCommentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=SuggestionCommentInputSerializer,
        responses={201: SuggestionCommentSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        suggestion = self.get_object()
        if request.method == "GET":
            thread = selectors.suggestion_thread(suggestion=suggestion)
            return Response(SuggestionCommentSerializer(thread["comments"], many=True).data)
        policy.require(request.user, "comment", suggestion)
        data = SuggestionCommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.suggestion_comment(
            actor=request.user, suggestion=suggestion, **data.validated_data
        )
        return Response(SuggestionCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SuggestionEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        thread = selectors.suggestion_thread(suggestion=self.get_object())
        return Response(SuggestionEventSerializer(thread["events"], many=True).data)

    @extend_schema(request=SuggestionTransitionInputSerializer, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        suggestion = self.get_object()
        data = SuggestionTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        suggestion = services.suggestion_transition(
            actor=request.user, suggestion=suggestion, **data.validated_data
        )
        return Response(self._out(suggestion))

    @extend_schema(request=SuggestionPlanInputSerializer, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, pk: str | None = None) -> Response:
        suggestion = self.get_object()
        data = SuggestionPlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        suggestion = services.suggestion_plan(
            actor=request.user, suggestion=suggestion, **data.validated_data
        )
        return Response(self._out(suggestion))


TOKEN_PARAMETER = OpenApiParameter(
    "token",
    str,
    OpenApiParameter.PATH,
    description="The private follow token returned when an anonymous suggestion was created.",
    pattern=f"^{TOKEN_PATTERN}$",
)


class SuggestionFollowView(APIView):
    """The anonymous submitter's view of their suggestion through the private token: status,
    history and comments (GET); an anonymous reply as the submitter (POST)."""

    def _thread(self, suggestion: Suggestion) -> dict[str, Any]:
        thread = selectors.suggestion_thread(suggestion=suggestion)
        return FollowedSuggestionSerializer(
            {
                "suggestion": suggestion,
                "events": thread["events"],
                "comments": thread["comments"],
            }
        ).data

    @extend_schema(parameters=[TOKEN_PARAMETER], responses=FollowedSuggestionSerializer)
    def get(self, request: Request, token: str) -> Response:
        return Response(self._thread(services.suggestion_by_token(token)))

    @extend_schema(
        parameters=[TOKEN_PARAMETER],
        request=SuggestionReplyInputSerializer,
        responses={201: SuggestionCommentSerializer},
    )
    def post(self, request: Request, token: str) -> Response:
        services.suggestion_by_token(token)
        data = SuggestionReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.suggestion_reply_by_token(token=token, **data.validated_data)
        return Response(SuggestionCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    """Register this area's viewsets."""
    router.register("suggestions", SuggestionViewSet, basename="collab-suggestion")


paths: list = [
    re_path(
        rf"^suggestion-follow/(?P<token>{TOKEN_PATTERN})/$",
        SuggestionFollowView.as_view(),
        name="collab-suggestion-follow-token",
    ),
]
