"""``opsteam backup <file.zip>``: a portable, consistent snapshot of every table.

Read in one transaction (REPEATABLE READ on PostgreSQL) while the site keeps running; restore it
with ``opsteam restore`` on SQLite or PostgreSQL. The format is described in
``opsteam.core.backup``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from opsteam.core import backup
from opsteam.core.management.commands.import_data import console_for


class StageProgress:
    """Rich progress bars, one per stage (backing up, checking, restoring, verifying).

    Shown only on a terminal: logs and cron output get the summary, not redrawn bars.
    """

    def __init__(self, console: Console, *, enabled: bool = True) -> None:
        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not (enabled and console.is_terminal),
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> StageProgress:
        self.bars.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.bars.stop()

    def __call__(self, stage: str, table: str, done: int, total: int) -> None:
        task = self.tasks.get(stage)
        if task is None:
            task = self.tasks[stage] = self.bars.add_task(stage, total=max(total, 1))
        description = f"{stage} {table}" if table else stage
        self.bars.update(task, description=description, completed=done, total=max(total, 1))


def human_size(size: int) -> str:
    """``1536`` -> ``1.5 KiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class Command(BaseCommand):
    # A backup is needed most when something else is broken: no URL or model system checks.
    requires_system_checks: list[str] = []
    help = (
        "Write a portable, consistent backup of every table to a .zip file "
        "(restore it with `opsteam restore`, on SQLite or PostgreSQL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write: a name ending in .zip")
        parser.add_argument("--force", action="store_true", help="overwrite an existing file")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if path.suffix.lower() != ".zip":
            raise CommandError(f"The file name must end in .zip: {path}")
        if not path.parent.is_dir():
            raise CommandError(f"No such directory: {path.parent}")
        if path.exists() and not options["force"]:
            raise CommandError(f"{path} exists; pass --force to overwrite it.")
        verbosity = options["verbosity"]
        err = console_for(self.stderr)
        out = console_for(self.stdout)
        try:
            with StageProgress(err, enabled=verbosity > 0) as bars:
                manifest = backup.create_backup(path, using=options["database"], progress=bars)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["tables"]
        if verbosity > 1:
            out.print(table_summary(tables))
        if manifest["not_backed_up"] and verbosity > 0:
            err.print(
                "Not backed up (no applied migration creates these tables): "
                + ", ".join(manifest["not_backed_up"])
            )
        if verbosity > 0:
            out.print(
                f"Backed up {len(tables)} tables, {sum(t['rows'] for t in tables)} rows "
                f"({manifest['database']['vendor']}) to {path} "
                f"({human_size(path.stat().st_size)})."
            )


def table_summary(tables: list[dict[str, Any]]) -> Table:
    """The tables of a manifest with their rows and checksums."""
    table = Table(title="Tables in dependency order", title_justify="left")
    table.add_column("Table")
    table.add_column("Rows", justify="right")
    table.add_column("SHA-256")
    for entry in tables:
        table.add_row(entry["table"], str(entry["rows"]), entry["sha256"][:16])
    return table
