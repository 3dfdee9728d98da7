"""Full scoring of a cycle (``score_cycle``): the set-based fast path gives the period values,
counts and scores the pure engines give for the same measurements, for every aggregation."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pytest

from opsteam.performance import aggregation, services_cycles
from opsteam.performance.choices import (
    KpiAggregation,
    KpiDirection,
    MissingRule,
    TemplateStatus,
)
from opsteam.performance.models import (
    KpiTemplate,
    KpiTemplateItem,
    Measurement,
    PersonalTarget,
    Review,
)
from opsteam.performance.tests.factories import KpiFactory

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
METHODS = (
    KpiAggregation.SUM,
    KpiAggregation.MEAN,
    KpiAggregation.LAST,
    KpiAggregation.MIN,
    KpiAggregation.MAX,
    KpiAggregation.RATIO,
)


@pytest.fixture
def every_aggregation(team):
    """The team's template holds one KPI per aggregation (a lower-is-better LAST among them)."""
    KpiTemplateItem.objects.filter(template=team["template"]).delete()
    kpis = []
    for index, method in enumerate(METHODS):
        ratio = method == KpiAggregation.RATIO
        kpi = KpiFactory(
            code=f"AGG{index}",
            aggregation=method,
            direction=KpiDirection.LOWER if method == KpiAggregation.LAST else KpiDirection.HIGHER,
            threshold=Decimal("0.5") if ratio else Decimal("0"),
            target=Decimal("0.9") if ratio else Decimal("40"),
            stretch=None,
            missing_rule=MissingRule.ZERO if method == KpiAggregation.MAX else MissingRule.SPREAD,
        )
        if method == KpiAggregation.LAST:
            kpi.threshold, kpi.target = Decimal("90"), Decimal("40")
            kpi.save()
        KpiTemplateItem.objects.create(
            template=team["template"], kpi=kpi, weight=Decimal("20" if index < 2 else "15")
        )
        kpis.append(kpi)
    return kpis


def test_scoring_a_cycle_matches_the_pure_engines_for_every_aggregation(
    team, user_as, org_tree, every_aggregation
):
    hr = user_as("hr", unit=org_tree.t3)
    people = [user.staff for user in team["operators"]] + [team["manager"].staff]
    chance = random.Random(20260101)
    rows = []
    for person in people[:3]:  # the manager has no measurement at all
        for kpi in every_aggregation:
            if person == people[2] and kpi.aggregation == KpiAggregation.MAX:
                continue  # unmeasured: scored 0 (ZERO) for this person
            days = chance.sample(range(-5, 95), 12)  # a few fall outside the period
            for offset in days:
                value = Decimal(chance.randint(0, 9000)) / 100
                den = Decimal(chance.randint(100, 120)) if kpi.aggregation == 5 else None
                if den is not None:
                    value = (den * Decimal(chance.randint(40, 100)) / 100).quantize(Decimal("1"))
                rows.append(
                    Measurement(
                        staff=person,
                        kpi=kpi,
                        date=Q1[0] + dt.timedelta(days=offset),
                        value=value,
                        denominator=den,
                    )
                )
    Measurement.objects.bulk_create(rows)
    cycle = services_cycles.cycle_create(
        actor=hr,
        name="Q1",
        period_start=Q1[0],
        period_end=Q1[1],
        formula="0.7 * kpi + 0.3 * manager",
        units=[org_tree.t1],
    )
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    cycle.refresh_from_db()
    assert services_cycles.score_cycle(cycle) == 4

    # The same period values from the pure engine, straight from the rows.
    in_period = [m for m in rows if Q1[0] <= m.date <= Q1[1]]
    person_index = {person.pk: row for row, person in enumerate(people)}
    kpi_index = {kpi.pk: column for column, kpi in enumerate(every_aggregation)}
    expected = aggregation.aggregate(
        aggregation.Measurements(
            person=np.array([person_index[m.staff_id] for m in in_period]),
            kpi=np.array([kpi_index[m.kpi_id] for m in in_period]),
            day=np.array([m.date.toordinal() for m in in_period]),
            value=np.array([float(m.value) for m in in_period]),
            denominator=np.array(
                [np.nan if m.denominator is None else float(m.denominator) for m in in_period]
            ),
        ),
        np.array([kpi.aggregation for kpi in every_aggregation]),
        people=len(people),
    )
    for person in people:
        review = Review.objects.get(cycle=cycle, staff=person)
        lines = {line["kpi"]: line for line in review.scorecard["lines"]}
        assert set(lines) == set(kpi_index)
        for kpi in every_aggregation:
            want = expected.actual[person_index[person.pk], kpi_index[kpi.pk]]
            line = lines[kpi.pk]
            if np.isnan(want):
                assert line["actual"] is None
                assert line["measurements"] == 0
            else:
                assert line["actual"] == pytest.approx(round(float(want), 4), abs=1e-9), kpi.code
                assert (
                    line["measurements"]
                    == expected.counts[person_index[person.pk], kpi_index[kpi.pk]]
                )
    # Nobody measured: nothing is invented (MAX scores 0, the rest spread onto nothing).
    manager_review = Review.objects.get(cycle=cycle, staff=people[3])
    assert manager_review.kpi_score == Decimal("0.00")
    unmeasured = Review.objects.get(cycle=cycle, staff=people[2])
    max_line = next(x for x in unmeasured.scorecard["lines"] if x["code"] == "AGG4")
    assert max_line["actual"] is None
    assert max_line["effective_weight"] > 0  # ZERO keeps its weight and scores 0
    assert max_line["contribution"] == 0


