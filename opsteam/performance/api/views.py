"""KPI API: the KPI library, KPI templates and measurements (with the bulk upload).

Reads are scoped by the policy; writes go through services; the bulk upload goes through the
same import engine and ``kpi`` spec as files (``core.imports.run_import``).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from opsteam.core import imports
from opsteam.core.api.errors import error_body
from opsteam.core.api.schema import ERROR_RESPONSE
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.core.choices import AuditSource
from opsteam.core.exceptions import ImportRejected, InvalidTransition
from opsteam.performance import services
from opsteam.performance.api import serializers as s
from opsteam.performance.choices import TemplateStatus
from opsteam.performance.filters import KpiFilterSet, KpiTemplateFilterSet, MeasurementFilterSet
from opsteam.performance.models import Kpi, KpiTemplate, Measurement

# A larger upload belongs in a file (the import page or ``opsteam import kpi``), which streams.
BULK_MAX_ROWS = 50_000


class KpiViewSet(ScopedModelViewSet):
    """The KPI library: everyone reads it; HR and administrators add and change KPIs."""

    queryset = Kpi.objects.all()
    serializer_class = s.KpiSerializer
    filterset_class = KpiFilterSet
    ordering_fields = ["code", "name", "category", "updated_at"]
    ordering = ["code"]

    @extend_schema(request=s.KpiInputSerializer, responses={201: s.KpiSerializer})
    def create(self, request: Request) -> Response:
        data = s.KpiInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kpi = services.kpi_create(actor=request.user, **data.validated_data)
        return Response(s.KpiSerializer(kpi).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.KpiInputSerializer, responses=s.KpiSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        kpi = self.get_object()
        data = s.KpiInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        kpi = services.kpi_update(actor=request.user, kpi=kpi, **data.validated_data)
        return Response(s.KpiSerializer(kpi).data)


class KpiTemplateViewSet(ScopedModelViewSet):
    """KPI templates per position (and level), every version; drafts are edited, then activated."""

    queryset = KpiTemplate.objects.select_related("position", "level").prefetch_related(
        "items__kpi"
    )
    serializer_class = s.KpiTemplateSerializer
    filterset_class = KpiTemplateFilterSet
    ordering_fields = ["version", "updated_at"]
    ordering = ["position__code", "-version"]
    policy_actions = {"activate": "change"}

    @extend_schema(request=s.KpiTemplateInputSerializer, responses={201: s.KpiTemplateSerializer})
    def create(self, request: Request) -> Response:
        """Save the items as the position's draft: the open draft, or the next version."""
        data = s.KpiTemplateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        template = services.kpi_template_save(
            actor=request.user,
            position=values["position"],
            level=values.get("level"),
            note=values.get("note", ""),
            items=values["items"],
        )
        return Response(s.KpiTemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.KpiTemplateUpdateInputSerializer, responses=s.KpiTemplateSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Replace a draft's items (and note). Active and retired versions are read-only:
        POST to the list to start the next version."""
        template = self.get_object()
        if template.status != TemplateStatus.DRAFT:
            raise InvalidTransition(
                _("Only a draft can be edited; save a new version to change this template.")
            )
        data = s.KpiTemplateUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        template = services.kpi_template_save(
            actor=request.user,
            position=template.position,
            level=template.level,
            note=values.get("note", template.note),
            items=values["items"],
        )
        return Response(s.KpiTemplateSerializer(template).data)

    @extend_schema(request=None, responses=s.KpiTemplateSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        """Put a draft in force (weights must add up to 100); the previous version retires."""
        template = services.kpi_template_activate(actor=request.user, template=self.get_object())
        return Response(s.KpiTemplateSerializer(template).data)


def _bulk_problems(body: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Check the shape of a bulk body; return (every problem, the parsed parts).

    Values are left as they are: the import engine checks them like cells of a file.
    """
    problems: list[dict[str, Any]] = []

    def problem(detail: str, attr: str | None = None, row: int | None = None, value: Any = ""):
        problems.append(
            {"code": "invalid", "detail": detail, "attr": attr, "row": row, "value": str(value)}
        )

    if not isinstance(body, dict):
        problem(_("Send a JSON object with batch, rows and dry_run."))
        return problems, {}
    keys = {column.key for column in imports.REGISTRY["kpi"].columns}
    batch = body.get("batch") or ""
    if not isinstance(batch, str) or any(ord(char) < 32 for char in batch):
        problem(_("The batch must be text without control characters."), attr="batch")
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        problem(_("dry_run must be true or false."), attr="dry_run")
    rows = body.get("rows")
    if not isinstance(rows, list) or not rows:
        problem(_("rows must be a non-empty list of objects."), attr="rows")
        rows = []
    elif len(rows) > BULK_MAX_ROWS:
        problem(
            _("At most {limit} rows per request; upload a file for more.").format(
                limit=BULK_MAX_ROWS
            ),
            attr="rows",
        )
        rows = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problem(_("Each row must be an object."), attr="rows", row=number)
            continue
        for key, value in row.items():
            if key not in keys:
                problem(_("Unknown field."), attr=str(key)[:50], row=number)
            elif isinstance(value, dict | list):
                problem(_("A single value is expected."), attr=key, row=number)
    for name in body:
        if name not in {"batch", "rows", "dry_run"}:
            problem(_("Unknown field."), attr=str(name)[:50])
    return problems, {
        "batch": batch if isinstance(batch, str) else "",
        "rows": rows,
        "dry_run": dry_run is True,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _rows_as_csv(rows: list[dict[str, Any]]) -> io.BytesIO:
    """The rows as the CSV file the ``kpi`` import reads (its column keys as the header)."""
    keys = [column.key for column in imports.REGISTRY["kpi"].columns]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(keys)
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key in keys])
    return io.BytesIO(text.getvalue().encode("utf-8"))


