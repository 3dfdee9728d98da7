"""HR launches a pulse survey to two teams in Debian's Chromium; six people of the store team
and two of the content team answer; the results page and API show the store team with its
eNPS while the small content team stays hidden with the reason."""

from __future__ import annotations

import pytest

from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
from opsteam.org.tests.factories import StaffFactory
from opsteam.performance.tests.test_ui_appraisal import PASSWORD, SHOTS, browser, signed_in
from opsteam.surveys import services_pulse
from opsteam.surveys.models_pulse import PulseSurvey
from opsteam.surveys.tests.pulse_support import answer

pytestmark = pytest.mark.browser
__all__ = ["browser"]


def _person(username: str, unit, role: str = "operator"):
    user = UserFactory(username=username, password=PASSWORD)
    RoleGrantFactory(user=user, role=role)
    StaffFactory(user=user, unit=unit)
    return user


def test_hr_launches_a_pulse_and_the_small_team_stays_hidden(browser, live_server, org_tree):
    base = live_server.url
    _person("pulse-hr", org_tree.d2, role="hr")
    store = [_person(f"store{i}", org_tree.t1) for i in range(6)]
    content = [_person(f"content{i}", org_tree.t2) for i in range(2)]
    services_pulse.library_seed()

    # HR creates the survey from the library for the two teams and schedules it
    page = signed_in(browser, base, "pulse-hr")
    page.goto(f"{base}/surveys/pulse/new/")
    page.fill("#id_name", "十一月脉搏调查")
    page.fill("#id_name_en", "November pulse")
    page.select_option("#id_units", [str(org_tree.t1.pk), str(org_tree.t2.pk)])
    page.fill("#id_min_group_size", "2")
    page.click("form.card button[type=submit]")
    page.wait_for_selector(".invalid-feedback, .text-danger, .alert-danger")
    assert not PulseSurvey.objects.exists()  # below three is refused
    page.fill("#id_min_group_size", "5")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path=str(SHOTS / "pulse-create.png"), full_page=True)
    page.wait_for_selector("#pulse-schedule")
    page.click("#pulse-schedule")
    page.wait_for_selector(".alert-success")
    assert "pulse" in page.url
    survey = PulseSurvey.objects.get()
    wave = survey.waves.get()
    assert wave.invited == 8

    # one store operator answers in the browser, the others through the service
    member = signed_in(browser, base, "store0")
    member.goto(f"{base}/surveys/pulse/waves/{wave.pk}/")
    for item in survey.items.select_related("question"):
        q = item.question
        if q.kind != "text":
            member.click(f"label[for='q{q.pk}-{9 if q.kind == 'enps' else 4}']")
    member.fill("textarea", "希望有更多培训机会")
    member.click("#pulse-submit")
    member.wait_for_selector("#pulse-done")
    member.screenshot(path=str(SHOTS / "pulse-respond.png"), full_page=True)
    for user in store[1:]:
        answer(user, wave, enps=10, agree=5, comment="团队氛围很好")
    for user in content:
        answer(user, wave, enps=0, agree=1, comment="内容组的秘密抱怨")

    page.goto(f"{base}/surveys/pulse/{survey.pk}/results/")
    page.wait_for_selector("#pulse-teams")
    teams = page.inner_text("#pulse-teams")
    assert org_tree.t1.name in teams
    assert page.query_selector(f'[data-unit="{org_tree.t1.pk}"]') is not None
    assert page.query_selector(f'[data-unit="{org_tree.t2.pk}"]') is None
    assert page.query_selector(f'[data-withheld="{org_tree.t2.pk}"]') is not None
    assert "内容组的秘密抱怨" not in page.content()
    row = page.inner_text(f'[data-unit="{org_tree.t1.pk}"]')
    assert "100" in row  # the store team's eNPS is shown (six promoters)
    page.screenshot(path=str(SHOTS / "pulse-results.png"), full_page=True)

    body = page.request.get(f"{base}/api/surveys/pulse-surveys/{survey.pk}/results/").json()
    assert [team["unit_id"] for team in body["teams"]] == [org_tree.t1.pk]
    assert body["teams"][0]["enps"] == 100
    assert [row["unit_id"] for row in body["withheld"]] == [org_tree.t2.pk]
    assert "内容组的秘密抱怨" not in str(body)