def test_scoring_twice_gives_the_same_results_and_keeps_calibrated_grades(
    team, user_as, org_tree, every_aggregation
):
    hr = user_as("hr", unit=org_tree.t3)
    operator = team["operators"][0].staff
    for offset in range(0, 90, 7):
        for kpi in every_aggregation:
            den = Decimal("100") if kpi.aggregation == KpiAggregation.RATIO else None
            Measurement.objects.create(
                staff=operator,
                kpi=kpi,
                date=Q1[0] + dt.timedelta(days=offset),
                value=Decimal(80 + offset % 17),
                denominator=den,
            )
    cycle = services_cycles.cycle_create(
        actor=hr,
        name="Q1",
        period_start=Q1[0],
        period_end=Q1[1],
        formula="kpi",
        units=[org_tree.t1],
    )
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    cycle.refresh_from_db()
    services_cycles.score_cycle(cycle)
    first = Review.objects.get(cycle=cycle, staff=operator)
    Review.objects.filter(pk=first.pk).update(grade="S", grade_source="calibration")
    services_cycles.score_cycle(cycle)
    again = Review.objects.get(pk=first.pk)
    assert again.kpi_score == first.kpi_score
    assert again.final_score == first.final_score
    assert [line["score"] for line in again.scorecard["lines"]] == [
        line["score"] for line in first.scorecard["lines"]
    ]
    assert again.proposed_grade == first.proposed_grade
    assert (again.grade, again.grade_source) == ("S", "calibration")  # calibration is kept


def test_competency_from_feedback_writes_the_released_mean_and_clears_the_rest(
    team, user_as, org_tree
):
    from opsteam.surveys.tests.factories import CampaignFactory, SubjectFactory
    from opsteam.surveys.tests.test_results import give

    hr = user_as("hr", unit=org_tree.t3)
    cycle = services_cycles.cycle_create(
        actor=hr,
        name="Q1",
        period_start=Q1[0],
        period_end=Q1[1],
        formula="kpi",
        units=[org_tree.t1],
    )
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    cycle.refresh_from_db()
    released, withheld, only_self = (user.staff for user in team["operators"])
    campaign = CampaignFactory()
    subjects = {
        staff: SubjectFactory(campaign=campaign, staff=staff) for staff in _team_staff(team)
    }
    give(subjects[released], "manager", 4)
    for _ in range(3):
        give(subjects[released], "direct_report", 5)
    give(subjects[withheld], "manager", 3)
    for _ in range(2):
        give(subjects[withheld], "peer", 5)  # two peers: below the threshold of three
    give(subjects[only_self], "self", 5, rater=only_self)
    cycle.feedback_campaign = campaign
    cycle.save(update_fields=["feedback_campaign"])
    Review.objects.filter(cycle=cycle, staff=only_self).update(competency_score=Decimal("50"))

    assert services_cycles.competency_from_feedback(cycle) == 2
    scores = dict(Review.objects.filter(cycle=cycle).values_list("staff_id", "competency_score"))
    assert scores[released.pk] == Decimal("95.00")  # (3 x 4 + 9 x 5) / 12 x 20
    assert scores[withheld.pk] == Decimal("60.00")  # the manager alone: peers are withheld
    assert scores[only_self.pk] is None  # self-ratings never count; the stale 50 is cleared
    assert scores[team["manager"].staff.pk] is None
    # Scoring in the same transaction writes through the same temporary table again.
    services_cycles.score_cycle(cycle)
    assert Review.objects.get(cycle=cycle, staff=released).competency_score == Decimal("95.00")


