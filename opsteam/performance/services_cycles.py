"""Writes of review cycles: create, launch, stage changes, scoring, reviews, calibration, appeals.

Each service is one transaction, checks the policy and writes audit entries. Launch and
scoring are set-based: a 10,000-person cycle is a handful of statements, not 10,000 saves.
"""

from __future__ import annotations

import datetime as dt
import types
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, bulk, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.org.models import Assignment, OrgUnit, Staff
from opsteam.performance import aggregation, cycles, engine_inputs, scoring
from opsteam.performance.choices import (
    AppealStatus,
    CycleStage,
    GradeSource,
    ReviewStatus,
    TemplateStatus,
)
from opsteam.performance.formula import parse_formula
from opsteam.performance.models import (
    Appeal,
    GradeChange,
    Kpi,
    KpiTemplate,
    KpiTemplateItem,
    Measurement,
    PersonalTarget,
    Review,
    ReviewCycle,
)
from opsteam.performance.services import KPI_FIELDS, _full_clean

CYCLE_FIELDS = (
    "name",
    "name_en",
    "period_kind",
    "period_start",
    "period_end",
    "formula",
    "grade_bands",
    "guideline",
    "min_calibration_group",
    "max_adjustment",
    "veto_cap_grade",
    "data_deadline",
    "goal_deadline",
    "self_review_deadline",
    "feedback_deadline",
    "manager_review_deadline",
    "calibration_deadline",
    "acknowledgement_deadline",
    "questionnaire",
)
RATING_SCALE = 20  # a 1-5 rating counts as rating x 20 points (5 = 100)
TWO_PLACES = Decimal("0.01")


