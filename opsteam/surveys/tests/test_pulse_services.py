"""Pulse survey services and selectors: scheduling, anonymous responses, release by team."""

from __future__ import annotations

import datetime as dt

import pytest

from opsteam.collab.models import Notification
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.surveys import reminders, selectors_pulse, services_pulse
from opsteam.surveys.models_pulse import (
    PulseAnswer,
    PulseParticipation,
    PulseResponse,
    PulseSurvey,
    PulseWave,
)
from opsteam.surveys.tests.pulse_support import TODAY, answer, launch, library, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(user_as, org_tree):
    return user_as("hr", unit=org_tree.d2, username="pulse-hr")


@pytest.fixture
def survey_two_teams(hr, org_tree, django_capture_on_commit_callbacks):
    big = people(org_tree.t1, 6, "big")
    small = people(org_tree.t2, 3, "small")
    with django_capture_on_commit_callbacks(execute=True):
        survey, wave = launch(hr, [org_tree.t1, org_tree.t2])
    for i, user in enumerate(big):
        answer(user, wave, enps=[10, 9, 9, 7, 3, 10][i], agree=4, comment="加班太多，人手不够")
    for user in small:
        answer(user, wave, enps=0, agree=1, comment="我的组长从不沟通")
    return survey, wave, big, small


def test_library_seed_is_idempotent_and_includes_enps():
    first = services_pulse.library_seed()
    assert first >= 10
    assert services_pulse.library_seed() == 0
    assert library()["enps"].kind == "enps"


def test_minimum_group_below_three_is_refused(hr, org_tree):
    questions = library()
    with pytest.raises(ValidationFailed) as error:
        services_pulse.survey_create(
            actor=hr,
            name="x",
            questions=[questions["enps"]],
            units=[org_tree.t1],
            starts_on=TODAY,
            min_group_size=2,
        )
    assert error.value.field == "min_group_size"


def test_operators_cannot_create_surveys(user_as, org_tree):
    with pytest.raises(PolicyDenied):
        services_pulse.survey_create(
            actor=user_as("operator"), name="x", questions=[], units=[org_tree.t1], starts_on=TODAY
        )


def test_opening_invites_the_audience_and_notifies_them(hr, org_tree, survey_two_teams):
    survey, wave, big, small = survey_two_teams
    assert survey.status == "draft" or PulseSurvey.objects.get(pk=survey.pk).status == "open"
    assert wave.invited == 9
    assert Notification.objects.filter(kind="survey", recipient__in=big + small).count() == 9


def test_a_response_is_not_linkable_to_its_respondent(survey_two_teams):
    _survey, wave, _big, _small = survey_two_teams
    fields = {f.name for f in PulseResponse._meta.get_fields()}
    assert fields == {"id", "wave", "unit", "tenure_band", "answers"}
    assert {f.name for f in PulseAnswer._meta.get_fields()} == {
        "id",
        "response",
        "question",
        "value",
        "comment",
    }
    assert PulseParticipation.objects.filter(wave=wave, responded=True).count() == 9
    # the audit trail records that the person responded, never what they answered
    entries = AuditEntry.objects.filter(object_type="surveys.pulseparticipation")
    assert entries.count() == 9
    for entry in entries:
        assert entry.after == {"responded": True}


def test_each_person_answers_once_and_only_when_invited(survey_two_teams, user_as, org_tree):
    _survey, wave, big, _small = survey_two_teams
    with pytest.raises(InvalidTransition):
        answer(big[0], wave)
    outsider = user_as("operator", unit=org_tree.t3)
    with pytest.raises(ValidationFailed):
        answer(outsider, wave)
    assert PulseResponse.objects.filter(wave=wave).count() == 9


def test_bad_answers_are_refused_and_nothing_is_stored(hr, org_tree):
    [user] = people(org_tree.t3, 1, "solo")
    _survey, wave = launch(hr, [org_tree.t3])
    enps = library()["enps"]
    for bad in ({enps.pk: 11}, {enps.pk: "x"}, {}, {enps.pk: True}):
        with pytest.raises(ValidationFailed):
            services_pulse.response_submit(actor=user, wave=wave, answers=bad)
    assert not PulseResponse.objects.exists()
    assert not PulseParticipation.objects.filter(responded=True).exists()


def test_hr_sees_the_big_team_and_not_the_small_one(hr, survey_two_teams, org_tree):
    _survey, wave, _big, _small = survey_two_teams
    result = selectors_pulse.wave_results(user=hr, wave=wave)
    assert [t["unit_id"] for t in result["teams"]] == [org_tree.t1.pk]
    team = result["teams"][0]
    assert team["responses"] == 6
    assert team["enps"] == 50  # 4 promoters, 1 passive, 1 detractor of 6
    assert [w["unit_id"] for w in result["withheld"]] == [org_tree.t2.pk]
    # the overall would reveal the small team by subtraction (9 - 6 = 3 < 5): withheld
    assert result["overall"] is None or result["overall"]["responses"] == 6
    assert "我的组长从不沟通" not in result["comments"]


