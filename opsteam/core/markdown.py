"""Markdown for people's writing (announcements, knowledge base, minutes, reports).

One renderer for the whole product: Python-Markdown with tables, fenced code and lists, then
nh3 keeps only harmless tags and attributes (no script, style, event handlers or javascript:
links), so user text can never inject markup. Links open in place; external ones get
``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import markdown as _markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
}
EXTENSIONS = ["tables", "fenced_code", "sane_lists", "nl2br"]


def render(text: str | None) -> SafeString:
    """Safe HTML for ``text`` written in markdown (empty text gives an empty string)."""
    if not text:
        return mark_safe("")
    html = _markdown.markdown(str(text), extensions=EXTENSIONS, output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 above)


def plain(text: str | None, limit: int | None = None) -> str:
    """The text without markup (for previews, notifications and search snippets)."""
    flat = " ".join(strip_tags(str(render(text))).split())
    if limit is not None and len(flat) > limit:
        return flat[: max(limit - 1, 0)].rstrip() + "…"
    return flat
