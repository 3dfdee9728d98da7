"""Assessment services: question bank validation, exams, attempts, time limits, grading."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.models import StaffSkill
from opsteam.org.tests.factories import SkillFactory, StaffFactory
from opsteam.training import selectors_exams, services_exams
from opsteam.training.choices import AttemptStatus, EnrolmentStatus, ExamKind, QuestionKind
from opsteam.training.models import Attempt, Question
from opsteam.training.tests.factories import (
    CourseFactory,
    CourseSkillFactory,
    EnrolmentFactory,
    SessionFactory,
)


@pytest.fixture
def hr(user_as, org_tree):
    return user_as("hr", unit=org_tree.t3)


class Clock:
    """Stands in for ``services_exams._now`` so a test can move time forward."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def move(self, **delta):
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(services_exams, "_now", clock)
    return clock


@pytest.fixture
def course(db):
    return CourseFactory()


def choice(hr, course, *, kind=QuestionKind.SINGLE, right=("A",), wrong=("B", "C"), points=1):
    options = [{"text": t, "is_correct": True} for t in right]
    options += [{"text": t, "is_correct": False} for t in wrong]
    return services_exams.question_create(
        actor=hr, course=course, kind=kind, text=f"题目 {kind}", points=points, options=options
    )


def short(hr, course, points=2):
    return services_exams.question_create(
        actor=hr, course=course, kind=QuestionKind.SHORT, text="说明退款流程", points=points
    )


def practical(hr, course, points=4):
    return services_exams.question_create(
        actor=hr,
        course=course,
        kind=QuestionKind.PRACTICAL,
        text="搭建一个店铺活动页",
        points=points,
        rubric=[{"text": "结构", "max_points": 2}, {"text": "文案", "max_points": 2}],
    )


def answer_for(question, correct=True):
    ids = [o.pk for o in question.options.all() if o.is_correct == correct]
    return {"selected": ids[:1] if question.kind != QuestionKind.MULTIPLE else ids}


def exam(hr, course, kind=ExamKind.POST, **fields):
    return services_exams.exam_create(
        actor=hr, course=course, kind=kind, name=f"{kind} test", **fields
    )


# ----------------------------------------------------------------------------- question bank


def test_single_choice_needs_exactly_one_correct_option_and_the_error_names_the_field(hr, course):
    with pytest.raises(ValidationFailed) as error:
        choice(hr, course, right=("A", "B"), wrong=("C",))
    assert error.value.field == "options"
    with pytest.raises(ValidationFailed) as error:
        choice(hr, course, kind=QuestionKind.MULTIPLE, right=(), wrong=("A", "B"))
    assert error.value.field == "options"
    assert not Question.objects.exists()


def test_true_false_gets_its_two_options_made_automatically(hr, course):
    question = services_exams.question_create(
        actor=hr,
        course=course,
        kind=QuestionKind.TRUE_FALSE,
        text="七天无理由退货适用于所有商品",
        options=[{"text": "错", "is_correct": True}],
    )
    options = list(question.options.values_list("text", "is_correct"))
    assert options == [("对", False), ("错", True)]


def test_practical_task_keeps_its_rubric_and_short_answers_refuse_options(hr, course):
    task = practical(hr, course)
    assert [c.max_points for c in task.rubric.all()] == [Decimal("2"), Decimal("2")]
    with pytest.raises(ValidationFailed) as error:
        services_exams.question_create(
            actor=hr, course=course, kind=QuestionKind.SHORT, text="x", options=[{"text": "a"}]
        )
    assert error.value.field == "options"


def test_operators_cannot_write_the_bank_but_the_course_owner_can(user_as, org_tree, course):
    operator = user_as("operator")
    with pytest.raises(PolicyDenied):
        choice(operator, course)
    course.owner = operator.staff
    course.save()
    assert choice(operator, course).course == course


def test_a_deactivated_question_is_no_longer_drawn(hr, course, user_as):
    keep = choice(hr, course)
    dropped = choice(hr, course)
    services_exams.question_deactivate(actor=hr, question=dropped)
    the_exam = exam(hr, course, questions=[keep, dropped])
    learner = user_as("operator")
    EnrolmentFactory(staff=learner.staff, course=course)
    attempt = services_exams.attempt_start(actor=learner, exam=the_exam)
    assert attempt.paper["questions"] == [keep.pk]


