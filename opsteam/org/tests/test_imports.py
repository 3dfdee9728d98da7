"""Staff, unit and position imports: what an HR partner sees when they upload a file."""

import csv
import datetime as dt

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook

from opsteam.core import policy
from opsteam.core.choices import AuditAction, AuditSource, ImportStatus
from opsteam.core.exceptions import ImportRejected
from opsteam.core.imports import REGISTRY, run_import
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.org.models import Assignment, OrgUnit, Position, Staff
from opsteam.org.tests.factories import (
    JobLevelFactory,
    OrgUnitFactory,
    PositionFactory,
    RoleFamilyFactory,
    StaffFactory,
)

HEADER = [
    "employee_no",
    "name",
    "hire_date",
    "unit_code",
    "position_code",
    "level_code",
    "manager_employee_no",
    "email",
]


def write_file(tmp_path, rows, name="staff.csv", encoding="utf-8"):
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


def run(actor, kind, path, **options):
    with path.open("rb") as handle:
        return run_import(
            actor=actor, spec_class=REGISTRY[kind], handle=handle, filename=path.name, **options
        )


def problems(actor, kind, path):
    """Run an import that must be rejected; return its problems (English labels)."""
    with translation.override("en"), pytest.raises(ImportRejected) as rejected:
        run(actor, kind, path)
    return rejected.value.errors


@pytest.fixture
def catalogue(org_tree):
    family = RoleFamilyFactory(code="store_ops")
    return {
        "store": PositionFactory(code="STORE-OP", family=family),
        "content": PositionFactory(code="CONTENT-OP", family=family),
        "p1": JobLevelFactory(code="P1", rank=1),
        "p2": JobLevelFactory(code="P2", rank=2),
        "m1": JobLevelFactory(code="M1", track="management", rank=1),
    }


@pytest.fixture
def hr(user_as):
    return user_as("hr")


def import_entries(job):
    return AuditEntry.objects.filter(import_job_id=job.pk)


@pytest.mark.parametrize("file_name", ["staff.xlsx", "staff.csv"])
def test_staff_file_creates_people_with_history_managers_and_audit(
    tmp_path, hr, catalogue, org_tree, file_name
):
    # given a file where a report comes before their manager
    path = write_file(
        tmp_path,
        [
            HEADER,
            ["E2", "李二", "2024-02-01", "T1", "STORE-OP", "P1", "E1", "li2@example.com"],
            ["E1", "王一", "2024-01-01", "T1", "STORE-OP", "P2", "", "wang1@example.com"],
            ["E3", "张三", "2024/3/1", "T2", "CONTENT-OP", "", "E2", ""],
        ],
        name=file_name,
    )

    # when
    outcome = run(hr, "staff", path)

    # then
    people = {s.employee_no: s for s in Staff.objects.filter(employee_no__in=["E1", "E2", "E3"])}
    assert people["E2"].manager == people["E1"]
    assert people["E3"].manager == people["E2"]
    assert people["E1"].manager is None
    assert people["E3"].hire_date == dt.date(2024, 3, 1)
    for person in people.values():
        (assignment,) = Assignment.objects.filter(staff=person)
        assert assignment.start_date == person.hire_date
        assert assignment.end_date is None
        assert assignment.reason == "hire"
        assert (assignment.unit_id, assignment.position_id, assignment.manager_id) == (
            person.unit_id,
            person.position_id,
            person.manager_id,
        )
    entries = import_entries(outcome.job)
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(
        str(p.pk) for p in people.values()
    )
    assert {(e.action, e.source, e.actor_id) for e in entries} == {
        (AuditAction.CREATE, AuditSource.IMPORT, hr.pk)
    }
    job = ImportJob.objects.get(pk=outcome.job.pk)
    assert job.status == ImportStatus.COMMITTED
    assert (job.rows_total, job.rows_created, job.rows_updated, job.rows_unchanged) == (3, 3, 0, 0)
    assert (job.error_count, job.actor_id, job.kind) == (0, hr.pk, "staff")


