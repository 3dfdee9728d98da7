"""Spreadsheet exports (xlsx, csv) with formula-injection escaping in one place.

Every text cell that a spreadsheet application would run as a formula (or DDE call) gets a
leading single quote, in both formats. xlsx cannot hold control characters at all: they are
dropped there (after escaping, so that a value like "\x01=cmd" cannot turn into a formula).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell starting with one of these is interpreted as a formula (or DDE) by spreadsheet apps
# (the full-width forms too: an IME turns them into the ASCII ones when a cell is edited).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")
XLSX_MAX_CELL_CHARACTERS = 32_767  # Excel refuses to open a workbook with a longer cell


def escape_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a single quote.

    Leading spaces do not protect a formula from every application, so they are looked past.
    """
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.lstrip(" \u3000").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _clean_row(row: Iterable[Any]) -> list[Any]:
    return [escape_cell("" if value is None else value) for value in row]


def _xlsx_cell(value: Any) -> Any:
    """A value an xlsx can hold: escaped, without control characters, at most 32,767 long,
    aware datetimes in local time (xlsx has no time zones)."""
    value = escape_cell("" if value is None else value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        value = escape_cell(ILLEGAL_CHARACTERS_RE.sub("", value))[:XLSX_MAX_CELL_CHARACTERS]
    return value


def _xlsx_row(row: Iterable[Any]) -> list[Any]:
    return [_xlsx_cell(value) for value in row]


class _Echo:
    def write(self, value: str) -> str:
        return value


def iter_csv(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield CSV lines (UTF-8 with BOM so that Excel on Chinese Windows opens it correctly)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(_clean_row(str(item) for item in header))
    for row in rows:
        yield writer.writerow(_clean_row(row))


def write_xlsx(
    header: Sequence[Any], rows: Iterable[Iterable[Any]], *, sheet_title: str = "data"
) -> io.BufferedRandom:
    """Write an xlsx to a temporary file (streamed row by row) and return it rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "data")
    sheet.append(_xlsx_row(str(item) for item in header))
    for row in rows:
        sheet.append(_xlsx_row(row))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (handed to FileResponse, which closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def export_filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def spreadsheet_response(
    *, stem: str, file_format: str, header: Sequence[Any], rows: Iterable[Iterable[Any]]
) -> FileResponse | StreamingHttpResponse:
    """Return an xlsx or csv download of ``rows``."""
    if file_format == "csv":
        response = StreamingHttpResponse(
            iter_csv(header, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename(stem, "csv")}"'
        return response
    handle = write_xlsx(header, rows, sheet_title=stem)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export_filename(stem, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
