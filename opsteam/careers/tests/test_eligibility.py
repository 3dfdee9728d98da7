"""Promotion eligibility engine (pure: no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from opsteam.careers.eligibility import (
    AppraisalStandard,
    CycleGrade,
    Eligibility,
    GradeScale,
    InputError,
    LevelStandard,
    PersonRecord,
    add_months,
    evaluate,
    evaluate_many,
    readiness,
    whole_months,
)

SCALE = GradeScale(("S", "A", "B", "C", "D"))
TODAY = dt.date(2025, 6, 30)
# "At least two A or better and no C in the last four cycles."
TWO_A_NO_C = AppraisalStandard(window=4, min_count=2, at_least="A", none_below="B")


def person(**fields):
    values = {
        "staff_id": 7,
        "level_id": "op",
        "level_since": dt.date(2023, 1, 1),
        "skills": {},
        "courses_completed": {},
        "certificates": {},
        "grades": (),
        "assessment_score": None,
        "team_id": None,
    }
    return PersonRecord(**(values | fields))


def half_years(*grades, start=dt.date(2023, 6, 30)):
    """Return one grade per half-year cycle, oldest first, with cycle ids "H1", "H2", ..."""
    return tuple(
        CycleGrade("H{}".format(i + 1), add_months(start, 6 * i), grade)
        for i, grade in enumerate(grades)
    )


def appraisal(grades, standard=TWO_A_NO_C, today=TODAY):
    result = evaluate(
        person(grades=grades),
        LevelStandard("senior", appraisal=standard),
        scale=SCALE,
        today=today,
    )
    return {check.kind: check for check in result.checks}


def only_check(standard, today=TODAY, **fields):
    [check] = evaluate(person(**fields), standard, scale=SCALE, today=today).checks
    return check


def test_two_a_and_no_c_in_the_last_four_is_met():
    # H2..H5 are the last four: A, B, S, B
    checks = appraisal(half_years("C", "A", "B", "S", "B"))

    count, floor = checks["appraisal_count"], checks["appraisal_floor"]
    assert count.met
    assert count.reason == "met"
    assert count.evidence == ("H4", "H2")  # most recent first
    assert count.actual == 2
    assert floor.met
    assert floor.actual == "B"  # the worst grade that counted


def test_one_a_only_needs_one_more_and_names_the_a():
    checks = appraisal(half_years("B", "A", "B", "B"))

    count = checks["appraisal_count"]
    assert not count.met
    assert count.reason == "not_enough_good_grades"
    assert count.gap == 1
    assert count.evidence == ("H2",)
    assert count.params["needed"] == 1
    assert count.params["good"] == 1
    assert checks["appraisal_floor"].met


def test_a_c_in_the_window_misses_the_floor_naming_that_cycle():
    checks = appraisal(half_years("A", "A", "C", "B"))

    floor = checks["appraisal_floor"]
    assert checks["appraisal_count"].met
    assert not floor.met
    assert floor.reason == "grade_below_floor"
    assert floor.evidence == ("H3",)
    assert floor.params["below"] == (("H3", "C"),)
    assert floor.actual == "C"
    # H3 is the second most recent: after three more cycles the last four are those and H4.
    assert floor.params["cycles_until_clear"] == 3
    assert floor.gap == 3


def test_a_c_older_than_the_last_four_cycles_is_ignored():
    checks = appraisal(half_years("C", "A", "B", "A", "B"))

    assert checks["appraisal_floor"].met
    assert checks["appraisal_count"].met


def test_cycles_count_by_end_date_not_by_input_order():
    # given: the most recent cycles listed first, the oldest (a C) in the middle
    grades = (
        CycleGrade("2025H1", dt.date(2025, 6, 30), "A"),
        CycleGrade("2023H1", dt.date(2023, 6, 30), "C"),
        CycleGrade("2024H2", dt.date(2024, 12, 31), "A"),
        CycleGrade("2024H1", dt.date(2024, 6, 30), "B"),
        CycleGrade("2023H2", dt.date(2023, 12, 31), "B"),
    )

    checks = appraisal(grades)

    assert checks["appraisal_floor"].met
    assert checks["appraisal_count"].evidence == ("2025H1", "2024H2")


def test_cycles_ending_after_the_day_of_evaluation_do_not_count_yet():
    grades = half_years("A", "B", "A")  # H3 ends 2024-06-30

    checks = appraisal(grades, today=dt.date(2024, 6, 29))

    assert checks["appraisal_count"].evidence == ("H1",)


def test_good_grades_about_to_leave_the_window_need_more_cycles():
    # given: the only A is the oldest of the four: the next cycle pushes it out
    checks = appraisal(half_years("A", "B", "B", "B"))

    count = checks["appraisal_count"]
    assert count.params["needed"] == 1
    assert count.params["cycles_needed"] == 2


def test_new_joiner_with_one_cycle_can_still_qualify_within_the_window():
    checks = appraisal(half_years("A"))

    count = checks["appraisal_count"]
    assert count.params == {
        "window": 4,
        "min_count": 2,
        "at_least": "A",
        "good": 1,
        "cycles_in_window": 1,
        "needed": 1,
        "cycles_needed": 1,
    }
    assert checks["appraisal_floor"].met
    assert checks["appraisal_floor"].actual == "A"


def test_switched_off_parts_of_the_appraisal_rule_add_no_check():
    no_floor = AppraisalStandard(window=4, min_count=1, at_least="A", none_below=None)
    no_count = AppraisalStandard(window=4, min_count=0, none_below="B")

    assert list(appraisal(half_years("D"), no_floor)) == ["appraisal_count"]
    assert list(appraisal(half_years("D"), no_count)) == ["appraisal_floor"]


@pytest.mark.parametrize(
    ("_case", "valid_until", "met", "reason", "evidence"),
    [
        ("valid through today", TODAY, True, "met", (TODAY,)),
        ("never expires", None, True, "met", ()),
        (
            "expired yesterday",
            TODAY - dt.timedelta(days=1),
            False,
            "certificate_expired",
            (TODAY - dt.timedelta(days=1),),
        ),
    ],
)
def test_certificate_must_be_valid_on_the_day(_case, valid_until, met, reason, evidence):
    check = only_check(
        LevelStandard("senior", certificates=("electrician",)),
        certificates={"electrician": valid_until},
    )

    assert (check.kind, check.key) == ("certificate", "electrician")
    assert check.met is met
    assert check.reason == reason
    assert check.evidence == evidence
    assert check.params == {"certificate": "electrician", "valid_until": valid_until}


def test_certificate_never_held_is_missing():
    check = only_check(LevelStandard("senior", certificates=("forklift",)))

    assert not check.met
    assert check.reason == "missing"
    assert check.evidence == ()


@pytest.mark.parametrize(
    ("_case", "skills", "met", "gap", "reason"),
    [
        ("one level short", {"sql": 2}, False, 1, "below_level"),
        ("not assessed", {}, False, 3, "missing"),
        ("exactly the level", {"sql": 3}, True, 0, "met"),
        ("above the level", {"sql": 5}, True, 0, "met"),
    ],
)
def test_competency_gap_counts_levels(_case, skills, met, gap, reason):
    check = only_check(LevelStandard("senior", competencies=(("sql", 3),)), skills=skills)

    assert (check.kind, check.key) == ("competency", "sql")
    assert check.met is met
    assert check.gap == gap
    assert check.reason == reason
    assert check.normalised_gap == pytest.approx(gap / 3)


def test_completed_course_is_the_evidence():
    standard = LevelStandard("senior", courses=("safety", "itil"))

    result = evaluate(
        person(courses_completed={"safety": dt.date(2024, 3, 1), "itil": dt.date(2025, 7, 1)}),
        standard,
        scale=SCALE,
        today=TODAY,
    )

    safety, itil = result.checks
    assert safety.met
    assert safety.evidence == (dt.date(2024, 3, 1),)
    # completed after the day of evaluation: not done yet on that day
    assert not itil.met
    assert itil.reason == "missing"
    assert itil.normalised_gap == 1.0


@pytest.mark.parametrize(
    ("_case", "start", "end", "months"),
    [
        ("same day", dt.date(2025, 1, 15), dt.date(2025, 1, 15), 0),
        ("a day short of a month", dt.date(2025, 1, 15), dt.date(2025, 2, 14), 0),
        ("one month to the day", dt.date(2025, 1, 15), dt.date(2025, 2, 15), 1),
        ("31st to end of February", dt.date(2025, 1, 31), dt.date(2025, 2, 28), 1),
        ("31st to the day before", dt.date(2025, 1, 31), dt.date(2025, 2, 27), 0),
        ("30th to end of February", dt.date(2025, 1, 30), dt.date(2025, 2, 28), 1),
        ("31st to leap-year February end", dt.date(2024, 1, 31), dt.date(2024, 2, 29), 1),
        ("31st to 30th of April", dt.date(2025, 3, 31), dt.date(2025, 4, 30), 1),
        ("28 Feb to 27 Mar", dt.date(2025, 2, 28), dt.date(2025, 3, 27), 0),
        ("28 Feb to 28 Mar", dt.date(2025, 2, 28), dt.date(2025, 3, 28), 1),
        ("leap day to a year later", dt.date(2024, 2, 29), dt.date(2025, 2, 28), 12),
        ("across a year", dt.date(2023, 11, 30), dt.date(2025, 6, 30), 19),
    ],
)
def test_whole_months_in_level(_case, start, end, months):
    assert whole_months(start, end) == months


def test_too_soon_in_level_says_when_it_will_be_enough():
    check = only_check(
        LevelStandard("senior", min_months_in_level=24), level_since=dt.date(2023, 7, 31)
    )

    assert check.kind == "time_in_level"
    assert not check.met
    assert check.reason == "too_soon"
    assert (check.required, check.actual, check.gap) == (24, 23, 1)
    assert check.evidence == (dt.date(2023, 7, 31),)
    assert check.params["eligible_on"] == dt.date(2025, 7, 31)


@pytest.mark.parametrize(
    ("_case", "score", "met", "reason", "gap"),
    [
        ("no defence yet", None, False, "no_score", 70),
        ("five points short", Decimal("65"), False, "below_score", 5),
        ("exactly the pass mark", Decimal("70.0"), True, "met", 0),
    ],
)
def test_assessment_score(_case, score, met, reason, gap):
    check = only_check(
        LevelStandard("senior", min_assessment_score=Decimal(70)), assessment_score=score
    )

    assert check.kind == "assessment"
    assert check.met is met
    assert check.reason == reason
    assert check.gap == gap


def test_level_without_standards_is_ready():
    result = evaluate(person(), LevelStandard("senior"), scale=SCALE, today=TODAY)

    assert result.checks == ()
    assert result.ready
    assert result.share_met == 1.0
    assert result.gap_score == 0


def test_eligibility_summarises_met_and_missing():
    standard = LevelStandard(
        "senior",
        min_months_in_level=12,
        competencies=(("sql", 3), ("linux", 2)),
        courses=("safety",),
        appraisal=TWO_A_NO_C,
    )

    result = evaluate(
        person(skills={"sql": 3, "linux": 1}, grades=half_years("A", "S", "B", "C")),
        standard,
        scale=SCALE,
        today=TODAY,
    )

    assert [(c.kind, c.met) for c in result.checks] == [
        ("time_in_level", True),
        ("competency", True),
        ("competency", False),
        ("course", False),
        ("appraisal_count", True),
        ("appraisal_floor", False),
    ]
    assert not result.ready
    assert (result.met_count, result.total) == (3, 6)
    assert result.share_met == 0.5
    assert [(c.kind, c.key) for c in result.missing()] == [
        ("competency", "linux"),
        ("course", "safety"),
        ("appraisal_floor", None),
    ]
    # linux 1 of 2, the course, and the C (most recent) four cycles from leaving the window
    assert result.gap_score == pytest.approx(0.5 + 1 + 4 / 4)


def test_each_person_is_evaluated_against_every_next_level():
    # given: an operator can move up the professional or the management track
    senior = LevelStandard("senior", competencies=(("sql", 3),))
    lead = LevelStandard("team_lead", courses=("leadership",))
    ladder = {"op": [senior, lead], "senior": []}
    people = [
        person(staff_id=1, level_id="op", skills={"sql": 4}),
        person(staff_id=2, level_id="senior"),
        person(staff_id=3, level_id="expert"),
    ]

    results = evaluate_many(people, ladder, scale=SCALE, today=TODAY)

    assert [(r.staff_id, r.level_id, r.ready) for r in results] == [
        (1, "senior", True),
        (1, "team_lead", False),
    ]


def test_readiness_ranks_ready_then_share_met_then_smallest_gap():
    def result(staff_id, *checks):
        return Eligibility(staff_id, "senior", checks=tuple(checks))

    met = only_check(LevelStandard("senior", courses=("c",)), courses_completed={"c": TODAY})
    missed = only_check(LevelStandard("senior", courses=("c",)))
    close = only_check(LevelStandard("senior", competencies=(("sql", 5),)), skills={"sql": 4})
    ranked = readiness(
        [
            result(5, met, missed),
            result(4, missed, missed),
            result(3, met, close),
            result(2, met, met),
            result(1, met, missed),
            result(6),
        ]
    )

    assert [r.staff_id for r in ranked] == [2, 6, 3, 1, 5, 4]


def test_readiness_refuses_a_person_listed_twice_for_one_level():
    twice = [Eligibility(1, "senior", ()), Eligibility(1, "senior", ())]

    with pytest.raises(InputError, match=r"\(1, 'senior'\) is listed twice"):
        readiness(twice)


@pytest.mark.parametrize(
    ("_case", "standard", "fields", "message"),
    [
        (
            "negative months",
            LevelStandard("senior", min_months_in_level=-1),
            {},
            r"level senior: min_months_in_level: cannot be negative",
        ),
        (
            "window shorter than the count",
            LevelStandard("senior", appraisal=AppraisalStandard(window=2, min_count=3)),
            {},
            r"level senior: appraisal: window: 2 cycles cannot hold 3 good grades",
        ),
        (
            "grade not on the scale in a standard",
            LevelStandard("senior", appraisal=AppraisalStandard(at_least="A+")),
            {},
            r"level senior: appraisal: at_least: grade 'A\+': not on the scale",
        ),
        (
            "competency level above 5",
            LevelStandard("senior", competencies=(("sql", 6),)),
            {},
            r"level senior: competencies: skill sql: level 6 is not 1..5",
        ),
        (
            "score above 100",
            LevelStandard("senior", min_assessment_score=Decimal(101)),
            {},
            r"level senior: min_assessment_score: 101 is outside 0..100",
        ),
        (
            "grade not on the scale in a person's history",
            LevelStandard("senior"),
            {"grades": (CycleGrade("2024H2", TODAY, "E"),)},
            r"staff 7: grades: cycle 2024H2: grade 'E': not on the scale S, A, B, C, D",
        ),
        (
            "skill level 0",
            LevelStandard("senior"),
            {"skills": {"sql": 0}},
            r"staff 7: skills: skill sql: level 0 is not 1..5",
        ),
        (
            "in level from a future date",
            LevelStandard("senior"),
            {"level_since": TODAY + dt.timedelta(days=1)},
            r"staff 7: level_since: 2025-07-01 is after 2025-06-30",
        ),
        (
            "negative score",
            LevelStandard("senior"),
            {"assessment_score": Decimal(-1)},
            r"staff 7: assessment_score: -1 is outside 0..100",
        ),
        (
            "cycle listed twice",
            LevelStandard("senior"),
            {"grades": (CycleGrade(1, TODAY, "A"), CycleGrade(1, TODAY, "B"))},
            r"staff 7: grades: 1 is listed twice",
        ),
    ],
)
def test_invalid_input_is_refused_naming_the_field(_case, standard, fields, message):
    with pytest.raises(InputError, match=message):
        evaluate(person(**fields), standard, scale=SCALE, today=TODAY)


def test_broken_ladder_fails_even_when_no_one_is_at_that_level():
    ladder = {"expert": [LevelStandard("principal", min_months_in_level=-6)]}

    with pytest.raises(InputError, match=r"level principal: min_months_in_level"):
        evaluate_many([person()], ladder, scale=SCALE, today=TODAY)


SKILLS = ("sql", "linux", "itil", "excel")
COURSES = ("safety", "onboarding", "leadership")
CERTS = ("electrician", "forklift")
GRADES = st.sampled_from(SCALE.names)
EARLY = dt.date(2020, 1, 1)


@st.composite
def standards(draw, level_id="senior"):
    skills = draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=3))
    appraisal = None
    if draw(st.booleans()):
        window = draw(st.integers(1, 5))
        appraisal = AppraisalStandard(
            window=window,
            min_count=draw(st.integers(0, window)),
            at_least=draw(GRADES),
            none_below=draw(st.none() | GRADES),
        )
    return LevelStandard(
        level_id,
        min_months_in_level=draw(st.integers(0, 36)),
        competencies=tuple((s, draw(st.integers(1, 5))) for s in skills),
        courses=tuple(draw(st.lists(st.sampled_from(COURSES), unique=True, max_size=2))),
        certificates=tuple(draw(st.lists(st.sampled_from(CERTS), unique=True, max_size=2))),
        appraisal=appraisal,
        min_assessment_score=draw(st.none() | st.integers(1, 100).map(Decimal)),
    )


def around_today():
    return st.dates(TODAY - dt.timedelta(days=60), TODAY + dt.timedelta(days=60))


@st.composite
def people(draw, staff_id=7, level_id="op"):
    count = draw(st.integers(0, 7))
    grades = tuple(
        CycleGrade(
            "c{}".format(i),
            draw(st.dates(dt.date(2022, 1, 1), TODAY + dt.timedelta(days=200))),
            draw(GRADES),
        )
        for i in range(count)
    )
    return PersonRecord(
        staff_id=staff_id,
        level_id=level_id,
        level_since=draw(st.dates(EARLY, TODAY)),
        skills=draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5))),
        courses_completed=draw(st.dictionaries(st.sampled_from(COURSES), around_today())),
        certificates=draw(
            st.dictionaries(st.sampled_from(CERTS), st.none() | around_today()),
        ),
        grades=grades,
        assessment_score=draw(st.none() | st.decimals(0, 100, places=1)),
        team_id=draw(st.integers(0, 3)),
    )


def improve(record, data):
    """Return the record made better in one respect the standards look at."""
    how = data.draw(
        st.sampled_from(["skill", "course", "grade", "time", "certificate", "score"]),
        label="improvement",
    )
    if how == "skill":
        skill = data.draw(st.sampled_from(SKILLS))
        current = record.skills.get(skill, 0)
        assume(current < 5)
        better = data.draw(st.integers(current + 1, 5))
        return dataclasses.replace(record, skills={**record.skills, skill: better})
    if how == "course":
        course = data.draw(st.sampled_from(COURSES))
        assume(course not in record.courses_completed)
        done = {**record.courses_completed, course: data.draw(st.dates(EARLY, TODAY))}
        return dataclasses.replace(record, courses_completed=done)
    if how == "grade":
        assume(record.grades)
        index = data.draw(st.integers(0, len(record.grades) - 1))
        old = record.grades[index]
        assume(old.grade != SCALE.names[0])
        better = data.draw(st.sampled_from(SCALE.names[: SCALE.rank(old.grade)]))
        grades = list(record.grades)
        grades[index] = dataclasses.replace(old, grade=better)
        return dataclasses.replace(record, grades=tuple(grades))
    if how == "time":
        assume(record.level_since > EARLY)
        return dataclasses.replace(
            record, level_since=data.draw(st.dates(EARLY, record.level_since))
        )
    if how == "certificate":
        cert = data.draw(st.sampled_from(CERTS))
        held = record.certificates.get(cert, EARLY)
        assume(held is not None)
        longer = data.draw(st.none() | st.dates(held, TODAY + dt.timedelta(days=400)))
        return dataclasses.replace(record, certificates={**record.certificates, cert: longer})
    score = record.assessment_score
    assume(score is None or score < 100)
    low = Decimal(0) if score is None else score
    return dataclasses.replace(record, assessment_score=data.draw(st.decimals(low, 100, places=1)))


@settings(max_examples=300, deadline=None)
@given(people(), standards(), st.data())
def test_improving_a_person_never_loses_a_met_standard(record, standard, data):
    better = improve(record, data)

    before = evaluate(record, standard, scale=SCALE, today=TODAY)
    after = evaluate(better, standard, scale=SCALE, today=TODAY)

    assert [c.kind for c in after.checks] == [c.kind for c in before.checks]
    for was, now in zip(before.checks, after.checks, strict=True):
        assert now.met or not was.met, (was, now)
        assert now.normalised_gap <= was.normalised_gap
    assert after.share_met >= before.share_met


@settings(max_examples=200, deadline=None)
@given(people(), standards())
def test_ready_exactly_when_every_check_is_met_and_gaps_are_zero(record, standard):
    result = evaluate(record, standard, scale=SCALE, today=TODAY)

    assert result.ready == all(check.met for check in result.checks)
    assert result.ready == (result.missing() == ())
    assert result.ready == (result.gap_score == 0)
    assert result.met_count + len(result.missing()) == result.total
    for check in result.checks:
        assert (check.gap == 0) == check.met, check
        assert (check.normalised_gap == 0) == check.met, check
        assert 0 <= check.normalised_gap <= 1
        assert (check.reason == "met") == check.met


@settings(max_examples=200, deadline=None)
@given(people(), standards(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(record, standard, rnd):
    def shuffled(mapping):
        items = list(mapping.items())
        rnd.shuffle(items)
        return dict(items)

    grades = list(record.grades)
    rnd.shuffle(grades)
    reordered = dataclasses.replace(
        record,
        grades=tuple(grades),
        skills=shuffled(record.skills),
        courses_completed=shuffled(record.courses_completed),
        certificates=shuffled(record.certificates),
    )

    first = evaluate(record, standard, scale=SCALE, today=TODAY)

    assert evaluate(reordered, standard, scale=SCALE, today=TODAY) == first
    assert evaluate(record, standard, scale=SCALE, today=TODAY) == first


@st.composite
def organisations(draw):
    size = draw(st.integers(0, 12))
    staff = [
        draw(people(staff_id=i, level_id=draw(st.sampled_from(["op", "senior", "expert"]))))
        for i in range(size)
    ]
    ladder = {
        "op": [draw(standards("senior")), draw(standards("team_lead"))],
        "senior": [draw(standards("expert"))],
    }
    return staff, ladder


@settings(max_examples=100, deadline=None)
@given(organisations())
def test_evaluate_many_equals_one_evaluation_per_next_level(org):
    staff, ladder = org

    results = evaluate_many(staff, ladder, scale=SCALE, today=TODAY)

    assert results == [
        evaluate(p, standard, scale=SCALE, today=TODAY)
        for p in staff
        for standard in ladder.get(p.level_id, [])
    ]


@settings(max_examples=100, deadline=None)
@given(organisations(), st.randoms(use_true_random=False))
def test_readiness_is_a_total_order_independent_of_input_order(org, rnd):
    staff, ladder = org
    results = evaluate_many(staff, ladder, scale=SCALE, today=TODAY)
    shuffled = list(results)
    rnd.shuffle(shuffled)

    ranked = readiness(results)

    assert readiness(shuffled) == ranked
    assert sorted(map(id, ranked)) == sorted(map(id, results))
    for higher, lower in itertools.pairwise(ranked):
        assert higher.ready or not lower.ready
        if higher.ready == lower.ready:
            assert higher.share_met >= lower.share_met
            if higher.share_met == lower.share_met:
                assert higher.gap_score <= lower.gap_score


@settings(max_examples=300, deadline=None)
@given(st.dates(EARLY, TODAY), st.dates(EARLY, TODAY))
def test_whole_months_is_the_last_monthly_anniversary_reached(start, end):
    assume(start <= end)

    months = whole_months(start, end)

    assert add_months(start, months) <= end < add_months(start, months + 1)


def test_ten_thousand_people_against_two_next_levels():
    # given: a whole organisation (speed is measured in bench/, not asserted here)
    rng = random.Random(6)
    standard = LevelStandard(
        "senior",
        min_months_in_level=24,
        competencies=(("sql", 3), ("linux", 2)),
        courses=("safety",),
        certificates=("electrician",),
        appraisal=TWO_A_NO_C,
        min_assessment_score=Decimal(70),
    )
    ladder = {"op": [standard, dataclasses.replace(standard, level_id="team_lead")]}
    staff = [
        person(
            staff_id=i,
            team_id=i % 40,
            skills={"sql": rng.randint(1, 5), "linux": rng.randint(1, 5)},
            courses_completed={"safety": dt.date(2024, 1, 1)} if i % 3 else {},
            certificates={"electrician": TODAY + dt.timedelta(days=rng.randint(-30, 300))},
            grades=half_years(*rng.choices(SCALE.names, k=6)),
            assessment_score=Decimal(rng.randint(50, 100)),
        )
        for i in range(10_000)
    ]

    # when
    results = evaluate_many(staff, ladder, scale=SCALE, today=TODAY)
    ranked = readiness(r for r in results if r.team_id == 0)

    # then
    assert len(results) == 20_000
    assert {r.total for r in results} == {8}
    assert len(ranked) == 500
    assert ranked[0].share_met >= ranked[-1].share_met
