"""The analytics selectors: the event frame, the map's targets as the engine wants them, the
analysis with its policy and cache, the cases behind an edge and the review comparison."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.cache import cache
from django.utils import timezone

from opsteam.core.exceptions import PolicyDenied
from opsteam.workflow import selectors_analytics as selectors
from opsteam.workflow.models import ProcessEvent
from opsteam.workflow.tests.factories import WorkItemFactory
from opsteam.workflow.tests.factories_analytics import build_log

pytestmark = pytest.mark.django_db

HOUR = 3600.0


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def log(org_tree):
    return build_log(unit=org_tree.t1)


def _window(days: int = 30) -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    return now - dt.timedelta(days=days), now + dt.timedelta(minutes=1)


def test_event_frame_reads_the_window_in_one_query(log, django_assert_num_queries):
    start, end = _window()

    with django_assert_num_queries(1):
        frame = selectors.event_frame(log.process, start, end)

    assert frame.columns == ["case", "step", "resource", "start", "complete"]
    assert frame.height == 5 + 3 * 3
    assert set(frame["step"]) == {"提交", "审核", "上架"}
    assert frame.schema["complete"] == pl.Datetime("us", "UTC")
    assert set(frame["resource"]) == {p.employee_no for p in log.people.values()}


def test_event_frame_keeps_only_events_completed_in_the_window(log):
    # the first case's events completed on its first day; the window starts after them
    start = log.start + dt.timedelta(hours=20)

    frame = selectors.event_frame(log.process, start, start + dt.timedelta(days=30))

    assert "CASE-001" not in set(frame["case"])
    assert frame["case"].n_unique() == 3


def test_mapped_events_take_the_step_name_and_a_blank_resource_the_person(log):
    event = ProcessEvent.objects.filter(case_id="CASE-002", step=log.steps["review"]).get()
    ProcessEvent.objects.filter(pk=event.pk).update(step_name="Review", resource="")

    frame = selectors.event_frame(log.process, *_window())
    row = frame.filter(pl.col("case") == "CASE-002", pl.col("step") == "审核")

    assert row.height == 1
    assert row["resource"][0] == log.people["review"].employee_no


def test_map_targets_are_seconds_keyed_by_the_frame_step_names(log):
    targets = selectors.map_targets(log.process_map)

    assert targets.step_targets == {"提交": 90 * 60.0, "审核": 20 * 60.0, "上架": 30 * 60.0}
    assert targets.handoff_targets == {("提交", "审核"): 3600.0, ("审核", "上架"): 7200.0}
    assert targets.step_owner["上架"] == "Publisher"
    assert targets.step_by_name["Go live"] == log.steps["publish"]


def test_analysis_ranks_the_slow_handoff_first_with_its_owner(log, user_as):
    found = selectors.analysis_for(user_as("manager"), log.process, *_window())

    top = found.bottlenecks[0]
    assert top.key == "handoff:审核→上架"
    # 4 waits of 5 h against a 2 h target: 3 h excess each
    assert top.total_wait_s == pytest.approx(4 * 3 * HOUR)
    assert top.breach_rate == 1.0
    assert top.owner_position == "Publisher"
    assert found.result.cases == 4
    rework = found.result.rework.filter(pl.col("step") == "审核").to_dicts()[0]
    assert rework["cases"] == 1
    publisher = log.people["publish"]
    assert found.people[publisher.employee_no] == f"{publisher.name_en} ({publisher.employee_no})"
    assert found.positions[log.people["publish"].employee_no] == "Publisher"


def test_analysis_is_refused_to_operators_and_other_units_managers(log, user_as, org_tree):
    with pytest.raises(PolicyDenied):
        selectors.analysis_for(user_as("operator"), log.process, *_window())
    with pytest.raises(PolicyDenied):
        selectors.analysis_for(user_as("manager", unit=org_tree.t3), log.process, *_window())
    assert selectors.can_analyse(user_as("auditor"), log.process)


def test_analysis_is_cached_until_a_new_event_arrives(log, django_assert_max_num_queries):
    start, end = _window()
    first = selectors.analysis(log.process, start, end)

    with django_assert_max_num_queries(3):
        again = selectors.analysis(log.process, start, end)
    ProcessEvent.objects.create(
        process=log.process,
        case_id="CASE-NEW",
        step_name="提交",
        completed_at=timezone.now(),
    )
    fresh = selectors.analysis(log.process, start, end)

    assert again.result.events == first.result.events == 14
    assert fresh.result.events == 15


def test_edge_cases_list_the_cases_longest_wait_first_with_visible_items(log, user_as, org_tree):
    item = WorkItemFactory(process=log.process, reference="CASE-002", unit=org_tree.t1)
    hidden = WorkItemFactory(process=log.process, reference="CASE-003", unit=org_tree.t3)

    rows = selectors.edge_cases(user_as("manager"), log.process, *_window(), "审核", "上架")

    # every wait is 5 h: the order among equal waits is the engine's
    assert sorted(row["case"] for row in rows) == ["CASE-001", "CASE-002", "CASE-003", "CASE-004"]
    assert rows[0]["wait_s"] == pytest.approx(5 * HOUR)
    by_case = {row["case"]: row["item"] for row in rows}
    assert by_case["CASE-002"] == item
    assert by_case["CASE-003"] is None
    assert hidden.pk


def test_dashboard_describes_the_bottleneck_in_words_and_draws_the_graph(log):
    found = selectors.analysis(log.process, *_window())

    board = selectors.dashboard(found, edge_url="/edge/?start=a&end=b")

    first = board["bottlenecks"][0]
    assert first["label"] == "Handoff 审核 → 上架"
    assert first["owner"] == "Publisher"
    assert any("target 2.0 h, 100 % over it (4 of 4)" in line for line in first["evidence_text"])
    links = {(x["source"], x["target"]): x for x in board["charts"]["dfg"]["series"][0]["links"]}
    assert links[("审核", "上架")]["lineStyle"]["color"] == "#d63939"
    assert links[("提交", "审核")]["lineStyle"]["color"] == "#467fcf"
    assert links[("审核", "上架")]["url"].endswith(
        "source=%E5%AE%A1%E6%A0%B8&target=%E4%B8%8A%E6%9E%B6"
    )
    assert [row["step"] for row in board["steps"]] == ["提交", "审核", "上架"]
    assert board["rework"][0]["step"] in {"提交", "审核"}


def test_review_compares_two_windows_with_deltas_and_directions(org_tree):
    # given a log whose first two cases fall in the "before" window and last two "after"
    log = build_log(unit=org_tree.t1, cases=4, days_ago=4)
    ProcessEvent.objects.filter(
        case_id__in=["CASE-003", "CASE-004"], step=log.steps["publish"]
    ).update(started_at=_shift("started_at", -4), completed_at=_shift("completed_at", -4))
    # cases start a day apart and last under 8 h: the second one ends before noon of its day
    pivot = log.start + dt.timedelta(days=1, hours=12)
    before = selectors.analysis(log.process, pivot - dt.timedelta(days=3), pivot)
    after = selectors.analysis(log.process, pivot, pivot + dt.timedelta(days=3))

    comparison = selectors.review_comparison(before, after)

    sections = {section["key"]: section for section in comparison["sections"]}
    handoff = {row["label"]: row for row in sections["handoffs"]["rows"]}["审核 → 上架"]
    assert handoff["before"] == pytest.approx(5 * HOUR)
    assert handoff["after"] == pytest.approx(1 * HOUR)
    assert handoff["delta"] == pytest.approx(-4 * HOUR)
    assert handoff["better"]
    assert handoff["arrow"] == "↓"
    assert handoff["delta_text"] == "−4.0 h (-80 %)"
    breach = {row["label"]: row for row in sections["breaches"]["rows"]}["审核 → 上架"]
    assert (breach["before"], breach["after"]) == (1.0, 0.0)
    cases = {row["label"]: row for row in sections["overview"]["rows"]}["Cases"]
    assert (cases["before"], cases["after"]) == (2, 2)
    assert cases["arrow"] == "→"


def _shift(column: str, hours: int):
    from django.db.models import F

    return F(column) + dt.timedelta(hours=hours)
