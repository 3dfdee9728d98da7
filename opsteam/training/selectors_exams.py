"""Reads of the assessment area: banks, attempts a user may see, grading queue, results.

What the learner sees of an attempt is built here once for the page and the API
(``attempt_sheet``): the key (correct options, explanations, per-question marks) is only
included after grading, never while the attempt is in progress or waiting for the grader.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from opsteam.core import policy
from opsteam.training import grading
from opsteam.training.choices import AttemptStatus, ExamKind, QuestionKind
from opsteam.training.models import Attempt, Exam, Question, Session


def questions_visible(user: Any) -> QuerySet[Question]:
    """Questions the user may read: every bank for HR/admin/auditors, their own courses' for owners."""
    base = Question.objects.all()
    if policy.can(user, "view", Question):
        return base
    return base.filter(course__owner__user=user)


def instructed_course_ids(user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Session.objects.filter(instructor__user=user).values_list("course_id", flat=True).distinct()
    )


def attempts_visible(user: Any) -> QuerySet[Attempt]:
    """Attempts the user may read: the policy's scope plus the courses they instruct."""
    scoped = policy.restrict(Attempt.objects.all(), user, "view")
    courses = instructed_course_ids(user)
    if not courses:
        return scoped
    return Attempt.objects.filter(Q(pk__in=scoped.values("pk")) | Q(exam__course_id__in=courses))


def gradable_exams(user: Any) -> QuerySet[Exam]:
    if policy.can(user, "grade", Exam):
        return Exam.objects.all()
    return Exam.objects.filter(course_id__in=instructed_course_ids(user))


def grading_queue(user: Any) -> QuerySet[Attempt]:
    """Submitted attempts waiting for the user's marking (never their own), oldest first."""
    return (
        Attempt.objects.filter(status=AttemptStatus.SUBMITTED, exam__in=gradable_exams(user))
        .exclude(enrolment__staff__user=user)
        .select_related("exam__course", "enrolment__staff__unit")
        .order_by("submitted_at", "pk")
    )


def exam_attempts(user: Any, exam: Exam) -> QuerySet[Attempt]:
    """The attempts at ``exam`` the user may list (managers: their subtree)."""
    return (
        attempts_visible(user)
        .filter(exam=exam)
        .select_related("enrolment__staff__unit", "graded_by")
        .order_by("enrolment__staff__employee_no", "number")
    )


def exam_question_counts(exams: QuerySet[Exam]) -> QuerySet[Exam]:
    return exams.annotate(
        question_count=Count("questions", filter=Q(questions__is_active=True), distinct=True)
    )


HISTOGRAM_BINS = tuple(range(0, 100, 10))


@dataclass
class ExamResults:
    """Per person: the attempt that counts (highest percent, earliest on a tie)."""

    people: int = 0
    passed: int = 0
    waiting: int = 0
    attempts: int = 0
    pass_rate: Decimal | None = None
    mean_percent: Decimal | None = None
    histogram: list[tuple[str, int]] = field(default_factory=list)


