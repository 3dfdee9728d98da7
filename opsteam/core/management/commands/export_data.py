"""``opsteam export <kind> <file.xlsx|file.csv>``: the list pages' exports from the command line.

Same columns as the list pages, same policy scope (``restrict(user, "export")``), written through
``opsteam.core.exports`` so that formula injection is escaped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from opsteam.core import exports
from opsteam.core.management.commands.import_data import console_for, resolve_actor
from opsteam.core.models import AuditEntry
from opsteam.core.tables import Table


@dataclass(frozen=True)
class ExportKind:
    model: Any
    stem: str
    table: Table
    queryset: Callable[[Any], QuerySet]


def _units(user: Any) -> QuerySet:
    from opsteam.org.choices import StaffStatus
    from opsteam.org.models import OrgUnit

    # as OrgUnitListView.base_queryset: the headcount column needs the annotation
    return (
        OrgUnit.objects.restrict(user, "export")
        .select_related("parent", "lead")
        .annotate(headcount=Count("members", filter=~Q(members__status=StaffStatus.LEFT)))
        .order_by("path", "pk")
    )


def _positions(user: Any) -> QuerySet:
    from opsteam.org.models import Position
    from opsteam.org.views import _positions_with_jd_state

    return _positions_with_jd_state(Position.objects.restrict(user, "export")).order_by(
        "code", "pk"
    )


def _staff(user: Any) -> QuerySet:
    from opsteam.org.models import Staff

    return (
        Staff.objects.restrict(user, "export")
        .select_related("unit", "position", "level", "manager")
        .order_by("employee_no", "pk")
    )


def _audit(user: Any) -> QuerySet:
    return AuditEntry.objects.restrict(user, "export").order_by("-at", "-id")


def kinds() -> dict[str, ExportKind]:
    """The exportable lists, with the columns of their list pages."""
    from opsteam.core.views import AUDIT_TABLE
    from opsteam.org.models import OrgUnit, Position, Staff
    from opsteam.org.tables import POSITION_TABLE, STAFF_TABLE, UNIT_TABLE

    return {
        "units": ExportKind(OrgUnit, "org-units", UNIT_TABLE, _units),
        "positions": ExportKind(Position, "positions", POSITION_TABLE, _positions),
        "staff": ExportKind(Staff, "staff", STAFF_TABLE, _staff),
        "audit": ExportKind(AuditEntry, "audit", AUDIT_TABLE, _audit),
    }


KINDS = ("units", "positions", "staff", "audit")


class Command(BaseCommand):
    help = "Export departments and teams, positions, staff or the audit trail to .xlsx or .csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, help="what to export")
        parser.add_argument("file", help="where to write: a name ending in .xlsx or .csv")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="export what this user may export (default: the first active superuser)",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the column headers and labels",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        file_format = path.suffix.lower().lstrip(".")
        if file_format not in ("xlsx", "csv"):
            raise CommandError(
                _("The file name must end in .xlsx or .csv: {path}").format(path=path)
            )
        if not path.parent.is_dir():
            raise CommandError(_("No such directory: {path}").format(path=path.parent))
        kind = kinds()[options["kind"]]
        user = resolve_actor(options["user"], "export", kind.model)
        with translation.override(options["language"]):
            count = self.export(kind, user, path, file_format)
        console_for(self.stdout).print(
            _("Exported {rows} rows to {path}.").format(rows=count, path=path)
        )

    def export(self, kind: ExportKind, user: Any, path: Path, file_format: str) -> int:
        table = kind.table
        queryset = kind.queryset(user)
        total = queryset.count()
        header = [str(column.label) for column in table.export_columns()]
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console_for(self.stderr),
        )
        written = [0]

        def counted(rows: Iterable[list[str]], task: Any) -> Iterator[list[str]]:
            for row in rows:
                written[0] += 1
                if written[0] % 500 == 0 or written[0] == total:
                    progress.update(task, completed=written[0])
                yield row

        # Write next to the target and rename at the end: a failed export leaves no half file.
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with progress:
                task = progress.add_task(_("Exporting {kind}").format(kind=kind.stem), total=total)
                rows = counted(table.rows(queryset.iterator(chunk_size=2000)), task)
                if file_format == "csv":
                    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                        for line in exports.iter_csv(header, rows):
                            out.write(line)
                else:
                    with (
                        os.fdopen(fd, "wb") as out,
                        exports.write_xlsx(header, rows, sheet_title=kind.stem) as workbook,
                    ):
                        shutil.copyfileobj(workbook, out)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        return written[0]
