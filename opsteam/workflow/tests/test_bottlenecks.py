"""The bottleneck engine: worked examples with known answers, a plain-Python reference on
random logs, and properties (hypothesis). No database."""

import datetime as dt
import itertools
import json
import math
import random
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsteam.workflow import bottlenecks as b

UTC = dt.UTC
SCHEMA = {
    "case": pl.String,
    "step": pl.String,
    "resource": pl.String,
    "start": pl.Datetime("us", "UTC"),
    "complete": pl.Datetime("us", "UTC"),
}
MONDAY = dt.datetime(2025, 1, 6, 8, tzinfo=UTC)
HOUR = 3600.0


def at(hours: float) -> dt.datetime:
    return MONDAY + dt.timedelta(hours=hours)


def frame(rows, schema=SCHEMA) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


# c1: A(ann) -> B(bob) -> C(bob); c2: A(ann) -> B(cat) -> B(cat) -> C(?, instantaneous);
# c3: A(ann) alone
WORKED = [
    ("c1", "A", "ann", at(0), at(1)),
    ("c1", "B", "bob", at(3), at(4)),
    ("c1", "C", "bob", at(5), at(6)),
    ("c2", "A", "ann", at(0), at(2)),
    ("c2", "B", "cat", at(2.5), at(3)),
    ("c2", "B", "cat", at(4), at(4.5)),
    ("c2", "C", None, None, at(7)),
    ("c3", "A", "ann", at(1), at(1.5)),
]


@pytest.fixture
def worked():
    return b.encode(frame(WORKED))


def rows_by(frame_, *keys):
    return {tuple(row[k] for k in keys): row for row in frame_.iter_rows(named=True)}


def test_engine_does_not_import_django():
    code = "import sys, opsteam.workflow.bottlenecks; print('django' in sys.modules)"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "False"


def test_product_code_never_imports_pm4py():
    # pm4py is AGPL-3.0: a test and benchmark dependency only
    root = Path(b.__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and re.search(r"^\s*(import|from)\s+pm4py", path.read_text(encoding="utf-8"), re.M)
    ]

    assert offenders == []


# encoding


def test_encode_sorts_each_case_by_start_and_decodes_its_ids(worked):
    # then
    assert worked.events == 8
    assert worked.cases == 3
    assert worked.step_labels == ("A", "B", "C")
    assert worked.resource_labels == ("ann", "bob", "cat")
    per_case = {
        worked.case_labels[c]: [
            worked.step_labels[s] for s in worked.step[worked.bounds[c] : worked.bounds[c + 1]]
        ]
        for c in range(worked.cases)
    }
    assert per_case == {"c1": ["A", "B", "C"], "c2": ["A", "B", "B", "C"], "c3": ["A"]}
    assert (worked.complete >= worked.start).all()


def test_missing_start_is_an_instantaneous_event(worked):
    row = int(np.flatnonzero(worked.resource == -1)[0])

    assert worked.start[row] == worked.complete[row]


def test_integer_and_string_case_ids_give_the_same_analysis():
    as_text = frame(WORKED)
    as_int = as_text.with_columns(pl.col("case").str.slice(1).cast(pl.Int64))

    text_result = b.analyse(as_text).as_dict()
    int_result = b.analyse(as_int).as_dict()

    text_result["case_durations"].pop("slowest")
    int_result["case_durations"].pop("slowest")
    assert text_result == int_result


def test_exact_ties_are_broken_by_step_then_resource_whatever_the_row_order():
    rows = [
        ("c", "B", "bob", at(0), at(1)),
        ("c", "A", "bob", at(0), at(1)),
        ("c", "A", "ann", at(0), at(1)),
    ]
    for shuffled in (rows, rows[::-1], [rows[1], rows[2], rows[0]]):
        log = b.encode(frame(shuffled))

        assert [log.step_labels[s] for s in log.step] == ["A", "A", "B"]
        assert [log.resource_labels[r] for r in log.resource] == ["ann", "bob", "bob"]


@pytest.mark.parametrize(
    ("_case", "rows", "column", "row"),
    [
        ("null case", [(None, "A", "x", at(0), at(1))], "case", 0),
        ("null step", [("c", "A", "x", at(0), at(1)), ("c", None, "x", at(0), at(1))], "step", 1),
        ("null complete", [("c", "A", "x", at(0), None)], "complete", 0),
        ("start after complete", [("c", "A", "x", at(2), at(1))], "start", 0),
    ],
)
def test_bad_rows_are_rejected_naming_column_and_row(_case, rows, column, row):
    with pytest.raises(b.EventLogError) as raised:
        b.encode(frame(rows))

    assert raised.value.column == column
    assert raised.value.row == row
    assert f"row {row}" in str(raised.value)


