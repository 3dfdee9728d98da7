"""Columns of the KPI list pages; the same columns feed the xlsx/csv exports."""

from decimal import Decimal
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.tables import Column, Table


def plain(value: Decimal | None) -> Decimal | None:
    """A stored decimal without its padding zeros (88.000000 -> 88, 0.950000 -> 0.95)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _prepare_templates(rows: list[Any]) -> None:
    prefetch_related_objects(rows, "position", "level")


def _prepare_measurements(rows: list[Any]) -> None:
    prefetch_related_objects(rows, "staff", "kpi", "entered_by")


KPI_TABLE = Table(
    columns=(
        Column("code", _("Code"), order_by="code", link=True),
        Column("name", _("Name"), accessor="display_name", order_by="name"),
        Column("category", _("Category"), accessor="get_category_display", order_by="category"),
        Column("unit", _("Unit")),
        Column("direction", _("Direction"), accessor="get_direction_display", order_by="direction"),
        Column("aggregation", _("Period value"), accessor="get_aggregation_display"),
        Column("rule", _("Scoring rule"), accessor="get_rule_display", order_by="rule"),
        Column("target", _("Target"), accessor=lambda kpi: plain(kpi.target), order_by="target"),
        Column("is_veto", _("Veto item"), order_by="is_veto"),
        Column("is_active", _("Active"), order_by="is_active"),
    ),
    default_order="code",
)

KPI_TEMPLATE_TABLE = Table(
    columns=(
        Column(
            "position",
            _("Position"),
            accessor=lambda t: f"{t.position.code} {t.position.display_name}",
            order_by="position__code",
            link=True,
        ),
        Column("level", _("Level"), accessor="level.code", order_by="level__rank"),
        Column("version", _("Version"), accessor=lambda t: f"v{t.version}", order_by="version"),
        Column("status", _("Status"), accessor="get_status_display", order_by="status"),
        Column("item_count", _("KPIs"), accessor=lambda t: getattr(t, "item_count", None)),
        Column(
            "weight_total",
            _("Total weight (%)"),
            accessor=lambda t: getattr(t, "weight_total", None),
        ),
        Column("note", _("Note")),
        Column("updated_at", _("Last changed"), order_by="updated_at"),
    ),
    default_order="position__code",
    prepare=_prepare_templates,
)

MEASUREMENT_TABLE = Table(
    columns=(
        Column("date", _("Date"), order_by="date"),
        Column(
            "employee_no",
            _("Employee number"),
            accessor="staff.employee_no",
            order_by="staff__employee_no",
        ),
        Column(
            "name",
            pgettext_lazy("person", "Name"),
            accessor="staff.display_name",
            order_by="staff__name",
        ),
        Column("kpi", _("KPI code"), accessor="kpi.code", order_by="kpi__code"),
        Column("kpi_name", _("KPI"), accessor="kpi.display_name"),
        Column("value", _("Value"), accessor=lambda m: plain(m.value), order_by="value"),
        Column("denominator", _("Denominator"), accessor=lambda m: plain(m.denominator)),
        Column("source", _("Source"), accessor="get_source_display", order_by="source"),
        Column("batch", _("Import batch"), order_by="batch"),
        Column("entered_by", _("Entered by"), accessor="entered_by"),
        Column("recorded_at", _("Recorded at"), order_by="recorded_at"),
    ),
    default_order="-date",
    prepare=_prepare_measurements,
)
