"""Exported spreadsheets: formula injection escaped, only the rows the user may export."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from opsteam.core.exports import escape_cell, iter_csv, write_xlsx
from opsteam.org.tests.factories import StaffFactory

HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\0=1+1",
    "  =1+1",
    "＝1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_text_a_spreadsheet_would_run_is_prefixed_with_a_quote(value):
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["王小明", "a=b", "2024-01-01", "", "E-100", "'quoted"])
def test_ordinary_text_is_left_alone(value):
    assert escape_cell(value) == value


@pytest.mark.parametrize("value", [-5, 3.5, None])
def test_numbers_are_not_text_and_stay_numbers(value):
    assert escape_cell(value) == value


def test_xlsx_export_holds_escaped_text_and_no_formula():
    with write_xlsx(["名字"], [[value] for value in HOSTILE] + [[-5], ["x\x07y"]]) as handle:
        sheet = load_workbook(handle).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]

    assert all(cell.data_type != "f" for cell in cells)
    values = [cell.value for cell in cells]
    for value, written in zip(HOSTILE, values, strict=False):
        assert written.startswith("'"), (value, written)
    assert values[HOSTILE.index('=HYPERLINK("http://evil.example","点我")')].startswith("'=")
    assert values[HOSTILE.index("\0=1+1")] == "'=1+1"  # xlsx cannot hold NUL; still escaped
    assert values[-2:] == [-5, "xy"]


def test_csv_export_holds_escaped_text():
    text = "".join(iter_csv(["名字"], [[value] for value in HOSTILE]))

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["'" + value for value in HOSTILE]


@pytest.fixture
def people(org_tree):
    return {
        "t1_match": StaffFactory(unit=org_tree.t1, name='=HYPERLINK("x") 店铺甲', name_en=""),
        "t1_other": StaffFactory(unit=org_tree.t1, name="财务乙", name_en=""),
        "t2_match": StaffFactory(unit=org_tree.t2, name="店铺丙", name_en=""),
        "t3_match": StaffFactory(unit=org_tree.t3, name="店铺丁", name_en=""),
    }


def export_rows(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return [list(row) for row in load_workbook(io.BytesIO(data)).active.values]


def test_staff_list_export_holds_only_the_filtered_rows_the_manager_may_export(
    client_as, people, org_tree
):
    # given a manager of team T1 and people in T1, T2 and T3 whose names match "店铺"
    client = client_as("manager", unit=org_tree.t1)

    # when they export the filtered list
    response = client.get(reverse("org:staff_list"), {"export": "xlsx", "q": "店铺"})

    # then only the matching T1 person is in it, with the formula escaped
    assert response.status_code == 200
    header, *rows = export_rows(response)
    assert header[0] in ("工号", "Employee number")
    assert [row[0] for row in rows] == [people["t1_match"].employee_no]
    assert rows[0][1] == "'" + people["t1_match"].name


def test_staff_list_csv_export_for_hr_holds_every_filtered_row(client_as, people):
    client = client_as("hr")

    response = client.get(reverse("org:staff_list"), {"export": "csv", "q": "店铺"})

    _header, *rows = export_rows(response)
    assert sorted(row[0] for row in rows) == sorted(
        people[key].employee_no for key in ("t1_match", "t2_match", "t3_match")
    )


def test_operator_may_not_export_staff(client_as, people):
    client = client_as("operator")

    response = client.get(reverse("org:staff_list"), {"export": "xlsx"})

    assert response.status_code in (403, 404)
    assert not response.get("Content-Disposition", "").startswith("attachment")
