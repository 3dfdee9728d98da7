"""Collaboration API: announcements (registered by collab/api/urls.py).

Everyone lists and reads the announcements addressed to them (and those they manage); HR and
administrators write to anyone, managers to their own subtree. ``publish``, ``archive``,
``read``, ``acknowledge`` and ``remind`` are one line each into the services; ``receipts``
lists who read and acknowledged, for those who may name readers.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.collab import selectors_announcements as selectors
from opsteam.collab import services_announcements as services
from opsteam.collab.filters_announcements import AnnouncementFilterSet
from opsteam.collab.models import (
    Announcement,
    AnnouncementImportance,
    AnnouncementReceipt,
)
from opsteam.core import policy
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedViewSetMixin
from opsteam.core.exceptions import PolicyDenied
from opsteam.org.models import OrgUnit, Position


class AnnouncementSerializer(serializers.ModelSerializer):
    units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    positions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    author_name = serializers.CharField(
        source="author.username", read_only=True, allow_null=True, default=None
    )
    my_read_at = serializers.DateTimeField(read_only=True, allow_null=True, default=None)
    my_acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True, default=None)
    addressed_to_me = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = [
            "id",
            "title",
            "body",
            "importance",
            "requires_acknowledgement",
            "pinned",
            "everyone",
            "units",
            "positions",
            "status",
            "publish_at",
            "published_at",
            "expires_at",
            "archived_at",
            "content_updated_at",
            "audience_size",
            "author",
            "author_name",
            "created_at",
            "updated_at",
            "addressed_to_me",
            "my_read_at",
            "my_acknowledged_at",
        ]
        read_only_fields = fields

    def get_addressed_to_me(self, announcement: Announcement) -> bool:
        return getattr(announcement, "my_receipt", None) is not None


class AnnouncementInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(
        max_length=services.MAX_BODY, required=False, allow_blank=True, default=""
    )
    importance = serializers.ChoiceField(
        choices=AnnouncementImportance.choices,
        required=False,
        default=AnnouncementImportance.NORMAL,
    )
    requires_acknowledgement = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Empty: yes for important announcements, no for normal ones.",
    )
    pinned = serializers.BooleanField(required=False, default=False)
    everyone = serializers.BooleanField(required=False, default=False)
    units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=services.MAX_TARGETS,
    )
    positions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=services.MAX_TARGETS,
    )
    publish_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_units(self, value: list[int]) -> list[OrgUnit]:
        found = OrgUnit.objects.in_bulk(set(value))
        unknown = sorted(set(value) - set(found))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown units: {ids}").format(ids=", ".join(map(str, unknown)))
            )
        return [found[pk] for pk in dict.fromkeys(value)]

    def validate_positions(self, value: list[int]) -> list[Position]:
        found = Position.objects.in_bulk(set(value))
        unknown = sorted(set(value) - set(found))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown positions: {ids}").format(ids=", ".join(map(str, unknown)))
            )
        return [found[pk] for pk in dict.fromkeys(value)]


class AnnouncementUpdateSerializer(AnnouncementInputSerializer):
    reacknowledge = serializers.BooleanField(
        required=False,
        default=False,
        help_text="After a change to a published announcement: ask everyone to acknowledge again.",
    )


class PublishInputSerializer(serializers.Serializer):
    publish_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Empty or past: publish now; later: scheduled.",
    )


class ReceiptSerializer(serializers.ModelSerializer):
    reader_name = serializers.SerializerMethodField()
    unit_name = serializers.SerializerMethodField()

    class Meta:
        model = AnnouncementReceipt
        fields = [
            "id",
            "user",
            "reader_name",
            "unit",
            "unit_name",
            "created_at",
            "read_at",
            "acknowledged_at",
        ]
        read_only_fields = fields

    def get_reader_name(self, receipt: AnnouncementReceipt) -> str:
        return selectors.reader_name(receipt)

    def get_unit_name(self, receipt: AnnouncementReceipt) -> str:
        return receipt.unit.display_name if receipt.unit_id else ""


class MyReceiptSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnouncementReceipt
        fields = ["id", "announcement", "read_at", "acknowledged_at"]
        read_only_fields = fields


class RemindSerializer(serializers.Serializer):
    reminded = serializers.IntegerField()


class AnnouncementViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Announcements addressed to the caller or managed by them, newest first (pinned on
    top). ``?status=``, ``?importance=``, ``?q=`` filter."""

    queryset = Announcement.objects.all()
    serializer_class = AnnouncementSerializer
    filterset_class = AnnouncementFilterSet
    ordering_fields = ["published_at", "created_at", "title"]
    ordering = ["-pinned", "-published_at", "-created_at", "-id"]
    lookup_value_regex = "[0-9]+"
    policy_actions = {
        "publish": "publish",
        "archive": "archive",
        "remind": "remind",
        "receipts": "export",
        "read": "view",
        "acknowledge": "view",
    }
    # The caller's own copy is enough for these; managing rights for the rest.
    READER_ACTIONS = ("retrieve", "read", "acknowledge")

    def initial(self, request, *args, **kwargs):
        # Lists are open to every signed-in role (each sees what is addressed to them).
        viewsets.GenericViewSet.initial(self, request, *args, **kwargs)
        if self.action == "create":
            policy.require(request.user, "add", Announcement)

    def get_queryset(self):
        user = self.request.user
        return (
            selectors.with_my_receipt(selectors.announcement_visible(user=user), user=user)
            .select_related("author")
            .prefetch_related("units", "positions")
        )

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        pk = self.kwargs.get("pk", "")
        if not str(pk).isdigit() or int(pk) > MAX_ID:
            raise Http404
        obj = queryset.filter(pk=int(pk)).first()
        if obj is None:
            raise Http404
        # Visible (addressed or managed): a missing right is a 403, not a 404.
        if self.action not in self.READER_ACTIONS and not policy.can(
            self.request.user, self.policy_action(), obj
        ):
            raise PolicyDenied()
        return obj

    def _out(self, announcement: Announcement, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=announcement.pk)
        return Response(AnnouncementSerializer(fresh).data, status=code)

    @extend_schema(request=AnnouncementInputSerializer, responses={201: AnnouncementSerializer})
    def create(self, request: Request) -> Response:
        data = AnnouncementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        announcement = services.announcement_create(actor=request.user, **data.validated_data)
        return self._out(announcement, status.HTTP_201_CREATED)

    def _update(self, request: Request, *, partial: bool) -> Response:
        announcement = self.get_object()
        data = AnnouncementUpdateSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changes: dict[str, Any] = {
            key: value
            for key, value in data.validated_data.items()
            if not partial or key in request.data
        }
        reacknowledge = bool(changes.pop("reacknowledge", False))
        services.announcement_update(
            actor=request.user, announcement=announcement, reacknowledge=reacknowledge, **changes
        )
        return self._out(announcement)

    @extend_schema(request=AnnouncementUpdateSerializer, responses=AnnouncementSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=AnnouncementUpdateSerializer, responses=AnnouncementSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=True)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.announcement_delete(actor=request.user, announcement=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PublishInputSerializer, responses=AnnouncementSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        announcement = self.get_object()
        data = PublishInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.announcement_publish(
            actor=request.user,
            announcement=announcement,
            publish_at=data.validated_data["publish_at"],
        )
        return self._out(announcement)

    @extend_schema(request=None, responses=AnnouncementSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        announcement = services.announcement_archive(
            actor=request.user, announcement=self.get_object()
        )
        return self._out(announcement)

    @extend_schema(request=None, responses=MyReceiptSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        announcement = self.get_object()
        receipt = services.announcement_read(actor=request.user, announcement=announcement)
        if receipt is None:
            raise Http404
        return Response(MyReceiptSerializer(receipt).data)

    @extend_schema(request=None, responses=MyReceiptSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        receipt = services.announcement_acknowledge(
            actor=request.user, announcement=self.get_object()
        )
        return Response(MyReceiptSerializer(receipt).data)

    @extend_schema(request=None, responses=RemindSerializer)
    @action(detail=True, methods=["post"])
    def remind(self, request: Request, pk: str | None = None) -> Response:
        count = services.announcement_remind(actor=request.user, announcement=self.get_object())
        return Response({"reminded": count})

    @extend_schema(request=None, responses=ReceiptSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filterset_class=None)
    def receipts(self, request: Request, pk: str | None = None) -> Response:
        announcement = self.get_object()
        policy.require(request.user, "export", AnnouncementReceipt)
        receipts = selectors.receipts_for_export(user=request.user, announcement=announcement)
        page = self.paginate_queryset(receipts)
        if page is not None:
            return self.get_paginated_response(ReceiptSerializer(page, many=True).data)
        return Response(ReceiptSerializer(receipts, many=True).data)


def register(router: DefaultRouter) -> None:
    router.register("announcements", AnnouncementViewSet, basename="collab-announcement")


paths: list = []
