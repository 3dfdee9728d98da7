"""Training API: assessment — question bank, exams, attempts (start, save, submit, grade).

Writable fields are explicit input serializers; a learner can never write a score or a
result. The key of an attempt (correct options, explanations, marks) is in its representation
only once it is graded, exactly as on the page (``selectors_exams.attempt_sheet``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.core import policy
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.core.exceptions import NotVisible
from opsteam.training import selectors_exams, services_exams
from opsteam.training.choices import AttemptStatus, ExamKind, QuestionKind
from opsteam.training.models import Attempt, Course, Exam, Question

# ----------------------------------------------------------------------------- questions


class BankOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(max_length=500)
    text_en = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    is_correct = serializers.BooleanField(default=False)


class BankCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(max_length=300)
    text_en = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    max_points = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.5"))


class BankQuestionSerializer(serializers.ModelSerializer):
    options = BankOptionSerializer(many=True, read_only=True)
    rubric = BankCriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "course",
            "kind",
            "text",
            "text_en",
            "points",
            "explanation",
            "is_active",
            "options",
            "rubric",
        ]
        read_only_fields = fields


class BankQuestionInputSerializer(serializers.Serializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all())
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField()
    text_en = serializers.CharField(required=False, allow_blank=True, default="")
    points = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=Decimal("0.5"), default=1
    )
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    options = BankOptionSerializer(many=True, required=False, default=list)
    rubric = BankCriterionSerializer(many=True, required=False, default=list)


class BankQuestionUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=QuestionKind.choices, required=False)
    text = serializers.CharField(required=False)
    text_en = serializers.CharField(required=False, allow_blank=True)
    points = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=Decimal("0.5"), required=False
    )
    explanation = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    options = BankOptionSerializer(many=True, required=False)
    rubric = BankCriterionSerializer(many=True, required=False)


class QuestionViewSet(ScopedModelViewSet):
    """The question bank (holds the answers): HR, administrators and auditors read it;
    HR and administrators write it."""

    queryset = Question.objects.select_related("course").prefetch_related("options", "rubric")
    serializer_class = BankQuestionSerializer
    ordering = ["course", "pk"]
    policy_actions = {"deactivate": "change"}
    filterset_fields = ["course", "kind", "is_active"]

    @extend_schema(request=BankQuestionInputSerializer, responses={201: BankQuestionSerializer})
    def create(self, request: Request) -> Response:
        data = BankQuestionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services_exams.question_create(actor=request.user, **data.validated_data)
        question = self.get_queryset().get(pk=question.pk)
        return Response(BankQuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BankQuestionUpdateSerializer, responses=BankQuestionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        question = self.get_object()
        data = BankQuestionUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services_exams.question_update(actor=request.user, question=question, **data.validated_data)
        return Response(BankQuestionSerializer(self.get_queryset().get(pk=question.pk)).data)

    @extend_schema(request=None, responses=BankQuestionSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        question = services_exams.question_deactivate(
            actor=request.user, question=self.get_object()
        )
        return Response(BankQuestionSerializer(self.get_queryset().get(pk=question.pk)).data)


# ----------------------------------------------------------------------------- exams


class ExamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exam
        fields = [
            "id",
            "course",
            "kind",
            "name",
            "name_en",
            "draw_count",
            "pass_mark",
            "time_limit_minutes",
            "max_attempts",
            "shuffle_questions",
            "shuffle_options",
            "partial_credit",
            "is_active",
        ]
        read_only_fields = fields


class ExamInputSerializer(serializers.Serializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all())
    kind = serializers.ChoiceField(choices=ExamKind.choices)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    questions = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True, default=None
    )
    draw_count = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    pass_mark = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False
    )
    time_limit_minutes = serializers.IntegerField(
        min_value=1, max_value=600, required=False, allow_null=True
    )
    max_attempts = serializers.IntegerField(
        min_value=1, max_value=50, required=False, allow_null=True
    )
    shuffle_questions = serializers.BooleanField(required=False)
    shuffle_options = serializers.BooleanField(required=False)
    partial_credit = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class ExamUpdateSerializer(ExamInputSerializer):
    course = None
    kind = serializers.ChoiceField(choices=ExamKind.choices, required=False)
    name = serializers.CharField(max_length=200, required=False)


# ----------------------------------------------------------------------------- attempts


class SheetOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    chosen = serializers.BooleanField()
    correct = serializers.BooleanField(
        allow_null=True, help_text="Null until the attempt is graded."
    )


class SheetCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=5, decimal_places=1)
    awarded = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class SheetQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    points = serializers.DecimalField(max_digits=5, decimal_places=1)
    options = SheetOptionSerializer(many=True)
    text_answer = serializers.CharField()
    awarded = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    explanation = serializers.CharField()
    comment = serializers.CharField()
    criteria = SheetCriterionSerializer(many=True)


RESULT_FIELDS = ("score", "max_score", "percent", "passed")


class AttemptSerializer(serializers.ModelSerializer):
    """An attempt; result fields are null and the key absent until it is graded."""

    staff = serializers.IntegerField(source="enrolment.staff_id", read_only=True)
    seconds_left = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "exam",
            "enrolment",
            "staff",
            "number",
            "status",
            "started_at",
            "submitted_at",
            "overdue",
            "seconds_left",
            *RESULT_FIELDS,
            "graded_at",
            "questions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_seconds_left(self, attempt: Attempt) -> int | None:
        if attempt.status != AttemptStatus.IN_PROGRESS:
            return None
        return services_exams.seconds_left(attempt)

    @extend_schema_field(SheetQuestionSerializer(many=True))
    def get_questions(self, attempt: Attempt) -> list[dict[str, Any]]:
        if not self.context.get("with_questions", True):
            return []
        user = self.context["request"].user
        own = attempt.enrolment.staff.user_id == user.pk
        if attempt.status == AttemptStatus.IN_PROGRESS and not own:
            return []
        sheet = selectors_exams.attempt_sheet(attempt)
        return SheetQuestionSerializer(sheet, many=True).data

    def to_representation(self, attempt: Attempt) -> dict[str, Any]:
        data = super().to_representation(attempt)
        if attempt.status != AttemptStatus.GRADED:
            for name in RESULT_FIELDS:
                data[name] = None
        return data


class ExamViewSet(ScopedModelViewSet):
    """Exams (settings only, never answers): everyone reads them; HR, administrators and the
    course owner set them; a learner starts an attempt with ``start``."""

    queryset = Exam.objects.select_related("course")
    serializer_class = ExamSerializer
    ordering = ["course", "kind", "pk"]
    policy_actions = {"start": "view", "partial_update": "view"}
    filterset_fields = ["course", "kind", "is_active"]

    @extend_schema(request=ExamInputSerializer, responses={201: ExamSerializer})
    def create(self, request: Request) -> Response:
        data = ExamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exam = services_exams.exam_create(actor=request.user, **data.validated_data)
        return Response(ExamSerializer(exam).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExamUpdateSerializer, responses=ExamSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        exam = self.get_object()
        data = ExamUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        exam = services_exams.exam_update(
            actor=request.user, exam=exam, questions=values.pop("questions", None), **values
        )
        return Response(ExamSerializer(exam).data)

    @extend_schema(request=None, responses={201: AttemptSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Start (or resume) the caller's attempt; the paper comes without the key."""
        attempt = services_exams.attempt_start(actor=request.user, exam=self.get_object())
        attempt = _visible(request.user).get(pk=attempt.pk)
        return Response(
            AttemptSerializer(attempt, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class AttemptAnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    selected = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    text = serializers.CharField(required=False, allow_blank=True, default="")


class AttemptAnswersInputSerializer(serializers.Serializer):
    answers = AttemptAnswerInputSerializer(many=True, required=False, default=list)

    def as_mapping(self) -> dict[int, dict[str, Any]]:
        return {
            row["question"]: {"selected": row["selected"], "text": row["text"]}
            for row in self.validated_data["answers"]
        }


class AttemptMarkInputSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    points = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True
    )
    rubric = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=1), required=False
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class AttemptGradeInputSerializer(serializers.Serializer):
    marks = AttemptMarkInputSerializer(many=True)


