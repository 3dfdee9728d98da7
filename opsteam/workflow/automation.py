"""Automation rules: what a rule may say, whether it holds for a work item, and the entry
point the work-item services call after each write.

A rule is data (``AutomationRule``): a trigger, optional conditions on the item (all must
hold) and a list of actions. This module

- validates the conditions and actions (``validate_definition``: every problem names the
  condition or action by its number and the offending key),
- reads the facts a condition can test from an item (``item_facts``) and evaluates the
  conditions with an explanation per condition (``evaluate``),
- runs the enabled rules listening to an item event (``run_event_rules``), inside the caller's
  transaction; ``services_rules`` executes the actions and writes the run log.

Actions performed by a rule never fire further event rules (a rule that moves an item does
not trigger the "moved" rules): chains of rules are where automation loops come from.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core.exceptions import ValidationFailed
from opsteam.workflow.choices import (
    ItemKind,
    ItemStatus,
    Priority,
    RuleAction,
    Trigger,
)

logger = logging.getLogger(__name__)

PRIORITY_ORDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
PRIORITY_RANK = {str(value): rank for rank, value in enumerate(PRIORITY_ORDER)}

CHOICE_OPS = ("eq", "ne", "in")
NUMBER_OPS = ("eq", "ne", "gt", "lt")
CONDITION_OPS: dict[str, tuple[str, ...]] = {
    "priority": (*CHOICE_OPS, "gt", "lt"),
    "status": CHOICE_OPS,
    "kind": CHOICE_OPS,
    "step": CHOICE_OPS,
    "assignee": CHOICE_OPS,
    "unit": CHOICE_OPS,
    "due_in_days": NUMBER_OPS,
    "waiting_hours": NUMBER_OPS,
    "title_contains": ("contains",),
}
CONDITION_FIELDS = tuple(CONDITION_OPS)
OPS = ("eq", "ne", "in", "gt", "lt", "contains")
# Fields whose values come from a fixed list of choices.
FIELD_CHOICES: dict[str, tuple[str, ...]] = {
    "priority": tuple(Priority.values),
    "status": tuple(ItemStatus.values),
    "kind": tuple(ItemKind.values),
}

ASSIGN_TARGETS = ("least_loaded", "step_owner")
FOLLOW_UP_ASSIGNEES = ("same", "least_loaded", "step_owner")
NOTIFY_TARGETS = ("assignee", "reporter", "team_managers", "step_owner_position")
STAFF_PREFIX = "staff:"
MAX_MESSAGE = 1000
MAX_TITLE = 200
MAX_CONDITIONS = 20
MAX_ACTIONS = 10

# Keys each action accepts (besides "type") and which of them it requires.
ACTION_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    RuleAction.ASSIGN: (("to",), ("to",)),
    RuleAction.MOVE: (("step",), ("step",)),
    RuleAction.SET_PRIORITY: (("priority",), ("priority",)),
    RuleAction.NOTIFY: (("to", "message"), ("to",)),
    RuleAction.ESCALATE: (("message",), ()),
    RuleAction.CREATE_FOLLOW_UP: (("title", "step", "assignee"), ("title",)),
}
ACTION_TYPES = tuple(ACTION_KEYS)
# Placeholders a message or follow-up title may use.
PLACEHOLDERS = (
    "reference",
    "title",
    "step",
    "assignee",
    "priority",
    "status",
    "due_date",
    "waiting_hours",
    "process",
    "rule",
)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


# Validation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rule: ``part`` is "conditions", "actions", "trigger" or
    "step_code"; ``index`` the 0-based position in its list (None for the rule itself);
    ``key`` the offending key inside the condition or action."""

    part: str
    index: int | None
    key: str
    message: str

    def __str__(self) -> str:
        if self.index is None:
            return self.message
        if self.part == "conditions":
            where = _("Condition {number}").format(number=self.index + 1)
        else:
            where = _("Action {number}").format(number=self.index + 1)
        if self.key:
            where = _("{where}, “{key}”").format(where=where, key=self.key)
        return f"{where}: {self.message}"


