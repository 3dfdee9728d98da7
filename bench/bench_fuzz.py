"""Schema fuzzing of the whole API (schemathesis, 100 cases per operation, one worker).

The same set-up and gate as ``opsteam/core/tests/test_schema_fuzz.py`` (which runs 25 cases per
operation in CI), in a fresh migrated database: two operators and two managers of disjoint
teams as object-level authorisation peers, an HR user, data behind every endpoint. Figures:
operations tested, cases run, failures (distinct and in all) and the run time. The full report
(every failure with its reproduction) is written to ``var/bench/fuzz-<backend>.txt``; figures are
printed, never asserted. ``OPSTEAM_FUZZ_CASES`` and ``OPSTEAM_FUZZ_SEED`` override the defaults.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BENCH_CASES = 100


def run(*, backend: str) -> list[dict]:
    from django.conf import settings

    from opsteam.core.tests import fuzz

    cases = int(os.environ.get("OPSTEAM_FUZZ_CASES") or BENCH_CASES)
    world = fuzz.populate()
    with fuzz.serve() as base_url:
        report = fuzz.run_fuzz(world, base_url, cases=cases)
    path = Path(settings.VAR_DIR) / "bench" / f"fuzz-{backend}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.summary() + "\n", encoding="utf-8")
    print(f"schema fuzz report: {path}", file=sys.stderr)
    return [
        {
            "name": "schema fuzz: operations tested",
            "value": report.operations_tested,
            "unit": f"of {report.operations}",
        },
        {
            "name": f"schema fuzz: cases run ({cases}/operation, seed {report.seed})",
            "value": report.cases,
            "unit": "cases",
        },
        {
            "name": "schema fuzz: failures (distinct)",
            "value": len(report.failures) + len(report.errors),
            "unit": "failures",
        },
        {
            "name": "schema fuzz: failures (all cases)",
            "value": sum(report.counts.values()) + len(report.errors),
            "unit": "cases",
        },
        {
            "name": "schema fuzz: peer replays (object-level authorisation)",
            "value": report.peer_replays,
            "unit": "requests",
        },
        {"name": "schema fuzz: run time", "value": report.seconds, "unit": "s"},
    ]
