"""Columns of the growth lists (ladders, development plans, team readiness), shared by each
page and its CSV/XLSX export."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from opsteam.core.tables import Column, Table


def _ladder(track: Any) -> str:
    return " → ".join(step.level.code for step in track.steps.all())


def _progress(plan: Any) -> int | None:
    return round(plan.progress_mean) if plan.progress_mean is not None else None


def _done(plan: Any) -> str:
    return f"{plan.actions_done}/{plan.actions_total}"


TRACK_TABLE = Table(
    columns=(
        Column("code", gettext_lazy("Code"), order_by="code", link=True),
        Column("name", gettext_lazy("Name"), accessor="display_name", order_by="name"),
        Column("kind", gettext_lazy("Kind"), accessor="get_kind_display", order_by="kind"),
        Column("ladder", gettext_lazy("Levels, lowest first"), accessor=_ladder),
        Column("is_active", gettext_lazy("Active")),
        Column("name_en", gettext_lazy("English name"), css="d-none"),
    ),
    default_order="kind",
)

PLAN_TABLE = Table(
    columns=(
        Column("title", gettext_lazy("Plan"), order_by="title", link=True),
        Column(
            "staff",
            gettext_lazy("Staff member"),
            accessor="staff.display_name",
            order_by="staff__employee_no",
        ),
        Column("unit", gettext_lazy("Department or team"), accessor="staff.unit.display_name"),
        Column(
            "target_level",
            gettext_lazy("Target level"),
            accessor="target_level.display_name",
            order_by="target_level__rank",
        ),
        Column("status", gettext_lazy("Status"), accessor="get_status_display", order_by="status"),
        Column("start_date", gettext_lazy("Start"), order_by="start_date"),
        Column("end_date", gettext_lazy("Target date"), order_by="end_date"),
        Column("actions", gettext_lazy("Actions done"), accessor=_done),
        Column("progress", gettext_lazy("Progress (%)"), accessor=_progress),
        Column("last_checkin", gettext_lazy("Last check-in"), order_by="last_checkin"),
    ),
    default_order="-start_date",
)

READINESS_TABLE = Table(
    columns=(
        Column("rank", gettext_lazy("Rank")),
        Column("employee_no", gettext_lazy("Employee number"), accessor="staff.employee_no"),
        Column("staff", gettext_lazy("Staff member"), accessor="staff.display_name"),
        Column("unit", gettext_lazy("Department or team"), accessor="staff.unit.display_name"),
        Column("level", gettext_lazy("Current level"), accessor="staff.level.code"),
        Column("target", gettext_lazy("Next level"), accessor="target.code"),
        Column("target_name", gettext_lazy("Next level name"), accessor="target.display_name"),
        Column("ready", gettext_lazy("Ready"), accessor="result.ready"),
        Column("met", gettext_lazy("Standards met"), accessor="result.met_count"),
        Column("total", gettext_lazy("Standards"), accessor="result.total"),
        Column("percent", gettext_lazy("Share met (%)"), accessor="percent"),
        Column("missing", gettext_lazy("Missing"), accessor=lambda row: "; ".join(row.missing)),
    ),
)
