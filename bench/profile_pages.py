"""CPU per page request, without locust: where bench_load's time goes, page by page.

    .venv/bin/python -m bench.profile_pages                 # ms and queries per page
    .venv/bin/python -m bench.profile_pages -n 30 --profile "org chart" --profile "staff list"

Builds the 10,000-staff demo once into its own PostgreSQL database (``OPSTEAM_PROFILE_DB``,
default ``opsteam_profile_pages``; kept between runs, ``--rebuild`` starts afresh) and collects
the static files once (WhiteNoise's manifest storage needs the manifest). Then, in this process,
with production settings (``OPSTEAM_DEBUG=0``, no ``OPSTEAM_TESTING``, persistent connections),
each role of bench/locustfile.py logs in through the login form and requests each of its pages
``-n`` times through Django's test client (the whole middleware chain, no HTTP server).

Printed per page and role: the median wall time and the median CPU time of this process per
request, the mean CPU time of the PostgreSQL backend serving it (read from /proc: the server
runs on the same machine and shares its cores), and the queries one request runs. ``--sql
PAGE`` prints a page's queries; ``--profile PAGE`` runs cProfile (CPU time) over ``-n``
requests of that page, ``--profile all`` over every page of ``--profile-role`` in turn.
Not a ``bench_*`` module: ``python -m bench`` does not run it; it is a tool, not a figure.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("OPSTEAM_BENCH_PG", "postgres://127.0.0.1:5432/postgres")
DATABASE = os.environ.get("OPSTEAM_PROFILE_DB", "opsteam_profile_pages")
STATIC_ROOT = ROOT / "var" / "profile-static"
STAFF = 10_000


def _ensure_database(rebuild: bool) -> str:
    import psycopg

    admin = ADMIN_URL.replace("postgres://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE


def _production_env(url: str) -> None:
    os.environ.pop("OPSTEAM_TESTING", None)
    os.environ.pop("OPSTEAM_BROKER_URL", None)
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="opsteam.settings",
        OPSTEAM_DEBUG="0",
        OPSTEAM_SECRET_KEY=os.environ.get("OPSTEAM_SECRET_KEY") or secrets.token_urlsafe(50),
        OPSTEAM_ALLOWED_HOSTS="testserver,127.0.0.1",
        OPSTEAM_DB_CONN_MAX_AGE="60",
        OPSTEAM_STATIC_ROOT=str(STATIC_ROOT),
    )


def _prepare() -> None:
    from django.core.management import call_command
    from django.db import connection

    from bench.bench_load import COLLECTSTATIC_IGNORE
    from opsteam.org.models import Staff

    call_command("migrate", verbosity=0, interactive=False)
    if Staff.objects.count() < STAFF:
        started = time.perf_counter()
        # The organisation and every module's demo, as the load bench has them.
        call_command("load_demo", staff=STAFF, verbosity=0, stdout=io.StringIO())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"demo: {Staff.objects.count()} staff in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    if not (STATIC_ROOT / "staticfiles.json").exists():
        call_command(
            "collectstatic", interactive=False, verbosity=0, ignore_patterns=COLLECTSTATIC_IGNORE
        )


def _locust_tables() -> dict:
    """The page tables the load bench's locust scenario requests."""
    from bench import load_pages

    return vars(load_pages)


def _client(role: str):
    from django.test import Client

    from opsteam.org.demo import DEMO_PASSWORD

    client = Client()
    form = client.get("/accounts/login/")
    assert form.status_code == 200, form.status_code
    response = client.post("/accounts/login/", {"username": role, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"login as {role}: {response.status_code}"
    return client


def _backend_cpu_seconds(pid: int) -> float | None:
    """CPU seconds used so far by the PostgreSQL backend serving this process (same machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(client, path: str, repeat: int) -> dict[str, float]:
    """Median wall and CPU ms of this process, mean CPU ms of PostgreSQL, queries, status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    queries = len(captured)  # now: the next request empties the connection's query log
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    walls, cpus = [], []
    pg_before = _backend_cpu_seconds(backend)
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(path)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    pg_after = _backend_cpu_seconds(backend)
    pg = (pg_after - pg_before) / repeat * 1000 if pg_before is not None else float("nan")
    return {
        "wall": statistics.median(walls) * 1000,
        "cpu": statistics.median(cpus) * 1000,
        "pg": pg,
        "queries": queries,
        "status": status,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=20, help="requests per page and role")
    parser.add_argument("--role", action="append", help="only these roles (default: all four)")
    parser.add_argument("--profile", action="append", default=[], help="cProfile this page")
    parser.add_argument("--sql", action="append", default=[], help="print this page's queries")
    parser.add_argument("--profile-role", default="hr")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the demo")
    args = parser.parse_args()

    _production_env(_ensure_database(args.rebuild))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    _prepare()

    import random

    from opsteam.org.models import JobDescription

    published = list(
        JobDescription.objects.filter(status="published").values_list("pk", flat=True)[:100]
    )
    rng = random.Random(7)
    tables = _locust_tables()
    pages_by_role = tables["PAGES_BY_ROLE"]

    def path_of(name: str, path: str | None) -> str:
        if name == "staff search":
            return "/org/staff/?q=" + rng.choice(tables["SEARCH_TERMS"])
        if name == "job description detail":
            return f"/org/job-descriptions/{rng.choice(published)}/"
        return path or ""

    roles = args.role or list(tables["ROLES"])
    print(
        f"{'page':26} {'role':9} {'wall ms':>8} {'cpu ms':>7} {'pg ms':>6} {'queries':>7}  status"
    )
    cpu_all, pg_all = [], []
    for role in roles:
        client = _client(role)
        for name, path in pages_by_role[role].items():
            row = _measure(client, path_of(name, path), args.n)
            cpu_all.append(row["cpu"])
            pg_all.append(row["pg"])
            print(
                f"{name:26} {role:9} {row['wall']:8.1f} {row['cpu']:7.1f} {row['pg']:6.1f} "
                f"{row['queries']:7d}  {row['status']}"
            )
    print(
        f"mean per request: cpu {statistics.mean(cpu_all):.1f} ms (median of each page), "
        f"PostgreSQL {statistics.mean(pg_all):.1f} ms (mean of each page)"
    )

    for name in args.sql:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        role = args.profile_role
        client = _client(role)
        client.get(path_of(name, pages_by_role[role][name]))
        with CaptureQueriesContext(connection) as captured:
            client.get(path_of(name, pages_by_role[role][name]))
        print(f"\n== queries of {name} as {role}")
        for query in captured:
            print(f"{query['time']:>6} {query['sql'][:400]}")

    for name in args.profile:
        # "all": every page of the role in turn, weighted as locust picks them.
        role = args.profile_role
        client = _client(role)
        names = list(pages_by_role[role]) if name == "all" else [name]
        for page in names:
            client.get(path_of(page, pages_by_role[role][page]))
        profiler = cProfile.Profile(time.process_time)  # CPU time: DB waits are not ours
        profiler.enable()
        for _ in range(args.n):
            for page in names:
                client.get(path_of(page, pages_by_role[role][page]))
        profiler.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
            print(f"\n== cProfile (CPU) {name} as {role}, {args.n} rounds, by {order}")
            print(out.getvalue())


if __name__ == "__main__":
    main()
