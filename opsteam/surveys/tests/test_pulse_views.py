"""Pulse survey pages and API as people use them: create, answer, read results."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opsteam.surveys.models_pulse import PulseResponse, PulseSurvey
from opsteam.surveys.tests.pulse_support import TODAY, answer, launch, library, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(user_as, org_tree):
    return user_as("hr", unit=org_tree.d2, username="pulse-hr")


@pytest.fixture
def answered(hr, org_tree):
    big = people(org_tree.t1, 5, "big")
    small = people(org_tree.t2, 2, "small")
    survey, wave = launch(hr, [org_tree.t1, org_tree.t2])
    for user in big:
        answer(user, wave, enps=10, agree=5, comment="培训机会多")
    for user in small:
        answer(user, wave, enps=0, agree=1, comment="小组的秘密意见")
    return survey, wave


def test_hr_creates_a_survey_with_inline_errors_first(client, hr, org_tree):
    questions = library()
    client.force_login(hr)
    url = reverse("surveys:pulse_create")
    data = {
        "name": "季度敬业度",
        "questions": [questions["enps"].pk],
        "starts_on": "2026-12-01",
        "open_days": 7,
        "repeat_weeks": 4,
        "min_group_size": 2,
        "units": [org_tree.t1.pk],
    }
    page = client.post(url, data)
    assert page.status_code == 400
    assert "min_group_size" in page.content.decode()
    assert not PulseSurvey.objects.exists()
    data["min_group_size"] = 5
    response = client.post(url, data)
    assert response.status_code == 302
    survey = PulseSurvey.objects.get()
    assert (survey.status, survey.repeat_weeks, survey.min_group_size) == ("draft", 4, 5)


def test_an_invited_person_answers_once_anonymously(client, hr, org_tree):
    [user] = people(org_tree.t1, 1, "p")
    _survey, wave = launch(hr, [org_tree.t1])
    questions = {q.code: q for q in library().values()}
    client.force_login(user)
    url = reverse("surveys:pulse_respond", args=[wave.pk])
    assert "pulse-form" in client.get(url).content.decode()
    missing = client.post(url, {f"q{questions['enps'].pk}": "9"})
    assert missing.status_code == 400
    data = {
        f"q{questions['enps'].pk}": "9",
        f"q{questions['workload-manageable'].pk}": "4",
        f"q{questions['manager-support'].pk}": "5",
        f"q{questions['comment-improve'].pk}": "多一些培训",
    }
    assert client.post(url, data).status_code == 302
    assert "pulse-done" in client.get(url).content.decode()
    assert client.post(url, data).status_code == 400
    assert PulseResponse.objects.count() == 1


def test_results_page_hides_the_small_team(client, hr, answered, org_tree):
    survey, _wave = answered
    client.force_login(hr)
    page = client.get(reverse("surveys:pulse_results", args=[survey.pk])).content.decode()
    assert f'data-unit="{org_tree.t1.pk}"' in page
    assert f'data-withheld="{org_tree.t2.pk}"' in page
    assert f'data-unit="{org_tree.t2.pk}"' not in page
    assert "小组的秘密意见" not in page
    assert 'id="pulse-enps"' in page


def test_api_results_hold_only_released_teams(hr, answered, org_tree):
    from rest_framework.test import APIClient

    survey, _wave = answered
    api = APIClient()
    api.force_authenticate(hr)
    body = api.get(reverse("survey-pulse-results", args=[survey.pk])).json()
    assert [t["unit_id"] for t in body["teams"]] == [org_tree.t1.pk]
    assert body["teams"][0]["enps"] == 100
    assert [w["unit_id"] for w in body["withheld"]] == [org_tree.t2.pk]
    assert body["overall"] is None  # 7 - 5 would reveal the two answers of T2
    assert "小组的秘密意见" not in str(body)


def test_api_respond_validates_strictly(hr, org_tree):
    from rest_framework.test import APIClient

    [user] = people(org_tree.t1, 1, "api")
    _survey, wave = launch(hr, [org_tree.t1], codes=["enps"])
    enps = library()["enps"]
    api = APIClient()
    api.force_authenticate(user)
    url = reverse("survey-pulse-wave-respond", args=[wave.pk])
    for bad in (
        {"answers": [{"question": enps.pk, "value": 11}]},
        {"answers": [{"question": 2**70, "value": 1}]},
        {"answers": "x"},
        {"answers": [{"question": enps.pk, "value": "nine"}]},
    ):
        assert api.post(url, bad, format="json").status_code == 400
    ok = api.post(url, {"answers": [{"question": enps.pk, "value": 9}]}, format="json")
    assert ok.status_code == 201
    again = api.post(url, {"answers": [{"question": enps.pk, "value": 9}]}, format="json")
    assert again.status_code == 409  # already responded: a conflict, nothing changes
    waves = api.get(reverse("survey-pulse-wave-list")).json()["results"]
    assert waves[0]["responded"] is True


def test_api_creates_and_schedules_a_survey(hr, org_tree):
    from rest_framework.test import APIClient

    people(org_tree.t1, 2, "s")
    questions = library()
    api = APIClient()
    api.force_authenticate(hr)
    bad = api.post(
        reverse("survey-pulse-list"),
        {
            "name": "x",
            "question_ids": [questions["enps"].pk],
            "starts_on": "2026-11-02",
            "unit_ids": [org_tree.t1.pk],
            "min_group_size": 2,
            "status": "open",
        },
        format="json",
    )
    assert bad.status_code == 400
    created = api.post(
        reverse("survey-pulse-list"),
        {
            "name": "x",
            "question_ids": [questions["enps"].pk],
            "starts_on": str(TODAY),
            "unit_ids": [org_tree.t1.pk],
            "status": "open",
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["status"] == "draft"  # status is not writable
    scheduled = api.post(reverse("survey-pulse-schedule", args=[created.json()["id"]]))
    assert scheduled.json()["status"] in ("scheduled", "open")