def _decimal(value: float | None) -> Decimal | None:
    if value is None or not np.isfinite(value):
        return None
    return Decimal(str(round(float(value), 4))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _set_fields(cycle: ReviewCycle, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in CYCLE_FIELDS:
            raise ValidationFailed(_("Unknown field {name}.").format(name=name), field=name)
        setattr(cycle, name, value)


@transaction.atomic
def cycle_create(
    *,
    actor: Any,
    units: list[OrgUnit] | None = None,
    positions: list[Any] | None = None,
    people: list[Staff] | None = None,
    **fields: Any,
) -> ReviewCycle:
    """Create a draft cycle; the formula, bands and guideline are validated. Audit: create."""
    policy.require(actor, "add", ReviewCycle)
    cycle = ReviewCycle()
    _set_fields(cycle, fields)
    _full_clean(cycle)
    _check_feedback(cycle)
    cycle.save()
    cycle.units.set(units or [])
    cycle.positions.set(positions or [])
    cycle.people.set(people or [])
    audit.record(actor=actor, action=AuditAction.CREATE, obj=cycle)
    return cycle


@transaction.atomic
def cycle_update(
    *,
    actor: Any,
    cycle: ReviewCycle,
    units: list[OrgUnit] | None = None,
    positions: list[Any] | None = None,
    people: list[Staff] | None = None,
    **fields: Any,
) -> ReviewCycle:
    """Change a cycle's settings. Period and population are fixed once launched. Audit: update."""
    policy.require(actor, "change", cycle)
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    before = audit.snapshot(cycle)
    launched = cycle.stage != CycleStage.DRAFT
    frozen = {"period_start", "period_end", "period_kind"}
    if launched and (
        frozen & set(fields) or units is not None or positions is not None or people is not None
    ):
        changed = [n for n in frozen & set(fields) if getattr(cycle, n) != fields[n]]
        if changed or units is not None or positions is not None or people is not None:
            raise InvalidTransition(_("The period and the population cannot change after launch."))
    if cycle.stage in (CycleStage.PUBLISHED, CycleStage.ACKNOWLEDGEMENT, CycleStage.CLOSED):
        scoring_fields = {"formula", "grade_bands", "veto_cap_grade", "max_adjustment"}
        if scoring_fields & set(fields):
            raise InvalidTransition(_("Published results cannot be re-scored."))
    _set_fields(cycle, fields)
    _full_clean(cycle)
    _check_feedback(cycle)
    cycle.save()
    if units is not None:
        cycle.units.set(units)
    if positions is not None:
        cycle.positions.set(positions)
    if people is not None:
        cycle.people.set(people)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=cycle, before=before)
    return cycle


def _check_feedback(cycle: ReviewCycle) -> None:
    if uses_feedback(cycle) and cycle.questionnaire_id is None:
        raise ValidationFailed(
            _("The formula uses competency: choose the 360 questionnaire."), field="questionnaire"
        )
    if cycle.feedback_campaign_id and cycle.questionnaire_id != (
        cycle.feedback_campaign.questionnaire_id
    ):
        raise InvalidTransition(_("The 360 questionnaire cannot change after launch."))


def _feedback_deadline(cycle: ReviewCycle) -> dt.datetime:
    day = cycle.feedback_deadline or (cycle.period_end + dt.timedelta(days=14))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


def _start_feedback(actor: Any, cycle: ReviewCycle, staff_ids: list[int]) -> None:
    """Create the cycle's 360 campaign with everyone reviewed as a subject (set-based)."""
    from opsteam.surveys import services as surveys

    campaign = surveys.campaign_create(
        actor=actor,
        name=_("{cycle} · 360 feedback").format(cycle=cycle.name),
        name_en=f"{cycle.name_en or cycle.name} · 360",
        questionnaire=cycle.questionnaire,
        deadline=_feedback_deadline(cycle),
    )
    surveys.subjects_add_bulk(actor=actor, campaign=campaign, staff_ids=staff_ids)
    cycle.feedback_campaign = campaign


def competency_from_feedback(cycle: ReviewCycle) -> int:
    """Write each review's competency score from the 360 results (rating x 20, so 5 = 100);
    only what the anonymity rule releases counts. Returns how many reviews have one."""
    from opsteam.surveys import selectors as surveys

    if cycle.feedback_campaign_id is None:
        return 0
    scores = surveys.competency_scores(cycle.feedback_campaign)
    reviews = list(Review.objects.filter(cycle=cycle).only("pk", "staff_id", "competency_score"))
    for review in reviews:
        value = scores.get(review.staff_id)
        review.competency_score = None if value is None else _decimal(value * RATING_SCALE)
    bulk.update_rows_copied(Review, reviews, ("competency_score",))
    return sum(review.competency_score is not None for review in reviews)


def population(cycle: ReviewCycle) -> Any:
    """The staff a cycle covers: in its units (with their subtrees), positions or named list,
    employed for at least part of the period. No unit, position or person named = everyone."""
    staff = Staff.objects.filter(hire_date__lte=cycle.period_end).filter(
        Q(leave_date__isnull=True) | Q(leave_date__gte=cycle.period_start)
    )
    paths = list(cycle.units.values_list("path", flat=True))
    position_ids = list(cycle.positions.values_list("pk", flat=True))
    people_ids = list(cycle.people.values_list("pk", flat=True))
    if not (paths or position_ids or people_ids):
        return staff
    chosen = Q(pk__in=people_ids)
    for path in paths:
        chosen |= Q(unit__path__startswith=path)
    if position_ids:
        chosen |= Q(position_id__in=position_ids)
    return staff.filter(chosen)


def _placement_at(staff_rows: list[dict[str, Any]], day: dt.date) -> dict[int, dict[str, Any]]:
    """Each person's unit, position, level and manager on ``day`` from the assignment history
    (people who moved inside the period are reviewed where they ended it)."""
    ids = [row["pk"] for row in staff_rows]
    placement = {
        row["pk"]: {
            "unit_id": row["unit_id"],
            "position_id": row["position_id"],
            "level_id": row["level_id"],
            "manager_id": row["manager_id"],
        }
        for row in staff_rows
    }
    history = (
        Assignment.objects.filter(staff_id__in=ids, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("staff_id", "start_date", "pk")
        .values("staff_id", "unit_id", "position_id", "level_id", "manager_id")
    )
    for row in history.iterator(chunk_size=5000):
        placement[row["staff_id"]] = {key: row[key] for key in placement[row["staff_id"]]}
    return placement


def _kpi_snapshot(kpis: list[Kpi]) -> dict[str, Any]:
    """The scoring rules of ``kpis`` as launched: the version every score of the cycle uses."""
    return {
        str(kpi.pk): {name: _jsonable(getattr(kpi, name)) for name in KPI_FIELDS} | {"id": kpi.pk}
        for kpi in kpis
    }


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def cycle_launch(*, actor: Any, cycle: ReviewCycle) -> int:
    """Create every review of the cycle in one set-based insert and open goal setting.

    Each review is fixed to the person's unit, position, level and manager at the end of the
    period and to the active KPI template of that position (and level, when one exists). The
    KPI rules in force are frozen into the cycle. Audit: one update of the cycle, with the count.
    """
    policy.require(actor, "change", cycle)
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.stage != CycleStage.DRAFT:
        raise InvalidTransition(_("This cycle has already been launched."))
    before = audit.snapshot(cycle)
    staff_rows = list(
        population(cycle).values("pk", "unit_id", "position_id", "level_id", "manager_id")
    )
    if not staff_rows:
        raise ValidationFailed(_("Nobody is in this cycle's population."))
    day = min(cycle.period_end, timezone.localdate())
    placement = _placement_at(staff_rows, max(day, cycle.period_start))
    templates = {
        (t.position_id, t.level_id): t.pk
        for t in KpiTemplate.objects.filter(status=TemplateStatus.ACTIVE).only(
            "pk", "position_id", "level_id"
        )
    }
    unit_codes = dict(OrgUnit.objects.values_list("pk", "code"))
    now = timezone.now()
    rows = []
    for staff_id, place in placement.items():
        template_id = templates.get((place["position_id"], place["level_id"])) or templates.get(
            (place["position_id"], None)
        )
        rows.append(
            (
                cycle.pk,
                staff_id,
                place["unit_id"],
                place["position_id"],
                place["level_id"],
                place["manager_id"],
                template_id,
                unit_codes.get(place["unit_id"], ""),
                ReviewStatus.PENDING,
                Decimal("0"),
                "",
                "",
                "",
                "",
                "",
                "",
                False,
                {},
            )
        )
    count = bulk.insert_rows(
        Review,
        (
            "cycle",
            "staff",
            "unit",
            "position",
            "level",
            "reviewer",
            "template",
            "calibration_group",
            "status",
            "adjustment",
            "adjustment_reason",
            "self_comment",
            "manager_comment",
            "proposed_grade",
            "grade",
            "grade_source",
            "veto_applied",
            "scorecard",
        ),
        rows,
    )
    template_ids = {row[6] for row in rows if row[6]}
    kpi_ids = set(
        KpiTemplateItem.objects.filter(template_id__in=template_ids).values_list(
            "kpi_id", flat=True
        )
    )
    cycle.kpi_snapshot = _kpi_snapshot(list(Kpi.objects.filter(pk__in=kpi_ids)))
    if uses_feedback(cycle):
        _start_feedback(actor, cycle, [row[1] for row in rows])
    cycle.stage = CycleStage.GOAL_SETTING
    cycle.launched_at = now
    cycle.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=cycle,
        before=before,
        note=_("Launched: {count} reviews created.").format(count=count),
    )
    return count


def formula_variables(cycle: ReviewCycle) -> frozenset[str]:
    """The scores the cycle's formula uses (none when it is invalid: reported on its field)."""
    try:
        return parse_formula(cycle.formula, variables=cycles.FORMULA_VARIABLES).variables
    except ValueError:
        return frozenset()


def uses_feedback(cycle: ReviewCycle) -> bool:
    """Whether the cycle's formula needs 360 competency results."""
    return "competency" in formula_variables(cycle)


@transaction.atomic
def cycle_advance(*, actor: Any, cycle: ReviewCycle, stage: str) -> ReviewCycle:
    """Move the cycle to ``stage`` as the state machine allows.

    Entering calibration scores everyone; publishing releases the results to the reviewees.
    Audit: update of the cycle.
    """
    policy.require(actor, "change", cycle)
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.stage == CycleStage.DRAFT:
        raise InvalidTransition(_("Launch the cycle first."))
    try:
        cycles.check_transition(cycle.stage, stage, uses_feedback=uses_feedback(cycle))
    except cycles.TransitionError as exc:
        raise InvalidTransition(
            _("Cannot move from {current} to {target}: {reason}.").format(
                current=CycleStage(cycle.stage).label,
                target=CycleStage(stage).label if stage in CycleStage.values else stage,
                reason=exc,
            )
        ) from exc
    before = audit.snapshot(cycle)
    campaign = cycle.feedback_campaign
    if campaign is not None:
        from opsteam.surveys import services as surveys
        from opsteam.surveys.choices import CampaignStatus

        if stage == CycleStage.FEEDBACK and campaign.status == CampaignStatus.DRAFT:
            surveys.campaign_open(actor=actor, campaign=campaign)
        if stage == CycleStage.CALIBRATION and campaign.status != CampaignStatus.CLOSED:
            surveys.campaign_close(actor=actor, campaign=campaign)
    if stage == CycleStage.CALIBRATION:
        competency_from_feedback(cycle)
        score_cycle(cycle)
    if stage == CycleStage.PUBLISHED:
        unscored = cycle.reviews.filter(grade="").count()
        if unscored:
            raise InvalidTransition(
                _("{count} reviews have no grade yet; calibrate them before publishing.").format(
                    count=unscored
                )
            )
        cycle.published_at = timezone.now()
        cycle.reviews.update(status=ReviewStatus.PUBLISHED)
    cycle.stage = stage
    cycle.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=cycle, before=before)
    return cycle


