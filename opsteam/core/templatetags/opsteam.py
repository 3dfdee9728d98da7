"""Template helpers: table cells, sort links, the policy's ``can``, bilingual fields."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from opsteam.core import markdown, policy
from opsteam.core.models import localized

register = template.Library()


@register.simple_tag
def render_cell(column, row):
    """Render one table cell; the linked column points at the row's detail page."""
    text = column.text(row)
    if column.link and hasattr(row, "get_absolute_url"):
        return format_html('<a href="{}">{}</a>', row.get_absolute_url(), text or "—")
    return text


@register.simple_tag
def render_row(table, row):
    """Render a row's cells (``<td>`` per column not hidden with ``d-none``), as looping over
    the columns with ``render_cell`` did: a list page has hundreds of cells, and a template loop
    per cell cost more than the rest of the page."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<td class="{conditional_escape(column.css)}">'
            f"{conditional_escape(render_cell(column, row))}</td>"
            for column in table.columns
            if column.css != "d-none"
        )
    )


@register.simple_tag(takes_context=True)
def sort_link(context, column):
    """Return the query string that sorts by ``column`` (toggling direction)."""
    request = context["request"]
    current = request.GET.get("sort", "")
    target = f"-{column.key}" if current == column.key else column.key
    query = request.GET.copy()
    query["sort"] = target
    query.pop("page", None)
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def page_link(context, page_number):
    query = context["request"].GET.copy()
    query["page"] = page_number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def export_link(context, file_format):
    query = context["request"].GET.copy()
    query.pop("page", None)
    query["export"] = file_format
    return "?" + urlencode(sorted(query.lists()), doseq=True)


@register.simple_tag(takes_context=True)
def can(context, action, target):
    """``{% can "change" object as allowed %}``: ask the policy from a template."""
    return policy.can(context["request"].user, action, target)


@register.filter
def tr(obj, field):
    """``{{ jd|tr:"purpose" }}``: the field in the active language, falling back to Chinese."""
    return localized(obj, field)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter(name="markdown")
def markdown_filter(text):
    """``{{ document.body|markdown }}``: user-written markdown as sanitised HTML."""
    return markdown.render(text)
