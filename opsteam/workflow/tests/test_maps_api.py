"""Process-map API: processes, map versions with nested steps and handoffs, drafts, publishing,
steps and handoffs CRUD on drafts, the RACI check."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opsteam.org.tests.factories import (
    ActivityFactory,
    PositionFactory,
    ProcessFactory,
    RaciAssignmentFactory,
)
from opsteam.workflow.choices import MapStatus
from opsteam.workflow.models import ProcessMap, Step, Transition
from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory, TransitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(org_tree):
    process = ProcessFactory(code="AFTER", owner_unit=org_tree.t1)
    process_map = ProcessMapFactory(process=process, version=1)
    intake = StepFactory(map=process_map, code="intake", order=0)
    review = StepFactory(map=process_map, code="review", order=1)
    TransitionFactory(map=process_map, source=intake, target=review, handoff_target_minutes=20)
    return process_map


def test_map_detail_nests_steps_and_transitions(api_client_as, published):
    api = api_client_as("operator")

    body = api.get(reverse("workflow-process-map-detail", args=[published.pk])).json()

    assert (body["version"], body["status"], body["process_code"]) == (1, "published", "AFTER")
    assert [step["code"] for step in body["steps"]] == ["intake", "review"]
    assert body["transitions"][0]["source_code"] == "intake"
    assert body["transitions"][0]["handoff_target_minutes"] == 20


def test_process_list_reports_the_published_version(api_client_as, published):
    api = api_client_as("auditor")

    body = api.get(reverse("workflow-process-list")).json()

    row = next(row for row in body["results"] if row["code"] == "AFTER")
    assert (row["published_map"], row["published_version"], row["steps_count"]) == (
        published.pk,
        1,
        2,
    )


def test_draft_edit_and_publish_round_trip(api_client_as, published):
    # given HR
    api = api_client_as("hr")

    # when HR opens a draft, adds a step and a handoff, then publishes
    created = api.post(
        reverse("workflow-process-map-list"),
        {"process": published.process_id, "change_note": "加发货"},
        format="json",
    )
    draft_id = created.json()["id"]
    review_id = next(s["id"] for s in created.json()["steps"] if s["code"] == "review")
    activity = ActivityFactory(process=published.process)
    position = PositionFactory()
    step = api.post(
        reverse("workflow-process-step-list"),
        {
            "map": draft_id,
            "code": "ship",
            "name": "发货",
            "activity": activity.pk,
            "position": position.pk,
            "target_minutes": 60,
        },
        format="json",
    )
    handoff = api.post(
        reverse("workflow-process-transition-list"),
        {"map": draft_id, "source": review_id, "target": step.json()["id"], "label": "通过"},
        format="json",
    )
    publish = api.post(reverse("workflow-process-map-publish", args=[draft_id]))

    # then the draft (a copy of v1 plus the new step) is published and v1 archived
    assert created.status_code == 201
    assert (created.json()["version"], created.json()["status"]) == (2, "draft")
    assert len(created.json()["steps"]) == 2
    assert step.status_code == 201
    assert (step.json()["activity_code"], step.json()["order"]) == (activity.code, 2)
    assert handoff.status_code == 201
    assert publish.status_code == 200
    assert publish.json()["status"] == "published"
    assert len(publish.json()["steps"]) == 3
    published.refresh_from_db()
    assert published.status == MapStatus.ARCHIVED


def test_step_with_duplicate_code_is_400_naming_code(api_client_as, published):
    api = api_client_as("hr")
    draft = ProcessMapFactory(process=published.process, version=2, status=MapStatus.DRAFT)
    StepFactory(map=draft, code="intake")

    response = api.post(
        reverse("workflow-process-step-list"),
        {"map": draft.pk, "code": "intake", "name": "x"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "code"


def test_transition_to_another_map_is_400_naming_target(api_client_as, published):
    api = api_client_as("hr")
    draft = ProcessMapFactory(process=published.process, version=2, status=MapStatus.DRAFT)
    source = StepFactory(map=draft, code="a")

    response = api.post(
        reverse("workflow-process-transition-list"),
        {"map": draft.pk, "source": source.pk, "target": published.steps.first().pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "target"
    assert not Transition.objects.filter(map=draft).exists()


def test_unknown_activity_id_is_400_naming_activity(api_client_as, published):
    api = api_client_as("hr")
    draft = ProcessMapFactory(process=published.process, version=2, status=MapStatus.DRAFT)

    response = api.post(
        reverse("workflow-process-step-list"),
        {"map": draft.pk, "code": "x", "name": "x", "activity": 999999},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "activity"


def test_publishing_without_steps_is_400_naming_steps(api_client_as, published):
    api = api_client_as("hr")
    draft = ProcessMapFactory(process=published.process, version=2, status=MapStatus.DRAFT)

    response = api.post(reverse("workflow-process-map-publish", args=[draft.pk]))

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "steps"


def test_changing_a_published_step_is_409(api_client_as, published):
    api = api_client_as("hr")
    step = published.steps.first()

    response = api.patch(
        reverse("workflow-process-step-detail", args=[step.pk]), {"name": "改"}, format="json"
    )

    assert response.status_code == 409
    step.refresh_from_db()
    assert step.name != "改"


def test_step_patch_and_delete_on_a_draft(api_client_as, published):
    api = api_client_as("manager")
    draft = ProcessMapFactory(process=published.process, version=2, status=MapStatus.DRAFT)
    step = StepFactory(map=draft, code="a", target_minutes=10)

    patched = api.patch(
        reverse("workflow-process-step-detail", args=[step.pk]),
        {"target_minutes": 25, "sop": "先核对"},
        format="json",
    )
    deleted = api.delete(reverse("workflow-process-step-detail", args=[step.pk]))

    assert patched.status_code == 200
    assert (patched.json()["target_minutes"], patched.json()["sop"]) == (25, "先核对")
    assert deleted.status_code == 204
    assert not Step.objects.filter(pk=step.pk).exists()


def test_manager_of_another_unit_cannot_open_a_draft(api_client_as, org_tree):
    api = api_client_as("manager")
    foreign = ProcessFactory(owner_unit=org_tree.t3)

    response = api.post(
        reverse("workflow-process-map-list"), {"process": foreign.pk}, format="json"
    )

    assert response.status_code == 403
    assert not ProcessMap.objects.filter(process=foreign).exists()


def test_raci_action_lists_disagreements(api_client_as, published):
    api = api_client_as("operator")
    step = published.steps.get(code="review")
    activity = ActivityFactory(process=published.process)
    RaciAssignmentFactory(activity=activity, position=step.position, role="A")
    Step.objects.filter(pk=step.pk).update(activity=activity)

    body = api.get(reverse("workflow-process-map-raci", args=[published.pk])).json()

    assert {(row["step_code"], row["kind"]) for row in body} == {
        ("intake", "no_activity"),
        ("review", "no_responsible"),
    }


def test_maps_filter_by_process_and_status(api_client_as, published):
    api = api_client_as("hr")
    ProcessMapFactory(process=published.process, version=2, status=MapStatus.DRAFT)
    ProcessMapFactory()

    body = api.get(
        reverse("workflow-process-map-list"),
        {"process": published.process_id, "status": "draft"},
    ).json()

    assert [row["version"] for row in body["results"]] == [2]
