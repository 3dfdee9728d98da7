"""Assessment (培训后的考核): question bank, exams, attempts and grading.

The marking itself is the pure engine ``grading.py``; these functions load rows into its specs,
store what it decides and end the course through ``services.enrolment_evaluate``. Every write is
one transaction, permission-checked and audited. The learner's answers are kept as they go
(``attempt_save``); a time limit is enforced here, not only by the page's countdown: a
submission after the limit (plus a short grace for the network) is flagged overdue, and an
attempt left open past ``AUTO_SUBMIT_GRACE`` is submitted with what was saved.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.training import grading, services
from opsteam.training.choices import (
    AttemptStatus,
    EnrolmentStatus,
    ExamKind,
    QuestionKind,
)
from opsteam.training.models import (
    Attempt,
    AttemptAnswer,
    Course,
    Enrolment,
    Exam,
    Question,
    QuestionOption,
    RubricCriterion,
    Session,
)

# Network and clock delays on the final submit: later than the limit plus this is "overdue".
OVERDUE_GRACE_SECONDS = 30
# An attempt still open this long after its time limit is submitted with the saved answers.
AUTO_SUBMIT_GRACE = dt.timedelta(minutes=2)
TRUE_FALSE_OPTIONS = (("对", "True"), ("错", "False"))
OPEN = (EnrolmentStatus.ASSIGNED, EnrolmentStatus.IN_PROGRESS)


# ----------------------------------------------------------------------------- who may do what


def is_course_owner(user: Any, course: Course) -> bool:
    owner = course.owner
    return owner is not None and owner.user_id is not None and owner.user_id == user.pk


def can_view_bank(user: Any, course: Course) -> bool:
    """HR, administrators and auditors read every bank; a course owner reads their course's."""
    return policy.can(user, "view", Question) or is_course_owner(user, course)


def can_edit_bank(user: Any, course: Course) -> bool:
    """HR and administrators maintain every bank and exam; a course owner their course's."""
    return policy.can(user, "change", Question) or is_course_owner(user, course)


def require_bank_editor(user: Any, course: Course) -> None:
    if not can_edit_bank(user, course):
        raise PolicyDenied()


def instructs(user: Any, course_id: int) -> bool:
    return Session.objects.filter(course_id=course_id, instructor__user=user).exists()


def can_grade(user: Any, exam: Exam) -> bool:
    """HR and administrators (policy ``grade``) and the instructor of a session of the course."""
    return policy.can(user, "grade", exam) or instructs(user, exam.course_id)


# ----------------------------------------------------------------------------- question bank


