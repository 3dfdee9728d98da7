"""Safe reading of uploaded spreadsheets (xlsx, csv) as a stream of rows.

Guards run before any parsing: the file must be what its extension says, an xlsx must not
inflate past the configured limits (zip bombs), CSV may be UTF-8, UTF-8 with BOM or GB18030
(what Excel on Chinese Windows writes), and an xlsx whose declared dimension is wrong still
yields every row (openpyxl's read-only mode trusts it unless reset).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from opsteam.core.exceptions import ImportRejected

SUPPORTED_EXTENSIONS = (".xlsx", ".csv")
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # 1-based row number as the user sees it in the file (header is row 1)
    cells: list[Any]


def _reject(message: str) -> ImportRejected:
    return ImportRejected(
        message,
        errors=[{"row": None, "column": None, "value": "", "reason": message, "code": "file"}],
    )


def file_extension(filename: str) -> str:
    return Path(filename or "").suffix.lower()


def check_file(handle: BinaryIO, filename: str) -> str:
    """Validate size, type and (for xlsx) the zip container; return the extension."""
    extension = file_extension(filename)
    if extension not in SUPPORTED_EXTENSIONS:
        raise _reject(
            _("Unsupported file type {ext}: upload an .xlsx or .csv file.").format(
                ext=extension or "?"
            )
        )
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    if size == 0:
        raise _reject(_("The file is empty."))
    limit = settings.OPSTEAM_IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        raise _reject(
            _("The file is {size} bytes; the limit is {limit} bytes.").format(
                size=size, limit=limit
            )
        )
    head = handle.read(8)
    handle.seek(0)
    if extension == ".xlsx":
        if not head.startswith(ZIP_MAGIC):
            raise _reject(_("This file is named .xlsx but is not an Excel workbook."))
        _check_zip(handle)
    else:
        if head.startswith(ZIP_MAGIC) or b"\x00" in handle.read(_CHUNK):
            handle.seek(0)
            raise _reject(_("This file is named .csv but is not a text file."))
        handle.seek(0)
    return extension


def _check_zip(handle: BinaryIO) -> None:
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile as exc:
        raise _reject(_("This file is named .xlsx but is not a valid Excel workbook.")) from exc
    members = archive.infolist()
    max_members = settings.OPSTEAM_IMPORT_MAX_ZIP_MEMBERS
    if len(members) > max_members:
        raise _reject(
            _("The workbook has {count} parts; the limit is {limit}.").format(
                count=len(members), limit=max_members
            )
        )
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise _reject(_("This file is named .xlsx but is not an Excel workbook."))
    inflated = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members) or 1
    max_inflated = settings.OPSTEAM_IMPORT_MAX_INFLATED_BYTES
    if inflated > max_inflated:
        raise _reject(
            _("The workbook inflates to {size} bytes; the limit is {limit} bytes.").format(
                size=inflated, limit=max_inflated
            )
        )
    max_ratio = settings.OPSTEAM_IMPORT_MAX_COMPRESSION_RATIO
    if inflated / compressed > max_ratio:
        raise _reject(
            _("The workbook's compression ratio is {ratio}:1; the limit is {limit}:1.").format(
                ratio=int(inflated / compressed), limit=max_ratio
            )
        )
    handle.seek(0)


def detect_csv_encoding(handle: BinaryIO) -> str:
    """Return 'utf-8-sig' when the whole file decodes as UTF-8, else 'gb18030'."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := handle.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    handle.seek(0)
    return encoding


def _normalise(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def iter_rows(handle: BinaryIO, filename: str) -> Iterator[SheetRow]:
    """Yield every row of the first sheet (header included), streaming from ``handle``."""
    extension = check_file(handle, filename)
    if extension == ".csv":
        yield from _iter_csv(handle)
    else:
        yield from _iter_xlsx(handle)


def _iter_csv(handle: BinaryIO) -> Iterator[SheetRow]:
    encoding = detect_csv_encoding(handle)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        sample = text.read(_CHUNK)
        text.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        for number, cells in enumerate(csv.reader(text, dialect), start=1):
            yield SheetRow(number=number, cells=[_normalise(cell) for cell in cells])
    finally:
        text.detach()


def _iter_xlsx(handle: BinaryIO) -> Iterator[SheetRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise _reject(_("The workbook could not be read: {error}").format(error=exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the declared dimension may be wrong; never trust it
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield SheetRow(number=number, cells=[_normalise(cell) for cell in cells])
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """Return a cell as the text the user typed (dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