def test_missing_column_and_wrong_types_are_rejected():
    good = frame(WORKED)

    with pytest.raises(b.EventLogError, match="'step'"):
        b.encode(good.drop("step"))
    with pytest.raises(b.EventLogError, match="Datetime"):
        b.encode(good.with_columns(pl.col("complete").cast(pl.String)))
    with pytest.raises(b.EventLogError, match="time zone"):
        b.encode(good.with_columns(pl.col("start").dt.replace_time_zone(None)))


def test_naive_times_and_optional_columns_work():
    naive = frame(WORKED).with_columns(
        pl.col("start").dt.replace_time_zone(None), pl.col("complete").dt.replace_time_zone(None)
    )

    log = b.encode(naive.drop("resource", "start"))

    assert log.time_zone is None
    assert (log.resource == -1).all()
    assert (log.start == log.complete).all()


def test_negative_targets_are_rejected():
    with pytest.raises(b.EventLogError, match="handoff_targets"):
        b.analyse(frame(WORKED), handoff_targets={("A", "B"): -1})
    with pytest.raises(b.EventLogError, match="step_targets"):
        b.analyse(frame(WORKED), step_targets={"A": float("nan")})


# the measures pm4py also computes, on the worked example


def test_performance_dfg_counts_and_waits(worked):
    dfg = rows_by(b.performance_dfg(worked), "source", "target")

    assert set(dfg) == {("A", "B"), ("B", "B"), ("B", "C")}
    ab = dfg["A", "B"]
    # c1 waits 3 - 1 = 2 h, c2 waits 2.5 - 2 = 0.5 h; both handed over
    assert (ab["count"], ab["handovers"], ab["overlaps"]) == (2, 2, 0)
    assert ab["mean_s"] == pytest.approx(1.25 * HOUR)
    assert ab["median_s"] == pytest.approx(1.25 * HOUR)
    assert (ab["min_s"], ab["max_s"], ab["sum_s"]) == (0.5 * HOUR, 2 * HOUR, 2.5 * HOUR)
    assert ab["std_s"] == pytest.approx(statistics.stdev([2 * HOUR, 0.5 * HOUR]))
    assert ab["p90_s"] == pytest.approx(float(np.quantile([0.5 * HOUR, 2 * HOUR], 0.9)))
    assert dfg["B", "B"]["count"] == 1
    assert dfg["B", "B"]["std_s"] is None
    assert dfg["B", "B"]["handovers"] == 0  # cat continued
    # c1 waits 1 h before C (same person), c2 waits 2.5 h (unknown person: not a handover)
    assert dfg["B", "C"]["sum_s"] == 3.5 * HOUR
    assert dfg["B", "C"]["handovers"] == 0


def test_overlapping_work_is_clipped_at_zero_and_counted():
    rows = [("c", "A", "x", at(0), at(2)), ("c", "B", "y", at(1), at(3))]

    dfg = b.performance_dfg(b.encode(frame(rows))).row(0, named=True)

    assert (dfg["count"], dfg["overlaps"], dfg["sum_s"], dfg["max_s"]) == (1, 1, 0.0, 0.0)


def test_service_times_per_step(worked):
    service = rows_by(b.service_times(worked), "step")

    assert service["A",]["count"] == 3
    assert service["A",]["sum_s"] == 3.5 * HOUR  # 1 + 2 + 0.5
    assert service["A",]["median_s"] == HOUR
    assert service["C",]["instantaneous"] == 1
    assert service["C",]["min_s"] == 0.0
    assert service["C",]["mean_s"] == 0.5 * HOUR


def test_case_durations_and_distribution(worked):
    durations = b.case_durations(worked)

    per_case = {row["case"]: row["duration_s"] for row in durations.per_case.iter_rows(named=True)}
    assert per_case == {"c1": 6 * HOUR, "c2": 7 * HOUR, "c3": 0.5 * HOUR}
    assert durations.count == 3
    assert durations.median_s == 6 * HOUR
    assert durations.max_s == 7 * HOUR
    assert durations.histogram["cases"].sum() == 3


