"""Columns of the announcement pages, shared by each page and its export."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opsteam.collab.models import Announcement, AnnouncementReceipt
from opsteam.core.tables import Column, Table


def _rate(count: int | None, announcement: Announcement) -> str:
    if not announcement.audience_size or count is None:
        return "—"
    return f"{100 * count / announcement.audience_size:.0f}%"


def _audience(announcement: Announcement) -> Any:
    if announcement.status in ("draft", "scheduled"):
        return "—"
    return announcement.audience_size


def _ack(announcement: Announcement) -> str:
    if not announcement.requires_acknowledgement:
        return str(_("Not asked"))
    return _rate(getattr(announcement, "ack_count", None), announcement)


def _author(announcement: Announcement) -> str:
    return announcement.author.get_username() if announcement.author_id else str(_("System"))


ANNOUNCEMENT_TABLE = Table(
    columns=(
        Column("title", _("Title"), order_by="title", link=True),
        Column("status", _("Status"), accessor="get_status_display", order_by="status"),
        Column(
            "importance", _("Importance"), accessor="get_importance_display", order_by="importance"
        ),
        Column("audience_size", _("Audience"), accessor=_audience, order_by="audience_size"),
        Column("read", _("Read"), accessor=lambda a: _rate(getattr(a, "read_count", None), a)),
        Column("acknowledged", _("Acknowledged"), accessor=_ack),
        Column("published_at", _("Published at"), order_by="published_at"),
        Column("expires_at", _("Expires at"), order_by="expires_at"),
        Column("author", _("Author"), accessor=_author),
    ),
    default_order="-created_at",
)


def _reader(receipt: AnnouncementReceipt) -> str:
    staff = getattr(receipt.user, "staff", None)
    return staff.display_name if staff else receipt.user.get_username()


def _employee_no(receipt: AnnouncementReceipt) -> str:
    staff = getattr(receipt.user, "staff", None)
    return staff.employee_no if staff else ""


RECEIPT_TABLE = Table(
    columns=(
        Column("reader", _("Reader"), accessor=_reader),
        Column("employee_no", _("Employee number"), accessor=_employee_no),
        Column("team", _("Team"), accessor=lambda r: r.unit.display_name if r.unit_id else ""),
        Column("read_at", _("Read at")),
        Column("acknowledged_at", _("Acknowledged at")),
    ),
)
