"""Automatic training-plan assignment: which events give which people which plan, by when.

Pure (stdlib only, no Django). A ``Rule`` says "on this trigger, for people in these org units /
positions / levels, assign this plan, due this many days after the event". Events come from
hires, position changes, level changes and improvement-plan starts, each naming the source row
(``source_ref``, e.g. ``"assignment:123"``) so that running the rules again proposes nothing
twice: a proposal is unique per (staff, plan, source_ref), and proposals already made are
passed back as ``existing`` and skipped.

Every proposal carries its reason as a key and named parameters (``Reason``) for the interface
to translate; the engine holds no wording.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

HIRE, POSITION_CHANGE, LEVEL_CHANGE, IMPROVEMENT_PLAN = (
    "hire",
    "position_change",
    "level_change",
    "improvement_plan",
)
TRIGGERS = frozenset({HIRE, POSITION_CHANGE, LEVEL_CHANGE, IMPROVEMENT_PLAN})


class RuleInputError(ValueError):
    """Malformed input; the message names the offending rule or event and field."""


def _check_path(path: str, where: str) -> None:
    if not (isinstance(path, str) and path.startswith("/") and path.endswith("/")):
        # Without the trailing slash "/1/4" would also match "/1/45/".
        raise RuleInputError(f"{where}: {path!r} is not a unit path like '/1/4/'")


@dataclass(frozen=True, slots=True)
class Rule:
    """Assign ``plan_id`` on ``trigger`` to matching people, due ``due_days`` after the event.

    Empty filters match everyone: ``unit_paths`` matches an event whose unit path starts with
    any of them (the unit or anything below it); ``position_ids`` / ``level_ids`` match the
    event's position / level. Inactive rules assign nothing.
    """

    id: Hashable
    plan_id: Hashable
    trigger: str
    unit_paths: tuple[str, ...] = ()
    position_ids: frozenset[Any] = frozenset()
    level_ids: frozenset[Any] = frozenset()
    due_days: int = 30
    active: bool = True

    def __post_init__(self) -> None:
        where = f"rule {self.id}"
        if self.trigger not in TRIGGERS:
            raise RuleInputError(f"{where}: trigger: unknown trigger {self.trigger!r}")
        if isinstance(self.due_days, bool) or not isinstance(self.due_days, int):
            raise RuleInputError(f"{where}: due_days: expected a whole number of days")
        if self.due_days < 0:
            raise RuleInputError(f"{where}: due_days: cannot be negative")
        object.__setattr__(self, "unit_paths", tuple(self.unit_paths))
        object.__setattr__(self, "position_ids", frozenset(self.position_ids))
        object.__setattr__(self, "level_ids", frozenset(self.level_ids))
        for path in self.unit_paths:
            _check_path(path, f"{where}: unit_paths")


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a staff member and may trigger rules.

    ``unit_path`` is the materialised path of the person's org unit after the event ("" when
    they have none: only rules without a unit filter match). ``source_ref`` names the source row.
    """

    staff_id: Hashable
    trigger: str
    occurred_on: date
    unit_path: str
    position_id: Hashable | None
    level_id: Hashable | None
    source_ref: str


class Reason(NamedTuple):
    """Why a plan was proposed: the trigger as key, and named parameters for the message.

    Parameters: always ``occurred_on`` and ``due_days``; ``position_id`` for a position change,
    ``level_id`` for a level change, ``source_ref`` for an improvement plan.
    """

    key: str
    params: tuple[tuple[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class Proposed:
    """One plan to assign. ``rule_id`` is the rule that set the (earliest) due date."""

    staff_id: Hashable
    plan_id: Hashable
    rule_id: Hashable
    due_on: date
    source_ref: str
    reason: Reason


def _reason(event: Event, due_days: int) -> Reason:
    params: list[tuple[str, Any]] = [("occurred_on", event.occurred_on), ("due_days", due_days)]
    if event.trigger == POSITION_CHANGE:
        params.append(("position_id", event.position_id))
    elif event.trigger == LEVEL_CHANGE:
        params.append(("level_id", event.level_id))
    elif event.trigger == IMPROVEMENT_PLAN:
        params.append(("source_ref", event.source_ref))
    return Reason(event.trigger, tuple(params))


def _sort_key(value: Any) -> tuple[str, Any]:
    # Ids are usually ints but may be strings; order by type name first so mixing never fails.
    return (type(value).__name__, value)


def plan_assignments(
    rules: Iterable[Rule],
    events: Iterable[Event],
    existing: Collection[tuple[Any, Any, str]] = frozenset(),
) -> list[Proposed]:
    """Return the plan assignments the active rules make for the events.

    One proposal per (staff, plan, source_ref): when several rules give the same plan for the
    same event the earliest due date wins (on equal dates the smallest rule id, so the result
    does not depend on input order). Triples in ``existing`` are skipped, so feeding the output
    back yields nothing new. Sorted by staff, due date, plan and source. Raise
    ``RuleInputError`` for duplicate rule ids or a malformed event.
    """
    by_trigger: dict[str, list[tuple[Any, Any, int, tuple[str, ...], frozenset, frozenset]]] = (
        defaultdict(list)
    )
    seen_ids: set[Any] = set()
    for rule in rules:
        if rule.id in seen_ids:
            raise RuleInputError(f"rule {rule.id}: listed twice")
        seen_ids.add(rule.id)
        if rule.active:
            by_trigger[rule.trigger].append(
                (
                    rule.id,
                    rule.plan_id,
                    rule.due_days,
                    rule.unit_paths,
                    rule.position_ids,
                    rule.level_ids,
                )
            )

    best: dict[tuple[Any, Any, str], tuple[date, tuple[str, Any], Any, Event, int]] = {}
    for index, event in enumerate(events):
        if event.trigger not in TRIGGERS:
            raise RuleInputError(
                f"event {index} ({event.source_ref}): trigger: unknown trigger {event.trigger!r}"
            )
        candidates = by_trigger.get(event.trigger)
        if not candidates:
            continue
        unit_path = event.unit_path or ""
        if unit_path:
            _check_path(unit_path, f"event {index} ({event.source_ref}): unit_path")
        for rule_id, plan_id, due_days, paths, positions, levels in candidates:
            if paths and not unit_path.startswith(paths):
                continue
            if positions and event.position_id not in positions:
                continue
            if levels and event.level_id not in levels:
                continue
            key = (event.staff_id, plan_id, event.source_ref)
            if key in existing:
                continue
            due_on = event.occurred_on + timedelta(days=due_days)
            rank = _sort_key(rule_id)
            held = best.get(key)
            if (
                held is None
                or (due_on, rank) < (held[0], held[1])
                # Two different events with one source_ref: pick one regardless of input order.
                or ((due_on, rank) == (held[0], held[1]) and repr(event) < repr(held[3]))
            ):
                best[key] = (due_on, rank, rule_id, event, due_days)

    proposals = [
        Proposed(
            staff_id=staff_id,
            plan_id=plan_id,
            rule_id=rule_id,
            due_on=due_on,
            source_ref=source_ref,
            reason=_reason(event, due_days),
        )
        for (staff_id, plan_id, source_ref), (due_on, _, rule_id, event, due_days) in best.items()
    ]
    proposals.sort(
        key=lambda p: (_sort_key(p.staff_id), p.due_on, _sort_key(p.plan_id), p.source_ref)
    )
    return proposals


def existing_keys(proposals: Sequence[Proposed]) -> set[tuple[Any, Any, str]]:
    """Return the (staff, plan, source_ref) triples of proposals, as ``existing`` expects."""
    return {(p.staff_id, p.plan_id, p.source_ref) for p in proposals}
