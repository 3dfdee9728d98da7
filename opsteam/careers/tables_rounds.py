"""Columns of the promotion-round pages, shared by each page and its CSV/XLSX export."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opsteam.careers.models import Nomination
from opsteam.core.tables import Column, Table


def _met_of_total(nomination: Nomination) -> str:
    """ "3/5": standards met at nomination out of those the level asks for."""
    snapshot = nomination.eligibility or {}
    return "{met}/{total}".format(met=snapshot.get("met", 0), total=snapshot.get("total", 0))


ROUND_TABLE = Table(
    columns=(
        Column("name", _("Round"), accessor="display_name", order_by="name", link=True),
        Column("status", _("Stage"), accessor="get_status_display", order_by="status"),
        Column("nominations_close", _("Nominations close"), order_by="nominations_close"),
        Column("effective_date", _("Promotions take effect"), order_by="effective_date"),
        Column("nomination_count", _("Nominations"), order_by="nomination_count"),
        Column("committee_size", _("Committee members")),
        Column("allow_self_nomination", _("Self-nomination allowed")),
        Column("name_en", _("English name"), css="d-none"),
    ),
    default_order="-effective_date",
)

NOMINATION_TABLE = Table(
    columns=(
        Column("employee_no", _("Employee number"), accessor="staff.employee_no"),
        Column("staff", _("Nominee"), accessor="staff.display_name"),
        Column("unit", _("Department or team"), accessor="unit.display_name"),
        Column("from_level", _("Current level"), accessor="from_level.display_name"),
        Column("target_level", _("Proposed level"), accessor="target_level.display_name"),
        Column("kind", _("Nominated as"), accessor="get_kind_display"),
        Column("nominated_by", _("Nominated by"), accessor="nominated_by"),
        Column("met", _("Standards met at nomination"), accessor=_met_of_total),
        Column("ready_at_nomination", _("Ready at nomination")),
        Column("defence_score", _("Committee mean score")),
        Column("status", _("Status"), accessor="get_status_display"),
        Column("decided_at", _("Decided at")),
        Column("decision_note", _("Decision note")),
    ),
)