# ----------------------------------------------------------------------------- exams


def test_only_one_open_exam_per_kind_per_course(hr, course):
    choice(hr, course)
    exam(hr, course)
    with pytest.raises(ValidationFailed) as error:
        exam(hr, course)
    assert error.value.field == "kind"
    assert exam(hr, course, kind=ExamKind.PRE).kind == ExamKind.PRE


def test_draw_count_cannot_exceed_the_questions_chosen(hr, course):
    choice(hr, course)
    with pytest.raises(ValidationFailed) as error:
        exam(hr, course, draw_count=3)
    assert error.value.field == "draw_count"


# ----------------------------------------------------------------------------- attempts


@pytest.fixture
def setup(hr, course, user_as):
    questions = [
        choice(hr, course),
        choice(hr, course, kind=QuestionKind.MULTIPLE, right=("A", "B"), wrong=("C", "D")),
    ]
    learner = user_as("operator")
    enrolment = EnrolmentFactory(staff=learner.staff, course=course)
    return {
        "hr": hr,
        "course": course,
        "learner": learner,
        "enrolment": enrolment,
        "questions": questions,
    }


def test_the_paper_is_fixed_per_attempt_and_starting_again_resumes_it(setup):
    the_exam = exam(setup["hr"], setup["course"])
    first = services_exams.attempt_start(actor=setup["learner"], exam=the_exam)
    again = services_exams.attempt_start(actor=setup["learner"], exam=the_exam)
    assert again.pk == first.pk
    assert sorted(first.paper["questions"]) == sorted(q.pk for q in setup["questions"])


def test_attempts_limit_is_enforced_with_a_clear_message(setup):
    the_exam = exam(setup["hr"], setup["course"], max_attempts=1)
    attempt = services_exams.attempt_start(actor=setup["learner"], exam=the_exam)
    services_exams.attempt_submit(actor=setup["learner"], attempt=attempt)
    with pytest.raises(InvalidTransition, match="used all 1 attempts"):
        services_exams.attempt_start(actor=setup["learner"], exam=the_exam)


def test_post_test_needs_an_open_enrolment(hr, course, user_as):
    choice(hr, course)
    the_exam = exam(hr, course)
    outsider = user_as("operator")
    with pytest.raises(InvalidTransition, match="enrol"):
        services_exams.attempt_start(actor=outsider, exam=the_exam)


def test_sitting_the_pre_test_starts_the_enrolment_and_self_enrols_in_open_courses(
    hr, course, user_as
):
    choice(hr, course)
    pre = exam(hr, course, kind=ExamKind.PRE)
    learner = user_as("operator")
    attempt = services_exams.attempt_start(actor=learner, exam=pre)
    assert attempt.enrolment.staff == learner.staff
    attempt.enrolment.refresh_from_db()
    assert attempt.enrolment.status == EnrolmentStatus.IN_PROGRESS


def test_choice_only_exam_is_graded_at_once_and_a_pass_completes_the_course(setup):
    skill = SkillFactory()
    CourseSkillFactory(course=setup["course"], skill=skill, target_level=3)
    the_exam = exam(setup["hr"], setup["course"])
    attempt = services_exams.attempt_start(actor=setup["learner"], exam=the_exam)
    answers = {q.pk: answer_for(q) for q in setup["questions"]}
    services_exams.attempt_save(actor=setup["learner"], attempt=attempt, answers=answers)
    attempt = services_exams.attempt_submit(actor=setup["learner"], attempt=attempt)
    assert attempt.status == AttemptStatus.GRADED
    assert (attempt.score, attempt.percent, attempt.passed) == (Decimal(2), Decimal("100.0"), True)
    setup["enrolment"].refresh_from_db()
    assert setup["enrolment"].status == EnrolmentStatus.COMPLETED
    assert StaffSkill.objects.get(staff=setup["learner"].staff, skill=skill).level == 3
    assert (
        AuditEntry.objects.filter(object_type="training.attempt", object_id=str(attempt.pk)).count()
        == 2
    )


