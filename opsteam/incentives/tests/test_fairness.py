"""The fairness review: the pure engine (worked examples and hypothesis properties, no
database) and the page and download HR, administrators and auditors read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import subprocess
import sys
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.incentives import fairness
from opsteam.incentives.fairness import (
    COMPARED,
    TOO_SMALL,
    WITHHELD,
    FairnessInput,
    FairnessInputError,
    compare_groups,
    grade_split,
    review_fairness,
    tenure_band,
)

# --- worked examples --------------------------------------------------------------------------


def test_a_team_far_above_the_overall_rate_is_flagged():
    # given 10 people in team a (8 graded A or better) and 10 in team b (2 of them)
    values = [1.0] * 8 + [0.0] * 2 + [1.0] * 2 + [0.0] * 8
    groups = ["a"] * 10 + ["b"] * 10

    result = compare_groups(values, groups, margin=0.10, min_group=5)

    assert result.n == 20
    assert result.overall == pytest.approx(0.5)
    a, b = result.groups
    assert (a.key, a.n, a.rate, a.difference, a.flagged) == ("a", 10, 0.8, pytest.approx(0.3), True)
    assert (b.key, b.rate, b.flagged) == ("b", 0.2, True)


def test_a_difference_of_exactly_the_margin_is_not_flagged():
    values = [1.0] * 6 + [0.0] * 4 + [1.0] * 4 + [0.0] * 6
    groups = ["a"] * 10 + ["b"] * 10

    result = compare_groups(values, groups, margin=0.10, min_group=5)

    assert [group.difference for group in result.groups] == [
        pytest.approx(0.1),
        pytest.approx(-0.1),
    ]
    assert not result.flagged


def test_a_small_group_shows_no_rate_and_the_next_smallest_is_withheld():
    # given a team of 2 (rate 1.0): with the overall rate and the others' rates shown, its
    # rate would follow by subtraction, so the smallest compared team is withheld with it
    values = [1.0, 1.0] + [0.0] * 6 + [0.0] * 10
    groups = ["tiny", "tiny"] + ["mid"] * 6 + ["big"] * 10

    result = compare_groups(values, groups, margin=0.10, min_group=5)
    by_key = {group.key: group for group in result.groups}

    assert by_key["tiny"].status == TOO_SMALL
    assert by_key["tiny"].rate is None
    assert by_key["tiny"].n == 2
    assert by_key["mid"].status == WITHHELD
    assert by_key["mid"].rate is None
    assert by_key["big"].status == COMPARED
    assert by_key["big"].rate == 0.0


def test_small_groups_that_together_reach_the_minimum_need_no_further_withholding():
    values = [1.0] * 3 + [0.0] * 3 + [0.0] * 10
    groups = ["x"] * 3 + ["y"] * 3 + ["big"] * 10

    result = compare_groups(values, groups, min_group=5)

    assert [group.status for group in result.groups] == [COMPARED, TOO_SMALL, TOO_SMALL]


def test_a_population_below_the_minimum_gives_counts_only():
    result = compare_groups([1.0, 0.0, 1.0], ["a", "a", "b"], min_group=5)

    assert result.overall is None
    assert [(group.n, group.rate) for group in result.groups] == [(2, None), (1, None)]


def test_people_outside_the_measure_are_left_out():
    nan = math.nan
    result = compare_groups([1.0, nan, 0.0, None, 1.0], ["a"] * 5, min_group=3)

    assert result.n == 3
    assert result.overall == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("_case", "kwargs", "field"),
    [
        ("min_group below three", {"min_group": 2}, "min_group"),
        ("margin of zero", {"margin": 0}, "margin"),
        ("margin above one", {"margin": 1.5}, "margin"),
    ],
)
def test_bad_settings_name_the_field(_case, kwargs, field):
    with pytest.raises(FairnessInputError) as error:
        compare_groups([1.0] * 5, ["a"] * 5, **kwargs)

    assert error.value.field == field


def test_values_and_groups_of_different_lengths_are_refused():
    with pytest.raises(FairnessInputError, match="groups"):
        compare_groups([1.0, 0.0], ["a"])


@pytest.mark.parametrize(
    ("hired", "band"),
    [
        (dt.date(2026, 1, 1), "lt1"),
        (dt.date(2025, 4, 1), "lt1"),  # one day short of a year
        (dt.date(2025, 3, 31), "1to3"),
        (dt.date(2023, 4, 1), "1to3"),
        (dt.date(2023, 3, 31), "3to5"),
        (dt.date(2021, 3, 31), "5plus"),
    ],
)
def test_tenure_bands_count_whole_years_on_the_period_end(hired, band):
    assert tenure_band(hired, dt.date(2026, 3, 31)) == band


def test_grade_split_of_the_default_scale():
    top, bottom = grade_split(["S", "A", "B", "C", "D"])

    assert top == {"S", "A"}
    assert bottom == {"C", "D"}


def test_grade_split_without_a_or_c_takes_the_ends():
    top, bottom = grade_split(["优", "良", "中", "差"])

    assert top == {"优", "良"}
    assert bottom == {"中", "差"}


def test_engine_does_not_import_django():
    code = "import sys, opsteam.incentives.fairness; print('django' in sys.modules)"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "False"


# --- properties -------------------------------------------------------------------------------

people = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        st.one_of(st.sampled_from([0.0, 1.0]), st.just(math.nan)),
    ),
    max_size=80,
)
min_groups = st.integers(min_value=3, max_value=12)
margins = st.floats(min_value=0.01, max_value=1.0)


@given(people, min_groups, margins)
def test_rates_of_yes_no_outcomes_are_between_zero_and_one(rows, min_group, margin):
    result = compare_groups(
        [v for _g, v in rows], [g for g, _v in rows], margin=margin, min_group=min_group
    )

    rates = [group.rate for group in result.groups if group.rate is not None]
    assert all(0.0 <= rate <= 1.0 for rate in rates)
    assert result.overall is None or 0.0 <= result.overall <= 1.0


@given(people, min_groups, margins)
def test_flags_only_on_groups_of_at_least_min_group(rows, min_group, margin):
    result = compare_groups(
        [v for _g, v in rows], [g for g, _v in rows], margin=margin, min_group=min_group
    )

    for group in result.groups:
        if group.flagged:
            assert group.n >= min_group
            assert group.status == COMPARED
        if group.n < min_group:
            assert group.rate is None
            assert group.difference is None


@given(people, min_groups)
def test_group_sizes_sum_to_the_total(rows, min_group):
    result = compare_groups([v for _g, v in rows], [g for g, _v in rows], min_group=min_group)

    assert sum(group.n for group in result.groups) == result.n
    assert result.n == sum(1 for _g, v in rows if not math.isnan(v))


@given(people, min_groups, margins, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_row_order(rows, min_group, margin, rng):
    shuffled = list(rows)
    rng.shuffle(shuffled)

    first = compare_groups(
        [v for _g, v in rows], [g for g, _v in rows], margin=margin, min_group=min_group
    )
    second = compare_groups(
        [v for _g, v in shuffled], [g for g, _v in shuffled], margin=margin, min_group=min_group
    )

    assert first == second


@given(people, min_groups)
def test_hidden_people_are_none_or_at_least_min_group(rows, min_group):
    # Whatever is hidden cannot be worked out from the overall rate and the shown rates.
    result = compare_groups([v for _g, v in rows], [g for g, _v in rows], min_group=min_group)

    if result.overall is not None:
        hidden = sum(group.n for group in result.groups if group.status != COMPARED)
        assert hidden == 0 or hidden >= min_group


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.floats(min_value=0, max_value=3)),
        max_size=40,
    )
)
@settings(max_examples=50)
def test_compared_groups_average_back_to_the_overall_rate(rows):
    result = compare_groups([v for _g, v in rows], [g for g, _v in rows], min_group=3)

    if result.overall is not None and all(g.status == COMPARED for g in result.groups):
        weighted = sum(g.rate * g.n for g in result.groups) / result.n
        assert weighted == pytest.approx(result.overall)


def test_review_fairness_compares_every_measure_on_every_dimension():
    data = FairnessInput(
        dimensions={"team": ["a"] * 5 + ["b"] * 5, "tenure": ["lt1"] * 10},
        measures={"promotion": [1.0] * 5 + [0.0] * 5, "bonus": [0.5] * 10},
    )

    result = review_fairness(data, min_group=5)

    assert set(result) == {"team", "tenure"}
    assert set(result["team"]) == {"promotion", "bonus"}
    assert [g.flagged for g in result["team"]["promotion"].groups] == [True, True]
    assert result["tenure"]["bonus"].overall == pytest.approx(0.5)


def test_review_fairness_refuses_sequences_of_different_lengths():
    data = FairnessInput(dimensions={"team": ["a"] * 3}, measures={"promotion": [1.0] * 4})

    with pytest.raises(FairnessInputError):
        review_fairness(data)


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def graded_cycle(org_tree):
    """A published cycle: T1 has 8 people (6 graded A), T2 6 people (1 graded A), T3 2 people;
    an approved pool paid T1 more; one T1 person was promoted in a round after the cycle."""
    from opsteam.careers.models import Nomination, PromotionRound
    from opsteam.incentives.models import BonusLine
    from opsteam.incentives.tests.factories import (
        BonusPoolFactory,
        ReviewCycleFactory,
        ReviewFactory,
    )
    from opsteam.org.tests.factories import StaffFactory

    cycle = ReviewCycleFactory()
    people = {}
    for unit, grades in (
        (org_tree.t1, "AAAAAABB"),
        (org_tree.t2, "ABBBCC"),
        (org_tree.t3, "BB"),
    ):
        people[unit.code] = []
        for index, grade in enumerate(grades):
            person = StaffFactory(
                unit=unit, name=f"{unit.code}员工{index}", hire_date=dt.date(2020, 1, 1)
            )
            ReviewFactory(cycle=cycle, staff=person, grade=grade)
            people[unit.code].append(person)
    pool = BonusPoolFactory(cycle=cycle, unit=org_tree.company, status="approved")
    for person in people["T1"] + people["T2"]:
        bonus = Decimal("15000") if person.unit_id == org_tree.t1.pk else Decimal("8000")
        BonusLine.objects.create(
            pool=pool,
            staff=person,
            unit=person.unit,
            grade="A",
            base=Decimal("10000"),
            days=90,
            period_days=90,
            weight=Decimal("1"),
            amount=bonus,
        )
    promotion = PromotionRound.objects.create(
        name="2026 晋升", nominations_close=dt.date(2026, 4, 30), effective_date=dt.date(2026, 6, 1)
    )
    promoted = people["T1"][0]
    Nomination.objects.create(
        round=promotion,
        staff=promoted,
        unit=promoted.unit,
        target_level=promoted.level,
        kind="manager",
        justification="表现突出",
        ready_at_nomination=True,
        status="approved",
    )
    return cycle


def test_hr_sees_groups_compared_and_the_small_team_without_its_rate(client_as, graded_cycle):
    client = client_as("hr")

    page = client.get(reverse("incentives:fairness"), {"cycle": graded_cycle.pk})

    assert page.status_code == 200
    html = page.content.decode()
    team_table = html[html.index('id="dimension-team"') : html.index('id="dimension-level"')]
    assert "Store Ops" in team_table
    assert "75.0%" in team_table  # T1: 6 of 8 graded A or better
    assert "2 people: too small to compare" in team_table  # T3
    # T3's rate would follow from the overall and the others': the next smallest team is
    # withheld too
    assert "6 people: withheld" in team_table  # T2
    assert "flag" in team_table
    assert 'data-chart="chart-team"' in html
    # nobody of the fixture has a gender recorded: a note instead of the dimension
    assert "Nobody in this cycle has a gender recorded" in html
    assert 'id="dimension-gender"' not in html


def test_the_download_lists_every_group_and_measure_without_small_rates(client_as, graded_cycle):
    client = client_as("auditor")

    response = client.get(
        reverse("incentives:fairness"), {"cycle": graded_cycle.pk, "export": "csv"}
    )

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    settlement = [row for row in rows if row["Group"] == "Settlement"]
    assert settlement
    assert all(row["Rate (%)"] == "" for row in settlement)
    assert {row["Note"] for row in settlement} == {"Too small to compare"}
    store = next(
        row for row in rows if row["Group"] == "Store Ops" and row["Measure"] == "Promoted"
    )
    assert store["People"] == "8"


def test_a_margin_or_group_size_out_of_range_shows_the_field_error(client_as, graded_cycle):
    client = client_as("hr")

    page = client.get(reverse("incentives:fairness"), {"cycle": graded_cycle.pk, "min_group": "2"})

    assert page.status_code == 200
    assert "Ensure this value is greater than or equal to 3" in page.content.decode()
    assert "too small to compare" in page.content.decode()  # defaults still applied


@pytest.mark.parametrize("role", ["manager", "operator"])
def test_managers_and_operators_may_not_read_the_fairness_review(client_as, graded_cycle, role):
    client = client_as(role)

    assert client.get(reverse("incentives:fairness")).status_code == 403
    assert client.get(reverse("incentives:fairness"), {"export": "csv"}).status_code == 403


def test_without_any_cycle_the_page_says_what_to_do(client_as):
    page = client_as("hr").get(reverse("incentives:fairness"))

    assert page.status_code == 200
    assert "No review cycle yet" in page.content.decode()


def test_random_rows_never_flag_a_hidden_group():
    # A larger seeded example beside the properties: 500 people in 40 teams of mixed sizes.
    rng = random.Random(7)
    groups = [f"t{rng.randrange(40):02d}" for _ in range(500)]
    values = [float(rng.random() < 0.3) for _ in range(500)]

    result = fairness.compare_groups(values, groups, min_group=5)

    assert all(g.status == COMPARED for g in result.groups if g.flagged)
    assert sum(g.n for g in result.groups) == 500


# --- gender, where recorded -------------------------------------------------------------------


def _cycle_with_genders(org_tree, groups):
    """A cycle whose people have the given (gender, grades) groups; "" = not recorded."""
    from opsteam.incentives.tests.factories import ReviewCycleFactory, ReviewFactory
    from opsteam.org.tests.factories import StaffFactory

    cycle = ReviewCycleFactory()
    for gender, grades in groups:
        for grade in grades:
            person = StaffFactory(unit=org_tree.t1, gender=gender, hire_date=dt.date(2020, 1, 1))
            ReviewFactory(cycle=cycle, staff=person, grade=grade)
    return cycle


@pytest.fixture
def gendered_cycle(org_tree):
    """27 people: 10 women (8 graded A), 10 men (1 graded A), 2 "other" (1 A) and 5 without a
    gender recorded (no A); 10 of 27 graded A overall (37.0 %)."""
    return _cycle_with_genders(
        org_tree,
        [
            ("female", "AAAAAAAABB"),
            ("male", "ABBBBBBBBB"),
            ("other", "AB"),
            ("", "BBBBB"),
        ],
    )


def test_a_gender_group_beyond_the_margin_is_flagged(client_as, gendered_cycle):
    page = client_as("hr").get(reverse("incentives:fairness"), {"cycle": gendered_cycle.pk})

    html = page.content.decode()
    gender_table = html[html.index('id="dimension-gender"') :]
    female = gender_table[gender_table.index(">Female<") : gender_table.index(">Male<")]
    assert "80.0%" in female  # 8 of 10 graded A or better
    assert "+43.0" in female  # against 37.0 % overall
    assert "flag" in female
    assert "Nobody in this cycle has a gender recorded" not in html


def test_a_small_gender_group_is_shown_without_its_rate(api_client_as, gendered_cycle):
    body = (
        api_client_as("auditor")
        .get(reverse("incentives-fairness"), {"cycle": gendered_cycle.pk})
        .json()
    )

    gender = next(d for d in body["dimensions"] if d["dimension"] == "gender")
    top = next(m for m in gender["measures"] if m["measure"] == "top_grade")
    groups = {group["key"]: group for group in top["groups"]}
    assert groups["other"] == {
        "key": "other",
        "label": "Other",
        "n": 2,
        "rate": None,
        "difference": None,
        "flagged": False,
        "status": "too_small",
    }
    assert (groups["female"]["rate"], groups["female"]["flagged"]) == (80.0, True)
    assert (groups["male"]["rate"], groups["male"]["flagged"]) == (10.0, True)


def test_people_without_a_recorded_gender_are_counted_but_not_grouped(
    api_client_as, client_as, gendered_cycle
):
    body = (
        api_client_as("hr").get(reverse("incentives-fairness"), {"cycle": gendered_cycle.pk}).json()
    )

    assert (body["people"], body["gender_not_recorded"]) == (27, 5)
    gender = next(d for d in body["dimensions"] if d["dimension"] == "gender")
    top = next(m for m in gender["measures"] if m["measure"] == "top_grade")
    assert [(g["key"], g["n"]) for g in top["groups"]] == [
        ("female", 10),
        ("male", 10),
        ("other", 2),
    ]
    assert top["overall"] == 37.0  # the same overall rate as on every other dimension
    page = client_as("hr").get(reverse("incentives:fairness"), {"cycle": gendered_cycle.pk})
    note = page.content.decode().split('id="gender-not-recorded">')[1].split("</div>")[0]
    assert note.startswith("5 people have no gender recorded")


def test_a_few_people_without_gender_make_the_smallest_gender_withheld(api_client_as, org_tree):
    # One person without a gender: with both genders' rates and the overall rate shown, that
    # person's grade would follow by subtraction, so the smaller gender group is withheld.
    cycle = _cycle_with_genders(
        org_tree, [("female", "AAAAAABBBB"), ("male", "AABBBBBBBBBB"), ("", "A")]
    )

    body = api_client_as("hr").get(reverse("incentives-fairness"), {"cycle": cycle.pk}).json()

    gender = next(d for d in body["dimensions"] if d["dimension"] == "gender")
    top = next(m for m in gender["measures"] if m["measure"] == "top_grade")
    status = {g["key"]: (g["status"], g["rate"]) for g in top["groups"]}
    assert status == {"female": ("withheld", None), "male": ("compared", 16.7)}
    assert body["gender_not_recorded"] == 1


def test_the_download_has_the_gender_rows(client_as, gendered_cycle):
    response = client_as("auditor").get(
        reverse("incentives:fairness"), {"cycle": gendered_cycle.pk, "export": "csv"}
    )

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = [row for row in csv.DictReader(io.StringIO(body)) if row["Dimension"] == "Gender"]
    assert {row["Group"] for row in rows} == {"Female", "Male", "Other"}
    female = next(r for r in rows if r["Group"] == "Female" and r["Measure"] == "Promoted")
    assert female["People"] == "10"
