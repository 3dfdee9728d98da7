"""``opsteam restore <file.zip>``: load a backup into a new, empty database.

The database must be empty and at the backup's migration state (``--migrate`` migrates a new
database to it first). Every file is checked before anything is written; everything is written
in one transaction; every table's rows and checksum are compared with the backup before it
commits. ``--verify`` compares a database with a backup and writes nothing. Exit status 1 on
any refusal or difference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from rich.table import Table

from opsteam.core import backup
from opsteam.core.management.commands.backup import StageProgress
from opsteam.core.management.commands.import_data import console_for


class Command(BaseCommand):
    # A backup is needed most when something else is broken: no URL or model system checks.
    requires_system_checks: list[str] = []
    help = (
        "Restore a backup made by `opsteam backup` into a new, empty database "
        "(or, with --verify, compare the database with it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a backup .zip made by `opsteam backup`")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--migrate",
            action="store_true",
            help="first migrate this new, empty database to the backup's migration state",
        )
        mode.add_argument(
            "--verify",
            action="store_true",
            help="write nothing: compare every table of the database with the backup",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        verbosity = options["verbosity"]
        out = console_for(self.stdout)
        err = console_for(self.stderr)
        try:
            with StageProgress(err, enabled=verbosity > 0) as bars:
                if options["verify"]:
                    report = backup.compare_with_database(
                        path, using=options["database"], progress=bars
                    )
                else:
                    report = backup.restore_backup(
                        path,
                        using=options["database"],
                        migrate=options["migrate"],
                        progress=bars,
                    )
        except backup.RestoreMismatch as exc:
            if exc.results:
                out.print(results_table(exc.results))
            raise CommandError(str(exc)) from exc
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc

        if verbosity > 0:
            out.print(results_table(report.results))
        manifest = report.manifest
        rows = sum(result.rows or 0 for result in report.results)
        if options["verify"]:
            if not report.ok:
                raise CommandError(
                    "The database differs from the backup:\n"
                    + "\n".join(f"  - {r.describe()}" for r in report.results if not r.ok)
                )
            if verbosity > 0:
                out.print(
                    f"The database matches the backup of {manifest['created_at']}: "
                    f"{len(report.results)} tables, {rows} rows, identical checksums."
                )
            return
        if verbosity > 0:
            if report.migrations_run:
                out.print(f"Applied {report.migrations_run} migrations first.")
            out.print(
                f"Restored {len(report.results)} tables, {rows} rows from the "
                f"{manifest['database']['vendor']} backup of {manifest['created_at']}; "
                "every row count and checksum matches."
            )
            if report.pending_migrations:
                out.print(
                    f"This OpsTeam has {report.pending_migrations} newer migrations: run "
                    "`opsteam migrate` now."
                )


def results_table(results: list[backup.TableResult]) -> Table:
    """Per table: rows in the backup and in the database, and whether the checksums match."""
    table = Table(title="Tables", title_justify="left")
    table.add_column("Table")
    table.add_column("Backup rows", justify="right")
    table.add_column("Database rows", justify="right")
    table.add_column("Checksum")
    for result in results:
        if result.ok:
            verdict = "identical"
        elif result.expected_rows is None or result.rows is None:
            verdict = "MISSING"
        else:
            verdict = "DIFFERENT"
        table.add_row(
            result.table,
            "—" if result.expected_rows is None else str(result.expected_rows),
            "—" if result.rows is None else str(result.rows),
            verdict,
        )
    return table
