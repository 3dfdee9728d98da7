"""Shared factories of the workflow domain (maps, steps, transitions, work items, events).

Other areas add their own factories in ``factories_<area>.py`` and import these.
"""

import datetime as dt

import factory
from django.utils import timezone

from opsteam.workflow import models
from opsteam.workflow.choices import ItemStatus, MapStatus


class ProcessMapFactory(factory.django.DjangoModelFactory):
    """A map version; published by default (set ``status=MapStatus.DRAFT`` for a draft)."""

    class Meta:
        model = models.ProcessMap

    process = factory.SubFactory("opsteam.org.tests.factories.ProcessFactory")
    version = 1
    status = MapStatus.PUBLISHED
    change_note = ""
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == MapStatus.PUBLISHED else None
    )


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Step

    map = factory.SubFactory(ProcessMapFactory)
    code = factory.Sequence(lambda n: f"step-{n}")
    name = factory.Sequence(lambda n: f"环节{n}")
    name_en = factory.Sequence(lambda n: f"Step {n}")
    position = factory.SubFactory("opsteam.org.tests.factories.PositionFactory")
    target_minutes = 60
    order = factory.Sequence(lambda n: n)


class TransitionFactory(factory.django.DjangoModelFactory):
    """A handoff between two steps of the same map (both default to new steps of ``map``)."""

    class Meta:
        model = models.Transition

    map = factory.SubFactory(ProcessMapFactory)
    source = factory.SubFactory(StepFactory, map=factory.SelfAttribute("..map"))
    target = factory.SubFactory(StepFactory, map=factory.SelfAttribute("..map"))
    handoff_target_minutes = 30


class WorkItemFactory(factory.django.DjangoModelFactory):
    """An open item in ``step`` (defaults to none: pass ``step=`` to put it on the board)."""

    class Meta:
        model = models.WorkItem

    process = factory.SubFactory("opsteam.org.tests.factories.ProcessFactory")
    step = None
    reference = factory.Sequence(lambda n: f"WI-{n:05d}")
    title = factory.Sequence(lambda n: f"工作项{n}")
    status = ItemStatus.OPEN
    unit = factory.SubFactory("opsteam.org.tests.factories.OrgUnitFactory")
    step_started_at = factory.LazyFunction(timezone.now)


class EventSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EventSource

    process = factory.SubFactory("opsteam.org.tests.factories.ProcessFactory")
    name = factory.Sequence(lambda n: f"工单系统{n}")
    kind = "csv"
    mapping = factory.LazyFunction(
        lambda: {
            "case": "case",
            "step": "step",
            "resource": "resource",
            "start": "start",
            "complete": "complete",
        }
    )


class ProcessEventFactory(factory.django.DjangoModelFactory):
    """One event: ``case_id`` spent an hour in ``step_name``, ending now."""

    class Meta:
        model = models.ProcessEvent

    process = factory.SubFactory("opsteam.org.tests.factories.ProcessFactory")
    case_id = factory.Sequence(lambda n: f"C{n:05d}")
    step_name = factory.Sequence(lambda n: f"环节{n}")
    resource = "张三"
    completed_at = factory.LazyFunction(timezone.now)
    started_at = factory.LazyAttribute(lambda o: o.completed_at - dt.timedelta(hours=1))
