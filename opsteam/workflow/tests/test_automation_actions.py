"""Rules acting on work items: each action's effect, event triggers, failures logged and not
raised, notifications in the inboxes."""

from __future__ import annotations

import pytest

from opsteam.collab.models import Notification
from opsteam.core.models import AuditEntry
from opsteam.workflow import automation, services_rules
from opsteam.workflow.choices import LinkKind, Trigger
from opsteam.workflow.models import ProcessEvent, RuleRun, WorkItem, WorkItemLink
from opsteam.workflow.tests.factories_rules import AutomationRuleFactory, rules_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_tree):
    return rules_world(org_tree)


def rule(world, *actions, conditions=(), trigger=Trigger.ITEM_CREATED, **fields):
    return AutomationRuleFactory(
        process=world.process,
        trigger=trigger,
        conditions=list(conditions),
        actions=list(actions),
        **fields,
    )


def fire(item, trigger=Trigger.ITEM_CREATED):
    return automation.run_event_rules(item=item, trigger=trigger, actor=None)


def inbox(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_assign_to_a_named_person(world):
    rule(world, {"type": "assign", "to": "CS002"})
    item = world.item()

    [run] = fire(item)

    item.refresh_from_db()
    assert item.assignee == world.agent_b
    assert run.matched
    assert run.error == ""
    assert run.outcome[0]["status"] == "done"
    assert run.outcome[0]["staff"] == "CS002"
    entry = AuditEntry.objects.filter(object_type="workflow.workitem", object_id=str(item.pk)).get()
    assert entry.actor is None
    assert "Automation rule" in entry.note


def test_least_loaded_picks_the_holder_with_fewest_open_items(world):
    world.item(assignee=world.agent_a)
    world.item(assignee=world.agent_a)
    world.item(assignee=world.agent_b)
    world.item(assignee=world.agent_b, status="done")  # closed items do not count
    rule(world, {"type": "assign", "to": "least_loaded"})
    item = world.item()

    fire(item)

    item.refresh_from_db()
    assert item.assignee == world.agent_b


def test_step_owner_without_holders_is_skipped_not_failed(world):
    rule(world, {"type": "assign", "to": "step_owner"})
    item = world.item(step=world.review)  # nobody holds the review position

    [run] = fire(item)

    assert run.error == ""
    assert run.outcome[0]["status"] == "skipped"
    item.refresh_from_db()
    assert item.assignee is None


def test_move_writes_the_event_of_the_step_visit_it_ends(world):
    rule(world, {"type": "move", "step": "handle"})
    item = world.waiting(30, assignee=world.agent_a)
    started = item.step_started_at

    fire(item)

    item.refresh_from_db()
    assert item.step == world.handle
    assert item.step_started_at > started
    event = ProcessEvent.objects.get(work_item=item)
    assert (event.step, event.case_id, event.staff) == (world.new, item.reference, world.agent_a)
    assert event.started_at == started
    assert event.completed_at == item.step_started_at
    assert event.source.kind == "work_items"


def test_set_priority(world):
    rule(world, {"type": "set_priority", "priority": "urgent"})
    item = world.item()

    fire(item)

    item.refresh_from_db()
    assert item.priority == "urgent"


def test_notify_assignee_and_named_staff_lands_once_in_each_inbox(world):
    rule(
        world,
        {
            "type": "notify",
            "to": ["assignee", "staff:CS001", "reporter"],
            "message": "{reference} 需要处理",
        },
    )
    item = world.item(assignee=world.agent_a, title="退款申请")

    [run] = fire(item)

    [note] = inbox(world.agent_a.user)
    assert note.kind == "workflow-rule"
    assert item.reference in note.title
    assert note.body == f"{item.reference} 需要处理"
    assert note.url == f"/workflow/items/{item.pk}/"
    assert run.outcome[0]["recipients"] == 1


def test_notify_team_managers(world):
    rule(world, {"type": "notify", "to": "team_managers"})
    item = world.item()

    fire(item)

    assert len(inbox(world.manager)) == 1


def test_escalate_notifies_managers_and_the_position_and_raises_priority(world):
    rule(world, {"type": "escalate", "message": "{reference} 超时"})
    item = world.item(priority="high")

    [run] = fire(item)

    item.refresh_from_db()
    assert item.priority == "urgent"
    for user in (world.manager, world.agent_a.user, world.agent_b.user):
        [note] = inbox(user)
        assert note.title.startswith("Escalated")
    assert run.outcome[0]["recipients"] == 3


def test_create_follow_up_links_a_new_item(world):
    rule(
        world,
        {
            "type": "create_follow_up",
            "title": "回访 {reference}",
            "step": "review",
            "assignee": "same",
        },
    )
    item = world.item(assignee=world.agent_a)

    [run] = fire(item)

    follow_up = WorkItem.objects.exclude(pk=item.pk).get()
    assert follow_up.title == f"回访 {item.reference}"
    assert (follow_up.step, follow_up.assignee, follow_up.unit) == (
        world.review,
        world.agent_a,
        item.unit,
    )
    assert follow_up.reference.startswith("AS-")
    assert WorkItemLink.objects.filter(
        source=follow_up, target=item, kind=LinkKind.FOLLOWS_UP
    ).exists()
    assert run.outcome[0]["reference"] == follow_up.reference


def test_rules_listen_to_their_trigger_process_and_step(world, org_tree):
    from opsteam.org.tests.factories import ProcessFactory

    moved_to_handle = rule(
        world,
        {"type": "set_priority", "priority": "high"},
        trigger=Trigger.ITEM_MOVED,
        step_code="handle",
    )
    rule(world, {"type": "set_priority", "priority": "low"}, trigger=Trigger.STATUS_CHANGED)
    AutomationRuleFactory(process=ProcessFactory(), trigger=Trigger.ITEM_MOVED)
    global_rule = AutomationRuleFactory(
        process=None, trigger=Trigger.ITEM_MOVED, actions=[{"type": "notify", "to": "assignee"}]
    )
    rule(
        world,
        {"type": "set_priority", "priority": "low"},
        trigger=Trigger.ITEM_MOVED,
        enabled=False,
    )
    item = world.item(step=world.handle)

    runs = fire(item, Trigger.ITEM_MOVED)

    assert [run.rule for run in runs] == [moved_to_handle, global_rule]
    assert fire(world.item(step=world.new), Trigger.ITEM_MOVED)[0].rule == global_rule


def test_conditions_that_do_not_hold_do_nothing_and_log_nothing(world):
    rule(
        world,
        {"type": "set_priority", "priority": "urgent"},
        conditions=[{"field": "title_contains", "op": "contains", "value": "投诉"}],
    )
    item = world.item(title="咨询物流")

    assert fire(item) == []
    assert RuleRun.objects.count() == 0


def test_a_failing_action_is_logged_rolled_back_and_not_raised(world, monkeypatch):
    def explode(ctx, action):
        raise RuntimeError("IM gateway down")

    monkeypatch.setitem(services_rules.EXECUTORS, "notify", explode)
    failing = rule(
        world,
        {"type": "set_priority", "priority": "urgent"},
        {"type": "notify", "to": "assignee"},
    )
    fine = rule(world, {"type": "assign", "to": "CS001"})
    item = world.item(priority="normal")

    runs = fire(item)

    assert [run.rule for run in runs] == [failing, fine]
    assert "RuntimeError: IM gateway down" in runs[0].error
    assert runs[0].outcome[0]["status"] == "rolled_back"
    item.refresh_from_db()
    assert item.priority == "normal"  # the failed rule's first action was rolled back
    assert item.assignee == world.agent_a  # the next rule still ran
    assert item.priority == "normal"


def test_actions_of_a_rule_fire_no_further_rules(world):
    rule(world, {"type": "move", "step": "handle"})
    rule(world, {"type": "set_priority", "priority": "urgent"}, trigger=Trigger.ITEM_MOVED)
    item = world.item()

    fire(item)

    item.refresh_from_db()
    assert item.step == world.handle
    assert item.priority == "normal"
    assert RuleRun.objects.count() == 1


def test_the_users_write_survives_a_failing_rule_in_the_same_transaction(world, monkeypatch):
    from django.db import transaction

    monkeypatch.setitem(services_rules.EXECUTORS, "assign", lambda ctx, action: 1 / 0)
    rule(world, {"type": "assign", "to": "CS001"})
    with transaction.atomic():
        item = world.item(title="用户的写入")
        fire(item)

    assert WorkItem.objects.filter(title="用户的写入").exists()
    assert "ZeroDivisionError" in RuleRun.objects.get().error
