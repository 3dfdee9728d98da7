"""A pulse survey of 10,000 responses summarised by team with the release rule.

Data: 10,000 anonymous responses to a 10-question survey (eNPS, eight agreement questions,
one comment) in one wave, over 200 teams under 8 departments; team sizes vary so that some
teams stay below the minimum group size of 5 and are withheld.

Figures (medians of RUNS runs):
- ``selectors_pulse.wave_results`` as HR: one grouped count query for every (team, band,
  question, value), the release plan (``pulse_scoring.plan_release``), figures per released
  team, the overall and the comment themes; baseline: a naive loop that, for each team, counts
  its responses and then reads its answers row by row to compute the same figures.

``OPSTEAM_BENCH_RESPONSES=1000`` gives a quick smoke run.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from typing import Any

RESPONSES = int(os.environ.get("OPSTEAM_BENCH_RESPONSES", "10000"))
TEAMS = 200
DEPARTMENTS = 8
RUNS = 3


def _setup() -> tuple[Any, Any, list[Any]]:
    from bench.orgdata import org_units
    from opsteam.accounts.models import RoleGrant, User
    from opsteam.surveys import services_pulse
    from opsteam.surveys.models_pulse import (
        PulseAnswer,
        PulseQuestion,
        PulseResponse,
        PulseSurvey,
        PulseSurveyQuestion,
        PulseWave,
    )

    rng = random.Random(8)
    _company, _departments, teams = org_units(DEPARTMENTS, TEAMS)
    hr = User.objects.create(username="bench-hr")
    RoleGrant.objects.create(user=hr, role="hr")
    services_pulse.library_seed()
    codes = [
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
    ]
    questions = [PulseQuestion.objects.get(code=code) for code in codes]
    survey = PulseSurvey.objects.create(
        name="bench", status="open", starts_on=dt.date(2026, 11, 2), audience_all=True
    )
    PulseSurveyQuestion.objects.bulk_create(
        PulseSurveyQuestion(survey=survey, question=q, order=i) for i, q in enumerate(questions)
    )
    wave = PulseWave.objects.create(
        survey=survey,
        number=1,
        opens_on=dt.date(2026, 11, 2),
        closes_on=dt.date(2026, 11, 8),
        invited=RESPONSES,
    )
    # uneven team sizes: every 10th team gets only a handful of responses
    weights = [0.08 if i % 10 == 0 else 1.0 for i in range(TEAMS)]
    responses = PulseResponse.objects.bulk_create(
        [
            PulseResponse(
                wave=wave,
                unit=rng.choices(teams, weights)[0],
                tenure_band=rng.choice(["lt1", "1to3", "gt3"]),
            )
            for _n in range(RESPONSES)
        ],
        batch_size=5000,
    )
    comments = ["加班太多，人手不够", "希望有更多培训", "系统太慢", "", "团队氛围很好"]
    answers = []
    for response in responses:
        for question in questions:
            if question.kind == "text":
                text = rng.choice(comments)
                if text:
                    answers.append(PulseAnswer(response=response, question=question, comment=text))
            elif question.kind == "enps":
                answers.append(
                    PulseAnswer(response=response, question=question, value=rng.randint(0, 10))
                )
            else:
                answers.append(
                    PulseAnswer(response=response, question=question, value=rng.randint(1, 5))
                )
    PulseAnswer.objects.bulk_create(answers, batch_size=5000)
    return hr, wave, teams


def _naive(wave: Any, teams: list[Any]) -> dict[int, Any]:
    """Per team: count its responses, then read its answers one by one."""
    from opsteam.surveys import pulse_scoring
    from opsteam.surveys.models_pulse import PulseAnswer, PulseResponse

    out = {}
    for team in teams:
        n = PulseResponse.objects.filter(wave=wave, unit=team).count()
        if n < 5:
            continue
        by_question: dict[int, list[int]] = {}
        kinds: dict[int, str] = {}
        for answer in PulseAnswer.objects.filter(
            response__wave=wave, response__unit=team, value__isnull=False
        ).select_related("question"):
            by_question.setdefault(answer.question_id, []).append(answer.value)
            kinds[answer.question_id] = answer.question.kind
        out[team.pk] = {
            q: pulse_scoring.enps(v).score
            if kinds[q] == "enps"
            else pulse_scoring.agreement(v).favourable
            for q, v in by_question.items()
        }
    return out


def run(backend: str) -> list[dict[str, Any]]:
    from opsteam.surveys import selectors_pulse

    hr, wave, teams = _setup()
    wave = type(wave).objects.select_related("survey").get(pk=wave.pk)
    fast, slow = [], []
    released = 0
    for _run in range(RUNS):
        hr = type(hr).objects.get(pk=hr.pk)
        start = time.perf_counter()
        result = selectors_pulse.wave_results(user=hr, wave=wave)
        fast.append(time.perf_counter() - start)
        released = len(result["teams"])
        start = time.perf_counter()
        _naive(wave, teams)
        slow.append(time.perf_counter() - start)
    return [
        {
            "name": f"pulse wave of {RESPONSES / 1000:g}k responses x 10 questions summarised "
            f"by team with the release rule ({released} of {TEAMS} teams released)",
            "value": statistics.median(fast),
            "unit": "s",
            "baseline": statistics.median(slow),
            "baseline_name": "naive per-team loop reading answers row by row",
            "runs": RUNS,
        }
    ]