def _partials_sql(
    cycle: ReviewCycle, kpis: list[Any], staff_ids: list[int]
) -> tuple[str, list[Any]]:
    """One GROUP BY over the period's measurements of the cycle's people and KPIs.

    Columns: person, KPI, sum, lowest, highest, sum of denominators, count and latest date.
    The lowest, highest, denominators and latest date are computed only when a KPI of the
    cycle needs them (NULL otherwise); the mean is the sum over the count. Sums stay exact in
    the database and leave it as floats, so no Decimal is built per value. On PostgreSQL the
    cycle's people (``staff_ids``) are one array parameter: a hashed ``= ANY`` test per row
    costs less than a hash join with the review table (about 0.5 s of 3 at 10,000 people).
    """
    quote = connection.ops.quote_name
    table = quote(Measurement._meta.db_table)
    reviews = quote(Review._meta.db_table)
    methods = {kpi.aggregation for kpi in kpis}
    postgresql = connection.vendor == "postgresql"
    real = "double precision" if postgresql else "REAL"

    def column(expression: str, needed: bool = True) -> str:
        return f"CAST({expression} AS {real})" if needed else "NULL"

    columns = ", ".join(
        (
            column("SUM(m.value)"),
            column("MIN(m.value)", aggregation.MIN in methods),
            column("MAX(m.value)", aggregation.MAX in methods),
            column("SUM(m.denominator)", aggregation.RATIO in methods),
            "COUNT(*)",
            "MAX(m.date)" if aggregation.LAST in methods else "NULL",
        )
    )
    placeholders = ", ".join(["%s"] * len(kpis))
    if postgresql:
        people, people_params = "WHERE m.staff_id = ANY(%s::bigint[]) AND", [staff_ids]
    else:
        people = f"JOIN {reviews} r ON r.staff_id = m.staff_id AND r.cycle_id = %s WHERE"
        people_params = [cycle.pk]
    sql = (
        f"SELECT m.staff_id, m.kpi_id, {columns} FROM {table} m {people}"  # noqa: S608 (names from model metadata, values bound)
        f" m.date BETWEEN %s AND %s AND m.kpi_id IN ({placeholders})"
        " GROUP BY m.staff_id, m.kpi_id"
    )
    params = [
        *people_params,
        connection.ops.adapt_datefield_value(cycle.period_start),
        connection.ops.adapt_datefield_value(cycle.period_end),
        *(kpi.id for kpi in kpis),
    ]
    return sql, params


