"""Validation and evaluation of rule definitions (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.workflow import automation

VALID_ACTIONS = [
    {"type": "assign", "to": "least_loaded"},
    {"type": "move", "step": "review"},
    {"type": "set_priority", "priority": "urgent"},
    {"type": "notify", "to": ["assignee", "staff:CS001"], "message": "{reference} 超时"},
    {"type": "escalate"},
    {"type": "create_follow_up", "title": "回访 {reference}", "assignee": "same"},
]


def problems(conditions=(), actions=None, trigger="item_created", step_code=""):
    return automation.validate_definition(
        trigger=trigger,
        step_code=step_code,
        conditions=list(conditions),
        actions=VALID_ACTIONS if actions is None else actions,
    )


def test_a_complete_valid_definition_has_no_problem():
    conditions = [
        {"field": "priority", "op": "gt", "value": "normal"},
        {"field": "status", "op": "in", "value": ["open", "blocked"]},
        {"field": "waiting_hours", "op": "gt", "value": 2.5},
        {"field": "due_in_days", "op": "lt", "value": -1},
        {"field": "title_contains", "value": "退款"},
        {"field": "assignee", "op": "eq", "value": ""},
    ]

    assert problems(conditions) == []


def test_unknown_condition_field_names_its_number_and_key():
    [problem] = problems([{"field": "priority", "op": "eq", "value": "high"}, {"field": "colour"}])

    assert (problem.part, problem.index, problem.key) == ("conditions", 1, "field")
    assert str(problem).startswith("Condition 2, “field”: Unknown field 'colour'")


@pytest.mark.parametrize(
    ("condition", "key", "fragment"),
    [
        ({"field": "status", "op": "gt", "value": "open"}, "op", "cannot be compared"),
        ({"field": "status", "op": "in", "value": "open"}, "value", "non-empty list"),
        ({"field": "status", "op": "eq", "value": "lost"}, "value", "not one of"),
        ({"field": "waiting_hours", "op": "gt", "value": "2"}, "value", "number"),
        ({"field": "waiting_hours", "op": "gt", "value": -2}, "value", "negative"),
        ({"field": "priority", "op": "eq"}, "value", "required"),
        ({"field": "title_contains", "value": " "}, "value", "text to look for"),
        ({"field": "step", "op": "eq", "value": "new step"}, "value", "step code"),
        ({"field": "kind", "op": "eq", "value": "task", "extra": 1}, "extra", "Unknown key"),
    ],
)
def test_each_condition_problem_names_the_key(condition, key, fragment):
    found = problems([condition])

    assert found, condition
    assert found[0].key == key
    assert fragment in found[0].message


@pytest.mark.parametrize(
    ("action", "key", "fragment"),
    [
        ({"type": "teleport"}, "type", "Unknown action"),
        ({"type": "move"}, "step", "Required"),
        ({"type": "assign", "to": "x", "when": "now"}, "when", "Not a setting"),
        ({"type": "set_priority", "priority": "asap"}, "priority", "not one of"),
        ({"type": "notify", "to": "everyone"}, "to", "Unknown recipient"),
        ({"type": "notify", "to": "staff:"}, "to", "Unknown recipient"),
        ({"type": "notify", "to": "assignee", "message": "{secret}"}, "message", "placeholder"),
        ({"type": "create_follow_up", "title": "x" * 201}, "title", "At most"),
        ({"type": "move", "step": "a b"}, "step", "step code"),
    ],
)
def test_each_action_problem_names_its_number_and_key(action, key, fragment):
    found = problems(actions=[{"type": "escalate"}, action])

    assert found, action
    assert (found[0].part, found[0].index, found[0].key) == ("actions", 1, key)
    assert fragment in found[0].message
    assert str(found[0]).startswith(f"Action 2, “{key}”")


def test_a_rule_needs_an_action_and_a_known_trigger():
    found = problems(actions=[], trigger="sometimes")

    assert {(p.part, p.index) for p in found} == {("trigger", None), ("actions", None)}


def test_clean_definition_raises_with_every_problem():
    with pytest.raises(automation.RuleInvalid) as caught:
        automation.clean_definition(
            trigger="item_created",
            step_code="",
            conditions=[{"field": "x"}],
            actions=[{"type": "y"}],
        )

    assert len(caught.value.problems) == 2
    assert caught.value.field == "conditions"
    assert "Condition 1" in caught.value.message
    assert "Action 1" in caught.value.message


FACTS = {
    "priority": "high",
    "status": "open",
    "kind": "ticket",
    "step": "handle",
    "assignee": "",
    "unit": "T1",
    "due_in_days": None,
    "waiting_hours": 3.0,
    "title_contains": "客户要求退款",
}


@pytest.mark.parametrize(
    ("condition", "held"),
    [
        ({"field": "priority", "op": "gt", "value": "normal"}, True),
        ({"field": "priority", "op": "lt", "value": "high"}, False),
        ({"field": "priority", "op": "in", "value": ["high", "urgent"]}, True),
        ({"field": "assignee", "op": "eq", "value": ""}, True),
        ({"field": "step", "op": "ne", "value": "handle"}, False),
        ({"field": "waiting_hours", "op": "gt", "value": 2}, True),
        ({"field": "due_in_days", "op": "lt", "value": 0}, False),  # no due date: never holds
        ({"field": "title_contains", "op": "contains", "value": "退款"}, True),
    ],
)
def test_evaluate_each_comparison(condition, held):
    matched, [result] = automation.evaluate([condition], FACTS)

    assert matched is held
    assert result.held is held
    assert result.actual == FACTS[condition["field"]]


def test_all_conditions_must_hold_and_none_means_always():
    assert automation.evaluate([], FACTS)[0] is True
    matched, results = automation.evaluate(
        [
            {"field": "kind", "op": "eq", "value": "ticket"},
            {"field": "unit", "op": "eq", "value": "T2"},
        ],
        FACTS,
    )
    assert matched is False
    assert [r.held for r in results] == [True, False]


def test_render_fills_known_placeholders_only():
    text = automation.render(
        "{reference} {title.__class__} {unknown}", {"reference": "AS-1", "title": "x"}
    )

    assert text == "AS-1 {title.__class__} {unknown}"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["type", "to", "step", "priority", "message", "title", "assignee", "field", "op", "value"]
)
SHAPED = st.dictionaries(KEYS, JSON, max_size=5)


@settings(max_examples=300, deadline=None)
@given(
    trigger=JSON,
    step_code=JSON,
    conditions=JSON | st.lists(SHAPED, max_size=3),
    actions=JSON | st.lists(SHAPED, max_size=3),
)
def test_any_json_is_answered_with_problems_never_an_exception(
    trigger, step_code, conditions, actions
):
    """The API hands validation whatever a client sent: it must name problems, not crash."""
    found = automation.validate_definition(
        trigger=trigger, step_code=step_code, conditions=conditions, actions=actions
    )
    assert isinstance(found, list)


def test_an_object_where_a_name_belongs_is_a_problem_not_a_crash():
    found = problems(actions=[{"type": {}, "to": None}], conditions=[{"field": [], "op": {}}])
    assert {(problem.part, problem.key) for problem in found} >= {
        ("actions", "type"),
        ("conditions", "field"),
    }
