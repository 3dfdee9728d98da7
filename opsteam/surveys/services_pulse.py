"""Writes of pulse surveys: the question library, surveys, waves (scheduling) and responses.

A response is written as two unlinked rows: the person's participation is marked responded
(audited: it concerns them), and an anonymous ``PulseResponse`` with its answers is created
carrying only the wave, the team and the tenure band (never audited with its content: an
audit entry naming the actor next to the answers would undo the anonymity).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, ValidationFailed
from opsteam.surveys.anonymity import MINIMUM_THRESHOLD
from opsteam.surveys.choices_pulse import PulseQuestionKind, PulseStatus, TenureBand, WaveStatus
from opsteam.surveys.models_pulse import (
    PulseAnswer,
    PulseParticipation,
    PulseQuestion,
    PulseResponse,
    PulseSurvey,
    PulseSurveyQuestion,
    PulseWave,
)

MAX_COMMENT = 2000
MAX_QUESTIONS = 40

# The standard library: (code, theme, kind, Chinese, English).
STANDARD_QUESTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "enps",
        "engagement",
        "enps",
        "你有多大可能向朋友推荐来我们公司工作？",
        "How likely are you to recommend working here to a friend?",
    ),
    (
        "engagement-proud",
        "engagement",
        "agree",
        "我为在这里工作感到自豪。",
        "I am proud to work here.",
    ),
    (
        "engagement-stay",
        "engagement",
        "agree",
        "我打算一年后仍在这里工作。",
        "I see myself still working here in a year.",
    ),
    (
        "workload-manageable",
        "workload",
        "agree",
        "我的工作量是可以承受的。",
        "My workload is manageable.",
    ),
    (
        "workload-balance",
        "workload",
        "agree",
        "我能兼顾工作与个人生活。",
        "I can balance work and personal life.",
    ),
    (
        "manager-support",
        "manager",
        "agree",
        "我的直属上级关心我、支持我的工作。",
        "My manager cares about me and supports my work.",
    ),
    (
        "manager-feedback",
        "manager",
        "agree",
        "我定期得到有用的反馈。",
        "I receive useful feedback regularly.",
    ),
    (
        "growth-learning",
        "growth",
        "agree",
        "在这里我能学到新技能、不断成长。",
        "I am learning and growing here.",
    ),
    (
        "growth-career",
        "growth",
        "agree",
        "我清楚自己在公司的职业发展路径。",
        "I understand my career path here.",
    ),
    (
        "recognition-valued",
        "recognition",
        "agree",
        "我的付出得到了认可。",
        "My contributions are recognised.",
    ),
    (
        "wellbeing-energy",
        "wellbeing",
        "agree",
        "最近我精力充沛、状态良好。",
        "Lately I have felt energetic and well.",
    ),
    (
        "tools-enough",
        "tools",
        "agree",
        "我拥有完成工作所需的工具和系统。",
        "I have the tools and systems I need to do my job.",
    ),
    (
        "team-collaboration",
        "team",
        "agree",
        "团队成员之间协作顺畅。",
        "People in my team work well together.",
    ),
    (
        "comment-improve",
        "engagement",
        "text",
        "有什么能让你在这里工作得更好？",
        "What would make working here better for you?",
    ),
)


def library_seed(*, actor: Any = None) -> int:
    """Add the standard questions that are missing (idempotent); returns how many were added."""
    existing = set(PulseQuestion.objects.values_list("code", flat=True))
    added = 0
    with transaction.atomic():
        for code, theme, kind, text, text_en in STANDARD_QUESTIONS:
            if code in existing:
                continue
            question = PulseQuestion(
                code=code, theme=theme, kind=kind, text=text, text_en=text_en, is_standard=True
            )
            question.save()
            audit.record(actor=actor, action=AuditAction.CREATE, obj=question)
            added += 1
    return added


QUESTION_FIELDS = ("code", "theme", "kind", "text", "text_en", "is_active")


@transaction.atomic
def question_create(*, actor: Any, **data: Any) -> PulseQuestion:
    """Add a question to the library. Audit: create."""
    policy.require(actor, "add", PulseQuestion)
    question = PulseQuestion(**{k: v for k, v in data.items() if k in QUESTION_FIELDS})
    if not question.text.strip():
        raise ValidationFailed(_("Write the question."), field="text")
    if PulseQuestion.objects.filter(code=question.code).exists():
        raise ValidationFailed(_("A question with this code exists."), field="code")
    question.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=question)
    return question


@transaction.atomic
def question_update(*, actor: Any, question: PulseQuestion, **data: Any) -> PulseQuestion:
    """Change the wording or retire a question; its kind is fixed once a survey uses it."""
    policy.require(actor, "change", question)
    before = audit.snapshot(question)
    used = PulseSurveyQuestion.objects.filter(question=question).exists()
    for key in ("text", "text_en", "is_active", "theme"):
        if key in data:
            setattr(question, key, data[key])
    if "kind" in data and data["kind"] != question.kind:
        if used:
            raise ValidationFailed(_("A question in use keeps its kind."), field="kind")
        question.kind = data["kind"]
    question.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=question, before=before)
    return question


SURVEY_FIELDS = (
    "name",
    "name_en",
    "intro",
    "audience_all",
    "starts_on",
    "open_days",
    "repeat_weeks",
    "min_group_size",
    "share_results",
)


def _clean_survey(survey: PulseSurvey, questions: list[PulseQuestion], units: list[Any]) -> None:
    if not (survey.name or "").strip():
        raise ValidationFailed(_("Give the survey a name."), field="name")
    if survey.min_group_size is None or int(survey.min_group_size) < MINIMUM_THRESHOLD:
        raise ValidationFailed(
            _("The minimum group size is at least %(n)s.") % {"n": MINIMUM_THRESHOLD},
            field="min_group_size",
        )
    if int(survey.min_group_size) > 50:
        raise ValidationFailed(_("The minimum group size is at most 50."), field="min_group_size")
    if not 1 <= int(survey.open_days) <= 60:
        raise ValidationFailed(_("A wave stays open 1 to 60 days."), field="open_days")
    if not 0 <= int(survey.repeat_weeks) <= 52:
        raise ValidationFailed(_("Repeat every 0 to 52 weeks."), field="repeat_weeks")
    if survey.repeat_weeks and survey.repeat_weeks * 7 < survey.open_days:
        raise ValidationFailed(_("A wave must close before the next one opens."), field="open_days")
    if not questions:
        raise ValidationFailed(_("Pick at least one question."), field="questions")
    if len(questions) > MAX_QUESTIONS:
        raise ValidationFailed(_("Pick at most 40 questions."), field="questions")
    if not survey.audience_all and not units:
        raise ValidationFailed(_("Choose the teams to ask, or everyone."), field="units")


def _set_relations(survey: PulseSurvey, questions: list[PulseQuestion], units: list[Any]) -> None:
    PulseSurveyQuestion.objects.filter(survey=survey).delete()
    PulseSurveyQuestion.objects.bulk_create(
        PulseSurveyQuestion(survey=survey, question=q, order=i) for i, q in enumerate(questions)
    )
    survey.audience_units.set([] if survey.audience_all else units)


@transaction.atomic
def survey_create(
    *, actor: Any, questions: Iterable[PulseQuestion], units: Iterable[Any] = (), **data: Any
) -> PulseSurvey:
    """Create a draft survey. Audit: create."""
    policy.require(actor, "add", PulseSurvey)
    questions, units = list(questions), list(units)
    survey = PulseSurvey(created_by=actor, **{k: v for k, v in data.items() if k in SURVEY_FIELDS})
    _clean_survey(survey, questions, units)
    survey.save()
    _set_relations(survey, questions, units)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=survey,
        after=audit.snapshot(survey)
        | {"questions": [q.pk for q in questions], "units": [u.pk for u in units]},
    )
    return survey


@transaction.atomic
def survey_update(
    *,
    actor: Any,
    survey: PulseSurvey,
    questions: Iterable[PulseQuestion] | None = None,
    units: Iterable[Any] | None = None,
    **data: Any,
) -> PulseSurvey:
    """Change a survey. Questions and audience are fixed once a wave has opened."""
    policy.require(actor, "change", survey)
    if survey.status == PulseStatus.CLOSED:
        raise InvalidTransition(_("A closed survey cannot be changed."))
    started = survey.waves.exists()
    before = audit.snapshot(survey)
    for key, value in data.items():
        if key in SURVEY_FIELDS:
            setattr(survey, key, value)
    current_q = survey_questions(survey)
    q_list = current_q if questions is None else list(questions)
    u_list = list(survey.audience_units.all()) if units is None else list(units)
    changed_q = [q.pk for q in q_list] != [q.pk for q in current_q]
    if started and (changed_q or units is not None or "audience_all" in data):
        raise InvalidTransition(_("Questions and audience are fixed once a wave has opened."))
    _clean_survey(survey, q_list, u_list)
    survey.save()
    if not started:
        _set_relations(survey, q_list, u_list)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=survey, before=before)
    return survey


def survey_questions(survey: PulseSurvey) -> list[PulseQuestion]:
    return [
        item.question
        for item in PulseSurveyQuestion.objects.filter(survey=survey).select_related("question")
    ]


def _audience(survey: PulseSurvey) -> list[Any]:
    from opsteam.org.models import Staff

    people = Staff.objects.exclude(status="left").filter(user__isnull=False, user__is_active=True)
    if not survey.audience_all:
        paths = list(survey.audience_units.values_list("path", flat=True))
        if not paths:
            return []
        subtree = Q()
        for path in paths:
            subtree |= Q(unit__path__startswith=path)
        people = people.filter(subtree)
    return list(people.only("pk", "unit_id", "hire_date", "user_id"))


def tenure_band(hire_date: dt.date | None, on: dt.date) -> str:
    if hire_date is None:
        return TenureBand.UNDER_1
    years = (on - hire_date).days / 365.25
    if years < 1:
        return TenureBand.UNDER_1
    return TenureBand.ONE_TO_3 if years < 3 else TenureBand.OVER_3


@transaction.atomic
def survey_schedule(*, actor: Any, survey: PulseSurvey, today: dt.date) -> PulseSurvey:
    """Draft -> scheduled; the first wave opens at once when its day has come. Audit: update."""
    policy.require(actor, "change", survey)
    if survey.status != PulseStatus.DRAFT:
        raise InvalidTransition(_("Only a draft can be scheduled."))
    before = audit.snapshot(survey)
    survey.status = PulseStatus.SCHEDULED
    survey.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=survey, before=before)
    if survey.starts_on <= today:
        _open_wave(actor=actor, survey=survey, today=today)
    return survey


@transaction.atomic
def wave_open(*, actor: Any, survey: PulseSurvey, today: dt.date) -> PulseWave:
    """Open the next wave now: invite the audience (a participation each) and notify them."""
    policy.require(actor, "change", survey)
    return _open_wave(actor=actor, survey=survey, today=today)


def _open_wave(*, actor: Any, survey: PulseSurvey, today: dt.date) -> PulseWave:
    if survey.status not in (PulseStatus.SCHEDULED, PulseStatus.OPEN):
        raise InvalidTransition(_("Schedule the survey first."))
    if survey.waves.filter(status=WaveStatus.OPEN).exists():
        raise InvalidTransition(_("A wave of this survey is already open."))
    number = (survey.waves.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    people = _audience(survey)
    wave = PulseWave.objects.create(
        survey=survey,
        number=number,
        opens_on=today,
        closes_on=today + dt.timedelta(days=survey.open_days - 1),
        invited=len(people),
    )
    PulseParticipation.objects.bulk_create(
        (
            PulseParticipation(
                wave=wave,
                staff_id=person.pk,
                unit_id=person.unit_id,
                tenure_band=tenure_band(person.hire_date, today),
            )
            for person in people
        ),
        batch_size=2000,
    )
    before = audit.snapshot(survey)
    survey.status = PulseStatus.OPEN
    survey.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.CREATE, obj=wave)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=survey, before=before)
    user_ids = [person.user_id for person in people]
    transaction.on_commit(lambda: _notify_open(wave, user_ids, actor))
    return wave


def _by_language(user_ids: list[int]) -> dict[str, list[int]]:
    from opsteam.accounts.models import User
    from opsteam.collab.reminders import language_of

    groups: dict[str, list[int]] = defaultdict(list)
    for pk, language in User.objects.filter(pk__in=user_ids).values_list("pk", "language"):
        groups[language_of(language)].append(pk)
    return groups


def _notify_open(wave: PulseWave, user_ids: list[int], actor: Any) -> None:
    from opsteam.collab import services as collab

    url = reverse("surveys:pulse_respond", args=[wave.pk])
    for language, ids in _by_language(user_ids).items():
        with translation.override(language):
            collab.notify(
                recipients=ids,
                kind="survey",
                title=_("Pulse survey: %(name)s") % {"name": wave.survey.display_name},
                body=_("Your answers are anonymous. Open until %(date)s.")
                % {"date": wave.closes_on.isoformat()},
                url=url,
                actor=actor,
            )


@transaction.atomic
def wave_close(*, actor: Any, wave: PulseWave) -> PulseWave:
    """Close an open wave; a one-off survey closes with it, a recurring one waits for the next."""
    policy.require(actor, "change", wave.survey)
    return _close_wave(actor=actor, wave=wave)


def _close_wave(*, actor: Any, wave: PulseWave) -> PulseWave:
    if wave.status != WaveStatus.OPEN:
        raise InvalidTransition(_("This wave is already closed."))
    before = audit.snapshot(wave)
    wave.status = WaveStatus.CLOSED
    wave.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=wave, before=before)
    survey = wave.survey
    before = audit.snapshot(survey)
    survey.status = PulseStatus.SCHEDULED if survey.is_recurring else PulseStatus.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=survey, before=before)
    return wave


@transaction.atomic
def survey_close(*, actor: Any, survey: PulseSurvey) -> PulseSurvey:
    """Stop a survey for good: the open wave closes and no further wave opens."""
    policy.require(actor, "change", survey)
    if survey.status in (PulseStatus.CLOSED, PulseStatus.DRAFT):
        raise InvalidTransition(_("Only a scheduled or open survey can be closed."))
    for wave in survey.waves.filter(status=WaveStatus.OPEN):
        _close_wave(actor=actor, wave=wave)
    survey.refresh_from_db()
    before = audit.snapshot(survey)
    survey.status = PulseStatus.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=survey, before=before)
    return survey


def schedule_tick(*, today: dt.date) -> dict[str, int]:
    """Close waves past their last day; open first and recurring waves that are due.
    Idempotent (run hourly from the reminders scan and by ``surveys.pulse_tick``)."""
    counts = {"closed": 0, "opened": 0}
    with audit.context(source="job"):
        for wave in PulseWave.objects.filter(status=WaveStatus.OPEN, closes_on__lt=today):
            with transaction.atomic():
                _close_wave(actor=None, wave=wave)
            counts["closed"] += 1
        for survey in PulseSurvey.objects.filter(
            status=PulseStatus.SCHEDULED, starts_on__lte=today
        ):
            last = survey.waves.order_by("-number").first()
            due = last is None or (
                survey.is_recurring
                and last.opens_on + dt.timedelta(weeks=survey.repeat_weeks) <= today
            )
            if due:
                with transaction.atomic():
                    _open_wave(actor=None, survey=survey, today=today)
                counts["opened"] += 1
    return counts


def _clean_answers(
    questions: list[PulseQuestion], answers: Mapping[Any, Any]
) -> list[tuple[PulseQuestion, int | None, str]]:
    rows = []
    for question in questions:
        raw = answers.get(question.pk, answers.get(str(question.pk)))
        if question.kind == PulseQuestionKind.TEXT:
            text = "" if raw is None else str(raw).strip()
            if len(text) > MAX_COMMENT:
                raise ValidationFailed(
                    _("A comment is at most 2000 characters."), field=f"q{question.pk}"
                )
            if text:
                rows.append((question, None, text))
            continue
        low, high = (0, 10) if question.kind == PulseQuestionKind.ENPS else (1, 5)
        if raw is None or raw == "":
            raise ValidationFailed(_("Answer every rating question."), field=f"q{question.pk}")
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationFailed(
                _("Choose one of the answers."), field=f"q{question.pk}"
            ) from None
        if isinstance(raw, bool) or not low <= value <= high:
            raise ValidationFailed(_("Choose one of the answers."), field=f"q{question.pk}")
        rows.append((question, value, ""))
    return rows


@transaction.atomic
def response_submit(*, actor: Any, wave: PulseWave, answers: Mapping[Any, Any]) -> None:
    """Record the actor's anonymous response to ``wave`` (once; not editable afterwards).

    ``answers`` maps question ids to a value (ratings) or text (comments). The participation
    is marked responded and audited; the answers go to an unlinked ``PulseResponse``.
    """
    participation = (
        PulseParticipation.objects.select_for_update().filter(wave=wave, staff__user=actor).first()
    )
    if participation is None:  # only one's own participation: the lookup is the check
        raise ValidationFailed(_("You are not invited to this survey."))
    if wave.status != WaveStatus.OPEN:
        raise InvalidTransition(_("This survey is closed."))
    if participation.responded:
        raise InvalidTransition(_("You have already responded to this survey."))
    rows = _clean_answers(survey_questions(wave.survey), answers)
    updated = PulseParticipation.objects.filter(pk=participation.pk, responded=False).update(
        responded=True
    )
    if not updated:
        raise InvalidTransition(_("You have already responded to this survey."))
    try:
        response = PulseResponse.objects.create(
            wave=wave, unit_id=participation.unit_id, tenure_band=participation.tenure_band
        )
    except IntegrityError as exc:  # pragma: no cover - the wave was deleted meanwhile
        raise InvalidTransition() from exc
    PulseAnswer.objects.bulk_create(
        PulseAnswer(response=response, question=q, value=v, comment=c) for q, v, c in rows
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=participation,
        before={"responded": False},
        after={"responded": True},
        note="pulse response (answers anonymous, not recorded here)",
    )
