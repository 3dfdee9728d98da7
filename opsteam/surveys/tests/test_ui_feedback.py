"""360 feedback in Debian's Chromium: an external customer answers through the link without
an account; the reviewee reads results where the small peer group is withheld."""

import os
from pathlib import Path

import pytest

from opsteam.surveys import services
from opsteam.surveys.tests.factories import CampaignFactory
from opsteam.surveys.tests.test_results import give

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[3] / "test-results"


@pytest.fixture
def browser_page(live_server, live_server_sessions_closed):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop shares the thread
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_external_customer_and_reviewee_in_the_browser(browser_page, live_server, user_as):
    page = browser_page
    hr = user_as("hr")
    reviewee = user_as("operator", username="reviewee")
    subject = services.subject_add(actor=hr, campaign=CampaignFactory(), staff=reviewee.staff)
    proposal = services.nominate(
        actor=reviewee, subject=subject, relationship="external_customer", external_name="王经理"
    )
    token = services.approve(actor=hr, invitation=proposal).token

    # the external customer: no login, every rating, one comment, submit
    page.goto(f"{live_server.url}/surveys/respond/{token}/")
    for fieldset in page.locator("fieldset").all():
        radios = fieldset.locator("input[type=radio]")
        if radios.count():
            radios.nth(3).check()
        else:
            fieldset.locator("textarea").fill("响应很快")
    page.screenshot(path=str(SHOTS / "survey-external.png"), full_page=True)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button[name=submit]")
    page.wait_for_selector(".alert-success")
    proposal.refresh_from_db()
    assert proposal.status == "submitted"

    # the reviewee's results: two peers withheld, three direct reports shown
    give(subject, "peer", 1, "PEER-SECRET")
    give(subject, "peer", 2, "PEER-SECRET")
    for _ in range(3):
        give(subject, "direct_report", 4, "团队里最可靠的人")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "reviewee")
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/surveys/subjects/{subject.pk}/results/")
    body = page.content()
    page.screenshot(path=str(SHOTS / "survey-results.png"), full_page=True)
    assert "PEER-SECRET" not in body
    assert "团队里最可靠的人" in body
    assert page.locator("#group-peer .card-body").inner_text().strip() != ""
