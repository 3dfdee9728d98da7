"""Set-based writes for imports and generators: raw multi-row inserts without model instances.

PostgreSQL gets ``COPY ... FROM STDIN`` (psycopg 3), SQLite a prepared ``executemany``. Both run
inside the caller's transaction. Values must already be database-ready: ids for foreign keys,
aware datetimes, ``None`` for NULL; JSON columns take Python objects and are serialised here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _column(model: type[models.Model], name: str) -> tuple[str, bool]:
    """Return the database column for a field name or attname, and whether it holds JSON."""
    field = model._meta.get_field(name)
    return field.column, isinstance(field, models.JSONField)


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = 5000,
) -> int:
    """Insert ``rows`` (tuples in ``fields`` order) into ``model``'s table; return the count.

    No signals, no ``save()``, no returned ids: look rows up by their natural key afterwards.
    """
    table = model._meta.db_table
    columns, json_flags = zip(*(_column(model, name) for name in fields), strict=True)
    json_indexes = [index for index, is_json in enumerate(json_flags) if is_json]
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0

    def prepared(row: Sequence[Any]) -> Sequence[Any]:
        if not json_indexes:
            return row
        values = list(row)
        for index in json_indexes:
            if values[index] is not None:
                values[index] = json.dumps(values[index], ensure_ascii=False, default=str)
        return values

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
            # Rows may come from a lazy queryset on this same connection: read each batch
            # before opening COPY, which holds the connection until it ends.
            iterator = iter(rows)
            while batch := list(islice(iterator, batch_size)):
                with cursor.cursor.copy(sql) as copy:
                    for row in batch:
                        copy.write_row(prepared(row))
                count += len(batch)
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608 (identifiers from model metadata)
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(_sqlite_ready(prepared(row)))
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _sqlite_ready(row: Sequence[Any]) -> Sequence[Any]:
    """SQLite stores datetimes as text; Django's adapter would otherwise be bypassed."""
    values = list(row)
    for index, value in enumerate(values):
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.make_naive(value, dt.UTC)
            values[index] = str(value)
        elif isinstance(value, dt.date | Decimal):
            values[index] = str(value)
    return values


def update_column(
    model: type[models.Model],
    field: str,
    pairs: Iterable[tuple[int, Any]],
    *,
    batch_size: int = 5000,
) -> int:
    """Set one column by primary key for many rows (``pairs`` of (pk, value))."""
    table = connection.ops.quote_name(model._meta.db_table)
    column, _is_json = _column(model, field)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    sql = f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE {pk_column} = %s"  # noqa: S608
    count = 0
    with connection.cursor() as cursor:
        batch: list[tuple[Any, int]] = []
        for pk, value in pairs:
            batch.append((value, pk))
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