def test_rework_counts_cases_extra_occurrences_and_cost(worked):
    rework = b.rework(worked).row(0, named=True)
    loops = b.rework_loops(worked).to_dicts()

    assert rework == {
        "step": "B",
        "cases": 1,
        "extra_occurrences": 1,
        "cases_with_step": 2,
        "share_of_cases": 0.5,
        "extra_processing_s": 0.5 * HOUR,  # the second B of c2
    }
    assert loops == [{"source": "B", "target": "B", "count": 1}]


def test_handovers_count_only_different_known_people(worked):
    handovers = rows_by(b.handovers(worked), "source_resource", "target_resource")

    assert set(handovers) == {("ann", "bob"), ("ann", "cat")}
    assert handovers["ann", "bob"]["count"] == 1
    assert handovers["ann", "bob"]["sum_wait_s"] == 2 * HOUR


def test_variants_are_paths_with_counts_and_durations():
    rows = [
        (f"c{i}", step, "x", at(i + k), at(i + k + 0.5))
        for i, path in enumerate(["AB", "AB", "AC", "AB"])
        for k, step in enumerate(path)
    ]

    variants = b.variants(b.encode(frame(rows))).to_dicts()

    assert variants == [
        {
            "path": ["A", "B"],
            "count": 3,
            "share": 0.75,
            "median_duration_s": 1.5 * HOUR,
            "mean_duration_s": 1.5 * HOUR,
        },
        {
            "path": ["A", "C"],
            "count": 1,
            "share": 0.25,
            "median_duration_s": 1.5 * HOUR,
            "mean_duration_s": 1.5 * HOUR,
        },
    ]
    assert b.variants(b.encode(frame(rows)), top=1).height == 1


# our own measures


def test_waiting_times_are_the_waits_before_each_step(worked):
    waiting = rows_by(b.waiting_times(worked), "step")

    assert set(waiting) == {("B",), ("C",)}
    assert waiting["B",]["count"] == 3  # c1 A->B, c2 A->B, c2 B->B
    assert waiting["B",]["sum_s"] == (2 + 0.5 + 1) * HOUR
    assert waiting["C",]["median_s"] == 1.75 * HOUR


def test_throughput_counts_cases_per_local_calendar_day():
    shanghai = {**SCHEMA, "start": pl.Datetime("us", "UTC"), "complete": pl.Datetime("us", "UTC")}
    # 15:30 UTC is 23:30 in Shanghai, 16:30 UTC is 00:30 the next day there
    rows = [
        ("c1", "A", "x", at(7), at(7.5)),
        ("c2", "A", "x", at(7), at(8.5)),
    ]
    local = frame(rows, shanghai).with_columns(
        pl.col("start", "complete").dt.convert_time_zone("Asia/Shanghai")
    )

    daily = b.throughput(b.encode(local), "1d").to_dicts()

    assert [row["period"].isoformat() for row in daily] == [
        "2025-01-06T00:00:00+08:00",
        "2025-01-07T00:00:00+08:00",
    ]
    assert [row["cases_completed"] for row in daily] == [1, 1]
    assert [row["cases_started"] for row in daily] == [2, 0]
    assert daily[1]["median_duration_s"] == 1.5 * HOUR


def test_weekly_throughput_starts_on_monday(worked):
    weekly = b.throughput(worked, "1w").to_dicts()

    assert [row["period"] for row in weekly] == [dt.datetime(2025, 1, 6, tzinfo=UTC)]
    assert weekly[0]["cases_completed"] == 3


def test_person_load_busy_time_cases_and_work_in_progress(worked):
    load = rows_by(b.person_load(worked), "resource")

    # ann: c1 A [0, 1), c2 A [0, 2), c3 A [1, 1.5): two at once, 3.5 h over a 7 h window
    assert load["ann",] == {
        "resource": "ann",
        "events": 3,
        "cases": 3,
        "busy_s": 3.5 * HOUR,
        "avg_wip": 0.5,
        "max_wip": 2,
    }
    assert load["cat",]["cases"] == 1
    assert load["cat",]["max_wip"] == 1


def test_back_to_back_work_is_one_at_a_time():
    rows = [("c1", "A", "x", at(0), at(1)), ("c2", "A", "x", at(1), at(2))]

    load = b.person_load(b.encode(frame(rows))).row(0, named=True)

    assert load["max_wip"] == 1


def test_wip_over_time_counts_open_cases(worked):
    wip = b.wip_over_time(worked, "1d").row(0, named=True)

    assert wip["open_at_start"] == 0
    assert wip["started"] == 3
    assert wip["completed"] == 3
    # 6 h + 7 h + 0.5 h of open cases over a 24 h day
    assert wip["avg_open"] == pytest.approx(13.5 / 24)


