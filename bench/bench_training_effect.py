"""Training effectiveness at scale: the results level (KPI difference in differences) of a
course taken by 2,000 of 10,000 people, over a year of daily KPI data.

Data: 10,000 staff (SQLite: 2,000) in 20 teams and 4 positions, one KPI measured daily for a
year (2025-07-01 .. 2026-06-30: 3.65M rows on PostgreSQL, inserted with ``bulk.insert_rows``,
i.e. COPY). One person in five completed the course on a date between October and March;
their KPI rises by TRUE_EFFECT after it (everyone drifts up a little over the year, so a plain
before/after comparison would overstate the effect: that is what the comparison group is for).

Figures (medians of RUNS runs):
- the report's results level, ``selectors_effectiveness.results_level``: window means (one
  grouped join per batch of 2,000 people, never the daily rows) for
  trainees and the untrained pool, nearest-neighbour matching (3 colleagues each) and the
  Welch interval, in a handful of queries and numpy;
- baseline: the straightforward per-person way, two ``Avg`` queries per trainee (before and
  after), one per pool colleague (baseline for matching), two per chosen colleague, and the
  matching in Python, measured on SAMPLE trainees and pool people and extrapolated linearly.
  The trainees' before/after means must agree with the fast path on the sample (asserted).
- the estimated effect and its interval against the true effect built into the data.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from typing import Any

import numpy as np

STAFF = {"postgresql": 10_000, "sqlite": 2_000}
if os.environ.get("OPSTEAM_BENCH_STAFF"):
    STAFF = dict.fromkeys(STAFF, int(os.environ["OPSTEAM_BENCH_STAFF"]))
TEAMS, POSITIONS = 20, 4
TRAINED_SHARE = 0.2
YEAR = (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
TRUE_EFFECT = 5.0
WINDOW = 90
SAMPLE = 100
RUNS = 3


def _setup(backend: str) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.orgdata import org_units
    from bench.orgdata import positions as org_positions
    from opsteam.core import bulk
    from opsteam.org.models import JobLevel, Staff
    from opsteam.performance.models import Kpi, Measurement
    from opsteam.training.models import Course, Enrolment

    people = STAFF[backend]
    _root, _departments, teams = org_units(0, TEAMS)
    positions = org_positions(POSITIONS, code="P{}")
    levels = [
        JobLevel.objects.create(code=f"L{r}", name=f"职级{r}", track="professional", rank=r)
        for r in range(1, 4)
    ]
    rng = np.random.default_rng(7)
    hire_offsets = rng.integers(0, 2000, people)
    Staff.objects.bulk_create(
        [
            Staff(
                employee_no=f"E{i:06d}",
                name=f"员工{i}",
                hire_date=dt.date(2025, 6, 1) - dt.timedelta(days=int(hire_offsets[i])),
                unit=teams[i % TEAMS],
                position=positions[i % POSITIONS],
                level=levels[i % 3],
            )
            for i in range(people)
        ],
        batch_size=2000,
    )
    staff_ids = np.array(Staff.objects.order_by("pk").values_list("pk", flat=True))
    kpi = Kpi.objects.create(code="GMV", name="成交额", category="goal", target=100, unit="万元")
    course = Course.objects.create(code="DATA-101", name="数据分析基础", category="data")

    trained = rng.random(people) < TRAINED_SHARE
    first_day = dt.date(2025, 10, 1).toordinal()
    course_days = first_day + rng.integers(0, 182, people)
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                staff_id=int(staff_ids[i]),
                course=course,
                source="rule",
                status="completed",
                completed_on=dt.date.fromordinal(int(course_days[i])),
            )
            for i in np.flatnonzero(trained)
        ],
        batch_size=2000,
    )
    days = np.arange(YEAR[0].toordinal(), YEAR[1].toordinal() + 1)
    skill = rng.normal(100, 10, people)
    now = timezone.now()

    def rows():
        drift = (days - days[0]) / len(days) * 2.0  # everyone improves by ~2 over the year
        for i in range(people):
            values = skill[i] + drift + rng.normal(0, 3, len(days))
            if trained[i]:
                values = values + np.where(days > course_days[i], TRUE_EFFECT, 0.0)
            for day, value in zip(days.tolist(), np.round(values, 2).tolist(), strict=True):
                yield (
                    int(staff_ids[i]),
                    kpi.pk,
                    dt.date.fromordinal(day),
                    value,
                    None,
                    "import",
                    "bench",
                    now,
                )

    started = time.perf_counter()
    with transaction.atomic():
        count = bulk.insert_rows(
            Measurement,
            ("staff", "kpi", "date", "value", "denominator", "source", "batch", "recorded_at"),
            rows(),
            batch_size=50_000,
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE performance_measurement"
            if connection.vendor == "postgresql"
            else "ANALYZE"
        )
    print(f"generated {count:,} measurements in {time.perf_counter() - started:.0f} s", flush=True)
    return {"course": course, "kpi": kpi, "people": people, "rows": count}


def _window_avg(staff_id: int, kpi: Any, start: dt.date, end: dt.date) -> float | None:
    from django.db.models import Avg

    from opsteam.performance.models import Measurement

    value = Measurement.objects.filter(
        staff_id=staff_id, kpi=kpi, date__gte=start, date__lte=end
    ).aggregate(avg=Avg("value"))["avg"]
    return None if value is None else float(value)


def _baseline(course: Any, kpi: Any) -> tuple[float, dict[int, tuple]]:
    """Per-person queries on a sample, extrapolated; returns seconds and the sample's means."""
    from opsteam.org.models import Staff
    from opsteam.training.models import Enrolment

    trainees = list(
        Enrolment.objects.filter(course=course, status="completed").values_list(
            "staff_id", "completed_on"
        )
    )
    pool = list(
        Staff.objects.exclude(pk__in=[s for s, _d in trainees]).values_list("pk", flat=True)
    )
    window = dt.timedelta(days=WINDOW)
    day = dt.timedelta(days=1)
    sample_t, sample_p = trainees[:SAMPLE], pool[:SAMPLE]
    means: dict[int, tuple] = {}
    started = time.perf_counter()
    for staff_id, on in sample_t:
        means[staff_id] = (
            _window_avg(staff_id, kpi, on - window, on - day),
            _window_avg(staff_id, kpi, on + day, on + window),
        )
    trainee_time = time.perf_counter() - started
    median_day = sorted(on for _s, on in trainees)[len(trainees) // 2]
    started = time.perf_counter()
    baselines = {p: _window_avg(p, kpi, median_day - window, median_day - day) for p in sample_p}
    pool_time = time.perf_counter() - started
    started = time.perf_counter()
    free = dict(baselines)
    for staff_id, on in sample_t:
        before = means[staff_id][0]
        for _pick in range(3):
            if not free or before is None:
                break
            nearest = min(free, key=lambda p: abs((free[p] or 0) - before))
            free.pop(nearest)
            _window_avg(nearest, kpi, on - window, on - day)
            _window_avg(nearest, kpi, on + day, on + window)
    control_time = time.perf_counter() - started
    scale_t = len(trainees) / max(len(sample_t), 1)
    scale_p = len(pool) / max(len(sample_p), 1)
    return trainee_time * scale_t + pool_time * scale_p + control_time * scale_t, means


def run(*, backend: str) -> list[dict]:
    from opsteam.training.selectors_effectiveness import results_level

    data = _setup(backend)
    course, kpi = data["course"], data["kpi"]
    times, level = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        level = results_level(course=course, kpi_id=kpi.pk, window_days=WINDOW)
        times.append(time.perf_counter() - started)
    baseline_times, means = [], {}
    for _ in range(RUNS):
        seconds, means = _baseline(course, kpi)
        baseline_times.append(seconds)
    # the fast path's trainee windows must equal the per-person queries on the sample
    from opsteam.training.selectors_effectiveness import _trainees, window_means

    trainees = dict(_trainees(course, None))
    ids = list(means)
    fast = window_means(kpi, [(i, trainees[i]) for i in ids], WINDOW)
    for index, staff_id in enumerate(ids):
        slow_before, slow_after = means[staff_id]
        assert abs(fast.before[index] - slow_before) < 1e-6, staff_id
        assert abs(fast.after[index] - slow_after) < 1e-6, staff_id
    did = level.did
    size = f"{data['people'] // 1000}k" if data["people"] >= 1000 else str(data["people"])
    fast_median, slow_median = statistics.median(times), statistics.median(baseline_times)
    return [
        {
            "name": f"training effectiveness results level, {size} staff, 1 year daily KPI",
            "value": fast_median,
            "unit": "s",
            "baseline": slow_median,
            "baseline_name": (
                f"per-person Avg queries + Python matching, {SAMPLE} trainees and {SAMPLE} pool"
                f" people measured, extrapolated; same window means on {len(ids)} people"
            ),
            "runs": RUNS,
            "measurements": data["rows"],
            "trained": did.n_trained,
            "controls": did.n_control,
        },
        {
            "name": f"training effect estimate vs true {TRUE_EFFECT}, {size} staff",
            "value": round(did.estimate, 3),
            "unit": "KPI",
            "ci": [round(did.ci_low, 3), round(did.ci_high, 3)],
        },
    ]
