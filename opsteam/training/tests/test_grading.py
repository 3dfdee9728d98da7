"""Exam grading engine (pure: no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.training.grading import (
    Answer,
    GradingInputError,
    Paper,
    QuestionSpec,
    RubricCriterion,
    attempts_left,
    best_result,
    grade_attempt,
    is_overdue,
    shuffle_paper,
)

SINGLE = QuestionSpec(1, "single", 2, options=(11, 12, 13), correct=frozenset({12}))
MULTI = QuestionSpec(2, "multiple", 4, options=(21, 22, 23, 24), correct=frozenset({21, 22}))
TRUTH = QuestionSpec(3, "true_false", 1, options=(31, 32), correct=frozenset({31}))
SHORT = QuestionSpec(4, "short", 3)
TASK = QuestionSpec(
    5,
    "practical",
    10,
    rubric=(RubricCriterion(51, 6), RubricCriterion(52, 4)),
)
BANK = (SINGLE, MULTI, TRUTH, SHORT, TASK)


def test_all_correct_choice_answers_score_full_marks():
    result = grade_attempt(
        (SINGLE, MULTI, TRUTH),
        {1: Answer(chosen={12}), 2: Answer(chosen={21, 22}), 3: Answer(chosen={31})},
        pass_mark_percent=60,
    )

    assert result.score == Decimal(7)
    assert result.max_score == Decimal(7)
    assert result.percent == Decimal("100.0")
    assert result.passed is True
    assert [q.why.key for q in result.questions] == ["correct"] * 3


def test_multiple_choice_is_all_or_nothing_by_default():
    result = grade_attempt((MULTI,), {2: Answer(chosen={21})}, pass_mark_percent=50)

    assert result.questions[0].awarded == 0
    assert result.questions[0].why.key == "wrong"
    assert result.passed is False


@pytest.mark.parametrize(
    ("_case", "chosen", "awarded"),
    [
        ("one of two right", {21}, Decimal("2.00")),
        ("one right one wrong cancel out", {21, 23}, Decimal(0)),
        ("wrong only is floored at zero", {23, 24}, Decimal(0)),
        ("both right", {21, 22}, Decimal(4)),
        ("both right plus a wrong one", {21, 22, 23}, Decimal("2.00")),
    ],
)
def test_partial_credit_counts_right_minus_wrong(_case, chosen, awarded):
    result = grade_attempt(
        (MULTI,), {2: Answer(chosen=chosen)}, pass_mark_percent=50, partial_credit_multiple=True
    )

    assert result.questions[0].awarded == awarded


def test_partial_credit_explains_the_count():
    result = grade_attempt((MULTI,), {2: Answer(chosen={21, 23})}, 50, partial_credit_multiple=True)

    why = result.questions[0].why
    assert why.key == "partial"
    assert why.as_dict() == {"right": 1, "wrong": 1, "total": 2}


def test_partial_credit_rounds_thirds_to_the_cent():
    question = QuestionSpec(9, "multiple", 1, options=(1, 2, 3, 4), correct=frozenset({1, 2, 3}))

    result = grade_attempt((question,), {9: Answer(chosen={1})}, 50, partial_credit_multiple=True)

    assert result.questions[0].awarded == Decimal("0.33")
    assert result.percent == Decimal("33.0")


def test_unanswered_choice_question_scores_zero():
    result = grade_attempt((SINGLE, TRUTH), {3: Answer(chosen={31})}, pass_mark_percent=60)

    assert result.questions[0].awarded == 0
    assert result.questions[0].why.key == "unanswered"
    assert result.percent == Decimal("33.3")
    assert result.passed is False


def test_short_answer_waits_for_the_instructor():
    result = grade_attempt(
        (SINGLE, SHORT), {1: Answer(chosen={12}), 4: Answer(text="先核对订单号")}, 60
    )

    assert result.pending_manual == (4,)
    assert result.passed is None
    assert result.score == Decimal(2)  # what has been marked so far
    assert result.questions[1].awarded is None
    assert result.questions[1].correct is None


def test_manual_points_decide_the_attempt():
    result = grade_attempt(
        (SINGLE, SHORT),
        {1: Answer(chosen={12}), 4: Answer(text="先核对订单号")},
        60,
        manual_points={4: 1.5},
    )

    assert result.pending_manual == ()
    assert result.score == Decimal("3.5")
    assert result.percent == Decimal("70.0")
    assert result.passed is True
    assert result.questions[1].why.key == "manual"


def test_blank_short_answer_scores_zero_without_grading():
    result = grade_attempt((SINGLE, SHORT), {1: Answer(chosen={12}), 4: Answer(text="  ")}, 40)

    assert result.pending_manual == ()
    assert result.questions[1].why.key == "unanswered"
    assert result.passed is True


def test_rubric_awards_add_up_per_criterion():
    result = grade_attempt((TASK,), {5: Answer(rubric={51: 5, 52: 2.5})}, 80)

    question = result.questions[0]
    assert question.awarded == Decimal("7.5")
    assert question.why.key == "rubric"
    assert question.why.as_dict()["criteria"] == (
        (51, Decimal(5), Decimal(6)),
        (52, Decimal("2.5"), Decimal(4)),
    )
    assert result.passed is False


def test_rubric_is_scaled_to_the_question_points():
    task = QuestionSpec(6, "practical", 5, rubric=(RubricCriterion(1, 3), RubricCriterion(2, 3)))

    result = grade_attempt((task,), {6: Answer(rubric={1: 3, 2: 1})}, 60)

    assert result.questions[0].awarded == Decimal("3.33")


def test_practical_task_is_pending_until_every_criterion_is_awarded():
    result = grade_attempt((TASK,), {5: Answer(rubric={51: 6})}, 60)

    assert result.pending_manual == (5,)
    assert result.questions[0].why.as_dict() == {"missing_criteria": (52,)}
    assert result.passed is None


def test_practical_task_without_an_answer_is_pending():
    assert grade_attempt((TASK,), {}, 60).pending_manual == (5,)


@pytest.mark.parametrize(
    ("_case", "awards", "message"),
    [
        (
            "above the maximum",
            {51: 7, 52: 0},
            r"question 5: rubric criterion 51: 7 is outside 0\.\.6",
        ),
        ("negative", {51: 1, 52: -1}, r"question 5: rubric criterion 52: -1 is outside"),
        (
            "unknown criterion",
            {51: 1, 99: 1},
            r"question 5: rubric criterion 99: not in the rubric",
        ),
        (
            "not a number",
            {51: "lots", 52: 1},
            r"question 5: rubric criterion 51: expected a number",
        ),
    ],
)
def test_bad_rubric_award_names_question_and_criterion(_case, awards, message):
    with pytest.raises(GradingInputError, match=message):
        grade_attempt((TASK,), {5: Answer(rubric=awards)}, 60)


@pytest.mark.parametrize(
    ("_case", "questions", "answers", "manual", "message"),
    [
        (
            "option not offered",
            (SINGLE,),
            {1: Answer(chosen={99})},
            {},
            r"question 1: chosen: option 99",
        ),
        (
            "two options on single",
            (SINGLE,),
            {1: Answer(chosen={11, 12})},
            {},
            r"question 1: chosen: only one",
        ),
        (
            "answer for another paper",
            (SINGLE,),
            {7: Answer(chosen={1})},
            {},
            r"question 7: answers: not on this paper",
        ),
        (
            "manual mark on auto question",
            (SINGLE,),
            {},
            {1: 2},
            r"question 1: manual_points: single",
        ),
        (
            "manual mark above points",
            (SHORT,),
            {},
            {4: 4},
            r"question 4: manual_points: 4 is outside 0\.\.3",
        ),
        (
            "manual mark on rubric task",
            (TASK,),
            {},
            {5: 4},
            r"question 5: manual_points: a task with a rubric",
        ),
        (
            "rubric on short answer",
            (SHORT,),
            {4: Answer(rubric={1: 1})},
            {},
            r"question 4: rubric: the question has no rubric",
        ),
        ("duplicate question", (SINGLE, SINGLE), {}, {}, r"question 1: listed twice"),
    ],
)
def test_bad_input_names_the_question_and_field(_case, questions, answers, manual, message):
    with pytest.raises(GradingInputError, match=message):
        grade_attempt(questions, answers, 60, manual_points=manual)


@pytest.mark.parametrize(
    ("_case", "kwargs", "message"),
    [
        ("unknown kind", {"kind": "essay"}, r"question 8: kind: unknown kind 'essay'"),
        ("zero points", {"points": 0}, r"question 8: points: must be positive"),
        ("key not an option", {"correct": frozenset({5})}, r"question 8: correct: option 5"),
        ("two keys on single", {"correct": frozenset({1, 2})}, r"question 8: correct: exactly one"),
        (
            "one option",
            {"options": (1,), "correct": frozenset({1})},
            r"question 8: options: at least two",
        ),
    ],
)
def test_invalid_question_spec_is_refused(_case, kwargs, message):
    spec = {"kind": "single", "points": 1, "options": (1, 2), "correct": frozenset({1})} | kwargs

    with pytest.raises(GradingInputError, match=message):
        QuestionSpec(8, **spec)


def test_pass_mark_is_compared_with_the_rounded_percent():
    # 2 of 3 points is 66.666...%, shown as 66.7%: a 66.7% pass mark is met
    questions = tuple(
        QuestionSpec(i, "true_false", 1, options=(1, 2), correct=frozenset({1})) for i in (1, 2, 3)
    )
    answers = {1: Answer(chosen={1}), 2: Answer(chosen={1}), 3: Answer(chosen={2})}

    assert grade_attempt(questions, answers, Decimal("66.7")).passed is True
    assert grade_attempt(questions, answers, Decimal("66.8")).passed is False


def test_float_points_keep_their_decimal_value():
    question = QuestionSpec(1, "single", 0.1, options=(1, 2), correct=frozenset({1}))

    assert question.points == Decimal("0.1")


def test_paper_is_deterministic_per_seed():
    first = shuffle_paper(BANK, seed=42, shuffle_questions=True, shuffle_options=True)
    again = shuffle_paper(BANK, seed=42, shuffle_questions=True, shuffle_options=True)

    assert first == again
    assert sorted(first.question_ids) == [1, 2, 3, 4, 5]


def test_paper_without_shuffling_keeps_bank_order():
    paper = shuffle_paper(BANK, seed=1, shuffle_questions=False, shuffle_options=False)

    assert paper.question_ids == (1, 2, 3, 4, 5)
    assert paper.option_order[2] == (21, 22, 23, 24)
    assert paper.option_order[4] == ()


def test_true_false_keeps_its_option_order():
    for seed in range(20):
        paper = shuffle_paper(BANK, seed=seed, shuffle_questions=True, shuffle_options=True)
        assert paper.option_order[3] == (31, 32)


def test_draw_takes_a_subset_in_bank_order_when_not_shuffled():
    paper = shuffle_paper(BANK, seed=7, shuffle_questions=False, shuffle_options=False, draw=3)

    assert len(paper.question_ids) == 3
    assert list(paper.question_ids) == sorted(paper.question_ids)


def test_draw_larger_than_the_bank_is_refused():
    with pytest.raises(GradingInputError, match=r"draw: must be between 1 and 5, got 6"):
        shuffle_paper(BANK, seed=1, shuffle_questions=True, shuffle_options=True, draw=6)


def test_stored_paper_rebuilds_the_same_questions():
    paper = shuffle_paper(BANK, seed=3, shuffle_questions=True, shuffle_options=True, draw=4)

    stored = Paper.from_json(paper.to_json())

    assert stored == paper
    assert [q.id for q in stored.select(BANK)] == list(paper.question_ids)


def test_paper_naming_a_deleted_question_is_refused():
    paper = Paper(seed=1, question_ids=(1, 77), option_order={})

    with pytest.raises(GradingInputError, match=r"question 77: no longer in the question bank"):
        paper.select(BANK)


@pytest.mark.parametrize(
    ("_case", "max_attempts", "used", "left"),
    [
        ("unlimited", None, 5, None),
        ("some left", 3, 1, 2),
        ("used up", 3, 3, 0),
        ("over-used never negative", 2, 3, 0),
    ],
)
def test_attempts_left(_case, max_attempts, used, left):
    assert attempts_left(max_attempts, used) == left


def test_best_result_takes_the_highest_then_the_earliest():
    attempts = [
        SimpleNamespace(name="first", percent=Decimal(70), passed=True),
        SimpleNamespace(name="second", percent=Decimal(85), passed=True),
        SimpleNamespace(name="third", percent=Decimal(85), passed=True),
        SimpleNamespace(name="pending", percent=Decimal(95), passed=None),
    ]

    assert best_result(attempts).name == "second"


def test_best_result_of_no_decided_attempt_is_none():
    assert best_result([SimpleNamespace(percent=Decimal(10), passed=None)]) is None
    assert best_result([]) is None


START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("_case", "elapsed", "limit", "overdue"),
    [
        ("in time", dt.timedelta(minutes=29), 30, False),
        ("within the grace period", dt.timedelta(minutes=30, seconds=30), 30, False),
        ("after the grace period", dt.timedelta(minutes=30, seconds=31), 30, True),
        ("no time limit", dt.timedelta(hours=5), None, False),
    ],
)
def test_is_overdue(_case, elapsed, limit, overdue):
    assert is_overdue(START, START + elapsed, limit) is overdue


def test_overdue_refuses_submission_before_start():
    with pytest.raises(GradingInputError, match="submitted_at: earlier than started_at"):
        is_overdue(START, START - dt.timedelta(seconds=1), 30)


def test_overdue_compares_aware_times_across_zones():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    submitted = dt.datetime(2025, 3, 1, 17, 20, tzinfo=shanghai)  # 09:20 UTC

    assert is_overdue(START, submitted, 15) is True


@st.composite
def choice_question(draw, qid):
    kind = draw(st.sampled_from(["single", "multiple", "true_false"]))
    points = draw(st.decimals(min_value=Decimal("0.5"), max_value=Decimal(20), places=1))
    n = 2 if kind == "true_false" else draw(st.integers(2, 6))
    options = tuple(range(qid * 10, qid * 10 + n))
    if kind == "multiple":
        correct = draw(st.sets(st.sampled_from(options), min_size=1))
    else:
        correct = {draw(st.sampled_from(options))}
    return QuestionSpec(qid, kind, points, options, frozenset(correct))


@st.composite
def question_bank(draw):
    count = draw(st.integers(1, 10))
    return [draw(choice_question(qid)) for qid in range(1, count + 1)]


@st.composite
def attempts(draw):
    count = draw(st.integers(1, 8))
    questions = []
    for qid in range(1, count + 1):
        kind = draw(st.sampled_from(["choice", "choice", "short", "practical"]))
        points = draw(st.decimals(min_value=Decimal("0.5"), max_value=Decimal(20), places=1))
        if kind == "short":
            questions.append(QuestionSpec(qid, kind, points))
        elif kind == "practical":
            maxima = draw(st.lists(st.integers(1, 10), min_size=1, max_size=3))
            rubric = tuple(RubricCriterion(i, m) for i, m in enumerate(maxima))
            questions.append(QuestionSpec(qid, kind, points, rubric=rubric))
        else:
            questions.append(draw(choice_question(qid)))
    answers, manual = {}, {}
    for q in questions:
        if q.kind in ("single", "true_false"):
            chosen = draw(st.sets(st.sampled_from(q.options), max_size=1))
            answers[q.id] = Answer(chosen=chosen)
        elif q.kind == "multiple":
            answers[q.id] = Answer(chosen=draw(st.sets(st.sampled_from(q.options))))
        elif q.kind == "short":
            answers[q.id] = Answer(text="答")
            if draw(st.booleans()):
                manual[q.id] = draw(st.decimals(min_value=0, max_value=q.points, places=1))
        elif draw(st.booleans()):
            answers[q.id] = Answer(
                rubric={
                    c.id: draw(st.decimals(min_value=0, max_value=c.max_points, places=2))
                    for c in q.rubric
                }
            )
    return tuple(questions), answers, manual


@settings(max_examples=200, deadline=None)
@given(attempts(), st.booleans(), st.decimals(min_value=0, max_value=100, places=1))
def test_score_stays_within_the_maximum_and_pass_follows_the_mark(attempt, partial, pass_mark):
    questions, answers, manual = attempt

    result = grade_attempt(
        questions, answers, pass_mark, partial_credit_multiple=partial, manual_points=manual
    )

    assert 0 <= result.score <= result.max_score
    assert 0 <= result.percent <= 100
    for q in result.questions:
        assert q.awarded is None or 0 <= q.awarded <= q.max_points
    if result.pending_manual:
        assert result.passed is None
    else:
        assert result.passed is (result.percent >= pass_mark)


@settings(max_examples=200, deadline=None)
@given(
    question_bank(),
    st.integers(0, 2**32),
    st.booleans(),
    st.booleans(),
    st.data(),
)
def test_paper_is_a_deterministic_permutation(bank, seed, shuffle_questions, shuffle_options, data):
    draw = data.draw(st.none() | st.integers(1, len(bank)))

    paper = shuffle_paper(bank, seed, shuffle_questions, shuffle_options, draw=draw)

    assert paper == shuffle_paper(bank, seed, shuffle_questions, shuffle_options, draw=draw)
    ids = [q.id for q in bank]
    assert len(paper.question_ids) == (draw or len(bank))
    assert len(set(paper.question_ids)) == len(paper.question_ids)
    assert set(paper.question_ids) <= set(ids)
    if draw is None:
        assert sorted(paper.question_ids) == sorted(ids)
    by_id = {q.id: q for q in bank}
    for qid in paper.question_ids:
        assert sorted(paper.option_order[qid]) == sorted(by_id[qid].options)