def test_cases_for_edge_longest_wait_first(worked):
    cases = b.cases_for_edge(worked, "A", "B")

    assert cases["case"].to_list() == ["c1", "c2"]
    assert cases["wait_s"].to_list() == [2 * HOUR, 0.5 * HOUR]
    assert cases.row(0, named=True)["target_start"] == at(3)
    assert b.cases_for_edge(worked, "A", "B", limit=1).height == 1
    assert b.cases_for_edge(worked, "A", "nowhere").height == 0


def test_sla_breaches_against_targets(worked):
    sla = b.sla_breaches(
        worked,
        {"A": HOUR, "Z": HOUR},
        {("A", "B"): HOUR, ("B", "Z"): 10.0},
        case_target=6.5 * HOUR,
    )

    steps = rows_by(sla.steps, "step")
    assert steps["A",]["breaches"] == 1  # c2's A took 2 h
    assert steps["A",]["excess_s"] == HOUR
    assert steps["Z",]["count"] == 0
    assert steps["Z",]["breach_rate"] is None
    handoffs = rows_by(sla.handoffs, "source", "target")
    assert handoffs["A", "B"]["breach_rate"] == 0.5
    assert handoffs["A", "B"]["excess_s"] == HOUR
    assert sla.cases == {
        "target_s": 6.5 * HOUR,
        "count": 3,
        "breaches": 1,
        "breach_rate": 1 / 3,
        "excess_s": 0.5 * HOUR,
    }


# bottlenecks and the whole analysis


def test_bottlenecks_split_waits_into_handoffs_and_step_queues(worked):
    analysis = b.analyse(frame(WORKED), step_owner={"B": "Reviewer", "C": "Closer"})

    ranked = {bn.key: bn for bn in analysis.bottlenecks}
    # A->B changed hands in both cases (2.5 h); waits into B after B (1 h, cat continued) and
    # into C (3.5 h, bob continued or unknown) are queues
    assert set(ranked) == {"handoff:A→B", "step:B", "step:C"}
    assert [bn.key for bn in analysis.bottlenecks] == ["step:C", "handoff:A→B", "step:B"]
    assert [bn.rank for bn in analysis.bottlenecks] == [1, 2, 3]
    assert ranked["step:C"].total_wait_s == 3.5 * HOUR
    assert ranked["handoff:A→B"].total_wait_s == 2.5 * HOUR
    assert ranked["handoff:A→B"].owner_position == "Reviewer"
    assert ranked["step:C"].owner_position == "Closer"
    assert sum(bn.total_wait_s for bn in analysis.bottlenecks) == analysis.total_wait_s
    assert sum(bn.share_of_total for bn in analysis.bottlenecks) == pytest.approx(1)


def test_a_handoff_target_ranks_by_the_excess_and_counts_breaches():
    analysis = b.analyse(frame(WORKED), handoff_targets={("A", "B"): HOUR})

    handoff = next(bn for bn in analysis.bottlenecks if bn.kind == "handoff")
    assert handoff.total_wait_s == HOUR  # only c1's 2 h wait exceeds the 1 h target
    assert handoff.target_s == HOUR
    assert handoff.breach_rate == 0.5
    assert handoff.cases == 1
    assert handoff.waits == 2
    target = next(e for e in handoff.evidence if e["code"] == "target")
    assert (target["breaches"], target["waits_with_target"]) == (1, 2)


def test_bottleneck_evidence_names_people_positions_and_sources():
    analysis = b.analyse(
        frame(WORKED),
        resource_position={"ann": "Clerk", "bob": "Lead", "cat": "Lead"},
        step_owner={"B": "Reviewer"},
    )

    handoff = next(bn for bn in analysis.bottlenecks if bn.kind == "handoff")
    codes = [item["code"] for item in handoff.evidence]
    assert codes == [
        "waiting",
        "share",
        "people_pair",
        "people_pair",
        "position_pair",
        "owner",
    ]
    people = [
        (e["from"], e["to"], e["waits"]) for e in handoff.evidence if e["code"] == "people_pair"
    ]
    assert people == [("ann", "bob", 1), ("ann", "cat", 1)]
    position = next(e for e in handoff.evidence if e["code"] == "position_pair")
    assert (position["from"], position["to"], position["waits"]) == ("Clerk", "Lead", 2)
    queue = next(bn for bn in analysis.bottlenecks if bn.key == "step:C")
    feeds = [e for e in queue.evidence if e["code"] == "from_step"]
    assert [(e["source"], e["waits"]) for e in feeds] == [("B", 2)]
    assert all(isinstance(e["text"], str) and e["text"] for e in handoff.evidence)


