"""Appraisal at scale: launch and full scoring of a 10,000-person review cycle with 360 feedback.

Data (issue 4): 10,000 staff in 50 teams under 4 departments, 4 positions with one active KPI
template each (12 KPIs, weights summing to 100), and daily measurements of the 12 KPIs for one
quarter (2025-04-01 .. 2025-06-30, 91 days: about 10.9M rows, inserted with
``bulk.insert_rows``, i.e. COPY on PostgreSQL). The KPIs mix SUM, MEAN, LAST and RATIO values
and LINEAR, BANDS, DEDUCTION and PASS/FAIL rules, lower-is-better KPIs, a veto item
(一票否决), a KPI nobody measured for some people (SPREAD) and one scored 0 when missing
(ZERO). 1% of the people have an agreed personal target, 2% a manager adjustment, and every
review has a manager rating. SQLite runs with 2,000 staff (2.2M rows): the figure names say so.
The measurement import is timed by ``bench_measurements``.

360 feedback: the formula is ``0.6 * kpi + 0.2 * manager + 0.2 * competency`` and the cycle has
a questionnaire of 5 rating questions (one per competency, 1-5) and a comment question, so
launch creates the 360 campaign (one subject per person with their self and manager
invitations, ``surveys.subjects_add_bulk``). Every person then gets 6 raters, inserted with
``bulk.insert_rows`` like the measurements: 3 peers from their team (team leads: 3 other leads)
and 3 internal customers from the next team, all answering every rating question (1 in 20 peer
answers also has a comment); the self and manager invitations are answered too. For 1 person
in 7 one internal customer never answers, so that group has 2 answers, below the anonymity
threshold of 3, and is withheld. At 10,000 staff that is 60,000 nominated invitations (about
80,000 with self and manager) and about 400,000 answers. Every rater rates at least 3 people,
so leniency normalisation applies to all of them. Everyone has 3 peer answers released, so
every final score exists.

Figures (medians of RUNS runs):
- cycle launch: ``services_cycles.cycle_launch`` (one review per person, set-based, and the
  360 campaign with its subjects and self/manager invitations);
- 360 competency: ``services_cycles.competency_from_feedback`` (the step ``cycle_advance`` runs
  on entering calibration): the released ratings of every person (anonymity rule, rater
  leniency normalisation), their mean, written to every review;
- full scoring: ``competency_from_feedback`` then ``services_cycles.score_cycle`` on the
  launched cycle, in one transaction (what entering calibration computes);
- baseline: a straightforward per-person ORM implementation of the same rules (written here,
  the way document-per-record HR systems compute appraisals): for each review it loads the
  person's submitted 360 invitations, counts each rater group against the threshold, asks the
  database for each released rater's ratings in the campaign (their mean and how many people
  they rated, for the leniency shift) and for that invitation's answers; loads the person's
  template items and personal targets, queries that person's measurements per KPI, aggregates
  and scores in plain Python and saves the review with ``review.save()``. The campaign-wide
  mean rating is one query per run. It runs on a sample of SAMPLE people (in one transaction)
  and is extrapolated linearly to the whole population; its 360 part is also timed on its own
  as the 360 figure's baseline. Both must give the same competency score, KPI score, final
  score, grade, veto and per-KPI scores on the sample (within 0.01): this is asserted, since a
  wrong fast path is worse than a slow one.
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
KPI_WEIGHT, MANAGER_WEIGHT, COMPETENCY_WEIGHT = Decimal("0.6"), Decimal("0.2"), Decimal("0.2")
FORMULA = f"{KPI_WEIGHT} * kpi + {MANAGER_WEIGHT} * manager + {COMPETENCY_WEIGHT} * competency"
PEERS, CUSTOMERS = 3, 3  # the 6 raters of every person (besides self and manager)
WITHHELD_EVERY = 7  # 1 person in 7: one internal customer never answers (group withheld)
COMMENT_EVERY = 20  # 1 peer answer in 20 has a comment
COMPETENCIES = (
    ("ownership", "主人翁意识", "Ownership"),
    ("teamwork", "团队协作", "Teamwork"),
    ("customer", "客户导向", "Customer focus"),
    ("communication", "沟通", "Communication"),
    ("learning", "学习成长", "Learning"),
)
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

    from bench.orgdata import org_units
    from bench.orgdata import positions as org_positions
    from opsteam.accounts.models import User
    from opsteam.core import bulk
    from opsteam.org.models import Assignment, JobLevel, Staff
    from opsteam.performance.choices import TemplateStatus
    from opsteam.performance.models import Kpi, KpiTemplate, KpiTemplateItem, Measurement

    people = STAFF[backend]
    admin = User.objects.create_superuser("bench-admin", password=None)
    _root, _departments, teams = org_units(DEPARTMENTS, TEAMS)
    positions = org_positions(POSITIONS, code="P{}")
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
    return {
        "admin": admin,
        "people": people,
        "rows": rows,
        "kpis": kpis,
        "staff_ids": staff_ids,
        "questionnaire": _questionnaire(admin),
    }


def _questionnaire(admin: Any) -> Any:
    """The 360 questionnaire: one 1-5 rating question per competency and a comment question."""
    from opsteam.surveys import services as surveys

    anchors = [{"value": v, "text": f"{v} 分", "text_en": f"{v} points"} for v in range(1, 6)]
    questions = [
        {
            "kind": "rating",
            "text": f"{name}：在本季度的表现如何？",
            "text_en": f"{name_en}: how did they do this quarter?",
            "competency": code,
            "competency_name": name,
            "competency_name_en": name_en,
            "anchors": anchors,
        }
        for code, name, name_en in COMPETENCIES
    ]
    questions.append({"kind": "comment", "text": "其他意见", "text_en": "Anything else?"})
    return surveys.questionnaire_create(
        actor=admin,
        code="bench-360",
        name="360 度评估",
        name_en="360 feedback",
        questions=questions,
    )


def _new_cycle(admin: Any, questionnaire: Any) -> Any:
    from opsteam.performance import services_cycles

    return services_cycles.cycle_create(
        actor=admin,
        name="2025 Q2",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        formula=FORMULA,
        veto_cap_grade="C",
        questionnaire=questionnaire,
    )


def _launch(admin: Any, questionnaire: Any) -> tuple[Any, float]:
    from opsteam.performance import services_cycles

    cycle = _new_cycle(admin, questionnaire)
    started = time.perf_counter()
    count = services_cycles.cycle_launch(actor=admin, cycle=cycle)
    elapsed = time.perf_counter() - started
    assert count > 0
    cycle.refresh_from_db()
    assert cycle.feedback_campaign_id is not None, "launch must create the 360 campaign"
    return cycle, elapsed


def _drop_cycle(cycle: Any) -> None:
    from opsteam.performance.models import Review
    from opsteam.surveys.models import Answer, Campaign, Invitation, Subject

    campaign_id = cycle.feedback_campaign_id
    Review.objects.filter(cycle=cycle)._raw_delete(Review.objects.db)
    cycle.delete()
    for model, lookup in (
        (Answer, "invitation__subject__campaign_id"),
        (Invitation, "subject__campaign_id"),
        (Subject, "campaign_id"),
    ):
        model.objects.filter(**{lookup: campaign_id})._raw_delete(model.objects.db)
    Campaign.objects.filter(pk=campaign_id).delete()


def _raters(staff_ids: list[int]) -> list[list[tuple[str, int]]]:
    """Person ``i``'s 6 raters as (relationship, rater index): 3 peers and 3 internal customers.

    Person ``i`` is in team ``i % TEAMS`` and the first person of each team leads it (as in
    ``_setup``). Members' peers are the next 3 members of their team, leads' peers the next 3
    leads; the internal customers are members of the next team. Nobody rates themself or is
    asked twice about one person, and nobody holds more than 8 open invitations.
    """
    from opsteam.surveys.choices import Relationship

    people = len(staff_ids)
    members = [list(range(t + TEAMS, people, TEAMS)) for t in range(TEAMS)]
    if min(len(team) for team in members) <= PEERS or people < TEAMS:
        raise SystemExit(f"bench_appraisal needs at least {TEAMS * (PEERS + 2)} staff")
    position = {i: p for team in members for p, i in enumerate(team)}
    raters = []
    for i in range(people):
        team = i % TEAMS
        if i < TEAMS:  # a team lead
            peers = [(i + k) % TEAMS for k in range(1, PEERS + 1)]
            p = 0
        else:
            own, p = members[team], position[i]
            peers = [own[(p + k) % len(own)] for k in range(1, PEERS + 1)]
        others = members[(team + 1) % TEAMS]
        customers = [others[(p + k) % len(others)] for k in range(CUSTOMERS)]
        raters.append(
            [(Relationship.PEER, r) for r in peers]
            + [(Relationship.INTERNAL_CUSTOMER, r) for r in customers]
        )
    return raters


def _rating(subject: int, rater: int, question: int) -> int:
    """A 1-5 rating: the person's level, the rater's leniency and some noise."""
    level = (subject * 7919 % 101) / 100 - 0.5
    leniency = (rater * 104729 % 7 - 3) / 4
    noise = ((subject * 31 + rater * 17 + question * 13) % 5 - 2) / 2
    return min(5, max(1, round(3.6 + level + leniency + noise)))


def _feedback_given(cycle: Any, admin: Any, staff_ids: list[int]) -> dict[str, int]:
    """6 raters per person and every answer (``bulk.insert_rows``); the campaign is closed."""
    from django.db import connection, transaction
    from django.utils import timezone

    from opsteam.core import bulk
    from opsteam.surveys import services as surveys
    from opsteam.surveys.choices import InvitationStatus, Relationship
    from opsteam.surveys.models import Answer, Invitation

    started = time.perf_counter()
    campaign = cycle.feedback_campaign
    questions = list(campaign.questionnaire.questions.order_by("order"))
    subjects = dict(campaign.subjects.values_list("staff_id", "pk"))
    index = {staff_id: i for i, staff_id in enumerate(staff_ids)}
    now = timezone.now()
    rows, withheld = [], 0
    for i, raters in enumerate(_raters(staff_ids)):
        silent = i % WITHHELD_EVERY == 3  # their last internal customer never answers
        withheld += silent
        for k, (relationship, rater) in enumerate(raters):
            answered = not (silent and k == len(raters) - 1)
            status = InvitationStatus.SUBMITTED if answered else InvitationStatus.OPEN
            when = now if answered else None
            rows.append(
                (subjects[staff_ids[i]], relationship, staff_ids[rater], "", "", "", status,
                 admin.pk, admin.pk, now, when, when, now, now)
            )  # fmt: skip
    with transaction.atomic():
        invitations = bulk.insert_rows(
            Invitation,
            ("subject", "relationship", "rater", "external_name", "external_email",
             "token_hash", "status", "proposed_by", "decided_by", "decided_at",
             "draft_saved_at", "submitted_at", "created_at", "updated_at"),
            rows,
        )  # fmt: skip
        invitations += Invitation.objects.filter(
            subject__campaign=campaign, relationship__in=[Relationship.SELF, Relationship.MANAGER]
        ).update(status=InvitationStatus.SUBMITTED, draft_saved_at=now, submitted_at=now)
        submitted = list(
            Invitation.objects.filter(
                subject__campaign=campaign, status=InvitationStatus.SUBMITTED
            ).values_list("pk", "subject__staff_id", "rater_id", "relationship")
        )

        def answers():
            for pk, subject, rater, relationship in submitted:
                for q, question in enumerate(questions):
                    if question.is_rating:
                        rating = _rating(index[subject], index[rater], q)
                        yield (pk, question.pk, rating, "")
                    elif relationship == Relationship.PEER and pk % COMMENT_EVERY == 0:
                        yield (pk, question.pk, None, "保持耐心，继续分享经验。")

        count = bulk.insert_rows(
            Answer, ("invitation", "question", "rating", "comment"), answers(), batch_size=50_000
        )
    surveys.campaign_close(actor=admin, campaign=campaign)
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE surveys_invitation, surveys_answer, surveys_subject"
            if connection.vendor == "postgresql"
            else "ANALYZE"
        )
    print(
        f"generated {invitations:,} 360 invitations and {count:,} answers"
        f" in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return {"invitations": invitations, "answers": count, "withheld_groups": withheld}


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


def _score(cycle: Any) -> tuple[float, float]:
    """What entering calibration computes: competency from the 360 results, then scoring.
    Returns (seconds of the 360 step, seconds of both)."""
    from django.db import transaction

    from opsteam.performance import services_cycles

    started = time.perf_counter()
    with transaction.atomic():
        with_competency = services_cycles.competency_from_feedback(cycle)
        competency_done = time.perf_counter()
        scored = services_cycles.score_cycle(cycle)
    elapsed = time.perf_counter() - started
    assert with_competency == scored > 0, "everyone has 360 results released"
    return competency_done - started, elapsed


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


def _campaign_mean(campaign: Any) -> float:
    """The mean of every rating given in the campaign except self-assessments."""
    from django.db.models import Count, Sum

    from opsteam.surveys.models import Answer

    given = (
        Answer.objects.filter(
            invitation__subject__campaign=campaign,
            invitation__status="submitted",
            rating__isnull=False,
        )
        .exclude(invitation__relationship="self")
        .aggregate(total=Sum("rating"), n=Count("id"))
    )
    return given["total"] / given["n"]


def _competency_simply(review: Any, campaign: Any, overall: float) -> float | None:
    """One person's competency (rating x 20) from their 360 answers, the straightforward way:
    a rater group counts when it is named (self, manager) or has at least the threshold of
    answers; self-assessments never count; a rater who rated at least
    ``OPSTEAM_SURVEY_NORMALISE_MIN_SUBJECTS`` people has their ratings shifted by (campaign
    mean - their own mean); the result is the mean of what counts."""
    from django.conf import settings
    from django.db.models import Count, Sum

    from opsteam.surveys.models import Answer, Invitation

    invitations = list(
        Invitation.objects.filter(
            subject__campaign=campaign, subject__staff_id=review.staff_id, status="submitted"
        )
    )
    counts = Counter(invitation.relationship for invitation in invitations)
    threshold = max(3, campaign.anonymity_threshold)
    values = []
    for invitation in invitations:
        relationship = invitation.relationship
        if relationship == "self":
            continue
        if relationship != "manager" and counts[relationship] < threshold:
            continue
        given = (
            Answer.objects.filter(
                invitation__rater_id=invitation.rater_id,
                invitation__subject__campaign=campaign,
                invitation__status="submitted",
                rating__isnull=False,
            )
            .exclude(invitation__relationship="self")
            .aggregate(
                total=Sum("rating"),
                n=Count("id"),
                people=Count("invitation__subject", distinct=True),
            )
        )
        shift = 0.0
        if given["people"] >= settings.OPSTEAM_SURVEY_NORMALISE_MIN_SUBJECTS:
            shift = overall - given["total"] / given["n"]
        for rating in Answer.objects.filter(
            invitation=invitation, rating__isnull=False
        ).values_list("rating", flat=True):
            values.append(float(rating) + shift)
    return sum(values) / len(values) * RATING_SCALE if values else None


def _baseline_one(review_pk: int, cycle: Any, overall: float) -> dict[str, Any]:
    from django.utils import timezone

    from opsteam.performance.choices import GradeSource, MissingRule
    from opsteam.performance.models import KpiTemplateItem, Measurement, PersonalTarget, Review

    started = time.perf_counter()
    review = Review.objects.get(pk=review_pk)
    review.competency_score = _quantize(
        _competency_simply(review, cycle.feedback_campaign, overall)
    )
    competency_seconds = time.perf_counter() - started
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
    if review.manager_rating is not None and review.competency_score is not None:
        final = (
            float(KPI_WEIGHT) * kpi_score
            + float(MANAGER_WEIGHT) * (review.manager_rating * RATING_SCALE)
            + float(COMPETENCY_WEIGHT) * float(review.competency_score)
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
        "competency_seconds": competency_seconds,
        "competency": review.competency_score,
        "kpi_score": kpi_score,
        "final_score": final,
        "grade": grade,
        "veto": veto,
        "scores": scores,
    }


def _baseline(cycle: Any, sample: list[int]) -> tuple[float, float, dict[int, dict[str, Any]]]:
    """Returns (seconds of the 360 part, seconds in all, results by review id)."""
    from django.db import transaction

    started = time.perf_counter()
    with transaction.atomic():
        overall = _campaign_mean(cycle.feedback_campaign)
        mean_seconds = time.perf_counter() - started
        results = {pk: _baseline_one(pk, cycle, overall) for pk in sample}
    elapsed = time.perf_counter() - started
    competency = mean_seconds + sum(r["competency_seconds"] for r in results.values())
    return competency, elapsed, results


def _check_same(sample_results: dict[int, dict[str, Any]]) -> int:
    """Assert score_cycle's stored results equal the baseline's on the sample."""
    from opsteam.performance.models import Review

    stored = Review.objects.in_bulk(list(sample_results))
    compared = 0
    for pk, expected in sample_results.items():
        review = stored[pk]
        label = f"review {pk} (staff {review.staff_id})"
        assert review.competency_score is not None, label
        assert expected["competency"] is not None, label
        assert abs(float(review.competency_score - expected["competency"])) <= TOLERANCE, (
            label,
            review.competency_score,
            expected["competency"],
        )
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
        cycle, elapsed = _launch(admin, data["questionnaire"])
        launch_times.append(elapsed)
        if run_index < RUNS - 1:
            _drop_cycle(cycle)
    assert Review.objects.filter(cycle=cycle).count() == people
    feedback = _feedback_given(cycle, admin, data["staff_ids"])
    _reviews_done(cycle, data["kpis"])

    sample_ids = list(
        Review.objects.filter(cycle=cycle).order_by("staff_id").values_list("pk", flat=True)
    )
    step = max(1, len(sample_ids) // SAMPLE)
    sample = sample_ids[::step][:SAMPLE]
    baseline_360, baseline_times, competency_times, score_times = [], [], [], []
    for _ in range(RUNS):
        competency_elapsed, elapsed, expected = _baseline(cycle, sample)
        baseline_360.append(competency_elapsed)
        baseline_times.append(elapsed)
        competency_elapsed, elapsed = _score(cycle)
        competency_times.append(competency_elapsed)
        score_times.append(elapsed)
        compared = _check_same(expected)
    graded = Counter(Review.objects.filter(cycle=cycle).values_list("grade", flat=True))
    assert "" not in graded, "every review must have a final grade"
    vetoed = Review.objects.filter(cycle=cycle, veto_applied=True).count()

    scale = people / len(sample)
    extrapolated = f"{len(sample)} people measured, extrapolated x{scale:g}"
    competency_median = statistics.median(competency_times)
    score_median = statistics.median(score_times)
    baseline_360_median = statistics.median(baseline_360) * scale
    baseline_median = statistics.median(baseline_times) * scale
    return [
        {
            "name": f"appraisal cycle launch with 360 campaign, {size} people{note}",
            "value": statistics.median(launch_times),
            "unit": "s",
            "runs": RUNS,
            "measurements": data["rows"],
        },
        {
            "name": f"appraisal 360 competency, {size} people, 6 raters each{note}",
            "value": competency_median,
            "unit": "s",
            "baseline": baseline_360_median,
            "baseline_name": (
                f"per-person ORM anonymity + leniency + mean, {extrapolated};"
                f" same competency on {len(sample)} people"
            ),
            "runs": RUNS,
            **feedback,
        },
        {
            "name": f"appraisal full scoring (360 + 12 KPIs), {size} people{note}",
            "value": score_median,
            "unit": "s",
            "baseline": baseline_median,
            "baseline_name": (
                f"per-person ORM 360 + KPI scoring + review.save(), {extrapolated};"
                f" same scores on {compared} KPI lines"
            ),
            "runs": RUNS,
            "measurements": data["rows"],
            "answers": feedback["answers"],
            "vetoed": vetoed,
            "grades": dict(sorted(graded.items())),
        },
        {
            "name": f"appraisal scoring speed-up over per-person baseline, {size}{note}",
            "value": baseline_median / score_median,
            "unit": "x",
        },
    ]