def _tune_group_by(cursor: Any, *, groups: int) -> None:
    """Settings for the big GROUP BY, for this transaction only (``SET LOCAL``).

    Compiling it with JIT costs seconds and saves none. With the default 4 MB of work memory
    the planner walks the staff index and sorts every person's rows by KPI (about 5 s for
    10.9M rows); with room for one hash entry per (person, KPI) group (under 1 kB each, numeric
    sums included) it scans the table once and hashes, in about half the time. A larger
    cycle than the memory allows still works: the hash spills to disk, or the planner goes
    back to sorting.
    """
    cursor.execute("SET LOCAL jit = off")
    megabytes = min(max(groups // 1000, 64), 1024)
    cursor.execute(f"SET LOCAL work_mem = '{megabytes}MB'")


def _latest_values(
    cycle: ReviewCycle, staff_ids: list[int], kpi_ids: list[int], days: list[Any]
) -> np.ndarray:
    """The value measured on ``days[i]`` (the latest date in the period, from the GROUP BY)
    for person ``staff_ids[i]`` and KPI ``kpi_ids[i]``; NaN where there is none.

    A person has one value per KPI and date, so the latest value is a lookup by key: on
    PostgreSQL one join with the keys passed as arrays, elsewhere one query for the latest
    rows of the cycle's people. Only the LAST KPIs' groups are asked for.
    """
    latest = np.full(len(staff_ids), np.nan)
    if not staff_ids:
        return latest
    table = connection.ops.quote_name(Measurement._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT k.i, CAST(m.value AS double precision)"  # noqa: S608 (table name from model metadata, values bound)
                " FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::int[])"
                " AS k(staff_id, kpi_id, day, i)"
                f" JOIN {table} m ON m.staff_id = k.staff_id AND m.kpi_id = k.kpi_id"
                " AND m.date = k.day",
                [staff_ids, kpi_ids, days, list(range(len(staff_ids)))],
            )
            for index, value in cursor.fetchall():
                latest[index] = value
            return latest
        reviews = connection.ops.quote_name(Review._meta.db_table)
        wanted = sorted(set(kpi_ids))
        placeholders = ", ".join(["%s"] * len(wanted))
        cursor.execute(
            "SELECT m.staff_id, m.kpi_id, CAST(m.value AS REAL) FROM"  # noqa: S608 (names from model metadata, values bound)
            f" {table} m JOIN (SELECT l.staff_id, l.kpi_id, MAX(l.date) AS day FROM {table} l"
            f" JOIN {reviews} r ON r.staff_id = l.staff_id AND r.cycle_id = %s"
            f" WHERE l.date BETWEEN %s AND %s AND l.kpi_id IN ({placeholders})"
            " GROUP BY l.staff_id, l.kpi_id) x"
            " ON m.staff_id = x.staff_id AND m.kpi_id = x.kpi_id AND m.date = x.day",
            [
                cycle.pk,
                connection.ops.adapt_datefield_value(cycle.period_start),
                connection.ops.adapt_datefield_value(cycle.period_end),
                *wanted,
            ],
        )
        found = {(staff_id, kpi_id): value for staff_id, kpi_id, value in cursor.fetchall()}
    for index, key in enumerate(zip(staff_ids, kpi_ids, strict=True)):
        latest[index] = found.get(key, np.nan)
    return latest


@transaction.atomic
def score_cycle(cycle: ReviewCycle) -> int:
    """Score every review of the cycle with the pure engines and write the results in bulk.

    Returns how many reviews were scored. Called when the cycle enters calibration; the
    scorecard of each review keeps every KPI's actual, target, score, weight, contribution and
    how a missing value was handled, plus the rule version (the cycle's KPI snapshot).
    A 10,000-person quarter (10.9M measurements) is a few statements: see bench_appraisal.
    """
    # Plain rows, not model instances (building 10,000 deferred-field Reviews cost more than
    # scoring them); update_rows_copied only reads ``pk`` and the written attributes.
    reviews = [
        types.SimpleNamespace(**row)
        for row in Review.objects.filter(cycle=cycle).values(
            "pk",
            "staff_id",
            "template_id",
            "manager_rating",
            "competency_score",
            "adjustment",
            "grade",
            "grade_source",
        )
    ]
    if not reviews:
        return 0
    snapshot = cycle.kpi_snapshot or {}
    kpis = [types.SimpleNamespace(**_rules_from_snapshot(values)) for values in snapshot.values()]
    kpi_index = {kpi.id: column for column, kpi in enumerate(kpis)}
    person_index = {review.staff_id: row for row, review in enumerate(reviews)}
    people, width = len(reviews), max(len(kpis), 1)
    # One row of weights and targets per template (row 0: no template), then one per person.
    template_row = {None: 0}
    for review in reviews:
        template_row.setdefault(review.template_id, len(template_row))
    template_weights = np.zeros((len(template_row), width))
    template_targets = np.full((len(template_row), width), np.nan)
    items = KpiTemplateItem.objects.filter(
        template_id__in=[t for t in template_row if t is not None]
    ).values_list("template_id", "kpi_id", "weight", "target")
    for template_id, kpi_id, weight, target in items:
        if kpi_id in kpi_index:
            row, column = template_row[template_id], kpi_index[kpi_id]
            template_weights[row, column] = float(weight)
            template_targets[row, column] = np.nan if target is None else float(target)
    rows = np.array([template_row[review.template_id] for review in reviews], dtype=np.int64)
    weights, targets = template_weights[rows], template_targets[rows]
    for review_id, kpi_id, target in PersonalTarget.objects.filter(
        review__cycle=cycle, kpi_id__in=list(kpi_index)
    ).values_list("review__staff_id", "kpi_id", "target"):
        targets[person_index[review_id], kpi_index[kpi_id]] = float(target)

    actual = np.full((people, width), np.nan)
    counts = np.zeros((people, width), dtype=np.int64)
    if kpis:
        sql, params = _partials_sql(cycle, kpis, list(person_index))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _tune_group_by(cursor, groups=people * len(kpis))
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        methods = np.array([kpi.aggregation for kpi in kpis])
        staff_ids, kpi_ids, total, low, high, den, n, day = (
            [list(column) for column in zip(*fetched, strict=True)] if fetched else [[]] * 8
        )
        kpi_column = np.array([kpi_index[k] for k in kpi_ids], dtype=np.int64)
        count = np.array(n, dtype=np.int64)
        total_value = np.array(total, dtype=float)  # None (NULL) becomes NaN
        last = np.full(len(fetched), np.nan)
        wanted = np.flatnonzero(methods[kpi_column] == aggregation.LAST) if fetched else []
        if len(wanted):
            last[wanted] = _latest_values(
                cycle,
                [staff_ids[i] for i in wanted],
                [kpi_ids[i] for i in wanted],
                [day[i] for i in wanted],
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total_value / count
        partials = {
            "person": np.array([person_index[s] for s in staff_ids], dtype=np.int64),
            "kpi": kpi_column,
            "sum": total_value,
            "mean": mean,
            "min": np.array(low, dtype=float),
            "max": np.array(high, dtype=float),
            "den": np.array(den, dtype=float),
            "n": count,
            "last": last,
        }
        aggregated = aggregation.from_partials(partials, methods, people=people)
        actual, counts = aggregated.actual, aggregated.counts
    has_template = weights.sum(axis=1) > 0
    result = None
    if kpis and has_template.any():
        # People without a KPI template have no KPI score (never an invented one).
        scored = scoring.score_kpis(
            engine_inputs.kpi_rules(kpis),
            scoring.ScoringInput(
                actual=actual[has_template],
                weights=weights[has_template],
                targets=targets[has_template],
            ),
        )
        result = _expand(scored, has_template, width)
    kpi_score = result.weighted_score if result is not None else np.full(people, np.nan)
    kpi_score = np.where(has_template, kpi_score, np.nan)
    manager = np.array(
        [np.nan if r.manager_rating is None else r.manager_rating * RATING_SCALE for r in reviews]
    )
    competency = np.array(
        [np.nan if r.competency_score is None else float(r.competency_score) for r in reviews]
    )
    formula = parse_formula(cycle.formula, variables=cycles.FORMULA_VARIABLES)
    values = {"kpi": kpi_score, "competency": competency, "manager": manager}
    with np.errstate(invalid="ignore"):
        final = formula.evaluate({name: values[name] for name in formula.variables})
    adjustment = np.array([float(r.adjustment) for r in reviews])
    final = np.clip(np.asarray(final, dtype=float) + adjustment, 0.0, None)
    bands = grade_bands(cycle)
    veto = result.veto_failed.any(axis=1) if result is not None else np.zeros(people, dtype=bool)
    cap_index = (
        bands.names.index(cycle.veto_cap_grade) if cycle.veto_cap_grade in bands.names else -1
    )
    grade_index = scoring.assign_grades(final, bands, capped_at=np.where(veto, cap_index, -1))
    now = timezone.now()
    scorecards = _scorecard_json(kpis, result, actual, counts, weights, now)
    for row, review in enumerate(reviews):
        review.kpi_score = _decimal(kpi_score[row])
        review.final_score = _decimal(final[row])
        review.veto_applied = bool(veto[row])
        if np.isfinite(final[row]):
            name = bands.names[grade_index[row]]
            review.proposed_grade = name
            if review.grade_source in ("", GradeSource.REVIEW):
                review.grade = name
                review.grade_source = GradeSource.REVIEW
        else:
            review.proposed_grade = ""
            if review.grade_source in ("", GradeSource.REVIEW):
                review.grade, review.grade_source = "", ""
        review.coefficient = _decimal(bands.coefficient(review.grade)) if review.grade else None
        review.scorecard = scorecards[row]
    bulk.update_rows_copied(
        Review,
        reviews,
        (
            "kpi_score",
            "final_score",
            "veto_applied",
            "proposed_grade",
            "grade",
            "grade_source",
            "coefficient",
            "scorecard",
        ),
    )
    cycle.scored_at = now
    cycle.save(update_fields=["scored_at", "updated_at"])
    return people


def _expand(result: scoring.ScoringResult, rows: np.ndarray, width: int) -> scoring.ScoringResult:
    """Spread a result computed for ``rows`` (a boolean mask) back over every person."""

    def full(values: np.ndarray, fill: Any) -> np.ndarray:
        shape = (len(rows), width) if values.ndim == 2 else (len(rows),)
        out = np.full(shape, fill, dtype=values.dtype if fill is not np.nan else float)
        out[rows] = values
        return out

    return scoring.ScoringResult(
        kpi_scores=full(result.kpi_scores, np.nan),
        effective_weights=full(result.effective_weights, 0.0),
        contributions=full(result.contributions, 0.0),
        weighted_score=full(result.weighted_score, np.nan),
        handling=full(result.handling, scoring.NOT_APPLICABLE),
        veto_failed=full(result.veto_failed, False),
        targets_used=full(result.targets_used, np.nan),
    )


class CycleBands(scoring.GradeBands):
    def coefficient(self, name: str) -> float | None:
        if name not in self.names or not self.coefficients:
            return None
        return self.coefficients[self.names.index(name)]


def grade_bands(cycle: ReviewCycle) -> CycleBands:
    """The cycle's grade bands as the scoring engine's value."""
    return CycleBands(
        names=tuple(str(b["name"]) for b in cycle.grade_bands),
        minimums=tuple(float(b.get("min", 0)) for b in cycle.grade_bands),
        coefficients=tuple(float(b.get("coefficient", 1)) for b in cycle.grade_bands),
    )


def _rules_from_snapshot(values: dict[str, Any]) -> dict[str, Any]:
    decimals = ("threshold", "target", "stretch", "stretch_score", "cap", "per_unit")
    rules = dict(values)
    for name in decimals:
        rules[name] = None if rules.get(name) in (None, "") else Decimal(rules[name])
    return rules


def _scorecard_json(
    kpis: list[Any],
    result: scoring.ScoringResult | None,
    actual: np.ndarray,
    counts: np.ndarray,
    weights: np.ndarray,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """The scorecard of every person (row): one line per KPI of their template.

    The matrices are rounded as wholes and become Python lists once (not one numpy scalar at a
    time); numbers are rounded to 4 places and a missing one is None.
    """
    scored_at = now.isoformat()
    people = weights.shape[0]
    if result is None:
        return [{"scored_at": scored_at, "lines": []} for _ in range(people)]
    names = [(kpi.id, kpi.code, kpi.name, kpi.name_en, kpi.unit) for kpi in kpis]
    rows = zip(
        _rounded(weights),
        _rounded(actual),
        counts.tolist(),
        _rounded(result.targets_used),
        _rounded(result.kpi_scores),
        _rounded(result.effective_weights * 100),
        _rounded(result.contributions),
        result.handling.tolist(),
        result.veto_failed.tolist(),
        (weights > 0).tolist(),
        strict=True,
    )
    return [
        {
            "scored_at": scored_at,
            "lines": [
                {
                    "kpi": kpi_id,
                    "code": code,
                    "name": name,
                    "name_en": name_en,
                    "unit": unit,
                    "weight": weight,
                    "actual": actual_value,
                    "measurements": measured,
                    "target": target,
                    "score": score,
                    "effective_weight": effective,
                    "contribution": contribution,
                    "handling": handling,
                    "veto_failed": veto,
                }
                for (
                    (kpi_id, code, name, name_en, unit),
                    weight,
                    actual_value,
                    measured,
                    target,
                    score,
                    effective,
                    contribution,
                    handling,
                    veto,
                    applicable,
                ) in zip(names, *row, strict=True)
                if applicable
            ],
        }
        for row in rows
    ]


def _rounded(matrix: np.ndarray, places: int = 4) -> list[list[float | None]]:
    """``[[round(value, places) or None if not finite, ...], ...]``, rounded by numpy.

    numpy rounds the float ``value * 10**places`` to an integer and divides back; ``round()``
    rounds the exact product. The results are the same float unless the float product lies
    within its rounding error (under 2**-53 of itself) of a half: those few values go through
    ``round()``, so every number is the same to the last bit.
    """
    values = np.asarray(matrix, dtype=float)
    scale = 10.0**places
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = values * scale
        rounded = np.rint(scaled) / scale
        distance = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5)
        doubtful = finite & ~(distance > np.abs(scaled) * 2.0**-50)
    out = rounded.astype(object)
    out[~finite] = None
    if doubtful.any():
        out[doubtful] = [round(value, places) for value in values[doubtful].tolist()]
    return out.tolist()


def _review_for_update(review: Review) -> Review:
    return Review.objects.select_for_update().select_related("cycle").get(pk=review.pk)


@transaction.atomic
def review_self_submit(
    *, actor: Any, review: Review, comment: str, rating: int | None = None
) -> Review:
    """The reviewee's self-review, in the self-review stage. Audit: update."""
    policy.require(actor, "self_review", review)
    review = _review_for_update(review)
    if review.cycle.stage != CycleStage.SELF_REVIEW:
        raise InvalidTransition(_("Self-reviews are open only in the self-review stage."))
    if not (comment or "").strip():
        raise ValidationFailed(_("Write a few words about your period."), field="self_comment")
    before = audit.snapshot(review)
    review.self_rating, review.self_comment = rating, comment.strip()
    review.self_submitted_at = timezone.now()
    if review.status == ReviewStatus.PENDING:
        review.status = ReviewStatus.SELF_DONE
    _full_clean(review)
    review.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=review, before=before)
    return review


@transaction.atomic
def review_manager_submit(
    *,
    actor: Any,
    review: Review,
    rating: int,
    comment: str,
    potential: int | None = None,
    adjustment: Decimal = Decimal("0"),
    adjustment_reason: str = "",
) -> Review:
    """The manager's rating, comment, potential and bounded adjustment. Audit: update.

    An adjustment other than 0 needs a reason and stays within the cycle's bound.
    """
    policy.require(actor, "manager_review", review)
    review = _review_for_update(review)
    if review.cycle.stage != CycleStage.MANAGER_REVIEW:
        raise InvalidTransition(_("Manager reviews are open only in the manager-review stage."))
    if review.staff.user_id and review.staff.user_id == getattr(actor, "pk", None):
        raise ValidationFailed(_("Nobody reviews themself as a manager."))
    adjustment = Decimal(adjustment or 0)
    bound = review.cycle.max_adjustment
    if abs(adjustment) > bound:
        raise ValidationFailed(
            _("The adjustment must stay between -{bound} and +{bound} points.").format(bound=bound),
            field="adjustment",
        )
    if adjustment and not (adjustment_reason or "").strip():
        raise ValidationFailed(_("Give the reason for the adjustment."), field="adjustment_reason")
    if not (comment or "").strip():
        raise ValidationFailed(_("Write a comment for the reviewee."), field="manager_comment")
    before = audit.snapshot(review)
    review.manager_rating, review.manager_comment = rating, comment.strip()
    review.potential = potential
    review.adjustment, review.adjustment_reason = adjustment, (adjustment_reason or "").strip()
    review.manager_submitted_at = timezone.now()
    review.status = ReviewStatus.MANAGER_DONE
    _full_clean(review)
    review.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=review, before=before)
    return review


@transaction.atomic
def target_set(
    *, actor: Any, review: Review, kpi: Kpi, target: Decimal, note: str = ""
) -> PersonalTarget:
    """Agree a personal target in the goal-setting stage. Audit: create/update."""
    policy.require(actor, "manager_review", review)
    review = _review_for_update(review)
    if review.cycle.stage != CycleStage.GOAL_SETTING:
        raise InvalidTransition(_("Targets are agreed in the goal-setting stage."))
    if str(kpi.pk) not in (review.cycle.kpi_snapshot or {}):
        raise ValidationFailed(_("This KPI is not in the cycle."), field="kpi")
    existing = PersonalTarget.objects.filter(review=review, kpi=kpi).first()
    before = audit.snapshot(existing) if existing else None
    item = existing or PersonalTarget(review=review, kpi=kpi)
    item.target, item.note = target, note
    item.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=item,
        before=before,
    )
    return item


