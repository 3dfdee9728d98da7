"""An operator submits an anonymous suggestion in Debian's Chromium; the store's team lead moves
it received → under review → accepted (owner, due date) → implemented; the operator follows it
through the private link and replies. Nowhere (pages, API, audit trail, notifications) does the
operator's name or username appear next to it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opsteam.accounts.models import User
from opsteam.collab.models import Notification
from opsteam.collab.models_suggestions import Suggestion, SuggestionComment
from opsteam.core.models import AuditEntry
from opsteam.performance.tests.test_ui_appraisal import SHOTS, browser, signed_in

pytestmark = pytest.mark.browser
__all__ = ["browser"]

TITLE = "夜间客服交接增加待回复清单"


def _move(page, status: str, *, note: str = "", owner: int | None = None, due: str = "") -> None:
    page.select_option("#id_to_status", status)
    if owner is not None:
        page.select_option("#id_owner", str(owner))
    if due:
        page.fill("#id_due_date", due)
    if note:
        page.fill("#transition-form #id_note", note)
    page.click("#transition-form button[type=submit]")
    page.wait_for_selector(f"#suggestion-status[data-status={status}]")


def test_anonymous_suggestion_moves_through_the_workflow(browser, live_server):
    call_command("load_demo", verbosity=0)
    base = live_server.url
    operator = User.objects.get(username="operator")
    manager = User.objects.get(username="manager")
    names = {operator.username, str(operator), operator.staff.name}

    # an operator submits anonymously, addressed to their team
    member = signed_in(browser, base, "operator")
    member.goto(f"{base}/collab/suggestions/new/")
    member.fill("#id_title", TITLE)
    member.fill("#id_body", "夜班结束时把**未回复的客户消息**列成清单交给早班。")
    member.select_option("#id_category", "process")
    member.select_option("#id_unit", str(operator.staff.unit_id))
    member.check("#id_anonymous")
    member.click("#suggestion-form button[type=submit]")
    member.wait_for_selector("#anonymous-created")
    follow_url = member.input_value("#follow-url")
    member.screenshot(path=str(SHOTS / "collab-suggestion-created.png"), full_page=True)
    suggestion = Suggestion.objects.get(title=TITLE)
    assert suggestion.author_id is None

    # the team lead answers it step by step
    lead = signed_in(browser, base, "manager")
    lead.goto(f"{base}/collab/suggestions/{suggestion.pk}/")
    _move(lead, "under_review", note="下周例会讨论")
    lead.select_option("#id_to_status", "accepted")
    lead.click("#transition-form button[type=submit]")
    lead.wait_for_selector("#transition-form .invalid-feedback")  # owner and due date required
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    _move(lead, "accepted", owner=manager.pk, due=due, note="由组长负责试行")
    _move(lead, "implemented", note="已在店铺运营组上线")
    lead.screenshot(path=str(SHOTS / "collab-suggestion-detail.png"), full_page=True)
    lead_html = lead.content()
    lead.goto(f"{base}/collab/suggestions/")
    lead.wait_for_selector("#suggestion-board")
    lead.screenshot(path=str(SHOTS / "collab-suggestion-list.png"), full_page=True)
    # the list names the operator's own named suggestions; the anonymous one's row, nobody
    lead_html += lead.locator("#suggestion-table tr", has_text=TITLE).inner_html()

    # the operator follows it through the private link and replies anonymously
    member.goto(follow_url)
    member.wait_for_selector("#follow-page")
    assert member.get_attribute("#suggestion-status", "data-status") == "implemented"
    member.fill("#id_body", "谢谢！早班反馈清单很有用。")
    member.click("#reply-form button[type=submit]")
    member.wait_for_selector(".alert-success")
    member.screenshot(path=str(SHOTS / "collab-suggestion-follow.png"), full_page=True)
    reply = SuggestionComment.objects.get(suggestion=suggestion)
    assert (reply.author_id, reply.by_submitter) == (None, True)

    # the audit trail, as HR reads it
    hr = signed_in(browser, base, "hr")
    audit_url = reverse("core:audit_list")
    hr.goto(f"{base}{audit_url}?object_type=collab.suggestion&object_id={suggestion.pk}")
    audit_html = hr.content()
    hr.screenshot(path=str(SHOTS / "collab-suggestion-audit.png"), full_page=True)

    # then nothing next to the suggestion names the operator
    api = Client()
    api.force_login(manager)
    api_json = json.dumps(
        [
            api.get(reverse("collab-suggestion-detail", args=[suggestion.pk])).json(),
            api.get(reverse("collab-suggestion-history", args=[suggestion.pk])).json(),
            api.get(reverse("collab-suggestion-comments", args=[suggestion.pk])).json(),
        ],
        ensure_ascii=False,
    )
    comment_ids = [str(pk) for pk in suggestion.comments.values_list("pk", flat=True)]
    entries = AuditEntry.objects.filter(
        Q(object_type="collab.suggestion", object_id=str(suggestion.pk))
        | Q(object_type="collab.suggestioncomment", object_id__in=comment_ids)
    )
    trail = json.dumps(
        list(entries.values("actor_id", "actor_label", "before", "after", "remote_addr")),
        ensure_ascii=False,
        default=str,
    )
    notices = json.dumps(
        list(
            Notification.objects.filter(url=suggestion.get_absolute_url()).values(
                "title", "body", "actor_id", "recipient_id"
            )
        ),
        ensure_ascii=False,
    )
    for name in names:
        for where, text in (
            ("pages", lead_html),
            ("api", api_json),
            ("audit page", audit_html),
            ("audit rows", trail),
            ("notifications", notices),
        ):
            assert name not in text, f"{name!r} appears in the {where}"
    creation = entries.get(object_type="collab.suggestion", action="create")
    assert (creation.actor_id, creation.remote_addr) == (None, None)
    assert not Notification.objects.filter(
        url=suggestion.get_absolute_url(), recipient=operator
    ).exists()