def test_every_problem_is_listed_with_row_column_value_and_nothing_is_written(
    tmp_path, hr, catalogue
):
    # given a file without the required name column, with an unknown column, and every kind
    # of row problem
    header = [
        "employee_no",
        "hire_date",
        "unit_code",
        "position_code",
        "level_code",
        "manager_employee_no",
        "email",
        "status",
        "leave_date",
        "微信",
    ]
    ok = ["2024-01-01", "T1", "STORE-OP", "P2"]
    path = write_file(
        tmp_path,
        [
            header,
            ["E01", "2024-01-01", "NOPE", "STORE-OP", "P2", "", "", "", "", ""],  # row 2
            ["E02", "2024-01-01", "T1", "NO-POS", "P2", "", "", "", "", ""],
            ["E03", *ok[:3], "P9", "", "", "", "", ""],
            ["E04", *ok, "", "", "", "", ""],  # row 5
            ["E04", *ok, "", "", "", "", ""],
            ["A1", *ok, "B1", "", "", "", ""],
            ["B1", *ok, "A1", "", "", "", ""],
            ["E05", *ok, "E05", "", "", "", ""],
            ["E06", *ok, "E404", "", "", "", ""],  # row 10
            ["E07", "2024-02-30", *ok[1:], "", "", "", "", ""],
            ["E08", *ok, "", "not-an-email", "", "", ""],
            ["E09", "2024-01-01", "", "STORE-OP", "P2", "", "", "", "", ""],
            ["E10", *ok, "", "", "", "2023-12-31", ""],
            ["E11", *ok, "", "", "left", "", ""],  # row 15
        ],
    )
    staff_before = Staff.objects.count()
    audit_before = AuditEntry.objects.count()

    # when
    errors = problems(hr, "staff", path)

    # then every problem is there, each with its row, column, value and reason
    found = {(e["row"], e["column"], e["value"], e["code"]): e["reason"] for e in errors}
    expected = {
        (1, "微信", "微信", "unknown_column"): "unknown column",
        (1, "Name", "", "missing_column"): "required column is missing",
        (2, "Unit code", "NOPE", "unknown_reference"): "unknown department or team",
        (3, "Position code", "NO-POS", "unknown_reference"): "unknown position",
        (4, "Level", "P9", "unknown_reference"): "unknown level",
        (6, "Employee number", "E04", "duplicate"): "duplicate employee number",
        (7, "Manager employee number", "B1", "cycle"): "loops back",
        (8, "Manager employee number", "A1", "cycle"): "loops back",
        (9, "Manager employee number", "E05", "cycle"): "own manager",
        (10, "Manager employee number", "E404", "unknown_reference"): "unknown manager",
        (11, "Hire date", "2024-02-30", "invalid"): "not a date",
        (12, "Email", "not-an-email", "invalid"): "not a valid email",
        (13, "Unit code", "", "required"): "required value is missing",
        (14, "Leave date", "2023-12-31", "invalid"): "before the hire date",
        (15, "Leave date", "", "required"): "needs a leave date",
    }
    for key, reason in expected.items():
        assert key in found, f"{key} not reported; got {sorted(found)}"
        assert reason in found[key]
    assert len(errors) == len(expected), sorted(found)
    # and nothing was written but the rejected import's record
    assert Staff.objects.count() == staff_before
    assert AuditEntry.objects.count() == audit_before
    job = ImportJob.objects.get()
    assert (job.status, job.error_count, job.rows_total) == (ImportStatus.REJECTED, 15, 14)
    assert len(job.errors) == 15


def test_a_row_with_a_bad_cell_is_still_checked_against_the_rest_of_the_file(
    tmp_path, hr, catalogue
):
    path = write_file(
        tmp_path,
        [
            HEADER,
            ["E1", "王一", "2024-01-01", "NOPE", "STORE-OP", "P2", "", "bad-email"],
            ["E1", "王二", "2024-01-01", "T1", "STORE-OP", "P2", "", ""],
        ],
    )

    errors = problems(hr, "staff", path)

    assert {(e["row"], e["code"]) for e in errors} == {
        (2, "invalid"),
        (2, "unknown_reference"),
        (3, "duplicate"),
    }