@transaction.atomic
def grade_change(
    *,
    actor: Any,
    review: Review,
    grade: str,
    justification: str,
    source: str = GradeSource.CALIBRATION,
) -> Review:
    """Change a final grade in calibration (or by appeal) with a required justification.
    Audit: update of the review, and a grade-change record."""
    policy.require(actor, "calibrate", review)
    review = _review_for_update(review)
    if source == GradeSource.CALIBRATION and review.cycle.stage != CycleStage.CALIBRATION:
        raise InvalidTransition(_("Grades change in the calibration stage only."))
    names = review.cycle.grade_names
    if grade not in names:
        raise ValidationFailed(
            _("Choose one of the grades: {names}.").format(names=", ".join(names)), field="grade"
        )
    if not (justification or "").strip():
        raise ValidationFailed(_("A grade change needs a justification."), field="justification")
    if grade == review.grade:
        return review
    cap = review.cycle.veto_cap_grade
    if review.veto_applied and cap in names and names.index(grade) < names.index(cap):
        raise ValidationFailed(
            _("A failed veto item caps this person at {grade}.").format(grade=cap), field="grade"
        )
    before = audit.snapshot(review)
    GradeChange.objects.create(
        review=review,
        from_grade=review.grade,
        to_grade=grade,
        source=source,
        justification=justification.strip(),
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    review.grade, review.grade_source = grade, source
    review.coefficient = _decimal(grade_bands(review.cycle).coefficient(grade))
    review.save()
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=review, before=before, note=justification[:500]
    )
    return review


