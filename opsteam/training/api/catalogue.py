"""Training API: catalogue (courses, materials), plans, assignment rules and plan assignments.

Reads are scoped by the policy; every write goes through ``services_catalogue`` (or the
enrolment services) with explicitly declared input fields.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.core import policy
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.core.exceptions import NotVisible
from opsteam.org.models import JobLevel, OrgUnit, Position, Skill, Staff
from opsteam.training import selectors_catalogue as selectors
from opsteam.training import services as enrolment_services
from opsteam.training import services_catalogue as services
from opsteam.training.choices import (
    CourseCategory,
    CourseStatus,
    DeliveryMode,
    MaterialKind,
    PlanStage,
    Provider,
    TeachingMethod,
    Trigger,
)
from opsteam.training.forms_catalogue import CourseFilterSet, PlanFilterSet, RuleFilterSet
from opsteam.training.models import (
    AssignmentRule,
    Course,
    CourseSkill,
    Enrolment,
    Material,
    PlanAssignment,
    PlanCourse,
    TrainingPlan,
)

# Serializers ------------------------------------------------------------------------------


class CourseSkillSerializer(serializers.ModelSerializer):
    skill_code = serializers.CharField(source="skill.code", read_only=True)

    class Meta:
        model = CourseSkill
        fields = ["skill", "skill_code", "target_level"]
        read_only_fields = fields


class CourseSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    skills = CourseSkillSerializer(many=True, read_only=True)
    prerequisites = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            *services.COURSE_FIELDS,
            "display_name",
            "skills",
            "prerequisites",
        ]
        read_only_fields = fields


class CourseSkillInputSerializer(serializers.Serializer):
    skill = serializers.SlugRelatedField(slug_field="code", queryset=Skill.objects.all())
    target_level = serializers.IntegerField(min_value=1, max_value=5)


class CourseInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=CourseCategory.choices)
    method = serializers.ChoiceField(choices=TeachingMethod.choices, required=False)
    delivery = serializers.ChoiceField(choices=DeliveryMode.choices, required=False)
    provider = serializers.ChoiceField(choices=Provider.choices, required=False)
    duration_hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=Decimal("0.5"), required=False
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    is_open = serializers.BooleanField(required=False)
    requires_approval = serializers.BooleanField(required=False)
    issues_certificate = serializers.BooleanField(required=False)
    certificate_valid_months = serializers.IntegerField(
        min_value=1, max_value=600, required=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=CourseStatus.choices, required=False)
    skills = CourseSkillInputSerializer(many=True, required=False)
    prerequisites = serializers.PrimaryKeyRelatedField(
        queryset=Course.objects.all(), many=True, required=False
    )


def _course_arguments(data: dict) -> dict:
    if "skills" in data:
        data["skills"] = [(item["skill"], item["target_level"]) for item in data["skills"]]
    return data


class CourseMaterialSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    url = serializers.CharField(read_only=True, help_text="The link; empty for files.")

    class Meta:
        model = Material
        fields = [
            "id",
            "course",
            "title",
            "kind",
            "url",
            "version",
            "is_current",
            "note",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, material: Material) -> str | None:
        if material.kind != MaterialKind.FILE:
            return None
        return reverse("training:material_download", args=[material.pk])


class CourseMaterialInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=MaterialKind.choices)
    file = serializers.FileField(required=False, allow_null=True)
    url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class TrainingPlanCourseSerializer(serializers.ModelSerializer):
    course_code = serializers.CharField(source="course.code", read_only=True)

    class Meta:
        model = PlanCourse
        fields = ["course", "course_code", "order", "due_days", "is_required"]
        read_only_fields = fields


class TrainingPlanSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    items = TrainingPlanCourseSerializer(many=True, read_only=True)

    class Meta:
        model = TrainingPlan
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "stage",
            "description",
            "description_en",
            "is_active",
            "items",
        ]
        read_only_fields = fields


class TrainingPlanItemInputSerializer(serializers.Serializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all())
    due_days = serializers.IntegerField(min_value=0, max_value=730, required=False)
    is_required = serializers.BooleanField(required=False)


class TrainingPlanInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    stage = serializers.ChoiceField(choices=PlanStage.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    items = TrainingPlanItemInputSerializer(many=True, required=False)


class AssignmentRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssignmentRule
        fields = ["id", "plan", "trigger", "unit", "position", "level", "due_days", "is_active"]
        read_only_fields = fields


class AssignmentRuleInputSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=TrainingPlan.objects.all())
    trigger = serializers.ChoiceField(choices=Trigger.choices)
    unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    position = serializers.PrimaryKeyRelatedField(
        queryset=Position.objects.all(), required=False, allow_null=True
    )
    level = serializers.PrimaryKeyRelatedField(
        queryset=JobLevel.objects.all(), required=False, allow_null=True
    )
    due_days = serializers.IntegerField(min_value=0, max_value=730, required=False)
    is_active = serializers.BooleanField(required=False)


class RuleRunInputSerializer(serializers.Serializer):
    since = serializers.DateField(required=False, allow_null=True)


class RuleRunResultSerializer(serializers.Serializer):
    events = serializers.IntegerField()
    proposed = serializers.IntegerField()
    assignments_created = serializers.IntegerField()
    enrolments_created = serializers.IntegerField()
    enrolments_updated = serializers.IntegerField()
    skipped = serializers.IntegerField()
    explanations = serializers.ListField(child=serializers.CharField())


class PlanAssignmentSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    plan_code = serializers.CharField(source="plan.code", read_only=True)

    class Meta:
        model = PlanAssignment
        fields = [
            "id",
            "staff",
            "staff_name",
            "plan",
            "plan_code",
            "rule",
            "source",
            "source_ref",
            "assigned_on",
            "due_on",
            "is_cancelled",
        ]
        read_only_fields = fields


class PlanAssignInputSerializer(serializers.Serializer):
    staff = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=5000
    )
    due_on = serializers.DateField(required=False, allow_null=True)


class PlanAssignmentInputSerializer(PlanAssignInputSerializer):
    plan = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class CatalogueEnrolmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["id", "staff", "course", "source", "status", "due_on"]
        read_only_fields = fields


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _staff(ids: list[int]) -> list[Staff]:
    """The people named by id; an unknown id is "not found" like one outside the scope."""
    people = list(Staff.objects.filter(pk__in=set(ids)))
    if len(people) != len(set(ids)):
        raise NotVisible()
    return people


# Viewsets ---------------------------------------------------------------------------------


class CourseViewSet(ScopedModelViewSet):
    """The course catalogue: everyone reads it, HR and administrators maintain it."""

    queryset = Course.objects.all()
    serializer_class = CourseSerializer
    filterset_class = CourseFilterSet
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "name", "category", "duration_hours"]
    ordering = ["code"]
    policy_actions = {"retire": "change", "enrol": "view", "materials": "view"}

    def get_queryset(self):
        queryset = selectors.course_list(user=self.request.user)
        if self.action == "list":
            queryset = queryset.prefetch_related(*selectors.course_prefetch_for_api())
        return queryset

    def _out(self, course: Course, code: int = status.HTTP_200_OK) -> Response:
        course = Course.objects.prefetch_related(*selectors.course_prefetch_for_api()).get(
            pk=course.pk
        )
        return Response(CourseSerializer(course).data, status=code)

    @extend_schema(request=CourseInputSerializer, responses={201: CourseSerializer})
    def create(self, request: Request) -> Response:
        data = _course_arguments(_valid(CourseInputSerializer, request))
        course = services.course_create(actor=request.user, **data)
        return self._out(course, status.HTTP_201_CREATED)

    @extend_schema(request=CourseInputSerializer, responses=CourseSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        course = self.get_object()
        data = _course_arguments(_valid(CourseInputSerializer, request, partial=True))
        course = services.course_update(actor=request.user, course=course, **data)
        return self._out(course)

    @extend_schema(request=None, responses=CourseSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        """Retire the course: nobody new can enrol (409 if already retired)."""
        return self._out(services.course_retire(actor=request.user, course=self.get_object()))

    @extend_schema(request=None, responses={201: CatalogueEnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def enrol(self, request: Request, pk: str | None = None) -> Response:
        """Enrol the caller in an open course (prerequisites permitting)."""
        enrolment = enrolment_services.enrol_self(actor=request.user, course=self.get_object())
        return Response(
            CatalogueEnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(methods=["GET"], request=None, responses=CourseMaterialSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": CourseMaterialInputSerializer},
        responses={201: CourseMaterialSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
        pagination_class=None,  # every version in one answer, as the schema says
    )
    def materials(self, request: Request, pk: str | None = None) -> Response:
        """Every version of every material (GET); upload a file or add a link (POST)."""
        course = self.get_object()
        if request.method == "POST":
            policy.require(request.user, "change", course)
            data = _valid(CourseMaterialInputSerializer, request)
            material = services.material_add(actor=request.user, course=course, **data)
            return Response(CourseMaterialSerializer(material).data, status=status.HTTP_201_CREATED)
        rows = Material.objects.filter(course=course).order_by("title", "-version")
        return Response(CourseMaterialSerializer(rows, many=True).data)


class PlanViewSet(ScopedModelViewSet):
    """Training plans with their ordered courses; ``assign`` gives one to people by hand."""

    queryset = TrainingPlan.objects.all()
    serializer_class = TrainingPlanSerializer
    filterset_class = PlanFilterSet
    ordering = ["stage", "code"]
    policy_actions = {"assign": "view"}

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("items", PlanCourse.objects.select_related("course")))
        )

    def _out(self, plan: TrainingPlan, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            TrainingPlanSerializer(self.get_queryset().get(pk=plan.pk)).data, status=code
        )

    @extend_schema(request=TrainingPlanInputSerializer, responses={201: TrainingPlanSerializer})
    def create(self, request: Request) -> Response:
        plan = services.plan_create(
            actor=request.user, **_valid(TrainingPlanInputSerializer, request)
        )
        return self._out(plan, status.HTTP_201_CREATED)

    @extend_schema(request=TrainingPlanInputSerializer, responses=TrainingPlanSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = _valid(TrainingPlanInputSerializer, request, partial=True)
        return self._out(services.plan_update(actor=request.user, plan=plan, **data))

    @extend_schema(request=PlanAssignInputSerializer, responses=RuleRunResultSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Assign the plan to people (managers: their subtree; HR: anyone)."""
        plan = self.get_object()
        policy.require(request.user, "add", PlanAssignment)
        data = _valid(PlanAssignInputSerializer, request)
        result = services.plan_assign(
            actor=request.user, plan=plan, staff=_staff(data["staff"]), due_on=data.get("due_on")
        )
        return Response(RuleRunResultSerializer(result).data)


