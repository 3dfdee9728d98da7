"""Rule services: validation against the process, permissions, time triggers (no double
firing), run now, the dry run (writes nothing), the demo rules and the periodic task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opsteam.collab.models import Notification
from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied
from opsteam.core.models import AuditEntry
from opsteam.workflow import automation, services_rules, tasks
from opsteam.workflow.choices import Trigger
from opsteam.workflow.models import AutomationRule, ProcessEvent, RuleRun, WorkItem
from opsteam.workflow.tests.factories_rules import AutomationRuleFactory, rules_world

pytestmark = pytest.mark.django_db


SLA = [{"type": "notify", "to": "assignee"}, {"type": "escalate"}]


@pytest.fixture
def hr(user_as):
    return user_as("hr")


@pytest.fixture
def world(org_tree, user_as):
    return rules_world(org_tree, manager=user_as("manager", unit=org_tree.d1))


def create(actor, world, **fields):
    fields.setdefault("name", "SLA")
    fields.setdefault("trigger", Trigger.WAITING_OVER_TARGET)
    fields.setdefault("actions", SLA)
    return services_rules.rule_create(actor=actor, process=world.process, **fields)


# Validation and permissions ------------------------------------------------------------------


def test_create_checks_steps_and_people_against_the_process(hr, world):
    with pytest.raises(automation.RuleInvalid) as caught:
        create(
            hr,
            world,
            conditions=[{"field": "step", "op": "in", "value": ["new", "ship"]}],
            actions=[{"type": "move", "step": "review"}, {"type": "assign", "to": "NOBODY"}],
        )

    found = {(p.part, p.index, p.key) for p in caught.value.problems}
    assert found == {("conditions", 0, "value"), ("actions", 1, "to")}
    assert "'ship'" in caught.value.message
    assert "'NOBODY'" in caught.value.message
    assert not AutomationRule.objects.exists()


def test_create_is_audited(hr, world):
    rule = create(hr, world, step_code="handle")

    entry = AuditEntry.objects.get(object_type="workflow.automationrule", object_id=str(rule.pk))
    assert entry.action == "create"
    assert entry.actor == hr


def test_unknown_step_code_of_the_rule(hr, world):
    with pytest.raises(automation.RuleInvalid) as caught:
        create(hr, world, step_code="packing")

    assert caught.value.problems[0].part == "step_code"


def test_a_manager_maintains_only_rules_of_processes_their_unit_owns(world, org_tree, user_as):
    from opsteam.org.tests.factories import ProcessFactory

    d1_manager, d2_manager = world.manager, user_as("manager", unit=org_tree.d2)
    finance = ProcessFactory(owner_unit=org_tree.d2)

    rule = create(d1_manager, world)
    with pytest.raises(PolicyDenied):
        services_rules.rule_create(
            actor=d1_manager, process=finance, name="x", trigger="item_created", actions=SLA
        )
    with pytest.raises(PolicyDenied):  # global rules are HR's and administrators'
        services_rules.rule_create(
            actor=d1_manager, process=None, name="x", trigger="item_created", actions=SLA
        )
    with pytest.raises(NotVisible):
        services_rules.rule_update(actor=d2_manager, rule=rule, name="mine now")
    with pytest.raises(PolicyDenied):  # cannot move an own rule to another unit's process
        services_rules.rule_update(actor=d1_manager, rule=rule, process=finance)
    operator = user_as("operator")
    with pytest.raises(PolicyDenied):
        create(operator, world)
    services_rules.rule_update(actor=d1_manager, rule=rule, name="超时提醒")
    rule.refresh_from_db()
    assert rule.name == "超时提醒"


def test_hr_creates_global_rules(hr):
    rule = services_rules.rule_create(
        actor=hr, process=None, name="全局", trigger="due_passed", actions=SLA
    )

    assert rule.process is None


# Time triggers --------------------------------------------------------------------------------


def test_waiting_over_target_fires_once_per_step_visit(hr, world):
    rule = create(hr, world)
    late = world.waiting(150, step=world.handle, assignee=world.agent_a)  # target 120 min
    world.waiting(30, step=world.handle)  # within target
    world.waiting(150, step=world.handle, status="done")  # closed

    first = services_rules.rules_scan()
    second = services_rules.rules_scan()

    assert (first.matched, second.matched) == (1, 0)
    [run] = RuleRun.objects.filter(rule=rule)
    assert run.item == late
    assert run.trigger == Trigger.WAITING_OVER_TARGET
    assert (
        Notification.objects.filter(recipient=world.agent_a.user).count() == 2
    )  # notify + escalate
    late.refresh_from_db()
    assert late.priority == "high"

    # a new visit of a step (after the run) may fire again
    RuleRun.objects.update(ran_at=timezone.now() - dt.timedelta(minutes=300))
    late.step_started_at = timezone.now() - dt.timedelta(minutes=200)
    late.save(update_fields=["step_started_at"])
    assert services_rules.rules_scan().matched == 1


def test_due_passed_and_step_filter(hr, world):
    create(hr, world, trigger=Trigger.DUE_PASSED, step_code="new")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    overdue = world.item(due_date=yesterday)
    world.item(due_date=yesterday, step=world.handle)
    world.item(due_date=timezone.localdate())

    report = services_rules.rules_scan()

    assert report.matched == 1
    assert RuleRun.objects.get().item == overdue


def test_daily_schedule_once_a_day_weekly_on_mondays(hr, world):
    daily = create(
        hr, world, trigger=Trigger.SCHEDULE_DAILY, actions=[{"type": "notify", "to": "assignee"}]
    )
    weekly = create(
        hr,
        world,
        name="weekly",
        trigger=Trigger.SCHEDULE_WEEKLY,
        actions=[{"type": "notify", "to": "assignee"}],
    )
    world.item(assignee=world.agent_a)
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    tuesday = timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(9)))

    services_rules.rules_scan(now=tuesday)
    services_rules.rules_scan(now=tuesday)

    assert RuleRun.objects.filter(rule=daily).count() == 1
    assert RuleRun.objects.filter(rule=weekly).count() == 0


def test_run_now_is_for_time_rules_and_is_audited(hr, world):
    rule = create(hr, world)
    world.waiting(150, step=world.handle)
    event_rule = create(hr, world, name="on create", trigger=Trigger.ITEM_CREATED)

    report = services_rules.rule_run_now(actor=hr, rule=rule)
    again = services_rules.rule_run_now(actor=hr, rule=rule)

    assert (report.matched, again.matched) == (1, 0)
    assert (
        AuditEntry.objects.filter(
            object_type="workflow.automationrule", object_id=str(rule.pk), action="other"
        ).count()
        == 2
    )
    with pytest.raises(InvalidTransition):
        services_rules.rule_run_now(actor=hr, rule=event_rule)


def test_disabled_rules_do_not_scan(hr, world):
    rule = create(hr, world)
    services_rules.rule_set_enabled(actor=hr, rule=rule, enabled=False)
    world.waiting(150, step=world.handle)

    assert services_rules.rules_scan().matched == 0


def test_the_periodic_task_reports_what_it_did(hr, world):
    create(hr, world)
    world.waiting(150, step=world.handle)

    assert tasks.rules_scan_task.delay().get() == {
        "rules": 1,
        "evaluated": 1,
        "matched": 1,
        "failed": 0,
    }


# Dry run -------------------------------------------------------------------------------------


def _counts():
    return (
        RuleRun.objects.count(),
        Notification.objects.count(),
        AuditEntry.objects.count(),
        WorkItem.objects.count(),
        ProcessEvent.objects.count(),
    )


def test_dry_run_shows_what_would_happen_and_writes_nothing(hr, world):
    rule = create(
        hr,
        world,
        conditions=[{"field": "priority", "op": "ne", "value": "urgent"}],
        actions=[
            *SLA,
            {"type": "move", "step": "review"},
            {"type": "assign", "to": "least_loaded"},
            {"type": "create_follow_up", "title": "回访 {reference}"},
        ],
    )
    item = world.waiting(150, step=world.handle, assignee=world.agent_a)
    before = _counts()
    state = WorkItem.objects.filter(pk=item.pk).values().get()

    result = services_rules.rule_dry_run(actor=hr, rule=rule, item=item)

    assert result.matched
    assert result.error == ""
    assert [c.held for c in result.conditions] == [True]
    assert [a["action"] for a in result.actions] == [
        "notify",
        "escalate",
        "move",
        "assign",
        "create_follow_up",
    ]
    assert all(a["status"] == "done" for a in result.actions)
    assert _counts() == before
    assert WorkItem.objects.filter(pk=item.pk).values().get() == state
    assert (item.priority, item.step, item.assignee) == ("normal", world.handle, world.agent_a)


def test_dry_run_needs_to_see_the_rule_and_the_item(world, org_tree, user_as, hr):
    rule = create(hr, world)
    item = world.item()
    with pytest.raises(NotVisible):
        services_rules.rule_dry_run(actor=user_as("operator"), rule=rule, item=item)


def test_dry_run_tells_a_time_rule_already_fired(hr, world):
    rule = create(hr, world)
    item = world.waiting(150, step=world.handle)
    services_rules.rules_scan()

    assert services_rules.rule_dry_run(actor=hr, rule=rule, item=item).already_fired


# Demo ----------------------------------------------------------------------------------------


def test_demo_rules_are_idempotent_and_auto_assign_new_tickets(hr, world):
    first = services_rules.demo_rules(world.process, hr)
    second = services_rules.demo_rules(world.process, hr)

    assert [r.pk for r in first] == [r.pk for r in second]
    assert {r.trigger for r in first} == {Trigger.WAITING_OVER_TARGET, Trigger.ITEM_CREATED}
    world.item(assignee=world.agent_a)
    ticket = world.item()
    automation.run_event_rules(item=ticket, trigger=Trigger.ITEM_CREATED)
    ticket.refresh_from_db()
    assert ticket.assignee == world.agent_b
    task = world.item(kind="task")
    assert automation.run_event_rules(item=task, trigger=Trigger.ITEM_CREATED) == []


def test_delete_removes_the_rule_and_is_audited(hr, world):
    rule = create(hr, world)
    pk = rule.pk

    services_rules.rule_delete(actor=hr, rule=rule)

    assert not AutomationRule.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(
        object_type="workflow.automationrule", object_id=str(pk), action="delete"
    ).exists()


def test_the_factory_rule_is_valid():
    rule = AutomationRuleFactory.build()
    assert (
        automation.validate_definition(
            trigger=rule.trigger, step_code="", conditions=rule.conditions, actions=rule.actions
        )
        == []
    )