@transaction.atomic
def review_acknowledge(*, actor: Any, review: Review) -> Review:
    """The reviewee confirms (确认) their published result. Audit: update."""
    policy.require(actor, "acknowledge", review)
    review = _review_for_update(review)
    if review.status not in (ReviewStatus.PUBLISHED, ReviewStatus.RESOLVED):
        raise InvalidTransition(_("Only a published result can be acknowledged."))
    before = audit.snapshot(review)
    review.status, review.acknowledged_at = ReviewStatus.ACKNOWLEDGED, timezone.now()
    review.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=review, before=before)
    return review


@transaction.atomic
def appeal_file(*, actor: Any, review: Review, reason: str) -> Appeal:
    """File an appeal (申诉) against a published result before the deadline. Audit: create."""
    policy.require(actor, "acknowledge", review)
    review = _review_for_update(review)
    if review.status != ReviewStatus.PUBLISHED:
        raise InvalidTransition(
            _("An appeal is possible once, on a published, unconfirmed result.")
        )
    deadline = review.cycle.acknowledgement_deadline
    if deadline and timezone.localdate() > deadline:
        raise InvalidTransition(
            _("The appeal deadline ({date}) has passed.").format(date=deadline.isoformat())
        )
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why you appeal."), field="reason")
    appeal = Appeal.objects.create(review=review, reason=reason.strip())
    review.status = ReviewStatus.APPEALED
    review.save(update_fields=["status"])
    audit.record(actor=actor, action=AuditAction.CREATE, obj=appeal)
    return appeal


