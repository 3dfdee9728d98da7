"""A quarter's appraisal in Debian's Chromium: self-review and a peer review by the operator,
the manager's review, HR's calibration with a justification and publication, and the operator
drilling from the grade to the raw measurements and confirming the result."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from opsteam.accounts.models import User
from opsteam.performance import services_cycles
from opsteam.performance.choices import CycleStage, ReviewStatus
from opsteam.performance.demo import CURRENT
from opsteam.performance.models import Review, ReviewCycle
from opsteam.surveys import services as surveys
from opsteam.surveys.choices import Relationship

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[3] / "test-results"
PASSWORD = "opsteam-demo"


@pytest.fixture
def browser(live_server, live_server_sessions_closed):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop shares the thread
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def signed_in(browser, base: str, username: str):
    """A tab of ``username`` (Chinese browser), signed in, confirming every dialog."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def pick_person(page, field: str, staff) -> None:
    """Choose ``staff`` in the person picker of form field ``field``: type their name into the
    picker's search box, wait for the server's answer, select them."""
    page.fill(f"input[data-picker-search={field}]", staff.name)
    page.locator(f"select[name={field}] option[value='{staff.pk}']").wait_for(state="attached")
    page.select_option(f"select[name={field}]", str(staff.pk))


def advance(page, base: str, cycle: ReviewCycle) -> None:
    page.goto(f"{base}{cycle.get_absolute_url()}")
    page.click("#advance-cycle")
    page.wait_for_selector(".alert-success")


def test_quarterly_appraisal_from_self_review_to_acknowledgement(browser, live_server):
    call_command("load_demo", verbosity=0)
    base = live_server.url
    cycle = ReviewCycle.objects.get(name=CURRENT[0])
    assert cycle.stage == CycleStage.SELF_REVIEW
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["admin", "hr", "manager", "operator", "operator2"]
        )
    }
    operator, colleague = users["operator"].staff, users["operator2"].staff
    # The colleague proposed the operator as a peer rater and their manager approved it.
    subject = cycle.feedback_campaign.subjects.get(staff=colleague)
    invitation = surveys.nominate(
        actor=users["operator2"], subject=subject, relationship=Relationship.PEER, rater=operator
    )
    surveys.approve(actor=users["hr"], invitation=invitation)

    # The operator sees the self-review waiting on the home page and writes it.
    me = signed_in(browser, base, "operator")
    me.click("#home-owed-reviews a.list-group-item")
    me.select_option("#id_rating", "4")
    me.fill("#id_comment", "本季度店铺成交额达成目标，双十一活动复盘完整。")
    me.click("#self-review-form button[type=submit]")
    me.wait_for_selector(".alert-success")
    assert 'id="result-hidden"' in me.content()

    # HR opens the 360 stage; the operator answers the peer review.
    hr = signed_in(browser, base, "hr")
    advance(hr, base, cycle)
    me.goto(f"{base}/surveys/to-give/")
    me.click(f"#feedback-to-give a:has-text('{colleague.name}')")
    for fieldset in me.locator("fieldset:has(input[type=radio])").all():
        fieldset.locator("input[type=radio][value='4']").check()
    me.locator("textarea").first.fill("大促期间主动补位，很靠谱。")
    me.click("button[name=submit]")
    me.wait_for_selector(".alert-success")

    # The manager reviews the operator; the rest of the team is reviewed off-screen.
    advance(hr, base, cycle)
    cycle.refresh_from_db()
    assert cycle.stage == CycleStage.MANAGER_REVIEW
    review = Review.objects.get(cycle=cycle, staff=operator)
    for other in Review.objects.filter(cycle=cycle).exclude(pk=review.pk):
        services_cycles.review_manager_submit(
            actor=users["admin"], review=other, rating=3, comment="按期完成"
        )
    boss = signed_in(browser, base, "manager")
    boss.goto(f"{base}{review.get_absolute_url()}")
    boss.select_option("#id_rating", "5")
    boss.fill("#id_comment", "目标达成稳定，复盘及时。")
    boss.select_option("#id_potential", "3")
    boss.fill("#id_adjustment", "2")
    boss.fill("#id_adjustment_reason", "带教两名新人")
    boss.click("#manager-review-form button[type=submit]")
    boss.wait_for_selector(".alert-success")

    # HR moves to calibration, changes one grade with a justification, and publishes.
    advance(hr, base, cycle)
    hr.goto(f"{base}/performance/cycles/{cycle.pk}/calibration/")
    row = hr.locator(f"#calibration-rows tr[data-review='{review.pk}']")
    row.locator("select[name=grade]").select_option("S")
    row.locator("input[name=justification]").fill("双十一大促核心贡献，校准会一致通过。")
    row.locator("button[type=submit]").click()
    hr.wait_for_selector(".alert-success")
    for ungraded in Review.objects.filter(cycle=cycle, grade=""):
        services_cycles.grade_change(
            actor=users["admin"],
            review=ungraded,
            grade=cycle.veto_cap_grade if ungraded.veto_applied else "B",
            justification="缺少评分数据，按经理意见",
        )
    advance(hr, base, cycle)
    cycle.refresh_from_db()
    assert cycle.stage == CycleStage.PUBLISHED
    hr.screenshot(path=str(SHOTS / "appraisal-published.png"), full_page=True)

    # The operator sees the grade, drills down to the raw measurements, and confirms.
    me.goto(f"{base}{review.get_absolute_url()}")
    assert me.locator("#final-grade").inner_text().strip() == "S"
    me.screenshot(path=str(SHOTS / "appraisal-scorecard.png"), full_page=True)
    me.click("#scorecard tbody a >> nth=0")
    me.wait_for_selector("#measurement-rows")
    assert me.locator("#rule-version").is_visible()
    me.go_back()
    me.click("#acknowledge")
    me.wait_for_selector(".alert-success")
    review.refresh_from_db()
    assert review.status == ReviewStatus.ACKNOWLEDGED
    assert review.grade_source == "calibration"