def _errors_for_rows(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Engine errors (file row, column header) as bulk errors (row in the list, field key)."""
    columns = imports.REGISTRY["kpi"].columns
    field = {}
    for column in columns:
        for label in (column.key, column.header_zh, column.header_en):
            field[str(label)] = column.key
    result = []
    for error in errors:
        row = error.get("row")
        result.append(
            {
                "code": error.get("code", "invalid"),
                "detail": error.get("reason", ""),
                "attr": field.get(str(error.get("column")), error.get("column")),
                # row 1 of the file is the header: file row 2 is the first row of the list
                "row": row - 1 if isinstance(row, int) and row > 1 else None,
                "value": "" if error.get("value") is None else str(error.get("value")),
            }
        )
    return result


class MeasurementViewSet(ScopedModelViewSet):
    """KPI values: operators see their own, managers their subtree's, HR and auditors all."""

    queryset = Measurement.objects.select_related("staff", "kpi")
    serializer_class = s.MeasurementSerializer
    filterset_class = MeasurementFilterSet
    ordering_fields = ["date", "recorded_at", "value"]
    ordering = ["-date", "pk"]
    policy_actions = {"bulk": "import"}

    @extend_schema(request=s.MeasurementInputSerializer, responses={201: s.MeasurementSerializer})
    def create(self, request: Request) -> Response:
        """Enter (or correct) one value by hand; later imports never overwrite it."""
        data = s.MeasurementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measurement = services.measurement_enter(actor=request.user, **data.validated_data)
        return Response(s.MeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.BulkInputSerializer,
        responses={
            200: OpenApiResponse(s.BulkResultSerializer, description="Checked (dry run)"),
            201: OpenApiResponse(s.BulkResultSerializer, description="Imported"),
            400: ERROR_RESPONSE,
        },
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        """Import many values at once through the ``kpi`` import (same checks as a file).

        Every problem is listed (``row`` counts the ``rows`` list from 1, ``attr`` names the
        field) and nothing is written unless every row is valid. Retry-safe: sending the same
        batch again changes nothing. Values entered by hand are never overwritten (skipped).
        """
        problems, body = _bulk_problems(request.data)
        if problems:
            return Response(
                error_body("validation_error", problems), status=status.HTTP_400_BAD_REQUEST
            )
        try:
            outcome = imports.run_import(
                actor=request.user,
                spec_class=imports.REGISTRY["kpi"],
                handle=_rows_as_csv(body["rows"]),
                filename="api-bulk.csv",
                dry_run=body["dry_run"],
                source=AuditSource.API,
                batch=body["batch"] or None,
            )
        except ImportRejected as exc:
            return Response(
                error_body("validation_error", _errors_for_rows(exc.errors)),
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = {
            "job": outcome.job.pk,
            "batch": outcome.batch,
            "dry_run": outcome.dry_run,
            "rows_total": outcome.rows_total,
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "skipped": outcome.skipped,
            "message": outcome.message,
            "errors": [],
        }
        return Response(
            result, status=status.HTTP_200_OK if outcome.dry_run else status.HTTP_201_CREATED
        )
