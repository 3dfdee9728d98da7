"""Appraisal at scale: launch and full scoring of a 10,000-person review cycle.

Data (issue 4): 10,000 staff in 50 teams under 4 departments, 4 positions with one active KPI
template each (12 KPIs, weights summing to 100), and daily measurements of the 12 KPIs for one
quarter (2025-04-01 .. 2025-06-30, 91 days: about 10.9M rows, inserted with
``bulk.insert_rows``, i.e. COPY on PostgreSQL). The KPIs mix SUM, MEAN, LAST and RATIO values
and LINEAR, BANDS, DEDUCTION and PASS/FAIL rules, lower-is-better KPIs, a veto item
(一票否决), a KPI nobody measured for some people (SPREAD) and one scored 0 when missing
(ZERO). 1% of the people have an agreed personal target, 2% a manager adjustment, and every
review has a manager rating, so every final score exists. SQLite runs with 2,000 staff
(2.2M rows): the figure names say so. No 360 feedback is generated: the formula here is
``0.7 * kpi + 0.3 * manager``; the measurement import is timed by ``bench_measurements``.

Figures (medians of RUNS runs):
- cycle launch: ``services_cycles.cycle_launch`` (one review per person, set-based);
- full scoring: ``services_cycles.score_cycle`` on the launched cycle, in one transaction;
- baseline: a straightforward per-person ORM implementation of the same rules (written here,
  the way document-per-record HR systems compute appraisals): for each review it loads the
  person's template items and personal targets, queries that person's measurements per KPI,
  aggregates and scores in plain Python and saves the review with ``review.save()``. It runs
  on a sample of SAMPLE people (in one transaction) and is extrapolated linearly to the whole
  population. Both must give the same KPI score, final score, grade, veto and per-KPI scores
  on the sample (within 0.01): this is asserted, since a wrong fast path is worse than a slow one.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

STAFF = {"postgresql": 10_000, "sqlite": 2_000}
if os.environ.get("OPSTEAM_BENCH_STAFF"):  # a quick smoke run: OPSTEAM_BENCH_STAFF=300
    STAFF = dict.fromkeys(STAFF, int(os.environ["OPSTEAM_BENCH_STAFF"]))
TEAMS = 50
DEPARTMENTS = 4
POSITIONS = 4
SAMPLE = 500  # baseline people per run (fewer when the population is smaller)
RUNS = 3
PERIOD = (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
DAYS = (PERIOD[1] - PERIOD[0]).days + 1
KPI_WEIGHT, MANAGER_WEIGHT = Decimal("0.7"), Decimal("0.3")
FORMULA = f"{KPI_WEIGHT} * kpi + {MANAGER_WEIGHT} * manager"
RATING_SCALE = 20
TWO_PLACES = Decimal("0.01")
TOLERANCE = 0.01 + 1e-9
BASE_WEIGHTS = (15, 10, 8, 8, 10, 8, 6, 5, 5, 10, 10, 5)  # sums to 100; rolled per position
SPREAD_MISSING = "RES_RATE"  # not measured at all for 1 person in 89
ZERO_MISSING = "ATTEND"  # not measured at all for 1 person in 97
DECIMAL_FIELDS = ("threshold", "stretch", "stretch_score", "cap", "per_unit")


def _kpi_specs() -> list[dict[str, Any]]:
    from opsteam.performance import choices

    Agg, Cat, Dir = choices.KpiAggregation, choices.KpiCategory, choices.KpiDirection
    Rule, MissingRule = choices.ScoringRule, choices.MissingRule

    def spec(code, name, name_en, unit, category, aggregation, rule, target, **rest):
        values = {
            "code": code,
            "name": name,
            "name_en": name_en,
            "unit": unit,
            "category": category,
            "aggregation": aggregation,
            "rule": rule,
            "target": Decimal(str(target)),
            "direction": Dir.HIGHER,
            "stretch": None,
            "threshold": None,
        }
        for key, value in rest.items():
            values[key] = Decimal(str(value)) if key in DECIMAL_FIELDS else value
        return values

    return [
        spec("GMV", "成交额", "GMV", "元", Cat.GOAL_ATTAINMENT, Agg.SUM, Rule.LINEAR, 91000,
             threshold=45500, stretch=118300),
        spec("ORDERS", "订单量", "Orders", "单", Cat.EFFICIENCY, Agg.SUM, Rule.BANDS, 3640,
             bands=[[0, 0], [2730, 60], [3276, 80], [3640, 100], [4186, 110]]),
        spec("AHT", "平均处理时长", "Average handling time", "分钟", Cat.SPEED, Agg.MEAN,
             Rule.LINEAR, 8, direction=Dir.LOWER, threshold=12, stretch=6),
        spec("CSAT", "客户满意度", "Customer satisfaction", "分", Cat.SATISFACTION, Agg.MEAN,
             Rule.LINEAR, "4.5", threshold="3.5", stretch="4.9"),
        spec("RES_RATE", "解决率", "Resolution rate", "%", Cat.QUALITY, Agg.RATIO, Rule.LINEAR,
             "0.9", threshold="0.6", stretch="0.98"),
        spec("COMPLAINTS", "投诉数", "Complaints", "次", Cat.QUALITY, Agg.SUM, Rule.DEDUCTION, 3,
             direction=Dir.LOWER, per_unit=10),
        spec("BACKLOG", "积压工单", "Backlog", "单", Cat.EFFICIENCY, Agg.LAST, Rule.LINEAR, 20,
             direction=Dir.LOWER, threshold=40),
        spec("CERT", "认证等级", "Certification level", "级", Cat.PROJECT_COMPLETION, Agg.LAST,
             Rule.PASS_FAIL, 2),
        spec("COMPLIANCE", "合规违规", "Compliance breaches", "次", Cat.ACCURACY, Agg.SUM,
             Rule.PASS_FAIL, 0, direction=Dir.LOWER, is_veto=True),
        spec("FCR", "首次解决率", "First-contact resolution", "%", Cat.QUALITY, Agg.RATIO,
             Rule.BANDS, "0.8", bands=[[0, 0], [0.5, 60], [0.7, 80], [0.8, 100], [0.9, 110]]),
        spec("QA", "质检分", "QA score", "分", Cat.ACCURACY, Agg.MEAN, Rule.DEDUCTION, 90,
             per_unit=5),
        spec("ATTEND", "出勤天数", "Days attended", "天", Cat.TEAMWORK, Agg.SUM, Rule.LINEAR, 85,
             threshold=60, missing_rule=MissingRule.ZERO),
    ]  # fmt: skip


def _daily(code: str, i: int, skill: float, days: np.ndarray) -> tuple[np.ndarray, Any]:
    """Person ``i``'s daily values (and denominators) of one KPI over the period."""
    noise = ((i * 31 + days * 17 + len(code) * 13) % 11 - 5) / 50.0  # +-10%
    hashed = (i * 7919 + days * 104729 + len(code) * 15485863) % 100_003
    if code == "GMV":
        return np.round(1000 * skill * (1 + noise), 2), None
    if code == "ORDERS":
        return np.round(40 * skill * (1 + noise)), None
    if code == "AHT":
        return np.round(8 * (2 - skill) * (1 + noise), 2), None
    if code == "CSAT":
        return np.round(np.minimum(5, 3.6 + skill * (1 + noise)), 2), None
    if code in ("RES_RATE", "FCR"):
        den = 40 + hashed % 21
        rate = np.minimum(1.0, (0.82 if code == "RES_RATE" else 0.72) * skill * (1 + noise))
        return np.floor(den * rate), den.astype(float)
    if code == "COMPLAINTS":
        return (hashed % int(200 * skill) < 5).astype(float), None
    if code == "BACKLOG":
        return np.round(20 * (2 - skill) * (1 + 2 * noise)), None
    if code == "CERT":
        return ((i * 7 + days) // 30 % 4).astype(float), None
    if code == "COMPLIANCE":
        return (hashed % 3000 == 0).astype(float), None
    if code == "QA":
        return np.round(np.minimum(100, 70 + 20 * skill * (1 + noise)), 1), None
    if code == "ATTEND":
        return (hashed % int(12 * skill) != 0).astype(float), None
    raise ValueError(code)


def _measurement_rows(staff_ids: list[int], kpis: list[Any], now: dt.datetime):
    """Rows for ``bulk.insert_rows`` in (person, KPI, date) order, generated lazily."""
    days = np.arange(DAYS)
    dates = [PERIOD[0] + dt.timedelta(days=int(d)) for d in days]
    for i, staff_id in enumerate(staff_ids):
        for k, kpi in enumerate(kpis):
            if (kpi.code == SPREAD_MISSING and i % 89 == 5) or (
                kpi.code == ZERO_MISSING and i % 97 == 7
            ):
                continue
            skill = 0.75 + ((i * (k + 3) * 7919 + k * 131) % 1000) / 2000
            values, dens = _daily(kpi.code, i, skill, days)
            dens = [None] * DAYS if dens is None else dens.tolist()
            for day, value, den in zip(dates, values.tolist(), dens, strict=True):
                yield (staff_id, kpi.pk, day, value, den, "import", "bench", now)


def _setup(backend: str) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from opsteam.accounts.models import User
    from opsteam.core import bulk
    from opsteam.org.models import Assignment, JobLevel, OrgUnit, Position, RoleFamily, Staff
    from opsteam.performance.choices import TemplateStatus
    from opsteam.performance.models import Kpi, KpiTemplate, KpiTemplateItem, Measurement

    people = STAFF[backend]
    admin = User.objects.create_superuser("bench-admin", password=None)
    root = OrgUnit.objects.create(code="HQ", name="总部", kind="company")
    root.path = OrgUnit.path_segment(root.pk)
    root.save(update_fields=["path"])
    departments, teams = [], []
    for d in range(DEPARTMENTS):
        unit = OrgUnit.objects.create(code=f"D{d}", name=f"部门{d}", kind="department", parent=root)
        unit.path, unit.depth = root.path + OrgUnit.path_segment(unit.pk), 1
        unit.save(update_fields=["path", "depth"])
        departments.append(unit)
    for t in range(TEAMS):
        parent = departments[t % DEPARTMENTS]
        unit = OrgUnit.objects.create(code=f"T{t:02d}", name=f"团队{t}", kind="team", parent=parent)
        unit.path, unit.depth = parent.path + OrgUnit.path_segment(unit.pk), 2
        unit.save(update_fields=["path", "depth"])
        teams.append(unit)
    family = RoleFamily.objects.create(code="ops", name="运营")
    positions = [
        Position.objects.create(code=f"P{p}", name=f"岗位{p}", family=family)
        for p in range(POSITIONS)
    ]
    level = JobLevel.objects.create(code="L1", name="职级1", track="professional", rank=1)
    Staff.objects.bulk_create(
        [
            Staff(
                employee_no=f"E{i:06d}",
                name=f"员工{i}",
                name_en=f"Staff {i}",
                hire_date=dt.date(2020, 1, 1),
                unit=teams[i % TEAMS],
                position=positions[i // TEAMS % POSITIONS],
                level=level,
            )
            for i in range(people)
        ],
        batch_size=2000,
    )
    staff_ids = list(Staff.objects.order_by("pk").values_list("pk", flat=True))
    leaders = {}
    for i, staff_id in enumerate(staff_ids[:TEAMS]):  # the first person of each team leads it
        leaders[teams[i].pk] = staff_id
    for unit_id, leader in leaders.items():
        Staff.objects.filter(unit_id=unit_id).exclude(pk=leader).update(manager_id=leader)
    with transaction.atomic():
        bulk.insert_rows(
            Assignment,
            (
                "staff",
                "start_date",
                "end_date",
                "unit",
                "position",
                "level",
                "manager",
                "reason",
                "note",
            ),
            [
                (*row, "hire", "")
                for row in Staff.objects.values_list(
                    "pk",
                    "hire_date",
                    "leave_date",
                    "unit_id",
                    "position_id",
                    "level_id",
                    "manager_id",
                )
            ],
        )
    kpis = []
    for values in _kpi_specs():
        kpi = Kpi(**values)
        kpi.full_clean()
        kpi.save()
        kpis.append(kpi)
    for p, position in enumerate(positions):
        template = KpiTemplate.objects.create(position=position, status=TemplateStatus.ACTIVE)
        weights = np.roll(BASE_WEIGHTS, p)
        for order, (kpi, weight) in enumerate(zip(kpis, weights.tolist(), strict=True)):
            KpiTemplateItem.objects.create(
                template=template, kpi=kpi, weight=Decimal(weight), order=order
            )
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The generator's rows are consistent by construction: skip the per-row foreign
            # key triggers (the checked import is timed by bench_measurements).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        rows = bulk.insert_rows(
            Measurement,
            ("staff", "kpi", "date", "value", "denominator", "source", "batch", "recorded_at"),
            _measurement_rows(staff_ids, kpis, timezone.now()),
            batch_size=50_000,
        )
    with connection.cursor() as cursor:  # the steady state of a table imported days ago
        cursor.execute(
            "VACUUM ANALYZE performance_measurement"
            if connection.vendor == "postgresql"
            else "ANALYZE"
        )
    print(f"generated {rows:,} measurements in {time.perf_counter() - started:.0f} s", flush=True)
    return {"admin": admin, "people": people, "rows": rows, "kpis": kpis}


def _new_cycle(admin: Any) -> Any:
    from opsteam.performance import services_cycles

    return services_cycles.cycle_create(
        actor=admin,
        name="2025 Q2",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        formula=FORMULA,
        veto_cap_grade="C",
    )


def _launch(admin: Any) -> tuple[Any, float]:
    from opsteam.performance import services_cycles

    cycle = _new_cycle(admin)
    started = time.perf_counter()
    count = services_cycles.cycle_launch(actor=admin, cycle=cycle)
    elapsed = time.perf_counter() - started
    assert count > 0
    cycle.refresh_from_db()
    return cycle, elapsed


def _drop_cycle(cycle: Any) -> None:
    from opsteam.performance.models import Review

    Review.objects.filter(cycle=cycle)._raw_delete(Review.objects.db)
    cycle.delete()


def _reviews_done(cycle: Any, kpis: list[Any]) -> None:
    """Manager ratings on every review, a few adjustments and personal targets."""
    from django.db import connection, transaction
    from django.db.models import F, Value
    from django.db.models.functions import Mod

    from opsteam.core import bulk
    from opsteam.performance.models import PersonalTarget, Review

    with transaction.atomic():
        reviews = Review.objects.filter(cycle=cycle)
        reviews.update(manager_rating=Mod(F("staff_id"), Value(5)) + 1)
        reviews.annotate(bucket=Mod(F("staff_id"), Value(50))).filter(bucket=3).update(
            adjustment=Decimal("2"), adjustment_reason="bench"
        )
        gmv = next(kpi for kpi in kpis if kpi.code == "GMV")
        bulk.insert_rows(
            PersonalTarget,
            ("review", "kpi", "target", "note"),
            [
                (pk, gmv.pk, Decimal("80000"), "bench")
                for pk in reviews.annotate(bucket=Mod(F("staff_id"), Value(100)))
                .filter(bucket=0)
                .values_list("pk", flat=True)
            ],
        )
    if connection.vendor == "postgresql":  # autovacuum's work in the weeks before calibration
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE performance_review")


def _score(cycle: Any) -> float:
    from django.db import transaction

    from opsteam.performance import services_cycles

    started = time.perf_counter()
    with transaction.atomic():
        scored = services_cycles.score_cycle(cycle)
    elapsed = time.perf_counter() - started
    assert scored > 0
    return elapsed


# --- the baseline: per person, per KPI, plain Python, one save per review -------------------


def _quantize(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(round(value, 4))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _aggregate_simply(kpi: Any, rows: list[tuple]) -> float | None:
    from opsteam.performance.choices import KpiAggregation as Agg

    if not rows:
        return None
    values = [float(value) for _day, value, _den in rows]
    if kpi.aggregation == Agg.SUM:
        actual = sum(values)
    elif kpi.aggregation == Agg.MEAN:
        actual = sum(values) / len(values)
    elif kpi.aggregation == Agg.LAST:
        actual = values[-1]  # rows are ordered by date
    elif kpi.aggregation == Agg.MIN:
        actual = min(values)
    elif kpi.aggregation == Agg.MAX:
        actual = max(values)
    else:  # RATIO
        den = sum(float(d) for _day, _value, d in rows if d is not None)
        if den <= 0:
            return None
        actual = sum(values) / den
    return round(actual, 6)


def _score_simply(kpi: Any, actual: float, target: float) -> float:
    from opsteam.performance.choices import ScoringRule as Rule

    direction = kpi.direction
    gain = (actual - target) * direction
    if kpi.rule == Rule.LINEAR:
        if gain >= 0:
            score = 100.0
            if kpi.stretch is not None:
                span = (float(kpi.stretch) - target) * direction
                if span > 0:
                    top = float(kpi.stretch_score)
                    score = min(100.0 + (top - 100.0) * gain / span, top)
        else:
            threshold = float(kpi.threshold or 0)
            score = 100.0 * (1.0 + gain / ((target - threshold) * direction))
    elif kpi.rule == Rule.BANDS:
        score = 0.0
        for edge, points in sorted(kpi.bands, key=lambda band: band[0] * direction):
            if actual * direction >= edge * direction:
                score = float(points)
    elif kpi.rule == Rule.DEDUCTION:
        score = 100.0 - float(kpi.per_unit) * max(0.0, -gain)
    elif kpi.rule == Rule.BONUS:
        if gain >= 0:
            score = 100.0 + float(kpi.per_unit) * gain
        else:
            score = 100.0 * (1.0 + gain / (abs(target) or 1.0))
    else:  # PASS_FAIL
        score = 100.0 if gain >= 0 else 0.0
    return max(0.0, min(score, float(kpi.cap)))


def _baseline_one(review_pk: int, cycle: Any) -> dict[str, Any]:
    from django.utils import timezone

    from opsteam.performance.choices import GradeSource, MissingRule
    from opsteam.performance.models import KpiTemplateItem, Measurement, PersonalTarget, Review

    review = Review.objects.get(pk=review_pk)
    items = list(
        KpiTemplateItem.objects.filter(template_id=review.template_id).select_related("kpi")
    )
    agreed = {t.kpi_id: float(t.target) for t in PersonalTarget.objects.filter(review=review)}
    lines, scores, veto = [], {}, False
    kept_weight = points = 0.0
    for item in items:
        kpi = item.kpi
        rows = list(
            Measurement.objects.filter(staff_id=review.staff_id, kpi_id=kpi.pk, date__range=PERIOD)
            .order_by("date")
            .values_list("date", "value", "denominator")
        )
        actual = _aggregate_simply(kpi, rows)
        target = agreed.get(kpi.pk, float(item.target if item.target is not None else kpi.target))
        weight = float(item.weight)
        score = None if actual is None else _score_simply(kpi, actual, target)
        if score is not None:
            kept_weight += weight
            points += score * weight
        elif kpi.missing_rule == MissingRule.ZERO:
            kept_weight += weight
        if kpi.is_veto and (score or 0.0) < 100.0:
            veto = True
        scores[kpi.pk] = score
        lines.append(
            {"kpi": kpi.pk, "code": kpi.code, "actual": actual, "target": target, "score": score}
        )
    kpi_score = points / kept_weight if kept_weight > 0 else 0.0
    final = None
    if review.manager_rating is not None:
        final = float(KPI_WEIGHT) * kpi_score + float(MANAGER_WEIGHT) * (
            review.manager_rating * RATING_SCALE
        )
        final = max(0.0, final + float(review.adjustment))
    names = [band["name"] for band in cycle.grade_bands]
    grade = ""
    if final is not None:
        grade = next(
            (b["name"] for b in cycle.grade_bands if final >= float(b.get("min", 0))), names[-1]
        )
        if veto and cycle.veto_cap_grade in names:
            grade = names[max(names.index(grade), names.index(cycle.veto_cap_grade))]
    review.kpi_score = _quantize(kpi_score)
    review.final_score = _quantize(final)
    review.veto_applied = veto
    review.proposed_grade = grade
    if review.grade_source in ("", GradeSource.REVIEW):
        review.grade, review.grade_source = grade, GradeSource.REVIEW if grade else ""
    coefficients = {b["name"]: b.get("coefficient") for b in cycle.grade_bands}
    coefficient = coefficients.get(review.grade)
    review.coefficient = _quantize(float(coefficient)) if coefficient is not None else None
    review.scorecard = {"scored_at": timezone.now().isoformat(), "lines": lines}
    review.save()
    return {
        "kpi_score": kpi_score,
        "final_score": final,
        "grade": grade,
        "veto": veto,
        "scores": scores,
    }


def _baseline(cycle: Any, sample: list[int]) -> tuple[float, dict[int, dict[str, Any]]]:
    from django.db import transaction

    started = time.perf_counter()
    with transaction.atomic():
        results = {pk: _baseline_one(pk, cycle) for pk in sample}
    return time.perf_counter() - started, results


def _check_same(sample_results: dict[int, dict[str, Any]]) -> int:
    """Assert score_cycle's stored results equal the baseline's on the sample."""
    from opsteam.performance.models import Review

    stored = Review.objects.in_bulk(list(sample_results))
    compared = 0
    for pk, expected in sample_results.items():
        review = stored[pk]
        label = f"review {pk} (staff {review.staff_id})"
        assert abs(float(review.kpi_score) - expected["kpi_score"]) <= TOLERANCE, (
            label,
            review.kpi_score,
            expected["kpi_score"],
        )
        assert review.final_score is not None, label
        assert expected["final_score"] is not None, label
        assert abs(float(review.final_score) - expected["final_score"]) <= TOLERANCE, (
            label,
            review.final_score,
            expected["final_score"],
        )
        assert review.proposed_grade == expected["grade"], (label, review.proposed_grade, expected)
        assert review.veto_applied == expected["veto"], label
        lines = {line["kpi"]: line for line in review.scorecard["lines"]}
        assert set(lines) == set(expected["scores"]), label
        for kpi_id, score in expected["scores"].items():
            got = lines[kpi_id]["score"]
            if score is None:
                assert got is None, (label, kpi_id, got)
            else:
                assert got is not None, (label, kpi_id)
                assert abs(got - score) <= TOLERANCE, (label, kpi_id, got, score)
            compared += 1
    return compared


def run(*, backend: str) -> list[dict]:
    from opsteam.performance.models import Review

    data = _setup(backend)
    admin, people = data["admin"], data["people"]
    size = f"{people / 1000:g}k"
    note = "" if people == 10_000 else f" ({backend}: {people:,} staff, not 10,000)"

    launch_times = []
    for run_index in range(RUNS):
        cycle, elapsed = _launch(admin)
        launch_times.append(elapsed)
        if run_index < RUNS - 1:
            _drop_cycle(cycle)
    assert Review.objects.filter(cycle=cycle).count() == people
    _reviews_done(cycle, data["kpis"])

    sample_ids = list(
        Review.objects.filter(cycle=cycle).order_by("staff_id").values_list("pk", flat=True)
    )
    step = max(1, len(sample_ids) // SAMPLE)
    sample = sample_ids[::step][:SAMPLE]
    baseline_times, score_times = [], []
    for _ in range(RUNS):
        elapsed, expected = _baseline(cycle, sample)
        baseline_times.append(elapsed)
        score_times.append(_score(cycle))
        compared = _check_same(expected)
    graded = Counter(Review.objects.filter(cycle=cycle).values_list("grade", flat=True))
    assert "" not in graded, "every review must have a final grade"
    vetoed = Review.objects.filter(cycle=cycle, veto_applied=True).count()

    score_median = statistics.median(score_times)
    baseline_median = statistics.median(baseline_times) * people / len(sample)
    return [
        {
            "name": f"appraisal cycle launch, {size} people{note}",
            "value": statistics.median(launch_times),
            "unit": "s",
            "runs": RUNS,
            "measurements": data["rows"],
        },
        {
            "name": f"appraisal full scoring, {size} people, 12 KPIs{note}",
            "value": score_median,
            "unit": "s",
            "baseline": baseline_median,
            "baseline_name": (
                f"per-person ORM scoring + review.save(), {len(sample)} people measured, "
                f"extrapolated x{people / len(sample):g}; same scores on {compared} KPI lines"
            ),
            "runs": RUNS,
            "measurements": data["rows"],
            "vetoed": vetoed,
            "grades": dict(sorted(graded.items())),
        },
        {
            "name": f"appraisal scoring speed-up over per-person baseline, {size}{note}",
            "value": baseline_median / score_median,
            "unit": "x",
        },
    ]
