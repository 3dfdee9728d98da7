"""``opsteam import <kind> <file>``: the import engine from the command line.

Checks every row first and lists every problem (row, column, value, reason); writes all rows
in one transaction or none. Exit status 1 when the file is rejected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from opsteam.core import audit, imports, policy
from opsteam.core.choices import AuditSource
from opsteam.core.exceptions import ImportRejected, PolicyDenied


def console_for(stream: Any) -> Console:
    """A rich console on the command's stream (wide when not a terminal, e.g. in a pipe)."""
    out = getattr(stream, "_out", stream)  # Django's OutputWrapper adds newlines to writes
    terminal = hasattr(out, "isatty") and out.isatty()
    return Console(file=out, width=None if terminal else 200, highlight=False)


def resolve_actor(username: str | None, action: str, model: Any) -> Any:
    """The user the command acts as: ``--user`` or the first active superuser; the policy
    must allow them ``action`` on ``model``."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(_("No active user named {name}.").format(name=username))
    else:
        user = users.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise CommandError(
                _(
                    "No active superuser exists to act as: pass --user USERNAME (a user allowed to do this) or create one with `opsteam createsuperuser`."
                )
            )
    if not policy.can(user, action, model):
        denied = {
            "import": _(
                "{name} is not allowed to import {things}; pass --user with a user who is."
            ),
            "export": _(
                "{name} is not allowed to export {things}; pass --user with a user who is."
            ),
        }[action]
        raise CommandError(
            denied.format(name=user.get_username(), things=model._meta.verbose_name_plural)
        )
    return user


class ImportProgress:
    """Progress bars for the engine's stages: checking (rows counted as they come), writing
    (rows of a known total), then saving history and audit entries.

    Where the console is not a terminal (a log, cron, CI) bars are not redrawn, so a plain line
    is printed per tenth of the rows written and per 10,000 rows checked.
    """

    def __init__(self, console: Console, file_name: str) -> None:
        self.console = console
        self.file_name = file_name
        self.bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self.task: Any = None
        self.total: int | None = None
        self.done = 0
        self.logged_step = 0
        self.finishing: Any = None

    def __enter__(self) -> ImportProgress:
        self.bars.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._end_stage()
        self.bars.stop()

    def _end_stage(self) -> None:
        if self.task is not None and self.total is None:  # the check is over: now it is counted
            self.bars.update(self.task, total=self.done, completed=self.done)
        if self.finishing is not None:
            self.bars.update(self.finishing, total=1, completed=1)

    def stage(self, name: str, rows: int) -> None:
        self._end_stage()
        self.done = self.logged_step = 0
        if name == "check":
            self.console.print(_("Checking {file}…").format(file=self.file_name))
            self.total = None
            self.task = self.bars.add_task(_("Checking rows"), total=None)
        else:
            self.console.print(_("Writing {rows} rows in one transaction…").format(rows=rows))
            self.total = rows
            self.task = self.bars.add_task(_("Writing rows"), total=rows)

    def advance(self, rows: int) -> None:
        self.done = rows
        if self.task is None:
            return
        self.bars.update(self.task, completed=rows)
        if not self.console.is_terminal:
            self._log(rows)
        if self.total is not None and rows >= self.total and self.finishing is None:
            # the assignment history, managers and audit entries are written after the rows
            self.finishing = self.bars.add_task(_("Saving history and audit trail"))

    def _log(self, rows: int) -> None:
        step = rows * 10 // self.total if self.total else rows // 10_000
        if step > self.logged_step:
            self.logged_step = step
            if self.total is None:
                self.console.print(f"{_('Checking rows')}: {rows}")
            else:
                self.console.print(f"{_('Writing rows')}: {rows}/{self.total}")


class Command(BaseCommand):
    help = "Import departments and teams, positions or staff from an .xlsx or .csv file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(imports.REGISTRY), help="what the file holds")
        parser.add_argument("file", help="an .xlsx or .csv file (see the import templates)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row and write nothing",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="act as this user (default: the first active superuser)",
        )
        parser.add_argument(
            "--batch",
            metavar="NAME",
            help="name the batch (kinds that keep one, e.g. kpi; default: file name + checksum)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        spec_class = imports.REGISTRY[options["kind"]]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: {path}").format(path=path))
        actor = resolve_actor(options["user"], "import", spec_class.model)
        out = console_for(self.stdout)
        err = console_for(self.stderr)

        bars = ImportProgress(err, path.name)
        try:
            with path.open("rb") as handle, audit.context(source=AuditSource.CLI), bars:
                outcome = imports.run_import(
                    actor=actor,
                    spec_class=spec_class,
                    handle=handle,
                    filename=path.name,
                    dry_run=options["dry_run"],
                    source=AuditSource.CLI,
                    progress=bars.advance,
                    stage=bars.stage,
                    batch=options["batch"],
                )
        except PolicyDenied as exc:
            raise CommandError(exc.message) from exc
        except ImportRejected as exc:
            self.print_problems(err, exc.errors)
            raise CommandError(exc.message) from exc

        job = outcome.job
        if outcome.dry_run:
            self.print_preview(out, spec_class, outcome.preview)
            out.print(
                _(
                    "{rows} rows checked, no problems found. Nothing was written (dry run; import #{job})."
                ).format(rows=outcome.rows_total, job=job.pk)
            )
            return
        out.print(
            _(
                "Imported {rows} rows: {created} created, {updated} updated, {unchanged} unchanged (import #{job})."
            ).format(
                rows=outcome.rows_total,
                created=outcome.created,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
                job=job.pk,
            )
        )

    def print_problems(self, console: Console, errors: list[dict[str, Any]]) -> None:
        table = Table(
            title=_("{count} problem(s); nothing was written").format(count=len(errors)),
            title_justify="left",
        )
        for label in (_("Row"), _("Column"), _("Value"), _("Problem")):
            table.add_column(label, overflow="fold")
        for error in errors:
            row = error.get("row")
            table.add_row(
                "—" if row is None else str(row),
                str(error.get("column") or "—"),
                str(error.get("value") or ""),
                str(error.get("reason") or ""),
            )
        console.print(table)

    def print_preview(
        self, console: Console, spec_class: type[imports.ImportSpec], preview: list[dict]
    ) -> None:
        if not preview:
            return
        table = Table(title=_("First rows"), title_justify="left")
        table.add_column(_("Row"))
        for column in spec_class.columns:
            table.add_column(column.key, overflow="fold")
        for row in preview:
            table.add_row(str(row["row"]), *(row.get(c.key, "") for c in spec_class.columns))
        console.print(table)
