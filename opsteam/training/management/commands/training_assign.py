"""``opsteam training_assign``: run the plan assignment rules now (also a nightly job)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from opsteam.core import audit
from opsteam.core.choices import AuditSource
from opsteam.core.exceptions import PolicyDenied
from opsteam.training import services_catalogue as services


class Command(BaseCommand):
    help = (
        "Give training plans to everyone the active assignment rules match (hires, position"
        " and level changes, improvement plans). Idempotent: nothing is assigned twice."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--since", type=dt.date.fromisoformat, help="only events on or after YYYY-MM-DD"
        )
        group.add_argument(
            "--days", type=int, help="only events in the last N days (default: all events)"
        )
        parser.add_argument(
            "--user", help="act as this user (must be allowed to run the rules); default: system"
        )

    def handle(self, *args, **options):
        out = getattr(self.stdout, "_out", self.stdout)
        console = Console(file=out, width=None if out.isatty() else 200, highlight=False)
        actor = None
        if options["user"]:
            actor = (
                get_user_model().objects.filter(username=options["user"], is_active=True).first()
            )
            if actor is None:
                raise CommandError(_("No active user named {name}.").format(name=options["user"]))
        since = options["since"]
        if options["days"] is not None:
            since = timezone.localdate() - dt.timedelta(days=options["days"])
        labels = {
            "events": _("Events found"),
            "proposals": _("Plans to assign"),
            "written": _("Plans assigned"),
        }
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=not out.isatty(),
        ) as bars:
            task = bars.add_task(_("Reading events…"), total=None)

            def progress(stage: str, count: int) -> None:
                bars.update(
                    task, description="{label}: {count}".format(label=labels[stage], count=count)
                )

            try:
                with audit.context(source=AuditSource.CLI):
                    result = services.plan_rules_run(actor=actor, since=since, progress=progress)
            except PolicyDenied as exc:
                raise CommandError(
                    _("{name} may not run the assignment rules.").format(name=options["user"])
                ) from exc
        table = Table(title=_("Assignment rules run"))
        table.add_column(_("What"))
        table.add_column(_("Count"), justify="right")
        for label, value in (
            (_("Events found"), result.events),
            (_("Plans assigned"), result.assignments_created),
            (_("Enrolments created"), result.enrolments_created),
            (_("Enrolments given an earlier due date"), result.enrolments_updated),
            (_("Already assigned earlier"), result.skipped),
        ):
            table.add_row(str(label), str(value))
        console.print(table)
        for line in result.explanations[:20]:
            console.print("  " + line)
