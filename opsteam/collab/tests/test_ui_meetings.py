"""A team lead schedules a meeting with an operator in Debian's Chromium; the operator adds an
agenda point; the lead records the minutes and an action item owned by the operator, which
reaches the operator's bell and the team's DingTalk robot (a local receiver checking the
signature); the operator marks it done from "My action items"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from opsteam.accounts.models import User
from opsteam.collab import services
from opsteam.collab.models_meetings import Meeting, MeetingActionItem
from opsteam.collab.tests.receiver import WebhookReceiver
from opsteam.performance.tests.test_ui_appraisal import SHOTS, browser, signed_in

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with the appraisal journey

SECRET = "SEC-meeting-journey"
TITLE = "上新节奏周会"
ACTION = "整理本周差评并提交改进建议"


def test_meeting_with_an_action_item_that_reaches_the_owner(browser, live_server):
    call_command("load_demo", verbosity=0)
    base = live_server.url
    admin = User.objects.get(username="admin")
    operator = User.objects.get(username="operator")
    unit = operator.staff.unit
    when = (timezone.localtime() + dt.timedelta(days=3)).replace(hour=10, minute=0)

    with WebhookReceiver(secrets={"store": SECRET}) as robot:
        services.channel_create(
            actor=admin,
            name="店铺运营行动项群",
            provider="dingtalk",
            webhook_url=robot.url("dingtalk", "store"),
            secret=SECRET,
            unit=unit,
            include_subunits=True,
            kinds=["meeting-action-due"],
            enabled=True,
        )
        lead = signed_in(browser, base, "manager")
        lead.goto(f"{base}/collab/meetings/new/")
        lead.fill("#id_title", TITLE)
        lead.select_option("#id_kind", "team")
        lead.select_option("#id_unit", str(unit.pk))
        lead.fill("#id_starts_at", when.strftime("%Y-%m-%dT%H:%M"))
        lead.fill("#id_duration_minutes", "45")
        lead.fill("#id_location", "3号会议室")
        lead.select_option("#id_participants", [str(operator.pk)])
        lead.click("form.card button[type=submit]")
        lead.wait_for_selector("#agenda")
        meeting = Meeting.objects.get(title=TITLE)
        assert meeting.participants.filter(user=operator).exists()

        member = signed_in(browser, base, "operator")
        member.goto(f"{base}{meeting.get_absolute_url()}")
        member.fill("#id_agenda_title", "差评处理进度")
        member.fill("#id_agenda_minutes", "15")
        member.click("#agenda-form button[type=submit]")
        member.wait_for_selector("#agenda-list >> text=差评处理进度")
        assert member.locator("#minutes-form").count() == 0  # the organiser's, not theirs

        lead.reload()
        assert "差评处理进度" in lead.inner_text("#agenda")
        lead.fill("#id_minutes", "## 结论\n\n- 差评需在 **24 小时**内回复")
        lead.click("#minutes-publish")
        lead.wait_for_selector("#minutes-text >> text=24 小时")
        lead.fill("#id_action_title", ACTION)
        lead.select_option("#id_owner", str(operator.pk))
        lead.fill("#id_due_date", (timezone.localdate() + dt.timedelta(days=5)).isoformat())
        lead.click("#action-form button[type=submit]")
        lead.wait_for_selector(f"#action-list >> text={ACTION}")
        lead.screenshot(path=str(SHOTS / "collab-meeting.png"), full_page=True)

        robot.wait_for(1, timeout=15)
        message = robot.received[0]
        assert message.verified, message.problem
        assert ACTION in str(message.payload)

    member.goto(f"{base}/")
    assert member.inner_text("#unread-count").strip() != "0"
    member.goto(f"{base}/collab/inbox/")
    assert ACTION in member.inner_text("#inbox")
    member.goto(f"{base}/collab/meetings/my-actions/")
    item = MeetingActionItem.objects.get(title=ACTION)
    row = member.locator(f"#action-{item.pk}")
    assert ACTION in row.inner_text()
    member.screenshot(path=str(SHOTS / "collab-my-actions.png"), full_page=True)
    row.locator("button.mark-done").click()
    member.wait_for_selector(f"#action-{item.pk}[data-status=done]")
    item.refresh_from_db()
    assert item.status == "done"
    assert item.done_at is not None
