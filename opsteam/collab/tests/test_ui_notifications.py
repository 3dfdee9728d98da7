"""A team lead connects the team's DingTalk robot in Debian's Chromium, checks it with a test
message (signed, received by a local robot), and an alert for a team member reaches the group
and the member's bell; the member then chooses a weekly digest for such alerts."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from opsteam.accounts.models import User
from opsteam.collab import services
from opsteam.collab.models import Delivery, ImChannel, NotificationPreference
from opsteam.collab.tests.receiver import WebhookReceiver
from opsteam.performance.tests.test_ui_appraisal import SHOTS, browser, signed_in

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with the appraisal journey

SECRET = "SEC-journey-secret"


def test_connect_a_team_robot_and_choose_a_digest(browser, live_server):
    call_command("load_demo", verbosity=0)
    base = live_server.url
    operator = User.objects.get(username="operator")
    unit = operator.staff.unit

    with WebhookReceiver(secrets={"store": SECRET}) as robot:
        page = signed_in(browser, base, "manager")
        page.goto(f"{base}/collab/channels/new/")
        page.fill("#id_name", "店铺运营值班群")
        page.select_option("#id_provider", "dingtalk")
        page.fill("#id_webhook_url", robot.url("dingtalk", "store"))
        page.fill("#id_secret", SECRET)
        page.select_option("#id_unit", str(unit.pk))
        page.check("input[name=kinds][value=workflow-rule]")
        page.click("form.card button[type=submit]")
        page.wait_for_selector("#channel-test")
        channel = ImChannel.objects.get(name="店铺运营值班群")
        assert channel.secret == SECRET  # stored (encrypted), never shown again
        assert SECRET not in page.content()

        page.click("#channel-test")
        page.wait_for_selector(".alert-success")
        robot.wait_for(1)
        assert robot.received[0].verified
        page.screenshot(path=str(SHOTS / "collab-channel.png"), full_page=True)

        services.notify(
            recipients=[operator],
            kind="workflow-rule",
            title="AS-0101 审核等待超过 4 小时",
            url="/workflow/my/",
        )
        robot.wait_for(2)
        alert = robot.received[1]
        assert alert.verified
        assert "AS-0101 审核等待超过 4 小时" in str(alert.payload)
        assert operator.staff.name in str(alert.payload)
        assert Delivery.objects.filter(channel=channel, status="sent").count() == 2

    member = signed_in(browser, base, "operator")
    assert member.inner_text("#unread-count").strip() != "0"
    member.goto(f"{base}/collab/inbox/")
    assert "AS-0101 审核等待超过 4 小时" in member.inner_text("#inbox")
    member.click("#preferences-link")
    member.select_option("tr[data-kind=workflow-rule] select", "weekly")
    member.fill("#id_quiet_start", "22:00")
    member.fill("#id_quiet_end", "08:00")
    member.click("#preferences button[type=submit]")
    member.wait_for_selector(".alert-success")
    member.screenshot(path=str(SHOTS / "collab-preferences.png"), full_page=True)
    choice = NotificationPreference.objects.get(user=operator, kind="workflow-rule")
    assert choice.email == "weekly"