def exam_results(attempts: list[Attempt]) -> ExamResults:
    """Pass rate and score distribution over each person's counting attempt."""
    by_person: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in sorted(attempts, key=lambda a: (a.enrolment_id, a.number)):
        by_person[attempt.enrolment_id].append(attempt)
    counting = []
    waiting = 0
    for rows in by_person.values():
        best = grading.best_result(rows)
        if best is not None:
            counting.append(best)
        elif any(a.status == AttemptStatus.SUBMITTED for a in rows):
            waiting += 1
    bins = [0] * len(HISTOGRAM_BINS)
    for attempt in counting:
        bins[min(int(attempt.percent // 10), len(HISTOGRAM_BINS) - 1)] += 1
    labels = [f"{low}–{low + 10 if low < 90 else 100}" for low in HISTOGRAM_BINS]
    passed = sum(1 for a in counting if a.passed)
    return ExamResults(
        people=len(counting),
        passed=passed,
        waiting=waiting,
        attempts=len(attempts),
        pass_rate=(Decimal(passed * 100) / len(counting)).quantize(Decimal("0.1"))
        if counting
        else None,
        mean_percent=(sum((a.percent for a in counting), Decimal(0)) / len(counting)).quantize(
            Decimal("0.1")
        )
        if counting
        else None,
        histogram=list(zip(labels, bins, strict=True)),
    )


@dataclass(frozen=True)
class _Row:
    percent: Decimal
    passed: bool | None


def exam_scores(course_id: int) -> list[tuple[int, Decimal | None, Decimal | None]]:
    """Per person: (staff id, pre-test percent, post-test percent) of their counting attempts.

    The counting attempt is ``grading.best_result``'s: the highest percent, the earliest on a
    tie; attempts waiting for grading do not count. One query. This is what the effectiveness
    report reads for the learning level (post minus pre).
    """
    rows = (
        Attempt.objects.filter(exam__course_id=course_id, passed__isnull=False)
        .order_by("enrolment__staff_id", "exam__kind", "started_at", "number", "pk")
        .values_list("enrolment__staff_id", "exam__kind", "percent", "passed")
    )
    grouped: dict[int, dict[str, list[_Row]]] = defaultdict(lambda: defaultdict(list))
    for staff_id, kind, percent, passed in rows:
        grouped[staff_id][kind].append(_Row(percent, passed))
    result = []
    for staff_id in sorted(grouped):
        kinds = grouped[staff_id]
        pre = grading.best_result(kinds.get(ExamKind.PRE, []))
        post = grading.best_result(kinds.get(ExamKind.POST, []))
        result.append((staff_id, pre.percent if pre else None, post.percent if post else None))
    return result


# ----------------------------------------------------------------------------- attempt sheet


@dataclass
class SheetOption:
    id: int
    text: str
    chosen: bool
    correct: bool | None  # None while the key is hidden


@dataclass
class SheetCriterion:
    id: int
    text: str
    max_points: Decimal
    awarded: Decimal | None


@dataclass
class SheetQuestion:
    id: int
    number: int
    kind: str
    kind_label: str
    text: str
    points: Decimal
    options: list[SheetOption]
    text_answer: str
    awarded: Decimal | None = None
    explanation: str = ""
    comment: str = ""
    criteria: list[SheetCriterion] = field(default_factory=list)
    manual: bool = False

    @property
    def is_multiple(self) -> bool:
        return self.kind == QuestionKind.MULTIPLE

    @property
    def has_options(self) -> bool:
        return self.kind in grading.AUTO_GRADED


def key_visible(attempt: Attempt) -> bool:
    """The correct answers and explanations are shown only once the attempt is graded."""
    return attempt.status == AttemptStatus.GRADED


def attempt_sheet(
    attempt: Attempt, *, reveal: bool | None = None, for_grader: bool = False
) -> list[SheetQuestion]:
    """The attempt's questions in paper order with the learner's answers.

    ``reveal`` (default: once graded) adds the key, the explanation and each question's marks;
    ``for_grader`` adds the rubric and marks of manually graded questions (never the choice key
    before grading, which a grader does not need).
    """
    from opsteam.training.services_exams import paper_questions

    reveal = key_visible(attempt) if reveal is None else reveal
    questions = paper_questions(attempt)
    order = {int(k): [int(i) for i in v] for k, v in attempt.paper.get("options", {}).items()}
    answers = {row.question_id: row for row in attempt.answers.all()}
    sheet = []
    for number, question in enumerate(questions, start=1):
        answer = answers.get(question.pk)
        chosen = set(answer.selected or []) if answer else set()
        options_by_id = {o.pk: o for o in question.options.all()}
        ids = order.get(question.pk) or list(options_by_id)
        options = [
            SheetOption(
                id=oid,
                text=options_by_id[oid].display_text,
                chosen=oid in chosen,
                correct=options_by_id[oid].is_correct if reveal else None,
            )
            for oid in ids
            if oid in options_by_id
        ]
        manual = question.kind in grading.MANUALLY_GRADED
        awards = (answer.rubric_awards or {}) if answer else {}
        criteria = (
            [
                SheetCriterion(
                    id=c.pk,
                    text=c.display_text,
                    max_points=c.max_points,
                    awarded=Decimal(str(awards[str(c.pk)])) if str(c.pk) in awards else None,
                )
                for c in question.rubric.all()
            ]
            if (reveal or for_grader) and manual
            else []
        )
        sheet.append(
            SheetQuestion(
                id=question.pk,
                number=number,
                kind=question.kind,
                kind_label=QuestionKind(question.kind).label,
                text=question.display_text,
                points=question.points,
                options=options,
                text_answer=answer.text if answer else "",
                awarded=answer.awarded if answer and (reveal or (for_grader and manual)) else None,
                explanation=question.explanation if reveal else "",
                comment=answer.grader_comment if answer and (reveal or for_grader) else "",
                criteria=criteria,
                manual=manual,
            )
        )
    return sheet
