"""An import killed with SIGKILL in its write phase leaves nothing behind.

Each test migrates a database of its own (a SQLite file; on a PostgreSQL run also a temporary
PostgreSQL database) in a subprocess, starts ``opsteam import staff`` on a 20,000-row file in
another, waits until that process reports a fifth of the rows written and the database shows
its transaction open, kills it, and then looks at the database from the outside: no staff, no
assignments, no audit entries, no committed import. A small import afterwards proves that the
database is not left locked or damaged.
"""

import csv
import os
import queue
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.slow

MANAGE = Path(settings.BASE_DIR) / "manage.py"
ROWS = 20_000

SETUP = """
from opsteam.accounts.models import User
from opsteam.org.models import JobLevel, OrgUnit, Position, RoleFamily

User.objects.create_superuser("kill-admin", "kill@example.com", "not-a-real-password-1")
family = RoleFamily.objects.create(code="ops", name="运营")
JobLevel.objects.create(code="P2", name="专员", track="professional", rank=2)
company = OrgUnit.objects.create(code="CO", name="公司", kind="company")
company.path = OrgUnit.path_segment(company.pk)
company.save()
team = OrgUnit.objects.create(code="T1", name="店铺运营组", kind="team", parent=company, depth=1)
team.path = company.path + OrgUnit.path_segment(team.pk)
team.save()
Position.objects.create(code="STORE-OP", name="店铺运营", family=family)
"""


def write_staff_csv(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["工号", "姓名", "入职日期", "部门/团队编码", "岗位编码", "职级", "直属上级工号"]
        )
        for n in range(rows):
            manager = f"K{(n - 1) // 10:06d}" if n else ""
            writer.writerow(
                [f"K{n:06d}", f"员工{n}", "2024-01-01", "T1", "STORE-OP", "P2", manager]
            )
    return path


def subprocess_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "OPSTEAM_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "opsteam.settings",
        "PYTHONUNBUFFERED": "1",
        "OPSTEAM_LANGUAGE_CODE": "en",  # the assertions read English messages
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def prepare_database(env: dict[str, str]) -> None:
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "shell", "-c", SETUP)


def kill_during_write(env: dict[str, str], csv_path: Path, writing: Callable[[], bool]) -> str:
    """Start the import, wait until it has written part of the rows in its (open) transaction,
    SIGKILL it; return its output."""
    process = subprocess.Popen(
        [sys.executable, str(MANAGE), "import_data", "staff", str(csv_path)],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout], daemon=True
    )
    reader.start()
    output: list[str] = []
    written = re.compile(rf"(\d+)/{ROWS}")  # "Writing rows: N/total" in any language
    try:
        # the command logs the rows written so far (its output is not a terminal)...
        deadline = time.monotonic() + 90
        while not any(
            (match := written.search(line)) and int(match[1]) >= ROWS // 5 for line in output
        ):
            assert process.poll() is None, "import ended before writing:\n" + "".join(output)
            assert time.monotonic() < deadline, "no write phase:\n" + "".join(output)
            with suppress(queue.Empty):
                output.append(lines.get(timeout=0.2))
        # ...and the database shows its write transaction still open
        assert writing(), "no open write transaction:\n" + "".join(output)
        assert process.poll() is None, "the import ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=10)
        process.stdout.close()
    while not lines.empty():
        output.append(lines.get())
    text = "".join(output)
    assert "Imported" not in text
    return text


REMAINS = {
    "staff": "SELECT count(*) FROM org_staff",
    "assignments": "SELECT count(*) FROM org_assignment",
    "audit": "SELECT count(*) FROM core_auditentry WHERE object_type = 'org.staff'",
    "committed imports": "SELECT count(*) FROM core_importjob WHERE status = 'committed'",
}
NOTHING_LEFT = dict.fromkeys(REMAINS, 0)


def import_small_file(env: dict[str, str], tmp_path: Path) -> None:
    small = write_staff_csv(tmp_path / "small.csv", 5)
    out = manage(env, "import_data", "staff", str(small))
    assert "5 created" in out, out


def test_sigkill_during_an_sqlite_import_leaves_nothing_behind(tmp_path):
    # given a migrated SQLite file and a large staff file
    db_path = tmp_path / "db.sqlite3"
    env = subprocess_env(f"sqlite:///{db_path}")
    prepare_database(env)
    big = write_staff_csv(tmp_path / "staff.csv", ROWS)

    def writing() -> bool:
        probe = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # "database is locked": the import holds the lock
            return True
        else:
            probe.execute("ROLLBACK")
            return False
        finally:
            probe.close()

    # when the import is killed in its write phase
    kill_during_write(env, big, writing)

    # then a fresh connection finds nothing of it, and the database works
    with closing(sqlite3.connect(db_path)) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert {name: check.execute(sql).fetchone()[0] for name, sql in REMAINS.items()} == (
            NOTHING_LEFT
        )
    import_small_file(env, tmp_path)


@contextmanager
def scratch_postgres_database() -> Iterator[tuple[str, Callable[..., object]]]:
    """Create an empty database next to the test database; drop it afterwards."""
    import psycopg

    params = connection.settings_dict
    name = f"opsteam_kill_{secrets.token_hex(4)}"
    conninfo = {
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
    }
    conninfo = {key: value for key, value in conninfo.items() if value}

    def connect(dbname: str = "postgres"):
        return psycopg.connect(dbname=dbname, autocommit=True, **conninfo)

    with connect() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = ""
    if conninfo.get("user"):
        auth = quote(conninfo["user"], safe="")
        if conninfo.get("password"):
            auth += ":" + quote(conninfo["password"], safe="")
        auth += "@"
    host = conninfo.get("host", "")
    port = f":{conninfo['port']}" if conninfo.get("port") else ""
    try:
        yield f"postgres://{auth}{host}{port}/{name}", lambda: connect(name)
    finally:
        with connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the suite runs on SQLite; PostgreSQL run only"
)
def test_sigkill_during_a_postgresql_import_leaves_nothing_behind(tmp_path):
    with scratch_postgres_database() as (database_url, connect):
        # given a migrated scratch database and a large staff file
        env = subprocess_env(database_url)
        prepare_database(env)
        big = write_staff_csv(tmp_path / "staff.csv", ROWS)
        dbname = database_url.rsplit("/", 1)[1]

        def writing() -> bool:
            with connect() as probe:
                row = probe.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = %s AND backend_xid IS NOT NULL",
                    [dbname],
                ).fetchone()
            return row[0] > 0

        # when the import is killed in its write phase
        kill_during_write(env, big, writing)

        # then a fresh connection finds nothing of it, and the database works
        with connect() as check:
            remains = {name: check.execute(sql).fetchone()[0] for name, sql in REMAINS.items()}
        assert remains == NOTHING_LEFT
        import_small_file(env, tmp_path)
