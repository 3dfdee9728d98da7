"""Helpers of the pulse tests: people with logins in a team, a launched survey, answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
from opsteam.org.tests.factories import StaffFactory
from opsteam.surveys import services_pulse
from opsteam.surveys.models_pulse import PulseQuestion

TODAY = dt.date(2026, 11, 2)


def people(unit: Any, n: int, prefix: str) -> list[Any]:
    """``n`` operators with logins in ``unit``."""
    users = []
    for i in range(n):
        user = UserFactory(username=f"{prefix}{i}")
        RoleGrantFactory(user=user, role="operator")
        StaffFactory(user=user, unit=unit)
        users.append(user)
    return users


def library() -> dict[str, PulseQuestion]:
    services_pulse.library_seed()
    return {q.code: q for q in PulseQuestion.objects.all()}


def launch(actor: Any, units: list[Any], *, codes=None, today=TODAY, **extra: Any):
    """A survey of ``units`` scheduled and opened today; returns (survey, wave)."""
    questions = library()
    codes = codes or ["enps", "workload-manageable", "manager-support", "comment-improve"]
    survey = services_pulse.survey_create(
        actor=actor,
        name=extra.pop("name", "十一月脉搏调查"),
        name_en="November pulse",
        questions=[questions[c] for c in codes],
        units=units,
        starts_on=today,
        **extra,
    )
    services_pulse.survey_schedule(actor=actor, survey=survey, today=today)
    return survey, survey.waves.get()


def answer(user: Any, wave: Any, *, enps=9, agree=4, comment="") -> None:
    answers = {}
    for item in wave.survey.items.select_related("question"):
        q = item.question
        answers[q.pk] = comment if q.kind == "text" else (enps if q.kind == "enps" else agree)
    services_pulse.response_submit(actor=user, wave=wave, answers=answers)
