"""Set-based writes for imports and generators: raw multi-row inserts without model instances.

PostgreSQL gets ``COPY ... FROM STDIN`` (psycopg 3), SQLite a prepared ``executemany``. Both run
inside the caller's transaction. Values must already be database-ready: ids for foreign keys,
aware datetimes, ``None`` for NULL; JSON columns take Python objects and are serialised here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone


def _to_json(value: Any) -> Any:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _to_sqlite_datetime(value: Any) -> Any:
    # SQLite stores naive UTC text, as Django's own adapter writes it.
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.make_naive(value, dt.UTC)
    return str(value)


def _to_text(value: Any) -> Any:
    return None if value is None else str(value)


def _converters(model: type[models.Model], fields: Sequence[str]) -> list[tuple[int, Any]]:
    """Per-column conversions the raw driver needs (decided once, not per value)."""
    sqlite = connection.vendor == "sqlite"
    converters = []
    for index, name in enumerate(fields):
        field = model._meta.get_field(name)
        if isinstance(field, models.JSONField):
            converters.append((index, _to_json))
        elif sqlite and isinstance(field, models.DateTimeField):
            converters.append((index, _to_sqlite_datetime))
        elif sqlite and isinstance(field, models.DateField | models.DecimalField):
            converters.append((index, _to_text))
    return converters


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
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    converters = _converters(model, fields)

    def prepared(row: Sequence[Any]) -> Sequence[Any]:
        if not converters:
            return row
        values = list(row)
        for index, convert in converters:
            values[index] = convert(values[index])
        return values

    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"
            # Rows may come from a lazy queryset on this same connection: read each batch
            # before opening COPY, which holds the connection until it ends.
            while batch := list(islice(iterator, batch_size)):
                with cursor.cursor.copy(sql) as copy:
                    for row in batch:
                        copy.write_row(prepared(row))
                count += len(batch)
            return count
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (identifiers from model metadata)
        while batch := [prepared(row) for row in islice(iterator, batch_size)]:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def update_rows(
    model: Any, objs: Sequence[Any], fields: Sequence[str], *, batch_size: int = 2000
) -> int:
    """Write ``fields`` of ``objs`` back by primary key, one prepared UPDATE run for many rows.

    ``QuerySet.bulk_update`` builds a CASE per field and row: 20,000 rows took seconds of
    query compilation. A plain ``executemany`` is set-based for the database and costs
    Python next to nothing. ``auto_now`` fields are not touched unless listed.
    """
    if not objs:
        return 0
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            cursor.executemany(
                sql,
                [
                    [
                        *(
                            field.get_db_prep_save(getattr(obj, field.attname), connection)
                            for field in columns
                        ),
                        obj.pk,
                    ]
                    for obj in objs[start : start + batch_size]
                ],
            )
    return len(objs)


def update_rows_copied(model: Any, objs: Sequence[Any], fields: Sequence[str]) -> int:
    """Write ``fields`` of ``objs`` back by primary key in one statement on PostgreSQL: COPY
    into a temporary table, then one ``UPDATE ... FROM`` (10,000 JSON scorecards or scores in
    one round trip, where ``update_rows`` runs 10,000 UPDATEs). Elsewhere ``update_rows``.

    Attribute values must be database-ready, as for ``insert_rows`` (JSON columns take Python
    objects and are serialised here); no ``get_db_prep_save`` per value, which cost more than
    the COPY for 10,000 scorecards. The temporary table lives until the transaction ends (a
    savepoint here when the caller has none).
    """
    if not objs:
        return 0
    if connection.vendor != "postgresql":
        return update_rows(model, objs, fields)
    meta = model._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    columns = [meta.get_field(name) for name in fields]
    names = [quote(field.column) for field in columns]
    temporary = quote(f"bulk_{meta.db_table}")
    converters = _converters(model, fields)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{temporary}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temporary} ON COMMIT DROP AS"  # noqa: S608 (names from the model)
            f" SELECT {pk}, {', '.join(names)} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {temporary} ({pk}, {', '.join(names)}) FROM STDIN") as copy:
            for obj in objs:
                row = [obj.pk, *(getattr(obj, field.attname) for field in columns)]
                for index, convert in converters:
                    row[index + 1] = convert(row[index + 1])
                copy.write_row(row)
        assignments = ", ".join(f"{name} = s.{name}" for name in names)
        cursor.execute(
            f"UPDATE {table} AS r SET {assignments} FROM {temporary} s"  # noqa: S608 (names from the model)
            f" WHERE r.{pk} = s.{pk}"
        )
    return len(objs)
