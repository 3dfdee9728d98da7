"""HR publishes an important announcement to the store team in Debian's Chromium; the operator
sees it in the bell and on the home page, opens it and acknowledges it; HR's statistics then
show one more acknowledgement and the operator's name leaves the "not yet" list."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from opsteam.accounts.models import User
from opsteam.collab.models import Announcement, AnnouncementReceipt
from opsteam.performance.tests.test_ui_appraisal import SHOTS, browser, signed_in

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with the appraisal journey

TITLE = "退货政策调整：请全员确认"


def test_important_announcement_is_acknowledged_and_counted(browser, live_server):
    call_command("load_demo", verbosity=0)
    base = live_server.url
    operator = User.objects.get(username="operator")
    unit = operator.staff.unit

    hr = signed_in(browser, base, "hr")
    hr.goto(f"{base}/collab/announcements/new/")
    hr.fill("#id_title", TITLE)
    hr.fill("#id_body", "自 12 月 1 日起，**七天无理由退货** 的审核时限缩短为 24 小时。")
    hr.select_option("#id_importance", "important")
    hr.select_option("#id_units", str(unit.pk))
    hr.wait_for_selector("#audience-count[data-count]:not([data-count='0'])")
    hr.screenshot(path=str(SHOTS / "collab-announcement-form.png"), full_page=True)
    hr.click("#publish")
    hr.wait_for_selector(".alert-success")
    announcement = Announcement.objects.get(title=TITLE)
    assert announcement.status == "published"
    assert announcement.requires_acknowledgement
    audience = announcement.audience_size
    assert AnnouncementReceipt.objects.filter(announcement=announcement, user=operator).exists()

    member = signed_in(browser, base, "operator")
    assert member.inner_text("#unread-count").strip() != "0"
    member.wait_for_selector("#home-announcements-to-ack")
    assert TITLE in member.inner_text("#home-announcements-to-ack")
    member.click(f"#home-announcements-to-ack >> text={TITLE}")
    member.wait_for_selector("#acknowledge")
    assert "七天无理由退货" in member.inner_text("#announcement-body")
    member.click("#acknowledge")
    member.wait_for_selector("#ack-done")
    member.screenshot(path=str(SHOTS / "collab-announcement-acknowledged.png"), full_page=True)
    receipt = AnnouncementReceipt.objects.get(announcement=announcement, user=operator)
    assert receipt.acknowledged_at is not None
    assert receipt.read_at is not None

    hr.goto(f"{base}/collab/announcements/{announcement.pk}/stats/")
    hr.wait_for_selector("#stat-acked")
    numbers = re.findall(r"\d+(?:\.\d+)?", hr.inner_text("#stat-acked"))
    assert {"1", str(audience)} <= set(numbers)  # "1 of N" in either language
    pending = hr.inner_text("#pending")
    assert operator.staff.name not in pending
    assert int(hr.inner_text("#pending-count")) == audience - 1
    hr.wait_for_selector("[data-chart=teams-chart] canvas")
    hr.screenshot(path=str(SHOTS / "collab-announcement-stats.png"), full_page=True)
