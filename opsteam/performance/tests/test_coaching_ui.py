"""A manager and their report hold a 1:1 in Debian's Chromium: shared agenda, private notes
that stay private, an action item ticked off from the home list; then an improvement plan."""

import datetime as dt
import os
from pathlib import Path

import pytest

from opsteam.performance import services_coaching as services
from opsteam.performance.models_coaching import ActionItem, ImprovementPlan
from opsteam.performance.tests.test_ui_appraisal import pick_person

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[3] / "test-results"
PASSWORD = "correct-horse-battery"


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


def _session(browser, base, username):
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


@pytest.mark.django_db(transaction=True)
def test_a_1_1_and_an_improvement_plan_in_the_browser(browser, live_server, org_tree, user_as):
    # given a manager of T1 and their report, with a weekly 1:1 and a first meeting
    manager = user_as("manager", unit=org_tree.t1, username="lead", name="王经理")
    report = user_as(
        "operator", unit=org_tree.t1, username="report", name="李运营", manager=manager.staff
    )
    series = services.one_on_one_create(actor=manager, report=report.staff, cadence="weekly")
    meeting = services.meeting_create(actor=manager, series=series, date=dt.date(2026, 3, 2))
    base = live_server.url

    # the report adds a topic and writes a private note
    report_page = _session(browser, base, "report")
    report_page.goto(f"{base}{meeting.get_absolute_url()}")
    report_page.fill("#id_text", "想聊聊晋升路径")
    report_page.click("#meeting-agenda button[type=submit]")
    report_page.fill("#meeting-private-note textarea", "其实想换到内容组")
    report_page.click("#meeting-private-note button[type=submit]")
    assert "其实想换到内容组" in report_page.locator("#meeting-private-note textarea").input_value()

    # the manager sees the topic but not the report's note, and agrees an action for the report
    manager_page = _session(browser, base, "lead")
    manager_page.goto(f"{base}{meeting.get_absolute_url()}")
    assert "想聊聊晋升路径" in manager_page.locator("#meeting-agenda").inner_text()
    assert "其实想换到内容组" not in manager_page.content()
    manager_page.fill("#meeting-actions input[name=text]", "整理三个晋升案例")
    manager_page.select_option("#meeting-actions select[name=owner]", str(report.staff.pk))
    manager_page.fill("#meeting-actions input[name=due_date]", "2026-03-09")
    manager_page.click("#meeting-actions button.btn-primary")
    manager_page.screenshot(path=str(SHOTS / "coaching-meeting.png"), full_page=True)

    # the report finds the action on "my 1:1s" and ticks it off
    report_page.goto(f"{base}/performance/coaching/")
    assert "整理三个晋升案例" in report_page.locator("#coaching-my-actions").inner_text()
    report_page.screenshot(path=str(SHOTS / "coaching-home.png"), full_page=True)
    report_page.click("#coaching-my-actions button[type=submit]")
    report_page.wait_for_selector("#coaching-my-actions .card-body")
    assert ActionItem.objects.get().status == "done"

    # the manager drafts an improvement plan, adds a goal and a check-in, and starts it
    manager_page.goto(f"{base}/performance/plans/new/")
    pick_person(manager_page, "staff", report.staff)
    manager_page.fill("#id_start_date", "2026-03-02")
    manager_page.fill("#id_end_date", "2026-05-01")
    manager_page.fill("#id_summary", "一起把订单差错率降下来")
    manager_page.click("main form.card button[type=submit]")
    plan = ImprovementPlan.objects.get()
    manager_page.wait_for_url(f"{base}{plan.get_absolute_url()}")
    manager_page.fill("#plan-goals input[name=description]", "订单差错率")
    manager_page.fill("#plan-goals input[name=measure]", "月差错率低于1%")
    manager_page.click("#plan-goals .card-footer button")
    manager_page.fill("#plan-check-ins input[name=date]", "2026-03-16")
    manager_page.click("#plan-check-ins .card-footer button")
    manager_page.click("form[action$='/start/'] button")
    manager_page.wait_for_selector("#plan-goals select[name=status]")
    manager_page.screenshot(path=str(SHOTS / "coaching-plan.png"), full_page=True)
    plan.refresh_from_db()
    assert plan.state == "active"

    # the report reads the plan but has no buttons to change it
    report_page.goto(f"{base}{plan.get_absolute_url()}")
    assert "订单差错率" in report_page.locator("#plan-goals").inner_text()
    assert report_page.locator("#plan-goals select").count() == 0
