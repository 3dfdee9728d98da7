"""Training plan assignment at scale: a position-change wave touching 10,000 staff, 40 rules.

Data: 10,000 staff in 50 teams under 4 departments, 20 positions and 4 levels, hired on
2020-01-01 (closed hire assignments) and all moved on WAVE (2025-06-02) to another position
(reason position_change; one in four also changes level), inserted with ``bulk.insert_rows``.
40 active rules, each with its own plan of 3 courses out of a catalogue of 60 (so one course
sits in several plans and the earliest due date must win): 20 position-change rules (one per
position), 8 position-change rules limited to a department, 4 level-change rules (one per
level), 4 hire rules and 4 improvement-plan rules (no events in the window).

Figures (medians of RUNS runs, each inside a transaction rolled back afterwards, so every run
starts from the same state):
- ``services_catalogue.plan_rules_run(since=WAVE)``: events from the assignment history, the
  pure rules engine, bulk inserts of plan assignments and enrolments, one audit entry per
  plan assignment;
- baseline: the straightforward per-person ORM loop (for each person their assignment
  history, for each event each rule of its trigger checked, ``get_or_create`` of the plan
  assignment and of each enrolment, ``audit.record`` per assignment) on a SAMPLE of people,
  extrapolated to the population. Both produce the same plan assignments and enrolments for
  the sample (checked every run).

``OPSTEAM_BENCH_STAFF=500`` gives a quick smoke run.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from typing import Any

STAFF = 10_000
if os.environ.get("OPSTEAM_BENCH_STAFF"):
    STAFF = int(os.environ["OPSTEAM_BENCH_STAFF"])
TEAMS = 50
DEPARTMENTS = 4
POSITIONS = 20
LEVELS = 4
COURSES = 60
SAMPLE = 300
RUNS = 3
HIRED = dt.date(2020, 1, 1)
WAVE = dt.date(2025, 6, 2)
TODAY = dt.date(2025, 6, 3)


class _Rollback(Exception):
    pass


def _setup() -> dict[str, Any]:
    from django.db import transaction

    from bench.orgdata import org_units
    from bench.orgdata import positions as org_positions
    from opsteam.accounts.models import User
    from opsteam.core import bulk
    from opsteam.org.models import Assignment, JobLevel, Staff
    from opsteam.training.models import AssignmentRule, Course, PlanCourse, TrainingPlan

    admin = User.objects.create_superuser("bench-admin", password=None)
    _root, departments, teams = org_units(DEPARTMENTS, TEAMS)
    positions = org_positions(POSITIONS)
    levels = [
        JobLevel.objects.create(code=f"L{n}", name=f"职级{n}", track="professional", rank=n)
        for n in range(LEVELS)
    ]

    def old_position(i: int):
        return positions[i % POSITIONS]

    def new_position(i: int):
        return positions[(i * 7 + 3) % POSITIONS]

    def new_level(i: int):
        return levels[(i + 1) % LEVELS] if i % 4 == 0 else levels[i % LEVELS]

    Staff.objects.bulk_create(
        [
            Staff(
                employee_no=f"E{i:06d}",
                name=f"员工{i}",
                name_en=f"Staff {i}",
                hire_date=HIRED,
                unit=teams[i % TEAMS],
                position=new_position(i),
                level=new_level(i),
            )
            for i in range(STAFF)
        ],
        batch_size=2000,
    )
    staff_ids = list(Staff.objects.order_by("pk").values_list("pk", flat=True))
    fields = ("staff", "start_date", "end_date", "unit", "position", "level", "reason", "note")
    with transaction.atomic():
        bulk.insert_rows(
            Assignment,
            fields,
            [
                (
                    pk,
                    HIRED,
                    WAVE - dt.timedelta(days=1),
                    teams[i % TEAMS].pk,
                    old_position(i).pk,
                    levels[i % LEVELS].pk,
                    "hire",
                    "",
                )
                for i, pk in enumerate(staff_ids)
            ]
            + [
                (
                    pk,
                    WAVE,
                    None,
                    teams[i % TEAMS].pk,
                    new_position(i).pk,
                    new_level(i).pk,
                    "position_change",
                    "wave",
                )
                for i, pk in enumerate(staff_ids)
            ],
        )
    courses = Course.objects.bulk_create(
        [Course(code=f"C{c:03d}", name=f"课程{c}", category="tools") for c in range(COURSES)]
    )
    courses = list(Course.objects.order_by("code"))
    rules = []
    specs: list[dict[str, Any]] = []
    specs += [{"trigger": "position_change", "position": p} for p in positions]
    specs += [
        {"trigger": "position_change", "unit": departments[n % DEPARTMENTS]} for n in range(8)
    ]
    specs += [{"trigger": "level_change", "level": level} for level in levels]
    specs += [{"trigger": "hire"} for _n in range(4)]
    specs += [{"trigger": "improvement_plan"} for _n in range(4)]
    for n, spec in enumerate(specs):
        plan = TrainingPlan.objects.create(code=f"PL{n:02d}", name=f"计划{n}", stage="role_skills")
        PlanCourse.objects.bulk_create(
            [
                PlanCourse(
                    plan=plan,
                    course=courses[(n * 3 + k * 7) % COURSES],
                    order=k,
                    due_days=7 + 10 * k + n % 5,
                )
                for k in range(3)
            ]
        )
        rules.append(AssignmentRule.objects.create(plan=plan, due_days=20 + n % 30, **spec))
    return {"admin": admin, "staff_ids": staff_ids}


def _state(staff_ids: list[int] | None) -> tuple[set, set]:
    from opsteam.training.models import Enrolment, PlanAssignment

    assignments = PlanAssignment.objects.all()
    enrolments = Enrolment.objects.all()
    if staff_ids is not None:
        assignments = assignments.filter(staff_id__in=staff_ids)
        enrolments = enrolments.filter(staff_id__in=staff_ids)
    return (
        set(assignments.values_list("staff_id", "plan_id", "source_ref", "due_on")),
        set(enrolments.values_list("staff_id", "course_id", "due_on", "status")),
    )


def _set_based(admin: Any, sample: list[int]) -> tuple[float, int, tuple[set, set]]:
    from django.db import transaction

    from opsteam.training import services_catalogue

    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            result = services_catalogue.plan_rules_run(actor=admin, since=WAVE, today=TODAY)
            outcome["elapsed"] = time.perf_counter() - started
            outcome["created"] = result.assignments_created
            outcome["state"] = _state(sample)
            raise _Rollback
    except _Rollback:
        pass
    return outcome["elapsed"], outcome["created"], outcome["state"]


def _baseline(admin: Any, sample: list[int]) -> tuple[float, tuple[set, set]]:
    """The per-person ORM loop a first implementation would write."""
    from django.db import transaction

    from opsteam.core import audit
    from opsteam.core.choices import AuditAction
    from opsteam.org.models import Assignment, Staff
    from opsteam.training.models import AssignmentRule, Enrolment, PlanAssignment

    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            for staff in Staff.objects.filter(pk__in=sample).order_by("pk"):
                history = list(Assignment.objects.filter(staff=staff).order_by("start_date", "pk"))
                events = []
                for index, row in enumerate(history):
                    if row.start_date < WAVE or row.start_date > TODAY:
                        continue
                    if row.reason == "hire":
                        events.append(("hire", row))
                        continue
                    if index == 0:
                        continue
                    before = history[index - 1]
                    if row.reason in ("position_change", "promotion", "transfer") and (
                        before.position_id != row.position_id
                    ):
                        events.append(("position_change", row))
                    if before.level_id != row.level_id and row.level_id is not None:
                        events.append(("level_change", row))
                for trigger, row in events:
                    ref = f"assignment:{row.pk}"
                    for rule in AssignmentRule.objects.filter(
                        is_active=True, trigger=trigger, plan__is_active=True
                    ).order_by("pk"):
                        if rule.unit_id and not row.unit.path.startswith(rule.unit.path):
                            continue
                        if rule.position_id and rule.position_id != row.position_id:
                            continue
                        if rule.level_id and rule.level_id != row.level_id:
                            continue
                        due = row.start_date + dt.timedelta(days=rule.due_days)
                        assignment, created = PlanAssignment.objects.get_or_create(
                            staff=staff,
                            plan=rule.plan,
                            source_ref=ref,
                            defaults={
                                "rule": rule,
                                "source": "rule",
                                "assigned_on": TODAY,
                                "due_on": due,
                                "assigned_by": admin,
                            },
                        )
                        if not created:
                            continue
                        audit.record(actor=admin, action=AuditAction.CREATE, obj=assignment)
                        for item in rule.plan.items.all():
                            course_due = min(row.start_date + dt.timedelta(days=item.due_days), due)
                            enrolment, made = Enrolment.objects.get_or_create(
                                staff=staff,
                                course=item.course,
                                defaults={
                                    "source": "rule",
                                    "due_on": course_due,
                                    "plan_assignment": assignment,
                                },
                            )
                            if (
                                not made
                                and enrolment.status in ("assigned", "in_progress")
                                and (enrolment.due_on is None or course_due < enrolment.due_on)
                            ):
                                enrolment.due_on = course_due
                                enrolment.save()
            outcome["elapsed"] = time.perf_counter() - started
            outcome["state"] = _state(sample)
            raise _Rollback
    except _Rollback:
        pass
    return outcome["elapsed"], outcome["state"]


def run(*, backend: str) -> list[dict]:
    data = _setup()
    admin, staff_ids = data["admin"], data["staff_ids"]
    step = max(1, len(staff_ids) // SAMPLE)
    sample = staff_ids[::step][:SAMPLE]
    set_times, baseline_times = [], []
    created = 0
    for _run in range(RUNS):
        elapsed, created, fast_state = _set_based(admin, sample)
        set_times.append(elapsed)
        baseline_elapsed, slow_state = _baseline(admin, sample)
        baseline_times.append(baseline_elapsed)
        if fast_state != slow_state:
            missing = [len(a ^ b) for a, b in zip(fast_state, slow_state, strict=True)]
            raise AssertionError(f"set-based and baseline differ on the sample: {missing}")
    scale = len(staff_ids) / len(sample)
    size = f"{len(staff_ids) / 1000:g}k"
    return [
        {
            "name": f"training plan assignment, position-change wave, {size} people, 40 rules",
            "value": statistics.median(set_times),
            "unit": "s",
            "baseline": statistics.median(baseline_times) * scale,
            "baseline_name": (
                f"per-person ORM loop with get_or_create on {len(sample)} people,"
                f" extrapolated x{scale:g}; same assignments and enrolments on the sample"
            ),
            "runs": RUNS,
            "assignments": created,
        }
    ]