def test_handoff_delays_split_by_people_and_positions():
    analysis = b.analyse(
        frame(WORKED), resource_position={"ann": "Clerk", "bob": "Lead"}, step_owner={"A": "Desk"}
    )

    delays = rows_by(analysis.handoff_delays, "source", "target")
    assert delays["A", "B"]["handover_share"] == 1.0
    assert delays["A", "B"]["source_owner"] == "Desk"
    assert delays["B", "C"]["handovers"] == 0
    by_position = {
        (r["source_position"], r["target_position"]): r["count"]
        for r in analysis.handoff_by_position.iter_rows(named=True)
    }
    assert by_position == {("Clerk", "Lead"): 1, ("Clerk", None): 1}  # cat has no position


def test_analysis_as_dict_is_json(worked):
    analysis = b.analyse(
        frame(WORKED), handoff_targets={("A", "B"): HOUR}, step_targets={"A": HOUR}
    )

    data = json.loads(json.dumps(analysis.as_dict(), allow_nan=False))

    assert data["events"] == 8
    assert data["first_start"] == "2025-01-06T08:00:00+00:00"
    assert data["bottlenecks"][0]["evidence"][0]["code"] == "waiting"
    assert data["case_durations"]["slowest"][0]["case"] == "c2"
    assert data["sla"]["steps"][0]["step"] == "A"


def test_empty_log_gives_empty_results():
    empty = frame([])

    analysis = b.analyse(empty, handoff_targets={("A", "B"): 1.0}, case_target=1.0)

    assert (analysis.events, analysis.cases, analysis.bottlenecks) == (0, 0, ())
    assert analysis.performance_dfg.is_empty()
    assert analysis.case_durations.median_s is None
    assert analysis.throughput_daily.is_empty()
    assert json.dumps(analysis.as_dict(), allow_nan=False)
    log = b.encode(empty)
    assert b.cases_for_edge(log, "A", "B").is_empty()
    assert b.variants(log).is_empty()


def test_one_event_cases_have_no_waits():
    rows = [("c1", "A", "x", at(0), at(1)), ("c2", "B", None, None, at(2))]

    analysis = b.analyse(frame(rows))

    assert analysis.performance_dfg.is_empty()
    assert analysis.waiting_times.is_empty()
    assert analysis.bottlenecks == ()
    per_case = analysis.case_durations.per_case
    assert dict(zip(per_case["case"], per_case["duration_s"], strict=True)) == {"c1": HOUR, "c2": 0}
    assert analysis.person_load["events"].to_list() == [1]


# a plain-Python reference on random logs


def random_log(seed: int, cases: int = 40) -> pl.DataFrame:
    """Rows in random order; ties, overlaps, unknown people and instantaneous events."""
    rng = random.Random(seed)
    rows = []
    for c in range(cases):
        clock = MONDAY + dt.timedelta(minutes=rng.randint(0, 5000))
        for _ in range(rng.randint(1, 8)):
            start = clock + dt.timedelta(minutes=rng.choice([-30, 0, 5, 60, 600]))
            complete = start + dt.timedelta(minutes=rng.choice([0, 1, 30, 120]))
            instantaneous = rng.random() < 0.1
            rows.append(
                (
                    f"k{c}",
                    rng.choice("ABCDE"),
                    rng.choice(["p1", "p2", "p3", None]),
                    None if instantaneous else start,
                    complete,
                )
            )
            clock = max(clock, complete)
    rng.shuffle(rows)
    return frame(rows)