class RuleInvalid(ValidationFailed):
    """A rule's definition breaks the rules above; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        first = self.problems[0].part if self.problems else None
        super().__init__(" ".join(str(problem) for problem in self.problems), field=first)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_template(text: Any, part: str, index: int, key: str, limit: int) -> list[Problem]:
    if not isinstance(text, str) or not text.strip():
        return [Problem(part, index, key, _("Write some text."))]
    problems = []
    if len(text) > limit:
        problems.append(
            Problem(part, index, key, _("At most {limit} characters.").format(limit=limit))
        )
    unknown = sorted(set(_PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
    if unknown:
        problems.append(
            Problem(
                part,
                index,
                key,
                _("Unknown placeholder {names}; use {allowed}.").format(
                    names=", ".join("{" + name + "}" for name in unknown),
                    allowed=", ".join("{" + name + "}" for name in PLACEHOLDERS),
                ),
            )
        )
    return problems


def _check_condition(index: int, condition: Any) -> list[Problem]:
    part = "conditions"
    if not isinstance(condition, Mapping):
        return [Problem(part, index, "", _("Must be an object with field, op and value."))]
    problems: list[Problem] = []
    extra = sorted(set(condition) - {"field", "op", "value"})
    if extra:
        problems.append(Problem(part, index, extra[0], _("Unknown key; use field, op and value.")))
    field = condition.get("field")
    if not isinstance(field, str) or field not in CONDITION_OPS:
        problems.append(
            Problem(
                part,
                index,
                "field",
                _("Unknown field {value!r}; choose one of {allowed}.").format(
                    value=field, allowed=", ".join(CONDITION_FIELDS)
                ),
            )
        )
        return problems
    op = condition.get("op", "contains" if field == "title_contains" else None)
    if not isinstance(op, str) or op not in CONDITION_OPS[field]:
        problems.append(
            Problem(
                part,
                index,
                "op",
                _("{field} cannot be compared with {op!r}; use {allowed}.").format(
                    field=field, op=op, allowed=", ".join(CONDITION_OPS[field])
                ),
            )
        )
        return problems
    if "value" not in condition:
        return [*problems, Problem(part, index, "value", _("A value is required."))]
    value = condition["value"]
    if op == "in":
        if not isinstance(value, list) or not value:
            return [*problems, Problem(part, index, "value", _("Give a non-empty list."))]
        values = value
    else:
        values = [value]
    if field in ("due_in_days", "waiting_hours"):
        if not all(_is_number(item) for item in values):
            problems.append(Problem(part, index, "value", _("Must be a number.")))
        elif field == "waiting_hours" and any(item < 0 for item in values):
            problems.append(Problem(part, index, "value", _("Cannot be negative.")))
        return problems
    if not all(isinstance(item, str) for item in values):
        problems.append(Problem(part, index, "value", _("Must be text.")))
        return problems
    if field in FIELD_CHOICES:
        wrong = [item for item in values if item not in FIELD_CHOICES[field]]
        if wrong:
            problems.append(
                Problem(
                    part,
                    index,
                    "value",
                    _("{value!r} is not one of {allowed}.").format(
                        value=wrong[0], allowed=", ".join(FIELD_CHOICES[field])
                    ),
                )
            )
    elif field == "title_contains":
        if not value.strip():
            problems.append(Problem(part, index, "value", _("Write the text to look for.")))
    elif field == "step":
        if any(not _SLUG.match(item) for item in values):
            problems.append(Problem(part, index, "value", _("Give a step code.")))
    elif field == "unit" and any(not item.strip() for item in values):
        problems.append(Problem(part, index, "value", _("Give an org unit code.")))
    return problems


def _check_recipient(target: Any, index: int, key: str) -> list[Problem]:
    if isinstance(target, str):
        if target in NOTIFY_TARGETS:
            return []
        if target.startswith(STAFF_PREFIX) and target[len(STAFF_PREFIX) :].strip():
            return []
    return [
        Problem(
            "actions",
            index,
            key,
            _("Unknown recipient {value!r}; use {allowed} or staff:<employee number>.").format(
                value=target, allowed=", ".join(NOTIFY_TARGETS)
            ),
        )
    ]


def _check_action(index: int, action: Any) -> list[Problem]:
    part = "actions"
    if not isinstance(action, Mapping):
        return [Problem(part, index, "", _("Must be an object with a type."))]
    kind = action.get("type")
    if not isinstance(kind, str) or kind not in ACTION_KEYS:
        return [
            Problem(
                part,
                index,
                "type",
                _("Unknown action {value!r}; choose one of {allowed}.").format(
                    value=kind, allowed=", ".join(ACTION_TYPES)
                ),
            )
        ]
    allowed, required = ACTION_KEYS[kind]
    problems = [
        Problem(part, index, key, _("Not a setting of this action."))
        for key in sorted(set(action) - {"type", *allowed})
    ]
    problems += [
        Problem(part, index, key, _("Required for this action."))
        for key in required
        if action.get(key) in (None, "", [])
    ]
    if problems:
        return problems
    if kind == RuleAction.ASSIGN:
        to = action["to"]
        if not isinstance(to, str) or not to.strip():
            problems.append(
                Problem(
                    part, index, "to", _("Give an employee number, least_loaded or step_owner.")
                )
            )
    elif kind in (RuleAction.MOVE,) or (kind == RuleAction.CREATE_FOLLOW_UP and "step" in action):
        step = action.get("step")
        if step not in (None, "") and (not isinstance(step, str) or not _SLUG.match(step)):
            problems.append(Problem(part, index, "step", _("Give a step code.")))
    if kind == RuleAction.SET_PRIORITY and action["priority"] not in Priority.values:
        problems.append(
            Problem(
                part,
                index,
                "priority",
                _("{value!r} is not one of {allowed}.").format(
                    value=action["priority"], allowed=", ".join(Priority.values)
                ),
            )
        )
    if kind == RuleAction.NOTIFY:
        targets = action["to"] if isinstance(action["to"], list) else [action["to"]]
        for target in targets:
            problems += _check_recipient(target, index, "to")
    if kind in (RuleAction.NOTIFY, RuleAction.ESCALATE) and action.get("message"):
        problems += _check_template(action["message"], part, index, "message", MAX_MESSAGE)
    if kind == RuleAction.CREATE_FOLLOW_UP:
        problems += _check_template(action["title"], part, index, "title", MAX_TITLE)
        assignee = action.get("assignee")
        if assignee not in (None, "") and (not isinstance(assignee, str) or not assignee.strip()):
            problems.append(
                Problem(
                    part,
                    index,
                    "assignee",
                    _("Give an employee number, same, least_loaded or step_owner."),
                )
            )
    return problems


def validate_definition(
    *, trigger: Any, step_code: str, conditions: Any, actions: Any
) -> list[Problem]:
    """Every problem of a rule's definition, in order (an empty list: the rule is valid)."""
    problems: list[Problem] = []
    if not isinstance(trigger, str) or trigger not in Trigger.values:
        problems.append(Problem("trigger", None, "trigger", _("Choose when the rule runs.")))
    if step_code and (not isinstance(step_code, str) or not _SLUG.match(step_code)):
        problems.append(Problem("step_code", None, "step_code", _("Give a step code.")))
    if not isinstance(conditions, list):
        problems.append(Problem("conditions", None, "", _("Conditions must be a list.")))
    elif len(conditions) > MAX_CONDITIONS:
        problems.append(
            Problem(
                "conditions",
                None,
                "",
                _("At most {limit} conditions.").format(limit=MAX_CONDITIONS),
            )
        )
    else:
        for index, condition in enumerate(conditions):
            problems += _check_condition(index, condition)
    if not isinstance(actions, list) or not actions:
        problems.append(Problem("actions", None, "", _("Give at least one action.")))
    elif len(actions) > MAX_ACTIONS:
        problems.append(
            Problem("actions", None, "", _("At most {limit} actions.").format(limit=MAX_ACTIONS))
        )
    else:
        for index, action in enumerate(actions):
            problems += _check_action(index, action)
    return problems


