"""Org API viewsets: reads scoped by the policy, writes through services."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opsteam.core import exports, policy
from opsteam.core.api.schema import SPREADSHEET_RESPONSES
from opsteam.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from opsteam.org import selectors, services
from opsteam.org.api import serializers as s
from opsteam.org.filters import (
    ActivityFilterSet,
    JobDescriptionFilterSet,
    OrgUnitFilterSet,
    PositionFilterSet,
    RaciFilterSet,
    StaffFilterSet,
)
from opsteam.org.models import (
    Activity,
    Assignment,
    JobDescription,
    JobLevel,
    OrgUnit,
    Position,
    Process,
    RaciAssignment,
    RoleFamily,
    Staff,
)
from opsteam.org.tables import STAFF_TABLE

FORMAT_PARAMETER = OpenApiParameter(
    "file_format",
    str,
    enum=["xlsx", "csv"],
    default="xlsx",
    description="Spreadsheet format of the export.",
)


class OrgUnitViewSet(ScopedModelViewSet):
    """Departments and teams (a tree: ``path`` orders it, ``parent`` links it)."""

    queryset = OrgUnit.objects.select_related("parent")
    serializer_class = s.OrgUnitSerializer
    filterset_class = OrgUnitFilterSet
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "name", "path"]
    ordering = ["path"]

    @extend_schema(request=s.OrgUnitInputSerializer, responses={201: s.OrgUnitSerializer})
    def create(self, request: Request) -> Response:
        data = s.OrgUnitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = services.org_unit_create(actor=request.user, **data.validated_data)
        return Response(s.OrgUnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.OrgUnitInputSerializer, responses=s.OrgUnitSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        unit = self.get_object()
        data = s.OrgUnitInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        unit = services.org_unit_update(actor=request.user, unit=unit, **data.validated_data)
        return Response(s.OrgUnitSerializer(unit).data)

    @extend_schema(responses=s.OrgChartNodeSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def chart(self, request: Request) -> Response:
        """The whole tree with leads and headcounts (what the org chart draws)."""
        policy.require(request.user, "view", OrgUnit)
        tree = selectors.org_chart()

        def strip(node: dict) -> dict:
            return {k: v for k, v in node.items() if k not in {"url", "lead_position"}} | {
                "children": [strip(child) for child in node["children"]]
            }

        return Response([strip(node) for node in tree])


class RoleFamilyViewSet(ScopedReadOnlyViewSet):
    queryset = RoleFamily.objects.all()
    serializer_class = s.RoleFamilySerializer
    search_fields = ["code", "name", "name_en"]
    ordering = ["sort_order", "code"]


class JobLevelViewSet(ScopedModelViewSet):
    """Job levels: everyone reads them; HR and administrators add, change and delete them
    (a level still in use answers 409 naming what uses it)."""

    queryset = JobLevel.objects.all()
    serializer_class = s.JobLevelSerializer
    ordering = ["track", "rank"]

    @extend_schema(request=s.JobLevelInputSerializer, responses={201: s.JobLevelSerializer})
    def create(self, request: Request) -> Response:
        data = s.JobLevelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        level = services.job_level_create(actor=request.user, **data.validated_data)
        return Response(s.JobLevelSerializer(level).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.JobLevelInputSerializer, responses=s.JobLevelSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        level = self.get_object()
        data = s.JobLevelInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        level = services.job_level_update(actor=request.user, level=level, **data.validated_data)
        return Response(s.JobLevelSerializer(level).data)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Deleted")})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.job_level_delete(actor=request.user, level=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PositionViewSet(ScopedModelViewSet):
    queryset = Position.objects.select_related("family")
    serializer_class = s.PositionSerializer
    filterset_class = PositionFilterSet
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]
    policy_actions = {"start_draft": "change"}

    @extend_schema(request=s.PositionInputSerializer, responses={201: s.PositionSerializer})
    def create(self, request: Request) -> Response:
        data = s.PositionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        position = services.position_create(actor=request.user, **data.validated_data)
        return Response(s.PositionSerializer(position).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PositionInputSerializer, responses=s.PositionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        position = self.get_object()
        data = s.PositionInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        position = services.position_update(
            actor=request.user, position=position, **data.validated_data
        )
        return Response(s.PositionSerializer(position).data)

    @extend_schema(request=None, responses={201: s.JobDescriptionSerializer})
    @action(detail=True, methods=["post"], url_path="start-draft")
    def start_draft(self, request: Request, pk: str | None = None) -> Response:
        """Open the draft of the next job-description version (a copy of the latest)."""
        position = self.get_object()
        draft = services.job_description_start_draft(actor=request.user, position=position)
        return Response(s.JobDescriptionSerializer(draft).data, status=status.HTTP_201_CREATED)


class StaffViewSet(ScopedModelViewSet):
    """Staff the caller may see: everyone (HR, admin, auditor), their subtree (managers) or
    themself (operators)."""

    queryset = Staff.objects.select_related("unit", "position", "level", "manager")
    serializer_class = s.StaffSerializer
    filterset_class = StaffFilterSet
    search_fields = ["employee_no", "name", "name_en", "email"]
    ordering_fields = ["employee_no", "name", "hire_date"]
    ordering = ["employee_no"]
    policy_actions = {"reassign": "change", "export": "export"}

    def list_policy_action(self) -> str:
        return "export" if self.action == "export" else "view"

    @extend_schema(request=s.StaffCreateInputSerializer, responses={201: s.StaffSerializer})
    def create(self, request: Request) -> Response:
        data = s.StaffCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        staff = services.staff_create(actor=request.user, **data.validated_data)
        return Response(s.StaffSerializer(staff).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.StaffUpdateInputSerializer, responses=s.StaffSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        staff = self.get_object()
        data = s.StaffUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        staff = services.staff_update(actor=request.user, staff=staff, **data.validated_data)
        return Response(s.StaffSerializer(staff).data)

    @extend_schema(request=s.StaffReassignInputSerializer, responses=s.StaffSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        """Change unit, position, level or manager from an effective date (history kept)."""
        staff = self.get_object()
        data = s.StaffReassignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        staff = services.staff_reassign(
            actor=request.user,
            staff=staff,
            effective_date=values.pop("effective_date"),
            reason=values.pop("reason"),
            note=values.pop("note", ""),
            **values,
        )
        return Response(s.StaffSerializer(staff).data)

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=SPREADSHEET_RESPONSES)
    @action(detail=False, methods=["get"])
    def export(self, request: Request):
        """The filtered staff list as xlsx or csv (formula injection escaped)."""
        queryset = self.filter_queryset(self.get_queryset())
        header = [str(column.label) for column in STAFF_TABLE.export_columns()]
        file_format = "csv" if request.query_params.get("file_format") == "csv" else "xlsx"
        return exports.spreadsheet_response(
            stem="staff",
            file_format=file_format,
            header=header,
            rows=STAFF_TABLE.rows(queryset.iterator(chunk_size=2000)),
        )


class AssignmentViewSet(ScopedReadOnlyViewSet):
    """Assignment history; ``?staff=<id>&on=<date>`` answers "who held what on date D"."""

    queryset = Assignment.objects.all()
    serializer_class = s.AssignmentSerializer
    ordering = ["staff_id", "start_date"]

    @extend_schema(parameters=[s.AssignmentQuerySerializer])
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        query = s.AssignmentQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        staff = query.validated_data.get("staff")
        if staff is not None:
            queryset = queryset.filter(staff_id=staff)
        day = query.validated_data.get("on")
        if day is not None:
            queryset = queryset.filter(start_date__lte=day).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=day)
            )
        return queryset


class JobDescriptionViewSet(ScopedModelViewSet):
    queryset = JobDescription.objects.select_related("position").prefetch_related(
        "duties", "skill_requirements__skill", "relations"
    )
    serializer_class = s.JobDescriptionSerializer
    filterset_class = JobDescriptionFilterSet
    ordering = ["position__code", "-version"]
    policy_actions = {"publish": "publish", "diff": "view"}

    @extend_schema(request=s.JobDescriptionInputSerializer, responses=s.JobDescriptionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Edit a draft; ``duties``, ``skills`` and ``relations`` replace the lists when given."""
        jd = self.get_object()
        data = s.JobDescriptionInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        jd = services.job_description_update(
            actor=request.user, job_description=jd, **data.validated_data
        )
        return Response(s.JobDescriptionSerializer(jd).data)

    @extend_schema(request=None, responses=s.JobDescriptionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        jd = services.job_description_publish(actor=request.user, job_description=self.get_object())
        return Response(s.JobDescriptionSerializer(jd).data)

    @extend_schema(parameters=[s.DiffQuerySerializer], responses=s.DiffSectionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def diff(self, request: Request, pk: str | None = None) -> Response:
        new = self.get_object()
        query = s.DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        others = new.position.job_descriptions.all()
        against = query.validated_data.get("against")
        old = (
            others.filter(pk=against).first()
            if against is not None
            else (others.filter(version__lt=new.version).order_by("-version").first())
        )
        if old is None:
            raise NotFound()
        return Response(selectors.job_description_diff(old=old, new=new))


class ProcessViewSet(ScopedReadOnlyViewSet):
    queryset = Process.objects.all()
    serializer_class = s.ProcessSerializer
    search_fields = ["code", "name", "name_en"]
    ordering = ["code"]


class ActivityViewSet(ScopedReadOnlyViewSet):
    queryset = Activity.objects.select_related("process")
    serializer_class = s.ActivitySerializer
    filterset_class = ActivityFilterSet
    ordering = ["process__code", "order", "code"]


class RaciViewSet(ScopedReadOnlyViewSet):
    """The RACI matrix as cells; ``set`` changes one cell, ``analysis`` runs the checks."""

    queryset = RaciAssignment.objects.all()
    serializer_class = s.RaciCellSerializer
    filterset_class = RaciFilterSet
    ordering = ["activity_id", "position_id"]
    policy_actions = {"set_cell": "change", "analysis": "view"}

    @extend_schema(
        request=s.RaciSetInputSerializer, responses={200: s.RaciCellSerializer, 204: None}
    )
    @action(detail=False, methods=["post"], url_path="set")
    def set_cell(self, request: Request) -> Response:
        data = s.RaciSetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cell = services.raci_set(actor=request.user, **data.validated_data)
        if cell is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(s.RaciCellSerializer(cell).data)

    @extend_schema(responses=s.RaciAnalysisSerializer)
    @action(detail=False, methods=["get"])
    def analysis(self, request: Request) -> Response:
        """Gaps, multiple Accountable, duplicated duties and overloaded staff, with evidence."""
        analysis = selectors.raci_analysis()
        result = analysis["result"]
        activities = {
            f["activity"].pk: f["activity"]
            for items in analysis["findings"].values()
            for f in items
            if "activity" in f
        }
        visible = set(Staff.objects.restrict(request.user, "view").values_list("pk", flat=True))
        return Response(
            {
                "issue_count": result.issue_count,
                "activity_findings": [
                    {
                        "kind": f.kind,
                        "activity": f.activity_id,
                        "activity_name": activities[f.activity_id].display_name,
                        "positions": list(f.position_ids),
                    }
                    for f in result.activity_findings
                ],
                "pair_findings": [
                    {
                        "kind": f.kind,
                        "position_a": f.position_a,
                        "position_b": f.position_b,
                        "shared_activities": list(f.shared_activity_ids),
                        "similarity": f.similarity,
                    }
                    for f in result.pair_findings
                ],
                # Load findings name people: only those the caller may see individually.
                "load_findings": [
                    {
                        "staff": f.staff_id,
                        "load": f.load,
                        "limit": f.limit,
                        "contributions": [
                            {"position": p, "load": load} for p, load in f.contributions
                        ],
                    }
                    for f in result.load_findings
                    if f.staff_id in visible
                ],
            }
        )


class WhoDoesWhatView(APIView):
    """Activities matching ``q`` with each RACI position and the people holding it now."""

    @extend_schema(
        parameters=[s.WhoDoesWhatQuerySerializer], responses=s.WhoDoesWhatSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        policy.require(request.user, "view", Activity)
        query = s.WhoDoesWhatQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = selectors.who_does_what(query=query.validated_data.get("q", "").strip())
        return Response(
            [
                {
                    "activity": item["activity"].pk,
                    "activity_name": item["activity"].display_name,
                    "process": item["activity"].process.display_name,
                    "cells": [
                        {
                            "role": cell["role"],
                            "position": cell["position"].pk,
                            "position_name": cell["position"].display_name,
                            "holders": s.StaffDirectorySerializer(cell["holders"], many=True).data,
                        }
                        for cell in item["cells"]
                    ],
                }
                for item in results
            ]
        )