def reference(log_frame: pl.DataFrame) -> dict:
    """Every measure computed the obvious way, one case at a time."""
    by_case = defaultdict(list)
    for case, step, resource, start, complete in log_frame.iter_rows():
        by_case[case].append((start or complete, complete, step, resource))
    for events in by_case.values():
        events.sort(key=lambda e: (e[0], e[1], e[2], e[3] is not None, e[3] or ""))
    waits, queue, handoff = defaultdict(list), defaultdict(float), defaultdict(float)
    service, rework_cases, extra, handovers = defaultdict(list), Counter(), Counter(), Counter()
    durations, paths, overlaps = {}, Counter(), 0
    for case, events in by_case.items():
        durations[case] = (max(e[1] for e in events) - events[0][0]).total_seconds()
        paths[tuple(e[2] for e in events)] += 1
        seen = Counter()
        for start, complete, step, _resource in events:
            service[step].append((complete - start).total_seconds())
            seen[step] += 1
        for step, n in seen.items():
            if n > 1:
                rework_cases[step] += 1
                extra[step] += n - 1
        for before, after in itertools.pairwise(events):
            raw = (after[0] - before[1]).total_seconds()
            overlaps += raw < 0
            wait = max(raw, 0.0)
            waits[before[2], after[2]].append(wait)
            handed = before[3] is not None and after[3] is not None and before[3] != after[3]
            if handed:
                handovers[before[3], after[3]] += 1
                handoff[before[2], after[2]] += wait
            else:
                queue[after[2]] += wait
    return {
        "waits": waits,
        "service": service,
        "durations": durations,
        "rework": (rework_cases, extra),
        "handovers": handovers,
        "paths": paths,
        "overlaps": overlaps,
        "bottlenecks": {f"handoff:{s}→{t}": v for (s, t), v in handoff.items() if v > 0}
        | {f"step:{s}": v for s, v in queue.items() if v > 0},
    }


@pytest.mark.parametrize("seed", range(6))
def test_every_measure_matches_a_plain_python_reference(seed):
    # given
    log_frame = random_log(seed)
    expected = reference(log_frame)

    # when
    analysis = b.analyse(log_frame)

    # then
    dfg = rows_by(analysis.performance_dfg, "source", "target")
    assert set(dfg) == set(expected["waits"])
    for edge, values in expected["waits"].items():
        row = dfg[edge]
        assert row["count"] == len(values)
        assert row["sum_s"] == pytest.approx(sum(values))
        assert row["median_s"] == pytest.approx(statistics.median(values))
        assert row["p90_s"] == pytest.approx(float(np.quantile(values, 0.9)))
        assert (row["min_s"], row["max_s"]) == (min(values), max(values))
        if len(values) > 1:
            assert row["std_s"] == pytest.approx(statistics.stdev(values), abs=1e-6)
    assert analysis.overlaps == expected["overlaps"]
    service = rows_by(analysis.service_times, "step")
    for step, values in expected["service"].items():
        assert service[step,]["count"] == len(values)
        assert service[step,]["median_s"] == pytest.approx(statistics.median(values))
        assert service[step,]["mean_s"] == pytest.approx(statistics.fmean(values))
    per_case = analysis.case_durations.per_case
    assert dict(zip(per_case["case"], per_case["duration_s"], strict=True)) == pytest.approx(
        expected["durations"]
    )
    rework_cases, extra = expected["rework"]
    assert {r["step"]: r["cases"] for r in analysis.rework.iter_rows(named=True)} == rework_cases
    assert {r["step"]: r["extra_occurrences"] for r in analysis.rework.iter_rows(named=True)} == (
        extra
    )
    assert {
        (r["source_resource"], r["target_resource"]): r["count"]
        for r in analysis.handovers.iter_rows(named=True)
    } == expected["handovers"]
    assert {
        tuple(r["path"]): r["count"] for r in b.variants(b.encode(log_frame), top=None).to_dicts()
    } == expected["paths"]
    assert {bn.key: bn.total_wait_s for bn in analysis.bottlenecks} == pytest.approx(
        expected["bottlenecks"]
    )


def assert_close(actual, expected, path="result"):
    """Equal structures; floats equal to 1e-12 relative (sums may add in another order)."""
    if isinstance(expected, float) and isinstance(actual, float):
        assert actual == pytest.approx(expected, rel=1e-12, abs=1e-9), path
    elif isinstance(expected, dict):
        assert actual.keys() == expected.keys(), path
        for key in expected:
            assert_close(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), path
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_close(a, e, f"{path}[{index}]")
    else:
        assert actual == expected, path


@pytest.mark.parametrize("chunk", [1, 3, 64])
def test_results_do_not_depend_on_the_chunk_size(monkeypatch, chunk):
    # long logs are processed in chunks; small chunks exercise every chunk boundary here
    log_frame = random_log(5, cases=80)
    options = {
        "handoff_targets": {("A", "B"): 600.0, ("B", "C"): 0.0},
        "resource_position": {"p1": "Clerk", "p2": "Lead"},
    }
    whole = b.analyse(log_frame, **options).as_dict()

    monkeypatch.setattr(b, "_CHUNK", chunk)
    chunked = b.analyse(log_frame, **options).as_dict()

    assert_close(chunked, whole)
    as_ids = log_frame.with_columns(pl.col("case").str.slice(1).cast(pl.Int64))
    assert_close(b.analyse(as_ids, **options).as_dict()["bottlenecks"], whole["bottlenecks"])


