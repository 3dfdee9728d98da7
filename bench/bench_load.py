"""Page latency under load: the 10,000-staff demo served by gunicorn, 50 users for 60 s.

Set-up: ``load_demo --staff 10000`` (the organisation and every module's demo) into the
runner's fresh database, ``collectstatic`` into a
temporary directory (WhiteNoise's manifest storage needs it), then ``gunicorn opsteam.wsgi -w 2``
on a free loopback port with production settings (``OPSTEAM_DEBUG=0``, a random secret key,
no ``OPSTEAM_TESTING``, persistent database connections). Locust (``bench/locustfile.py``,
the ``bench`` extra) runs headless on loopback: 50 users (hr, manager, director, operator in
turn) log in through the login form, then each requests one of its role's pages every second
(1 s think time). The measured window starts when every user has logged in and lasts 60 s.

Figures per page: p50, p95 and p99 response time, each against its target (list pages and
detail pages 300 ms, dashboards 800 ms), with the request and error counts alongside. Any
response other than 200 is an error. PostgreSQL only: SQLite is not a multi-process server
database, so the SQLite run reports nothing.

Everything the bench starts is bounded: locust stops itself after the window (hard limit
``-t``), gunicorn is terminated in ``finally``.
"""

from __future__ import annotations

import importlib.util
import io
import json
import math
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.load_pages import HR_MODULE_PAGES, MANAGER_MODULE_PAGES, MODULE_PAGES