def clean_definition(*, trigger: Any, step_code: str, conditions: Any, actions: Any) -> None:
    """Raise ``RuleInvalid`` listing every problem of the definition."""
    problems = validate_definition(
        trigger=trigger, step_code=step_code, conditions=conditions, actions=actions
    )
    if problems:
        raise RuleInvalid(problems)


def _values_of(condition: Mapping[str, Any]) -> list[Any]:
    value = condition["value"]
    return value if isinstance(value, list) else [value]


def referenced_steps(
    conditions: list[dict], actions: list[dict]
) -> list[tuple[str, int, str, str]]:
    """(part, index, key, step code) of every step a valid definition names."""
    found = [
        ("conditions", index, "value", value)
        for index, condition in enumerate(conditions)
        if condition.get("field") == "step"
        for value in _values_of(condition)
    ]
    for index, action in enumerate(actions):
        if action.get("type") in (RuleAction.MOVE, RuleAction.CREATE_FOLLOW_UP) and action.get(
            "step"
        ):
            found.append(("actions", index, "step", action["step"]))
    return found


def referenced_staff(
    conditions: list[dict], actions: list[dict]
) -> list[tuple[str, int, str, str]]:
    """(part, index, key, employee number) of every person a valid definition names."""
    found = [
        ("conditions", index, "value", value)
        for index, condition in enumerate(conditions)
        if condition.get("field") == "assignee"
        for value in _values_of(condition)
        if value
    ]
    for index, action in enumerate(actions):
        kind = action.get("type")
        if kind == RuleAction.ASSIGN and action["to"] not in ASSIGN_TARGETS:
            found.append(("actions", index, "to", action["to"]))
        elif kind == RuleAction.CREATE_FOLLOW_UP and action.get("assignee") not in (
            None,
            "",
            *FOLLOW_UP_ASSIGNEES,
        ):
            found.append(("actions", index, "assignee", action["assignee"]))
        elif kind == RuleAction.NOTIFY:
            targets = action["to"] if isinstance(action["to"], list) else [action["to"]]
            found += [
                ("actions", index, "to", target[len(STAFF_PREFIX) :])
                for target in targets
                if target.startswith(STAFF_PREFIX)
            ]
    return found


