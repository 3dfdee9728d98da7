"""Pulse survey lists and results run a fixed number of queries.

10 surveys (grown to 500) each with a wave, as many library questions, and as many anonymous
responses (with answers to an eNPS, an agreement and a comment question) in the measured
wave, spread over two teams (five each at 10 rows: released); pages and API lists as HR and as a team's manager.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from opsteam.core.tests.query_budgets import (
    SIZES,
    Endpoint,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)
from opsteam.surveys.models_pulse import (
    PulseAnswer,
    PulseQuestion,
    PulseResponse,
    PulseSurvey,
    PulseWave,
)

pytestmark = pytest.mark.django_db

BUDGET = 24


@dataclass
class Dataset:
    survey: Any
    wave: Any
    units: list
    questions: list
    made: int = 0

    def grow(self, size: int) -> None:
        new = range(self.made, size)
        surveys = PulseSurvey.objects.bulk_create(
            PulseSurvey(name=f"调查 {n}", status="closed", starts_on=dt.date(2025, 1, 1))
            for n in new
        )
        PulseWave.objects.bulk_create(
            PulseWave(
                survey=s,
                number=1,
                opens_on=dt.date(2025, 1, 1),
                closes_on=dt.date(2025, 1, 7),
                status="closed",
            )
            for s in surveys
        )
        PulseQuestion.objects.bulk_create(
            PulseQuestion(code=f"bq-{n}", theme="tools", kind="agree", text=f"问题 {n}")
            for n in new
        )
        responses = PulseResponse.objects.bulk_create(
            PulseResponse(wave=self.wave, unit=self.units[n % len(self.units)], tenure_band="gt3")
            for n in new
        )
        enps, agree, text = self.questions
        PulseAnswer.objects.bulk_create(
            answer
            for n, response in enumerate(responses)
            for answer in (
                PulseAnswer(response=response, question=enps, value=n % 11),
                PulseAnswer(response=response, question=agree, value=1 + n % 5),
                PulseAnswer(response=response, question=text, comment=f"加班太多 {n}"),
            )
        )
        self.made = max(self.made, size)


def _survey(data: Dataset) -> int:
    return data.survey.pk


ENDPOINTS: dict[str, Endpoint] = {
    "page pulse list": Endpoint("surveys:pulse_list"),
    "page pulse library": Endpoint("surveys:pulse_library"),
    "page pulse results hr": Endpoint("surveys:pulse_results", kwargs={"pk": _survey}),
    "page pulse results manager": Endpoint(
        "surveys:pulse_results", kwargs={"pk": _survey}, login="manager"
    ),
    "page pulse results band": Endpoint(
        "surveys:pulse_results", {"band": "gt3"}, kwargs={"pk": _survey}
    ),
    "api pulse surveys": Endpoint("survey-pulse-list", {"page_size": 500}, rows="api"),
    "api pulse questions": Endpoint("survey-pulse-question-list"),
    "api pulse waves": Endpoint("survey-pulse-wave-list"),
    "api pulse results": Endpoint("survey-pulse-results", kwargs={"pk": _survey}),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build() -> dict:
        from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
        from opsteam.org.tests.factories import OrgUnitFactory
        from opsteam.surveys import services_pulse

        root = OrgUnitFactory(code="QB-PULSE", name="运营部")
        units = [OrgUnitFactory(code=f"QB-P{i}", name=f"组 {i}", parent=root) for i in range(2)]
        hr = UserFactory(username="pulse-budget-hr")
        RoleGrantFactory(user=hr, role="hr")
        manager = UserFactory(username="pulse-budget-manager")
        RoleGrantFactory(user=manager, role="manager", unit=units[0])
        services_pulse.library_seed()
        codes = ["enps", "workload-manageable", "comment-improve"]
        questions = [PulseQuestion.objects.get(code=c) for c in codes]
        survey = services_pulse.survey_create(
            actor=hr,
            name="预算调查",
            questions=questions,
            units=[root],
            starts_on=dt.date(2026, 11, 2),
        )
        services_pulse.survey_schedule(actor=hr, survey=survey, today=dt.date(2026, 11, 2))
        data = Dataset(survey, survey.waves.get(), units, questions)
        clients = {"hr": logged_in_client(hr), "manager": logged_in_client(manager)}
        return measure(ENDPOINTS, clients=clients, data=data, grow=data.grow)

    return measured_in_rollback(django_db_blocker, build)


@pytest.mark.parametrize(
    ("name", "size"),
    [pytest.param(name, size, id=f"{name}-{size}") for name in ENDPOINTS for size in SIZES],
)
def test_endpoint_stays_within_the_query_budget(measured, name, size):
    assert_within_budget(measured, ENDPOINTS, name, size, BUDGET)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_does_not_grow_with_rows(measured, name):
    assert_constant(measured, name)
