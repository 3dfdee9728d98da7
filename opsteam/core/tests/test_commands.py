"""``opsteam import`` and ``opsteam export`` (the import_data and export_data commands)."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from opsteam import cli
from opsteam.accounts.tests.factories import UserFactory
from opsteam.core.choices import AuditSource, ImportStatus
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.org.models import Staff
from opsteam.org.tests.factories import JobLevelFactory, PositionFactory, StaffFactory

HEADER = ["employee_no", "name", "hire_date", "unit_code", "position_code", "manager_employee_no"]


@pytest.fixture
def catalogue(org_tree):
    JobLevelFactory(code="P2")
    return PositionFactory(code="STORE-OP")


@pytest.fixture
def admin(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def write_csv(tmp_path, rows, name="staff.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def command(name, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


GOOD = [
    HEADER,
    ["C2", "李二", "2024-02-01", "T1", "STORE-OP", "C1"],
    ["C1", "王一", "2024-01-01", "T1", "STORE-OP", ""],
]


def test_import_command_imports_as_the_first_superuser_and_audits_as_cli(
    tmp_path, admin, catalogue
):
    out, err = command("import_data", "staff", str(write_csv(tmp_path, GOOD)))

    job = ImportJob.objects.get()
    assert (job.status, job.source, job.actor, job.rows_created) == (
        ImportStatus.COMMITTED,
        AuditSource.CLI,
        admin,
        2,
    )
    assert f"#{job.pk}" in out
    assert Staff.objects.get(employee_no="C2").manager.employee_no == "C1"
    entries = AuditEntry.objects.filter(import_job_id=job.pk)
    assert entries.count() == 2
    assert {(e.actor_id, e.object_type) for e in entries} == {(admin.pk, "org.staff")}
    assert "2/2" in err  # the progress bars


def test_import_command_acts_as_the_given_user(tmp_path, user_as, catalogue):
    hr = user_as("hr", username="hr-cli")

    command("import_data", "staff", str(write_csv(tmp_path, GOOD)), user="hr-cli")

    assert ImportJob.objects.get().actor == hr


def test_rejected_file_exits_non_zero_and_prints_every_problem(tmp_path, admin, catalogue):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            ["C1", "王一", "2024-02-30", "T1", "STORE-OP", ""],
            ["C2", "李二", "2024-01-01", "NOPE", "STORE-OP", "C404"],
        ],
    )
    err = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_data", "staff", str(path), stdout=io.StringIO(), stderr=err)

    assert "3" in str(failed.value)
    printed = err.getvalue()
    for value in ("2024-02-30", "NOPE", "C404"):
        assert value in printed
    assert not Staff.objects.filter(employee_no__in=["C1", "C2"]).exists()
    assert ImportJob.objects.get().status == ImportStatus.REJECTED


def test_console_script_exits_with_status_1_on_a_rejected_file(tmp_path, admin, catalogue, capsys):
    path = write_csv(tmp_path, [HEADER, ["C1", "王一", "2024-02-30", "T1", "STORE-OP", ""]])

    with pytest.raises(SystemExit) as exited:
        cli.main(["opsteam", "import", "staff", str(path)])

    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert "2024-02-30" in captured.err
    assert "CommandError" in captured.err


def test_dry_run_command_writes_nothing(tmp_path, admin, catalogue):
    out, _err = command("import_data", "staff", str(write_csv(tmp_path, GOOD)), dry_run=True)

    assert not Staff.objects.filter(employee_no__in=["C1", "C2"]).exists()
    assert ImportJob.objects.get().status == ImportStatus.PREVIEWED
    assert "C2" in out  # the preview


def test_import_command_without_any_superuser_says_what_to_do(tmp_path, catalogue):
    with pytest.raises(CommandError) as failed:
        command("import_data", "staff", str(write_csv(tmp_path, GOOD)))

    assert "--user" in str(failed.value)
    assert not ImportJob.objects.exists()


def test_import_command_refuses_a_user_the_policy_does_not_allow(tmp_path, user_as, catalogue):
    user_as("operator", username="op-cli")

    with pytest.raises(CommandError) as failed:
        command("import_data", "staff", str(write_csv(tmp_path, GOOD)), user="op-cli")

    assert "op-cli" in str(failed.value)
    assert not ImportJob.objects.exists()


def test_import_command_with_a_missing_file(tmp_path, admin):
    with pytest.raises(CommandError) as failed:
        command("import_data", "staff", str(tmp_path / "nope.csv"))

    assert "nope.csv" in str(failed.value)


@pytest.mark.parametrize("file_name", ["staff.xlsx", "staff.csv"])
def test_export_command_writes_escaped_formula_cells(tmp_path, admin, org_tree, file_name):
    formula = '=HYPERLINK("http://x","y")'
    StaffFactory(unit=org_tree.t1, employee_no="X1", name=formula, name_en=formula)
    StaffFactory(unit=org_tree.t3, employee_no="X2", name="@SUM(1)", name_en="@SUM(1)")
    path = tmp_path / file_name

    out, _err = command("export_data", "staff", str(path), language="en")

    if file_name.endswith(".xlsx"):
        sheet = load_workbook(path).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        header, *rows = [list(row) for row in sheet.values]
    else:
        header, *rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert header[:2] == ["Employee number", "Name"]
    names = {row[0]: row[1] for row in rows}
    assert names["X1"] == '\'=HYPERLINK("http://x","y")'
    assert names["X2"] == "'@SUM(1)"
    assert f"{len(rows)} rows" in out
    assert not list(tmp_path.glob(".*part"))


def test_export_command_exports_only_what_the_user_may(tmp_path, user_as, org_tree):
    user_as("manager", unit=org_tree.t1, username="boss-t1")
    mine = StaffFactory(unit=org_tree.t1)
    StaffFactory(unit=org_tree.t3)
    path = tmp_path / "staff.csv"

    command("export_data", "staff", str(path), user="boss-t1")

    exported = {
        row[0] for row in list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))[1:]
    }
    assert mine.employee_no in exported
    assert exported == set(
        Staff.objects.filter(unit=org_tree.t1).values_list("employee_no", flat=True)
    )


@pytest.mark.parametrize("kind", ["units", "positions", "audit"])
def test_export_command_exports_the_other_lists(tmp_path, admin, org_tree, catalogue, kind):
    StaffFactory(unit=org_tree.t1, position=catalogue)
    path = tmp_path / f"{kind}.xlsx"

    command("export_data", kind, str(path))

    rows = list(load_workbook(path).active.values)
    assert len(rows[0]) >= 5
    if kind == "units":
        assert {row[0] for row in rows[1:]} == {"CO", "D1", "D2", "T1", "T2", "T3"}
        headcount = {row[0]: row[-1] for row in rows[1:]}
        assert str(headcount["T1"]) == "1"
    if kind == "positions":
        assert "STORE-OP" in {row[0] for row in rows[1:]}


def test_export_command_refuses_an_operator(tmp_path, user_as, org_tree):
    user_as("operator", username="op-export")

    with pytest.raises(CommandError):
        command("export_data", "staff", str(tmp_path / "staff.xlsx"), user="op-export")

    assert not (tmp_path / "staff.xlsx").exists()


def test_export_command_needs_a_known_extension(tmp_path, admin):
    with pytest.raises(CommandError) as failed:
        command("export_data", "staff", str(tmp_path / "staff.pdf"))

    assert ".xlsx or .csv" in str(failed.value)