def test_each_person_is_scored_with_their_own_template_and_agreed_target(team, user_as, org_tree):
    """Weights and targets come from each person's template (its item target overriding the
    KPI's), an agreed personal target overrides both, and nobody without a template is given
    a KPI score."""
    hr = user_as("hr", unit=org_tree.t3)
    first, agreed, _third = (user.staff for user in team["operators"])
    other = team["other"].staff
    nobody = user_as("operator", unit=org_tree.t2).staff  # a position without a template
    other_template = KpiTemplate.objects.create(
        position=other.position, status=TemplateStatus.ACTIVE
    )
    KpiTemplateItem.objects.create(
        template=other_template, kpi=team["gmv"], weight=100, target=Decimal("160")
    )
    for person in (first, agreed, other, nobody):
        for offset in range(4):
            day = Q1[0] + dt.timedelta(days=offset)
            Measurement.objects.create(staff=person, kpi=team["gmv"], date=day, value=20)
            Measurement.objects.create(
                staff=person, kpi=team["rate"], date=day, value=45, denominator=50
            )
    cycle = services_cycles.cycle_create(
        actor=hr, name="Q1", period_start=Q1[0], period_end=Q1[1], formula="kpi"
    )
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    cycle.refresh_from_db()
    PersonalTarget.objects.create(
        review=Review.objects.get(cycle=cycle, staff=agreed), kpi=team["gmv"], target=50
    )
    assert services_cycles.score_cycle(cycle) == Review.objects.filter(cycle=cycle).count()

    def scored(person):
        review = Review.objects.get(cycle=cycle, staff=person)
        lines = {line["code"]: line for line in review.scorecard["lines"]}
        return review, lines

    review, lines = scored(first)  # GMV 80 of 100 -> 80; rate 0.9 of 0.9 -> 100
    assert review.kpi_score == Decimal("88.00")
    assert (lines["GMV"]["target"], lines["GMV"]["score"], lines["GMV"]["weight"]) == (100, 80, 60)
    assert (lines["RATE"]["actual"], lines["RATE"]["score"]) == (0.9, 100)
    review, lines = scored(agreed)  # GMV 80 of the agreed 50 -> 100
    assert review.kpi_score == Decimal("100.00")
    assert (lines["GMV"]["target"], lines["GMV"]["score"]) == (50, 100)
    review, lines = scored(other)  # the other template: GMV 100%, target 160 -> 50
    assert review.kpi_score == Decimal("50.00")
    assert set(lines) == {"GMV"}
    assert (lines["GMV"]["target"], lines["GMV"]["weight"]) == (160, 100)
    review, lines = scored(nobody)
    assert review.kpi_score is None
    assert review.final_score is None
    assert lines == {}


def test_scorecard_numbers_are_rounded_exactly_as_round_does():
    chance = np.random.default_rng(20260101)
    values = np.concatenate(
        [
            chance.normal(0, 1, 20_000) * 10.0 ** chance.integers(-6, 14, 20_000),
            chance.integers(-(10**6), 10**6, 20_000) / 20_000 + 0.00005,  # near halves
            [2.675, 0.00005, -0.00005, 1.00005, 0.12345, 4.5e11 + 0.00005, 2.0**53, 1e300],
            [-1e300, 5e-324, 0.0, -0.0, np.nan, np.inf, -np.inf, 123456789.00005],
        ]
    ).reshape(-1, 8)
    rounded = services_cycles._rounded(values)
    expected = [[round(v, 4) if np.isfinite(v) else None for v in row] for row in values.tolist()]
    # repr tells 0.0 from -0.0 and shows every bit of a float.
    assert [list(map(repr, row)) for row in rounded] == [list(map(repr, row)) for row in expected]


def _team_staff(team):
    return [user.staff for user in team["operators"]] + [team["manager"].staff]
