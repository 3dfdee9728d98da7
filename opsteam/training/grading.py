"""Exam grading (培训后的考核): papers, automatic and manual marking, attempts, time limits.

Pure (stdlib only, no Django). A question bank is a sequence of ``QuestionSpec``; an attempt
draws and shuffles a ``Paper`` from it (deterministic per seed, so the same attempt re-renders
identically) and ``grade_attempt`` marks the learner's answers:

- single / true_false: full points for the one correct option, else 0;
- multiple: all-or-nothing, or with partial credit (correct chosen minus wrong chosen, floored
  at 0, as a share of the correct options);
- short / practical: the instructor's points (``manual_points``) or, for a practical task with a
  rubric, the points awarded per criterion. Until they are given the question is pending and the
  attempt is neither passed nor failed.

Every question in the result says why it scored what it did (``why``: a key and named
parameters, translated by the interface). Points are ``Decimal``; floats are read through their
shortest repr so 0.1 stays 0.1.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple, Protocol, TypeVar

SINGLE, MULTIPLE, TRUE_FALSE, SHORT, PRACTICAL = (
    "single",
    "multiple",
    "true_false",
    "short",
    "practical",
)
KINDS = frozenset({SINGLE, MULTIPLE, TRUE_FALSE, SHORT, PRACTICAL})
AUTO_GRADED = frozenset({SINGLE, MULTIPLE, TRUE_FALSE})
MANUALLY_GRADED = frozenset({SHORT, PRACTICAL})

# Keys of ``QuestionResult.why`` (the interface owns the wording).
WHY_CORRECT = "correct"
WHY_WRONG = "wrong"
WHY_PARTIAL = "partial"
WHY_UNANSWERED = "unanswered"
WHY_PENDING = "pending_manual"
WHY_MANUAL = "manual"
WHY_RUBRIC = "rubric"

POINTS_QUANTUM = Decimal("0.01")
PERCENT_QUANTUM = Decimal("0.1")
HUNDRED = Decimal(100)


class GradingInputError(ValueError):
    """Malformed input; the message names the offending question and field."""


Number = Decimal | float | int


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool):
        raise GradingInputError(f"{where}: expected a number, got {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        # repr is the shortest string that round-trips: 0.1 -> Decimal("0.1"), not 0.1000000000000000055
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise GradingInputError(f"{where}: expected a number, got {value!r}") from None
    else:
        raise GradingInputError(f"{where}: expected a number, got {value!r}")
    if not result.is_finite():
        raise GradingInputError(f"{where}: must be a finite number")
    return result


@dataclass(frozen=True, slots=True)
class RubricCriterion:
    """One criterion of a practical task's rubric, worth up to ``max_points``."""

    id: int
    max_points: Decimal | float

    def __post_init__(self) -> None:
        points = _decimal(self.max_points, f"rubric criterion {self.id}: max_points")
        if points <= 0:
            raise GradingInputError(f"rubric criterion {self.id}: max_points must be positive")
        object.__setattr__(self, "max_points", points)


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """A question as the engine needs it: kind, points, option ids and the correct ones.

    ``options`` and ``correct`` are option ids (choice kinds only); ``rubric`` is used by
    practical tasks. When a rubric's maximum differs from ``points`` the criterion points are
    scaled to the question's points. Invalid specs raise ``GradingInputError`` on construction.
    """

    id: int
    kind: str
    points: Decimal | float
    options: tuple[int, ...] = ()
    correct: frozenset[int] = frozenset()
    rubric: tuple[RubricCriterion, ...] = ()

    def __post_init__(self) -> None:
        where = f"question {self.id}"
        if self.kind not in KINDS:
            raise GradingInputError(f"{where}: kind: unknown kind {self.kind!r}")
        points = _decimal(self.points, f"{where}: points")
        if points <= 0:
            raise GradingInputError(f"{where}: points: must be positive")
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "correct", frozenset(self.correct))
        object.__setattr__(self, "rubric", tuple(self.rubric))
        if len(set(self.options)) != len(self.options):
            raise GradingInputError(f"{where}: options: an option is listed twice")
        if self.kind in AUTO_GRADED:
            if len(self.options) < 2:
                raise GradingInputError(f"{where}: options: at least two options are needed")
            stray = self.correct - set(self.options)
            if stray:
                raise GradingInputError(
                    f"{where}: correct: option {min(stray)} is not one of the question's options"
                )
            if self.kind == MULTIPLE:
                if not self.correct:
                    raise GradingInputError(
                        f"{where}: correct: at least one option must be correct"
                    )
            elif len(self.correct) != 1:
                raise GradingInputError(f"{where}: correct: exactly one option must be correct")
        elif self.correct:
            raise GradingInputError(f"{where}: correct: a {self.kind} question has no key")
        if self.rubric:
            if self.kind != PRACTICAL:
                raise GradingInputError(f"{where}: rubric: only practical tasks have a rubric")
            ids = [criterion.id for criterion in self.rubric]
            if len(set(ids)) != len(ids):
                raise GradingInputError(f"{where}: rubric: a criterion is listed twice")

    @property
    def rubric_max(self) -> Decimal:
        return sum((criterion.max_points for criterion in self.rubric), Decimal(0))