# Evaluation ---------------------------------------------------------------------------------


def item_facts(item: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """What a condition can test on ``item`` (its step, assignee and unit already loaded)."""
    now = now or timezone.now()
    started = item.step_started_at or item.created_at
    due_in_days = None
    if item.due_date is not None:
        due_in_days = (item.due_date - timezone.localdate(now)).days
    return {
        "priority": item.priority,
        "status": item.status,
        "kind": item.kind,
        "step": item.step.code if item.step_id else "",
        "assignee": item.assignee.employee_no if item.assignee_id else "",
        "unit": item.unit.code if item.unit_id else "",
        "due_in_days": due_in_days,
        "waiting_hours": round((now - started).total_seconds() / 3600, 2) if started else None,
        "title_contains": item.title or "",
    }


def _compare(field: str, op: str, actual: Any, value: Any) -> bool:
    if field == "title_contains":
        return str(value).casefold() in str(actual).casefold()
    if actual is None:
        return False  # no due date, never entered a step: no numeric condition holds
    if op == "in":
        return actual in value
    if op == "eq":
        return actual == value
    if op == "ne":
        return actual != value
    if field == "priority":
        actual, value = PRIORITY_RANK.get(actual, -1), PRIORITY_RANK.get(value, -1)
    if op == "gt":
        return actual > value
    if op == "lt":
        return actual < value
    return False


@dataclass(frozen=True)
class ConditionResult:
    condition: dict[str, Any]
    held: bool
    actual: Any


def evaluate(
    conditions: Sequence[Mapping[str, Any]], facts: Mapping[str, Any]
) -> tuple[bool, list[ConditionResult]]:
    """Whether every condition holds, with each condition's result and the item's value."""
    results = []
    for condition in conditions:
        field = condition["field"]
        op = condition.get("op", "contains")
        actual = facts.get(field)
        results.append(
            ConditionResult(
                dict(condition), _compare(field, op, actual, condition["value"]), actual
            )
        )
    return all(result.held for result in results), results


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``{placeholder}``s (only the known names; no attribute access, unlike str.format)."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(replace, template)


# Event triggers ------------------------------------------------------------------------------

_running: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "opsteam_workflow_rules_running", default=False
)


def rules_running() -> bool:
    """Whether the current code runs inside a rule's actions (they fire no further rules)."""
    return _running.get()


@contextlib.contextmanager
def running_rules() -> Iterator[None]:
    """Mark the block as "inside a rule's actions"."""
    token = _running.set(True)
    try:
        yield
    finally:
        _running.reset(token)


def event_rules_for(*, item: Any, trigger: str) -> Any:
    """The enabled rules listening to ``trigger`` for the item's process (or every process)
    and, when the rule names a step, for the item's step."""
    from opsteam.workflow.models import AutomationRule

    step_code = item.step.code if item.step_id else ""
    return (
        AutomationRule.objects.filter(enabled=True, trigger=trigger)
        .filter(Q(process_id=item.process_id) | Q(process__isnull=True))
        .filter(Q(step_code="") | Q(step_code=step_code))
        .order_by("pk")
    )


def run_event_rules(*, item: Any, trigger: str, actor: Any | None = None) -> list[Any]:
    """Run the enabled rules listening to ``trigger`` against ``item``; return their runs.

    Called by the work-item services inside their transaction, after the write. A rule whose
    conditions hold writes a ``RuleRun``; an action that fails rolls back that rule's actions
    and is logged in its run, never raised: the user's write goes through. Nothing runs for
    writes made by a rule's own actions.
    """
    from opsteam.workflow import services_rules

    if rules_running():
        return []
    runs = []
    for rule in event_rules_for(item=item, trigger=trigger):
        run = services_rules.rule_apply(rule=rule, item=item, trigger=trigger, actor=actor)
        if run is not None:
            runs.append(run)
    return runs
