"""Access-matrix rows of the assessment pages and API (question bank, exams, attempts,
grading, results). Walked by core/tests/test_permission_matrix.py."""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import (
    EDITORS,
    EDITORS_400,
    EVERYONE,
    READERS,
    READERS_404,
    STAFF_OTHER,
    STAFF_TEAM,
    Check,
    _all,
    _roles,
)

# The bank holds the answers: HR/admin write it, auditors read it, others never see a question.
QUESTION_WRITE_PAGE = _roles(404, admin=302, hr=302, auditor=403)
QUESTION_WRITE_API = _roles(404, admin=200, hr=200, auditor=403)
QUESTION_EDIT_PAGE = _roles(404, admin=200, hr=200, auditor=403)
# Results: whoever may export attempts (managers: their subtree), not operators.
RESULTS = _roles(200, operator=403)
# Someone else's attempt: visible in scope, but only its learner takes it.
TAKE_OTHERS = _roles(403, operator=404)
# Grading a T1 attempt: HR/admin; auditors and the T1 manager see it but may not grade.
GRADE_TEAM_PAGE = _roles(403, admin=200, hr=200, operator=404)
GRADE_TEAM_POST = _roles(403, admin=400, hr=400, operator=404)
GRADE_OTHER_PAGE = _roles(403, admin=200, hr=200, manager=404, operator=404)

NEW_SHORT_QUESTION = {
    "kind": "short",
    "text": "矩阵新题",
    "points": "1",
    "options-TOTAL_FORMS": "0",
    "options-INITIAL_FORMS": "0",
    "rubric-TOTAL_FORMS": "0",
    "rubric-INITIAL_FORMS": "0",
}

EXPECTED: dict[str, list[Check]] = {
    "training:question_bank": [Check(READERS, obj="ex_course")],
    "training:question_create": [
        Check(EDITORS, obj="ex_course"),
        Check(
            _roles(403, admin=302, hr=302), method="post", obj="ex_course", data=NEW_SHORT_QUESTION
        ),
    ],
    "training:question_update": [
        Check(QUESTION_EDIT_PAGE, obj="ex_question"),
        Check(QUESTION_WRITE_PAGE, method="post", obj="ex_short", data=NEW_SHORT_QUESTION),
    ],
    "training:question_deactivate": [Check(QUESTION_WRITE_PAGE, method="post", obj="ex_question")],
    "training:exam_list": [Check(EVERYONE)],
    "training:exam_create": [Check(EDITORS, obj="ex_course")],
    "training:exam_detail": [Check(EVERYONE, obj="ex_exam")],
    "training:exam_update": [Check(EDITORS, obj="ex_exam")],
    "training:exam_start": [Check(_all(302), method="post", obj="ex_exam")],
    "training:exam_results": [Check(RESULTS, obj="ex_exam")],
    "training:exam_results_export": [Check(RESULTS, obj="ex_exam")],
    "training:attempt_detail": [
        Check(EVERYONE, obj="own_attempt"),
        Check(STAFF_TEAM, obj="team_attempt"),
        Check(STAFF_OTHER, obj="other_attempt"),
    ],
    "training:attempt_save": [
        Check(_all(302), method="post", obj="own_attempt"),
        Check(TAKE_OTHERS, method="post", obj="team_attempt"),
    ],
    "training:attempt_submit": [
        Check(_all(302), method="post", obj="own_attempt"),
        Check(TAKE_OTHERS, method="post", obj="team_attempt"),
    ],
    "training:attempt_grade": [
        Check(GRADE_TEAM_PAGE, obj="team_attempt"),
        Check(GRADE_OTHER_PAGE, obj="other_attempt"),
        Check(GRADE_TEAM_POST, method="post", obj="team_attempt"),
    ],
    "training:grading_queue": [Check(EDITORS)],
    "training-question-list": [Check(READERS), Check(EDITORS_400, method="post")],
    "training-question-detail": [
        Check(READERS_404, obj="ex_question"),
        Check(QUESTION_WRITE_API, method="patch", obj="ex_question", data={"text": "改写的题目"}),
    ],
    "training-question-deactivate": [Check(QUESTION_WRITE_API, method="post", obj="ex_question")],
    "training-exam-list": [Check(EVERYONE), Check(EDITORS_400, method="post")],
    "training-exam-detail": [
        Check(EVERYONE, obj="ex_exam"),
        Check(EDITORS, method="patch", obj="ex_exam", data={"name": "改名的考试"}),
    ],
    "training-exam-start": [Check(_all(201), method="post", obj="ex_exam")],
    "training-attempt-list": [Check(EVERYONE)],
    "training-attempt-detail": [
        Check(EVERYONE, obj="own_attempt"),
        Check(STAFF_TEAM, obj="team_attempt"),
        Check(STAFF_OTHER, obj="other_attempt"),
    ],
    "training-attempt-save": [
        Check(_all(200), method="post", obj="own_attempt"),
        Check(TAKE_OTHERS, method="post", obj="team_attempt"),
    ],
    "training-attempt-submit": [
        Check(_all(200), method="post", obj="own_attempt"),
        Check(TAKE_OTHERS, method="post", obj="team_attempt"),
    ],
    "training-attempt-grade": [
        Check(GRADE_TEAM_POST, method="post", obj="team_attempt", data={"marks": []}),
    ],
}

GUARDED = (
    "training.Question",
    "training.QuestionOption",
    "training.RubricCriterion",
    "training.Exam",
    "training.Attempt",
    "training.AttemptAnswer",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A course with a single-choice and a short-answer question and an open post-test; the
    user's own attempt in progress; submitted attempts (waiting for grading) of a T1 and a T3
    person."""
    from django.utils import timezone

    from opsteam.training.models import Attempt, AttemptAnswer
    from opsteam.training.tests.factories import (
        CourseFactory,
        EnrolmentFactory,
        ExamFactory,
        QuestionFactory,
        single_choice,
    )

    course = CourseFactory(code="MATRIX-EXAM")
    question = single_choice(course, correct="正确", wrong=("错误",))
    short = QuestionFactory(course=course, kind="short", text="简述流程")
    exam = ExamFactory(course=course, kind="post")
    exam.questions.set([question, short])
    option_ids = list(question.options.values_list("pk", flat=True))
    now = timezone.now()

    def attempt(staff, status: str, questions: list) -> Attempt:
        enrolment = EnrolmentFactory(staff=staff, course=course)
        paper = {
            "seed": 1,
            "questions": [q.pk for q in questions],
            "options": {str(q.pk): option_ids if q == question else [] for q in questions},
        }
        row = Attempt.objects.create(
            exam=exam,
            enrolment=enrolment,
            number=1,
            paper=paper,
            status=status,
            started_at=now,
            submitted_at=now if status != "in_progress" else None,
        )
        if status != "in_progress":
            AttemptAnswer.objects.create(attempt=row, question=short, text="先核对订单")
        return row

    return {
        "ex_course": course,
        "ex_question": question,
        "ex_short": short,
        "ex_exam": exam,
        "own_attempt": attempt(user.staff, "in_progress", [question]),
        "team_attempt": attempt(objects["team_staff"], "submitted", [question, short]),
        "other_attempt": attempt(objects["other_staff"], "submitted", [question, short]),
    }
