"""Markup of the org pages' largest repeated parts, rendered in Python.

A RACI matrix of 30 activities by 15 positions has 450 cells and the org chart's outline of a
10,000-person company a thousand units: one template include per cell or unit cost more than
the rest of the page. The markup is what the included templates produced
(org/tests/test_page_rendering.py compares them); each part has one implementation, used by the
page and by the htmx partial that re-renders one piece.
"""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _escape(value: Any) -> str:
    """``conditional_escape`` without its lazy-string wrapper, which costs more than the escaping
    when called thousands of times per page (same result: Django escapes with ``html.escape``)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


# Stand-ins for the two ids in the cell URL: reversed once per page, then filled in per cell.
_ACTIVITY, _POSITION = 987654321, 987654322
_SELECT = (
    '<select name="role" class="form-select form-select-sm border-0 bg-transparent px-1" '
    'aria-label="{} / {}" hx-post="{}" hx-trigger="change" hx-target="closest td" '
    'hx-swap="outerHTML"><option value=""></option>{}</select>'
)


class _Cells:
    """What every cell of one rendering shares: the URL shape, the role codes, labels."""

    def __init__(self, can_edit: bool, roles: Any) -> None:
        self.can_edit = bool(can_edit)
        codes = [code for code, _label in roles] if can_edit else []
        # The options differ only in which code is selected: one string per current role.
        self.options = {
            current: format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((code, " selected" if code == current else "", code) for code in codes),
            )
            for current in ["", *codes]
        }
        self.url = reverse("org:raci_cell", args=[_ACTIVITY, _POSITION]) if can_edit else ""
        self.labels: dict[tuple[type, Any], str] = {}

    def label(self, obj: Any) -> str:
        key = (type(obj), obj.pk)
        if key not in self.labels:
            self.labels[key] = _escape(obj)
        return self.labels[key]

    def cell(self, activity: Any, position: Any, role: Any) -> str:
        """One cell's markup, every value escaped."""
        if self.can_edit:
            options = self.options.get(role)
            if options is None:  # not a RACI code: no option selected, as the template did
                options = self.options[""]
            url = self.url.replace(str(_ACTIVITY), str(activity.pk)).replace(
                str(_POSITION), str(position.pk)
            )
            inner = _SELECT.format(
                self.label(activity), self.label(position), _escape(url), options
            )
        else:
            inner = _escape(role)
        css = f" raci-{_escape(role)}" if role else ""
        return (
            f'<td class="raci-cell{css}" id="cell-{_escape(activity.pk)}-{_escape(position.pk)}">'
            f"{inner}</td>"
        )


@register.simple_tag(takes_context=True)
def raci_cells(context: template.Context, row: dict[str, Any]) -> SafeString:
    """Every cell of one matrix row (``row["cells"]`` holds (position, role) pairs)."""
    shared = context.render_context.get("raci_cells")
    if shared is None:
        shared = _Cells(context.get("can_edit"), context.get("roles") or ())
        context.render_context["raci_cells"] = shared
    activity = row["activity"]
    return mark_safe(  # noqa: S308 - every part is escaped by _Cells.cell
        "".join(shared.cell(activity, position, role) + "\n" for position, role in row["cells"])
    )


@register.simple_tag(takes_context=True)
def raci_cell(context: template.Context, activity: Any, position: Any, role: Any) -> SafeString:
    """One cell, as the htmx edit returns it."""
    cells = _Cells(context.get("can_edit"), context.get("roles") or ())
    return mark_safe(cells.cell(activity, position, role))  # noqa: S308 - escaped by _Cells.cell


def _number(value: int) -> str:
    """``{{ value }}`` of an integer: localised only when thousands are grouped."""
    return localize(value) if settings.USE_THOUSAND_SEPARATOR else str(value)


def _outline(nodes: list[dict[str, Any]], parts: list[str]) -> None:
    parts.append('<ul class="list-unstyled ms-3 mb-0">')
    for node in nodes:
        lead = f"{_escape(node['lead'])} · " if node["lead"] else ""
        parts.append(
            f'\n<li><a href="{_escape(node["url"])}">{_escape(node["name"])}</a> '
            f'<span class="text-secondary small">{lead}{_escape(_number(node["total"]))}</span>\n'
        )
        if node["children"]:
            _outline(node["children"], parts)
        parts.append("</li>\n")
    parts.append("</ul>\n")


@register.simple_tag
def unit_outline(nodes: list[dict[str, Any]]) -> SafeString:
    """The org chart's outline: nested lists of units (``selectors.org_chart`` nodes)."""
    parts: list[str] = []
    _outline(nodes, parts)
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped by _escape
