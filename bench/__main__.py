"""Run every benchmark in bench/ and print each figure with its baseline and the ratio.

    python -m bench              # every bench_*.py, on SQLite and (when reachable) PostgreSQL
    python -m bench import --sqlite-only
    python -m bench appraisal --pg-only

Each bench module runs in a fresh process against a fresh database of its own, so figures do
not depend on what ran before. A module that declares ``NEEDS_DATABASE = False`` runs once,
without a database, under the backend label "none". Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("OPSTEAM_BENCH_PG", "postgres://127.0.0.1:5432/postgres")


def _modules(selected: list[str]) -> list[str]:
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    return names


def _needs_database(name: str) -> bool:
    """False when the module declares ``NEEDS_DATABASE = False`` (read without importing it)."""
    tree = ast.parse((Path(__file__).parent / f"{name}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "NEEDS_DATABASE" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return bool(node.value.value)
    return True


def _postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            PG_ADMIN_URL.replace("postgres://", "postgresql://"), connect_timeout=3
        ):
            return True
    except Exception:
        return False


def _run_module(name: str, backend: str) -> list[dict]:
    env = {**os.environ, "OPSTEAM_TESTING": "1", "PYTHONPATH": str(ROOT)}
    env.pop("OPSTEAM_BROKER_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "bench.runner", name, backend],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        print(f"  {name} on {backend} FAILED:\n{run.stderr[-4000:]}", file=sys.stderr)
        return []
    lines = [line for line in run.stdout.splitlines() if line.startswith("FIGURE ")]
    return [json.loads(line[len("FIGURE ") :]) for line in lines]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("only", nargs="*", help="substring of bench module names to run")
    only_one = parser.add_mutually_exclusive_group()
    only_one.add_argument("--sqlite-only", action="store_true")
    only_one.add_argument("--pg-only", action="store_true", help="PostgreSQL figures only")
    args = parser.parse_args()
    backends = [] if args.pg_only else ["sqlite"]
    if not args.sqlite_only:
        if _postgres_reachable():
            backends.append("postgresql")
        else:
            print("PostgreSQL is not reachable; PostgreSQL figures skipped", file=sys.stderr)
    figures = []
    for name in _modules(args.only):
        for backend in backends if _needs_database(name) else ["none"]:
            print(f"== {name} on {backend}", flush=True)
            for figure in _run_module(name, backend):
                figures.append(figure)
                print(_format(figure), flush=True)
    print()
    print(f"{'benchmark':58} {'value':>14} {'baseline':>14} {'ratio':>7}")
    for figure in figures:
        print(_format(figure))


def _format(figure: dict) -> str:
    unit = figure.get("unit", "")
    value = f"{figure['value']:,.1f} {unit}"
    baseline = f"{figure['baseline']:,.1f} {unit}" if figure.get("baseline") else "-"
    ratio = f"{figure['value'] / figure['baseline']:.2f}x" if figure.get("baseline") else "-"
    label = f"{figure['name']} [{figure['backend']}]"
    note = f"  ({figure['baseline_name']})" if figure.get("baseline_name") else ""
    return f"{label:58} {value:>14} {baseline:>14} {ratio:>7}{note}"


if __name__ == "__main__":
    importlib.invalidate_caches()
    main()
