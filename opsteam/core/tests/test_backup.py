"""``opsteam backup`` / ``opsteam restore``: portable snapshots that restore into an empty
database with identical row counts and checksums per table, on SQLite and PostgreSQL.

Round trips restore into a separate, fresh database in a subprocess (a temporary SQLite file;
on PostgreSQL also a freshly created database), then back that database up again and compare.
"""

import csv
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from opsteam.core import backup
from opsteam.core.models import ImportJob
from opsteam.org.models import OrgUnit, Position, Staff
from opsteam.org.tests.factories import OrgUnitFactory, StaffFactory

BASE_DIR = Path(settings.BASE_DIR)
STAFF_HEADER = [
    "employee_no",
    "name",
    "hire_date",
    "unit_code",
    "position_code",
    "manager_employee_no",
]


# Helpers ------------------------------------------------------------------------------------------


def run(*args, database_url, manage=False):
    """Run ``opsteam`` (or ``manage.py``) against another database in a subprocess."""
    env = {**os.environ, "DATABASE_URL": database_url, "OPSTEAM_TESTING": "1"}
    env.pop("OPSTEAM_TEST_SQLITE", None)
    env["DJANGO_SETTINGS_MODULE"] = "opsteam.settings"
    entry = ["manage.py"] if manage else ["-m", "opsteam.cli"]
    return subprocess.run(
        [sys.executable, *entry, *map(str, args)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def manifest_of(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(backup.MANIFEST_NAME))


def digests(manifest):
    """Per table, in order: (table, rows, sha256)."""
    return [(t["table"], t["rows"], t["sha256"]) for t in manifest["tables"]]


def rewrite(source, target, changes):
    """Copy a backup, replacing members: ``changes`` maps a member name to bytes -> bytes."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename in changes:
                data = changes[info.filename](data)
            new.writestr(info, data)
    return target


def edit_manifest(source, target, edit):
    def change(data):
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return rewrite(source, target, {backup.MANIFEST_NAME: change})


def quiet(name, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue()


def empty_the_database():
    """Flush every table (conftest lets flush clear the append-only audit tables)."""
    call_command("flush", interactive=False, verbosity=0)
    assert backup.non_empty_tables(connection) == {}


def build_dataset(tmp_path):
    """The demo organisation, a committed and a rejected import, sessions whose keys sort
    differently by locale and by byte, and an encrypted value if a model has one."""
    call_command("load_demo", verbosity=0)
    unit = OrgUnit.objects.filter(members__isnull=False).order_by("pk").first()
    position = Position.objects.order_by("pk").first()
    manager = Staff.objects.order_by("pk").first()
    good = tmp_path / "staff.csv"
    with good.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [
                STAFF_HEADER,
                ["BK1", "备份一", "2024-02-01", unit.code, position.code, manager.employee_no],
                ["BK2", "备份二", "2024-03-01", unit.code, position.code, "BK1"],
            ]
        )
    quiet("import_data", "staff", good)
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(STAFF_HEADER) + "\nBK3,坏,2024-02-30,NOPE,X,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        quiet("import_data", "staff", bad)
    expires = timezone.now() + dt.timedelta(days=1)
    for key in ("Zsessionkey0000000000000000000001", "asessionkey0000000000000000000002"):
        Session.objects.create(session_key=key, session_data="e30:1", expire_date=expires)
    if name := encrypted_field():
        Staff.objects.filter(pk=manager.pk).update(**{name: "110101199003076578"})
    assert ImportJob.objects.count() >= 2


def encrypted_field():
    """The name of a staff field stored encrypted, if this version has one."""
    for field in Staff._meta.concrete_fields:
        if type(field).__name__ == "EncryptedCharField":
            return field.name
    return None


# Canonical encoding ------------------------------------------------------------------------------


def test_values_have_one_portable_encoding_that_decodes_back():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    cases = [
        (
            "datetime",
            dt.datetime(2024, 5, 6, 9, 30, tzinfo=shanghai),
            "2024-05-06T01:30:00.000000+00:00",
        ),
        ("date", dt.date(2024, 2, 29), "2024-02-29"),
        ("time", dt.time(8, 15), "08:15:00.000000"),
        ("decimal", decimal.Decimal("12.5"), "12.50"),
        ("binary", b"\x00\xffopsteam", "AP9vcHN0ZWFt"),
        ("uuid", uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        ("duration", dt.timedelta(seconds=1, microseconds=5), 1_000_005),
        ("float", float("inf"), "Infinity"),
        ("bool", True, True),
        ("text", "运营", "运营"),
        ("int", 7, 7),
        ("json", {"b": [1, None], "a": "x"}, {"b": [1, None], "a": "x"}),
    ]
    for kind, value, encoded in cases:
        assert backup.encode(kind, value, places=2) == encoded, kind
        decoded = backup.decode(kind, encoded)
        assert decoded == (decimal.Decimal("12.50") if kind == "decimal" else value), kind
        assert backup.encode(kind, None) is None
    line = backup.encode_line([1, {"b": 1, "a": "运营"}, None])
    assert line == '[1,{"a":"运营","b":1},null]\n'.encode()


def test_tables_are_ordered_by_dependency_with_cycles_kept_as_small_as_they_are():
    def spec(table, *targets):
        return backup.TableSpec(table, None, [], ["id"], [(f"{t}_id", t) for t in targets])

    specs = [
        spec("unit", "unit", "staff"),  # parent (self) and lead: a cycle with staff
        spec("staff", "unit", "staff", "level"),  # unit, manager (self), level
        spec("grant", "unit", "user"),  # depends on the cycle, is not part of it
        spec("level"),
        spec("user"),
    ]

    ordered = backup.dependency_order(specs)

    assert [s.table for s in ordered] == ["level", "user", "staff", "unit", "grant"]
    assert sorted(backup.forward_references(ordered)) == [
        "staff.staff_id -> staff",
        "staff.unit_id -> unit",
        "unit.unit_id -> unit",
    ]


def test_a_sqlite_snapshot_does_not_see_or_block_concurrent_writes(tmp_path, django_db_blocker):
    import sqlite3

    from django.db.utils import ConnectionHandler

    path = tmp_path / "live.sqlite3"
    options = {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options}}
    )
    live = handler["default"]

    def count():
        with live.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")
            return cursor.fetchone()[0]

    with django_db_blocker.unblock():
        with live.cursor() as cursor:
            cursor.execute("CREATE TABLE t (id integer primary key)")
            cursor.execute("INSERT INTO t VALUES (1)")
        with backup.read_snapshot(live):
            before = count()
            site = sqlite3.connect(path, timeout=0.5)  # the site writes meanwhile: not blocked
            site.execute("INSERT INTO t VALUES (2)")
            site.commit()
            site.close()
            during = count()
        after = count()
        live.close()

    assert (before, during, after) == (1, 1, 2)


def test_a_postgresql_backup_is_one_snapshot_while_the_site_writes(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite: test_a_sqlite_snapshot_...)")
    import psycopg

    params = connection.settings_dict
    wrote = []

    def write_meanwhile(stage, table, done, total):
        if not wrote:
            with psycopg.connect(
                dbname=params["NAME"],
                host=params["HOST"] or None,
                port=params["PORT"] or None,
                user=params["USER"] or None,
                password=params["PASSWORD"] or None,
                autocommit=True,
            ) as site:
                site.execute(
                    "INSERT INTO django_session VALUES ('concurrent', 'x', now() + interval '1 day')"
                )
            wrote.append(table)

    manifest = backup.create_backup(tmp_path / "backup.zip", progress=write_meanwhile)

    rows = {t["table"]: t["rows"] for t in manifest["tables"]}
    assert wrote
    assert rows["django_session"] == 0  # written after the snapshot began
    assert Session.objects.filter(session_key="concurrent").exists()


# The archive ---------------------------------------------------------------------------------------


def test_backup_writes_a_manifest_and_one_checksummed_file_per_table(tmp_path, org_tree):
    expires = timezone.now() + dt.timedelta(days=1)
    for key in ("bkey", "Akey", "Bkey", "akey"):
        Session.objects.create(session_key=key, session_data="x", expire_date=expires)
    ImportJob.objects.create(
        kind="staff", file_name="s.csv", status="rejected", errors=[{"row": 2, "b": 1, "a": 2}]
    )
    path = tmp_path / "backup.zip"

    out = quiet("backup", path)

    manifest = manifest_of(path)
    assert f"to {path}" in out
    assert manifest["format"] == backup.FORMAT
    assert manifest["format_version"] == 1
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["core"][0] == "0001_initial"
    order = [t["table"] for t in manifest["tables"]]
    for table in (
        "django_content_type",
        "auth_permission",
        "django_session",
        "django_admin_log",
        "accounts_user",
        "core_auditentry",
        "org_orgunit",
        "org_staff",
    ):
        assert table in order
    assert order[0] == "django_migrations"
    assert order.index("django_content_type") < order.index("auth_permission")
    assert order.index("org_rolefamily") < order.index("org_position")
    assert "org_orgunit.parent_id -> org_orgunit" in manifest["forward_references"]
    with zipfile.ZipFile(path) as archive:
        for entry in manifest["tables"]:
            data = archive.read(entry["file"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert data.count(b"\n") == entry["rows"]
        units = [json.loads(line) for line in archive.read("tables/org_orgunit.jsonl").splitlines()]
        sessions = archive.read("tables/django_session.jsonl").splitlines()
        jobs = archive.read("tables/core_importjob.jsonl").splitlines()
    assert [u[0] for u in units] == sorted(u[0] for u in units)  # by primary key
    created = units[0][[c["name"] for c in _columns(manifest, "org_orgunit")].index("created_at")]
    assert created.endswith("+00:00")
    # text keys in byte order on every database (PostgreSQL's locale order would differ)
    assert [json.loads(s)[0] for s in sessions] == ["Akey", "Bkey", "akey", "bkey"]
    assert b'[{"a":2,"b":1,"row":2}]' in jobs[0]  # a JSON column is JSON, keys sorted


def _columns(manifest, table):
    return next(t["columns"] for t in manifest["tables"] if t["table"] == table)


def test_encrypted_values_stay_encrypted_in_the_backup(tmp_path, org_tree):
    name = encrypted_field()
    if not name:
        pytest.skip("no encrypted staff field in this version")
    staff = StaffFactory(unit=org_tree.t1)
    Staff.objects.filter(pk=staff.pk).update(**{name: "110101199003076578"})
    path = tmp_path / "backup.zip"

    backup.create_backup(path)

    with zipfile.ZipFile(path) as archive:
        data = archive.read("tables/org_staff.jsonl")
    assert b"110101199003076578" not in data
    assert b"enc1:" in data


# Refusals ----------------------------------------------------------------------------------------


def test_restore_refuses_a_database_that_is_not_empty(tmp_path, org_tree):
    path = tmp_path / "backup.zip"
    backup.create_backup(path)

    with pytest.raises(CommandError) as refused:
        quiet("restore", path)

    assert "The database is not empty" in str(refused.value)
    assert "org_orgunit (6 rows)" in str(refused.value)
    assert OrgUnit.objects.count() == 6


def test_restore_refuses_a_backup_from_another_migration_state_naming_the_difference(
    tmp_path, org_tree
):
    path = tmp_path / "backup.zip"
    manifest = backup.create_backup(path)
    latest_org = manifest["migrations"]["org"][-1]

    def edit(data):
        data["migrations"]["core"].append("0999_from_the_future")
        data["migrations"]["org"].remove(latest_org)

    with pytest.raises(CommandError) as refused:
        quiet("restore", edit_manifest(path, tmp_path / "other.zip", edit))

    message = str(refused.value)
    assert "different migration state" in message
    assert "core: only in the backup: 0999_from_the_future" in message
    assert f"org: only in this database: {latest_org}" in message


def test_a_tampered_table_file_is_refused_before_anything_is_written(transactional_db, tmp_path):
    company = OrgUnitFactory(code="CO", name="公司", name_en="Company", kind="company")
    OrgUnitFactory(code="T1", name="店铺运营组", parent=company)
    path = tmp_path / "backup.zip"
    backup.create_backup(path)
    tampered = rewrite(
        path,
        tmp_path / "tampered.zip",
        {"tables/org_orgunit.jsonl": lambda data: data.replace(b"Company", b"Kompany")},
    )
    empty_the_database()
    content_types = apps.get_model("contenttypes", "ContentType").objects.count()

    with pytest.raises(CommandError) as refused:
        quiet("restore", tampered)

    assert "org_orgunit: checksum mismatch" in str(refused.value)
    assert "nothing was written" in str(refused.value)
    assert backup.non_empty_tables(connection) == {}
    assert apps.get_model("contenttypes", "ContentType").objects.count() == content_types

    # the intact backup restores into the same empty database, in this process too
    out = quiet("restore", path)
    assert "every row count and checksum matches" in out
    assert OrgUnit.objects.get(code="CO").name_en == "Company"
    assert OrgUnit.objects.get(code="T1").parent.code == "CO"


def test_a_reference_to_a_missing_row_rolls_the_whole_restore_back(transactional_db, tmp_path):
    company = OrgUnitFactory(code="CO", kind="company")
    OrgUnitFactory(code="T1", parent=company)
    path = tmp_path / "backup.zip"
    manifest = backup.create_backup(path)
    columns = [c["name"] for c in _columns(manifest, "org_orgunit")]
    parent = columns.index("parent_id")

    def dangle(data):
        rows = [json.loads(line) for line in data.splitlines()]
        for row in rows:
            if row[parent] is not None:
                row[parent] = 999_999
        return b"".join(backup.encode_line(row) for row in rows)

    changed = dangle(zipfile.ZipFile(path).read("tables/org_orgunit.jsonl"))

    def fix_checksum(data):
        for entry in data["tables"]:
            if entry["table"] == "org_orgunit":
                entry["sha256"] = hashlib.sha256(changed).hexdigest()

    broken = edit_manifest(
        rewrite(path, tmp_path / "dangling.zip", {"tables/org_orgunit.jsonl": dangle}),
        tmp_path / "broken.zip",
        fix_checksum,
    )
    empty_the_database()

    with pytest.raises(CommandError) as failed:
        quiet("restore", broken)

    assert "foreign key" in str(failed.value)
    assert backup.non_empty_tables(connection) == {}
    assert apps.get_model("contenttypes", "ContentType").objects.exists()  # rolled back


def test_migrate_option_only_migrates_forward(transactional_db, tmp_path):
    path = tmp_path / "backup.zip"
    manifest = backup.create_backup(path)
    latest_org = manifest["migrations"]["org"][-1]
    # an older backup lacks org's latest migration and every migration built on it
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None).graph
    newer, todo = set(), [graph.node_map[("org", latest_org)]]
    while todo:
        node = todo.pop()
        if node.key not in newer:
            newer.add(node.key)
            todo.extend(node.children)

    def drop_newer(data):
        for app_label, name in newer:
            if name in data["migrations"].get(app_label, []):
                data["migrations"][app_label].remove(name)

    older = edit_manifest(path, tmp_path / "older.zip", drop_newer)
    empty_the_database()

    with pytest.raises(CommandError) as refused:
        quiet("restore", older, migrate=True)

    assert "only migrates forward" in str(refused.value)
    assert f"org.{latest_org}" in str(refused.value)
    assert backup.migration_state(connection) == manifest["migrations"]  # nothing unapplied


def test_verify_compares_a_database_with_a_backup(tmp_path, org_tree):
    path = tmp_path / "backup.zip"
    backup.create_backup(path)

    assert "The database matches the backup" in quiet("restore", path, verify=True)

    OrgUnit.objects.filter(pk=org_tree.t1.pk).update(name="改名")
    with pytest.raises(CommandError) as differs:
        quiet("restore", path, verify=True)
    assert "org_orgunit: same row count, different content" in str(differs.value)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")

    with pytest.raises(CommandError) as refused:
        quiet("restore", path)

    assert "Not an OpsTeam backup" in str(refused.value)


# Round trips into fresh databases ----------------------------------------------------------------


@pytest.mark.slow
def test_backup_restores_into_a_fresh_sqlite_database_with_identical_tables(db, tmp_path):
    build_dataset(tmp_path)
    source = tmp_path / "source.zip"
    manifest = backup.create_backup(source)
    rows = {t["table"]: t["rows"] for t in manifest["tables"]}
    assert rows["org_staff"] >= 60
    assert rows["core_auditentry"] > 100
    assert rows["core_importjob"] >= 2
    assert rows["auth_permission"] > 0
    assert rows["django_session"] == 2
    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    unmigrated = run("restore", source, database_url=target)
    assert unmigrated.returncode == 1
    assert "The database has not been migrated" in unmigrated.stderr

    ok(run("migrate", "--noinput", "--skip-checks", "-v0", database_url=target, manage=True))
    restored = ok(run("restore", source, database_url=target))
    again = tmp_path / "again.zip"
    ok(run("backup", again, database_url=target))

    assert "every row count and checksum matches" in restored.stdout
    assert digests(manifest_of(again)) == digests(manifest)
    assert manifest_of(again)["database"]["vendor"] == "sqlite"
    refused = run("restore", source, database_url=target)
    assert refused.returncode == 1
    assert "The database is not empty" in refused.stderr


@pytest.mark.slow
def test_backups_cross_between_postgresql_and_sqlite_with_identical_tables(db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://...)")
    import psycopg
    from psycopg import sql

    build_dataset(tmp_path)
    source = tmp_path / "postgresql.zip"
    manifest = backup.create_backup(source)
    # PostgreSQL -> SQLite, then that SQLite database's own backup...
    sqlite_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    ok(run("restore", "--migrate", source, database_url=sqlite_url))
    from_sqlite = tmp_path / "sqlite.zip"
    ok(run("backup", from_sqlite, database_url=sqlite_url))
    assert digests(manifest_of(from_sqlite)) == digests(manifest)

    # ...SQLite -> a new PostgreSQL database
    params = connection.settings_dict
    name = f"opsteam_restore_{uuid.uuid4().hex[:12]}"
    server = {
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
    }
    admin = psycopg.connect(dbname="postgres", autocommit=True, **server)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        credentials = ""
        if server["user"]:
            credentials = server["user"] + (f":{server['password']}" if server["password"] else "")
            credentials += "@"
        location = f"{server['host'] or ''}{':' + str(server['port']) if server['port'] else ''}"
        postgres_url = f"postgres://{credentials}{location}/{name}"

        ok(run("restore", "--migrate", from_sqlite, database_url=postgres_url))
        verified = ok(run("restore", "--verify", source, database_url=postgres_url))

        assert "The database matches the backup" in verified.stdout
        with psycopg.connect(dbname=name, **server) as restored:
            for table in ("org_staff", "core_auditentry", "django_content_type"):
                top = restored.execute(
                    sql.SQL("SELECT max(id) FROM {}").format(sql.Identifier(table))
                ).fetchone()[0]
                following = restored.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table]
                ).fetchone()[0]
                assert following == top + 1, table  # sequences were reset
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
