"""Columns of the suggestion list, shared by the page and its export.

No column names an anonymous suggestion's author (there is none to name); named authors are
shown as people choose to be seen.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsteam.collab.models_suggestions import Suggestion
from opsteam.core.tables import Column, Table


def _author(suggestion: Suggestion) -> str:
    if suggestion.is_anonymous or suggestion.author_id is None:
        return str(_("Anonymous"))
    return str(suggestion.author)


def _unit(suggestion: Suggestion) -> str:
    return suggestion.unit.display_name if suggestion.unit_id else ""


def _owner(suggestion: Suggestion) -> str:
    return str(suggestion.owner) if suggestion.owner_id else ""


def _overdue(suggestion: Suggestion) -> bool:
    return suggestion.is_overdue


SUGGESTION_TABLE = Table(
    columns=(
        Column("title", _("Title"), order_by="title", link=True),
        Column("category", _("Category"), accessor="get_category_display", order_by="category"),
        Column("unit", _("Addressed to"), accessor=_unit, order_by="unit__path"),
        Column("author", _("Submitted by"), accessor=_author),
        Column("status", _("Status"), accessor="get_status_display", order_by="status"),
        Column("votes", _("Votes"), accessor="vote_count", order_by="vote_count"),
        Column("comments", _("Comments"), accessor="comment_count", order_by="comment_count"),
        Column("owner", _("Owner"), accessor=_owner),
        Column("due_date", _("Due date"), order_by="due_date"),
        Column("overdue", _("Overdue"), accessor=_overdue),
        Column(
            "created_at",
            _("Submitted"),
            accessor=lambda s: timezone.localdate(s.created_at),
            order_by="created_at",
        ),
        Column("decision_note", _("Decision note"), export=True, css="d-none"),
    ),
    default_order="-created_at",
)