def test_dry_run_writes_nothing_but_returns_a_preview(tmp_path, hr, catalogue):
    path = write_file(
        tmp_path,
        [HEADER, ["E1", "王一", "2024-01-01", "T1", "STORE-OP", "P2", "", "w@example.com"]],
    )
    staff_before = Staff.objects.count()

    outcome = run(hr, "staff", path, dry_run=True)

    assert outcome.dry_run
    assert outcome.ok
    assert outcome.rows_total == 1
    assert outcome.preview[0]["row"] == 2
    assert outcome.preview[0]["employee_no"] == "E1"
    assert outcome.preview[0]["email"] == "w@example.com"
    assert Staff.objects.count() == staff_before
    assert not Assignment.objects.filter(staff__employee_no="E1").exists()
    assert not AuditEntry.objects.exists()
    assert ImportJob.objects.get().status == ImportStatus.PREVIEWED


def test_importing_the_same_file_again_changes_nothing(tmp_path, hr, catalogue):
    path = write_file(
        tmp_path,
        [
            HEADER,
            ["E2", "李二", "2024-02-01", "T1", "STORE-OP", "P1", "E1", "li2@example.com"],
            ["E1", "王一", "2024-01-01", "T1", "STORE-OP", "P2", "", "wang1@example.com"],
        ],
        name="staff.xlsx",
    )
    run(hr, "staff", path)
    audit_before = AuditEntry.objects.count()
    assignments_before = Assignment.objects.count()

    again = run(hr, "staff", path)

    assert (again.rows_total, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert again.job.rows_unchanged == 2
    assert AuditEntry.objects.count() == audit_before
    assert Assignment.objects.count() == assignments_before


def test_changed_position_opens_a_new_assignment_from_the_effective_date(tmp_path, hr, catalogue):
    # given a person imported with their first position
    first = write_file(
        tmp_path, [HEADER, ["E1", "王一", "2024-01-01", "T1", "STORE-OP", "P2", "", ""]]
    )
    run(hr, "staff", first)
    person = Staff.objects.get(employee_no="E1")

    # when a later file moves them to another position from 1 June
    moved = write_file(
        tmp_path,
        [
            [*HEADER, "effective_date"],
            ["E1", "王一", "2024-01-01", "T1", "CONTENT-OP", "P2", "", "", "2024-06-01"],
        ],
        name="moved.csv",
    )
    outcome = run(hr, "staff", moved)

    # then the old assignment ends the day before and the new one starts on the date
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 0)
    person.refresh_from_db()
    assert person.position == catalogue["content"]
    old, new = Assignment.objects.filter(staff=person).order_by("start_date")
    assert (old.start_date, old.end_date, old.position) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 5, 31),
        catalogue["store"],
    )
    assert (new.start_date, new.end_date, new.position, new.reason) == (
        dt.date(2024, 6, 1),
        None,
        catalogue["content"],
        "import",
    )
    entry = import_entries(outcome.job).get()
    assert entry.action == AuditAction.UPDATE
    assert entry.changed_fields == ["position"]
    assert entry.before["position"] == catalogue["store"].pk
    assert "2024-06-01" in entry.note


def test_manager_change_takes_effect_on_the_rows_effective_date(tmp_path, hr, catalogue):
    run(
        hr,
        "staff",
        write_file(
            tmp_path,
            [
                HEADER,
                ["M1", "经理一", "2023-01-01", "T1", "STORE-OP", "P2", "", ""],
                ["M2", "经理二", "2023-01-01", "T1", "STORE-OP", "P2", "", ""],
                ["E1", "王一", "2024-01-01", "T1", "STORE-OP", "P2", "M1", ""],
            ],
        ),
    )

    run(
        hr,
        "staff",
        write_file(
            tmp_path,
            [
                [*HEADER[:5], "manager_employee_no", "effective_date"],
                ["E1", "王一", "2024-01-01", "T1", "STORE-OP", "M2", "2024-07-01"],
            ],
            name="new-manager.csv",
        ),
    )

    history = Assignment.objects.filter(staff__employee_no="E1").order_by("start_date")
    assert [(a.start_date, a.end_date, a.manager.employee_no) for a in history] == [
        (dt.date(2024, 1, 1), dt.date(2024, 6, 30), "M1"),
        (dt.date(2024, 7, 1), None, "M2"),
    ]


