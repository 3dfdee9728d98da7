"""The analytics API: the analysis as JSON, the cases behind an edge, improvement actions."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

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


def test_analysis_returns_the_engine_result_as_json(api_client_as, log):
    api = api_client_as("auditor")

    response = api.get(reverse("workflow-process-analysis", args=[log.process.pk]))

    body = response.json()
    assert response.status_code == 200
    assert body["process"] == log.process.pk
    assert body["events"] == 14
    analysis = body["analysis"]
    assert analysis["cases"] == 4
    assert analysis["bottlenecks"][0]["key"] == "handoff:审核→上架"
    assert analysis["bottlenecks"][0]["evidence"][0]["code"] == "waiting"
    assert {row["step"] for row in analysis["rework"]} >= {"审核"}


def test_analysis_refuses_operators_and_bad_windows(api_client_as, log):
    url = reverse("workflow-process-analysis", args=[log.process.pk])

    assert api_client_as("operator").get(url).status_code == 403
    bad = api_client_as("hr").get(url, {"start": "2026-02-01", "end": "2026-01-01"})
    assert bad.status_code == 400
    assert api_client_as("hr").get(url, {"start": "yesterday"}).status_code == 400


def test_unknown_process_is_404_with_the_api_error_body(api_client_as):
    response = api_client_as("hr").get(reverse("workflow-process-analysis", args=[999999]))

    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


def test_edge_cases_name_the_work_item(api_client_as, log, org_tree):
    item = WorkItemFactory(process=log.process, reference="CASE-003", unit=org_tree.t1)

    response = api_client_as("manager").get(
        reverse("workflow-process-analysis-edge", args=[log.process.pk]),
        {"source": "审核", "target": "上架", "limit": 2},
    )

    rows = response.json()
    assert response.status_code == 200
    assert len(rows) == 2
    assert rows[0]["times"]["wait_s"] == pytest.approx(5 * 3600)
    full = api_client_as("hr").get(
        reverse("workflow-process-analysis-edge", args=[log.process.pk]),
        {"source": "审核", "target": "上架"},
    )
    by_case = {row["case"]: row["work_item"] for row in full.json()}
    assert by_case["CASE-003"] == item.pk
    assert by_case["CASE-001"] is None


def test_create_action_from_a_bottleneck_stores_the_servers_evidence(api_client_as, log):
    api = api_client_as("manager")

    response = api.post(
        reverse("workflow-improvement-action-list"),
        {
            "process": log.process.pk,
            "bottleneck_key": "handoff:审核→上架",
            "owner": log.people["publish"].pk,
            "evidence": {"total_wait_s": 1},
        },
        format="json",
    )

    body = response.json()
    assert response.status_code == 201
    assert body["title"] == "Shorten the handoff 审核 → 上架"
    assert body["evidence"]["total_wait_s"] == pytest.approx(12 * 3600)
    assert body["owner"] == log.people["publish"].pk
    assert body["status"] == ActionStatus.PLAN


def test_create_refuses_unknown_bottleneck_and_other_units(api_client_as, log, org_tree):
    url = reverse("workflow-improvement-action-list")
    unknown = api_client_as("hr").post(
        url, {"process": log.process.pk, "bottleneck_key": "step:x"}, format="json"
    )
    other = api_client_as("manager", unit=org_tree.t3).post(
        url, {"process": log.process.pk, "title": "x"}, format="json"
    )

    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["attr"] == "bottleneck_key"
    assert other.status_code == 404
    assert not ImprovementAction.objects.exists()


def test_patch_changes_explicit_fields_and_checks_the_rules(api_client_as, log):
    api = api_client_as("hr")
    action = ImprovementAction.objects.create(process=log.process, title="x")
    url = reverse("workflow-improvement-action-detail", args=[action.pk])

    refused = api.patch(url, {"status": "done"}, format="json")
    ignored = api.patch(url, {"process": 1, "evidence": {"x": 1}}, format="json")
    done = api.patch(
        url,
        {"status": "done", "effective_date": "2026-01-05", "result_note": "等待缩短 70 %"},
        format="json",
    )

    assert refused.status_code == 400
    assert ignored.status_code == 200
    assert done.status_code == 200
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.evidence == {}
    assert action.process == log.process


def test_operator_lists_only_actions_they_own(api_client_as, log):
    api = api_client_as("operator")
    mine = ImprovementAction.objects.create(process=log.process, title="mine", owner=api.user.staff)
    ImprovementAction.objects.create(process=log.process, title="not mine")

    response = api.get(reverse("workflow-improvement-action-list"))

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
