"""Column definitions shared by a list page and its CSV/XLSX export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import localize


@dataclass(frozen=True)
class Column:
    """One column: ``accessor`` is a dotted attribute path or a callable taking the row."""

    key: str
    label: Any
    accessor: str | Callable[[Any], Any] | None = None
    order_by: str | None = None  # database ordering used when the user sorts by this column
    link: bool = False  # render as a link to the row's get_absolute_url
    export: bool = True
    css: str = ""

    def value(self, row: Any) -> Any:
        accessor = self.accessor or self.key
        if callable(accessor):
            return accessor(row)
        value = row
        for part in accessor.split("."):
            if value is None:
                return None
            value = getattr(value, part)
            if callable(value) and not hasattr(value, "all"):
                value = value()
        return value

    def export_value(self, row: Any) -> Any:
        """The cell for a spreadsheet: dates and numbers stay typed, the rest is text."""
        value = self.value(row)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "✓" if value else ""
        if isinstance(value, dt.datetime):
            return (
                timezone.localtime(value).replace(tzinfo=None)
                if timezone.is_aware(value)
                else value
            )
        if isinstance(value, dt.date | int | float | Decimal):
            return value
        return str(value)

    def text(self, row: Any) -> str:
        value = self.value(row)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "✓" if value else ""
        return str(localize(value))


@dataclass(frozen=True)
class Table:
    """Columns plus what an export needs to fill them in a bounded number of queries.

    ``prepare`` receives each batch of ``batch_size`` rows before they are written: it loads,
    in one query per batch, the related rows and computed values the columns read and the
    queryset did not bring (``prefetch_related_objects`` skips relations already selected),
    so an export of any size never runs one query per row.
    """

    columns: Sequence[Column]
    default_order: str = ""
    searchable: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    prepare: Callable[[list[Any]], None] | None = None
    batch_size: int = 2000

    @property
    def sortable(self) -> dict[str, str]:
        return {column.key: column.order_by for column in self.columns if column.order_by}

    def ordering_for(self, sort: str | None) -> list[str] | None:
        """Translate a ``sort`` parameter (``name`` or ``-name``) into ORM ordering."""
        if not sort:
            return None
        descending = sort.startswith("-")
        key = sort.lstrip("-")
        field_name = self.sortable.get(key)
        if field_name is None:
            return None
        return [("-" if descending else "") + field_name, "pk"]

    def export_columns(self) -> list[Column]:
        return [column for column in self.columns if column.export]

    def rows(self, objects: Iterable[Any]) -> Iterable[list[str]]:
        columns = self.export_columns()
        for batch in _batches(objects, self.batch_size):
            if self.prepare is not None:
                self.prepare(batch)
            for obj in batch:
                yield [column.export_value(obj) for column in columns]


def _batches(objects: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