def test_a_change_cannot_take_effect_before_the_current_assignment_began(tmp_path, hr, catalogue):
    # given someone hired in January who moved to T2 on 1 June
    header = [*HEADER[:5], "effective_date"]
    run(
        hr,
        "staff",
        write_file(tmp_path, [header, ["E1", "王一", "2024-01-01", "T1", "STORE-OP", ""]]),
    )
    run(
        hr,
        "staff",
        write_file(
            tmp_path,
            [header, ["E1", "王一", "2024-01-01", "T2", "STORE-OP", "2024-06-01"]],
            name="june.csv",
        ),
    )

    # when a file moves them again from a date before 1 June
    errors = problems(
        hr,
        "staff",
        write_file(
            tmp_path,
            [header, ["E1", "王一", "2024-01-01", "T3", "STORE-OP", "2024-03-01"]],
            name="backdated.csv",
        ),
    )

    # then the row is refused: history is not rewritten by an import
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (2, "Effective date", "2024-03-01")
    ]
    assert "2024-06-01" in errors[0]["reason"]
    assert Staff.objects.get(employee_no="E1").unit.code == "T2"
    assert Assignment.objects.filter(staff__employee_no="E1").count() == 2


def test_a_future_hire_can_be_corrected_before_they_start(tmp_path, hr, catalogue):
    # given someone imported before their first day
    start = timezone.localdate() + dt.timedelta(days=30)
    row = ["F1", "未来", start.isoformat(), "T1", "STORE-OP", "", "", ""]
    run(hr, "staff", write_file(tmp_path, [HEADER, row]))

    # when their position is corrected (no effective date given)
    row[4] = "CONTENT-OP"
    run(hr, "staff", write_file(tmp_path, [HEADER, row], name="fixed.csv"))

    # then the one assignment from their start date holds the new position
    (assignment,) = Assignment.objects.filter(staff__employee_no="F1")
    assert (assignment.start_date, assignment.position) == (start, catalogue["content"])


def test_a_conflict_while_writing_rolls_everything_back_and_says_so(
    tmp_path, hr, catalogue, monkeypatch
):
    from django.db import IntegrityError

    spec = REGISTRY["staff"]
    original_write = spec.write

    def write_then_conflict(self, rows, progress):
        original_write(self, rows, progress)  # every row written, then the commit fails
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(spec, "write", write_then_conflict)
    path = write_file(
        tmp_path, [HEADER, ["E1", "王一", "2024-01-01", "T1", "STORE-OP", "", "", ""]]
    )

    with pytest.raises(ImportRejected) as rejected:
        run(hr, "staff", path)

    assert rejected.value.errors[0]["code"] == "conflict"
    assert not Staff.objects.filter(employee_no="E1").exists()
    assert not AuditEntry.objects.exists()
    job = ImportJob.objects.get()
    assert (job.status, job.rows_created) == (ImportStatus.REJECTED, 0)
    assert "nothing was written" in job.message


def test_columns_missing_from_the_file_leave_existing_values_alone(tmp_path, hr, catalogue):
    # given people imported with every column
    run(
        hr,
        "staff",
        write_file(
            tmp_path,
            [
                [*HEADER, "phone"],
                ["M1", "经理", "2023-01-01", "T1", "STORE-OP", "P2", "", "m@example.com", "139"],
                ["E1", "王一", "2024-01-01", "T1", "STORE-OP", "P1", "M1", "e@example.com", "138"],
            ],
        ),
    )

    # when a file with only the required columns renames one of them
    outcome = run(
        hr,
        "staff",
        write_file(
            tmp_path,
            [HEADER[:5], ["E1", "王小一", "2024-01-01", "T1", "STORE-OP"]],
            name="names.csv",
        ),
    )

    # then only the name changed: email, phone, level and manager are kept
    assert (outcome.updated, outcome.unchanged) == (1, 0)
    person = Staff.objects.get(employee_no="E1")
    assert (person.name, person.email, person.phone, person.level.code) == (
        "王小一",
        "e@example.com",
        "138",
        "P1",
    )
    assert person.manager.employee_no == "M1"
    assert import_entries(outcome.job).get().changed_fields == ["name"]
    assert Assignment.objects.filter(staff=person).count() == 1


