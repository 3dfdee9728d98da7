"""The results level of the effectiveness report on real KPI measurements, and the window
means it is built from (checked against a plain loop)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsteam.org.tests.factories import PositionFactory, StaffFactory
from opsteam.performance.models import Measurement
from opsteam.performance.tests.factories import KpiFactory
from opsteam.training.selectors_effectiveness import results_level, window_means
from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory

COURSE_DAY = dt.date(2026, 6, 1)


def _measure(kpi, staff, value_before: float, value_after: float) -> list[Measurement]:
    rows = []
    for offset in range(1, 61):
        rows.append(
            Measurement(
                staff=staff,
                kpi=kpi,
                date=COURSE_DAY - dt.timedelta(days=offset),
                value=value_before + (offset % 3),
            )
        )
        rows.append(
            Measurement(
                staff=staff,
                kpi=kpi,
                date=COURSE_DAY + dt.timedelta(days=offset),
                value=value_after + (offset % 3),
            )
        )
    return rows


@pytest.fixture
def kpi_history(db, org_tree):
    """8 trained people whose KPI rose by 10 after the course (plus noise), 24 untrained
    colleagues of the same position whose KPI rose by 2 over the same dates."""
    position = PositionFactory()
    kpi = KpiFactory(code="GMV")
    course = CourseFactory()
    rows = []
    for index in range(8):
        person = StaffFactory(unit=org_tree.t1, position=position)
        EnrolmentFactory(staff=person, course=course, status="completed", completed_on=COURSE_DAY)
        rows += _measure(kpi, person, 100 + index, 110 + index + (index % 2))
    for index in range(24):
        person = StaffFactory(unit=org_tree.t2, position=position)
        rows += _measure(kpi, person, 98 + index % 10, 100 + index % 10 + (index % 2))
    Measurement.objects.bulk_create(rows)
    return course, kpi


@pytest.mark.django_db
def test_results_level_estimates_the_training_effect_with_an_interval(
    kpi_history, django_assert_max_num_queries
):
    course, kpi = kpi_history

    with django_assert_max_num_queries(9):
        level = results_level(course=course, window_days=60)

    did = level.did
    assert level.kpi == kpi
    assert did.estimable
    assert did.n_trained == 8
    assert did.n_control == 24
    assert did.estimate == pytest.approx(8, abs=1)
    assert did.ci_low < did.estimate < did.ci_high
    assert level.chart["series"][0]["data"][1] > level.chart["series"][0]["data"][0]


@pytest.mark.django_db
def test_results_level_says_not_enough_data_with_too_few_trainees(kpi_history):
    course, _kpi = kpi_history
    from opsteam.training.models import Enrolment

    Enrolment.objects.filter(course=course).exclude(
        pk__in=Enrolment.objects.filter(course=course).values("pk")[:3]
    ).update(status="assigned", completed_on=None)

    level = results_level(course=course, window_days=60)

    assert not level.did.estimable
    assert level.did.estimate is None
    assert "3" in level.reason


@pytest.mark.django_db
def test_a_course_nobody_completed_has_no_results_yet():
    level = results_level(course=CourseFactory())

    assert level.did is None
    assert level.reason


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    # the fixture (people, KPI) is meant to be shared; each example clears the measurements
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 40), st.integers(-1000, 1000)),
        min_size=0,
        max_size=40,
        unique_by=lambda m: (m[0], m[1]),
    ),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40)), min_size=1, max_size=8),
    st.integers(1, 15),
)
def test_window_means_match_a_plain_loop(people, measurements, queries, window):
    kpi = people["kpi"]
    Measurement.objects.all().delete()
    start = dt.date(2026, 1, 1)
    staff = people["staff"]
    Measurement.objects.bulk_create(
        [
            Measurement(staff=staff[s], kpi=kpi, date=start + dt.timedelta(days=d), value=v)
            for s, d, v in measurements
        ]
    )

    result = window_means(
        kpi, [(staff[s].pk, start + dt.timedelta(days=d)) for s, d in queries], window
    )

    for i, (person, anchor) in enumerate(queries):
        before = [v for s, d, v in measurements if s == person and anchor - window <= d < anchor]
        after = [v for s, d, v in measurements if s == person and anchor < d <= anchor + window]
        for got, expected in ((result.before[i], before), (result.after[i], after)):
            if expected:
                assert got == pytest.approx(np.mean(expected), abs=1e-6)
            else:
                assert np.isnan(got)


@pytest.fixture
def people(db, org_tree):
    """Four people (the last never measured) and a KPI."""
    return {"kpi": KpiFactory(), "staff": [StaffFactory(unit=org_tree.t1) for _ in range(4)]}
