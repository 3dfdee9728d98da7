"""RACI consistency of a map's steps and the flowchart built from the definition."""

from __future__ import annotations

import pytest

from opsteam.org.tests.factories import (
    ActivityFactory,
    PositionFactory,
    ProcessFactory,
    RaciAssignmentFactory,
)
from opsteam.workflow import selectors_maps
from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory, TransitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    """A map whose process has an activity with R = clerk and A = lead."""
    process = ProcessFactory()
    process_map = ProcessMapFactory(process=process)
    clerk, lead, outsider = PositionFactory(), PositionFactory(), PositionFactory()
    activity = ActivityFactory(process=process)
    RaciAssignmentFactory(activity=activity, position=clerk, role="R")
    RaciAssignmentFactory(activity=activity, position=lead, role="A")
    RaciAssignmentFactory(activity=activity, position=outsider, role="C")
    return process_map, activity, clerk, lead, outsider


def _kinds(process_map):
    return {
        problem["step"].code: problem["kind"]
        for problem in selectors_maps.raci_disagreements(process_map)
    }


def test_step_held_by_the_responsible_position_agrees(setting):
    process_map, activity, clerk, _lead, _outsider = setting
    StepFactory(map=process_map, code="ok", activity=activity, position=clerk)

    assert selectors_maps.raci_disagreements(process_map) == []


@pytest.mark.parametrize(
    ("_case", "link_activity", "position", "kind"),
    [
        ("step without activity", False, "clerk", "no_activity"),
        ("step without position", True, None, "no_position"),
        ("accountable but not responsible", True, "lead", "accountable_only"),
        ("consulted only", True, "outsider", "not_responsible"),
    ],
)
def test_disagreement_kinds(setting, _case, link_activity, position, kind):
    process_map, activity, clerk, lead, outsider = setting
    positions = {"clerk": clerk, "lead": lead, "outsider": outsider, None: None}
    StepFactory(
        map=process_map,
        code="s",
        activity=activity if link_activity else None,
        position=positions[position],
    )

    problems = selectors_maps.raci_disagreements(process_map)

    assert [p["kind"] for p in problems] == [kind]
    assert problems[0]["responsible"] == ([clerk] if link_activity else [])
    assert problems[0]["message"]


def test_activity_without_responsible_is_flagged(setting):
    process_map, _activity, clerk, _lead, _outsider = setting
    bare = ActivityFactory(process=process_map.process)
    RaciAssignmentFactory(activity=bare, position=clerk, role="A")
    StepFactory(map=process_map, code="bare", activity=bare, position=clerk)

    problems = selectors_maps.raci_disagreements(process_map)

    assert [(p["kind"], p["accountable"]) for p in problems] == [("no_responsible", [clerk])]


def test_raci_check_takes_two_queries_however_many_steps(setting, django_assert_num_queries):
    process_map, activity, _clerk, lead, _outsider = setting
    for n in range(20):
        StepFactory(map=process_map, code=f"s{n}", activity=activity, position=lead)

    with django_assert_num_queries(2):
        problems = selectors_maps.raci_disagreements(process_map)

    assert len(problems) == 20


def test_flowchart_lays_steps_left_to_right_unless_placed(setting):
    process_map, *_ = setting
    a = StepFactory(map=process_map, code="a", order=0, target_minutes=120)
    b = StepFactory(map=process_map, code="b", order=1)
    c = StepFactory(map=process_map, code="c", order=1)
    d = StepFactory(map=process_map, code="d", order=5, x=999.0, y=-5.0)
    TransitionFactory(map=process_map, source=a, target=b, handoff_target_minutes=30)
    TransitionFactory(
        map=process_map, source=b, target=a, handoff_target_minutes=None, label="退回"
    )
    steps = selectors_maps.map_steps(process_map)

    option = selectors_maps.flowchart(
        process_map, steps, selectors_maps.map_transitions(process_map), flagged={b.pk}
    )

    series = option["series"][0]
    nodes = {node["id"]: node for node in series["data"]}
    assert (nodes[str(a.pk)]["x"], nodes[str(a.pk)]["y"]) == (0.0, 0.0)
    assert {nodes[str(b.pk)]["x"], nodes[str(c.pk)]["x"]} == {240.0}
    assert {nodes[str(b.pk)]["y"], nodes[str(c.pk)]["y"]} == {0.0, 130.0}
    assert (nodes[str(d.pk)]["x"], nodes[str(d.pk)]["y"]) == (999.0, -5.0)
    assert a.position.display_name in nodes[str(a.pk)]["name"]
    assert "2" in nodes[str(a.pk)]["name"]  # the 120-minute target shows as 2 h
    assert nodes[str(b.pk)]["itemStyle"]["borderColor"]
    assert series["draggable"] is False
    forward, back = series["links"]
    assert "30" in forward["label"]["formatter"]
    assert back["label"]["formatter"] == "退回"
    assert back["lineStyle"]["curveness"] > 0


def test_flowchart_is_draggable_when_editable(setting):
    process_map, *_ = setting
    StepFactory(map=process_map)

    option = selectors_maps.flowchart(
        process_map, selectors_maps.map_steps(process_map), [], editable=True
    )

    assert option["series"][0]["draggable"] is True