def test_a_person_marked_as_left_has_their_assignment_closed_and_login_ended(
    tmp_path, user_as, catalogue, org_tree
):
    hr = user_as("hr")
    leaver = user_as("operator")
    person = leaver.staff
    path = write_file(
        tmp_path,
        [
            [*HEADER[:5], "status", "leave_date"],
            [
                person.employee_no,
                person.name,
                person.hire_date.isoformat(),
                "T1",
                person.position.code,
                "Left",  # a status label is accepted as well as the value
                "2024-08-31",
            ],
        ],
    )

    run(hr, "staff", path)

    person.refresh_from_db()
    leaver.refresh_from_db()
    assert (person.status, person.leave_date) == ("left", dt.date(2024, 8, 31))
    assert Assignment.objects.get(staff=person).end_date == dt.date(2024, 8, 31)
    assert not leaver.is_active


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("E" * 41, "too long"),
        ("E1\x07", "control characters"),
    ],
)
def test_values_the_database_would_refuse_are_reported_not_crashed_on(
    tmp_path, hr, catalogue, cell, reason
):
    path = write_file(
        tmp_path, [HEADER, [cell, "王一", "2024-01-01", "T1", "STORE-OP", "", "", ""]]
    )

    errors = problems(hr, "staff", path)

    assert [(e["row"], e["column"]) for e in errors] == [(2, "Employee number")]
    assert reason in errors[0]["reason"]
    assert "\x07" not in errors[0]["value"]


# Units and positions

UNIT_HEADER = ["code", "name", "kind", "parent_code"]


def test_units_file_builds_the_tree_even_when_parents_come_after_children(
    tmp_path, hr, user_as, org_tree, catalogue
):
    # given a new department listed after its teams
    path = write_file(
        tmp_path,
        [
            UNIT_HEADER,
            ["T9", "直播组", "team", "D9"],
            ["T8", "短视频组", "team", "D9"],
            ["D9", "内容中心", "department", "CO"],
        ],
        name="units.xlsx",
    )

    # when
    outcome = run(hr, "units", path)

    # then the tree and its materialised paths are right
    assert (outcome.created, outcome.updated, outcome.unchanged) == (3, 0, 0)
    units = {u.code: u for u in OrgUnit.objects.all()}
    assert units["T9"].parent == units["D9"]
    assert units["D9"].parent == org_tree.company
    assert units["T9"].path == units["D9"].path + OrgUnit.path_segment(units["T9"].pk)
    assert units["D9"].path == org_tree.company.path + OrgUnit.path_segment(units["D9"].pk)
    assert (units["D9"].depth, units["T9"].depth) == (1, 2)
    assert import_entries(outcome.job).filter(action=AuditAction.CREATE).count() == 3
    # and a manager of the new department sees the staff of its teams, and nobody else's
    in_team = StaffFactory(unit=units["T9"])
    elsewhere = StaffFactory(unit=org_tree.t1)
    manager = user_as("manager", unit=units["D9"])
    visible = set(Staff.objects.restrict(manager, "view"))
    assert in_team in visible
    assert elsewhere not in visible


def test_moving_a_team_in_a_units_file_moves_its_subtree_for_the_policy(
    tmp_path, hr, user_as, org_tree
):
    person = StaffFactory(unit=org_tree.t1)
    d2_manager = user_as("manager", unit=org_tree.d2)
    assert person not in Staff.objects.restrict(d2_manager, "view")

    outcome = run(
        hr,
        "units",
        write_file(tmp_path, [UNIT_HEADER, ["T1", "店铺运营组", "team", "D2"]], name="units.csv"),
    )

    assert (outcome.updated, outcome.unchanged) == (1, 0)
    org_tree.t1.refresh_from_db()
    assert org_tree.t1.path.startswith(org_tree.d2.path)
    d2_manager._opsteam_roles = None
    assert person in Staff.objects.restrict(d2_manager, "view")
    entry = import_entries(outcome.job).get()
    assert entry.before["parent"] == org_tree.d1.pk
    assert entry.after["parent"] == org_tree.d2.pk


