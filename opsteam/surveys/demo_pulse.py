"""Demo data of pulse surveys: the standard question library and a four-weekly engagement
pulse for everyone with two closed waves of simulated anonymous answers (trends, themes,
released and withheld teams) and an open wave the demo logins are invited to (idempotent;
audited as the system).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from opsteam.core import audit
from opsteam.core.choices import AuditSource
from opsteam.surveys import services_pulse
from opsteam.surveys.choices_pulse import PulseStatus, WaveStatus
from opsteam.surveys.models_pulse import (
    PulseAnswer,
    PulseParticipation,
    PulseQuestion,
    PulseResponse,
    PulseSurvey,
    PulseWave,
)

DEMO_SURVEY = "员工敬业度脉搏调查"
CODES = (
    "enps",
    "engagement-proud",
    "workload-manageable",
    "workload-balance",
    "manager-support",
    "growth-learning",
    "recognition-valued",
    "tools-enough",
    "team-collaboration",
    "comment-improve",
)
COMMENTS = (
    "大促期间加班太多，希望增加人手。",
    "希望有更多系统培训和晋升机会。",
    "后台报表太慢，经常卡顿，影响效率。",
    "组长沟通很及时，团队氛围很好。",
    "绩效奖金规则希望更透明一些。",
    "排班可以更合理，夜班后需要休息。",
    "The new ticket tool saves a lot of time.",
    "希望工作和家庭能更好地平衡。",
    "",
    "",
)


def load(seed: int = 7) -> dict[str, int]:
    """Load the pulse survey demo in one transaction (idempotent)."""
    from opsteam.accounts.models import User

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        created: Counter[str] = Counter()
        created["surveys.pulse_questions"] += services_pulse.library_seed()
        hr = User.objects.filter(username="hr").first()
        if hr is None or PulseSurvey.objects.filter(name=DEMO_SURVEY).exists():
            return {k: v for k, v in created.items() if v}
        created.update(_build(hr=hr, today=timezone.localdate(), rng=random.Random(seed)))  # noqa: S311 - demo data
        return {k: v for k, v in created.items() if v}


def _build(*, hr: Any, today: dt.date, rng: random.Random) -> Counter[str]:
    from opsteam.org.models import Staff

    created: Counter[str] = Counter()
    questions = {q.code: q for q in PulseQuestion.objects.filter(code__in=CODES)}
    survey = services_pulse.survey_create(
        actor=hr,
        name=DEMO_SURVEY,
        name_en="Employee engagement pulse",
        intro="每四周 10 道题，约 3 分钟。回答匿名，5 人以下的小组不单独展示。",
        questions=[questions[c] for c in CODES if c in questions],
        audience_all=True,
        starts_on=today - dt.timedelta(weeks=8),
        open_days=7,
        repeat_weeks=4,
        min_group_size=5,
        share_results=True,
    )
    created["surveys.pulse_surveys"] += 1
    staff = list(Staff.objects.exclude(status="left").only("pk", "unit_id", "hire_date"))
    # each team's mood, so that teams differ and the second wave shows a trend
    mood = {unit: rng.uniform(-0.8, 0.8) for unit in {s.unit_id for s in staff}}
    for number, weeks_ago in ((1, 8), (2, 4)):
        opens = today - dt.timedelta(weeks=weeks_ago)
        wave = PulseWave.objects.create(
            survey=survey,
            number=number,
            opens_on=opens,
            closes_on=opens + dt.timedelta(days=6),
            status=WaveStatus.CLOSED,
            invited=len(staff),
        )
        created["surveys.pulse_waves"] += 1
        parts, responses, answers = [], [], []
        lift = 0.25 * (number - 1)
        for person in staff:
            band = services_pulse.tenure_band(person.hire_date, opens)
            answered = rng.random() < 0.8
            parts.append(
                PulseParticipation(
                    wave=wave,
                    staff_id=person.pk,
                    unit_id=person.unit_id,
                    tenure_band=band,
                    responded=answered,
                )
            )
            if not answered:
                continue
            response = PulseResponse(wave=wave, unit_id=person.unit_id, tenure_band=band)
            responses.append(response)
            base = 3.6 + mood[person.unit_id] + lift
            for code in CODES:
                question = questions.get(code)
                if question is None:
                    continue
                if question.kind == "text":
                    comment = rng.choice(COMMENTS)
                    if comment:
                        answers.append(
                            PulseAnswer(response=response, question=question, comment=comment)
                        )
                elif question.kind == "enps":
                    value = min(10, max(0, round(rng.gauss(2 * base, 2))))
                    answers.append(PulseAnswer(response=response, question=question, value=value))
                else:
                    value = min(5, max(1, round(rng.gauss(base, 0.9))))
                    answers.append(PulseAnswer(response=response, question=question, value=value))
        PulseParticipation.objects.bulk_create(parts, batch_size=2000)
        PulseResponse.objects.bulk_create(responses, batch_size=2000)
        PulseAnswer.objects.bulk_create(answers, batch_size=2000)
        created["surveys.pulse_responses"] += len(responses)
    survey.status = PulseStatus.SCHEDULED
    survey.save(update_fields=["status", "updated_at"])
    services_pulse.wave_open(actor=hr, survey=survey, today=today)
    created["surveys.pulse_waves"] += 1
    return created
