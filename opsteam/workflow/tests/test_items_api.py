"""Work-item API: scoped lists with filters, create, explicit-field updates, move, assign,
status and comments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opsteam.org.tests.factories import StaffFactory
from opsteam.workflow import services_items
from opsteam.workflow.models import ProcessEvent, WorkItem
from opsteam.workflow.tests.factories_items import make_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(org_tree):
    return make_flow(owner_unit=org_tree.d1, code="AS")


def _item(actor, flow, **kwargs):
    return services_items.item_create(
        actor=actor, process=flow.process, title=kwargs.pop("title", "退款申请"), **kwargs
    )


def test_operator_lists_only_their_own_items(api_client_as, user_as, org_tree, flow):
    api = api_client_as("operator")
    hr = user_as("hr")
    own = _item(hr, flow, assignee=api.user.staff)
    _item(hr, flow, assignee=StaffFactory(unit=org_tree.t1))

    response = api.get(reverse("workflow-item-list"))

    assert [row["reference"] for row in response.json()["results"]] == [own.reference]


def test_list_filters(api_client_as, flow):
    api = api_client_as("hr")
    urgent = _item(api.user, flow, priority="urgent")
    _item(api.user, flow)

    response = api.get(reverse("workflow-item-list"), {"priority": "urgent", "open": "true"})

    assert [row["id"] for row in response.json()["results"]] == [urgent.pk]


def test_create_through_the_api(api_client_as, flow):
    api = api_client_as("manager")

    response = api.post(
        reverse("workflow-item-list"),
        {"process": flow.process.pk, "title": "新工单", "priority": "high"},
        format="json",
    )

    body = response.json()
    assert response.status_code == 201
    assert (body["reference"], body["step_code"], body["status"]) == ("AS-1", "intake", "open")


def test_create_refuses_a_process_without_a_published_map(api_client_as):
    from opsteam.org.tests.factories import ProcessFactory

    api = api_client_as("hr")

    response = api.post(
        reverse("workflow-item-list"),
        {"process": ProcessFactory().pk, "title": "新工单"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "process"


def test_patch_refuses_status_owner_and_reporter(api_client_as, flow):
    api = api_client_as("operator")
    item = _item(api.user, flow, assignee=api.user.staff)
    url = reverse("workflow-item-detail", args=[item.pk])

    refused = api.patch(url, {"title": "改", "status": "done", "reporter": 1}, format="json")
    accepted = api.patch(url, {"title": "改", "priority": "urgent"}, format="json")

    assert refused.status_code == 400
    assert {error["attr"] for error in refused.json()["errors"]} == {"status", "reporter"}
    assert accepted.status_code == 200
    item.refresh_from_db()
    assert (item.title, item.priority, item.status) == ("改", "urgent", "open")


def test_move_follows_transitions_and_answers_409_otherwise(api_client_as, flow):
    api = api_client_as("operator")
    item = _item(api.user, flow, assignee=api.user.staff)
    url = reverse("workflow-item-move", args=[item.pk])

    refused = api.post(url, {"to_step": flow.review.pk}, format="json")
    moved = api.post(url, {"to_step": flow.handle.pk}, format="json")

    assert refused.status_code == 409
    assert moved.status_code == 200
    assert moved.json()["step_code"] == "handle"
    assert ProcessEvent.objects.get().step == flow.intake


def test_operator_cannot_move_someone_elses_item(api_client_as, user_as, org_tree, flow):
    api = api_client_as("operator")
    item = _item(user_as("hr"), flow, assignee=StaffFactory(unit=org_tree.t1))

    response = api.post(
        reverse("workflow-item-move", args=[item.pk]), {"to_step": flow.handle.pk}, format="json"
    )

    assert response.status_code == 404
    assert not ProcessEvent.objects.exists()


def test_assign_and_status(api_client_as, org_tree, flow):
    api = api_client_as("manager")
    item = _item(api.user, flow)
    worker = StaffFactory(unit=org_tree.t1)
    outsider = StaffFactory(unit=org_tree.t3)

    assigned = api.post(
        reverse("workflow-item-assign", args=[item.pk]), {"assignee": worker.pk}, format="json"
    )
    hidden = api.post(
        reverse("workflow-item-assign", args=[item.pk]), {"assignee": outsider.pk}, format="json"
    )
    closed = api.post(
        reverse("workflow-item-status", args=[item.pk]), {"status": "done"}, format="json"
    )

    assert assigned.json()["assignee"] == worker.pk
    assert hidden.status_code == 404
    assert closed.json()["status"] == "done"
    assert closed.json()["closed_at"] is not None
    assert WorkItem.objects.get().assignee == worker


def test_comments_are_listed_and_added(api_client_as, flow):
    api = api_client_as("operator")
    item = _item(api.user, flow, assignee=api.user.staff)
    url = reverse("workflow-item-comments", args=[item.pk])

    added = api.post(url, {"body": "已处理"}, format="json")
    listed = api.get(url)

    assert added.status_code == 201
    assert [row["body"] for row in listed.json()] == ["已处理"]
