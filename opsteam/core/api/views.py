"""Audit trail, import history and the import endpoint (the same engine as UI and CLI)."""

from __future__ import annotations

import tempfile

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from opsteam.core import exports, imports, policy
from opsteam.core.api.schema import SPREADSHEET_RESPONSES
from opsteam.core.api.serializers import (
    AuditEntrySerializer,
    ImportInputSerializer,
    ImportJobSerializer,
    ImportResultSerializer,
)
from opsteam.core.api.viewsets import ScopedReadOnlyViewSet
from opsteam.core.choices import AuditSource
from opsteam.core.filters import AuditEntryFilterSet, ImportJobFilterSet
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.core.views import AUDIT_TABLE


class AuditEntryViewSet(ScopedReadOnlyViewSet):
    """The append-only audit trail (HR, admin and auditors)."""

    queryset = AuditEntry.objects.all()
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    ordering = ["-at", "-id"]
    policy_actions = {"export": "export"}

    @extend_schema(
        parameters=[OpenApiParameter("file_format", str, enum=["xlsx", "csv"], default="xlsx")],
        responses=SPREADSHEET_RESPONSES,
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request):
        queryset = self.filter_queryset(self.get_queryset())
        file_format = "csv" if request.query_params.get("file_format") == "csv" else "xlsx"
        header = [str(column.label) for column in AUDIT_TABLE.export_columns()]
        return exports.spreadsheet_response(
            stem="audit",
            file_format=file_format,
            header=header,
            rows=AUDIT_TABLE.rows(queryset.iterator(chunk_size=2000)),
        )


class ImportJobViewSet(ScopedReadOnlyViewSet):
    """Import history; ``POST /api/imports/run/{kind}/`` runs an import (multipart ``file``)."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    filterset_class = ImportJobFilterSet
    ordering = ["-created_at", "-id"]

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={200: ImportResultSerializer, 201: ImportResultSerializer},
        parameters=[
            OpenApiParameter(
                "kind", str, OpenApiParameter.PATH, enum=sorted(imports.REGISTRY) or ["staff"]
            )
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=r"run/(?P<kind>[a-z_]+)",
        parser_classes=[MultiPartParser, FormParser],
    )
    def run(self, request: Request, kind: str) -> Response:
        """Validate every row, then write all rows or none (``dry_run`` writes nothing).

        A rejected file answers 400 with every problem (row, column, value, reason).
        """
        from rest_framework.exceptions import NotFound

        spec_class = imports.REGISTRY.get(kind)
        if spec_class is None:
            raise NotFound()
        policy.require(request.user, "import", spec_class.model)
        data = ImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        with tempfile.TemporaryFile() as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.seek(0)
            outcome = imports.run_import(
                actor=request.user,
                spec_class=spec_class,
                handle=handle,
                filename=upload.name,
                dry_run=data.validated_data["dry_run"],
                source=AuditSource.API,
            )
        body = {
            "job": ImportJobSerializer(outcome.job).data,
            "dry_run": outcome.dry_run,
            "rows_total": outcome.rows_total,
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
        }
        return Response(
            body, status=status.HTTP_200_OK if outcome.dry_run else status.HTTP_201_CREATED
        )
