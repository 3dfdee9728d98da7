"""KPI measurement import (kind "kpi"): what HR sees when they upload a period of values.

Runs on SQLite and, with DATABASE_URL, on PostgreSQL (COPY staging); the SIGKILL guarantee
of the engine's single transaction is covered generically in core/tests/test_import_kill.py.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from opsteam.core import audit
from opsteam.core.choices import AuditAction, AuditSource, ImportStatus
from opsteam.core.exceptions import ImportRejected, PolicyDenied
from opsteam.core.imports import REGISTRY, run_import
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.org.choices import StaffStatus
from opsteam.org.tests.factories import StaffFactory
from opsteam.performance import imports as imports_module
from opsteam.performance import selectors, services
from opsteam.performance.choices import KpiAggregation, MeasurementSource
from opsteam.performance.imports import MeasurementImport
from opsteam.performance.models import Measurement
from opsteam.performance.tests.factories import KpiFactory

HEADER = ["employee_no", "kpi_code", "date", "value", "denominator"]
GOOD = [
    HEADER,
    ["E1", "GMV", "2024-03-01", "120.5", ""],
    ["E1", "GMV", "2024/3/2", "99", ""],
    ["E2", "GMV", "2024年3月1日", "-3.25", ""],
    ["E2", "RATE", "20240301", "45", "50"],
]


@pytest.fixture
def world(org_tree):
    """Two people in post, one who left on 2024-02-15, one hired on 2024-03-10; a sum KPI,
    a ratio KPI and an inactive one."""
    unit = org_tree.t1
    return {
        "e1": StaffFactory(employee_no="E1", unit=unit, hire_date=dt.date(2023, 1, 1)),
        "e2": StaffFactory(employee_no="E2", unit=unit, hire_date=dt.date(2023, 1, 1)),
        "left": StaffFactory(
            employee_no="LEFT",
            unit=unit,
            hire_date=dt.date(2023, 1, 1),
            status=StaffStatus.LEFT,
            leave_date=dt.date(2024, 2, 15),
        ),
        "new": StaffFactory(employee_no="NEW", unit=unit, hire_date=dt.date(2024, 3, 10)),
        "gmv": KpiFactory(code="GMV", aggregation=KpiAggregation.SUM),
        "rate": KpiFactory(code="RATE", aggregation=KpiAggregation.RATIO),
        "old": KpiFactory(code="OLD", is_active=False),
    }


@pytest.fixture
def hr(user_as):
    return user_as("hr")


def write_file(tmp_path, rows, name="kpi.csv", encoding="utf-8"):
    path = tmp_path / name
    if name.endswith(".xlsx"):
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        workbook.save(path)
    else:
        with path.open("w", newline="", encoding=encoding) as handle:
            csv.writer(handle).writerows(rows)
    return path


def run(actor, path, **options):
    with path.open("rb") as handle:
        return run_import(
            actor=actor, spec_class=REGISTRY["kpi"], handle=handle, filename=path.name, **options
        )


def problems(actor, path, **options):
    """Run an import that must be rejected; return its problems as comparable tuples."""
    with translation.override("en"), pytest.raises(ImportRejected) as rejected:
        run(actor, path, **options)
    return {(e["row"], e["column"], e["value"], e["code"]) for e in rejected.value.errors}


def stored():
    return {
        (m.staff.employee_no, m.kpi.code, m.date.isoformat()): (m.value, m.denominator, m.source)
        for m in Measurement.objects.select_related("staff", "kpi")
    }


EXPECTED_GOOD = {
    ("E1", "GMV", "2024-03-01"): (Decimal("120.5"), None, MeasurementSource.IMPORT),
    ("E1", "GMV", "2024-03-02"): (Decimal("99"), None, MeasurementSource.IMPORT),
    ("E2", "GMV", "2024-03-01"): (Decimal("-3.25"), None, MeasurementSource.IMPORT),
    ("E2", "RATE", "2024-03-01"): (Decimal("45"), Decimal("50"), MeasurementSource.IMPORT),
}


def test_kind_is_registered_with_a_translatable_title():
    assert REGISTRY["kpi"] is MeasurementImport
    with translation.override("zh-hans"):
        # 绩效指标数据 once the catalogue has the entry (msgctxt "import kind")
        assert str(MeasurementImport.title) in {"绩效指标数据", "KPI measurements"}
    with translation.override("en"):
        assert str(MeasurementImport.title) == "KPI measurements"


def test_csv_file_creates_measurements_with_one_batch_audit_entry(tmp_path, hr, world):
    path = write_file(tmp_path, GOOD, name="march.csv")

    outcome = run(hr, path)

    assert stored() == EXPECTED_GOOD
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.skipped) == (4, 0, 0, 0)
    job = ImportJob.objects.get(pk=outcome.job.pk)
    assert (job.status, job.kind, job.actor, job.rows_total, job.rows_created) == (
        ImportStatus.COMMITTED,
        "kpi",
        hr,
        4,
        4,
    )
    batch = f"march-{job.file_sha256[:12]}"
    assert outcome.batch == batch
    assert set(Measurement.objects.values_list("batch", flat=True)) == {batch}
    assert batch in job.message
    # one entry for the batch, none per new value (the batch column traces them)
    (entry,) = AuditEntry.objects.filter(import_job_id=job.pk)
    assert (entry.action, entry.source, entry.object_type, entry.object_id) == (
        AuditAction.IMPORT,
        AuditSource.IMPORT,
        "core.importjob",
        str(job.pk),
    )
    assert entry.after["period"] == {"from": "2024-03-01", "to": "2024-03-02"}
    assert entry.after["kpis"] == ["GMV", "RATE"]
    assert (entry.after["created"], entry.after["updated"], entry.after["kept_manual"]) == (4, 0, 0)
    assert entry.after["batch"] == batch


def test_xlsx_with_chinese_headers_date_cells_and_excel_day_numbers(tmp_path, hr, world):
    rows = [
        ["工号*", "指标编码* (KPI code)", "日期", "数值", "分母"],
        ["E1", "GMV", dt.datetime(2024, 3, 1), 120.5, None],  # noqa: DTZ001 (a date cell)
        ["E1", "GMV", 45353, 99, None],  # 2024-03-02 as an Excel day number
        [None, None, None, None, None],  # blank rows are skipped
        ["E2", "GMV", "2024年3月1日", "-3.25", None],
        ["E2", "RATE", 20240301, 45, 50],
    ]
    path = write_file(tmp_path, rows, name="march.xlsx")

    outcome = run(hr, path)

    assert stored() == EXPECTED_GOOD
    assert outcome.created == 4
    assert outcome.preview[0] == {
        "row": 2,
        "employee_no": "E1",
        "kpi_code": "GMV",
        "date": "2024-03-01",
        "value": "120.5",
        "denominator": "",
    }


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_from_excel_on_chinese_windows(tmp_path, hr, world, encoding):
    rows = [["工号", "指标编码", "日期", "数值", "分母"], *GOOD[1:]]
    path = write_file(tmp_path, rows, encoding=encoding)

    assert run(hr, path).created == 4
    assert stored() == EXPECTED_GOOD


def test_every_problem_is_listed_at_once_and_nothing_is_written(tmp_path, hr, world):
    rows = [
        HEADER,
        ["E1", "GMV", "2024-03-01", "1", ""],  # fine
        ["", "GMV", "2024-03-01", "", ""],  # missing employee number and value
        ["E404", "NOPE", "2024-02-30", "abc", ""],  # unknown person and KPI, bad date, NaN
        ["E1", "OLD", "2024-03-01", "1e12", "0"],  # inactive KPI, too large, denominator 0
        ["E2", "RATE", "2024-03-01", "5", ""],  # ratio KPI without denominator
        ["E1", "GMV", "2024/3/1", "2", ""],  # duplicate of row 2 (same date, other format)
        ["LEFT", "GMV", "2024-03-01", "1", ""],  # after the person left
        ["NEW", "GMV", "2024-03-01", "1", ""],  # before the hire date
        ["E2", "GMV", "2024-03-05", "inf", "x"],  # not finite, denominator not a number
        ["E2", "GMV", "2024-03-06", "1\x07", ""],  # a control character
    ]
    path = write_file(tmp_path, rows)

    found = problems(hr, path)

    assert found == {
        (3, "Employee number", "", "required"),
        (3, "Value", "", "required"),
        (4, "Employee number", "E404", "unknown_reference"),
        (4, "KPI code", "NOPE", "unknown_reference"),
        (4, "Date", "2024-02-30", "invalid"),
        (4, "Value", "abc", "invalid"),
        (5, "KPI code", "OLD", "inactive"),
        (5, "Value", "1e12", "invalid"),
        (5, "Denominator", "0", "invalid"),
        (6, "Denominator", "", "required"),
        (7, "Employee number", "E1 / GMV / 2024/3/1", "duplicate"),
        (8, "Date", "2024-03-01", "not_employed"),
        (9, "Date", "2024-03-01", "not_employed"),
        (10, "Value", "inf", "invalid"),
        (10, "Denominator", "x", "invalid"),
        (11, "Value", "1\ufffd", "invalid"),
    }
    assert not Measurement.objects.exists()
    assert not AuditEntry.objects.exists()
    job = ImportJob.objects.get()
    assert (job.status, job.error_count, len(job.errors)) == (ImportStatus.REJECTED, 16, 16)


def test_problem_reasons_name_the_rule(tmp_path, hr, world):
    rows = [
        HEADER,
        ["E1", "GMV", "2024-03-01", "1", ""],
        ["E1", "GMV", "2024-03-01", "2", ""],
        ["LEFT", "GMV", "2024-03-01", "1", ""],
        ["NEW", "GMV", "2024-03-01", "1", ""],
    ]
    path = write_file(tmp_path, rows)

    with pytest.raises(ImportRejected) as rejected:
        run(hr, path)

    reasons = {e["row"]: e["reason"] for e in rejected.value.errors}
    assert reasons == {
        3: "the same person, KPI and date are already on row 2",
        4: "after this person left (2024-02-15)",
        5: "before this person's hire date (2024-03-10)",
    }
    assert "3 problem(s) found; nothing was written." in str(rejected.value)


def test_header_problems_are_listed_with_the_rows(tmp_path, hr, world):
    rows = [
        ["工号", "employee_no", "Date", "colour", "value"],
        ["E1", "E1", "2024-03-01", "red", "1"],
    ]
    path = write_file(tmp_path, rows)

    found = problems(hr, path)

    assert found == {
        (1, "employee_no", "employee_no", "duplicate_column"),
        (1, "colour", "colour", "unknown_column"),
        (1, "KPI code", "", "missing_column"),
    }
    assert not Measurement.objects.exists()


def test_row_numbers_are_the_ones_the_user_sees(tmp_path, hr, world):
    # blank lines above the header and between rows, a semicolon file, a cell with a line break
    text = (
        "\n;;\nemployee_no;kpi_code;date;value\nE1;GMV;2024-03-01;1\n\n"
        'E1;GMV;2024-03-02;"not\na number"\nE1;GMV;2024-13-01;2;extra\n'
    )
    path = tmp_path / "semicolons.csv"
    path.write_text(text, encoding="utf-8")

    found = problems(hr, path)

    # as in Excel and the row engine: a cell with a line break is still one row
    assert found == {
        (6, "Value", "not\na number", "invalid"),
        (7, "Date", "2024-13-01", "invalid"),
    }


def test_dry_run_checks_everything_and_writes_nothing(tmp_path, hr, world):
    path = write_file(tmp_path, GOOD)

    outcome = run(hr, path, dry_run=True)

    assert outcome.dry_run
    assert outcome.rows_total == 4
    assert [row["row"] for row in outcome.preview] == [2, 3, 4, 5]
    assert not Measurement.objects.exists()
    assert not AuditEntry.objects.exists()
    assert ImportJob.objects.get().status == ImportStatus.PREVIEWED


def test_resending_the_same_file_changes_nothing(tmp_path, hr, world):
    path = write_file(tmp_path, GOOD)
    first = run(hr, path)
    before = {
        m.pk: (m.value, m.denominator, m.batch, m.recorded_at) for m in Measurement.objects.all()
    }
    entries = AuditEntry.objects.count()

    again = run(hr, path)

    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 4, 0)
    after = {
        m.pk: (m.value, m.denominator, m.batch, m.recorded_at) for m in Measurement.objects.all()
    }
    assert after == before
    assert AuditEntry.objects.count() == entries
    assert again.batch == first.batch
    jobs = ImportJob.objects.order_by("pk")
    assert [(j.rows_created, j.rows_unchanged) for j in jobs] == [(4, 0), (0, 4)]


def test_reimport_replaces_imported_values_and_keeps_hand_entered_ones(tmp_path, hr, world):
    run(hr, write_file(tmp_path, GOOD, name="first.csv"))
    # a value entered by hand, on a key the next file also carries
    services.measurement_enter(
        actor=hr, staff=world["e1"], kpi=world["gmv"], date=dt.date(2024, 3, 2), value=Decimal("7")
    )
    second = [
        HEADER,
        ["E1", "GMV", "2024-03-01", "121", ""],  # replaced
        ["E1", "GMV", "2024-03-02", "100", ""],  # entered by hand: kept
        ["E2", "GMV", "2024-03-01", "-3.25", ""],  # unchanged
        ["E2", "RATE", "2024-03-01", "45", "60"],  # denominator changed: replaced
        ["E2", "GMV", "2024-03-03", "8", ""],  # new
    ]
    path = write_file(tmp_path, second, name="second.csv")

    outcome = run(hr, path, batch="2024-03 GMV v2")

    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.skipped) == (1, 2, 1, 1)
    assert "1 value entered by hand was kept, not overwritten." in outcome.message
    job = ImportJob.objects.get(pk=outcome.job.pk)
    assert job.message == outcome.message
    assert (job.rows_created, job.rows_updated, job.rows_unchanged) == (1, 2, 1)
    values = stored()
    assert values[("E1", "GMV", "2024-03-01")] == (Decimal("121"), None, "import")
    assert values[("E1", "GMV", "2024-03-02")] == (Decimal("7"), None, "manual")
    assert values[("E2", "RATE", "2024-03-01")] == (Decimal("45"), Decimal("60"), "import")
    assert values[("E2", "GMV", "2024-03-03")] == (Decimal("8"), None, "import")
    assert Measurement.objects.count() == 5
    assert set(
        Measurement.objects.filter(source="import", date="2024-03-01", value=121).values_list(
            "batch", flat=True
        )
    ) == {"2024-03 GMV v2"}
    # one update entry per replaced value, with exactly the shape ``audit.snapshot`` gives
    updates = AuditEntry.objects.filter(import_job_id=job.pk, action=AuditAction.UPDATE)
    assert updates.count() == 2
    for entry in updates:
        measurement = Measurement.objects.get(pk=entry.object_id)
        assert entry.after == audit.snapshot(measurement)
        assert entry.before["batch"] != "2024-03 GMV v2"
        assert "batch" in entry.changed_fields
        assert (entry.actor_id, entry.source) == (hr.pk, AuditSource.IMPORT)
    gmv = updates.get(object_id=str(Measurement.objects.get(value=121).pk))
    assert (gmv.before["value"], gmv.after["value"]) == ("120.500000", "121.000000")
    assert {"value", "batch", "recorded_at"} <= set(gmv.changed_fields)
    assert "denominator" not in gmv.changed_fields
    (batch_entry,) = AuditEntry.objects.filter(import_job_id=job.pk, action=AuditAction.IMPORT)
    assert batch_entry.after["kept_manual"] == 1
    assert batch_entry.after["period"] == {"from": "2024-03-01", "to": "2024-03-03"}
    assert not AuditEntry.objects.filter(import_job_id=job.pk, action=AuditAction.CREATE).exists()


def test_a_file_only_of_hand_entered_keys_changes_nothing_and_says_so(tmp_path, hr, world):
    services.measurement_enter(
        actor=hr, staff=world["e1"], kpi=world["gmv"], date=dt.date(2024, 3, 1), value=Decimal("7")
    )
    entries = AuditEntry.objects.count()
    path = write_file(tmp_path, [HEADER, ["E1", "GMV", "2024-03-01", "9", ""]])

    outcome = run(hr, path)

    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.skipped) == (0, 0, 0, 1)
    assert "1 value entered by hand was kept" in outcome.message
    assert Measurement.objects.get().value == Decimal("7")
    assert AuditEntry.objects.count() == entries


def test_values_are_stored_with_six_decimals_and_compared_as_stored(tmp_path, hr, world):
    path = write_file(tmp_path, [HEADER, ["E1", "GMV", "2024-03-01", "1.23456789", ""]])
    run(hr, path)
    assert Measurement.objects.get().value == Decimal("1.234568")

    again = run(hr, write_file(tmp_path, [HEADER, ["E1", "GMV", "2024-03-01", "1.2345680", ""]]))

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_import_into_a_locked_period_is_refused(tmp_path, hr, world, monkeypatch):
    calls = []

    def locked(kpi_ids, dates):
        calls.append((sorted(kpi_ids), sorted(dates)))
        return [
            selectors.LockedPeriod(
                start=dt.date(2024, 3, 1),
                end=dt.date(2024, 3, 1),
                reason="Q1 2024, data deadline 2024-04-05",
                kpi_ids=frozenset({world["gmv"].pk}),
            )
        ]

    monkeypatch.setattr(selectors, "period_locked", locked)
    path = write_file(tmp_path, GOOD)

    with translation.override("en"), pytest.raises(ImportRejected) as rejected:
        run(hr, path)

    errors = {(e["row"], e["column"], e["code"]) for e in rejected.value.errors}
    assert errors == {(2, "Date", "locked"), (4, "Date", "locked")}
    assert "Q1 2024, data deadline 2024-04-05" in rejected.value.errors[0]["reason"]
    assert calls == [
        (sorted([world["gmv"].pk, world["rate"].pk]), [dt.date(2024, 3, 1), dt.date(2024, 3, 2)])
    ]
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_nothing_is_locked_without_a_cycle_past_its_data_deadline():
    assert selectors.period_locked([1, 2], [dt.date(2024, 3, 1)]) == []


def test_an_overlong_batch_name_is_refused(tmp_path, hr, world):
    path = write_file(tmp_path, GOOD)

    with pytest.raises(ImportRejected) as rejected:
        run(hr, path, batch="x" * 121)

    assert rejected.value.errors[0]["value"] == "x" * 121
    assert not Measurement.objects.exists()


def test_a_concurrent_write_of_the_same_keys_rejects_the_import(tmp_path, hr, world, monkeypatch):
    # the upsert touched another number of rows than were counted: another transaction wrote
    # the same keys in between; nothing of this import may stay
    # (an existing value for the file's KPI and period sends the import down the upsert path)
    services.measurement_enter(
        actor=hr, staff=world["e2"], kpi=world["gmv"], date=dt.date(2024, 3, 2), value=Decimal(1)
    )
    audit_before = AuditEntry.objects.count()
    monkeypatch.setattr(MeasurementImport, "_upsert", lambda *args: 3)
    path = write_file(tmp_path, GOOD)

    with pytest.raises(ImportRejected) as rejected:
        run(hr, path)

    assert rejected.value.errors[-1]["code"] == "conflict"
    assert Measurement.objects.count() == 1
    assert AuditEntry.objects.count() == audit_before
    assert ImportJob.objects.get().status == ImportStatus.REJECTED


def test_a_concurrent_insert_into_an_empty_period_rejects_the_import(
    tmp_path, hr, world, monkeypatch
):
    # nothing existed when the import looked, so it loads the rows straight into the table;
    # a value someone wrote for one of its keys in that moment makes the whole import fail
    # with "import again", never a half import or an overwritten value
    overlaps = MeasurementImport._overlaps

    def racing(self, cursor, rows):
        found = overlaps(self, cursor, rows)
        Measurement.objects.create(
            staff=world["e2"],
            kpi=world["rate"],
            date=dt.date(2024, 3, 1),
            value=1,
            denominator=2,
            source=MeasurementSource.MANUAL,
        )
        return found

    monkeypatch.setattr(MeasurementImport, "_overlaps", racing)

    with pytest.raises(ImportRejected) as rejected:
        run(hr, write_file(tmp_path, GOOD))

    assert rejected.value.errors[-1]["code"] == "conflict"
    assert not Measurement.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()
    assert ImportJob.objects.get().status == ImportStatus.REJECTED


@pytest.mark.parametrize("role", ["operator", "manager", "auditor"])
def test_only_hr_and_admins_may_import(tmp_path, user_as, world, role):
    path = write_file(tmp_path, GOOD)

    with pytest.raises(PolicyDenied):
        run(user_as(role), path)

    assert not Measurement.objects.exists()
    assert not ImportJob.objects.exists()


def test_admin_may_import(tmp_path, user_as, world):
    assert run(user_as("admin"), write_file(tmp_path, GOOD)).created == 4


def upload(rows, name="kpi.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    handle = io.BytesIO(buffer.getvalue().encode("utf-8"))
    handle.name = name
    return handle


API_URL = reverse("import-job-run", args=["kpi"])


def test_api_imports_measurements(api_client_as, world):
    api = api_client_as("hr")

    response = api.post(API_URL, {"file": upload(GOOD)}, format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (4, 0, 0)
    assert body["job"]["kind"] == "kpi"
    assert body["job"]["source"] == AuditSource.API
    assert "Batch kpi-" in body["job"]["message"]
    assert stored() == EXPECTED_GOOD


def test_api_lists_every_problem(api_client_as, world):
    api = api_client_as("hr")
    rows = [HEADER, ["E404", "GMV", "2024-03-01", "x", ""]]

    response = api.post(
        API_URL, {"file": upload(rows)}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    found = {(e["row"], e["attr"], e["value"], e["code"]) for e in response.json()["errors"]}
    assert found == {
        (2, "Employee number", "E404", "unknown_reference"),
        (2, "Value", "x", "invalid"),
    }
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("role", ["operator", "manager"])
def test_api_refuses_other_roles(api_client_as, world, role):
    api = api_client_as(role)

    response = api.post(API_URL, {"file": upload(GOOD)}, format="multipart")

    assert response.status_code == 403
    assert not Measurement.objects.exists()
    assert not ImportJob.objects.exists()


def test_upload_page_imports_measurements(client_as, world):
    client = client_as("hr")
    url = reverse("core:import_upload", args=["kpi"])

    assert client.get(url).status_code == 200
    response = client.post(url, {"file": upload(GOOD), "dry_run": ""})

    assert response.status_code == 302
    assert stored() == EXPECTED_GOOD


def test_command_line_import(tmp_path, hr, world):
    path = write_file(tmp_path, GOOD)
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_data",
        "kpi",
        str(path),
        "--user",
        hr.username,
        "--batch",
        "2024-03",
        stdout=out,
        stderr=err,
    )

    assert "4 created" in out.getvalue()
    assert stored() == EXPECTED_GOOD
    assert ImportJob.objects.get().source == AuditSource.CLI
    assert set(Measurement.objects.values_list("batch", flat=True)) == {"2024-03"}


def test_command_line_lists_problems(tmp_path, hr, world):
    path = write_file(tmp_path, [HEADER, ["E1", "GMV", "2024-02-30", "1", ""]])
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_data", "kpi", str(path), "--user", hr.username, stdout=io.StringIO(), stderr=err
        )

    assert "2024-02-30" in err.getvalue()
    assert not Measurement.objects.exists()


def _replication_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's per-row FK triggers")
@pytest.mark.parametrize("batched", [True, False])
def test_foreign_keys_are_checked_in_bulk_and_triggers_switched_back_on(
    tmp_path, hr, world, monkeypatch, batched
):
    # whether the role may batch the checks or not, the rows land and every trigger is on
    # again afterwards (a later write in the same transaction is checked as usual)
    monkeypatch.setattr(imports_module, "BATCH_ROW_TRIGGERS", batched)

    assert run(hr, write_file(tmp_path, GOOD)).created == 4  # all new: loaded directly
    corrected = [HEADER, ["E1", "GMV", "2024-03-01", "7", ""], ["E1", "GMV", "2024-03-03", "1", ""]]
    outcome = run(hr, write_file(tmp_path, corrected, name="corrected.csv"))  # the upsert

    assert (outcome.created, outcome.updated) == (1, 1)
    assert stored()[("E1", "GMV", "2024-03-01")][0] == Decimal(7)
    assert stored()[("E1", "GMV", "2024-03-03")][0] == Decimal(1)
    assert _replication_role() == "origin"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's per-row FK triggers")
def test_a_person_deleted_after_the_check_rejects_the_import(tmp_path, hr, world, monkeypatch):
    # the file was checked against a person HR deletes before the rows are written: the import
    # must not leave values pointing at nobody
    validate = MeasurementImport.validate

    def then_delete(self, frame):
        errors = validate(self, frame)
        Measurement.objects.filter(staff=world["e2"]).delete()
        world["e2"].delete()
        return errors

    monkeypatch.setattr(MeasurementImport, "validate", then_delete)

    with pytest.raises(ImportRejected) as rejected:
        run(hr, write_file(tmp_path, GOOD))

    assert rejected.value.errors[-1]["code"] == "conflict"
    assert not Measurement.objects.exists()
    assert _replication_role() == "origin"