class RuleViewSet(ScopedModelViewSet):
    """Assignment rules (HR, administrators; auditors read); ``run`` applies them now."""

    queryset = AssignmentRule.objects.all()
    serializer_class = AssignmentRuleSerializer
    filterset_class = RuleFilterSet
    ordering = ["plan", "trigger", "id"]
    policy_actions = {"run": "change"}

    @extend_schema(request=AssignmentRuleInputSerializer, responses={201: AssignmentRuleSerializer})
    def create(self, request: Request) -> Response:
        rule = services.rule_create(
            actor=request.user, **_valid(AssignmentRuleInputSerializer, request)
        )
        return Response(AssignmentRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignmentRuleInputSerializer, responses=AssignmentRuleSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        rule = self.get_object()
        data = _valid(AssignmentRuleInputSerializer, request, partial=True)
        return Response(
            AssignmentRuleSerializer(
                services.rule_update(actor=request.user, rule=rule, **data)
            ).data
        )

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Deleted")})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.rule_delete(actor=request.user, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RuleRunInputSerializer, responses=RuleRunResultSerializer)
    @action(detail=False, methods=["post"])
    def run(self, request: Request) -> Response:
        """Run every active rule now for events since ``since`` (idempotent)."""
        data = _valid(RuleRunInputSerializer, request)
        result = services.plan_rules_run(actor=request.user, since=data.get("since"))
        return Response(RuleRunResultSerializer(result).data)


class PlanAssignmentViewSet(ScopedModelViewSet):
    """Plans given to people: own (operators), subtree (managers), all (HR, auditors)."""

    queryset = PlanAssignment.objects.select_related("staff", "plan")
    serializer_class = PlanAssignmentSerializer
    ordering = ["-assigned_on", "-id"]
    filterset_fields = ["plan", "staff", "source", "is_cancelled"]

    @extend_schema(
        request=PlanAssignmentInputSerializer, responses={201: PlanAssignmentSerializer(many=True)}
    )
    def create(self, request: Request) -> Response:
        data = _valid(PlanAssignmentInputSerializer, request)
        plan = policy.scoped_get(TrainingPlan.objects.all(), request.user, "view", pk=data["plan"])
        result = services.plan_assign(
            actor=request.user, plan=plan, staff=_staff(data["staff"]), due_on=data.get("due_on")
        )
        rows = self.get_queryset().filter(pk__in=result.assignment_ids)
        return Response(
            PlanAssignmentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED
        )


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the training router."""
    router.register("courses", CourseViewSet, basename="training-course")
    router.register("plans", PlanViewSet, basename="training-plan")
    router.register("rules", RuleViewSet, basename="training-rule")
    router.register("plan-assignments", PlanAssignmentViewSet, basename="training-plan-assignment")
