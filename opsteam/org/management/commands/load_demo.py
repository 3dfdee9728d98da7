"""``manage.py load_demo [--staff N] [--seed S]``: load the demo organisation (idempotent)."""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from opsteam.careers.demo import build_careers_demo
from opsteam.collab import demo as collab_demo
from opsteam.collab import (
    demo_announcements,
    demo_knowledge,
    demo_meetings,
    demo_reports,
    demo_suggestions,
)
from opsteam.incentives.demo import build_incentives_demo
from opsteam.insights import demo_review
from opsteam.org.demo import BASE_SIZE, DemoSummary, build_demo
from opsteam.surveys import demo_pulse
from opsteam.workflow import demo as workflow_demo


def build_training_demo(*, seed: int) -> dict[str, int]:
    """Courses, plans, exams, a past session with its effects and upcoming sessions."""
    import random

    from django.db import transaction

    from opsteam.accounts.models import User
    from opsteam.core import audit
    from opsteam.core.choices import AuditSource
    from opsteam.training import demo

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        admin = User.objects.get(username="admin")
        return demo.build(actor=admin, rng=random.Random(seed))  # noqa: S311 - demo data


def build_appraisal_demo(*, seed: int) -> dict[str, int]:
    """KPIs, templates, measurements and two review cycles for the demo (idempotent)."""
    import random

    from django.db import transaction

    from opsteam.accounts.models import User
    from opsteam.core import audit
    from opsteam.core.choices import AuditSource
    from opsteam.performance import demo

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        admin = User.objects.get(username="admin")
        return demo.build(actor=admin, rng=random.Random(seed))  # noqa: S311 - demo data


class Command(BaseCommand):
    help = (
        "加载演示组织（可重复运行，不会重复创建）。Load the demo e-commerce operations "
        "organisation; running it again changes nothing. --staff N builds a large organisation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--staff",
            type=int,
            default=BASE_SIZE,
            help="总人数 Total staff (default 60; more builds regional centres for benchmarks).",
        )
        parser.add_argument("--seed", type=int, default=7, help="随机种子 Random seed (default 7).")

    def handle(self, *args: Any, **options: Any) -> None:
        staff, seed = options["staff"], options["seed"]
        verbosity = options["verbosity"]
        progress_console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=progress_console,
            transient=True,
            disable=verbosity == 0 or not progress_console.is_terminal,
        ) as bar:
            task = bar.add_task("演示组织 Demo organisation", total=1)

            def report(stage: str, done: int, total: int) -> None:
                bar.update(task, description=stage, completed=done, total=max(total, 1))

            summary = build_demo(staff=staff, seed=seed, progress=report)
            report("考核演示数据 Appraisal demo data", 0, 1)
            appraisal = build_appraisal_demo(seed=seed)
            summary.created.update({f"performance.{k}": n for k, n in appraisal.items() if n})
            report("培训演示数据 Training demo data", 0, 1)
            training = build_training_demo(seed=seed)
            summary.created.update({f"training.{k}": n for k, n in training.items() if n})
            report("职业发展演示数据 Careers demo data", 0, 1)
            careers = build_careers_demo(seed=seed)
            summary.created.update({f"careers.{k}": n for k, n in careers.items() if n})
            report("激励演示数据 Incentives demo data", 0, 1)
            incentives = build_incentives_demo(seed=seed)
            summary.created.update({f"incentives.{k}": n for k, n in incentives.items() if n})
            report("流程演示数据 Workflow demo data", 0, 1)
            summary.created.update(workflow_demo.load(seed=seed))
            report("通知演示数据 Notification demo data", 0, 1)
            summary.created.update(collab_demo.load(seed=seed))
            report("协作演示数据 Collaboration demo data", 0, 1)
            for area in (
                demo_announcements,
                demo_knowledge,
                demo_meetings,
                demo_reports,
                demo_suggestions,
                demo_pulse,
                demo_review,
            ):
                summary.created.update(area.load(seed=seed))
        if verbosity > 0:
            self.stdout.write(render_summary(summary), ending="")


def render_summary(summary: DemoSummary) -> str:
    """Return the bilingual outcome and the demo logins table as plain text."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None, highlight=False)
    if summary.created_total == 0:
        console.print(
            "演示组织已存在，未做任何更改。The demo organisation already exists; nothing changed."
        )
    else:
        console.print(
            f"已加载演示组织，用时 {summary.seconds:.1f} 秒。"
            f"Demo organisation loaded in {summary.seconds:.1f} s."
        )
        created = Table(title="新建记录 Rows created", show_edge=False)
        created.add_column("类型 Type")
        created.add_column("数量 Count", justify="right")
        for label, count in sorted(summary.created.items()):
            created.add_row(label, str(count))
        created.add_row("core.AuditEntry", str(summary.audit_entries))
        console.print(created)
    console.print(f"人员 Staff: {summary.staff_total}  ·  组织单元 Org units: {summary.unit_total}")
    logins = Table(title="演示账号 Demo logins", show_lines=False)
    logins.add_column("用户名 Username", style="bold")
    logins.add_column("密码 Password")
    logins.add_column("角色 Role")
    logins.add_column("范围 Scope")
    logins.add_column("姓名 Name")
    for login in summary.logins:
        logins.add_row(
            login.username, summary.password, login.role_label, login.scope, login.display_name
        )
    console.print(logins)
    return buffer.getvalue()
