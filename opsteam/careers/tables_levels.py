"""Columns of the job level list, shared by the page and its CSV/XLSX export."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from opsteam.core.tables import Column, Table


def _ladders(level: Any) -> str:
    return ", ".join(sorted({step.track.code for step in level.career_steps.all()}))


LEVEL_TABLE = Table(
    columns=(
        Column("code", gettext_lazy("Code"), order_by="code"),
        Column("name", gettext_lazy("Name"), order_by="name"),
        Column("name_en", gettext_lazy("English name"), order_by="name_en"),
        Column("track", gettext_lazy("Track"), accessor="get_track_display", order_by="track"),
        Column("rank", gettext_lazy("Rank"), order_by="rank"),
        Column("people", gettext_lazy("People at this level"), order_by="people"),
        Column("ladders", gettext_lazy("On ladders"), accessor=_ladders),
    ),
)