def test_manager_of_the_department_sees_only_released_teams(survey_two_teams, user_as, org_tree):
    _survey, wave, _big, _small = survey_two_teams
    director = user_as("manager", unit=org_tree.d1)
    result = selectors_pulse.wave_results(user=director, wave=wave)
    assert [t["unit_id"] for t in result["teams"]] == [org_tree.t1.pk]
    assert result["overall"]["responses"] == 6  # released teams only: never 9
    sibling_lead = user_as("manager", unit=org_tree.t2)
    result = selectors_pulse.wave_results(user=sibling_lead, wave=wave)
    assert result["teams"] == []
    assert result["overall"] is None


def test_operators_see_company_figures_only_when_shared(survey_two_teams, user_as, org_tree):
    survey, wave, _big, _small = survey_two_teams
    operator = user_as("operator", unit=org_tree.t1)
    with pytest.raises(PolicyDenied):
        selectors_pulse.wave_results(user=operator, wave=wave)
    PulseSurvey.objects.filter(pk=survey.pk).update(share_results=True)
    wave = PulseWave.objects.select_related("survey").get(pk=wave.pk)
    result = selectors_pulse.wave_results(user=operator, wave=wave)
    assert result["teams"] == []
    assert result["withheld"] == []


def test_a_tenure_filter_never_shows_a_small_cell(hr, survey_two_teams):
    _survey, wave, _big, _small = survey_two_teams
    for band in ("lt1", "1to3", "gt3"):
        result = selectors_pulse.wave_results(user=hr, wave=wave, band=band)
        for team in result["teams"]:
            assert team["responses"] >= 5


def test_comment_themes_come_from_released_groups(hr, org_tree, django_capture_on_commit_callbacks):
    teams = [people(org_tree.t1, 5, "a"), people(org_tree.t2, 5, "b")]
    _survey, wave = launch(hr, [org_tree.d1])
    for user in teams[0]:
        answer(user, wave, comment="加班太多")
    for user in teams[1]:
        answer(user, wave, comment="希望有更多培训")
    result = selectors_pulse.wave_results(user=hr, wave=wave)
    assert result["overall"]["responses"] == 10
    themes = {row["theme"]: row["comments"] for row in result["comment_themes"]}
    assert themes == {"workload": 5, "growth": 5}


def test_schedule_tick_closes_and_reopens_recurring_waves(hr, org_tree):
    people(org_tree.t1, 2, "r")
    survey, _wave = launch(hr, [org_tree.t1], repeat_weeks=2, open_days=5)
    assert services_pulse.schedule_tick(today=TODAY + dt.timedelta(days=5)) == {
        "closed": 1,
        "opened": 0,
    }
    survey.refresh_from_db()
    assert survey.status == "scheduled"
    assert services_pulse.schedule_tick(today=TODAY + dt.timedelta(days=14))["opened"] == 1
    assert survey.waves.count() == 2
    assert services_pulse.schedule_tick(today=TODAY + dt.timedelta(days=14))["opened"] == 0


def test_reminders_go_once_to_people_who_have_not_answered(hr, org_tree):
    users = people(org_tree.t1, 3, "rem")
    _survey, wave = launch(hr, [org_tree.t1], open_days=7)
    answer(users[0], wave)
    day = wave.closes_on
    assert reminders.scan(today=day) == 2
    assert reminders.scan(today=day) == 0


def test_review_section_reports_engagement(hr, org_tree):
    users = people(org_tree.t1, 5, "rev")
    _survey, wave = launch(hr, [org_tree.t1])
    for user in users:
        answer(user, wave, enps=10, agree=5)
    services_pulse.wave_close(actor=hr, wave=wave)
    section = selectors_pulse.review_section(start=TODAY, end=TODAY + dt.timedelta(days=30))
    assert section["enps"] == 100
    assert section["favourable"] == 100.0
    assert section["response_rate"] == 100
    assert (
        selectors_pulse.review_section(start=dt.date(2020, 1, 1), end=dt.date(2020, 2, 1)) is None
    )


def test_home_section_lists_open_surveys_to_answer(hr, org_tree):
    [user] = people(org_tree.t1, 1, "home")
    launch(hr, [org_tree.t1])
    [section] = selectors_pulse.home_sections(user=user)
    assert section["count"] == 1
    assert selectors_pulse.home_sections(user=hr) == []


def test_demo_loads_waves_with_trends_once(org_tree, user_as):
    from opsteam.org.tests.factories import StaffFactory
    from opsteam.surveys import demo_pulse

    hr = user_as("hr", username="hr")
    for unit in (org_tree.t1, org_tree.t2, org_tree.t3):
        for _n in range(8):
            StaffFactory(unit=unit)
    first = demo_pulse.load()
    counts = (PulseWave.objects.count(), PulseResponse.objects.count())
    second = demo_pulse.load()
    assert first["surveys.pulse_waves"] == 3
    assert first["surveys.pulse_responses"] > 10
    assert second == {}
    assert (PulseWave.objects.count(), PulseResponse.objects.count()) == counts
    survey = PulseSurvey.objects.get(name=demo_pulse.DEMO_SURVEY)
    trend = selectors_pulse.survey_trend(user=hr, survey=survey)
    assert len(trend) == 3
    assert trend[1]["enps"] is not None
