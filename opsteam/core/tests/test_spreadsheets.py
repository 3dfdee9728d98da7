"""Hostile and awkward upload files: refused before parsing or read correctly, never a crash."""

import codecs
import csv
import io
import os
import re
import time
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from opsteam.core.exceptions import ImportRejected
from opsteam.core.imports import REGISTRY, run_import
from opsteam.core.spreadsheets import iter_rows
from opsteam.org.models import Staff
from opsteam.org.tests.factories import JobLevelFactory, PositionFactory

HEADER = ["employee_no", "name", "hire_date", "unit_code", "position_code"]
NAMES = ["王小明", "李娜", "欧阳修", "张伟"]
ROW_TAIL = ["2024-01-01", "T1", "STORE-OP"]


@pytest.fixture
def catalogue(org_tree):
    JobLevelFactory(code="P2")
    return PositionFactory(code="STORE-OP")


def staff_rows(count=None):
    """Rows for HEADER: N00000 王小明, N00001 李娜, ... (names repeat with a number after 4)."""
    count = len(NAMES) if count is None else count
    return [
        [f"N{n:05d}", f"{NAMES[n % len(NAMES)]}{n if n >= len(NAMES) else ''}", *ROW_TAIL]
        for n in range(count)
    ]


def xlsx_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows, delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()


def import_bytes(actor, data, filename, kind="staff", **options):
    return run_import(
        actor=actor,
        spec_class=REGISTRY[kind],
        handle=io.BytesIO(data),
        filename=filename,
        **options,
    )


def rejection(data, filename):
    """The message of a file refused while reading it."""
    with pytest.raises(ImportRejected) as refused:
        list(iter_rows(io.BytesIO(data), filename))
    return refused.value.message


