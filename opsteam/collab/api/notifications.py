"""Collaboration API, notifications: the caller's inbox, read marks, preferences, IM channels
and the delivery log. Reads are scoped by the policy; writes go through ``collab.services``.

Webhook addresses and signing secrets are write-only: no answer ever contains them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from opsteam.collab import kinds, selectors, services
from opsteam.collab.choices import EmailFrequency, ImProvider
from opsteam.collab.filters import ChannelFilterSet, DeliveryFilterSet
from opsteam.collab.models import Delivery, ImChannel, Notification, NotificationSettings
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from opsteam.org.models import OrgUnit


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
        "nullable": True,
        "example": "22:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A local clock time ("22:00", in the person's own time zone): no date, no offset."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        kwargs.setdefault("allow_null", True)
        if not kwargs.get("read_only"):
            kwargs.setdefault("required", False)
            kwargs.setdefault("default", None)
        super().__init__(**kwargs)


class NotificationSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(
        source="actor.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "actor_name", "created_at", "read_at"]
        read_only_fields = fields


class ReadCountSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationViewSet(ScopedReadOnlyViewSet):
    """The caller's own notifications, newest first (``?unread=1`` for the unread ones);
    ``read`` marks one, ``read-all`` every one."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    policy_actions = {"read": "change", "read_all": "change"}
    filter_backends: list[Any] = []

    def get_queryset(self):
        unread = self.request.query_params.get("unread") in ("1", "true")
        return selectors.inbox(user=self.request.user, unread_only=unread)

    @extend_schema(request=None, responses=ReadCountSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        marked = services.notification_mark_read(actor=request.user, notification=self.get_object())
        return Response({"marked": marked})

    @extend_schema(request=None, responses=ReadCountSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.notification_mark_read(actor=request.user)})


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=kinds.KIND_SLUGS)
    label = serializers.CharField(read_only=True)
    email = serializers.ChoiceField(choices=EmailFrequency.choices)
    im = serializers.BooleanField()


class PreferencesSerializer(serializers.Serializer):
    kinds = PreferenceSerializer(many=True)
    quiet_start = LocalTimeField()
    quiet_end = LocalTimeField()
    digest_hour = serializers.IntegerField(min_value=0, max_value=23, required=False, default=9)


class PreferencesView(APIView):
    """The caller's notification preferences: every kind with its e-mail choice and IM switch
    (defaults where never chosen), quiet hours and digest hour. PUT replaces them; kinds left
    out keep their current choice."""

    def _current(self, request: Request) -> dict[str, Any]:
        stored = NotificationSettings.objects.filter(user=request.user).first()
        return {
            "kinds": [
                {key: row[key] for key in ("kind", "label", "email", "im")}
                for row in services.preferences_of(request.user)
            ],
            "quiet_start": stored.quiet_start if stored else None,
            "quiet_end": stored.quiet_end if stored else None,
            "digest_hour": stored.digest_hour if stored else 9,
        }

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request: Request) -> Response:
        return Response(PreferencesSerializer(self._current(request)).data)

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def put(self, request: Request) -> Response:
        data = PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = {
            row["kind"]: (row["email"], row["im"]) for row in self._current(request)["kinds"]
        }
        for row in data.validated_data["kinds"]:
            current[row["kind"]] = (row["email"], row["im"])
        services.preferences_save(
            actor=request.user,
            choices=current,
            quiet_start=data.validated_data["quiet_start"],
            quiet_end=data.validated_data["quiet_end"],
            digest_hour=data.validated_data["digest_hour"],
        )
        return Response(PreferencesSerializer(self._current(request)).data)


class ChannelSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(
        source="unit.code", read_only=True, allow_null=True, default=None
    )
    signed = serializers.SerializerMethodField()
    kinds = serializers.ListField(child=serializers.CharField(), read_only=True)
    quiet_start = LocalTimeField(read_only=True)
    quiet_end = LocalTimeField(read_only=True)

    class Meta:
        model = ImChannel
        fields = [
            "id",
            "name",
            "provider",
            "unit",
            "unit_code",
            "include_subunits",
            "kinds",
            "quiet_start",
            "quiet_end",
            "enabled",
            "signed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_signed(self, channel: ImChannel) -> bool:
        return bool(channel.secret)


class ChannelInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    provider = serializers.ChoiceField(choices=ImProvider.choices)
    webhook_url = serializers.CharField(max_length=500, write_only=True)
    secret = serializers.CharField(
        max_length=200, required=False, allow_blank=True, write_only=True
    )
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, required=False, default=None
    )
    include_subunits = serializers.BooleanField(required=False, default=True)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=kinds.KIND_SLUGS),
        required=False,
        default=list,
        max_length=len(kinds.KINDS),
    )
    quiet_start = LocalTimeField()
    quiet_end = LocalTimeField()
    enabled = serializers.BooleanField(required=False, default=True)

    def validate_unit(self, value: int | None) -> OrgUnit | None:
        if value is None:
            return None
        unit = OrgUnit.objects.filter(pk=value).first()
        if unit is None:
            raise serializers.ValidationError(_("Unknown unit."))
        return unit


class DeliverySerializer(serializers.ModelSerializer):
    channel_name = serializers.CharField(
        source="channel.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "medium",
            "kind",
            "title",
            "channel",
            "channel_name",
            "recipient",
            "status",
            "frequency",
            "attempts",
            "next_attempt_at",
            "status_code",
            "last_error",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class ChannelViewSet(ScopedModelViewSet):
    """IM group robots (DingTalk, Feishu/Lark, WeCom, Slack) per team or for the company.
    HR and administrators for any unit, managers for their own subtree. ``test`` sends a test
    message now and answers its delivery."""

    queryset = ImChannel.objects.all()
    serializer_class = ChannelSerializer
    filterset_class = ChannelFilterSet
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]
    policy_actions = {"test": "change"}

    def get_queryset(self):
        return selectors.channel_list(user=self.request.user)

    def _out(self, channel: ImChannel, code: int = status.HTTP_200_OK) -> Response:
        return Response(ChannelSerializer(self.get_queryset().get(pk=channel.pk)).data, status=code)

    @extend_schema(request=ChannelInputSerializer, responses={201: ChannelSerializer})
    def create(self, request: Request) -> Response:
        data = ChannelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        channel = services.channel_create(actor=request.user, **data.validated_data)
        return self._out(channel, status.HTTP_201_CREATED)

    def _update(self, request: Request, *, partial: bool) -> Response:
        channel = self.get_object()
        data = ChannelInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changes = {
            key: value
            for key, value in data.validated_data.items()
            if (not partial or key in request.data) and not (key == "secret" and not value)
        }
        services.channel_update(actor=request.user, channel=channel, **changes)
        return self._out(channel)

    @extend_schema(request=ChannelInputSerializer, responses=ChannelSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=ChannelInputSerializer, responses=ChannelSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=True)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.channel_delete(actor=request.user, channel=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        delivery = services.channel_test(actor=request.user, channel=self.get_object())
        return Response(DeliverySerializer(delivery).data)


class DeliveryViewSet(ScopedReadOnlyViewSet):
    """The delivery log: e-mails and IM messages with status, attempts and the last error.
    ``retry`` sends a failed or retrying delivery again now."""

    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    ordering_fields = ["created_at", "status", "attempts"]
    ordering = ["-created_at", "-id"]
    policy_actions = {"retry": "retry"}

    def get_queryset(self):
        return selectors.delivery_list(user=self.request.user)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        delivery = services.delivery_retry(actor=request.user, delivery=self.get_object())
        return Response(DeliverySerializer(self.get_queryset().get(pk=delivery.pk)).data)


def register(router: DefaultRouter) -> None:
    router.register("notifications", NotificationViewSet, basename="collab-notification")
    router.register("channels", ChannelViewSet, basename="collab-channel")
    router.register("deliveries", DeliveryViewSet, basename="collab-delivery")


paths: list[Any] = []
