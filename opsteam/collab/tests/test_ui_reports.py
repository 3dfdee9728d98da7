"""An operator submits today's daily report with a blocker and a wellbeing check-in in Debian's
Chromium; the team lead sees the blocker in the team digest and comments; the operator reads
the comment; a colleague of another team can open neither the report nor the check-ins."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from opsteam.accounts.models import User
from opsteam.collab.models import Notification
from opsteam.collab.models_reports import WellbeingCheckIn, WorkReport
from opsteam.performance.tests.test_ui_appraisal import SHOTS, browser, signed_in

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with the appraisal journey

BLOCKER = "打印机故障，面单打不出来，影响 40 单发货"


def test_daily_report_digest_comment_and_private_check_in(browser, live_server):
    call_command("load_demo", verbosity=0)
    base = live_server.url
    operator = User.objects.get(username="operator")

    # the operator writes today's report with a blocker and submits it
    page = signed_in(browser, base, "operator")
    page.goto(f"{base}/collab/reports/write/")
    page.fill("#id_section_done", "- 处理售后工单 32 单\n- 上新 6 款")
    page.fill("#id_section_planned", "- 准备周末活动")
    page.fill("#id_section_blockers", BLOCKER)
    if page.locator("#id_metric_orders").count():
        page.fill("#id_metric_orders", "32")
    page.screenshot(path=str(SHOTS / "reports-write.png"), full_page=True)
    page.click("#submit-report")
    page.wait_for_selector("#report-status")
    report = (
        WorkReport.objects.filter(staff=operator.staff, kind="daily")
        .order_by("-period_start")
        .first()
    )
    assert report.status == "submitted"
    assert report.sections["blockers"] == BLOCKER

    # and a check-in that asks to talk
    page.goto(f"{base}/collab/wellbeing/")
    page.check("input[name=mood][value='2']")
    page.check("input[name=workload][value='5']")
    page.fill("#id_blockers", "连续加班，有点累")
    page.check("#id_wants_to_talk")
    page.click("#checkin-submit")
    page.wait_for_selector(".alert-success")
    page.wait_for_timeout(1000)  # let the chart finish drawing
    page.screenshot(path=str(SHOTS / "wellbeing-checkin.png"), full_page=True)
    assert WellbeingCheckIn.objects.filter(staff=operator.staff, wants_to_talk=True).exists()

    # the team lead sees the blocker in the digest, opens the report and comments
    lead = signed_in(browser, base, "manager")
    lead.goto(f"{base}/collab/reports/digest/?period={report.period_start.isoformat()}")
    lead.wait_for_selector("#blocker-list")
    assert BLOCKER in lead.inner_text("#blocker-list")
    lead.wait_for_selector("[data-chart=digest-chart] canvas")
    lead.wait_for_timeout(1000)
    lead.screenshot(path=str(SHOTS / "reports-digest.png"), full_page=True)
    lead.click(f"#blocker-list >> text={BLOCKER[:10]}")
    lead.wait_for_selector("#comment-form")
    lead.fill("#comment-body", "我来联系 IT 换打印机，今天先手写面单")
    lead.click("#comment-form button[type=submit]")
    lead.wait_for_selector("text=我来联系 IT 换打印机")
    assert Notification.objects.filter(recipient=operator, kind="work-report").exists()
    assert Notification.objects.filter(
        recipient=User.objects.get(username="manager"), kind="wellbeing"
    ).exists()
    lead.goto(f"{base}/collab/wellbeing/people/{operator.staff.pk}/")
    assert "连续加班" in lead.content()

    # the operator reads the comment on their report
    page.goto(f"{base}{report.get_absolute_url()}")
    assert "我来联系 IT 换打印机" in page.inner_text("#comment-list")
    page.screenshot(path=str(SHOTS / "reports-detail.png"), full_page=True)

    # a colleague of another team can open neither
    peer = signed_in(browser, base, "operator2")
    denied = peer.goto(f"{base}{report.get_absolute_url()}")
    assert denied.status == 404
    assert BLOCKER not in peer.content()
    denied = peer.goto(f"{base}/collab/wellbeing/people/{operator.staff.pk}/")
    assert denied.status == 404
    assert "连续加班" not in peer.content()
