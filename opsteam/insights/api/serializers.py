"""Serializers of the system review API: read-only output, explicit inputs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from opsteam.core.api.serializers import MAX_ID
from opsteam.insights import review as report
from opsteam.insights.models import SystemReview


class SystemReviewSerializer(serializers.ModelSerializer):
    open_action_count = serializers.IntegerField(read_only=True, default=0)
    action_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = SystemReview
        fields = [
            "id",
            "title",
            "period_start",
            "period_end",
            "status",
            "summary",
            "conclusions",
            "closed_at",
            "open_action_count",
            "action_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReviewFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField()
    unit = serializers.CharField()
    hint = serializers.CharField()
    change = serializers.FloatField(allow_null=True, required=False)


class ReviewLinkSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()


class ReviewSectionDataSerializer(serializers.Serializer):
    figures = ReviewFigureSerializer(many=True)
    explanation = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    links = ReviewLinkSerializer(many=True)
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField())
    chart = serializers.DictField(allow_null=True)


class ReviewSectionSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=report.SECTION_KEYS)
    title = serializers.CharField()
    data = ReviewSectionDataSerializer(allow_null=True)
    unavailable = serializers.BooleanField()


class ReviewReportSerializer(serializers.Serializer):
    review = SystemReviewSerializer()
    frozen = serializers.BooleanField()
    generated_at = serializers.CharField(allow_null=True)
    previous = serializers.IntegerField(allow_null=True)
    sections = ReviewSectionSerializer(many=True)


class SystemReviewCreateInputSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=20000, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["period_end"] < attrs["period_start"]:
            raise serializers.ValidationError(
                {"period_end": [_("The end comes before the start.")]}
            )
        return attrs


class SystemReviewUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=20000, allow_blank=True)
    conclusions = serializers.CharField(max_length=20000, allow_blank=True)


class ReviewActionInputSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=report.SECTION_KEYS)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    owner = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