def test_max_wip_matches_a_sweep_over_every_instant():
    log_frame = random_log(11, cases=60)
    intervals = defaultdict(list)
    for _case, _step, resource, start, complete in log_frame.iter_rows():
        if resource is not None and start is not None and complete > start:
            intervals[resource].append((start, complete))
    expected = {
        person: max(sum(s <= t < e for s, e in spans) for t, _ in spans)
        for person, spans in intervals.items()
    }

    load = b.person_load(b.encode(log_frame))

    assert {
        r["resource"]: r["max_wip"] for r in load.iter_rows(named=True) if r["max_wip"]
    } == expected


# properties

MINUTE = dt.timedelta(minutes=1)
event = st.tuples(
    st.sampled_from("ABCD"),
    st.sampled_from(["p1", "p2", "p3", None]),
    st.integers(-20, 60),  # start relative to the case clock (negative: overlap)
    st.integers(0, 30),  # duration
    st.booleans(),  # instantaneous (no start)
)
logs = st.lists(st.lists(event, min_size=1, max_size=6), max_size=6)
sequential_event = st.tuples(
    st.sampled_from("ABCD"),
    st.sampled_from(["p1", "p2", None]),
    st.integers(1, 60),
    st.integers(1, 30),
)
sequential_logs = st.lists(st.lists(sequential_event, min_size=1, max_size=6), max_size=6)


def build(cases) -> pl.DataFrame:
    rows = []
    for c, events in enumerate(cases):
        clock = MONDAY + c * 7 * MINUTE
        for step, resource, offset, length, instantaneous in events:
            start = clock + offset * MINUTE
            complete = start + length * MINUTE
            rows.append((f"c{c}", step, resource, None if instantaneous else start, complete))
            clock = max(clock, complete)
    return frame(rows)


def build_sequential(cases) -> pl.DataFrame:
    """Each event starts after the previous one of its case completed: no overlap, no ties."""
    rows = []
    for c, events in enumerate(cases):
        clock = MONDAY + c * 3 * MINUTE
        for step, resource, gap, length in events:
            start = clock + gap * MINUTE
            rows.append((f"c{c}", step, resource, start, start + length * MINUTE))
            clock = start + length * MINUTE
    return frame(rows)


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(logs)
def test_times_are_never_negative_and_totals_add_up(cases):
    log_frame = build(cases)

    analysis = b.analyse(log_frame)

    events, n_cases = log_frame.height, log_frame["case"].n_unique()
    dfg = analysis.performance_dfg
    assert dfg["count"].sum() == events - n_cases
    assert analysis.service_times["count"].sum() == events
    for table in (dfg, analysis.service_times, analysis.waiting_times):
        if not table.is_empty():
            assert table["min_s"].min() >= 0
    assert (analysis.case_durations.per_case["duration_s"] >= 0).all()
    assert analysis.waiting_times["sum_s"].sum() == pytest.approx(analysis.total_wait_s)
    assert sum(bn.total_wait_s for bn in analysis.bottlenecks) == pytest.approx(
        analysis.total_wait_s
    )
    totals = [bn.total_wait_s for bn in analysis.bottlenecks]
    assert totals == sorted(totals, reverse=True)
    assert all(total > 0 for total in totals)
    assert analysis.variants["count"].sum() <= n_cases
    assert b.variants(b.encode(log_frame), top=None)["count"].sum() == n_cases
    assert json.dumps(analysis.as_dict(), allow_nan=False)


@PROPERTY
@given(sequential_logs)
def test_a_case_lasts_at_least_its_processing_when_work_does_not_overlap(cases):
    log_frame = build_sequential(cases)
    log = b.encode(log_frame)

    per_case = b.case_durations(log).per_case
    processing = (
        log_frame.group_by("case")
        .agg(((pl.col("complete") - pl.col("start")).dt.total_seconds()).sum().alias("busy"))
        .join(per_case, on="case")
    )

    assert (processing["duration_s"] >= processing["busy"]).all()


@PROPERTY
@given(logs, st.randoms(use_true_random=False))
def test_row_order_does_not_change_any_result(cases, rng):
    log_frame = build(cases)
    rows = list(range(log_frame.height))
    rng.shuffle(rows)

    original = b.analyse(log_frame, handoff_targets={("A", "B"): 600.0}).as_dict()
    shuffled = b.analyse(log_frame[rows], handoff_targets={("A", "B"): 600.0}).as_dict()

    assert shuffled == original


