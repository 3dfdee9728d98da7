"""Uploaded spreadsheets as polars DataFrames of text, for imports of millions of rows.

The same guards as ``core.spreadsheets`` run first (``check_file``: type, size, zip bombs;
``detect_csv_encoding``: UTF-8 with or without BOM, GB18030, UTF-16 with a BOM). A CSV file is
then parsed by polars in one go; an xlsx is streamed through ``spreadsheets.iter_rows``
(openpyxl read-only, dimensions reset) into columns. Either way the result is one
``pl.String`` column per declared column of the import kind (null = empty cell), named by the
column's key, plus ``ROW``: the row number the user sees in the file (the header is the first
non-blank row; blank rows are skipped but keep their numbers, as in the row engine).

Headers are matched as the generic engine does (``core.imports.map_header``: Chinese,
English or the key, ignoring marks and parenthesised notes). The cell checks the row engine
makes for every kind (required, control characters, length) are made here, vectorised; the
cells they reject are blanked and flagged in ``invalid_flag(key)`` so that a spec's own checks
skip them, and every problem is listed at once.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import polars as pl
from django.utils.translation import gettext as _

from opsteam.core.exceptions import ImportRejected
from opsteam.core.imports import BaseImportSpec, ImportColumn, RowError, map_header
from opsteam.core.spreadsheets import (
    CSV_DELIMITERS,
    SheetRow,
    _guess_delimiter,
    cell_text,
    check_file,
    detect_csv_encoding,
    iter_rows,
)

ROW = "__row"  # the row number the user sees (1-based; the header row included)
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"  # as core.imports: never meant as data
_BLANK_LINE_BYTES = b" \t\r\"'" + "".join(CSV_DELIMITERS).encode()
PREVIEW_ROWS = 20


def invalid_flag(key: str) -> str:
    """Name of the boolean column that marks cells of ``key`` rejected while reading."""
    return f"__invalid_{key}"


@dataclass
class SheetFrame:
    """A file read for a vectorised import: the frame, the columns it has, its problems."""

    frame: pl.DataFrame
    present: frozenset[str]
    errors: list[RowError] = field(default_factory=list)


def _reject(message: str, row: int | None = None) -> ImportRejected:
    return ImportRejected(
        message,
        errors=[{"row": row, "column": None, "value": "", "reason": message, "code": "file"}],
    )


def read_frame(spec: BaseImportSpec, handle: BinaryIO, filename: str) -> SheetFrame:
    """Read ``handle`` (csv or xlsx) into a frame of the spec's columns; see the module doc.

    Raises ``ImportRejected`` when the file itself is unusable (type, size, zip bomb,
    encoding, malformed CSV, no header row). Header and cell problems are returned.
    """
    extension = check_file(handle, filename)
    if extension == ".csv":
        header, body = _read_csv(handle)
    else:
        header, body = _read_xlsx(handle, filename)
    if header is None:
        raise _reject(_("The file has no header row."), row=1)
    mapping, errors = map_header(spec, header)
    present = frozenset(column.key for column in mapping.values())
    if not mapping:
        return SheetFrame(pl.DataFrame({ROW: []}, schema={ROW: pl.Int64}), present, errors)
    frame = body(mapping)
    frame, cell_errors = _check_cells(spec, frame, present)
    return SheetFrame(frame, present, errors + cell_errors)


# CSV ------------------------------------------------------------------------------------------


def _utf8_bytes(handle: BinaryIO) -> bytes:
    """The file as UTF-8 without a BOM (GB18030 and UTF-16 are re-encoded)."""
    encoding = detect_csv_encoding(handle)
    raw = handle.read()
    handle.seek(0)
    if encoding == "utf-8-sig":
        return raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise _reject(
            _(
                "Row {row} could not be read as UTF-8 or GB18030 text: save the file as CSV UTF-8."
            ).format(row=row),
            row=row,
        ) from exc
    return text.lstrip("\ufeff").encode("utf-8")


def _header_offset(data: bytes) -> tuple[int, int] | None:
    """Byte offset and row number of the first line with any content (blank lines above the
    header are skipped, as by the row engine), or None for a file of blank lines."""
    offset, number = 0, 0
    while offset < len(data):
        end = data.find(b"\n", offset)
        end = len(data) if end < 0 else end
        number += 1
        if data[offset:end].strip(_BLANK_LINE_BYTES):
            return offset, number
        offset = end + 1
    return None


def _read_csv(handle: BinaryIO) -> tuple[SheetRow | None, Any]:
    data = _utf8_bytes(handle)
    found = _header_offset(data)
    if found is None:
        return None, None
    offset, header_number = found
    line_end = data.find(b"\n", offset)
    first_line = data[offset : line_end if line_end >= 0 else len(data)]
    delimiter = _guess_delimiter(first_line.decode("utf-8", errors="replace"))
    try:
        # Every cell as text; the column count comes from the header line, longer rows are
        # cut (cells under no header are ignored, as by the row engine), shorter ones padded.
        # Blank lines inside the data stay as rows of nulls, so numbering stays right.
        raw = pl.read_csv(
            data[offset:] if offset else data,
            has_header=False,
            infer_schema=False,
            separator=delimiter,
            quote_char='"',
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise _reject(_("The file is not valid CSV: {error}").format(error=exc)) from exc
    if raw.height == 0:
        return None, None
    names = raw.columns
    header = SheetRow(number=header_number, cells=[cell_text(v) for v in raw.row(0)])
    body = raw.slice(1)

    def build(mapping: Mapping[int, ImportColumn]) -> pl.DataFrame:
        stripped = {name: pl.col(name).str.strip_chars() for name in names}
        blank = pl.all_horizontal([expr.is_null() | (expr == "") for expr in stripped.values()])
        numbered = body.with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + header_number + 1).alias(ROW)
        ).filter(~blank)
        return numbered.select(
            pl.col(ROW),
            *(
                _empty_is_null(stripped[names[index]]).alias(column.key)
                for index, column in mapping.items()
            ),
        )

    return header, build


def _empty_is_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr == "").then(None).otherwise(expr)


# XLSX -----------------------------------------------------------------------------------------


def _read_xlsx(handle: BinaryIO, filename: str) -> tuple[SheetRow | None, Any]:
    rows = iter_rows(handle, filename)  # the zip guards, reset dimensions, clear errors
    header = None
    for sheet_row in rows:
        if not _is_blank(sheet_row.cells):
            header = sheet_row
            break
    if header is None:
        return None, None

    def build(mapping: Mapping[int, ImportColumn]) -> pl.DataFrame:
        numbers: list[int] = []
        columns: dict[str, list[str | None]] = {column.key: [] for column in mapping.values()}
        targets = [(index, columns[column.key]) for index, column in mapping.items()]
        for sheet_row in rows:
            cells = sheet_row.cells
            if _is_blank(cells):
                continue
            numbers.append(sheet_row.number)
            width = len(cells)
            for index, target in targets:
                value = cells[index] if index < width else None
                target.append(None if value is None or value == "" else cell_text(value) or None)
        return pl.DataFrame(
            {ROW: numbers, **columns},
            schema={ROW: pl.Int64, **dict.fromkeys(columns, pl.String)},
        )

    return header, build


def _is_blank(cells: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


# Cell checks ----------------------------------------------------------------------------------


def _check_cells(
    spec: BaseImportSpec, frame: pl.DataFrame, present: frozenset[str]
) -> tuple[pl.DataFrame, list[RowError]]:
    """Required, control characters and length, as the row engine checks every cell; the
    offending cells are blanked and flagged. Absent columns are added as nulls."""
    errors: list[RowError] = []
    control_reason = _("contains invisible control characters; retype the value")
    required_reason = _("required value is missing")
    flags = []
    for column in spec.columns:
        key = column.key
        if key not in present:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(key))
            flags.append(pl.lit(value=False).alias(invalid_flag(key)))
            continue
        label = spec.header_label(key)
        cell = pl.col(key)
        control = cell.str.contains(CONTROL_CHARACTERS).fill_null(value=False)
        bad = control
        errors += row_errors(
            frame,
            control,
            column=label,
            value=cell.str.replace_all(CONTROL_CHARACTERS, "\ufffd"),
            reason=control_reason,
        )
        if column.max_length is not None:
            too_long = (cell.str.len_chars() > column.max_length).fill_null(value=False) & ~control
            errors += row_errors(
                frame,
                too_long,
                column=label,
                value=cell,
                reason=_("too long: at most {limit} characters").format(limit=column.max_length),
            )
            bad = bad | too_long
        if column.required:
            missing = cell.is_null()
            errors += row_errors(
                frame, missing, column=label, value=cell, reason=required_reason, code="required"
            )
            bad = bad | missing
        flags.append(bad.alias(invalid_flag(key)))
    frame = frame.with_columns(flags)
    frame = frame.with_columns(
        pl.when(pl.col(invalid_flag(key))).then(None).otherwise(pl.col(key)).alias(key)
        for key in present
    )
    return frame, errors


# Helpers for specs ----------------------------------------------------------------------------


def row_errors(
    frame: pl.DataFrame,
    mask: pl.Expr,
    *,
    column: str | None,
    value: pl.Expr | str,
    reason: str,
    code: str = "invalid",
    params: Mapping[str, pl.Expr] | None = None,
) -> list[RowError]:
    """One ``RowError`` per row of ``frame`` where ``mask`` holds.

    ``value`` is the offending text (an expression over the frame); ``reason`` is translated
    text, formatted per row with ``params`` (expressions) when given, e.g.
    ``reason=_("first on row {row}")``, ``params={"row": pl.col("first")}``.
    """
    # Most checks find nothing: decide that from the mask alone before building the value
    # and parameter columns for every row (a 1M-row file has some 20 checks).
    if not frame.select(mask.fill_null(value=False).any()).item():
        return []
    value_expr = pl.lit(value) if isinstance(value, str) else value
    params = dict(params or {})
    # Everything is evaluated over the whole frame before filtering, so window expressions
    # (e.g. the first row of a duplicate key) see every row.
    selected = [
        pl.col(ROW),
        value_expr.cast(pl.String).fill_null("").alias("__value"),
        *(expr.cast(pl.String).fill_null("").alias(f"__p_{name}") for name, expr in params.items()),
        mask.fill_null(value=False).alias("__hit"),
    ]
    hits = frame.lazy().select(selected).filter(pl.col("__hit")).collect()
    if hits.height == 0:
        return []
    rows = hits[ROW].to_list()
    values = hits["__value"].to_list()
    if not params:
        return [
            RowError(row, column, text, reason, code)
            for row, text in zip(rows, values, strict=True)
        ]
    columns = [hits[f"__p_{name}"].to_list() for name in params]
    names = list(params)
    return [
        RowError(row, column, text, reason.format(**dict(zip(names, args, strict=True))), code)
        for row, text, *args in zip(rows, values, *columns, strict=True)
    ]


def preview(
    frame: pl.DataFrame, columns: Iterable[ImportColumn], rows: int = PREVIEW_ROWS
) -> list[dict[str, Any]]:
    """The first rows as the user typed them: ``{"row": n, key: text, ...}`` in column order."""
    keys = [column.key for column in columns]
    head = frame.head(rows).select(ROW, *keys)
    return [
        {"row": row[ROW], **{key: row[key] or "" for key in keys}}
        for row in head.iter_rows(named=True)
    ]
