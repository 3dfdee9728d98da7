"""Columns of the collaboration list pages, shared by each page and its export."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opsteam.collab import kinds
from opsteam.collab.models import Delivery, ImChannel
from opsteam.core.tables import Column, Table


def _unit(channel: ImChannel) -> str:
    return channel.unit.display_name if channel.unit_id else str(_("The whole company"))


def _kinds(channel: ImChannel) -> str:
    return ", ".join(kinds.label_of(slug) for slug in channel.kinds) or str(_("Every kind"))


CHANNEL_TABLE = Table(
    columns=(
        Column("name", _("Name"), order_by="name", link=True),
        Column("provider", _("Provider"), accessor="get_provider_display", order_by="provider"),
        Column("unit", _("Team or department"), accessor=_unit, order_by="unit__path"),
        Column("kinds", _("Kinds of notification"), accessor=_kinds),
        Column("enabled", _("Enabled"), order_by="enabled"),
    ),
    default_order="name",
)


def _target(delivery: Delivery) -> str:
    if delivery.channel_id:
        return delivery.channel.name
    return str(delivery.recipient) if delivery.recipient_id else ""


DELIVERY_TABLE = Table(
    columns=(
        Column("created_at", _("Created"), order_by="created_at"),
        Column("medium", _("Medium"), accessor="get_medium_display", order_by="medium"),
        Column("target", _("To"), accessor=_target),
        Column("kind", _("Kind"), accessor=lambda d: kinds.label_of(d.kind)),
        Column("title", _("Title")),
        Column("status", _("Status"), accessor="get_status_display", order_by="status"),
        Column("attempts", _("Attempts"), order_by="attempts"),
        Column("next_attempt_at", _("Next attempt"), order_by="next_attempt_at"),
        Column("sent_at", _("Sent at"), order_by="sent_at"),
        Column("status_code", _("HTTP status"), css="d-none"),
        Column("last_error", _("Last error")),
    ),
    default_order="-created_at",
)
