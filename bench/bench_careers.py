"""Careers and incentives at scale: promotion eligibility and bonus allocation for 10,000 people.

Data: 10,000 staff (SQLite: 2,000) in 20 teams, spread over a professional track P1..P5 and a
management track M1..M3 (P3 may move to M1), each level with a published standard (time in
level, three competencies, two courses, a certificate for the top levels, "two A or better and
none below B in the last four cycles", a defence score for M levels); every person has an
assignment history, skill levels, completed courses, certificates and four published cycles of
grades. The bonus pool covers everyone graded in the latest cycle, with a salary each.

Figures (medians of RUNS runs):
- eligibility of every person against every next level (``careers.selectors.eligibility_for``:
  five reads whatever the head count, then the pure engine), against the straightforward way:
  the same reads per person (``person_records([person])``) and one evaluation each, measured on
  SAMPLE people and extrapolated; the results are asserted equal on the sample;
- the engine alone on the same records;
- allocating the pool (``incentives.services.pool_allocate``: participants, the engine, one
  bulk insert of the lines), against writing the same lines one ``save()`` at a time after the
  same allocation, measured on SAMPLE lines and extrapolated; the engine alone as a third figure.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from decimal import Decimal
from typing import Any

import numpy as np

STAFF = {"postgresql": 10_000, "sqlite": 2_000}
if os.environ.get("OPSTEAM_BENCH_STAFF"):
    STAFF = dict.fromkeys(STAFF, int(os.environ["OPSTEAM_BENCH_STAFF"]))
TEAMS = 20
SAMPLE = 200
RUNS = 3
TODAY = dt.date(2026, 6, 30)
CYCLE_ENDS = [dt.date(2025, 9, 30), dt.date(2025, 12, 31), dt.date(2026, 3, 31), TODAY]
GRADES = ["S", "A", "B", "C", "D"]


def _setup(backend: str) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from bench.orgdata import org_units
    from bench.orgdata import positions as org_positions
    from opsteam.accounts.models import RoleGrant
    from opsteam.careers.models import (
        CareerStep,
        CareerTrack,
        LevelStandard,
        StandardCertificate,
        StandardCompetency,
        StandardCourse,
    )
    from opsteam.org.models import Assignment, Compensation, JobLevel, Skill, Staff, StaffSkill
    from opsteam.performance.models import Review, ReviewCycle
    from opsteam.training.models import Certificate, Course, Enrolment

    people = STAFF[backend]
    rng = np.random.default_rng(11)
    root, _departments, teams = org_units(0, TEAMS)
    positions = org_positions(4, code="P{}")
    pro = [
        JobLevel.objects.create(code=f"P{r}", name=f"专业{r}", track="professional", rank=r)
        for r in range(1, 6)
    ]
    mgmt = [
        JobLevel.objects.create(code=f"M{r}", name=f"管理{r}", track="management", rank=r)
        for r in range(1, 4)
    ]
    for code, kind, levels in (("PRO", "professional", pro), ("MGT", "management", mgmt)):
        track = CareerTrack.objects.create(code=code, name=code, kind=kind)
        for order, level in enumerate(levels, start=1):
            step = CareerStep.objects.create(track=track, level=level, order=order)
            if level.code == "M1":
                step.entry_from.set([pro[2]])
    skills = [
        Skill.objects.create(code=f"SK{s}", name=f"能力{s}", category="professional")
        for s in range(6)
    ]
    courses = [
        Course.objects.create(code=f"C{c:02d}", name=f"课程{c}", category="data") for c in range(12)
    ]
    for index, level in enumerate(pro[1:] + mgmt):
        standard = LevelStandard.objects.create(
            level=level,
            version=1,
            status="published",
            min_months_in_level=12,
            appraisal_window=4,
            appraisal_min_count=2,
            appraisal_at_least="A",
            appraisal_none_below="B",
            min_assessment_score=Decimal("75") if level.track == "management" else None,
        )
        StandardCompetency.objects.bulk_create(
            StandardCompetency(standard=standard, skill=skills[(index + k) % 6], min_level=3)
            for k in range(3)
        )
        StandardCourse.objects.bulk_create(
            StandardCourse(standard=standard, course=courses[(2 * index + k) % 12])
            for k in range(2)
        )
        if level.rank >= 4:
            StandardCertificate.objects.create(standard=standard, course=courses[11])
    all_levels = pro + mgmt
    level_of = rng.choice(len(all_levels), people, p=[0.3, 0.25, 0.2, 0.1, 0.05, 0.05, 0.03, 0.02])
    hire_offsets = rng.integers(400, 3000, people)
    Staff.objects.bulk_create(
        [
            Staff(
                employee_no=f"E{i:06d}",
                name=f"员工{i}",
                hire_date=TODAY - dt.timedelta(days=int(hire_offsets[i])),
                unit=teams[i % TEAMS],
                position=positions[i % 4],
                level=all_levels[level_of[i]],
            )
            for i in range(people)
        ],
        batch_size=2000,
    )
    staff = list(
        Staff.objects.order_by("pk").only("pk", "hire_date", "unit_id", "level_id", "position_id")
    )
    promoted = rng.integers(0, 700, people)
    assignments, skill_rows, enrolments, certificates, salaries = [], [], [], [], []
    for i, person in enumerate(staff):
        level_since = max(person.hire_date, TODAY - dt.timedelta(days=int(promoted[i])))
        if level_since > person.hire_date:
            assignments.append(
                Assignment(
                    staff_id=person.pk,
                    start_date=person.hire_date,
                    end_date=level_since - dt.timedelta(days=1),
                    unit_id=person.unit_id,
                    position_id=person.position_id,
                    level=pro[0],
                    reason="hire",
                )
            )
        assignments.append(
            Assignment(
                staff_id=person.pk,
                start_date=level_since,
                unit_id=person.unit_id,
                position_id=person.position_id,
                level_id=person.level_id,
                reason="promotion" if level_since > person.hire_date else "hire",
            )
        )
        for s in rng.choice(6, 4, replace=False):
            skill_rows.append(
                StaffSkill(
                    staff_id=person.pk,
                    skill=skills[int(s)],
                    level=int(rng.integers(1, 6)),
                    source="import",
                    recorded_on=TODAY,
                )
            )
        for c in rng.choice(12, 5, replace=False):
            enrolments.append(
                Enrolment(
                    staff_id=person.pk,
                    course=courses[int(c)],
                    source="manual",
                    status="completed",
                    completed_on=TODAY - dt.timedelta(days=int(rng.integers(1, 500))),
                )
            )
        if i % 3 == 0:
            certificates.append(
                Certificate(
                    staff_id=person.pk,
                    course=courses[11],
                    source="course",
                    name=courses[11].name,
                    issued_on=TODAY - dt.timedelta(days=300),
                    expires_on=TODAY + dt.timedelta(days=int(rng.integers(-100, 400))),
                )
            )
        salaries.append(
            Compensation(
                staff_id=person.pk,
                effective_from=person.hire_date,
                base_salary=Decimal(int(rng.integers(8, 40)) * 1000),
            )
        )
    for model, rows in (
        (Assignment, assignments),
        (StaffSkill, skill_rows),
        (Enrolment, enrolments),
        (Certificate, certificates),
    ):
        model.objects.bulk_create(rows, batch_size=2000)
    Compensation.objects.bulk_create(salaries, batch_size=2000)
    cycles = [
        ReviewCycle.objects.create(
            name=f"{end:%Y-%m}",
            period_kind="quarterly",
            period_start=(end.replace(day=1) - dt.timedelta(days=62)).replace(day=1),
            period_end=end,
            stage="published",
        )
        for end in CYCLE_ENDS
    ]
    grade_draws = rng.choice(5, (len(cycles), people), p=[0.1, 0.3, 0.45, 0.12, 0.03])
    reviews = [
        Review(
            cycle=cycle,
            staff_id=person.pk,
            unit_id=person.unit_id,
            position_id=person.position_id,
            status="published",
            grade=GRADES[int(grade_draws[c, i])],
            kpi_score=Decimal(int(rng.integers(60, 120))),
        )
        for c, cycle in enumerate(cycles)
        for i, person in enumerate(staff)
    ]
    Review.objects.bulk_create(reviews, batch_size=2000)
    hr = get_user_model().objects.create(username="bench-hr")
    RoleGrant.objects.create(user=hr, role="hr")
    return {"people": people, "root": root, "cycle": cycles[-1], "hr": hr}


def _eligibility(data: dict[str, Any]) -> list[dict]:
    from opsteam.careers import eligibility as engine
    from opsteam.careers import selectors
    from opsteam.org.models import Staff

    staff = list(Staff.objects.order_by("pk").only("pk", "level_id", "unit_id", "hire_date"))
    times, results = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        results = selectors.eligibility_for(staff, today=TODAY)
        times.append(time.perf_counter() - started)
    records = selectors.person_records(staff, today=TODAY)
    standards = {
        level: selectors.to_engine_standard(row)
        for level, row in selectors.published_standards().items()
    }
    follows = selectors.next_levels_map()
    mapping = {
        level: [standards[target] for target in targets] for level, targets in follows.items()
    }
    engine_times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        engine.evaluate_many(records.values(), mapping, scale=selectors.grade_scale(), today=TODAY)
        engine_times.append(time.perf_counter() - started)
    # baseline: per person, the same reads and one evaluation per next level
    sample = staff[:: max(1, len(staff) // SAMPLE)][:SAMPLE]
    by_key = {(r.staff_id, r.level_id): r for r in results}
    baseline_times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        slow = []
        for person in sample:
            record = selectors.person_records([person], today=TODAY)[person.pk]
            for target in follows.get(person.level_id, []):
                slow.append(
                    engine.evaluate(
                        record, standards[target], scale=selectors.grade_scale(), today=TODAY
                    )
                )
        baseline_times.append((time.perf_counter() - started) * len(staff) / len(sample))
    for item in slow:
        assert by_key[(item.staff_id, item.level_id)] == item, item.staff_id
    size = f"{data['people'] // 1000}k" if data["people"] >= 1000 else str(data["people"])
    ready = sum(1 for r in results if r.ready)
    return [
        {
            "name": f"promotion eligibility, {size} staff x every next level",
            "value": statistics.median(times),
            "unit": "s",
            "baseline": statistics.median(baseline_times),
            "baseline_name": (
                f"the same reads per person + one evaluation each, {len(sample)} people"
                " measured, extrapolated; equal results asserted"
            ),
            "runs": RUNS,
            "evaluations": len(results),
            "ready": ready,
        },
        {
            "name": f"eligibility engine alone, {size} staff",
            "value": statistics.median(engine_times),
            "unit": "s",
            "runs": RUNS,
        },
    ]


def _bonus(data: dict[str, Any]) -> list[dict]:
    from django.db import transaction

    from opsteam.incentives import rewards, services
    from opsteam.incentives.models import BonusLine, BonusPolicy

    policy_row = BonusPolicy.objects.create(
        code="STD", name="标准", cap_multiple=Decimal("3"), floor_amount=Decimal("500")
    )
    pool = services.pool_create(
        actor=data["hr"],
        cycle=data["cycle"],
        unit=data["root"],
        policy_row=policy_row,
        budget=Decimal(data["people"]) * Decimal("15000"),
    )
    times = []
    allocation = None
    for _ in range(RUNS):
        started = time.perf_counter()
        allocation = services.pool_allocate(actor=data["hr"], pool=pool)
        times.append(time.perf_counter() - started)
    assert allocation.allocated + allocation.unallocated == pool.budget
    participants = [p for _review, p in services.pool_participants(pool)]
    engine_policy = services.engine_policy(policy_row)
    engine_times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        rewards.allocate(pool.budget, participants, engine_policy)
        engine_times.append(time.perf_counter() - started)
    lines = list(BonusLine.objects.filter(pool=pool)[:SAMPLE])
    baseline_times = []
    for _ in range(RUNS):
        with transaction.atomic():
            BonusLine.objects.filter(pool=pool).delete()
            started = time.perf_counter()
            for line in lines:
                line.pk = None
                line.save()
            baseline_times.append((time.perf_counter() - started) * len(participants) / len(lines))
            transaction.set_rollback(True)
    size = f"{data['people'] // 1000}k" if data["people"] >= 1000 else str(data["people"])
    return [
        {
            "name": f"bonus pool allocation, {size} staff (participants, engine, lines)",
            "value": statistics.median(times),
            "unit": "s",
            "baseline": statistics.median(baseline_times),
            "baseline_name": f"writing the lines one save() each, {len(lines)} measured, extrapolated",
            "runs": RUNS,
            "allocated": str(allocation.allocated),
        },
        {
            "name": f"bonus allocation engine alone, {size} participants",
            "value": statistics.median(engine_times),
            "unit": "s",
            "runs": RUNS,
        },
    ]


def run(*, backend: str) -> list[dict]:
    data = _setup(backend)
    return _eligibility(data) + _bonus(data)