@transaction.atomic
def appeal_resolve(
    *, actor: Any, appeal: Appeal, upheld: bool, outcome: str, new_grade: str = ""
) -> Appeal:
    """HR records the outcome of an appeal; an upheld appeal changes the grade. Audit: update."""
    policy.require(actor, "resolve_appeal", appeal)
    appeal = Appeal.objects.select_for_update().select_related("review__cycle").get(pk=appeal.pk)
    if appeal.status != AppealStatus.OPEN:
        raise InvalidTransition(_("This appeal has already been resolved."))
    if not (outcome or "").strip():
        raise ValidationFailed(_("Record the outcome."), field="outcome")
    before = audit.snapshot(appeal)
    review = appeal.review
    if upheld:
        if not new_grade or new_grade == review.grade:
            raise ValidationFailed(_("An upheld appeal sets a new grade."), field="new_grade")
        grade_change(
            actor=actor,
            review=review,
            grade=new_grade,
            justification=outcome,
            source=GradeSource.APPEAL,
        )
        review.refresh_from_db()
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.outcome, appeal.new_grade = outcome.strip(), new_grade if upheld else ""
    appeal.resolved_by = actor
    appeal.resolved_at = timezone.now()
    appeal.save()
    review.status = ReviewStatus.RESOLVED
    review.save(update_fields=["status"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=appeal, before=before)
    return appeal


def final_and_grades(
    cycle: ReviewCycle,
    *,
    kpi: np.ndarray,
    competency: np.ndarray,
    manager: np.ndarray,
    adjustment: np.ndarray,
    veto: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The final score (formula + bounded adjustment, never below 0) and grade index per person;
    NaN and -1 where a score the formula needs is missing."""
    formula = parse_formula(cycle.formula, variables=cycles.FORMULA_VARIABLES)
    values = {"kpi": kpi, "competency": competency, "manager": manager}
    with np.errstate(invalid="ignore"):
        final = formula.evaluate({name: values[name] for name in formula.variables})
    final = np.clip(np.asarray(final, dtype=float) + adjustment, 0.0, None)
    bands = grade_bands(cycle)
    cap = bands.names.index(cycle.veto_cap_grade) if cycle.veto_cap_grade in bands.names else -1
    grades = scoring.assign_grades(final, bands, capped_at=np.where(veto, cap, -1))
    return final, np.where(np.isfinite(final), grades, -1)


def plans_for_low_grades(*, actor: Any, cycle: ReviewCycle) -> tuple[int, list[str]]:
    """Draft an improvement plan (支持而不是惩罚) for each person with the cycle's lowest grade
    who has none open: 90 days, check-ins at 30, 60 and 90, linked to the review; the manager
    then writes the goals with the person. Returns (plans drafted, people skipped with why)."""
    from opsteam.performance import services_coaching

    policy.require(actor, "calibrate", Review)
    if cycle.published_at is None:
        raise InvalidTransition(_("Plans are proposed from published results."))
    lowest = cycle.grade_names[-1]
    today = timezone.localdate()
    drafted, skipped = 0, []
    for review in Review.objects.filter(cycle=cycle, grade=lowest).select_related("staff"):
        try:
            with transaction.atomic():
                services_coaching.plan_create(
                    actor=actor,
                    staff=review.staff,
                    start_date=today,
                    end_date=today + dt.timedelta(days=90),
                    check_in_dates=[today + dt.timedelta(days=d) for d in (30, 60, 90)],
                    review=review,
                    summary=_("Support after {cycle}: agree goals and the help needed.").format(
                        cycle=cycle.name
                    ),
                )
        except (ValidationFailed, PolicyDenied) as exc:
            skipped.append(f"{review.staff}: {exc.message}")
        else:
            drafted += 1
    return drafted, skipped