def test_a_failed_post_test_leaves_the_course_open(setup):
    the_exam = exam(setup["hr"], setup["course"])
    attempt = services_exams.attempt_start(actor=setup["learner"], exam=the_exam)
    answers = {q.pk: answer_for(q, correct=False) for q in setup["questions"]}
    attempt = services_exams.attempt_submit(
        actor=setup["learner"], attempt=attempt, answers=answers
    )
    assert attempt.passed is False
    setup["enrolment"].refresh_from_db()
    assert setup["enrolment"].status != EnrolmentStatus.COMPLETED


def test_an_answer_outside_the_question_is_refused_with_its_field(setup):
    the_exam = exam(setup["hr"], setup["course"])
    attempt = services_exams.attempt_start(actor=setup["learner"], exam=the_exam)
    first, second = setup["questions"]
    with pytest.raises(ValidationFailed) as error:
        services_exams.attempt_save(
            actor=setup["learner"],
            attempt=attempt,
            answers={first.pk: {"selected": [second.options.first().pk]}},
        )
    assert error.value.field == f"question_{first.pk}"


def test_only_the_learner_may_save_or_submit(setup, user_as):
    the_exam = exam(setup["hr"], setup["course"])
    attempt = services_exams.attempt_start(actor=setup["learner"], exam=the_exam)
    with pytest.raises(PolicyDenied):
        services_exams.attempt_submit(actor=setup["hr"], attempt=attempt)


def test_a_late_submission_is_flagged_overdue(setup, clock):
    the_exam = exam(setup["hr"], setup["course"], time_limit_minutes=10)
    attempt = services_exams.attempt_start(actor=setup["learner"], exam=the_exam)
    clock.move(minutes=10, seconds=50)
    first = setup["questions"][0]
    attempt = services_exams.attempt_submit(
        actor=setup["learner"], attempt=attempt, answers={first.pk: answer_for(first)}
    )
    assert attempt.overdue is True
    assert attempt.score == Decimal(1)  # within the auto-submit grace: the late answers count


def test_past_the_grace_the_saved_answers_are_submitted_and_new_ones_ignored(setup, clock):
    the_exam = exam(setup["hr"], setup["course"], time_limit_minutes=5)
    attempt = services_exams.attempt_start(actor=setup["learner"], exam=the_exam)
    first, second = setup["questions"]
    services_exams.attempt_save(
        actor=setup["learner"], attempt=attempt, answers={first.pk: answer_for(first)}
    )
    clock.move(minutes=30)
    attempt = services_exams.attempt_save(
        actor=setup["learner"], attempt=attempt, answers={second.pk: answer_for(second)}
    )
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.overdue is True
    assert attempt.score == Decimal(1)


def test_the_sweep_closes_abandoned_timed_attempts(setup, clock):
    the_exam = exam(setup["hr"], setup["course"], time_limit_minutes=5)
    attempt = services_exams.attempt_start(actor=setup["learner"], exam=the_exam)
    assert services_exams.attempts_close_expired(now=clock.now) == 0
    clock.move(hours=1)
    assert services_exams.attempts_close_expired(now=clock.now) == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.overdue


# ----------------------------------------------------------------------------- manual grading


@pytest.fixture
def manual(hr, course, user_as):
    auto = choice(hr, course)
    text = short(hr, course, points=2)
    task = practical(hr, course, points=4)
    learner = user_as("operator")
    enrolment = EnrolmentFactory(staff=learner.staff, course=course)
    the_exam = exam(hr, course, pass_mark=Decimal(70))
    attempt = services_exams.attempt_start(actor=learner, exam=the_exam)
    attempt = services_exams.attempt_submit(
        actor=learner,
        attempt=attempt,
        answers={
            auto.pk: answer_for(auto),
            text.pk: {"text": "先核实订单"},
            task.pk: {"text": "见附件"},
        },
    )
    return {
        "attempt": attempt,
        "short": text,
        "task": task,
        "enrolment": enrolment,
        "learner": learner,
    }


def test_short_and_practical_questions_wait_for_the_grader(manual):
    attempt = manual["attempt"]
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.passed is None


