"""Columns of the recognition list pages, shared by each page and its CSV/xlsx export.

Values, badges and commendations have no ``get_absolute_url``, so a linked cell is its own
column (shown, not exported) beside the plain one (exported, hidden on the page).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.models import localized
from opsteam.core.tables import Column, Table
from opsteam.incentives.choices import BadgeCriterion


def _badge_link(badge: Any) -> str:
    return format_html(
        '<a href="{}">{}</a>',
        reverse("incentives:badge_detail", args=[badge.pk]),
        badge.display_name,
    )


def badge_requirement(badge: Any) -> str:
    """What the criterion asks for: the plan, the KPI or the number of kudos."""
    if badge.criterion == BadgeCriterion.PLAN_COMPLETED and badge.plan_id:
        return badge.plan.display_name
    if badge.criterion == BadgeCriterion.KPI_TOP_DECILE and badge.kpi_id:
        return badge.kpi.display_name
    if badge.criterion == BadgeCriterion.KUDOS_RECEIVED:
        return str(badge.threshold)
    return ""


def _value_edit_link(value: Any) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("incentives:value_edit", args=[value.pk]), _("Edit")
    )


VALUE_COLUMNS = (
    Column("order", _("Order"), order_by="order"),
    Column("code", _("Code"), order_by="code"),
    Column("name", _("Name"), accessor="display_name", order_by="name"),
    Column("description", _("Description"), accessor=lambda row: localized(row, "description")),
    Column("is_active", _("Active")),
)
VALUE_TABLE = Table(columns=VALUE_COLUMNS, default_order="order")
# HR's view of the same list: with a link to each value's edit page.
VALUE_TABLE_EDITABLE = Table(
    columns=(
        *VALUE_COLUMNS,
        Column("edit", "", accessor=_value_edit_link, export=False, css="text-end"),
    ),
    default_order="order",
)

BADGE_TABLE = Table(
    columns=(
        Column("code", _("Code"), order_by="code"),
        Column("badge", _("Badge"), accessor=_badge_link, order_by="name", export=False),
        Column("name", _("Badge"), accessor="display_name", css="d-none"),
        Column(
            "criterion",
            pgettext_lazy("badge", "Criterion"),
            accessor="get_criterion_display",
            order_by="criterion",
        ),
        Column("requirement", _("Requirement"), accessor=badge_requirement),
        Column("points", _("Points"), order_by="points"),
        Column("holders", pgettext_lazy("badge", "Holders"), order_by="holders"),
        Column("is_active", _("Active")),
    ),
    default_order="code",
)


def _commendation_team(commendation: Any) -> str:
    return commendation.unit.display_name


def _commendation_value(commendation: Any) -> str:
    return commendation.value.display_name if commendation.value_id else ""


COMMENDATION_TABLE = Table(
    columns=(
        Column("awarded_on", _("Awarded on"), order_by="awarded_on"),
        Column("unit", _("Team"), accessor=_commendation_team, order_by="unit__path"),
        Column("title", _("Title"), order_by="title"),
        Column("value", _("Company value"), accessor=_commendation_value),
        Column("points_each", _("Points for each member"), order_by="points_each"),
        Column("citation", _("Citation"), css="d-none"),
        Column("awarded_by", _("Awarded by"), accessor="awarded_by"),
    ),
    default_order="-awarded_on",
)
