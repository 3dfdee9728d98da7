"""Columns of the org list pages; the same columns feed the xlsx/csv exports."""

from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.models import localized
from opsteam.core.tables import Column, Table

# Export batches: load what the columns read in one query per relation per batch. Relations the
# queryset already selected are skipped, and so are annotations the list page's queryset made.


def _prepare_staff(rows: list[Any]) -> None:
    prefetch_related_objects(rows, "unit", "position", "level", "manager")


def _prepare_units(rows: list[Any]) -> None:
    from opsteam.org.selectors import unit_headcounts

    prefetch_related_objects(rows, "parent", "lead")
    missing = [unit for unit in rows if not hasattr(unit, "headcount")]
    if missing:
        counts = unit_headcounts(unit_ids=[unit.pk for unit in missing])
        for unit in missing:
            unit.headcount = counts[unit.pk]


def _prepare_positions(rows: list[Any]) -> None:
    from opsteam.org.selectors import position_list_state

    prefetch_related_objects(rows, "family", "unit", "min_level", "max_level")
    missing = [position for position in rows if not hasattr(position, "holder_count")]
    if missing:
        state = position_list_state(position_ids=[position.pk for position in missing])
        for position in missing:
            for name, value in state[position.pk].items():
                setattr(position, name, value)


def _prepare_job_descriptions(rows: list[Any]) -> None:
    prefetch_related_objects(rows, "position")


STAFF_TABLE = Table(
    columns=(
        Column("employee_no", _("Employee number"), order_by="employee_no", link=True),
        Column("name", pgettext_lazy("person", "Name"), accessor="display_name", order_by="name"),
        Column(
            "unit", _("Department or team"), accessor="unit.display_name", order_by="unit__path"
        ),
        Column(
            "position", _("Position"), accessor="position.display_name", order_by="position__code"
        ),
        Column("level", _("Level"), accessor="level.code", order_by="level__rank"),
        Column("manager", _("Manager"), accessor="manager.display_name", order_by="manager__name"),
        Column("status", _("Status"), accessor="get_status_display", order_by="status"),
        Column("hire_date", _("Hire date"), order_by="hire_date"),
        Column("email", _("Email"), css="d-none d-xl-table-cell"),
        Column("phone", _("Phone"), css="d-none"),
        Column("gender", _("Gender"), accessor="get_gender_display", css="d-none"),
    ),
    default_order="employee_no",
    prepare=_prepare_staff,
)

UNIT_TABLE = Table(
    columns=(
        Column("code", _("Code"), order_by="code", link=True),
        Column("name", _("Name"), accessor="display_name", order_by="name"),
        Column("kind", _("Kind"), accessor="get_kind_display", order_by="kind"),
        Column("parent", _("Parent"), accessor="parent.display_name"),
        Column("lead", _("Lead"), accessor="lead.display_name"),
        Column("headcount", _("Headcount"), order_by="headcount"),
    ),
    default_order="path",
    prepare=_prepare_units,
)

POSITION_TABLE = Table(
    columns=(
        Column("code", _("Code"), order_by="code", link=True),
        Column("name", _("Name"), accessor="display_name", order_by="name"),
        Column(
            "family",
            _("Role family"),
            accessor="family.display_name",
            order_by="family__sort_order",
        ),
        Column("unit", _("Home unit"), accessor="unit.display_name"),
        Column(
            "levels",
            _("Levels"),
            accessor=lambda p: "–".join(
                level.code for level in (p.min_level, p.max_level) if level
            ),
        ),
        Column("holder_count", _("Holders"), order_by="holder_count"),
        Column("headcount_plan", _("Planned headcount"), order_by="headcount_plan"),
        Column("jd_status", _("Job description"), accessor=lambda p: p.jd_version_label),
    ),
    default_order="code",
    prepare=_prepare_positions,
)

JOB_DESCRIPTION_TABLE = Table(
    columns=(
        Column(
            "position",
            _("Position"),
            accessor=lambda jd: f"{jd.position.code} {jd.position.display_name}",
            order_by="position__code",
            link=True,
        ),
        Column("version", _("Version"), accessor=lambda jd: f"v{jd.version}", order_by="version"),
        Column("status", _("Status"), accessor="get_status_display", order_by="status"),
        Column("purpose", _("Purpose"), accessor=lambda jd: localized(jd, "purpose")[:80]),
        Column("effective_from", _("Effective from"), order_by="effective_from"),
        Column("updated_at", _("Last changed"), order_by="updated_at"),
    ),
    default_order="position__code",
    prepare=_prepare_job_descriptions,
)
