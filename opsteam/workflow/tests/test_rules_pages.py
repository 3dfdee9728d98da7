"""Rule pages: list, the structured form (errors on the row they concern), detail with the run
log, toggle, run now, dry run, delete."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.workflow.models import AutomationRule, RuleRun
from opsteam.workflow.tests.factories_rules import (
    AutomationRuleFactory,
    RuleRunFactory,
    rules_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_tree):
    return rules_world(org_tree)


def form_data(world, **overrides):
    data = {
        "name": "超时提醒",
        "description": "",
        "process": str(world.process.pk),
        "trigger": "waiting_over_target",
        "step_code": "handle",
        "enabled": "on",
        "conditions-TOTAL_FORMS": "2",
        "conditions-INITIAL_FORMS": "0",
        "conditions-0-field": "priority",
        "conditions-0-op": "in",
        "conditions-0-value": "high，urgent",
        "conditions-1-field": "",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-0-type": "notify",
        "actions-0-to": "assignee, team_managers",
        "actions-0-message": "{reference} 已超时",
        "actions-1-type": "escalate",
        "actions-2-type": "",
    }
    data.update(overrides)
    return data


def test_list_shows_rules_and_filters_by_process(client_as, world):
    rule = AutomationRuleFactory(process=world.process, name="售后超时提醒")
    AutomationRuleFactory(process=None, name="全局规则")
    client = client_as("hr")

    page = client.get(reverse("workflow:rule_list"), {"process": world.process.pk})

    assert page.status_code == 200
    assert rule.name in page.content.decode()
    assert "全局规则" not in page.content.decode()
    assert (
        "全局规则"
        in client.get(reverse("workflow:rule_list"), {"scope": "global"}).content.decode()
    )


def test_create_from_rows(client_as, world):
    client = client_as("hr")

    response = client.post(reverse("workflow:rule_create"), form_data(world))

    rule = AutomationRule.objects.get()
    assert response.status_code == 302
    assert response.url == rule.get_absolute_url()
    assert rule.conditions == [{"field": "priority", "op": "in", "value": ["high", "urgent"]}]
    assert rule.actions == [
        {"type": "notify", "to": ["assignee", "team_managers"], "message": "{reference} 已超时"},
        {"type": "escalate"},
    ]
    assert (rule.step_code, rule.enabled, rule.created_by) == ("handle", True, client.user)


def test_problems_come_back_on_their_row(client_as, world):
    client = client_as("hr")

    response = client.post(
        reverse("workflow:rule_create"),
        form_data(world, **{"conditions-0-op": "contains", "actions-1-type": "move"}),
    )

    assert response.status_code == 400
    conditions, actions = response.context["condition_set"], response.context["action_set"]
    assert "cannot be compared" in conditions.forms[0].errors["op"][0]
    assert "Required" in actions.forms[1].errors["step"][0]
    assert not AutomationRule.objects.exists()


def test_edit_keeps_rows_and_saves_changes(client_as, world):
    client = client_as("hr")
    client.post(reverse("workflow:rule_create"), form_data(world))
    rule = AutomationRule.objects.get()

    page = client.get(reverse("workflow:rule_edit", args=[rule.pk]))
    assert page.context["condition_set"].forms[0].initial["value"] == "high, urgent"
    response = client.post(
        reverse("workflow:rule_edit", args=[rule.pk]),
        form_data(world, name="SLA 超时", enabled=""),
    )

    rule.refresh_from_db()
    assert response.status_code == 302
    assert (rule.name, rule.enabled) == ("SLA 超时", False)


def test_detail_pages_the_run_log_and_shows_controls(client_as, world):
    rule = AutomationRuleFactory(process=world.process, trigger="waiting_over_target")
    for _ in range(25):
        RuleRunFactory(rule=rule, trigger="waiting_over_target")
    client = client_as("hr")

    first = client.get(rule.get_absolute_url())
    second = client.get(rule.get_absolute_url(), {"page": 2})

    assert first.status_code == 200
    assert len(first.context["runs"].object_list) == 20
    assert len(second.context["runs"].object_list) == 5
    assert first.context["can_run"]
    assert first.context["can_delete"]
    assert "data-confirm" in first.content.decode()


def test_toggle_run_now_and_delete(client_as, world):
    rule = AutomationRuleFactory(
        process=world.process,
        trigger="waiting_over_target",
        actions=[{"type": "set_priority", "priority": "urgent"}],
    )
    world.waiting(150, step=world.handle)
    client = client_as("hr")

    client.post(reverse("workflow:rule_run", args=[rule.pk]))
    assert RuleRun.objects.filter(rule=rule).count() == 1
    client.post(reverse("workflow:rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert rule.enabled is False
    response = client.post(reverse("workflow:rule_delete", args=[rule.pk]))
    assert response.url == reverse("workflow:rule_list")
    assert not AutomationRule.objects.exists()


def test_dry_run_page_writes_nothing(client_as, world):
    rule = AutomationRuleFactory(
        process=world.process, actions=[{"type": "set_priority", "priority": "urgent"}]
    )
    item = world.item(due_date=timezone.localdate() + dt.timedelta(days=2))
    client = client_as("hr")

    page = client.get(reverse("workflow:rule_test", args=[rule.pk]), {"item": item.reference})
    missing = client.get(reverse("workflow:rule_test", args=[rule.pk]), {"item": "AS-404"})

    assert page.status_code == 200
    assert page.context["result"].matched
    assert "set priority to Urgent" in page.content.decode()
    item.refresh_from_db()
    assert item.priority == "normal"
    assert not RuleRun.objects.exists()
    assert missing.status_code == 400


def test_a_manager_of_another_department_does_not_see_the_rule(client_as, world, org_tree):
    rule = AutomationRuleFactory(process=world.process)
    client = client_as("manager", unit=org_tree.d2)

    assert client.get(rule.get_absolute_url()).status_code == 404
    assert client.post(reverse("workflow:rule_toggle", args=[rule.pk])).status_code == 404
    assert client.get(reverse("workflow:rule_create")).status_code == 200
    # offered no process to create rules for: the d2 manager owns none
    page = client.get(reverse("workflow:rule_create"))
    assert list(page.context["form"].fields["process"].queryset) == []