ROOT = Path(__file__).resolve().parent.parent
STAFF = 10_000
USERS = 50
SPAWN_RATE = 10
WINDOW_SECONDS = 60
HARD_LIMIT_SECONDS = 150  # locust's -t: the window plus the login storm, with room to spare
WORKERS = 2
LIST_TARGET_MS = 300.0
DASHBOARD_TARGET_MS = 800.0
DASHBOARDS = {
    "home (dashboard)",
    "org chart",
    "RACI matrix",
    "RACI analysis",
    "who does what",
    "API units chart",
    "performance dashboard",
    "team learning",
    "team readiness",
    "workload",
    "training overview",
    "fairness review",
}
PAGE_ORDER = [
    "home (dashboard)",
    "org chart",
    "staff list",
    "staff search",
    "staff filter",
    "units list",
    "positions list",
    "job descriptions list",
    "job description detail",
    "RACI matrix",
    "RACI analysis",
    "who does what",
    "audit list",
    "API staff list",
    "API units chart",
    *MODULE_PAGES,
    *MANAGER_MODULE_PAGES,
    *HR_MODULE_PAGES,
]
# What the pages reference is collected; the rest of node_modules' dist folders (source maps of
# unused bundles, echarts' other builds, swagger-ui, Tabler's libs/, whose tom-select CSS names
# a missing .map and fails the manifest) would take minutes to compress and is never requested.
COLLECTSTATIC_IGNORE = [
    "libs",
    "img",
    "types",
    "*.esm*",
    "*.rtl*",
    "tabler-*",
    "tabler.css*",
    "tabler.js*",
    "echarts.common*",
    "echarts.simple*",
    "echarts.js*",
    "extension",
    "swagger-ui*",
    "index.*",
    "oauth2-redirect*",
    "absolute-path.js",
    "favicon-*",
    "*.md",
    "LICENSE",
    "NOTICE",
    "package.json",
    "*.d.ts",
    "admin",
    "rest_framework",
    "django_htmx",
    "ext",
    "htmx.amd.js",
    "htmx.cjs.js",
    "htmx.js",
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(static_root: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"OPSTEAM_TESTING", "OPSTEAM_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        OPSTEAM_DEBUG="0",
        OPSTEAM_SECRET_KEY=secrets.token_urlsafe(50),
        OPSTEAM_ALLOWED_HOSTS="127.0.0.1",
        OPSTEAM_DB_CONN_MAX_AGE="60",
        OPSTEAM_STATIC_ROOT=str(static_root),
        DATABASE_URL=os.environ["DATABASE_URL"],
        PYTHONPATH=str(ROOT),
    )
    return env


def _prepare_data(backend: str) -> None:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.core.management import call_command
    from django.db import connection

    from opsteam.accounts.models import User
    from opsteam.org.demo import DEMO_PASSWORD, LOGINS
    from opsteam.org.models import OrgUnit, Staff

    started = time.perf_counter()
    # Every module's demo on the large organisation: the pages below read all of them.
    call_command("load_demo", staff=STAFF, verbosity=0, stdout=io.StringIO())
    # The runner hashes with MD5 (OPSTEAM_TESTING); the server runs production settings, which
    # only accept PBKDF2, so the demo logins get their password hashed the production way.
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(username__in=[login.username for login in LOGINS]).update(
        password=hasher.encode(DEMO_PASSWORD, hasher.salt())
    )
    if backend == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()
    print(
        f"demo: {Staff.objects.count()} staff, {OrgUnit.objects.count()} units in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )


def _collectstatic(env: dict[str, str]) -> None:
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    for pattern in COLLECTSTATIC_IGNORE:
        command += ["--ignore", pattern]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=300)


def _wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            probe = base + "/healthz/"
            with urllib.request.urlopen(probe, timeout=2) as response:  # noqa: S310 - loopback URL we built
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz/ in time")


def _percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (the value below which ``fraction`` of the samples fall)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _cpu_seconds() -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by every process we may read, with its command line."""
    try:
        import psutil  # installed with locust
    except ImportError:
        return {}
    seen = {}
    for process in psutil.process_iter(["cmdline", "name", "cpu_times"]):
        times = process.info["cpu_times"]
        if times is not None:
            command = " ".join(process.info["cmdline"] or []) or process.info["name"] or ""
            seen[process.pid] = (command, times.user + times.system)
    return seen


def _foreign_cpu(before: dict, after: dict, own: set[int], seconds: float) -> float | None:
    """Share of one core used by other work: other processes and PostgreSQL backends serving
    other databases (a backend's title names its database; shared server processes such as
    the checkpointer count as ours)."""
    if not before or not after or seconds <= 0:
        return None
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
    used = 0.0
    for pid, (command, total) in after.items():
        if pid in own:
            continue
        if command.startswith("postgres"):
            backend = "(" in command or "[local]" in command  # a client connection
            if not backend or f" {database} " in command:
                continue
        used += total - before.get(pid, (command, 0.0))[1]
    return 100 * used / seconds


def _own_pids(*roots: int) -> set[int]:
    try:
        import psutil
    except ImportError:
        return set(roots)
    pids = {os.getpid(), *roots}
    for root in roots:
        try:
            pids |= {child.pid for child in psutil.Process(root).children(recursive=True)}
        except psutil.NoSuchProcess:
            continue
    return pids


def _run_locust(base: str, workdir: Path, server_pid: int) -> tuple[dict, list[dict]]:
    samples_path = workdir / "samples.jsonl"
    env = {**os.environ, "OPSTEAM_LOAD_SAMPLES": str(samples_path)}
    env["OPSTEAM_LOAD_SECONDS"] = str(WINDOW_SECONDS)
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "-u",
        str(USERS),
        "-r",
        str(SPAWN_RATE),
        "-t",
        f"{HARD_LIMIT_SECONDS}s",
        "--stop-timeout",
        "5",
        "--host",
        base,
        "--csv",
        str(workdir / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    before, started = _cpu_seconds(), time.monotonic()
    locust = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    own = _own_pids(server_pid, locust.pid)
    try:
        _stdout, stderr = locust.communicate(timeout=HARD_LIMIT_SECONDS + 60)
    except subprocess.TimeoutExpired:
        locust.kill()
        _stdout, stderr = locust.communicate()
    after, seconds = _cpu_seconds(), time.monotonic() - started
    if locust.returncode != 0 or not samples_path.exists():
        raise RuntimeError(f"locust failed ({locust.returncode}):\n{stderr[-3000:]}")
    lines = samples_path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["foreign_cpu"] = _foreign_cpu(before, after, own, seconds)
    failures = workdir / "locust_failures.csv"
    if failures.exists() and len(failures.read_text(encoding="utf-8").splitlines()) > 1:
        print("locust failures:\n" + failures.read_text(encoding="utf-8")[:3000], file=sys.stderr)
    return header, [json.loads(line) for line in lines[1:]]


def _figures(header: dict, samples: list[dict]) -> list[dict]:
    by_page: dict[str, list[dict]] = {}
    for sample in samples:
        by_page.setdefault(sample["name"], []).append(sample)
    start, end = header["window"]
    seconds = (end - start) if start and end else float(WINDOW_SECONDS)
    figures = []
    for name in [*PAGE_ORDER, "login"]:
        rows = by_page.get(name)
        if not rows:
            continue
        times = [row["ms"] for row in rows]
        errors = sum(1 for row in rows if not row["ok"])
        target = (
            None
            if name == "login"
            else (DASHBOARD_TARGET_MS if name in DASHBOARDS else LIST_TARGET_MS)
        )
        note = f"{len(rows)} requests, {errors} errors"
        if name == "login":
            note += "; during the login storm, PBKDF2; no target"
        for label, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
            figure = {
                "name": f"load 10k/{USERS}u: {name} {label}",
                "value": _percentile(times, fraction),
                "unit": "ms",
                "requests": len(rows),
                "errors": errors,
            }
            if target is not None:
                figure |= {"baseline": target, "baseline_name": f"target; {note}"}
            else:
                figure["baseline_name"] = note
            figures.append(figure)
    measured = [row for row in samples if row["name"] != "login"]
    figures.append(
        {
            "name": f"load 10k/{USERS}u: throughput",
            "value": len(measured) / seconds,
            "unit": "req/s",
            "requests": len(measured),
            "errors": sum(1 for row in measured if not row["ok"]),
            "baseline_name": (
                f"{len(measured)} requests in {seconds:.0f} s, "
                f"{sum(1 for row in measured if not row['ok'])} errors, "
                f"{header['users']} users logged in"
            ),
        }
    )
    if header.get("foreign_cpu") is not None:
        figures.append(
            {
                "name": f"load 10k/{USERS}u: CPU used by other work",
                "value": header["foreign_cpu"],
                "unit": "% of a core",
                "baseline_name": (
                    f"other processes and other databases' PostgreSQL backends, during the load; "
                    f"the machine has {os.cpu_count()} cores"
                ),
            }
        )
    return figures


def run(*, backend: str) -> list[dict]:
    if backend != "postgresql":
        print("bench_load: PostgreSQL only (gunicorn workers share the database)", file=sys.stderr)
        return []
    # Only look: importing locust here would monkey-patch this process with gevent.
    if importlib.util.find_spec("locust") is None:
        raise RuntimeError("locust is missing: install the bench extra (pip install -e '.[bench]')")

    _prepare_data(backend)
    workdir = Path(tempfile.mkdtemp(prefix="opsteam-bench-load-"))
    static_root = workdir / "static"
    static_root.mkdir()
    env = _server_env(static_root)
    started = time.perf_counter()
    _collectstatic(env)
    print(f"collectstatic: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "opsteam.wsgi",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(base, server)
        header, samples = _run_locust(base, workdir, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    figures = _figures(header, samples)
    shutil.rmtree(workdir, ignore_errors=True)
    return figures
