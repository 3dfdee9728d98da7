"""Safe reading of uploaded spreadsheets (xlsx, csv) as a stream of rows.

Guards run before any parsing: the file must be what its extension says, an xlsx must not
inflate past the configured limits (zip bombs: member count, total inflated size, and the
compression ratio of the whole archive and of each large member), CSV may be UTF-8, UTF-8 with
BOM, GB18030 (what Excel on Chinese Windows writes) or UTF-16 with a BOM, and an xlsx whose
declared dimension is wrong still yields every row (openpyxl's read-only mode trusts it unless
reset). A file that turns out to be unreadable half-way is rejected with a clear message, never
with a server error.
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
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CHUNK = 1 << 16
_RATIO_FLOOR = 1 << 20  # members smaller than this inflate to nothing worth guarding
CSV_DELIMITERS = (",", ";", "\t", "|")


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


def check_size(handle: BinaryIO) -> None:
    """Reject an empty upload or one over ``OPSTEAM_IMPORT_MAX_UPLOAD_BYTES``."""
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


def check_file(handle: BinaryIO, filename: str) -> str:
    """Validate size, type and (for xlsx) the zip container; return the extension."""
    extension = file_extension(filename)
    if extension not in SUPPORTED_EXTENSIONS:
        raise _reject(
            _("Unsupported file type {ext}: upload an .xlsx or .csv file.").format(
                ext=extension or "?"
            )
        )
    check_size(handle)
    head = handle.read(8)
    handle.seek(0)
    if extension == ".xlsx":
        if not head.startswith(ZIP_MAGIC):
            raise _reject(_("This file is named .xlsx but is not an Excel workbook."))
        _check_zip(handle)
    else:
        if head.startswith(ZIP_MAGIC):
            raise _reject(
                _(
                    "This file is named .csv but is a zip archive (an Excel workbook?): name it .xlsx or save it as CSV."
                )
            )
        if not head.startswith(UTF16_BOMS) and b"\x00" in handle.read(_CHUNK):
            handle.seek(0)
            raise _reject(_("This file is named .csv but is not a text file."))
        handle.seek(0)
    return extension


def _too_many_parts(count: int) -> ImportRejected:
    return _reject(
        _("The workbook has {count} parts; the limit is {limit}.").format(
            count=count, limit=settings.OPSTEAM_IMPORT_MAX_ZIP_MEMBERS
        )
    )


def _declared_member_count(handle: BinaryIO) -> int | None:
    """The entry count of the zip's end record, read without parsing the central directory
    (a directory of a million entries takes seconds and hundreds of MB to parse)."""
    try:
        end = zipfile._EndRecData(handle)  # private, but unchanged since Python 2
    except (OSError, AttributeError, IndexError):
        end = None
    finally:
        handle.seek(0)
    return None if end is None else int(end[zipfile._ECD_ENTRIES_TOTAL])


def _check_zip(handle: BinaryIO) -> None:
    max_members = settings.OPSTEAM_IMPORT_MAX_ZIP_MEMBERS
    declared = _declared_member_count(handle)
    if declared is not None and declared > max_members:
        raise _too_many_parts(declared)
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile as exc:
        raise _reject(_("This file is named .xlsx but is not a valid Excel workbook.")) from exc
    members = archive.infolist()
    if len(members) > max_members:
        raise _too_many_parts(len(members))
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
    # The whole-archive ratio can be diluted by adding an incompressible member, so a large
    # member is also checked on its own (zipfile enforces the declared sizes when inflating).
    worst = max(
        (m.file_size / (m.compress_size or 1) for m in members if m.file_size > _RATIO_FLOOR),
        default=0,
    )
    ratio = max(inflated / compressed, worst)
    if ratio > max_ratio:
        raise _reject(
            _("The workbook's compression ratio is {ratio}:1; the limit is {limit}:1.").format(
                ratio=int(ratio), limit=max_ratio
            )
        )
    handle.seek(0)


def detect_csv_encoding(handle: BinaryIO) -> str:
    """Return 'utf-16' for a UTF-16 BOM, 'utf-8-sig' when the whole file decodes as UTF-8
    (with or without a BOM), else 'gb18030'."""
    handle.seek(0)
    if handle.read(2) in UTF16_BOMS:
        handle.seek(0)
        return "utf-16"
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


def _guess_delimiter(first_line: str) -> str:
    """Pick the delimiter from the header line (comma unless another one clearly separates it).

    ``csv.Sniffer`` guesses from data rows too and is misled by names like "O'Brien" or by
    commas inside quoted cells; the header row of a template never contains a delimiter.
    """
    counts = {delimiter: first_line.count(delimiter) for delimiter in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","


def _iter_csv(handle: BinaryIO) -> Iterator[SheetRow]:
    encoding = detect_csv_encoding(handle)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    number = 0
    try:
        first_line = text.readline()
        text.seek(0)
        reader = csv.reader(text, delimiter=_guess_delimiter(first_line))
        for number, cells in enumerate(reader, start=1):
            yield SheetRow(number=number, cells=[_normalise(cell) for cell in cells])
    except UnicodeDecodeError as exc:
        raise _reject(
            _(
                "Row {row} could not be read as UTF-8 or GB18030 text: save the file as CSV UTF-8."
            ).format(row=number + 1)
        ) from exc
    except csv.Error as exc:
        raise _reject(
            _("Row {row} is not valid CSV: {error}").format(row=number + 1, error=exc)
        ) from exc
    finally:
        text.detach()


def _iter_xlsx(handle: BinaryIO) -> Iterator[SheetRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise _reject(_("The workbook could not be read: {error}").format(error=exc)) from exc
    number = 0
    try:
        if not workbook.worksheets:
            raise _reject(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the declared dimension may be wrong; never trust it
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield SheetRow(number=number, cells=[_normalise(cell) for cell in cells])
    except ImportRejected:
        raise
    except Exception as exc:  # a corrupt part (bad XML, CRC mismatch) shows up while reading
        raise _reject(
            _("The workbook could not be read after row {row}: {error}").format(
                row=number, error=exc
            )
        ) from exc
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
