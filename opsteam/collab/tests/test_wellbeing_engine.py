"""The wellbeing engine: the low-trend alert rule and the threshold partition (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.collab.wellbeing import (
    Answer,
    CheckInPoint,
    WellbeingInputError,
    aggregate,
    assess,
    combine,
    week_start,
)

MONDAY = dt.date(2026, 3, 2)


def weeks(*moods: int, workload: int = 3, talk_last: bool = False) -> list[CheckInPoint]:
    count = len(moods)
    return [
        CheckInPoint(
            MONDAY - dt.timedelta(weeks=count - 1 - n),
            mood,
            workload,
            talk_last and n == count - 1,
        )
        for n, mood in enumerate(moods)
    ]


def test_three_low_weeks_in_a_row_raise_a_low_streak():
    alert = assess(weeks(4, 2, 1, 2), as_of=MONDAY)

    assert alert is not None
    assert "low-streak" in alert.reasons


def test_two_low_weeks_are_not_yet_a_streak():
    alert = assess(weeks(3, 3, 2, 2), as_of=MONDAY)

    assert alert is None


def test_a_drop_of_two_against_the_own_average_raises_a_drop():
    alert = assess(weeks(5, 5, 5, 3), as_of=MONDAY)

    assert alert is not None
    assert alert.reasons == ("drop",)
    assert alert.baseline == 5.0


def test_steady_middling_mood_raises_nothing():
    assert assess(weeks(3, 3, 3, 3, 3), as_of=MONDAY) is None


def test_wanting_to_talk_always_alerts():
    alert = assess(weeks(5, talk_last=True), as_of=MONDAY)

    assert alert is not None
    assert alert.reasons == ("wants-to-talk",)


def test_three_heaviest_workloads_raise_overload():
    alert = assess(weeks(4, 4, 4, workload=5), as_of=MONDAY)

    assert alert is not None
    assert alert.reasons == ("overload",)


def test_an_old_check_in_raises_nothing_today():
    assert assess(weeks(1, 1, 1), as_of=MONDAY + dt.timedelta(days=30)) is None


def test_out_of_range_mood_is_named():
    with pytest.raises(WellbeingInputError, match=r"history\[0\]\.mood"):
        assess([CheckInPoint(MONDAY, 7, 3)], as_of=MONDAY)


def test_the_same_week_twice_is_rejected():
    with pytest.raises(WellbeingInputError, match="twice"):
        assess([CheckInPoint(MONDAY, 3, 3), CheckInPoint(MONDAY, 2, 3)], as_of=MONDAY)


def answers(path: str, people: range, mood: int = 3, week: dt.date = MONDAY) -> list[Answer]:
    return [Answer(path, week, person, mood, 3) for person in people]


def test_a_team_at_the_threshold_is_shown_alone():
    result = aggregate(answers("1/2/3/", range(5), mood=4), threshold=5)

    assert [(g.unit_path, g.people, g.mood, g.pooled) for g in result.groups] == [
        ("1/2/3/", 5, 4.0, False)
    ]
    assert not result.withheld


def test_a_small_team_is_pooled_into_its_department_never_shown_alone():
    data = answers("1/2/3/", range(5), mood=4) + answers("1/2/4/", range(10, 12), mood=1)
    data += answers("1/2/", range(20, 23), mood=3)

    result = aggregate(data, threshold=5)

    groups = {g.unit_path: g for g in result.groups}
    assert set(groups) == {"1/2/3/", "1/2/"}
    assert groups["1/2/"].people == 5
    assert groups["1/2/"].pooled
    assert "1/2/4/" not in groups


def test_what_stays_below_the_threshold_at_the_top_is_withheld():
    result = aggregate(answers("1/2/4/", range(2)), threshold=5)

    assert result.groups == ()
    assert result.withheld == {(MONDAY, "1/2/4/")}


def test_the_threshold_is_never_below_three():
    result = aggregate(answers("1/", range(2)), threshold=1)

    assert result.threshold == 3
    assert result.groups == ()


def test_combined_figure_is_weighted_by_people():
    result = aggregate(
        answers("1/2/", range(5), mood=5) + answers("1/3/", range(10, 25), mood=1), threshold=5
    )

    assert combine(list(result.groups)) == (20, 2.0, 3.0)


def test_week_start_is_monday():
    assert week_start(dt.date(2026, 3, 8)) == MONDAY


paths = st.sampled_from(["1/", "1/2/", "1/2/3/", "1/2/4/", "1/5/", "1/5/6/"])
answer_lists = st.lists(
    st.tuples(paths, st.integers(0, 40), st.integers(1, 5), st.integers(1, 5)),
    max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(answer_lists, st.integers(0, 8))
def test_every_shown_group_has_at_least_the_threshold_and_groups_are_disjoint(rows, threshold):
    # given answers where a person sits in exactly one unit (their first answer's)
    unit_of: dict[int, str] = {}
    data = []
    for path, person, mood, load in rows:
        unit_of.setdefault(person, path)
        data.append(Answer(unit_of[person], MONDAY, person, mood, load))

    result = aggregate(data, threshold=threshold)

    # then each released group is big enough, and together they never count anyone twice
    limit = max(3, threshold)
    assert all(group.people >= limit for group in result.groups)
    assert sum(g.people for g in result.groups) <= len(unit_of)
    shown = sum(g.people for g in result.groups)
    withheld_people = sum(
        1 for person, path in unit_of.items() if (MONDAY, path) in result.withheld
    )
    assert shown + withheld_people == len(unit_of)
    # and only what the one root could not pool into a large enough group is withheld
    assert withheld_people < limit


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5), st.booleans()), max_size=12))
def test_alert_reasons_are_explained_by_the_history(rows):
    history = [
        CheckInPoint(MONDAY - dt.timedelta(weeks=len(rows) - 1 - n), mood, load, talk)
        for n, (mood, load, talk) in enumerate(rows)
    ]

    alert = assess(history, as_of=MONDAY)

    if alert is None:
        return
    newest = history[-1]
    assert alert.mood == newest.mood
    if "wants-to-talk" in alert.reasons:
        assert newest.wants_to_talk
    if "low-streak" in alert.reasons:
        assert all(point.mood <= 2 for point in history[-3:])
    if "drop" in alert.reasons:
        assert alert.baseline is not None
        assert alert.baseline - newest.mood >= 2


def test_the_engine_imports_without_django():
    import subprocess
    import sys

    code = "import sys, opsteam.collab.wellbeing; print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "False"
