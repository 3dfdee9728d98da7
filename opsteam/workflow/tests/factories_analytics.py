"""A small analysable process: a published map of three steps with owners and targets, three
people, and a log with a known bottleneck (审核 → 上架 waits 5 h against a 2 h target) and one
rework loop (a case goes back from 审核 to 提交 once)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from opsteam.org.tests.factories import PositionFactory, ProcessFactory, StaffFactory
from opsteam.workflow.models import ProcessEvent
from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory, TransitionFactory


@dataclass
class Log:
    process: Any
    process_map: Any
    steps: dict[str, Any]  # code -> Step
    people: dict[str, Any]  # code -> Staff
    start: dt.datetime  # the first case's start
    cases: list[str]


def build_log(*, unit: Any, cases: int = 4, days_ago: int = 10) -> Log:
    """``cases`` cases, one a day from ``days_ago`` days ago: 提交 (1 h) → 30 min → 审核
    (30 min) → 5 h → 上架 (15 min); the first case goes back once (审核 → 提交 → 审核)."""
    process = ProcessFactory(owner_unit=unit, code=f"PR-T{unit.code}", name="测试流程")
    process_map = ProcessMapFactory(process=process)
    positions = {
        "submit": PositionFactory(name="提交专员", name_en="Submitter"),
        "review": PositionFactory(name="审核主管", name_en="Reviewer"),
        "publish": PositionFactory(name="上架专员", name_en="Publisher"),
    }
    names = {
        "submit": ("提交", "Submit"),
        "review": ("审核", "Review"),
        "publish": ("上架", "Go live"),
    }
    steps = {
        code: StepFactory(
            map=process_map,
            code=code,
            name=names[code][0],
            name_en=names[code][1],
            position=positions[code],
            target_minutes=minutes,
            order=order,
        )
        for order, (code, minutes) in enumerate(
            (("submit", 90), ("review", 20), ("publish", 30)), start=1
        )
    }
    TransitionFactory(
        map=process_map,
        source=steps["submit"],
        target=steps["review"],
        handoff_target_minutes=60,
    )
    TransitionFactory(
        map=process_map,
        source=steps["review"],
        target=steps["publish"],
        handoff_target_minutes=120,
    )
    people = {
        code: StaffFactory(
            unit=unit, position=position, employee_no=f"T{code[:3].upper()}{unit.pk}"
        )
        for code, position in positions.items()
    }
    start = (timezone.now() - dt.timedelta(days=days_ago)).replace(microsecond=0)
    case_ids = []
    events = []
    for n in range(cases):
        case = f"CASE-{n + 1:03d}"
        case_ids.append(case)
        t = start + dt.timedelta(days=n)
        path = ["submit", "review", "submit", "review", "publish"] if n == 0 else None
        path = path or ["submit", "review", "publish"]
        previous = None
        for code in path:
            if previous == "submit":
                t += dt.timedelta(minutes=30)
            elif previous == "review" and code == "publish":
                t += dt.timedelta(hours=5)
            elif previous == "review":
                t += dt.timedelta(minutes=10)
            length = {"submit": 60, "review": 30, "publish": 15}[code]
            events.append(
                ProcessEvent(
                    process=process,
                    case_id=case,
                    step_name=steps[code].name,
                    step=steps[code],
                    resource=people[code].employee_no,
                    staff=people[code],
                    started_at=t,
                    completed_at=t + dt.timedelta(minutes=length),
                )
            )
            t += dt.timedelta(minutes=length)
            previous = code
    ProcessEvent.objects.bulk_create(events)
    return Log(process, process_map, steps, people, start, case_ids)