RENAME = {"A": "zeta", "B": "eta", "C": "alpha", "D": "mu"}


def renamed(records, *keys):
    return [{**r, **{k: RENAME.get(r[k], r[k]) for k in keys}} for r in records]


def as_set(records, *keys):
    return sorted(json.dumps(r, sort_keys=True) for r in records)


@PROPERTY
@given(sequential_logs)
def test_renaming_steps_renames_the_results(cases):
    log_frame = build_sequential(cases)
    other = log_frame.with_columns(pl.col("step").replace_strict(RENAME))

    before = b.analyse(log_frame, step_owner={"A": "Lead"}).as_dict()
    after = b.analyse(other, step_owner={RENAME["A"]: "Lead"}).as_dict()

    assert as_set(after["performance_dfg"]) == as_set(
        renamed(before["performance_dfg"], "source", "target")
    )
    assert as_set(after["service_times"]) == as_set(renamed(before["service_times"], "step"))
    assert as_set(after["rework"]) == as_set(renamed(before["rework"], "step"))
    assert after["case_durations"]["median_s"] == before["case_durations"]["median_s"]
    assert sorted(
        (bn["kind"], bn["step"], bn["source"], bn["target"], bn["total_wait_s"], bn["cases"])
        for bn in after["bottlenecks"]
    ) == sorted(
        (
            bn["kind"],
            RENAME[bn["step"]],
            RENAME.get(bn["source"]),
            RENAME.get(bn["target"]),
            bn["total_wait_s"],
            bn["cases"],
        )
        for bn in before["bottlenecks"]
    )
    assert [bn["total_wait_s"] for bn in after["bottlenecks"]] == [
        bn["total_wait_s"] for bn in before["bottlenecks"]
    ]


@PROPERTY
@given(logs)
def test_rework_extra_occurrences_are_events_beyond_the_distinct_steps_of_each_case(cases):
    log_frame = build(cases)

    rework = b.rework(b.encode(log_frame))

    distinct = log_frame.select("case", "step").unique().height
    assert rework["extra_occurrences"].sum() == log_frame.height - distinct
    assert (rework["extra_processing_s"] >= 0).all()


def test_statistics_match_numpy_on_a_generated_log():
    # given a larger log from the bench generator (waits over many orders of magnitude)
    from bench.eventlogs import generate

    log_frame = generate(5_000, seed=3, overlap_share=0.05, unknown_resource_share=0.05)
    log = b.encode(log_frame)
    pairs = log_frame.sort("case", "start", "complete").with_columns(
        next_step=pl.col("step").shift(-1).over("case"),
        wait=(pl.col("start").shift(-1).over("case") - pl.col("complete")).dt.total_microseconds(),
    )

    # when
    dfg = rows_by(b.performance_dfg(log), "source", "target")

    # then
    for (source, target), group in pairs.drop_nulls("next_step").group_by("step", "next_step"):
        waits = np.maximum(group["wait"].to_numpy(), 0) / 1e6
        row = dfg[source, target]
        assert row["count"] == waits.size
        assert row["median_s"] == pytest.approx(float(np.median(waits)), rel=1e-12)
        assert row["p90_s"] == pytest.approx(float(np.quantile(waits, 0.9)), rel=1e-12)
        assert row["mean_s"] == pytest.approx(float(waits.mean()), rel=1e-12)
        if waits.size > 1:
            assert row["std_s"] == pytest.approx(float(waits.std(ddof=1)), rel=1e-9)
        assert row["overlaps"] == int((group["wait"] < 0).sum())


def test_format_seconds_reads_like_a_person_would_write_it():
    assert [b.format_seconds(s) for s in (None, 45, 750, 5.2 * HOUR, 3.1 * 86400)] == [
        "-",
        "45 s",
        "12.5 min",
        "5.2 h",
        "3.1 d",
    ]


def test_values_too_wide_to_pack_still_give_exact_statistics():
    # nanosecond waits of decades do not fit beside the group id in one int64
    values = np.array([10**18, 3, 7, 2 * 10**18, 5], dtype=np.int64)
    groups = np.array([0, 0, 1, 1, 1])

    stats = b._grouped_stats(groups, values, 2, 1.0)

    assert stats["median_s"].tolist() == [math.fsum([10**18, 3]) / 2, 7.0]
    assert stats["max_s"].tolist() == [1e18, 2e18]
    assert stats["count"].tolist() == [2, 3]
