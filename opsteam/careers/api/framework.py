"""Careers API, competency framework: competency groups (``org.SkillGroup``) and the
competencies (``org.Skill``) with what each of their levels 1-5 looks like at work
(``org.SkillLevelDescriptor``).

Everyone who may see skills reads the framework; HR and administrators add and rename groups
and set a competency's group and level descriptors, through ``careers.services_framework``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.careers import services_framework
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.core.filters import IdChoiceFilter
from opsteam.org.choices import SkillCategory
from opsteam.org.models import Skill, SkillGroup, SkillLevelDescriptor

# Groups ---------------------------------------------------------------------------------------


class SkillGroupCompetencySerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Skill
        fields = ["id", "code", "display_name"]
        read_only_fields = fields


class SkillGroupSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    competencies = SkillGroupCompetencySerializer(source="skills", many=True, read_only=True)

    class Meta:
        model = SkillGroup
        fields = ["id", "code", "name", "name_en", "display_name", "order", "competencies"]
        read_only_fields = fields


class SkillGroupInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    order = serializers.IntegerField(
        min_value=0, max_value=999, required=False, help_text="Groups are listed by order."
    )


class SkillGroupViewSet(ScopedModelViewSet):
    """The groups of the competency framework, each with its competencies."""

    queryset = SkillGroup.objects.all()
    serializer_class = SkillGroupSerializer
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["order", "code"]
    ordering = ["order", "code"]

    def get_queryset(self):
        competencies = Skill.objects.only("pk", "code", "name", "name_en", "group_id")
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("skills", competencies.order_by("code")))
        )

    def _out(self, group: SkillGroup, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            SkillGroupSerializer(self.get_queryset().get(pk=group.pk)).data, status=code
        )

    @extend_schema(request=SkillGroupInputSerializer, responses={201: SkillGroupSerializer})
    def create(self, request: Request) -> Response:
        data = SkillGroupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = services_framework.skill_group_create(actor=request.user, **data.validated_data)
        return self._out(group, status.HTTP_201_CREATED)

    @extend_schema(request=SkillGroupInputSerializer, responses=SkillGroupSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        group = self.get_object()
        data = SkillGroupInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        group = services_framework.skill_group_update(
            actor=request.user, group=group, **data.validated_data
        )
        return self._out(group)


# Competencies ---------------------------------------------------------------------------------


class LevelDescriptorSerializer(serializers.ModelSerializer):
    label = serializers.CharField(
        read_only=True, help_text="The description in the user's language."
    )

    class Meta:
        model = SkillLevelDescriptor
        fields = ["level", "description", "description_en", "label"]
        read_only_fields = fields


class CompetencySerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    category = serializers.CharField(
        read_only=True, help_text="professional, tool, knowledge or general"
    )
    group_code = serializers.CharField(source="group.code", read_only=True, allow_null=True)
    levels = LevelDescriptorSerializer(
        source="level_descriptors",
        many=True,
        read_only=True,
        help_text="What each described level (1-5) looks like at work, lowest first.",
    )

    class Meta:
        model = Skill
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "category",
            "group",
            "group_code",
            "description",
            "levels",
        ]
        read_only_fields = fields


class LevelDescriptorInputSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=5)
    description = serializers.CharField(allow_blank=True, max_length=2000)
    description_en = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=2000
    )


class CompetencyInputSerializer(serializers.Serializer):
    """A competency's place in the framework. Fields left out keep their value; ``levels``,
    when given, replaces every descriptor (a level left out has none)."""

    group = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, required=False, help_text="A group id."
    )
    levels = LevelDescriptorInputSerializer(many=True, required=False, max_length=5)

    def validate_group(self, value: int | None) -> SkillGroup | None:
        if value is None:
            return None
        group = SkillGroup.objects.filter(pk=value).first()
        if group is None:
            raise serializers.ValidationError(_("Unknown id: {ids}.").format(ids=value))
        return group

    def validate_levels(self, rows: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
        levels = [row["level"] for row in rows]
        if len(levels) != len(set(levels)):
            raise serializers.ValidationError(_("Describe each level once."))
        return {row["level"]: (row["description"], row["description_en"]) for row in rows}


class CompetencyFilterSet(django_filters.FilterSet):
    group = IdChoiceFilter(queryset=SkillGroup.objects.all(), label=gettext_lazy("Group"))
    category = django_filters.ChoiceFilter(
        choices=SkillCategory.choices, label=gettext_lazy("Category")
    )

    class Meta:
        model = Skill
        fields = ["group", "category"]


class CompetencyViewSet(ScopedModelViewSet):
    """The competencies with their group and level descriptors."""

    queryset = Skill.objects.all()
    serializer_class = CompetencySerializer
    filterset_class = CompetencyFilterSet
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "category"]
    ordering = ["code"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("group")
            .prefetch_related(
                Prefetch("level_descriptors", SkillLevelDescriptor.objects.order_by("level"))
            )
        )

    @extend_schema(request=CompetencyInputSerializer, responses=CompetencySerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Set the competency's group and, when ``levels`` is given, its level descriptors."""
        skill = self.get_object()
        # Not partial: every field is optional already, and each row of ``levels`` is whole.
        data = CompetencyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "levels" in values:
            descriptors = values["levels"]
        else:
            descriptors = {
                row.level: (row.description, row.description_en)
                for row in skill.level_descriptors.all()
            }
        skill = services_framework.skill_framework_update(
            actor=request.user,
            skill=skill,
            group=values.get("group", skill.group),
            descriptors=descriptors,
        )
        return Response(CompetencySerializer(self.get_queryset().get(pk=skill.pk)).data)


def register(router: DefaultRouter) -> None:
    """Register this area's viewsets on the careers router."""
    router.register("skill-groups", SkillGroupViewSet, basename="careers-skill-group")
    router.register("competencies", CompetencyViewSet, basename="careers-competency")
