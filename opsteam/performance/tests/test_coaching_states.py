"""The improvement-plan and action-item state machines (pure: no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsteam.performance import coaching_states as states

MACHINES = [
    ("plan", states.PLAN_TRANSITIONS),
    ("item", states.ITEM_TRANSITIONS),
]


@pytest.mark.parametrize(
    ("_case", "current", "target"),
    [
        ("draft starts", "draft", "active"),
        ("active closes", "active", "closed"),
    ],
)
def test_plan_moves_forward_one_step(_case, current, target):
    states.check_transition(states.PLAN_TRANSITIONS, current, target)


@pytest.mark.parametrize(
    ("_case", "current", "target", "reason"),
    [
        ("draft cannot close", "draft", "closed", "not_allowed"),
        ("closed never reopens", "closed", "active", "final"),
        ("closed is not a draft again", "closed", "draft", "final"),
        ("active is not a draft again", "active", "draft", "not_allowed"),
        ("already active", "active", "active", "same"),
        ("unknown state", "draft", "paused", "unknown"),
    ],
)
def test_plan_refuses_with_a_reason(_case, current, target, reason):
    with pytest.raises(states.TransitionError) as caught:
        states.check_transition(states.PLAN_TRANSITIONS, current, target)

    assert caught.value.reason == reason


def test_done_item_must_be_reopened_before_it_is_cancelled():
    with pytest.raises(states.TransitionError) as caught:
        states.check_transition(states.ITEM_TRANSITIONS, "done", "cancelled")

    assert caught.value.reason == "not_allowed"
    states.check_transition(states.ITEM_TRANSITIONS, "done", "open")
    states.check_transition(states.ITEM_TRANSITIONS, "open", "cancelled")


@given(
    machine=st.sampled_from(MACHINES),
    current=st.text(min_size=1, max_size=12),
    target=st.text(min_size=1, max_size=12),
)
def test_check_accepts_exactly_the_declared_edges(machine, current, target):
    _, transitions = machine
    allowed = current in transitions and target in transitions.get(current, ())

    try:
        states.check_transition(transitions, current, target)
        accepted = True
    except states.TransitionError:
        accepted = False

    assert accepted == allowed


@given(machine=st.sampled_from(MACHINES), data=st.data())
def test_every_state_is_reachable_from_the_first(machine, data):
    _, transitions = machine
    start = next(iter(transitions))
    seen, frontier = {start}, [start]
    while frontier:
        for following in transitions[frontier.pop()]:
            if following not in seen:
                seen.add(following)
                frontier.append(following)
    target = data.draw(st.sampled_from(sorted(transitions)))

    assert target in seen


@given(
    goals=st.integers(min_value=0, max_value=5),
    check_ins=st.integers(min_value=0, max_value=5),
    length=st.integers(min_value=-30, max_value=120),
)
def test_a_plan_starts_only_with_goals_check_ins_and_a_real_period(goals, check_ins, length):
    start = dt.date(2026, 3, 1)

    problems = states.plan_activation_problems(
        goal_count=goals,
        check_in_count=check_ins,
        start=start,
        end=start + dt.timedelta(days=length),
    )

    assert ("no_goals" in problems) == (goals == 0)
    assert ("no_check_ins" in problems) == (check_ins == 0)
    assert ("dates" in problems) == (length <= 0)