@dataclass(frozen=True, slots=True)
class Answer:
    """A learner's answer: chosen option ids, a text, and (practical) the instructor's rubric awards.

    ``rubric`` maps criterion id to the points awarded for it.
    """

    chosen: frozenset[int] = frozenset()
    text: str = ""
    rubric: Mapping[int, Decimal | float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "chosen", frozenset(self.chosen))


@dataclass(frozen=True, slots=True)
class Paper:
    """The questions of one attempt in the order shown, and each question's option order.

    Store ``to_json()`` with the attempt and rebuild it with ``from_json`` to re-render the
    attempt exactly as the learner saw it.
    """

    seed: int
    question_ids: tuple[int, ...]
    option_order: Mapping[int, tuple[int, ...]]

    def select(self, bank: Iterable[QuestionSpec]) -> tuple[QuestionSpec, ...]:
        """Return the paper's questions from ``bank`` in paper order."""
        by_id = {question.id: question for question in bank}
        missing = [qid for qid in self.question_ids if qid not in by_id]
        if missing:
            raise GradingInputError(f"question {missing[0]}: no longer in the question bank")
        return tuple(by_id[qid] for qid in self.question_ids)

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "questions": list(self.question_ids),
            "options": {str(qid): list(order) for qid, order in self.option_order.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Paper:
        try:
            return cls(
                seed=int(data["seed"]),
                question_ids=tuple(int(qid) for qid in data["questions"]),
                option_order={
                    int(qid): tuple(int(o) for o in order) for qid, order in data["options"].items()
                },
            )
        except (KeyError, TypeError, ValueError) as error:
            raise GradingInputError(f"paper: malformed stored paper ({error})") from None


def _check_unique(questions: Sequence[QuestionSpec]) -> None:
    seen: set[int] = set()
    for question in questions:
        if question.id in seen:
            raise GradingInputError(f"question {question.id}: listed twice")
        seen.add(question.id)


def shuffle_paper(
    questions: Sequence[QuestionSpec],
    seed: int,
    shuffle_questions: bool,
    shuffle_options: bool,
    draw: int | None = None,
) -> Paper:
    """Draw and order one attempt's paper from the bank, deterministically for ``seed``.

    ``draw`` takes that many questions at random (kept in bank order unless questions are
    shuffled). True/false options keep their order (true, false) even when options are shuffled.
    """
    _check_unique(questions)
    if not questions:
        raise GradingInputError("questions: the question bank is empty")
    if draw is not None and not 1 <= draw <= len(questions):
        raise GradingInputError(f"draw: must be between 1 and {len(questions)}, got {draw}")
    rng = random.Random(seed)  # noqa: S311 (not for security: the stored seed rebuilds the paper)
    positions = list(range(len(questions)))
    if draw is not None:
        positions = rng.sample(positions, draw)
        if not shuffle_questions:
            positions.sort()
    elif shuffle_questions:
        rng.shuffle(positions)
    chosen = [questions[i] for i in positions]
    option_order: dict[int, tuple[int, ...]] = {}
    for question in chosen:
        options = list(question.options)
        if shuffle_options and question.kind != TRUE_FALSE:
            rng.shuffle(options)
        option_order[question.id] = tuple(options)
    return Paper(seed=seed, question_ids=tuple(q.id for q in chosen), option_order=option_order)


class Why(NamedTuple):
    """Why a question scored what it did: a key (``WHY_*``) and named parameters."""

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question's marking. ``awarded`` is None while it waits for the instructor.

    ``correct`` means full points (None while pending).
    """

    question_id: int
    kind: str
    awarded: Decimal | None
    max_points: Decimal
    correct: bool | None
    why: Why


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """The marking of one attempt.

    While ``pending_manual`` is not empty, ``score`` and ``percent`` count only what has been
    marked so far and ``passed`` is None (undecided). ``percent`` is rounded half up to one
    decimal and ``passed`` compares that rounded figure with the pass mark.
    """

    score: Decimal
    max_score: Decimal
    percent: Decimal
    pass_mark_percent: Decimal
    passed: bool | None
    pending_manual: tuple[int, ...]
    questions: tuple[QuestionResult, ...]


def _share(points: Decimal, numerator: Decimal, denominator: Decimal) -> Decimal:
    """Return ``points * numerator / denominator``; exact at the ends, else to the cent."""
    if numerator <= 0:
        return Decimal(0)
    if numerator >= denominator:
        return points
    share = (points * numerator / denominator).quantize(POINTS_QUANTUM, rounding=ROUND_HALF_UP)
    return min(share, points)


def _grade_choice(
    question: QuestionSpec, answer: Answer | None, partial_credit_multiple: bool
) -> QuestionResult:
    where = f"question {question.id}"
    chosen = answer.chosen if answer is not None else frozenset()
    stray = chosen - set(question.options)
    if stray:
        raise GradingInputError(f"{where}: chosen: option {min(stray)} is not one of its options")
    if question.kind != MULTIPLE and len(chosen) > 1:
        raise GradingInputError(f"{where}: chosen: only one option may be chosen")

    def result(awarded: Decimal, why: Why) -> QuestionResult:
        return QuestionResult(
            question.id, question.kind, awarded, question.points, awarded == question.points, why
        )

    if not chosen:
        return result(Decimal(0), Why(WHY_UNANSWERED))
    if chosen == question.correct:
        return result(question.points, Why(WHY_CORRECT))
    if question.kind != MULTIPLE or not partial_credit_multiple:
        return result(Decimal(0), Why(WHY_WRONG))
    right = len(chosen & question.correct)
    wrong = len(chosen - question.correct)
    total = len(question.correct)
    awarded = _share(question.points, Decimal(max(right - wrong, 0)), Decimal(total))
    params = (("right", right), ("wrong", wrong), ("total", total))
    return result(awarded, Why(WHY_PARTIAL, params))


def _grade_manual(
    question: QuestionSpec, answer: Answer | None, manual: Number | None
) -> QuestionResult:
    where = f"question {question.id}"
    if answer is not None and answer.chosen:
        raise GradingInputError(f"{where}: chosen: a {question.kind} question has no options")

    def result(awarded: Decimal | None, why: Why) -> QuestionResult:
        correct = None if awarded is None else awarded == question.points
        return QuestionResult(question.id, question.kind, awarded, question.points, correct, why)

    if question.rubric:
        if manual is not None:
            raise GradingInputError(
                f"{where}: manual_points: a task with a rubric is marked per criterion"
            )
        return _grade_rubric(question, answer, result)
    if answer is not None and answer.rubric:
        raise GradingInputError(f"{where}: rubric: the question has no rubric")
    if manual is not None:
        awarded = _decimal(manual, f"{where}: manual_points")
        if not 0 <= awarded <= question.points:
            raise GradingInputError(
                f"{where}: manual_points: {awarded} is outside 0..{question.points}"
            )
        return result(awarded, Why(WHY_MANUAL))
    if question.kind == SHORT and (answer is None or not answer.text.strip()):
        # Nothing was written, so there is nothing for the instructor to read.
        return result(Decimal(0), Why(WHY_UNANSWERED))
    return result(None, Why(WHY_PENDING))


def _grade_rubric(
    question: QuestionSpec,
    answer: Answer | None,
    result: Callable[[Decimal | None, Why], QuestionResult],
) -> QuestionResult:
    where = f"question {question.id}"
    awards = answer.rubric if answer is not None else {}
    known = {criterion.id for criterion in question.rubric}
    unknown = [cid for cid in awards if cid not in known]
    if unknown:
        raise GradingInputError(f"{where}: rubric criterion {unknown[0]}: not in the rubric")
    given: list[tuple[int, Decimal, Decimal]] = []
    for criterion in question.rubric:
        if criterion.id not in awards:
            continue
        cwhere = f"{where}: rubric criterion {criterion.id}"
        points = _decimal(awards[criterion.id], cwhere)
        if not 0 <= points <= criterion.max_points:
            raise GradingInputError(f"{cwhere}: {points} is outside 0..{criterion.max_points}")
        given.append((criterion.id, points, criterion.max_points))
    if len(given) < len(question.rubric):
        missing = tuple(c.id for c in question.rubric if c.id not in awards)
        return result(None, Why(WHY_PENDING, (("missing_criteria", missing),)))
    total = sum((points for _, points, _ in given), Decimal(0))
    awarded = _share(question.points, total, question.rubric_max)
    params = (
        ("criteria", tuple(given)),
        ("rubric_total", total),
        ("rubric_max", question.rubric_max),
    )
    return result(awarded, Why(WHY_RUBRIC, params))


def grade_attempt(
    questions: Sequence[QuestionSpec],
    answers: Mapping[int, Answer],
    pass_mark_percent: Number,
    partial_credit_multiple: bool = False,
    manual_points: Mapping[int, Number] | None = None,
) -> AttemptResult:
    """Mark an attempt: choice questions automatically, short and practical ones from the instructor.

    ``answers`` and ``manual_points`` are keyed by question id; an answer or a manual mark for a
    question not on the paper is an error (it would silently be lost otherwise). Manual points
    apply to short and practical questions without a rubric; a practical task with a rubric is
    marked by the awards per criterion in its answer. Raise ``GradingInputError`` naming the
    question and field on any malformed input.
    """
    manual_points = manual_points or {}
    _check_unique(questions)
    if not questions:
        raise GradingInputError("questions: an attempt needs at least one question")
    pass_mark = _decimal(pass_mark_percent, "pass_mark_percent")
    if not 0 <= pass_mark <= HUNDRED:
        raise GradingInputError("pass_mark_percent: must be between 0 and 100")
    ids = {question.id for question in questions}
    for name, keyed in (("answers", answers), ("manual_points", manual_points)):
        stray = [qid for qid in keyed if qid not in ids]
        if stray:
            raise GradingInputError(f"question {stray[0]}: {name}: not on this paper")

    results: list[QuestionResult] = []
    for question in questions:
        answer = answers.get(question.id)
        if question.kind in AUTO_GRADED:
            if question.id in manual_points:
                raise GradingInputError(
                    f"question {question.id}: manual_points: {question.kind} questions are marked automatically"
                )
            results.append(_grade_choice(question, answer, partial_credit_multiple))
        else:
            results.append(_grade_manual(question, answer, manual_points.get(question.id)))

    score = sum((r.awarded for r in results if r.awarded is not None), Decimal(0))
    max_score = sum((q.points for q in questions), Decimal(0))
    percent = (score * HUNDRED / max_score).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_UP)
    pending = tuple(r.question_id for r in results if r.awarded is None)
    return AttemptResult(
        score=score,
        max_score=max_score,
        percent=percent,
        pass_mark_percent=pass_mark,
        passed=None if pending else percent >= pass_mark,
        pending_manual=pending,
        questions=tuple(results),
    )


def attempts_left(max_attempts: int | None, used: int) -> int | None:
    """Return how many attempts remain (None: unlimited)."""
    if used < 0:
        raise GradingInputError("used: cannot be negative")
    if max_attempts is None:
        return None
    if max_attempts < 0:
        raise GradingInputError("max_attempts: cannot be negative")
    return max(max_attempts - used, 0)


class Scored(Protocol):
    @property
    def percent(self) -> Decimal | float: ...

    @property
    def passed(self) -> bool | None: ...


S = TypeVar("S", bound=Scored)


def best_result(attempts: Sequence[S]) -> S | None:
    """Return the attempt that counts: the highest percent, the earliest on a tie.

    ``attempts`` are in the order they were taken; anything with ``percent`` and ``passed``
    will do (``AttemptResult`` or an attempt row). Attempts still waiting for manual marking
    (``passed is None``) do not count yet; None when no attempt is decided.
    """
    best: S | None = None
    for attempt in attempts:
        if attempt.passed is None:
            continue
        if best is None or attempt.percent > best.percent:
            best = attempt
    return best


def is_overdue(
    started_at: datetime,
    submitted_at: datetime,
    limit_minutes: int | None,
    grace_seconds: int = 30,
) -> bool:
    """Return True when the attempt was submitted after its time limit plus the grace period.

    The grace period absorbs network and clock delays on the final submit. No limit: never
    overdue. Both datetimes must be aware (or both naive).
    """
    if limit_minutes is None:
        return False
    if limit_minutes <= 0:
        raise GradingInputError("limit_minutes: must be positive")
    if grace_seconds < 0:
        raise GradingInputError("grace_seconds: cannot be negative")
    if (started_at.tzinfo is None) != (submitted_at.tzinfo is None):
        raise GradingInputError("submitted_at: mixes an aware and a naive datetime")
    if submitted_at < started_at:
        raise GradingInputError("submitted_at: earlier than started_at")
    return submitted_at - started_at > timedelta(minutes=limit_minutes, seconds=grace_seconds)
