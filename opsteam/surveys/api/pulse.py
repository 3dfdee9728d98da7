"""Pulse survey API: the question library, surveys (create, schedule, close), waves with the
caller's anonymous response, and results that only ever hold released groups.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from opsteam.core.exceptions import ValidationFailed
from opsteam.org.models import OrgUnit
from opsteam.surveys import selectors_pulse as selectors
from opsteam.surveys import services_pulse as services
from opsteam.surveys.anonymity import MINIMUM_THRESHOLD
from opsteam.surveys.choices_pulse import (
    PulseQuestionKind,
    PulseStatus,
    PulseTheme,
    TenureBand,
    WaveStatus,
)
from opsteam.surveys.models_pulse import PulseQuestion, PulseSurvey, PulseWave


class PulseQuestionSerializer(serializers.ModelSerializer):
    theme = serializers.ChoiceField(choices=PulseTheme.choices)
    kind = serializers.ChoiceField(choices=PulseQuestionKind.choices)

    class Meta:
        model = PulseQuestion
        fields = ["id", "code", "theme", "kind", "text", "text_en", "is_active", "is_standard"]
        read_only_fields = ["id", "is_standard"]


class PulseSurveySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=PulseStatus.choices, read_only=True)
    question_ids = serializers.SerializerMethodField()
    unit_ids = serializers.SerializerMethodField()

    class Meta:
        model = PulseSurvey
        fields = [
            "id",
            "name",
            "name_en",
            "intro",
            "status",
            "audience_all",
            "unit_ids",
            "question_ids",
            "starts_on",
            "open_days",
            "repeat_weeks",
            "min_group_size",
            "share_results",
        ]
        read_only_fields = fields

    def get_question_ids(self, obj: PulseSurvey) -> list[int]:
        return [item.question_id for item in obj.items.all()]

    def get_unit_ids(self, obj: PulseSurvey) -> list[int]:
        return [unit.pk for unit in obj.audience_units.all()]


class PulseSurveyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    intro = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    question_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=40
    )
    audience_all = serializers.BooleanField(required=False, default=False)
    unit_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=500,
    )
    starts_on = serializers.DateField()
    open_days = serializers.IntegerField(min_value=1, max_value=60, default=7)
    repeat_weeks = serializers.IntegerField(min_value=0, max_value=52, default=0)
    min_group_size = serializers.IntegerField(min_value=MINIMUM_THRESHOLD, max_value=50, default=5)
    share_results = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        question_ids = list(dict.fromkeys(attrs.pop("question_ids")))
        found = {q.pk: q for q in PulseQuestion.objects.filter(pk__in=question_ids)}
        if len(found) != len(question_ids):
            raise serializers.ValidationError({"question_ids": "Unknown question."})
        attrs["questions"] = [found[pk] for pk in question_ids]
        unit_ids = list(dict.fromkeys(attrs.pop("unit_ids")))
        units = list(OrgUnit.objects.filter(pk__in=unit_ids))
        if len(units) != len(unit_ids):
            raise serializers.ValidationError({"unit_ids": "Unknown unit."})
        attrs["units"] = units
        return attrs


class PulseWaveSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=WaveStatus.choices, read_only=True)
    responded = serializers.SerializerMethodField()

    class Meta:
        model = PulseWave
        fields = [
            "id",
            "survey",
            "number",
            "opens_on",
            "closes_on",
            "status",
            "invited",
            "responded",
        ]
        read_only_fields = fields

    def get_responded(self, obj: PulseWave) -> bool | None:
        """Whether the caller has responded (None: not invited)."""
        done = self.context.get("responded", {})
        return done.get(obj.pk)


class PulseAnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    value = serializers.IntegerField(min_value=0, max_value=10, required=False, allow_null=True)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PulseRespondInputSerializer(serializers.Serializer):
    answers = PulseAnswerInputSerializer(many=True, max_length=40)


class PulseRespondedSerializer(serializers.Serializer):
    responded = serializers.BooleanField()


class PulseQuestionFigureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=PulseQuestionKind.choices)
    theme = serializers.ChoiceField(choices=PulseTheme.choices)
    answers = serializers.IntegerField()
    average = serializers.FloatField(required=False, allow_null=True)
    favourable = serializers.FloatField(required=False, allow_null=True)
    unfavourable = serializers.FloatField(required=False, allow_null=True)
    enps = serializers.IntegerField(required=False, allow_null=True)
    promoters = serializers.IntegerField(required=False)
    passives = serializers.IntegerField(required=False)
    detractors = serializers.IntegerField(required=False)
    distribution = serializers.ListField(child=serializers.IntegerField())


class PulseThemeFigureSerializer(serializers.Serializer):
    theme = serializers.ChoiceField(choices=PulseTheme.choices)
    label = serializers.CharField()
    favourable = serializers.FloatField(allow_null=True)


class PulseOverallSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    enps = serializers.IntegerField(allow_null=True)
    favourable = serializers.FloatField(allow_null=True)
    themes = PulseThemeFigureSerializer(many=True)
    questions = PulseQuestionFigureSerializer(many=True)


class PulseTeamFigureSerializer(PulseOverallSerializer):
    unit_id = serializers.IntegerField()
    name = serializers.CharField()
    invited = serializers.IntegerField()
    rate = serializers.IntegerField(allow_null=True)


class PulseWithheldSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField()


class PulseCommentThemeSerializer(serializers.Serializer):
    theme = serializers.CharField()
    label = serializers.CharField()
    comments = serializers.IntegerField()
    share = serializers.FloatField()


class PulseTermSerializer(serializers.Serializer):
    term = serializers.CharField()
    count = serializers.IntegerField()


class PulseWaveBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    status = serializers.ChoiceField(choices=WaveStatus.choices)


class PulseResultsSerializer(serializers.Serializer):
    wave = PulseWaveBriefSerializer()
    scope = serializers.ChoiceField(choices=["all", "subtree", "company"])
    band = serializers.ChoiceField(choices=TenureBand.choices, allow_null=True)
    threshold = serializers.IntegerField()
    invited = serializers.IntegerField()
    responded = serializers.IntegerField()
    rate = serializers.IntegerField(allow_null=True)
    overall = PulseOverallSerializer(allow_null=True)
    overall_reason = serializers.CharField(allow_null=True)
    teams = PulseTeamFigureSerializer(many=True)
    withheld = PulseWithheldSerializer(many=True)
    comment_themes = PulseCommentThemeSerializer(many=True)
    terms = PulseTermSerializer(many=True)
    comments = serializers.ListField(child=serializers.CharField())


class PulseTrendRowSerializer(serializers.Serializer):
    wave = serializers.IntegerField()
    opens_on = serializers.DateField()
    enps = serializers.IntegerField(allow_null=True)
    favourable = serializers.FloatField(allow_null=True)
    rate = serializers.IntegerField(allow_null=True)
    enps_trend = serializers.CharField()
    favourable_trend = serializers.CharField()


WAVE_PARAMETER = OpenApiParameter(
    "wave", int, description="Wave id (default: the latest wave of the survey)."
)
BAND_PARAMETER = OpenApiParameter(
    "band", str, enum=TenureBand.values, description="Only respondents of this tenure band."
)


class PulseQuestionViewSet(ScopedModelViewSet):
    """The question library (HR, administrators, managers and auditors read it)."""

    queryset = PulseQuestion.objects.all()
    serializer_class = PulseQuestionSerializer
    ordering = ["theme", "code"]

    @extend_schema(request=PulseQuestionSerializer, responses={201: PulseQuestionSerializer})
    def create(self, request: Request) -> Response:
        data = PulseQuestionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_create(actor=request.user, **data.validated_data)
        return Response(PulseQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class PulseSurveyViewSet(ScopedModelViewSet):
    """Pulse surveys: HR and administrators create, schedule and close them; results hold
    only teams at or above the survey's minimum group size."""

    queryset = PulseSurvey.objects.prefetch_related("items", "audience_units")
    serializer_class = PulseSurveySerializer
    ordering = ["-starts_on", "-id"]
    policy_actions = {"schedule": "change", "close": "change", "results": "view", "trend": "view"}

    def get_queryset(self):
        return (
            selectors.survey_list(user=self.request.user)
            .prefetch_related("items", "audience_units")
            .order_by("-starts_on", "-id")
        )

    @extend_schema(request=PulseSurveyInputSerializer, responses={201: PulseSurveySerializer})
    def create(self, request: Request) -> Response:
        data = PulseSurveyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survey = services.survey_create(actor=request.user, **data.validated_data)
        return Response(PulseSurveySerializer(survey).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PulseSurveySerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: str | None = None) -> Response:
        survey = services.survey_schedule(
            actor=request.user, survey=self.get_object(), today=selectors.today()
        )
        survey.refresh_from_db()
        return Response(PulseSurveySerializer(survey).data)

    @extend_schema(request=None, responses=PulseSurveySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        survey = services.survey_close(actor=request.user, survey=self.get_object())
        return Response(PulseSurveySerializer(survey).data)

    @extend_schema(parameters=[WAVE_PARAMETER, BAND_PARAMETER], responses=PulseResultsSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """Released figures of one wave: overall, by team, comment themes and comments."""
        survey = self.get_object()
        selectors.results_scope(user=request.user, survey=survey)
        waves = survey.waves.order_by("-number")
        wanted = str(request.query_params.get("wave", ""))
        wave = (
            waves.filter(pk=int(wanted)).first() if wanted.isdigit() and len(wanted) < 19 else None
        )
        wave = wave or waves.first()
        if wave is None:
            raise ValidationFailed("This survey has no wave yet.")
        wave.survey = survey
        band = request.query_params.get("band") or None
        result = selectors.wave_results(user=request.user, wave=wave, band=band)
        return Response(PulseResultsSerializer(result).data)

    @extend_schema(responses=PulseTrendRowSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def trend(self, request: Request, pk: str | None = None) -> Response:
        """Overall eNPS, favourable % and response rate per wave (released figures only)."""
        survey = self.get_object()
        rows = selectors.survey_trend(user=request.user, survey=survey)
        return Response(PulseTrendRowSerializer(rows, many=True).data)


class PulseWaveViewSet(ScopedReadOnlyViewSet):
    """Waves of the surveys the caller sees; ``respond`` records the caller's anonymous answers."""

    queryset = PulseWave.objects.all()
    serializer_class = PulseWaveSerializer
    ordering = ["-opens_on", "-id"]
    policy_actions = {"respond": "view"}

    def get_queryset(self):
        visible = selectors.survey_list(user=self.request.user).values("pk")
        return super().get_queryset().filter(survey__in=visible).order_by("-opens_on", "-id")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        user = self.request.user
        if getattr(user, "is_authenticated", False):
            from opsteam.surveys.models_pulse import PulseParticipation

            context["responded"] = dict(
                PulseParticipation.objects.filter(staff__user=user).values_list(
                    "wave_id", "responded"
                )
            )
        return context

    @extend_schema(request=PulseRespondInputSerializer, responses={201: PulseRespondedSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str | None = None) -> Response:
        """Send the caller's answers once (ratings 1-5, eNPS 0-10, optional comments)."""
        wave = self.get_object()
        data = PulseRespondInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers: dict[int, Any] = {}
        for row in data.validated_data["answers"]:
            answers[row["question"]] = (
                row.get("comment", "") if row.get("value") is None else row["value"]
            )
        services.response_submit(actor=request.user, wave=wave, answers=answers)
        return Response({"responded": True}, status=status.HTTP_201_CREATED)
