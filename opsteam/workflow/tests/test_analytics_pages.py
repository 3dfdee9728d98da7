"""The analytics pages: dashboard, edge drill-down, one-click action from a bottleneck, action
list/detail/edit and the process review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import ProcessFactory
from opsteam.workflow.choices import ActionStatus
from opsteam.workflow.models import ImprovementAction
from opsteam.workflow.tests.factories import WorkItemFactory
from opsteam.workflow.tests.factories_analytics import build_log

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def log(org_tree):
    return build_log(unit=org_tree.t1)


def test_dashboard_shows_the_bottleneck_its_evidence_and_the_charts(client_as, log):
    client = client_as("manager")

    page = client.get(reverse("workflow:analytics", args=[log.process.pk]))

    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-bottleneck="handoff:审核→上架"' in body
    assert "Handoff 审核 → 上架" in body
    assert "100 % over it" in body
    assert "Create improvement action" in body
    for chart in ("dfg-chart", "throughput-chart", "cycle-chart", "wip-chart", "heatmap-chart"):
        assert f'id="{chart}"' in body
    assert "<script>" not in body.replace('<script src="', "")


def test_dashboard_flags_steps_whose_owner_disagrees_with_raci(client_as, log):
    page = client_as("hr").get(reverse("workflow:analytics", args=[log.process.pk]))

    # the test map's steps are linked to no RACI activity: each is flagged
    assert 'id="raci"' in page.content.decode()


def test_auditor_reads_the_dashboard_without_the_action_button(client_as, log):
    page = client_as("auditor").get(reverse("workflow:analytics", args=[log.process.pk]))

    assert page.status_code == 200
    assert "Create improvement action" not in page.content.decode()


def test_operator_and_other_managers_are_refused(client_as, log, org_tree, client):
    assert (
        client_as("operator").get(reverse("workflow:analytics", args=[log.process.pk])).status_code
        == 403
    )
    other = client_as("manager", unit=org_tree.t3)
    assert other.get(reverse("workflow:analytics", args=[log.process.pk])).status_code == 403


def test_window_without_events_shows_an_empty_state(client_as, log):
    page = client_as("hr").get(
        reverse("workflow:analytics", args=[log.process.pk]),
        {"start": "2020-01-01", "end": "2020-01-31"},
    )

    assert page.status_code == 200
    assert "No events in this window" in page.content.decode()


def test_backwards_window_is_an_inline_error(client_as, log):
    page = client_as("hr").get(
        reverse("workflow:analytics", args=[log.process.pk]),
        {"start": "2026-02-01", "end": "2026-01-01"},
    )

    assert page.status_code == 200
    assert "The end comes before the start." in page.content.decode()


def test_edge_page_lists_cases_and_links_work_items(client_as, log, org_tree):
    item = WorkItemFactory(process=log.process, reference="CASE-002", unit=org_tree.t1)
    client = client_as("manager")

    page = client.get(
        reverse("workflow:analytics_edge", args=[log.process.pk]),
        {"source": "审核", "target": "上架"},
    )

    body = page.content.decode()
    assert page.status_code == 200
    for case in log.cases:
        assert case in body
    assert item.get_absolute_url() in body
    assert "5.0 h" in body


def test_create_action_from_bottleneck_stores_key_and_server_evidence(client_as, log):
    client = client_as("manager")
    today = timezone.localdate()

    response = client.post(
        reverse("workflow:action_from_bottleneck", args=[log.process.pk]),
        {
            "key": "handoff:审核→上架",
            "start": (today - dt.timedelta(days=29)).isoformat(),
            "end": today.isoformat(),
        },
    )

    action = ImprovementAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == action.get_absolute_url()
    assert action.bottleneck_key == "handoff:审核→上架"
    assert action.title == "Shorten the handoff 审核 → 上架"
    assert action.evidence["total_wait_s"] == pytest.approx(12 * 3600)
    assert action.evidence["window"]["end"] == today.isoformat()
    assert action.owner == client.user.staff
    assert AuditEntry.objects.filter(object_type="workflow.improvementaction").exists()
    detail = client.get(action.get_absolute_url()).content.decode()
    assert "Evidence when the action started" in detail
    assert "100 % over it" in detail


def test_unknown_bottleneck_creates_nothing(client_as, log):
    response = client_as("hr").post(
        reverse("workflow:action_from_bottleneck", args=[log.process.pk]),
        {"key": "step:nowhere", "start": "2026-01-01", "end": "2026-01-31"},
    )

    assert response.status_code == 302
    assert not ImprovementAction.objects.exists()


def test_action_list_detail_and_edit(client_as, log):
    client = client_as("hr")
    action = ImprovementAction.objects.create(process=log.process, title="上架权限开放")

    listing = client.get(reverse("workflow:action_list"), {"status": "plan"})
    form = client.get(reverse("workflow:action_edit", args=[action.pk]))
    saved = client.post(
        reverse("workflow:action_edit", args=[action.pk]),
        {
            "title": "上架权限开放",
            "description": "",
            "owner": log.people["publish"].pk,
            "due_date": "2026-03-31",
            "status": ActionStatus.CHECK,
            "effective_date": "",
            "result_note": "",
        },
    )

    assert listing.status_code == 200
    assert "上架权限开放" in listing.content.decode()
    assert form.status_code == 200
    assert saved.status_code == 400
    assert "Give the date the change took effect" in saved.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.PLAN


def test_review_defaults_to_the_days_around_the_actions_effective_date(client_as, log):
    client = client_as("hr")
    effective = (log.start + dt.timedelta(days=2)).date()
    action = ImprovementAction.objects.create(
        process=log.process,
        title="x",
        status=ActionStatus.CHECK,
        effective_date=effective,
    )

    page = client.get(
        reverse("workflow:process_review", args=[log.process.pk]),
        {"action": action.pk, "days": 5},
    )

    body = page.content.decode()
    assert page.status_code == 200
    before = (
        f"{effective - dt.timedelta(days=5):%Y-%m-%d} – {effective - dt.timedelta(days=1):%Y-%m-%d}"
    )
    assert before in body
    assert 'id="review-handoffs"' in body
    assert "审核 → 上架" in body


def test_review_with_explicit_ranges_and_no_events(client_as):
    process = ProcessFactory()
    page = client_as("hr").get(
        reverse("workflow:process_review", args=[process.pk]),
        {"before": "2024-01-01..2024-01-31", "after": "2024-02-01..2024-02-29"},
    )

    assert page.status_code == 200
    assert "2024-01-01 – 2024-01-31" in page.content.decode()
    assert "No events in these windows" in page.content.decode()