def test_unit_cycles_are_refused(tmp_path, hr, org_tree):
    path = write_file(
        tmp_path,
        [
            UNIT_HEADER,
            ["X1", "甲", "team", "X2"],
            ["X2", "乙", "team", "X1"],
            ["X3", "丙", "team", "X3"],
            ["CO", "公司", "company", "T1"],  # T1 is already below CO
            ["X4", "丁", "team", "NOPE"],
        ],
        name="units.csv",
    )

    errors = problems(hr, "units", path)

    assert {(e["row"], e["code"]) for e in errors} == {
        (2, "cycle"),
        (3, "cycle"),
        (4, "cycle"),
        (5, "cycle"),
        (6, "unknown_reference"),
    }
    assert not OrgUnit.objects.filter(code__startswith="X").exists()
    org_tree.company.refresh_from_db()
    assert org_tree.company.parent is None


def test_positions_file_creates_and_updates_positions(tmp_path, hr, catalogue, org_tree):
    header = [
        "code",
        "name",
        "family_code",
        "unit_code",
        "min_level_code",
        "max_level_code",
        "headcount_plan",
    ]
    path = write_file(
        tmp_path,
        [
            header,
            ["LIVE-OP", "直播运营", "store_ops", "T2", "P1", "P2", "3"],
            ["STORE-OP", "店铺运营（新）", "store_ops", "T1", "", "", "5"],
        ],
        name="positions.xlsx",
    )

    outcome = run(hr, "positions", path)

    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 1, 0)
    live = Position.objects.get(code="LIVE-OP")
    assert (live.unit, live.min_level.code, live.max_level.code, live.headcount_plan) == (
        org_tree.t2,
        "P1",
        "P2",
        3,
    )
    store = Position.objects.get(code="STORE-OP")
    assert (store.name, store.unit, store.headcount_plan) == ("店铺运营（新）", org_tree.t1, 5)
    assert sorted(import_entries(outcome.job).values_list("action", flat=True)) == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
    ]
    assert policy.can(hr, "import", Position)


def test_positions_file_problems_are_listed(tmp_path, hr, catalogue):
    header = ["code", "name", "family_code", "min_level_code", "max_level_code", "headcount_plan"]
    path = write_file(
        tmp_path,
        [
            header,
            ["A", "甲", "nope", "", "", ""],
            ["B", "乙", "store_ops", "P2", "P1", ""],
            ["C", "丙", "store_ops", "P1", "M1", "-1"],
            ["D", "丁", "store_ops", "", "", "Infinity"],
            ["A", "甲", "store_ops", "", "", "99999999999"],
        ],
        name="positions.csv",
    )

    errors = problems(hr, "positions", path)

    found = {(e["row"], e["column"]): e["reason"] for e in errors}
    assert "unknown role family" in found[(2, "Role family code")]
    assert "below the lowest level" in found[(3, "Highest level")]
    assert "another track" in found[(4, "Highest level")]
    assert "negative" in found[(4, "Planned headcount")]
    assert "whole number" in found[(5, "Planned headcount")]
    assert "too large" in found[(6, "Planned headcount")]
    assert "duplicate" in found[(6, "Code")]
    assert len(errors) == 7
    assert not Position.objects.filter(code__in=["A", "B", "C", "D"]).exists()


def test_units_cannot_be_imported_by_a_manager(tmp_path, user_as, org_tree):
    from opsteam.core.exceptions import PolicyDenied

    manager = user_as("manager")
    path = write_file(tmp_path, [UNIT_HEADER, ["X1", "甲", "team", "CO"]], name="units.csv")

    with pytest.raises(PolicyDenied):
        run(manager, "units", path)

    assert not OrgUnit.objects.filter(code="X1").exists()
    assert not ImportJob.objects.exists()


def test_a_new_unit_without_parent_column_becomes_a_root_and_others_keep_their_parent(
    tmp_path, hr, org_tree
):
    OrgUnitFactory(code="OLD", parent=org_tree.d1, name="旧组")

    run(
        hr,
        "units",
        write_file(
            tmp_path,
            [["code", "name", "kind"], ["OLD", "新名字", "team"], ["NEW", "新公司", "company"]],
            name="units.csv",
        ),
    )

    old = OrgUnit.objects.get(code="OLD")
    assert (old.name, old.parent) == ("新名字", org_tree.d1)
    assert OrgUnit.objects.get(code="NEW").parent is None
