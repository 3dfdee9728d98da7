"""Collaboration API: knowledge base (registered by collab/api/urls.py).

``/api/collab/documents/``: list and search (``?q=``, category, unit, tag, status) with
highlighted snippets, create, read, change (a changed title or text is a new version),
delete; ``publish`` and ``archive``; ``versions`` (list, one version, ``restore``);
``attachments`` (list, upload as multipart, download, delete). Reads apply the knowledge
base's data rule (selectors_knowledge.document_list); writes go through services_knowledge.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.collab import selectors_knowledge as selectors
from opsteam.collab import services_knowledge as services
from opsteam.collab.models_knowledge import (
    Document,
    DocumentAttachment,
    DocumentCategory,
    DocumentStatus,
    DocumentVersion,
    DocumentVisibility,
)
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.core.exceptions import NotVisible, PolicyDenied
from opsteam.training import files

NUMBER = r"[0-9]{1,9}"
ATTACHMENT_ID = r"[0-9]{1,18}"


class DocumentSerializer(serializers.ModelSerializer):
    tags = serializers.ListField(child=serializers.CharField(), source="tag_list", read_only=True)
    unit_code = serializers.CharField(
        source="unit.code", read_only=True, allow_null=True, default=None
    )
    updated_by_name = serializers.CharField(
        source="updated_by.username", read_only=True, allow_null=True, default=None
    )
    positions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    steps = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "category",
            "tags",
            "unit",
            "unit_code",
            "visibility",
            "status",
            "version",
            "body",
            "positions",
            "steps",
            "updated_by_name",
            "created_at",
            "updated_at",
            "published_at",
        ]
        read_only_fields = fields


class DocumentSearchResultSerializer(serializers.ModelSerializer):
    tags = serializers.ListField(child=serializers.CharField(), source="tag_list", read_only=True)
    title_html = serializers.CharField(read_only=True)
    snippet = serializers.CharField(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "title_html",
            "snippet",
            "category",
            "tags",
            "unit",
            "status",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class DocumentQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.ChoiceField(choices=DocumentCategory.choices, required=False)
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    tag = serializers.CharField(required=False, allow_blank=True, max_length=40)
    status = serializers.ChoiceField(choices=DocumentStatus.choices, required=False)


class DocumentInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=200_000, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(
        choices=DocumentCategory.choices, required=False, default=DocumentCategory.SOP
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, required=False, default=None
    )
    visibility = serializers.ChoiceField(
        choices=DocumentVisibility.choices, required=False, default=DocumentVisibility.EVERYONE
    )
    change_note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    positions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=200,
    )
    steps = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=200,
    )

    def validate_unit(self, value: int | None) -> Any:
        from opsteam.org.models import OrgUnit

        if value is None:
            return None
        unit = OrgUnit.objects.filter(pk=value).first()
        if unit is None:
            raise serializers.ValidationError(_("Unknown unit."))
        return unit

    def _objects(self, model: Any, ids: list[int]) -> list[Any]:
        found = {obj.pk: obj for obj in model.objects.filter(pk__in=set(ids))}
        missing = sorted(set(ids) - found.keys())
        if missing:
            raise serializers.ValidationError(
                _("Unknown ids: {ids}.").format(ids=", ".join(map(str, missing[:10])))
            )
        return list(found.values())

    def validate_positions(self, value: list[int]) -> list[Any]:
        from opsteam.org.models import Position

        return self._objects(Position, value)

    def validate_steps(self, value: list[int]) -> list[Any]:
        from opsteam.workflow.models import Step

        return self._objects(Step, value)


class DocumentCreateSerializer(DocumentInputSerializer):
    status = serializers.ChoiceField(
        choices=[DocumentStatus.DRAFT, DocumentStatus.PUBLISHED],
        required=False,
        default=DocumentStatus.DRAFT,
    )


class DocumentVersionSummarySerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(
        source="author.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = DocumentVersion
        fields = ["number", "title", "change_note", "author_name", "restored_from", "created_at"]
        read_only_fields = fields


class DocumentVersionSerializer(DocumentVersionSummarySerializer):
    class Meta(DocumentVersionSummarySerializer.Meta):
        fields = [*DocumentVersionSummarySerializer.Meta.fields, "body"]
        read_only_fields = fields


class DocumentRestoreInputSerializer(serializers.Serializer):
    change_note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class DocumentAttachmentSerializer(serializers.ModelSerializer):
    uploaded_by_name = serializers.CharField(
        source="uploaded_by.username", read_only=True, allow_null=True, default=None
    )
    download_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = DocumentAttachment
        fields = ["id", "name", "size", "uploaded_by_name", "created_at", "download_url"]
        read_only_fields = fields


class DocumentAttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class DocumentViewSet(ScopedModelViewSet):
    """Knowledge-base documents the caller may read (published ones where they are visible,
    drafts to their editors and author). ``search`` adds highlighted snippets."""

    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    filter_backends: list[Any] = []
    # Finer rights (author drafts, unit scope) are checked by the services.
    policy_actions = {
        "publish": "view",
        "archive": "view",
        "versions": "view",
        "version": "view",
        "restore": "view",
        "attachments": "view",
        "attachment": "view",
        "update": "view",
        "partial_update": "view",
        "destroy": "view",
    }

    def get_queryset(self):
        queryset = selectors.document_list(user=self.request.user)
        if self.action in ("list", "search"):
            return queryset
        return queryset.prefetch_related("positions", "steps")

    def _filtered(self, request: Request):
        query = DocumentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        unit = None
        if data.get("unit"):
            from opsteam.org.models import OrgUnit

            unit = OrgUnit.objects.filter(pk=data["unit"]).first()
            if unit is None:
                return Document.objects.none(), data
        filters = selectors.SearchFilters(
            query=data.get("q", ""),
            category=data.get("category", ""),
            unit=unit,
            tag=data.get("tag", ""),
            status=data.get("status", ""),
        )
        return selectors.document_search(user=request.user, filters=filters), data

    def _editable(self) -> Document:
        """The document, when the caller may change it (checked before reading the input, so
        a denied write answers 403 whatever it sent)."""
        document = self.get_object()
        if not selectors.can_edit(self.request.user, document):
            raise PolicyDenied()
        return document

    def _out(self, document: Document, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().prefetch_related("positions", "steps").get(pk=document.pk)
        return Response(DocumentSerializer(fresh).data, status=code)

    @extend_schema(parameters=[DocumentQuerySerializer], responses=DocumentSerializer(many=True))
    def list(self, request: Request) -> Response:
        queryset, _data = self._filtered(request)
        page = self.paginate_queryset(queryset.prefetch_related("positions", "steps"))
        return self.get_paginated_response(DocumentSerializer(page, many=True).data)

    @extend_schema(
        parameters=[DocumentQuerySerializer], responses=DocumentSearchResultSerializer(many=True)
    )
    @action(detail=False, methods=["get"])
    def search(self, request: Request) -> Response:
        queryset, data = self._filtered(request)
        page = self.paginate_queryset(queryset)
        documents = selectors.with_snippets(list(page), data.get("q", ""))
        return self.get_paginated_response(
            DocumentSearchResultSerializer(documents, many=True).data
        )

    @extend_schema(request=DocumentCreateSerializer, responses={201: DocumentSerializer})
    def create(self, request: Request) -> Response:
        data = DocumentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_create(actor=request.user, **data.validated_data)
        return self._out(document, status.HTTP_201_CREATED)

    def _update(self, request: Request, *, partial: bool) -> Response:
        document = self._editable()
        data = DocumentInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changes = {
            key: value
            for key, value in data.validated_data.items()
            if not partial or key in request.data
        }
        services.document_update(actor=request.user, document=document, **changes)
        return self._out(document)

    @extend_schema(request=DocumentInputSerializer, responses=DocumentSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=DocumentInputSerializer, responses=DocumentSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=True)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.document_delete(actor=request.user, document=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        document = services.document_publish(actor=request.user, document=self.get_object())
        return self._out(document)

    @extend_schema(request=None, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        document = services.document_archive(actor=request.user, document=self.get_object())
        return self._out(document)

    @extend_schema(responses=DocumentVersionSummarySerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        versions = selectors.version_list(document=document)
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(DocumentVersionSummarySerializer(page, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=DocumentVersionSerializer,
    )
    @action(detail=True, methods=["get"], url_path=rf"versions/(?P<number>{NUMBER})")
    def version(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        document = self.get_object()
        return Response(
            DocumentVersionSerializer(selectors.version_get(document=document, number=number)).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=DocumentRestoreInputSerializer,
        responses=DocumentSerializer,
    )
    @action(detail=True, methods=["post"], url_path=rf"versions/(?P<number>{NUMBER})/restore")
    def restore(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        document = self._editable()
        data = DocumentRestoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.document_restore(
            actor=request.user,
            document=document,
            number=int(number),
            change_note=data.validated_data["change_note"],
        )
        return self._out(document)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=DocumentAttachmentSerializer(many=True),
        operation_id=None,
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": DocumentAttachmentUploadSerializer},
        responses={201: DocumentAttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object() if request.method == "GET" else self._editable()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.attachment_list(document=document))
            return self.get_paginated_response(DocumentAttachmentSerializer(page, many=True).data)
        data = DocumentAttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            actor=request.user, document=document, file=data.validated_data["file"]
        )
        return Response(
            DocumentAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("The file, under its original name.")
            )
        },
    )
    @extend_schema(
        methods=["DELETE"],
        parameters=[OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=rf"attachments/(?P<attachment_id>{ATTACHMENT_ID})",
    )
    def attachment(self, request: Request, pk: str | None = None, attachment_id: str = ""):
        document = self.get_object()
        found = selectors.attachment_list(document=document).filter(pk=int(attachment_id)).first()
        if found is None:
            raise NotVisible()
        if request.method == "DELETE":
            services.attachment_delete(actor=request.user, attachment=found)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return files.file_response(found.file, found.name.rsplit(".", 1)[0])


def register(router: DefaultRouter) -> None:
    router.register("documents", DocumentViewSet, basename="collab-document")


paths: list = []
