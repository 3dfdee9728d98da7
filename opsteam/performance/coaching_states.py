"""The state machines of improvement plans and 1:1 action items (pure: no Django import).

An improvement plan is drafted with the person's manager and HR, becomes active once it has
goals and a check-in schedule, and is closed with an outcome; a closed plan never reopens (an
extension is a new plan that continues it, so the record of each period stays as it was).
An action item is open until it is done or cancelled; either can be reopened.
"""

from __future__ import annotations

from collections.abc import Mapping

PLAN_DRAFT, PLAN_ACTIVE, PLAN_CLOSED = "draft", "active", "closed"
PLAN_STATES: tuple[str, ...] = (PLAN_DRAFT, PLAN_ACTIVE, PLAN_CLOSED)
PLAN_TRANSITIONS: Mapping[str, frozenset[str]] = {
    PLAN_DRAFT: frozenset({PLAN_ACTIVE}),
    PLAN_ACTIVE: frozenset({PLAN_CLOSED}),
    PLAN_CLOSED: frozenset(),
}
# States in which goals, support and the check-in schedule may still change.
PLAN_EDITABLE = frozenset({PLAN_DRAFT, PLAN_ACTIVE})

ITEM_OPEN, ITEM_DONE, ITEM_CANCELLED = "open", "done", "cancelled"
ITEM_STATES: tuple[str, ...] = (ITEM_OPEN, ITEM_DONE, ITEM_CANCELLED)
ITEM_TRANSITIONS: Mapping[str, frozenset[str]] = {
    ITEM_OPEN: frozenset({ITEM_DONE, ITEM_CANCELLED}),
    ITEM_DONE: frozenset({ITEM_OPEN}),
    ITEM_CANCELLED: frozenset({ITEM_OPEN}),
}


class TransitionError(ValueError):
    """A state change the machine does not allow; ``reason`` is a stable code for the message."""

    def __init__(self, reason: str, current: str, target: str) -> None:
        self.reason = reason
        self.current = current
        self.target = target
        super().__init__(f"{reason}: {current} -> {target}")


def check_transition(transitions: Mapping[str, frozenset[str]], current: str, target: str) -> None:
    """Raise ``TransitionError`` unless ``current -> target`` is an edge of ``transitions``.

    Reasons: ``unknown`` (a state the machine does not have), ``same`` (already there),
    ``final`` (no way out of ``current``), ``not_allowed`` (another edge is needed first).
    """
    if current not in transitions or target not in transitions:
        raise TransitionError("unknown", current, target)
    if current == target:
        raise TransitionError("same", current, target)
    if not transitions[current]:
        raise TransitionError("final", current, target)
    if target not in transitions[current]:
        raise TransitionError("not_allowed", current, target)


def plan_activation_problems(
    *, goal_count: int, check_in_count: int, start: object, end: object
) -> list[str]:
    """Return what keeps a draft plan from starting (codes, empty when it may start).

    A plan starts only with at least one goal, at least one check-in date and an end after
    its start: without them the person could not know what success looks like or when they
    will get feedback, which is the point of the plan.
    """
    problems = []
    if goal_count < 1:
        problems.append("no_goals")
    if check_in_count < 1:
        problems.append("no_check_ins")
    if start is None or end is None or end <= start:  # type: ignore[operator]
        problems.append("dates")
    return problems