def _decimal(value: Any, field: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter a number."), field=field) from None
    if not result.is_finite():
        raise ValidationFailed(_("Enter a number."), field=field)
    return result


def _clean_options(kind: str, options: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validate a question's options for its kind; errors name the ``options`` field."""
    if kind == QuestionKind.TRUE_FALSE:
        correct = [o for o in options if o.get("is_correct")]
        # The two options are made for the author; they only say which one is right.
        truth = bool(correct and str(correct[0].get("text", "")).strip() in ("对", "True"))
        if options and len(correct) != 1:
            raise ValidationFailed(
                _("Mark exactly one of the two options (true or false) as correct."),
                field="options",
            )
        if not options:
            raise ValidationFailed(
                _("Say whether the statement is true or false."), field="options"
            )
        return [
            {"text": zh, "text_en": en, "is_correct": (i == 0) == truth, "order": i}
            for i, (zh, en) in enumerate(TRUE_FALSE_OPTIONS)
        ]
    if kind in (QuestionKind.SHORT, QuestionKind.PRACTICAL):
        if options:
            raise ValidationFailed(
                _("Short-answer and practical questions have no options."), field="options"
            )
        return []
    rows = [
        {
            "text": str(o.get("text", "")).strip(),
            "text_en": str(o.get("text_en", "") or "").strip(),
            "is_correct": bool(o.get("is_correct")),
            "order": index,
        }
        for index, o in enumerate(options)
        if str(o.get("text", "")).strip()
    ]
    if len(rows) < 2:
        raise ValidationFailed(_("Give at least two options."), field="options")
    texts = [r["text"] for r in rows]
    if len(set(texts)) != len(texts):
        raise ValidationFailed(_("Two options have the same text."), field="options")
    correct = sum(r["is_correct"] for r in rows)
    if kind == QuestionKind.SINGLE and correct != 1:
        raise ValidationFailed(
            _("A single-choice question needs exactly one correct option."), field="options"
        )
    if kind == QuestionKind.MULTIPLE and correct < 1:
        raise ValidationFailed(
            _("A multiple-choice question needs at least one correct option."), field="options"
        )
    return rows


def _clean_rubric(kind: str, rubric: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if kind != QuestionKind.PRACTICAL:
        if rubric:
            raise ValidationFailed(_("Only practical tasks have a rubric."), field="rubric")
        return []
    rows = []
    for index, row in enumerate(rubric):
        text = str(row.get("text", "")).strip()
        if not text:
            continue
        points = _decimal(row.get("max_points"), "rubric")
        if points < Decimal("0.5"):
            raise ValidationFailed(
                _("Criterion “{criterion}”: give at least 0.5 points.").format(criterion=text),
                field="rubric",
            )
        rows.append(
            {
                "text": text,
                "text_en": str(row.get("text_en", "") or "").strip(),
                "max_points": points,
                "order": index,
            }
        )
    return rows


def _clean_question(fields: dict[str, Any]) -> dict[str, Any]:
    kind = fields.get("kind")
    if kind not in QuestionKind.values:
        raise ValidationFailed(_("Choose the kind of question."), field="kind")
    if not str(fields.get("text", "")).strip():
        raise ValidationFailed(_("Write the question."), field="text")
    points = _decimal(fields.get("points", 1), "points")
    if not Decimal("0.5") <= points <= Decimal("1000"):
        raise ValidationFailed(_("Points must be between 0.5 and 1000."), field="points")
    fields["points"] = points
    return fields


def _write_children(question: Question, options: list[dict], rubric: list[dict]) -> None:
    question.options.all().delete()
    question.rubric.all().delete()
    QuestionOption.objects.bulk_create(QuestionOption(question=question, **o) for o in options)
    RubricCriterion.objects.bulk_create(RubricCriterion(question=question, **r) for r in rubric)


QUESTION_FIELDS = ("kind", "text", "text_en", "points", "explanation")


@transaction.atomic
def question_create(
    *,
    actor: Any,
    course: Course,
    kind: str,
    text: str,
    text_en: str = "",
    points: Decimal | int | str = 1,
    explanation: str = "",
    options: Sequence[Mapping[str, Any]] = (),
    rubric: Sequence[Mapping[str, Any]] = (),
) -> Question:
    """Add a question to ``course``'s bank with its options (choice kinds) or rubric (practical).

    A true/false question gets the two options 对/错 made for it; ``options`` only says which
    one is correct. Errors name the field (``options``, ``rubric``, ``points``...).
    """
    require_bank_editor(actor, course)
    fields = _clean_question(
        {
            "kind": kind,
            "text": text,
            "text_en": text_en,
            "points": points,
            "explanation": explanation,
        }
    )
    clean_options = _clean_options(kind, options)
    clean_rubric = _clean_rubric(kind, rubric)
    question = Question.objects.create(course=course, **fields)
    _write_children(question, clean_options, clean_rubric)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=question)
    return question


@transaction.atomic
def question_update(
    *,
    actor: Any,
    question: Question,
    options: Sequence[Mapping[str, Any]] | None = None,
    rubric: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Question:
    """Change a question. Papers already drawn keep pointing at it, so its kind is fixed once
    someone has answered it (start a new question instead)."""
    require_bank_editor(actor, question.course)
    unknown = set(fields) - set(QUESTION_FIELDS) - {"is_active"}
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    before = audit.snapshot(question)
    merged = {name: getattr(question, name) for name in QUESTION_FIELDS}
    merged.update({k: v for k, v in fields.items() if k != "is_active"})
    merged = _clean_question(merged)
    answered = AttemptAnswer.objects.filter(question=question).exists()
    if merged["kind"] != question.kind and answered:
        raise ValidationFailed(
            _("This question has been answered in exams; its kind can no longer change."),
            field="kind",
        )
    if options is None:
        options = [
            {"text": o.text, "text_en": o.text_en, "is_correct": o.is_correct}
            for o in question.options.all()
        ]
    if rubric is None:
        rubric = [
            {"text": r.text, "text_en": r.text_en, "max_points": r.max_points}
            for r in question.rubric.all()
        ]
    clean_options = _clean_options(merged["kind"], options)
    clean_rubric = _clean_rubric(merged["kind"], rubric)
    for name, value in merged.items():
        setattr(question, name, value)
    if "is_active" in fields:
        question.is_active = bool(fields["is_active"])
    question.save()
    if answered:
        # Answers store option ids: keep the rows, change their text and key in place.
        _update_children_in_place(question, clean_options, clean_rubric)
    else:
        _write_children(question, clean_options, clean_rubric)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=question, before=before)
    return question


def _update_children_in_place(question: Question, options: list[dict], rubric: list[dict]) -> None:
    for rows, related, model in (
        (options, question.options, QuestionOption),
        (rubric, question.rubric, RubricCriterion),
    ):
        existing = list(related.all())
        if len(rows) != len(existing):
            field = "options" if model is QuestionOption else "rubric"
            raise ValidationFailed(
                _("This question has been answered: change the wording, not the number of rows."),
                field=field,
            )
        for row, values in zip(existing, rows, strict=True):
            for name, value in values.items():
                setattr(row, name, value)
            row.save()


@transaction.atomic
def question_deactivate(*, actor: Any, question: Question) -> Question:
    """Take a question out of the bank: new papers no longer draw it; past papers keep it."""
    require_bank_editor(actor, question.course)
    if not question.is_active:
        return question
    before = audit.snapshot(question)
    question.is_active = False
    question.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=question, before=before)
    return question


# ----------------------------------------------------------------------------- exams

EXAM_FIELDS = (
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
)


def _validate_exam(exam: Exam, questions: Sequence[Question]) -> None:
    if exam.kind not in ExamKind.values:
        raise ValidationFailed(_("Choose pre-test or post-test."), field="kind")
    if not str(exam.name).strip():
        raise ValidationFailed(_("Name the exam."), field="name")
    if not Decimal(0) <= Decimal(exam.pass_mark) <= Decimal(100):
        raise ValidationFailed(_("The pass mark is a percentage from 0 to 100."), field="pass_mark")
    for name in ("time_limit_minutes", "max_attempts", "draw_count"):
        value = getattr(exam, name)
        if value is not None and int(value) < 1:
            raise ValidationFailed(_("Enter at least 1, or leave it empty."), field=name)
    stray = [q for q in questions if q.course_id != exam.course_id]
    if stray:
        raise ValidationFailed(_("Questions must come from this course's bank."), field="questions")
    active = [q for q in questions if q.is_active]
    if exam.draw_count is not None and exam.draw_count > len(active):
        raise ValidationFailed(
            _("Only {count} active questions are chosen; draw at most that many.").format(
                count=len(active)
            ),
            field="draw_count",
        )


def _open_exam_conflict(exam: Exam) -> bool:
    return (
        exam.is_active
        and Exam.objects.filter(course_id=exam.course_id, kind=exam.kind, is_active=True)
        .exclude(pk=exam.pk)
        .exists()
    )


def _save_exam(exam: Exam) -> None:
    if _open_exam_conflict(exam):
        raise ValidationFailed(
            _("This course already has an open {kind}; close it first.").format(
                kind=ExamKind(exam.kind).label
            ),
            field="kind",
        )
    try:
        with transaction.atomic():
            exam.save()
    except IntegrityError:
        raise ValidationFailed(
            _("This course already has an open exam of this kind."), field="kind"
        ) from None


def _pick_questions(course: Course, questions: Iterable[Question | int] | None) -> list[Question]:
    if questions is None:
        return list(course.questions.filter(is_active=True))
    ids = [getattr(q, "pk", q) for q in questions]
    found = list(Question.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationFailed(_("A chosen question does not exist."), field="questions")
    return found


@transaction.atomic
def exam_create(
    *,
    actor: Any,
    course: Course,
    kind: str,
    name: str,
    questions: Iterable[Question | int] | None = None,
    **fields: Any,
) -> Exam:
    """Set a pre-test or post-test for ``course``. ``questions`` defaults to the whole active
    bank; ``draw_count`` draws that many of them at random for each attempt."""
    require_bank_editor(actor, course)
    unknown = set(fields) - set(EXAM_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    exam = Exam(course=course, kind=kind, name=name, **fields)
    chosen = _pick_questions(course, questions)
    _validate_exam(exam, chosen)
    _save_exam(exam)
    exam.questions.set(chosen)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=exam)
    return exam


@transaction.atomic
def exam_update(
    *,
    actor: Any,
    exam: Exam,
    questions: Iterable[Question | int] | None = None,
    **fields: Any,
) -> Exam:
    """Change an exam's settings or questions (attempts already drawn keep their paper)."""
    require_bank_editor(actor, exam.course)
    unknown = set(fields) - set(EXAM_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    before = audit.snapshot(exam)
    for name, value in fields.items():
        setattr(exam, name, value)
    chosen = (
        list(exam.questions.all()) if questions is None else _pick_questions(exam.course, questions)
    )
    _validate_exam(exam, chosen)
    _save_exam(exam)
    if questions is not None:
        exam.questions.set(chosen)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=exam, before=before)
    return exam


# ----------------------------------------------------------------------------- engine input


def question_specs(questions: Iterable[Question]) -> list[grading.QuestionSpec]:
    """The engine's view of questions (options and rubric prefetched or loaded here)."""
    specs = []
    for question in questions:
        options = list(question.options.all())
        specs.append(
            grading.QuestionSpec(
                id=question.pk,
                kind=question.kind,
                points=question.points,
                options=tuple(o.pk for o in options),
                correct=frozenset(o.pk for o in options if o.is_correct)
                if question.kind in grading.AUTO_GRADED
                else frozenset(),
                rubric=tuple(
                    grading.RubricCriterion(id=c.pk, max_points=c.max_points)
                    for c in question.rubric.all()
                ),
            )
        )
    return specs


def paper_questions(attempt: Attempt) -> list[Question]:
    """The attempt's questions in paper order, with options and rubric prefetched."""
    ids = [int(i) for i in attempt.paper.get("questions", [])]
    rows = Question.objects.filter(pk__in=ids).prefetch_related("options", "rubric")
    by_id = {q.pk: q for q in rows}
    return [by_id[i] for i in ids if i in by_id]


def _answers_for_engine(
    attempt: Attempt, questions: Sequence[Question]
) -> tuple[dict[int, grading.Answer], dict[int, Decimal]]:
    kinds = {q.pk: q.kind for q in questions}
    rubric_ids = {q.pk: {c.pk for c in q.rubric.all()} for q in questions}
    answers: dict[int, grading.Answer] = {}
    manual: dict[int, Decimal] = {}
    for row in attempt.answers.all():
        if row.question_id not in kinds:
            continue
        kind = kinds[row.question_id]
        rubric = {}
        if kind == QuestionKind.PRACTICAL and rubric_ids[row.question_id]:
            rubric = {int(k): Decimal(str(v)) for k, v in (row.rubric_awards or {}).items()}
        elif kind in grading.MANUALLY_GRADED and row.awarded is not None:
            manual[row.question_id] = row.awarded
        chosen = (
            frozenset(int(i) for i in row.selected or [])
            if kind in grading.AUTO_GRADED
            else frozenset()
        )
        answers[row.question_id] = grading.Answer(chosen=chosen, text=row.text, rubric=rubric)
    return answers, manual


# ----------------------------------------------------------------------------- taking an exam


def _now() -> dt.datetime:
    return timezone.now()


def deadline(attempt: Attempt) -> dt.datetime | None:
    """When the attempt's time runs out (None: no limit)."""
    limit = attempt.exam.time_limit_minutes
    return attempt.started_at + dt.timedelta(minutes=limit) if limit else None


def seconds_left(attempt: Attempt, now: dt.datetime | None = None) -> int | None:
    end = deadline(attempt)
    if end is None:
        return None
    return max(int((end - (now or _now())).total_seconds()), 0)


def _past_auto_submit(attempt: Attempt, now: dt.datetime) -> bool:
    end = deadline(attempt)
    return end is not None and now > end + AUTO_SUBMIT_GRACE


def _learner_enrolment(actor: Any, exam: Exam) -> Enrolment:
    staff = getattr(actor, "staff", None)
    if staff is None:
        raise ValidationFailed(_("Only staff members can sit exams."))
    enrolment = Enrolment.objects.filter(staff=staff, course_id=exam.course_id).first()
    if enrolment is not None and enrolment.status == EnrolmentStatus.COMPLETED:
        raise InvalidTransition(_("You have completed this course already."))
    if enrolment is None or enrolment.status not in OPEN:
        if exam.kind == ExamKind.POST:
            raise InvalidTransition(
                _("The post-test is open to people enrolled in the course; enrol first.")
            )
        # The pre-test of an open course is where self-enrolment begins.
        enrolment = services.enrol_self(actor=actor, course=exam.course)
    return enrolment


@transaction.atomic
def attempt_start(*, actor: Any, exam: Exam, seed: int | None = None) -> Attempt:
    """Start (or resume) the learner's attempt at ``exam`` and draw its paper.

    An attempt still in progress is resumed rather than a new one begun; the attempts allowed
    are enforced with a message saying how many were used. Sitting the pre-test starts the
    enrolment.
    """
    if not exam.is_active:
        raise InvalidTransition(_("This exam is closed."))
    enrolment = _learner_enrolment(actor, exam)
    policy.require(actor, "learn", enrolment)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    previous = list(Attempt.objects.filter(exam=exam, enrolment=enrolment).order_by("number"))
    current = next((a for a in previous if a.status == AttemptStatus.IN_PROGRESS), None)
    if current is not None:
        current.exam = exam
        if _past_auto_submit(current, _now()):
            attempt_close_if_expired(attempt=current)
        else:
            return current
    left = grading.attempts_left(exam.max_attempts, len(previous))
    if left == 0:
        raise InvalidTransition(
            _("You have used all {count} attempts allowed for this exam.").format(
                count=exam.max_attempts
            )
        )
    questions = list(exam.questions.filter(is_active=True).prefetch_related("options", "rubric"))
    if not questions:
        raise InvalidTransition(_("This exam has no questions yet."))
    draw = exam.draw_count if exam.draw_count and exam.draw_count < len(questions) else None
    paper = grading.shuffle_paper(
        question_specs(questions),
        seed=secrets.randbelow(2**31) if seed is None else seed,
        shuffle_questions=exam.shuffle_questions,
        shuffle_options=exam.shuffle_options,
        draw=draw,
    )
    attempt = Attempt.objects.create(
        exam=exam,
        enrolment=enrolment,
        number=len(previous) + 1,
        paper=paper.to_json(),
        started_at=_now(),
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=attempt)
    if exam.kind == ExamKind.PRE:
        services.enrolment_start(actor=actor, enrolment=enrolment)
    return attempt


def _store_answers(
    attempt: Attempt, questions: Sequence[Question], answers: Mapping[Any, Mapping[str, Any]]
) -> int:
    """Validate and store answers keyed by question id; errors name ``question_<id>``."""
    by_id = {q.pk: q for q in questions}
    existing = {row.question_id: row for row in attempt.answers.all()}
    written = 0
    for key, value in answers.items():
        try:
            qid = int(key)
        except (TypeError, ValueError):
            raise ValidationFailed(_("Unknown question."), field="answers") from None
        question = by_id.get(qid)
        field = f"question_{qid}"
        if question is None:
            raise ValidationFailed(_("This question is not on your paper."), field=field)
        selected: list[int] = []
        text = ""
        if question.kind in grading.AUTO_GRADED:
            raw = value.get("selected") or []
            if isinstance(raw, int | str):
                raw = [raw]
            try:
                selected = sorted({int(i) for i in raw})
            except (TypeError, ValueError):
                raise ValidationFailed(_("Choose from the options given."), field=field) from None
            allowed = {o.pk for o in question.options.all()}
            if not set(selected) <= allowed:
                raise ValidationFailed(_("Choose from the options given."), field=field)
            if question.kind != QuestionKind.MULTIPLE and len(selected) > 1:
                raise ValidationFailed(_("Choose one option."), field=field)
        else:
            text = str(value.get("text") or "")[:20000]
        row = existing.get(qid)
        if row is None:
            AttemptAnswer.objects.create(
                attempt=attempt, question=question, selected=selected, text=text
            )
            written += 1
        elif row.selected != selected or row.text != text:
            row.selected, row.text = selected, text
            row.save(update_fields=["selected", "text"])
            written += 1
    return written


def _require_taker(actor: Any, attempt: Attempt) -> None:
    policy.require(actor, "take", attempt)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise InvalidTransition(_("This attempt has been submitted."))


@transaction.atomic
def attempt_save(
    *, actor: Any, attempt: Attempt, answers: Mapping[Any, Mapping[str, Any]]
) -> Attempt:
    """Keep the learner's answers so far (``{question_id: {"selected": [...], "text": ""}}``).

    Past the time limit and its grace the answers are no longer accepted: the attempt is
    submitted with what was saved before.
    """
    attempt = (
        Attempt.objects.select_for_update().select_related("exam", "enrolment").get(pk=attempt.pk)
    )
    _require_taker(actor, attempt)
    if _past_auto_submit(attempt, _now()):
        return _submit(actor=actor, attempt=attempt, now=_now(), auto=True)
    _store_answers(attempt, paper_questions(attempt), answers)
    return attempt


@transaction.atomic
def attempt_submit(
    *,
    actor: Any,
    attempt: Attempt,
    answers: Mapping[Any, Mapping[str, Any]] | None = None,
) -> Attempt:
    """Hand the attempt in: choice questions are marked at once; with short or practical
    questions it waits for the grader. A late hand-in is flagged overdue; past the grace the
    saved answers are used and the ones sent now are ignored."""
    attempt = (
        Attempt.objects.select_for_update().select_related("exam", "enrolment").get(pk=attempt.pk)
    )
    _require_taker(actor, attempt)
    now = _now()
    if _past_auto_submit(attempt, now):
        return _submit(actor=actor, attempt=attempt, now=now, auto=True)
    if answers:
        _store_answers(attempt, paper_questions(attempt), answers)
    return _submit(actor=actor, attempt=attempt, now=now, auto=False)


def attempt_close_if_expired(*, attempt: Attempt, now: dt.datetime | None = None) -> bool:
    """Submit an attempt left open past its time limit and grace (with what was saved).

    Called whenever an attempt is shown and by ``attempts_close_expired``; the system acts.
    """
    now = now or _now()
    if attempt.status != AttemptStatus.IN_PROGRESS or not _past_auto_submit(attempt, now):
        return False
    with transaction.atomic():
        locked = (
            Attempt.objects.select_for_update()
            .select_related("exam", "enrolment")
            .get(pk=attempt.pk)
        )
        if locked.status != AttemptStatus.IN_PROGRESS:
            return False
        _submit(actor=None, attempt=locked, now=now, auto=True)
    attempt.refresh_from_db()
    return True


def attempts_close_expired(*, now: dt.datetime | None = None) -> int:
    """Sweep: submit every attempt left open past its time limit (a periodic task may call it)."""
    now = now or _now()
    closed = 0
    candidates = Attempt.objects.filter(
        status=AttemptStatus.IN_PROGRESS, exam__time_limit_minutes__isnull=False
    ).select_related("exam")
    for attempt in candidates.iterator():
        closed += attempt_close_if_expired(attempt=attempt, now=now)
    return closed


def _submit(*, actor: Any, attempt: Attempt, now: dt.datetime, auto: bool) -> Attempt:
    before = audit.snapshot(attempt)
    exam = attempt.exam
    end = deadline(attempt)
    submitted_at = min(now, end + AUTO_SUBMIT_GRACE) if auto and end else now
    attempt.submitted_at = submitted_at
    attempt.overdue = auto or grading.is_overdue(
        attempt.started_at, submitted_at, exam.time_limit_minutes, OVERDUE_GRACE_SECONDS
    )
    attempt.status = AttemptStatus.SUBMITTED
    questions = paper_questions(attempt)
    result = _grade(attempt, questions)
    _store_result(attempt, result)
    if result.passed is not None:
        attempt.status = AttemptStatus.GRADED
        attempt.graded_at = now
    attempt.save()
    note = _("Submitted automatically when the time ran out.") if auto else ""
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=attempt, before=before, note=note)
    if attempt.status == AttemptStatus.GRADED:
        services.enrolment_evaluate(actor=actor, enrolment=attempt.enrolment)
    return attempt


def _grade(attempt: Attempt, questions: Sequence[Question]) -> grading.AttemptResult:
    answers, manual = _answers_for_engine(attempt, questions)
    return grading.grade_attempt(
        question_specs(questions),
        answers,
        attempt.exam.pass_mark,
        partial_credit_multiple=attempt.exam.partial_credit,
        manual_points=manual,
    )


def _store_result(attempt: Attempt, result: grading.AttemptResult) -> None:
    attempt.score = result.score
    attempt.max_score = result.max_score
    attempt.percent = result.percent
    attempt.passed = result.passed
    rows = {row.question_id: row for row in attempt.answers.all()}
    for question_result in result.questions:
        row = rows.get(question_result.question_id)
        if row is None:
            if question_result.awarded is None:
                continue
            row = AttemptAnswer(attempt=attempt, question_id=question_result.question_id)
        if row.pk is None or row.awarded != question_result.awarded:
            row.awarded = question_result.awarded
            row.save()


# ----------------------------------------------------------------------------- grading


def manual_questions(questions: Iterable[Question]) -> list[Question]:
    return [q for q in questions if q.kind in grading.MANUALLY_GRADED]


@transaction.atomic
def attempt_grade(
    *, actor: Any, attempt: Attempt, marks: Mapping[Any, Mapping[str, Any]]
) -> Attempt:
    """Mark the short-answer and practical questions of a submitted attempt and finish it.

    ``marks`` maps question id to ``{"points": x, "comment": ""}`` (short answers and tasks
    without a rubric) or ``{"rubric": {criterion_id: points}, "comment": ""}``. Each value is
    checked against its maximum; errors name the field (``points_<q>`` or ``rubric_<q>_<c>``).
    Every manually graded question must be marked; then the engine grades the whole attempt
    and the enrolment is evaluated (a passed post-test completes the course).
    """
    attempt = (
        Attempt.objects.select_for_update()
        .select_related("exam__course", "enrolment__staff")
        .get(pk=attempt.pk)
    )
    if not can_grade(actor, attempt.exam):
        policy.require(actor, "grade", attempt.exam)
    if attempt.enrolment.staff.user_id == actor.pk:
        raise PolicyDenied(_("You cannot grade your own attempt."))
    if attempt.status == AttemptStatus.IN_PROGRESS:
        raise InvalidTransition(_("The attempt has not been submitted yet."))
    questions = paper_questions(attempt)
    manual = manual_questions(questions)
    if not manual:
        raise InvalidTransition(_("This attempt has nothing to grade by hand."))
    before = audit.snapshot(attempt)
    rows = {row.question_id: row for row in attempt.answers.all()}
    for question in manual:
        mark = marks.get(question.pk) or marks.get(str(question.pk)) or {}
        row = rows.get(question.pk) or AttemptAnswer(attempt=attempt, question=question)
        criteria = list(question.rubric.all())
        if criteria:
            given = mark.get("rubric") or {}
            awards: dict[str, str] = {}
            for criterion in criteria:
                field = f"rubric_{question.pk}_{criterion.pk}"
                raw = given.get(criterion.pk, given.get(str(criterion.pk)))
                if raw in (None, ""):
                    raise ValidationFailed(
                        _("Give the points for “{criterion}”.").format(
                            criterion=criterion.display_text
                        ),
                        field=field,
                    )
                points = _decimal(raw, field)
                if not Decimal(0) <= points <= criterion.max_points:
                    raise ValidationFailed(
                        _("“{criterion}”: points must be between 0 and {max}.").format(
                            criterion=criterion.display_text, max=criterion.max_points
                        ),
                        field=field,
                    )
                awards[str(criterion.pk)] = str(points)
            row.rubric_awards = awards
            row.awarded = None
        else:
            field = f"points_{question.pk}"
            raw = mark.get("points")
            if raw in (None, ""):
                raise ValidationFailed(_("Give the points for this answer."), field=field)
            points = _decimal(raw, field)
            if not Decimal(0) <= points <= question.points:
                raise ValidationFailed(
                    _("Points must be between 0 and {max}.").format(max=question.points),
                    field=field,
                )
            row.awarded = points
        row.grader_comment = str(mark.get("comment") or "")[:500]
        row.save()
    attempt = Attempt.objects.select_related("exam__course", "enrolment").get(pk=attempt.pk)
    result = _grade(attempt, questions)
    _store_result(attempt, result)
    attempt.status = AttemptStatus.GRADED
    attempt.graded_by = actor
    attempt.graded_at = _now()
    attempt.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=attempt, before=before)
    services.enrolment_evaluate(actor=actor, enrolment=attempt.enrolment)
    return attempt