def _visible(user: Any):
    return selectors_exams.attempts_visible(user).select_related("exam__course", "enrolment__staff")


class AttemptViewSet(ScopedModelViewSet):
    """Attempts: the learner's own, their managers' subtree, HR, and the course's instructors.

    ``save`` and ``submit`` are the learner's; ``grade`` is for HR, administrators and the
    instructors of the course (never one's own attempt).
    """

    queryset = Attempt.objects.select_related("exam__course", "enrolment__staff")
    serializer_class = AttemptSerializer
    ordering = ["-started_at", "pk"]
    policy_actions = {"save": "take", "submit": "take", "grade": "view"}
    filterset_fields = ["exam", "status"]

    def get_queryset(self):
        return _visible(self.request.user).order_by("-started_at", "pk")

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        try:
            obj = queryset.get(pk=self.kwargs["pk"])
        except (Attempt.DoesNotExist, ValueError) as exc:
            raise NotVisible() from exc
        action_name = self.policy_action()
        if action_name != "view":
            policy.require(self.request.user, action_name, obj)
        return obj

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["with_questions"] = self.action != "list"
        return context

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        attempt = self.get_object()
        services_exams.attempt_close_if_expired(attempt=attempt)
        return Response(self.get_serializer(attempt).data)

    @extend_schema(request=AttemptAnswersInputSerializer, responses=AttemptSerializer)
    @action(detail=True, methods=["post"])
    def save(self, request: Request, pk: str | None = None) -> Response:
        """Keep the answers so far; past the time limit the attempt is submitted instead."""
        attempt = self.get_object()
        data = AttemptAnswersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = services_exams.attempt_save(
            actor=request.user, attempt=attempt, answers=data.as_mapping()
        )
        return Response(self.get_serializer(_visible(request.user).get(pk=attempt.pk)).data)

    @extend_schema(request=AttemptAnswersInputSerializer, responses=AttemptSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        attempt = self.get_object()
        data = AttemptAnswersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = services_exams.attempt_submit(
            actor=request.user, attempt=attempt, answers=data.as_mapping()
        )
        return Response(self.get_serializer(_visible(request.user).get(pk=attempt.pk)).data)

    @extend_schema(request=AttemptGradeInputSerializer, responses=AttemptSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request: Request, pk: str | None = None) -> Response:
        """Mark short answers (points) and practical tasks (points per rubric criterion)."""
        attempt = self.get_object()
        data = AttemptGradeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marks = {
            row["question"]: {
                "points": row.get("points"),
                "rubric": row.get("rubric") or {},
                "comment": row.get("comment", ""),
            }
            for row in data.validated_data["marks"]
        }
        attempt = services_exams.attempt_grade(actor=request.user, attempt=attempt, marks=marks)
        return Response(self.get_serializer(_visible(request.user).get(pk=attempt.pk)).data)


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the training router."""
    router.register("questions", QuestionViewSet, basename="training-question")
    router.register("exams", ExamViewSet, basename="training-exam")
    router.register("attempts", AttemptViewSet, basename="training-attempt")
