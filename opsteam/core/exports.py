"""Spreadsheet exports (xlsx, csv) with formula-injection escaping in one place."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

# A cell starting with one of these is interpreted as a formula (or DDE) by spreadsheet apps.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def escape_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _clean_row(row: Iterable[Any]) -> list[Any]:
    return [escape_cell("" if value is None else value) for value in row]


class _Echo:
    def write(self, value: str) -> str:
        return value


def iter_csv(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield CSV lines (UTF-8 with BOM so that Excel on Chinese Windows opens it correctly)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(item) for item in header])
    for row in rows:
        yield writer.writerow(_clean_row(row))


def write_xlsx(
    header: Sequence[Any], rows: Iterable[Iterable[Any]], *, sheet_title: str = "data"
) -> io.BufferedRandom:
    """Write an xlsx to a temporary file (streamed row by row) and return it rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "data")
    sheet.append([str(item) for item in header])
    for row in rows:
        sheet.append(_clean_row(row))
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
