"""Factories and a small world for the automation-rule tests.

``rules_world(org_tree)``: the after-sales process owned by D1 with a published map
(new → handle → review), the "客服专员" position responsible for "new" and "handle", two
agents holding it in T1, a T1 manager, and the helpers to make items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from opsteam.workflow import models
from opsteam.workflow.choices import ItemKind, Trigger


class AutomationRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AutomationRule

    process = factory.SubFactory("opsteam.org.tests.factories.ProcessFactory")
    name = factory.Sequence(lambda n: f"规则{n}")
    trigger = Trigger.ITEM_CREATED
    conditions = factory.LazyFunction(list)
    actions = factory.LazyFunction(lambda: [{"type": "set_priority", "priority": "high"}])
    enabled = True


class RuleRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RuleRun

    rule = factory.SubFactory(AutomationRuleFactory)
    trigger = Trigger.ITEM_CREATED
    matched = True
    outcome = factory.LazyFunction(
        lambda: [{"action": "set_priority", "status": "done", "detail": "set priority to High"}]
    )


@dataclass
class RulesWorld:
    process: Any
    map: Any
    new: Any
    handle: Any
    review: Any
    position: Any
    agent_a: Any
    agent_b: Any
    team: Any
    manager: Any

    def item(self, **fields: Any) -> Any:
        from opsteam.workflow.tests.factories import WorkItemFactory

        fields.setdefault("process", self.process)
        fields.setdefault("unit", self.team)
        fields.setdefault("step", self.new)
        fields.setdefault("kind", ItemKind.TICKET)
        return WorkItemFactory(**fields)

    def waiting(self, minutes: int, **fields: Any) -> Any:
        """An item that entered its step ``minutes`` ago."""
        return self.item(step_started_at=timezone.now() - dt.timedelta(minutes=minutes), **fields)


def rules_world(org_tree: Any, *, manager: Any = None) -> RulesWorld:
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import PositionFactory, ProcessFactory, StaffFactory
    from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory

    process = ProcessFactory(code="AS", name="售后工单处理", name_en="After-sales tickets")
    process.owner_unit = org_tree.d1
    process.save(update_fields=["owner_unit"])
    process_map = ProcessMapFactory(process=process)
    position = PositionFactory(code="CS", name="客服专员", name_en="Service agent")
    reviewer = PositionFactory(code="CSL", name="客服主管", name_en="Service lead")
    new = StepFactory(map=process_map, code="new", name="受理", position=position, order=1)
    handle = StepFactory(
        map=process_map, code="handle", name="处理", position=position, order=2, target_minutes=120
    )
    review = StepFactory(map=process_map, code="review", name="复核", position=reviewer, order=3)
    agent_a = StaffFactory(
        employee_no="CS001", unit=org_tree.t1, position=position, user=UserFactory(username="cs1")
    )
    agent_b = StaffFactory(
        employee_no="CS002", unit=org_tree.t1, position=position, user=UserFactory(username="cs2")
    )
    if manager is None:
        manager = UserFactory(username="t1-manager")
        RoleGrantFactory(user=manager, role="manager", unit=org_tree.t1)
    return RulesWorld(
        process=process,
        map=process_map,
        new=new,
        handle=handle,
        review=review,
        position=position,
        agent_a=agent_a,
        agent_b=agent_b,
        team=org_tree.t1,
        manager=manager,
    )
