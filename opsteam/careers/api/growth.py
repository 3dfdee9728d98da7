"""Careers API, growth: career tracks (HR edits the ladders), level standards (HR edits drafts,
publishes, opens new drafts), development plans (create, add and update actions, check in,
close), my growth (eligibility explained) and team readiness.

Reads are scoped by the policy; every write goes through ``careers.services`` or
``careers.services_framework`` with explicitly declared input fields. Ids in input are bounded
integers; an unknown id answers 400 naming the field, a person the user may not see 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from opsteam.careers import selectors, selectors_growth, services, services_framework
from opsteam.careers.choices import ActionKind, ActionStatus, PlanStatus
from opsteam.careers.forms_growth import DevelopmentPlanFilterSet, StandardFilterSet
from opsteam.careers.models import (
    CareerStep,
    CareerTrack,
    DevelopmentAction,
    DevelopmentCheckIn,
    DevelopmentPlan,
    LevelStandard,
    StandardCertificate,
    StandardCompetency,
    StandardCourse,
)
from opsteam.core import policy
from opsteam.core.api.pagination import StandardPagination
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.org.choices import LevelTrack
from opsteam.org.models import JobLevel, OrgUnit, Skill, Staff
from opsteam.training.models import Course

ID = {"min_value": 1, "max_value": MAX_ID}
# Labels differ from the grade scale's elsewhere so each list documents its own meaning.
GOOD_GRADES = [(name, f"{name} or better") for name in selectors.grade_scale().names]
FLOOR_GRADES = [(name, f"nothing below {name}") for name in selectors.grade_scale().names]
TRACK_KINDS = [(value, value) for value in LevelTrack.values]


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _valid_patch(
    serializer_class: type[serializers.Serializer],
    request: Request,
    nested: dict[str, type[serializers.Serializer]],
) -> dict:
    """Validate a PATCH body: fields may be left out, but a list given replaces the whole list,
    so each of its rows is validated in full (DRF would pass ``partial`` on to the rows)."""
    data = _valid(serializer_class, request, partial=True)
    for name, row_serializer in nested.items():
        if name in data:
            rows = row_serializer(data=request.data.get(name), many=True)
            if not rows.is_valid():
                raise serializers.ValidationError({name: rows.errors})
            data[name] = [dict(row) for row in rows.validated_data]
    return data


def _rows(model: Any, ids: list[int], field: str) -> dict[int, Any]:
    """The rows named by ``ids``; an unknown id is a 400 naming ``field``."""
    rows = model.objects.in_bulk(list(set(ids)))
    missing = sorted(set(ids) - set(rows))
    if missing:
        raise serializers.ValidationError(
            {field: [_("Unknown id: {ids}.").format(ids=", ".join(map(str, missing)))]}
        )
    return rows


# Tracks ---------------------------------------------------------------------------------------


class CareerStepSerializer(serializers.ModelSerializer):
    level_code = serializers.CharField(source="level.code", read_only=True)
    level_name = serializers.CharField(source="level.display_name", read_only=True)
    entry_from = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = CareerStep
        fields = ["level", "level_code", "level_name", "order", "entry_from"]
        read_only_fields = fields


class CareerTrackSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="professional or management")
    steps = CareerStepSerializer(many=True, read_only=True)

    class Meta:
        model = CareerTrack
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "kind",
            "description",
            "description_en",
            "is_active",
            "steps",
        ]
        read_only_fields = fields


class CareerTrackStepInputSerializer(serializers.Serializer):
    level = serializers.IntegerField(**ID)
    entry_from = serializers.ListField(
        child=serializers.IntegerField(**ID),
        required=False,
        default=list,
        max_length=50,
        help_text="Levels of other tracks that lead into this step.",
    )


class CareerTrackInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=TRACK_KINDS)
    description = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    steps = CareerTrackStepInputSerializer(
        many=True, required=False, help_text="The ladder, lowest level first."
    )


class CareerTrackVersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    saved_at = serializers.DateTimeField()
    saved_by = serializers.IntegerField(allow_null=True, help_text="The user who saved it.")
    saved_by_name = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(
        allow_blank=True, help_text="What changed, in the request's language."
    )
    is_current = serializers.BooleanField(help_text="The ladder as it stands now.")


class LadderChangeSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="track_field, level_added, level_removed, reordered, step_field, "
        "entry_added or entry_removed"
    )
    level = serializers.CharField(allow_blank=True, help_text="The step's level code.")
    field = serializers.CharField(allow_blank=True, help_text="The field that changed.")
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    entry = serializers.CharField(allow_blank=True, help_text="The entry level's code.")
    text = serializers.CharField(help_text="The change in one sentence.")


class CareerTrackVersionSerializer(CareerTrackVersionSummarySerializer):
    snapshot = serializers.JSONField(
        help_text="The track's fields and its steps, lowest first, as saved."
    )
    changes = LadderChangeSerializer(many=True, help_text="Against the version before.")


def _version_summary(row: selectors_growth.TrackVersion) -> dict[str, Any]:
    return {
        "number": row.number,
        "saved_at": row.version.saved_at,
        "saved_by": row.version.saved_by_id,
        "saved_by_name": row.saved_by_name,
        "summary": row.summary,
        "is_current": row.is_current,
    }


def _version_detail(row: selectors_growth.TrackVersion) -> dict[str, Any]:
    return {
        **_version_summary(row),
        "snapshot": row.version.snapshot,
        "changes": [
            {
                "kind": change.kind,
                "level": (change.level or {}).get("code", ""),
                "field": change.field,
                "before": change.before,
                "after": change.after,
                "entry": (change.entry or {}).get("code", ""),
                "text": selectors_growth.describe_ladder_change(change),
            }
            for change in row.changes
        ],
    }


def _steps(rows: list[dict[str, Any]]) -> list[tuple[JobLevel, list[JobLevel]]]:
    ids = [row["level"] for row in rows] + [pk for row in rows for pk in row["entry_from"]]
    levels = _rows(JobLevel, ids, "steps")
    return [(levels[row["level"]], [levels[pk] for pk in row["entry_from"]]) for row in rows]


class CareerTrackViewSet(ScopedModelViewSet):
    """Career tracks with their ladders: everyone reads them, HR and administrators edit them."""

    queryset = CareerTrack.objects.all()
    serializer_class = CareerTrackSerializer
    filterset_fields = ["kind", "is_active"]
    ordering_fields = ["code", "kind"]
    ordering = ["kind", "code"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch(
                    "steps",
                    CareerStep.objects.select_related("level")
                    .prefetch_related("entry_from")
                    .order_by("order"),
                )
            )
        )

    def _out(self, track: CareerTrack, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            CareerTrackSerializer(self.get_queryset().get(pk=track.pk)).data, status=code
        )

    @extend_schema(request=CareerTrackInputSerializer, responses={201: CareerTrackSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(CareerTrackInputSerializer, request)
        steps = _steps(data.pop("steps", []))
        track = services_framework.track_ladder_save(actor=request.user, steps=steps, **data)
        return self._out(track, status.HTTP_201_CREATED)

    @extend_schema(request=CareerTrackInputSerializer, responses=CareerTrackSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        track = self.get_object()
        data = _valid_patch(
            CareerTrackInputSerializer, request, {"steps": CareerTrackStepInputSerializer}
        )
        if "steps" in data:
            steps = _steps(data.pop("steps"))
        else:
            steps = [
                (step.level, list(step.entry_from.all()))
                for step in track.steps.select_related("level")
                .prefetch_related("entry_from")
                .order_by("order")
            ]
        track = services_framework.track_ladder_save(
            actor=request.user, track=track, steps=steps, **data
        )
        return self._out(track)

    @extend_schema(responses=CareerTrackVersionSummarySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """Every saved version of the track's ladder, newest first, with what changed."""
        rows = selectors_growth.track_versions(self.get_object())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            CareerTrackVersionSummarySerializer(
                [_version_summary(row) for row in page], many=True
            ).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=CareerTrackVersionSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]{1,9})",
        filter_backends=[],
    )
    def version(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        """One saved version: its ladder as saved and what changed against the one before."""
        rows = selectors_growth.track_versions(self.get_object())
        row = next((row for row in rows if row.number == int(number)), None)
        if row is None:
            raise NotFound()
        return Response(CareerTrackVersionSerializer(_version_detail(row)).data)


# Standards ------------------------------------------------------------------------------------


class StandardCompetencySerializer(serializers.ModelSerializer):
    skill_code = serializers.CharField(source="skill.code", read_only=True)

    class Meta:
        model = StandardCompetency
        fields = ["skill", "skill_code", "min_level"]
        read_only_fields = fields


class StandardCourseSerializer(serializers.ModelSerializer):
    course_code = serializers.CharField(source="course.code", read_only=True)

    class Meta:
        model = StandardCourse
        fields = ["course", "course_code"]
        read_only_fields = fields


class StandardCertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardCertificate
        fields = ["course", "name"]
        read_only_fields = fields


class LevelStandardSerializer(serializers.ModelSerializer):
    level_code = serializers.CharField(source="level.code", read_only=True)
    competencies = StandardCompetencySerializer(many=True, read_only=True)
    courses = StandardCourseSerializer(many=True, read_only=True)
    certificates = StandardCertificateSerializer(many=True, read_only=True)

    class Meta:
        model = LevelStandard
        fields = [
            "id",
            "level",
            "level_code",
            "version",
            "status",
            *services.STANDARD_FIELDS,
            "published_at",
            "created_at",
            "competencies",
            "courses",
            "certificates",
        ]
        read_only_fields = fields


class LevelStandardCompetencyInputSerializer(serializers.Serializer):
    skill = serializers.IntegerField(**ID)
    min_level = serializers.IntegerField(min_value=1, max_value=5)


class LevelStandardCertificateInputSerializer(serializers.Serializer):
    course = serializers.IntegerField(**ID, required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class LevelStandardInputSerializer(serializers.Serializer):
    """A draft's thresholds and, when given, its whole lists of requirements."""

    min_months_in_level = serializers.IntegerField(min_value=0, max_value=600, required=False)
    appraisal_window = serializers.IntegerField(min_value=1, max_value=40, required=False)
    appraisal_min_count = serializers.IntegerField(min_value=0, max_value=40, required=False)
    appraisal_at_least = serializers.ChoiceField(
        choices=GOOD_GRADES,
        required=False,
        allow_blank=True,
        help_text="A good grade is at least this.",
    )
    appraisal_none_below = serializers.ChoiceField(
        choices=FLOOR_GRADES, required=False, allow_blank=True, help_text="No grade below this."
    )
    min_assessment_score = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal(100),
        required=False,
        allow_null=True,
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    notes_en = serializers.CharField(required=False, allow_blank=True)
    competencies = LevelStandardCompetencyInputSerializer(many=True, required=False)
    courses = serializers.ListField(
        child=serializers.IntegerField(**ID), required=False, max_length=200
    )
    certificates = LevelStandardCertificateInputSerializer(many=True, required=False)


class LevelStandardNewDraftInputSerializer(serializers.Serializer):
    level = serializers.IntegerField(**ID)


def _standard_arguments(data: dict[str, Any]) -> dict[str, Any]:
    """Input ids turned into rows for ``services.standard_update``."""
    if "competencies" in data:
        skills = _rows(Skill, [row["skill"] for row in data["competencies"]], "competencies")
        data["competencies"] = [
            (skills[row["skill"]], row["min_level"]) for row in data["competencies"]
        ]
    if "courses" in data:
        courses = _rows(Course, data["courses"], "courses")
        data["courses"] = [courses[pk] for pk in data["courses"]]
    if "certificates" in data:
        rows = data["certificates"]
        ids = [row["course"] for row in rows if row["course"]]
        courses = _rows(Course, ids, "certificates")
        data["certificates"] = [
            (courses[row["course"]] if row["course"] else None, row["name"]) for row in rows
        ]
    return data


class LevelStandardViewSet(ScopedModelViewSet):
    """Every version of every level's standard; HR and administrators edit drafts, publish
    them (the previous version retires) and open new drafts."""

    queryset = LevelStandard.objects.all()
    serializer_class = LevelStandardSerializer
    filterset_class = StandardFilterSet
    ordering_fields = ["version", "published_at"]
    ordering = ["level", "-version"]
    policy_actions = {"publish": "publish", "new_draft": "change"}

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("level")
            .prefetch_related(
                Prefetch("competencies", StandardCompetency.objects.select_related("skill")),
                Prefetch("courses", StandardCourse.objects.select_related("course")),
                "certificates",
            )
        )

    def _out(self, standard: LevelStandard, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            LevelStandardSerializer(self.get_queryset().get(pk=standard.pk)).data, status=code
        )

    @extend_schema(request=LevelStandardInputSerializer, responses=LevelStandardSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Edit a draft (409 for a published or retired version: open a new draft)."""
        standard = self.get_object()
        data = _valid_patch(
            LevelStandardInputSerializer,
            request,
            {
                "competencies": LevelStandardCompetencyInputSerializer,
                "certificates": LevelStandardCertificateInputSerializer,
            },
        )
        data = _standard_arguments(data)
        standard = services.standard_update(actor=request.user, standard=standard, **data)
        return self._out(standard)

    @extend_schema(request=None, responses=LevelStandardSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish a draft; the previously published version retires (409 if not a draft)."""
        standard = services.standard_publish(actor=request.user, standard=self.get_object())
        return self._out(standard)

    @extend_schema(
        request=LevelStandardNewDraftInputSerializer, responses={201: LevelStandardSerializer}
    )
    @action(detail=False, methods=["post"], url_path="new-draft")
    def new_draft(self, request: Request) -> Response:
        """Open the next draft of a level's standard, copied from the published version (the
        existing draft if there is one)."""
        data = _valid(LevelStandardNewDraftInputSerializer, request)
        level = _rows(JobLevel, [data["level"]], "level")[data["level"]]
        draft = services.standard_start_draft(actor=request.user, level=level)
        return self._out(draft, status.HTTP_201_CREATED)


# Development plans ----------------------------------------------------------------------------


class DevelopmentActionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True, help_text="course, mentoring, rotation, stretch, certificate or other"
    )
    status = serializers.CharField(
        read_only=True, help_text="planned, in_progress, done or dropped"
    )

    class Meta:
        model = DevelopmentAction
        fields = [
            "id",
            "kind",
            "title",
            "course",
            "skill",
            "mentor",
            "due_date",
            "status",
            "progress",
            "gap",
            "order",
        ]
        read_only_fields = fields


class DevelopmentCheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = DevelopmentCheckIn
        fields = ["id", "date", "notes", "progress", "author", "created_at"]
        read_only_fields = fields


class DevelopmentPlanSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    progress = serializers.SerializerMethodField()
    actions = DevelopmentActionSerializer(many=True, read_only=True)
    checkins = DevelopmentCheckInSerializer(many=True, read_only=True)

    class Meta:
        model = DevelopmentPlan
        fields = [
            "id",
            "staff",
            "staff_name",
            "target_level",
            "title",
            "goals",
            "status",
            "start_date",
            "end_date",
            "owner",
            "progress",
            "actions",
            "checkins",
        ]
        read_only_fields = fields

    def get_progress(self, plan: DevelopmentPlan) -> int:
        """The mean progress (%) of the actions not dropped."""
        counted = [a for a in plan.actions.all() if a.status != ActionStatus.DROPPED]
        return round(sum(a.progress for a in counted) / len(counted)) if counted else 0


class DevelopmentPlanCreateInputSerializer(serializers.Serializer):
    staff = serializers.IntegerField(**ID)
    target_level = serializers.IntegerField(**ID, required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    goals = serializers.CharField(required=False, allow_blank=True, default="")
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    generate = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Add an action for every standard of the target level not met yet.",
    )


class DevelopmentActionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    title = serializers.CharField(max_length=200)
    course = serializers.IntegerField(**ID, required=False, allow_null=True)
    skill = serializers.IntegerField(**ID, required=False, allow_null=True)
    mentor = serializers.IntegerField(**ID, required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)


class DevelopmentCheckInInputSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=5000)
    progress = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        default=None,
        help_text="Omit for the mean progress of the actions.",
    )


class DevelopmentPlanCloseInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(PlanStatus.COMPLETED, "completed"), (PlanStatus.CANCELLED, "cancelled")]
    )


def _action_arguments(data: dict[str, Any]) -> dict[str, Any]:
    for name, model in (("course", Course), ("skill", Skill), ("mentor", Staff)):
        if data.get(name) is not None:
            data[name] = _rows(model, [data[name]], name)[data[name]]
    return data


class DevelopmentPlanViewSet(ScopedModelViewSet):
    """Development plans: the person's own, their managers' team, HR all. The person, their
    manager and HR start plans (actions generated from the gap to the target level), add and
    update actions, check in and close them."""

    queryset = DevelopmentPlan.objects.all()
    serializer_class = DevelopmentPlanSerializer
    filterset_class = DevelopmentPlanFilterSet
    ordering_fields = ["start_date", "end_date", "title"]
    ordering = ["-start_date", "-id"]
    policy_actions = {
        "add_action": "change",
        "update_action": "change",
        "checkin": "change",
        "close": "change",
    }

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("staff")
            .prefetch_related(
                Prefetch("actions", DevelopmentAction.objects.order_by("order", "pk")),
                Prefetch("checkins", DevelopmentCheckIn.objects.order_by("-date", "-pk")),
            )
        )

    def _out(self, plan: DevelopmentPlan, code: int = status.HTTP_200_OK) -> Response:
        plan = DevelopmentPlan.objects.prefetch_related("actions", "checkins").get(pk=plan.pk)
        return Response(DevelopmentPlanSerializer(plan).data, status=code)

    @extend_schema(
        request=DevelopmentPlanCreateInputSerializer, responses={201: DevelopmentPlanSerializer}
    )
    def create(self, request: Request) -> Response:
        """Start a plan for a person (404 for someone the user may not see)."""
        data = _valid(DevelopmentPlanCreateInputSerializer, request)
        staff = policy.scoped_get(
            Staff.objects.select_related("unit"), request.user, pk=data.pop("staff")
        )
        level_id = data.pop("target_level")
        level = _rows(JobLevel, [level_id], "target_level")[level_id] if level_id else None
        plan = services.development_plan_create(
            actor=request.user, staff=staff, target_level=level, **data
        )
        return self._out(plan, status.HTTP_201_CREATED)

    @extend_schema(
        request=DevelopmentActionInputSerializer, responses={201: DevelopmentActionSerializer}
    )
    @action(detail=True, methods=["post"], url_path="actions")
    def add_action(self, request: Request, pk: str | None = None) -> Response:
        """Add an action to the plan."""
        plan = self.get_object()
        data = _action_arguments(_valid(DevelopmentActionInputSerializer, request))
        row = services.development_action_save(actor=request.user, plan=plan, **data)
        return Response(DevelopmentActionSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DevelopmentActionInputSerializer,
        responses=DevelopmentActionSerializer,
        parameters=[
            OpenApiParameter(
                "action_pk",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="The action's id",
            )
        ],
    )
    @action(detail=True, methods=["patch"], url_path=r"actions/(?P<action_pk>[0-9]{1,18})")
    def update_action(
        self, request: Request, pk: str | None = None, action_pk: str = ""
    ) -> Response:
        """Update an action of the plan (status, progress, mentor, ...)."""
        plan = self.get_object()
        row = DevelopmentAction.objects.filter(plan=plan, pk=int(action_pk)).first()
        if row is None:
            raise NotFound()
        data = _action_arguments(_valid(DevelopmentActionInputSerializer, request, partial=True))
        row = services.development_action_save(actor=request.user, plan=plan, action=row, **data)
        return Response(DevelopmentActionSerializer(row).data)

    @extend_schema(
        request=DevelopmentCheckInInputSerializer, responses={201: DevelopmentCheckInSerializer}
    )
    @action(detail=True, methods=["post"])
    def checkin(self, request: Request, pk: str | None = None) -> Response:
        """Record a check-in (409 once the plan is closed)."""
        plan = self.get_object()
        data = _valid(DevelopmentCheckInInputSerializer, request)
        row = services.development_checkin_add(actor=request.user, plan=plan, **data)
        return Response(DevelopmentCheckInSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DevelopmentPlanCloseInputSerializer, responses=DevelopmentPlanSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the plan as completed or cancelled."""
        plan = self.get_object()
        data = _valid(DevelopmentPlanCloseInputSerializer, request)
        plan = services.development_plan_close(actor=request.user, plan=plan, **data)
        return self._out(plan)


# My growth and team readiness -----------------------------------------------------------------


class GrowthCheckSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="time_in_level, competency, course, certificate, appraisal_count, "
        "appraisal_floor or assessment"
    )
    key = serializers.CharField(help_text="The skill, course or certificate checked; empty else.")
    met = serializers.BooleanField()
    reason = serializers.CharField(help_text="The engine's reason key; met when met.")
    required = serializers.JSONField()
    actual = serializers.JSONField()
    gap = serializers.FloatField(help_text="How far off, in the requirement's unit; 0 when met.")
    evidence = serializers.ListField(child=serializers.CharField())
    params = serializers.DictField()
    requirement = serializers.CharField()
    text = serializers.CharField(help_text="The check explained in one sentence.")
    short = serializers.CharField()


class GrowthLevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    track = serializers.CharField(allow_null=True)
    standard = serializers.IntegerField(allow_null=True)
    standard_version = serializers.IntegerField(allow_null=True)
    ready = serializers.BooleanField()
    met = serializers.IntegerField()
    total = serializers.IntegerField()
    share_met = serializers.FloatField()
    gap_score = serializers.FloatField()
    plan = serializers.IntegerField(allow_null=True)
    checks = GrowthCheckSerializer(many=True)


class GrowthRewardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField(allow_blank=True)
    points = serializers.IntegerField()
    granted_on = serializers.DateField()


class MyGrowthSerializer(serializers.Serializer):
    staff = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)
    level_code = serializers.CharField(allow_blank=True)
    level_since = serializers.DateField()
    months_in_level = serializers.IntegerField()
    tracks = serializers.ListField(child=serializers.CharField())
    next_levels = GrowthLevelSerializer(many=True)
    plan = DevelopmentPlanSerializer(allow_null=True)
    rewards = GrowthRewardSerializer(many=True)
    reward_points = serializers.IntegerField()


def _growth_level(item: selectors_growth.NextLevel) -> dict[str, Any]:
    return {
        "level": item.level.pk,
        "code": item.level.code,
        "name": item.level.display_name,
        "track": item.track.display_name if item.track else None,
        "standard": item.standard.pk if item.standard else None,
        "standard_version": item.standard.version if item.standard else None,
        "ready": item.result.ready,
        "met": item.result.met_count,
        "total": item.result.total,
        "share_met": item.result.share_met,
        "gap_score": item.result.gap_score,
        "plan": item.plan.pk if item.plan else None,
        "checks": [row.as_json() for row in item.checks],
    }


class MyGrowthView(APIView):
    """My level, time in level, each next level with every standard met or missed (evidence,
    gap and a sentence explaining it), my active development plan and my reward history."""

    @extend_schema(responses=MyGrowthSerializer)
    def get(self, request: Request) -> Response:
        staff = Staff.objects.select_related("level", "unit").filter(user=request.user).first()
        if staff is None:
            raise NotFound(_("Your login has no staff record."))
        growth = selectors_growth.growth_for(viewer=request.user, staff=staff)
        plan = None
        if growth.plan is not None:
            plan = DevelopmentPlanSerializer(
                DevelopmentPlan.objects.prefetch_related("actions", "checkins").get(
                    pk=growth.plan.pk
                )
            ).data
        return Response(
            {
                "staff": staff.pk,
                "employee_no": staff.employee_no,
                "name": staff.display_name,
                "level": staff.level_id,
                "level_code": staff.level.code if staff.level else "",
                "level_since": growth.level_since,
                "months_in_level": growth.months_in_level,
                "tracks": [track.display_name for track in growth.tracks],
                "next_levels": [_growth_level(item) for item in growth.next_levels],
                "plan": plan,
                "rewards": [
                    {
                        "id": entry.pk,
                        "kind": entry.kind,
                        "title": entry.title,
                        # as the schema's decimal string (the renderer would write a float)
                        "amount": None if entry.amount is None else f"{entry.amount:.2f}",
                        "currency": entry.currency,
                        "points": entry.points,
                        "granted_on": entry.granted_on,
                    }
                    for entry in growth.rewards
                ],
                "reward_points": growth.reward_points,
            }
        )


class TeamReadinessQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(**ID, required=False)
    level = serializers.IntegerField(**ID, required=False)
    target = serializers.IntegerField(**ID, required=False)
    ready = serializers.BooleanField(required=False, allow_null=True, default=None)


class TeamReadinessRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    staff = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    level = serializers.IntegerField()
    level_code = serializers.CharField()
    target = serializers.IntegerField()
    target_code = serializers.CharField()
    has_standard = serializers.BooleanField()
    ready = serializers.BooleanField()
    met = serializers.IntegerField()
    total = serializers.IntegerField()
    share_met = serializers.FloatField()
    missing = serializers.ListField(child=serializers.CharField())


PaginatedTeamReadinessSerializer = inline_serializer(
    "PaginatedTeamReadinessRowList",
    fields={
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": TeamReadinessRowSerializer(many=True),
    },
)


class TeamReadinessView(APIView):
    """People ranked by readiness for each of their next levels: a manager's subtree, everyone
    for HR, administrators and auditors (403 for operators). A scope of more than
    ``READINESS_PAGE_LIMIT`` people needs ``unit`` (400 naming the field)."""

    @extend_schema(
        responses=PaginatedTeamReadinessSerializer,
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.INT, description="A unit and its subtree"),
            OpenApiParameter("level", OpenApiTypes.INT, description="People at this level"),
            OpenApiParameter("target", OpenApiTypes.INT, description="This next level only"),
            OpenApiParameter("ready", OpenApiTypes.BOOL, description="Ready, or not yet"),
            OpenApiParameter(
                "page", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, required=False
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": StandardPagination.max_page_size},
                required=False,
            ),
        ],
    )
    def get(self, request: Request) -> Response:
        policy.require(request.user, "list", Staff)
        query = TeamReadinessQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        selection: dict[str, Any] = {"ready": data.get("ready")}
        for name, model in (("unit", OrgUnit), ("level", JobLevel), ("target", JobLevel)):
            if data.get(name) is not None:
                selection[name] = _rows(model, [data[name]], name)[data[name]]
        if selection.get("unit") is None:
            scope_size = selectors_growth.readiness_scope_size(user=request.user)
            if scope_size > selectors_growth.READINESS_PAGE_LIMIT:
                raise serializers.ValidationError(
                    {
                        "unit": [
                            _(
                                "Your scope holds {people} people: choose a department or team"
                                " (unit) to rank them."
                            ).format(people=scope_size)
                        ]
                    }
                )
        rows = selectors_growth.team_readiness(user=request.user, **selection)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            [
                {
                    "rank": row.rank,
                    "staff": row.staff.pk,
                    "employee_no": row.staff.employee_no,
                    "name": row.staff.display_name,
                    "unit": row.staff.unit.display_name,
                    "level": row.staff.level_id,
                    "level_code": row.staff.level.code,
                    "target": row.target.pk,
                    "target_code": row.target.code,
                    "has_standard": row.has_standard,
                    "ready": row.result.ready,
                    "met": row.result.met_count,
                    "total": row.result.total,
                    "share_met": row.result.share_met,
                    "missing": row.missing,
                }
                for row in page
            ]
        )


# Routes outside the router (single objects, not collections).
paths = [
    path("growth/me/", MyGrowthView.as_view(), name="careers-my-growth"),
    path("growth/team/", TeamReadinessView.as_view(), name="careers-team-readiness"),
]


def register(router: DefaultRouter) -> None:
    """Register this area's viewsets on the careers router."""
    router.register("tracks", CareerTrackViewSet, basename="careers-track")
    router.register("standards", LevelStandardViewSet, basename="careers-standard")
    router.register(
        "development-plans", DevelopmentPlanViewSet, basename="careers-development-plan"
    )
