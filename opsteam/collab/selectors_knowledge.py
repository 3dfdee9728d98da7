"""Reads of collab: knowledge base, shared by pages, API, exports and the home page.

``document_list`` is the one place that applies the knowledge base's data rule (see the note
on ``collab.document`` in core/policy.py): HR, administrators and auditors see every
document; everyone else sees published documents that are company-wide or belong to a unit
above (or at) their own, plus every document of the subtrees they manage and their own drafts.
Search, links on job-description and step pages, the API and the home page all start there.

The text helpers at the bottom (tags, diffs, snippets) are pure: no database.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from opsteam.collab.models_knowledge import (
    Document,
    DocumentAttachment,
    DocumentStatus,
    DocumentVersion,
    DocumentVisibility,
)
from opsteam.core import markdown, policy
from opsteam.core.choices import Role
from opsteam.core.exceptions import NotVisible

MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_QUERY_LENGTH = 200
HOME_DAYS = 14


# Scope -------------------------------------------------------------------------------------


def _ids_on_path(path: str) -> set[int]:
    """The unit ids along a materialised path ("0000001/0000004/" -> {1, 4})."""
    return {int(part) for part in path.split("/") if part.isdigit()}


def sees_everything(user: Any) -> bool:
    """HR, administrators and auditors read every document, drafts and archive included."""
    roles = policy.user_roles(user)
    return any(role in roles for role in (Role.ADMIN, Role.HR, Role.AUDITOR))


def own_unit_paths(user: Any) -> list[str]:
    """The paths of the units the user works in (their staff record's unit), cached."""
    cached = getattr(user, "_opsteam_knowledge_units", None)
    if cached is not None:
        return cached
    from opsteam.org.models import Staff

    paths = [
        path
        for path in Staff.objects.filter(user_id=user.pk).values_list("unit__path", flat=True)
        if path
    ]
    user._opsteam_knowledge_units = paths
    return paths


def visibility_q(user: Any) -> Q | None:
    """The condition on documents ``user`` may read; None for "every document"."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if sees_everything(user):
        return None
    managed = policy.user_roles(user).get(Role.MANAGER, [])
    above_me: set[int] = set()
    for path in [*own_unit_paths(user), *managed]:
        above_me |= _ids_on_path(path)
    readable = Q(status=DocumentStatus.PUBLISHED) & (
        Q(unit__isnull=True) | Q(visibility=DocumentVisibility.EVERYONE) | Q(unit_id__in=above_me)
    )
    condition = readable | Q(author_id=user.pk)
    if managed:
        from opsteam.org.models import OrgUnit

        subtree = Q()
        for path in managed:
            subtree |= Q(path__startswith=path)
        condition |= Q(unit__in=OrgUnit.objects.filter(subtree).values("pk"))
    return condition


def document_list(*, user: Any) -> QuerySet[Document]:
    """Documents ``user`` may read (the knowledge base's data rule), newest change first."""
    queryset = Document.objects.restrict(user, "view").select_related("unit", "updated_by")
    condition = visibility_q(user)
    return queryset if condition is None else queryset.filter(condition)


def document_get(*, user: Any, pk: Any) -> Document:
    """One document the user may read; ``NotVisible`` (404) otherwise."""
    try:
        return document_list(user=user).select_related("author").get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotVisible() from exc


def can_edit(user: Any, document: Document) -> bool:
    """Whether ``user`` may change the document: its unit's editors, or its author while it
    is a draft (a proposal). Company-wide documents: HR and administrators."""
    if not policy.can(user, "change", document):
        return False
    return document.status == DocumentStatus.DRAFT or policy.can_for_unit(
        user, "change", Document, document.unit
    )


def can_publish(user: Any, document: Document) -> bool:
    """Whether ``user`` may publish or archive the document (the unit's editors only)."""
    return policy.can(user, "publish", document) and policy.can_for_unit(
        user, "publish", Document, document.unit
    )


def can_delete(user: Any, document: Document) -> bool:
    return policy.can(user, "delete", document) and policy.can_for_unit(
        user, "delete", Document, document.unit
    )


def permissions(user: Any, document: Document) -> dict[str, bool]:
    """What the page or API answer may offer the user for this document."""
    return {
        "can_edit": can_edit(user, document),
        "can_publish": can_publish(user, document),
        "can_delete": can_delete(user, document),
    }


def version_list(*, document: Document) -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.filter(document=document).select_related("author")


def version_get(*, document: Document, number: Any) -> DocumentVersion:
    try:
        return version_list(document=document).get(number=int(number))
    except (DocumentVersion.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotVisible() from exc


def attachment_list(*, document: Document) -> QuerySet[DocumentAttachment]:
    return DocumentAttachment.objects.filter(document=document).select_related("uploaded_by")


def attachment_get(*, user: Any, pk: Any) -> DocumentAttachment:
    """An attachment of a document the user may read; ``NotVisible`` otherwise."""
    try:
        return (
            DocumentAttachment.objects.restrict(user, "view")
            .select_related("document")
            .get(pk=pk, document__in=document_list(user=user).values("pk"))
        )
    except (DocumentAttachment.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotVisible() from exc


def links_of(document: Document) -> dict[str, list[Any]]:
    """What links to the document: positions (their job descriptions) and process steps."""
    return {
        "positions": list(document.positions.select_related("unit").order_by("code")),
        "steps": list(
            document.steps.select_related("map", "map__process").order_by(
                "map__process__code", "order", "code"
            )
        ),
    }


def documents_for_position(*, user: Any, position: Any) -> list[Document]:
    """Documents linked to a position (shown on every version of its job description)."""
    return list(
        document_list(user=user)
        .filter(positions=position)
        .exclude(status=DocumentStatus.ARCHIVED)
        .order_by("category", "title")[:50]
    )


def documents_for_step(*, user: Any, step: Any) -> list[Document]:
    """Documents linked to a step, on any version of its process map (same step code)."""
    return list(
        document_list(user=user)
        .filter(steps__map__process_id=step.map.process_id, steps__code=step.code)
        .exclude(status=DocumentStatus.ARCHIVED)
        .distinct()
        .order_by("category", "title")[:50]
    )


def documents_for_process(*, user: Any, process_map: Any) -> dict[int, list[Document]]:
    """Documents linked to each step of a map, keyed by step id (one query)."""
    from opsteam.workflow.models import Step

    through = Document.steps.through
    visible = document_list(user=user).exclude(status=DocumentStatus.ARCHIVED)
    steps = {step.code: step.pk for step in Step.objects.filter(map=process_map)}
    rows = (
        through.objects.filter(
            step__map__process_id=process_map.process_id,
            step__code__in=list(steps),
            document__in=visible.values("pk"),
        )
        .select_related("document", "step")
        .order_by("document__title")
    )
    result: dict[int, list[Document]] = {}
    for row in rows[:500]:
        bucket = result.setdefault(steps[row.step.code], [])
        if all(doc.pk != row.document_id for doc in bucket):
            bucket.append(row.document)
    return result


# Search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    query: str = ""
    category: str = ""
    unit: Any = None  # an OrgUnit: documents of it and its sub-units
    tag: str = ""
    status: str = ""


def search_terms(query: str) -> list[str]:
    """The words of a query (at most 10, each searched as a substring)."""
    return [term for term in (query or "")[:MAX_QUERY_LENGTH].split() if term][:10]


def document_search(*, user: Any, filters: SearchFilters) -> QuerySet[Document]:
    """Visible documents matching the query in title, tags or current text, with filters.

    Every word must appear (substring, any case: Chinese has no spaces between words). On
    PostgreSQL the full-text rank over title (A), tags (B) and text (C) orders the results
    and a full-text match also counts; elsewhere the newest change comes first. Archived
    documents are left out unless asked for.
    """
    queryset = document_list(user=user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    else:
        queryset = queryset.exclude(status=DocumentStatus.ARCHIVED)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.unit is not None:
        queryset = queryset.filter(unit__path__startswith=filters.unit.path)
    tag = normalise_tags(filters.tag)
    if tag:
        queryset = queryset.filter(tags__icontains=tag)
    terms = search_terms(filters.query)
    if not terms:
        return queryset
    substring = Q()
    for term in terms:
        substring &= Q(title__icontains=term) | Q(tags__icontains=term) | Q(body__icontains=term)
    if connection.vendor != "postgresql":
        return queryset.filter(substring)
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = (
        SearchVector("title", weight="A", config="simple")
        + SearchVector("tags", weight="B", config="simple")
        + SearchVector("body", weight="C", config="simple")
    )
    search = SearchQuery(" ".join(terms), search_type="websearch", config="simple")
    return (
        queryset.annotate(rank=SearchRank(vector, search))
        .filter(Q(rank__gt=0) | substring)
        .order_by("-rank", "-updated_at", "-id")
    )


def with_snippets(documents: list[Document], query: str) -> list[Document]:
    """Give each document (already on the page) a highlighted ``snippet`` of its text."""
    terms = search_terms(query)
    for document in documents:
        document.snippet = snippet(markdown.plain(document.body), terms)
        document.title_html = highlight(document.title, terms)
    return documents


# Home page ---------------------------------------------------------------------------------


def home_sections(*, user: Any) -> list[dict[str, Any]]:
    """Documents of my position or my units changed in the last 14 days (published only)."""
    from opsteam.org.models import Staff

    if not getattr(user, "is_authenticated", False):
        return []
    staff = Staff.objects.filter(user_id=user.pk).values("position_id", "unit__path").first()
    if staff is None:
        return []
    since = timezone.now() - dt.timedelta(days=HOME_DAYS)
    mine = Q(positions=staff["position_id"]) | Q(
        unit_id__in=_ids_on_path(staff["unit__path"] or "")
    )
    queryset = (
        document_list(user=user)
        .filter(mine, status=DocumentStatus.PUBLISHED, updated_at__gte=since)
        .distinct()
    )
    documents = list(queryset.order_by("-updated_at", "-id")[:6])
    if not documents:
        return []
    count = len(documents) if len(documents) < 6 else queryset.count()
    from django.urls import reverse

    return [
        {
            "key": "knowledge-updated",
            "title": _("Documents for your work updated lately"),
            "count": count,
            "items": [
                {
                    "title": document.title,
                    "url": document.get_absolute_url(),
                    "due": None,
                    "meta": _("v{version} · {category} · {when}").format(
                        version=document.version,
                        category=document.get_category_display(),
                        when=timezone.localtime(document.updated_at).strftime("%Y-%m-%d"),
                    ),
                }
                for document in documents[:5]
            ],
            "more_url": reverse("collab:document_list"),
        }
    ]


# Pure text helpers -------------------------------------------------------------------------


def normalise_tags(raw: Any) -> str:
    """Stored form of tags: ",a,b," (trimmed, de-duplicated in order, no empty ones).

    Accepts a comma-separated string (also Chinese commas and 、) or a list of strings.
    """
    if isinstance(raw, list | tuple):
        parts = [str(part) for part in raw]
    else:
        parts = re.split(r"[,，、;；\n]", str(raw or ""))
    seen: list[str] = []
    for part in parts:
        tag = " ".join(part.split())[:MAX_TAG_LENGTH]
        if tag and tag.casefold() not in {existing.casefold() for existing in seen}:
            seen.append(tag)
    seen = seen[:MAX_TAGS]
    return f",{','.join(seen)}," if seen else ""


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` escaped, with every occurrence of a term wrapped in <mark> (any case)."""
    text = text or ""
    if not terms:
        return mark_safe(escape(text))  # noqa: S308 - the text is escaped first
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped


def snippet(text: str, terms: list[str], width: int = 140) -> SafeString:
    """About ``width`` characters of ``text`` around the first term found, highlighted."""
    text = text or ""
    folded = text.casefold()
    positions = [folded.find(term.casefold()) for term in terms]
    found = [position for position in positions if position >= 0]
    start = max(min(found) - width // 3, 0) if found else 0
    end = min(start + width, len(text))
    piece = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + highlight(piece, terms) + suffix)  # noqa: S308 - the text is escaped first


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "equal", "replace", "delete", "insert"
    left_number: int | None
    left: SafeString
    right_number: int | None
    right: SafeString


def _inline(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Character-level marks inside one changed line (readable for Chinese, no spaces)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left: list[str] = []
    right: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            left.append(escape(old[i1:i2]))
            right.append(escape(new[j1:j2]))
            continue
        if i2 > i1:
            left.append(f"<del>{escape(old[i1:i2])}</del>")
        if j2 > j1:
            right.append(f"<ins>{escape(new[j1:j2])}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - the text is escaped first


def diff_rows(old: str, new: str) -> list[DiffRow]:
    """A side-by-side diff of two texts, line by line, with changes marked within lines."""
    old_lines = (old or "").splitlines()
    new_lines = (new or "").splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                line = mark_safe(escape(old_lines[i1 + offset]))  # noqa: S308 - the text is escaped first
                rows.append(DiffRow("equal", i1 + offset + 1, line, j1 + offset + 1, line))
            continue
        left_count, right_count = i2 - i1, j2 - j1
        for offset in range(max(left_count, right_count)):
            has_left, has_right = offset < left_count, offset < right_count
            old_line = old_lines[i1 + offset] if has_left else ""
            new_line = new_lines[j1 + offset] if has_right else ""
            if has_left and has_right:
                left, right = _inline(old_line, new_line)
                kind = "replace"
            else:
                left = mark_safe(f"<del>{escape(old_line)}</del>" if has_left else "")  # noqa: S308 - the line is escaped first
                right = mark_safe(f"<ins>{escape(new_line)}</ins>" if has_right else "")  # noqa: S308 - the line is escaped first
                kind = "delete" if has_left else "insert"
            rows.append(
                DiffRow(
                    kind,
                    i1 + offset + 1 if has_left else None,
                    left,
                    j1 + offset + 1 if has_right else None,
                    right,
                )
            )
    return rows


def unified_diff(old: str, new: str, *, old_label: str, new_label: str) -> str:
    """The classic unified diff of two texts (3 lines of context)."""
    return "\n".join(
        difflib.unified_diff(
            (old or "").splitlines(),
            (new or "").splitlines(),
            fromfile=old_label,
            tofile=new_label,
            lineterm="",
        )
    )


def diff_stats(rows: list[DiffRow]) -> dict[str, int]:
    """Lines added, removed and changed."""
    return {
        "added": sum(row.kind == "insert" for row in rows),
        "removed": sum(row.kind == "delete" for row in rows),
        "changed": sum(row.kind == "replace" for row in rows),
    }