def zip_with(members, *, level=1):
    """A zip that looks like a workbook; ``members`` maps names to bytes or (byte, count)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, content in members.items():
            if isinstance(content, tuple):
                chunk, count = content
                with archive.open(name, "w", force_zip64=True) as member:
                    for _ in range(count):
                        member.write(chunk)
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


MIB = 1 << 20


@pytest.fixture(scope="module")
def zip_bomb():
    # ~1.4 MB on disk, 300 MB of zeros once inflated
    return zip_with({"xl/worksheets/sheet1.xml": (b"0" * MIB, 300)})


def test_zip_bomb_is_refused_before_parsing_and_names_the_limit(zip_bomb, hr_user):
    started = time.monotonic()
    with pytest.raises(ImportRejected) as refused:
        import_bytes(hr_user, zip_bomb, "bomb.xlsx")
    elapsed = time.monotonic() - started

    assert elapsed < 1
    limit = settings.OPSTEAM_IMPORT_MAX_INFLATED_BYTES
    assert f"the limit is {limit} bytes" in refused.value.errors[0]["reason"]
    assert refused.value.outcome.job.status == "rejected"


def test_highly_compressed_workbook_is_refused_by_its_ratio():
    # 50 MB of zeros: under the size limit, far over the ratio limit
    data = zip_with({"xl/worksheets/sheet1.xml": (b"0" * MIB, 50)}, level=9)

    message = rejection(data, "ratio.xlsx")

    assert f"the limit is {settings.OPSTEAM_IMPORT_MAX_COMPRESSION_RATIO}:1" in message


def test_a_bomb_padded_with_incompressible_data_is_still_refused():
    # the archive as a whole compresses 30:1, the sheet alone more than 200:1
    data = zip_with(
        {
            "xl/media/image1.png": os.urandom(5 * MIB),
            "xl/worksheets/sheet1.xml": (b"0" * MIB, 150),
        }
    )

    message = rejection(data, "padded.xlsx")

    assert "compression ratio" in message


@pytest.mark.parametrize("parts", [201, 20_000])
def test_workbook_with_too_many_parts_is_refused_before_reading_its_directory(parts):
    limit = settings.OPSTEAM_IMPORT_MAX_ZIP_MEMBERS
    data = zip_with({f"xl/part{n}.xml": b"" for n in range(parts)})

    started = time.monotonic()
    message = rejection(data, "parts.xlsx")

    assert time.monotonic() - started < 1
    assert f"has {parts + 1} parts; the limit is {limit}" in message


def test_wrong_declared_dimension_still_imports_every_row(hr_user, catalogue):
    # given a valid workbook whose sheet claims to be a single cell
    rows = [HEADER, *staff_rows(500)]
    source = io.BytesIO(xlsx_bytes(rows))
    patched = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(patched, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
                assert count == 1
            new.writestr(item, data)
    data = patched.getvalue()
    assert load_workbook(io.BytesIO(data), read_only=True).active.max_row == 1

    # when
    outcome = import_bytes(hr_user, data, "dimension.xlsx")

    # then
    assert (outcome.rows_total, outcome.created) == (500, 500)
    assert Staff.objects.filter(employee_no__startswith="N0").count() == 500


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("utf-8"), id="utf-8"),
        pytest.param(lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda text: text.encode("gb18030"), id="gb18030"),
        pytest.param(lambda text: text.encode("utf-16"), id="utf-16"),
    ],
)
def test_csv_in_every_encoding_excel_writes_imports_alike(hr_user, catalogue, encode):
    data = encode(
        csv_text([["工号", "姓名", "入职日期", "部门/团队编码", "岗位编码"], *staff_rows()])
    )

    import_bytes(hr_user, data, "staff.csv")

    names = dict(
        Staff.objects.filter(employee_no__startswith="N0").values_list("employee_no", "name")
    )
    assert names == {row[0]: row[1] for row in staff_rows()}


def test_semicolon_separated_csv_imports(hr_user, catalogue):
    data = csv_text([HEADER, *staff_rows()], delimiter=";").encode()

    outcome = import_bytes(hr_user, data, "staff.csv")

    assert outcome.created == len(NAMES)


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        pytest.param(
            b"employee_no,name\nE1,x\n", "staff.xlsx", "not an Excel workbook", id="csv-as-xlsx"
        ),
        pytest.param(xlsx_bytes([HEADER]), "staff.csv", "is a zip archive", id="xlsx-as-csv"),
        pytest.param(b"", "staff.csv", "The file is empty", id="empty-csv"),
        pytest.param(b"", "staff.xlsx", "The file is empty", id="empty-xlsx"),
        pytest.param(b"a,b\x00c\n", "staff.csv", "not a text file", id="binary-csv"),
        pytest.param(b"PK\x03\x04broken", "staff.xlsx", "not a valid Excel", id="broken-zip"),
        pytest.param(b"employee_no\n", "staff.xls", "Unsupported file type .xls", id="xls"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused_clearly(data, filename, expected):
    assert expected in rejection(data, filename)


def test_workbook_with_a_corrupt_sheet_is_refused_not_crashed_on(hr_user, catalogue):
    # a real workbook whose sheet XML was cut off half-way
    source = io.BytesIO(xlsx_bytes([HEADER, *staff_rows()]))
    broken = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(broken, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            new.writestr(item, data)

    with pytest.raises(ImportRejected) as refused:
        import_bytes(hr_user, broken.getvalue(), "broken.xlsx")

    assert "could not be read" in refused.value.errors[0]["reason"]
    assert not Staff.objects.filter(employee_no__startswith="N0").exists()


def test_file_with_only_blank_rows_has_no_header(hr_user):
    with pytest.raises(ImportRejected) as refused:
        import_bytes(hr_user, b"\n,,\n\n", "blank.csv")

    assert "no header row" in refused.value.errors[0]["reason"]


def test_blank_rows_above_the_header_are_skipped(hr_user, catalogue):
    data = xlsx_bytes([[], [None, None], HEADER, *staff_rows()])

    outcome = import_bytes(hr_user, data, "staff.xlsx")

    assert outcome.created == len(NAMES)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(["工号", "姓名", "入职日期", "部门/团队编码", "岗位编码"], id="chinese"),
        pytest.param(
            ["Employee number", "Name", "Hire date", "Unit code", "Position code"], id="english"
        ),
        pytest.param(HEADER, id="keys"),
        pytest.param(
            ["工号*", "姓名 *", "入职日期*（Hire date）", "Unit Code*", "POSITION_CODE"],
            id="marks-and-case",
        ),
        pytest.param(
            [
                "工号* (Employee number)",
                "姓名* (Name)",
                "入职日期* (Hire date)",
                "部门/团队编码* (Unit code)",
                "岗位编码* (Position code)",
            ],
            id="template",
        ),
    ],
)
def test_headers_are_accepted_in_chinese_english_or_as_keys(hr_user, catalogue, header):
    outcome = import_bytes(hr_user, xlsx_bytes([header, *staff_rows()]), "staff.xlsx")

    assert outcome.created == len(NAMES)


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_downloaded_template_imports_as_it_is_once_filled_in(
    client_as, catalogue, org_tree, file_format
):
    # given the template an HR partner downloads
    client = client_as("hr")
    response = client.get(reverse("core:import_template", args=["staff"]), {"format": file_format})
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "xlsx":
        template = list(load_workbook(io.BytesIO(data), read_only=True).active.values)
    else:
        template = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, example = list(template[0]), list(template[1])
    assert header[0].startswith("工号*")

    # when they fill in the example row with codes that exist and upload it
    row = dict(zip(header, example, strict=True))
    row.update(
        {
            header[7]: "T1",  # unit code
            header[8]: "STORE-OP",  # position code
            header[10]: "",  # manager employee number
        }
    )
    filled = [header, [row[h] for h in header]]
    data = xlsx_bytes(filled) if file_format == "xlsx" else csv_text(filled).encode("utf-8-sig")
    outcome = import_bytes(client.user, data, f"template.{file_format}")

    # then it imports
    assert outcome.created == 1
    person = Staff.objects.get(employee_no=example[0])
    assert (person.name, person.email, person.level.code) == (example[1], example[3], "P2")


@pytest.fixture
def hr_user(user_as):
    return user_as("hr")
