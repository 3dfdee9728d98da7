"""Columns of the workflow list pages, shared by each page and its CSV/XLSX export."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.tables import Column, Table
from opsteam.workflow.models import WorkItem


def _step(item: WorkItem) -> str:
    return item.step.display_name if item.step_id else ""


WORK_ITEM_TABLE = Table(
    columns=(
        Column("reference", _("Reference"), order_by="reference", link=True),
        Column("title", _("Title"), order_by="title"),
        Column("process", _("Process"), accessor="process.code", order_by="process__code"),
        Column(
            "step", pgettext_lazy("process step", "Step"), accessor=_step, order_by="step__order"
        ),
        Column("status", _("Status"), accessor="get_status_display", order_by="status"),
        Column("priority", _("Priority"), accessor="get_priority_display", order_by="priority"),
        Column("kind", _("Kind"), accessor="get_kind_display", css="d-none"),
        Column("assignee", _("Assignee"), accessor="assignee.display_name"),
        Column("assignee_no", _("Employee number"), accessor="assignee.employee_no", css="d-none"),
        Column("unit", _("Team"), accessor="unit.display_name", order_by="unit__code"),
        Column("due_date", _("Due date"), order_by="due_date"),
        Column("step_started_at", _("In this step since"), order_by="step_started_at"),
        Column("reporter", _("Raised by"), accessor="reporter", css="d-none"),
        Column("created_at", _("Created"), order_by="created_at", css="d-none"),
        Column("closed_at", _("Closed at"), css="d-none"),
        Column("description", _("Description"), css="d-none"),
    ),
    default_order="-created_at",
)