def test_grading_validates_rubric_points_and_names_the_criterion(hr, manual):
    task = manual["task"]
    first, second = task.rubric.all()
    with pytest.raises(ValidationFailed) as error:
        services_exams.attempt_grade(
            actor=hr,
            attempt=manual["attempt"],
            marks={
                manual["short"].pk: {"points": 2},
                task.pk: {"rubric": {first.pk: 1, second.pk: 5}},
            },
        )
    assert error.value.field == f"rubric_{task.pk}_{second.pk}"
    assert "文案" in error.value.message


def test_grading_finishes_the_attempt_and_completes_the_course(hr, manual):
    task = manual["task"]
    first, second = task.rubric.all()
    attempt = services_exams.attempt_grade(
        actor=hr,
        attempt=manual["attempt"],
        marks={
            manual["short"].pk: {"points": "1.5", "comment": "缺少退款时限"},
            task.pk: {"rubric": {first.pk: 2, second.pk: 1}},
        },
    )
    # 1 (choice) + 1.5 (short) + 4 * 3/4 (task) = 5.5 of 7
    assert (attempt.status, attempt.score, attempt.percent, attempt.passed) == (
        AttemptStatus.GRADED,
        Decimal("5.5"),
        Decimal("78.6"),
        True,
    )
    assert attempt.graded_by == hr
    manual["enrolment"].refresh_from_db()
    assert manual["enrolment"].status == EnrolmentStatus.COMPLETED


def test_a_session_instructor_may_grade_but_other_operators_may_not(hr, manual, user_as, org_tree):
    instructor = user_as("operator", unit=org_tree.t3)
    other = user_as("operator", unit=org_tree.t3)
    SessionFactory(course=manual["attempt"].exam.course, instructor=instructor.staff)
    marks = {
        manual["short"].pk: {"points": 2},
        manual["task"].pk: {"rubric": {c.pk: 2 for c in manual["task"].rubric.all()}},
    }
    with pytest.raises(PolicyDenied):
        services_exams.attempt_grade(actor=other, attempt=manual["attempt"], marks=marks)
    attempt = services_exams.attempt_grade(actor=instructor, attempt=manual["attempt"], marks=marks)
    assert attempt.passed is True
    assert list(selectors_exams.grading_queue(instructor)) == []


def test_nobody_grades_their_own_attempt(manual):
    with pytest.raises(PolicyDenied):
        services_exams.attempt_grade(actor=manual["learner"], attempt=manual["attempt"], marks={})


# ----------------------------------------------------------------------------- selectors


def test_exam_scores_pairs_pre_and_post_by_the_best_attempt_in_one_query(
    hr, course, user_as, django_assert_max_num_queries
):
    question = choice(hr, course)
    pre = exam(hr, course, kind=ExamKind.PRE)
    post = exam(hr, course)
    learner = user_as("operator")
    EnrolmentFactory(staff=learner.staff, course=course)

    def sit(the_exam, correct):
        attempt = services_exams.attempt_start(actor=learner, exam=the_exam)
        return services_exams.attempt_submit(
            actor=learner, attempt=attempt, answers={question.pk: answer_for(question, correct)}
        )

    sit(pre, False)
    sit(pre, True)
    # the post-test passed completes the course; another person only sat the pre-test
    sit(post, True)
    other = user_as("operator")
    EnrolmentFactory(staff=other.staff, course=course)
    attempt = services_exams.attempt_start(actor=other, exam=pre)
    services_exams.attempt_submit(actor=other, attempt=attempt)
    with django_assert_max_num_queries(2):
        scores = selectors_exams.exam_scores(course.pk)
    assert sorted(scores) == sorted(
        [
            (learner.staff.pk, Decimal("100.0"), Decimal("100.0")),
            (other.staff.pk, Decimal("0.0"), None),
        ]
    )


def test_exam_results_count_each_person_once(setup, user_as):
    the_exam = exam(setup["hr"], setup["course"])
    learner = setup["learner"]
    attempt = services_exams.attempt_start(actor=learner, exam=the_exam)
    services_exams.attempt_submit(actor=learner, attempt=attempt)
    results = selectors_exams.exam_results(list(Attempt.objects.filter(exam=the_exam)))
    assert (results.people, results.passed, results.pass_rate) == (1, 0, Decimal("0.0"))
    assert results.histogram[0] == ("0–10", 1)
    assert StaffFactory._meta.model.objects.filter(pk=learner.staff.pk).exists()
