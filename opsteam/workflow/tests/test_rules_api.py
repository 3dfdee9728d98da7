"""Rules API: CRUD validated (errors name the condition or action), runs, run now, dry run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opsteam.workflow.models import AutomationRule, RuleRun
from opsteam.workflow.tests.factories_rules import AutomationRuleFactory, rules_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_tree):
    return rules_world(org_tree)


def payload(world, **overrides):
    data = {
        "process": world.process.pk,
        "name": "新工单自动分配",
        "trigger": "item_created",
        "conditions": [{"field": "kind", "op": "eq", "value": "ticket"}],
        "actions": [{"type": "assign", "to": "least_loaded"}],
    }
    data.update(overrides)
    return data


def test_create_list_update_delete(api_client_as, world):
    api = api_client_as("hr")

    created = api.post(reverse("workflow-rule-list"), payload(world), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    listed = api.get(reverse("workflow-rule-list"), {"process": world.process.pk}).json()
    assert [row["id"] for row in listed["results"]] == [pk]

    patched = api.patch(
        reverse("workflow-rule-detail", args=[pk]), {"enabled": False}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["enabled"] is False
    assert patched.json()["actions"] == [{"type": "assign", "to": "least_loaded"}]

    assert api.delete(reverse("workflow-rule-detail", args=[pk])).status_code == 204
    assert not AutomationRule.objects.exists()


def test_invalid_definition_names_each_problem(api_client_as, world):
    api = api_client_as("hr")

    response = api.post(
        reverse("workflow-rule-list"),
        payload(
            world,
            conditions=[{"field": "kind", "op": "gt", "value": "ticket"}],
            actions=[{"type": "assign", "to": "least_loaded"}, {"type": "notify", "to": "boss"}],
        ),
        format="json",
    )

    assert response.status_code == 400
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert attrs == {"conditions.0.op", "actions.1.to"}


def test_run_now_dry_run_and_runs(api_client_as, world):
    rule = AutomationRuleFactory(
        process=world.process,
        trigger="waiting_over_target",
        actions=[{"type": "set_priority", "priority": "urgent"}],
    )
    item = world.waiting(150, step=world.handle)
    api = api_client_as("hr")

    dry = api.post(
        reverse("workflow-rule-dry-run", args=[rule.pk]), {"item": item.pk}, format="json"
    )
    assert dry.status_code == 200
    assert dry.json()["matched"] is True
    assert dry.json()["actions"][0]["status"] == "done"
    assert not RuleRun.objects.exists()

    ran = api.post(reverse("workflow-rule-run", args=[rule.pk]))
    assert ran.status_code == 200
    assert ran.json()["matched"] == 1

    runs = api.get(reverse("workflow-rule-runs", args=[rule.pk])).json()
    assert [run["item_reference"] for run in runs["results"]] == [item.reference]
    all_runs = api.get(reverse("workflow-rule-run-list"), {"rule": rule.pk}).json()
    assert all_runs["count"] == 1


def test_event_rules_do_not_run_on_demand(api_client_as, world):
    rule = AutomationRuleFactory(process=world.process)
    api = api_client_as("hr")

    assert api.post(reverse("workflow-rule-run", args=[rule.pk])).status_code == 409


def test_manager_writes_only_rules_of_owned_processes(api_client_as, world, org_tree):
    from opsteam.org.tests.factories import ProcessFactory

    finance = ProcessFactory(owner_unit=org_tree.d2)
    api = api_client_as("manager", unit=org_tree.d1)

    own = api.post(reverse("workflow-rule-list"), payload(world), format="json")
    other = api.post(
        reverse("workflow-rule-list"),
        payload(world, process=finance.pk, conditions=[], actions=[{"type": "escalate"}]),
        format="json",
    )
    global_rule = api.post(
        reverse("workflow-rule-list"), payload(world, process=None), format="json"
    )

    assert own.status_code == 201
    assert other.status_code == 403
    assert global_rule.status_code == 403
    operator = api_client_as("operator")
    assert operator.get(reverse("workflow-rule-list")).status_code == 403
