"""Writes of the knowledge base: documents, their versions, links and attachments.

Every change of a document's text appends an immutable ``DocumentVersion``; restoring an old
version writes it again as the newest one (history is never rewritten). Every write is audited.
Who may do what: see the note on ``collab.document`` in core/policy.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.collab import selectors_knowledge as selectors
from opsteam.collab.models_knowledge import (
    Document,
    DocumentAttachment,
    DocumentCategory,
    DocumentStatus,
    DocumentVersion,
    DocumentVisibility,
)
from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.training import files

TITLE_MAX = 200
BODY_MAX = 200_000
NOTE_MAX = 300
MAX_LINKS = 200
DOCUMENT_FIELDS = ("title", "category", "tags", "unit", "visibility", "body")
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024


def max_upload_bytes() -> int:
    """The largest attachment accepted (``OPSTEAM_KNOWLEDGE_MAX_UPLOAD_BYTES``, 20 MB)."""
    return int(getattr(settings, "OPSTEAM_KNOWLEDGE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise document fields (only those given)."""
    cleaned = dict(data)
    if "title" in cleaned:
        title = " ".join(str(cleaned["title"] or "").split())
        if not title:
            raise ValidationFailed(_("Give the document a title."), field="title")
        if len(title) > TITLE_MAX:
            raise ValidationFailed(
                _("A title holds at most {count} characters.").format(count=TITLE_MAX),
                field="title",
            )
        cleaned["title"] = title
    if "category" in cleaned and cleaned["category"] not in DocumentCategory.values:
        raise ValidationFailed(_("Choose a category from the list."), field="category")
    if "visibility" in cleaned and cleaned["visibility"] not in DocumentVisibility.values:
        raise ValidationFailed(_("Choose who may read the document."), field="visibility")
    if "tags" in cleaned:
        cleaned["tags"] = selectors.normalise_tags(cleaned["tags"])
        if len(cleaned["tags"]) > 300:
            raise ValidationFailed(_("Too many tags: keep them short."), field="tags")
    if "body" in cleaned:
        body = str(cleaned["body"] or "").replace("\r\n", "\n")
        if len(body) > BODY_MAX:
            raise ValidationFailed(
                _("A document holds at most {count} characters.").format(count=BODY_MAX),
                field="body",
            )
        cleaned["body"] = body
    if "change_note" in cleaned:
        cleaned["change_note"] = " ".join(str(cleaned["change_note"] or "").split())[:NOTE_MAX]
    return cleaned


def _is_own_unit(actor: Any, unit: Any) -> bool:
    return unit is not None and unit.path in selectors.own_unit_paths(actor)


def _require_unit(actor: Any, action: str, unit: Any, *, proposal_ok: bool) -> bool:
    """Check the actor may put a document in ``unit``; return True for a proposal (a draft
    an author may write without being the unit's editor: operators for their own unit)."""
    if policy.can_for_unit(actor, action, Document, unit):
        return False
    if proposal_ok and policy.can(actor, "add", Document) and _is_own_unit(actor, unit):
        return True
    raise PolicyDenied(
        _("You may write documents only for your own unit (or the teams you manage).")
    )


def _links_snapshot(document: Document) -> dict[str, list[int]]:
    return {
        "positions": sorted(document.positions.values_list("pk", flat=True)),
        "steps": sorted(document.steps.values_list("pk", flat=True)),
    }


def _set_links(document: Document, positions: Iterable[Any] | None, steps: Iterable[Any] | None):
    if positions is not None:
        positions = list(positions)
        if len(positions) > MAX_LINKS:
            raise ValidationFailed(_("Too many linked positions."), field="positions")
        document.positions.set(positions)
    if steps is not None:
        steps = list(steps)
        if len(steps) > MAX_LINKS:
            raise ValidationFailed(_("Too many linked steps."), field="steps")
        document.steps.set(steps)


def _new_version(
    document: Document, *, actor: Any, change_note: str, restored_from: int | None = None
) -> DocumentVersion:
    return DocumentVersion.objects.create(
        document=document,
        number=document.version,
        title=document.title,
        body=document.body,
        change_note=change_note,
        author=_user(actor),
        restored_from=restored_from,
        created_at=document.updated_at,
    )


@transaction.atomic
def document_create(
    *,
    actor: Any,
    title: str,
    body: str = "",
    category: str = DocumentCategory.SOP,
    tags: Any = "",
    unit: Any = None,
    visibility: str = DocumentVisibility.EVERYONE,
    status: str = DocumentStatus.DRAFT,
    change_note: str = "",
    positions: Iterable[Any] | None = None,
    steps: Iterable[Any] | None = None,
) -> Document:
    """Write a new document and its version 1. HR and administrators anywhere (and company-
    wide), managers in their subtree; operators propose drafts for their own unit. Raise
    PolicyDenied outside that, ValidationFailed for bad fields or an operator publishing.
    Audited: create."""
    policy.require(actor, "add", Document)
    data = _clean(
        {
            "title": title,
            "body": body,
            "category": category,
            "tags": tags,
            "visibility": visibility,
            "change_note": change_note,
        }
    )
    proposal = _require_unit(actor, "add", unit, proposal_ok=True)
    if status not in (DocumentStatus.DRAFT, DocumentStatus.PUBLISHED):
        raise ValidationFailed(_("A new document is a draft or published."), field="status")
    if proposal and status != DocumentStatus.DRAFT:
        raise ValidationFailed(
            _("Your document is saved as a draft: the unit's manager publishes it."),
            field="status",
        )
    now = timezone.now()
    change_note = data.pop("change_note") or _("First version")
    document = Document.objects.create(
        **data,
        unit=unit,
        status=status,
        version=1,
        author=_user(actor),
        updated_by=_user(actor),
        created_at=now,
        updated_at=now,
        published_at=now if status == DocumentStatus.PUBLISHED else None,
    )
    _set_links(document, positions, steps)
    _new_version(document, actor=actor, change_note=change_note)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=document,
        after={**audit.snapshot(document), **_links_snapshot(document)},
    )
    return document


def _require_edit(actor: Any, document: Document) -> None:
    policy.require(actor, "change", document)
    if not selectors.can_edit(actor, document):
        raise PolicyDenied(_("Only the unit's editors change a published or archived document."))


@transaction.atomic
def document_update(
    *,
    actor: Any,
    document: Document,
    change_note: str = "",
    positions: Iterable[Any] | None = None,
    steps: Iterable[Any] | None = None,
    **fields: Any,
) -> Document:
    """Change a document; a changed title or text becomes a new version (with ``change_note``).
    The unit may only move within the actor's scope. Audited: update."""
    _require_edit(actor, document)
    data = _clean({key: value for key, value in fields.items() if key in DOCUMENT_FIELDS})
    note = _clean({"change_note": change_note})["change_note"]
    if "unit" in data and data["unit"] != document.unit:
        proposal_ok = document.status == DocumentStatus.DRAFT
        _require_unit(actor, "change", data["unit"], proposal_ok=proposal_ok)
    before = {**audit.snapshot(document), **_links_snapshot(document)}
    text_changed = any(
        key in data and data[key] != getattr(document, key) for key in ("title", "body")
    )
    for key, value in data.items():
        setattr(document, key, value)
    _set_links(document, positions, steps)
    after_links = _links_snapshot(document)
    changed = text_changed or any(
        before.get(key) != (value.pk if hasattr(value, "pk") else value)
        for key, value in data.items()
    )
    if not changed and after_links == {key: before[key] for key in after_links}:
        return document
    document.updated_at = timezone.now()
    document.updated_by = _user(actor)
    if text_changed:
        document.version += 1
    document.save()
    if text_changed:
        _new_version(document, actor=actor, change_note=note)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=document,
        before=before,
        after={**audit.snapshot(document), **after_links},
        note=note,
    )
    return document


@transaction.atomic
def document_restore(
    *, actor: Any, document: Document, number: int, change_note: str = ""
) -> Document:
    """Write version ``number``'s title and text again as the newest version. Audited:
    update (note: restored from vN)."""
    _require_edit(actor, document)
    old = selectors.version_get(document=document, number=number)
    if old.number == document.version:
        raise InvalidTransition(_("This is already the current version."))
    before = audit.snapshot(document)
    note = _clean({"change_note": change_note})["change_note"] or _(
        "Restored version {number}"
    ).format(number=old.number)
    document.title, document.body = old.title, old.body
    document.version += 1
    document.updated_at = timezone.now()
    document.updated_by = _user(actor)
    document.save()
    _new_version(document, actor=actor, change_note=note, restored_from=old.number)
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=document, before=before, note=note[:500]
    )
    return document


def _set_status(actor: Any, document: Document, status: str, allowed: set[str]) -> Document:
    policy.require(actor, "publish", document)
    if not selectors.can_publish(actor, document):
        raise PolicyDenied(_("Only the unit's editors publish or archive its documents."))
    if document.status not in allowed:
        raise InvalidTransition()
    before = audit.snapshot(document)
    document.status = status
    document.updated_at = timezone.now()
    document.updated_by = _user(actor)
    fields = ["status", "updated_at", "updated_by"]
    if status == DocumentStatus.PUBLISHED:
        document.published_at = document.updated_at
        fields.append("published_at")
    document.save(update_fields=fields)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=document, before=before)
    return document


@transaction.atomic
def document_publish(*, actor: Any, document: Document) -> Document:
    """Publish a draft (or bring back an archived document). Audited: update."""
    return _set_status(
        actor, document, DocumentStatus.PUBLISHED, {DocumentStatus.DRAFT, DocumentStatus.ARCHIVED}
    )


@transaction.atomic
def document_archive(*, actor: Any, document: Document) -> Document:
    """Archive a document: it leaves search and the pages that link to it. Audited: update."""
    return _set_status(
        actor, document, DocumentStatus.ARCHIVED, {DocumentStatus.DRAFT, DocumentStatus.PUBLISHED}
    )


@transaction.atomic
def document_delete(*, actor: Any, document: Document) -> None:
    """Delete a document with its versions and attachments (files removed after commit).
    The unit's editors only. Audited: delete."""
    policy.require(actor, "delete", document)
    if not selectors.can_delete(actor, document):
        raise PolicyDenied()
    stored = [attachment.file.name for attachment in document.attachments.all()]
    audit.record(
        actor=actor, action=AuditAction.DELETE, obj=document, before=audit.snapshot(document)
    )
    document.delete()
    transaction.on_commit(lambda: _remove_files(stored))


def _remove_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            default_storage.delete(name)


@transaction.atomic
def attachment_add(*, actor: Any, document: Document, file: Any) -> DocumentAttachment:
    """Attach a file (the shared allow-list of kinds, at most the configured size) under a
    random stored name. Raise ValidationFailed for a missing, unaccepted or too large file.
    Audited: create."""
    _require_edit(actor, document)
    if not file:
        raise ValidationFailed(_("Choose the file to upload."), field="file")
    files.validate_upload(file, field="file", max_bytes=max_upload_bytes())
    name = PurePath(str(file.name)).name[:200]
    attachment = DocumentAttachment(
        document=document,
        name=name,
        size=getattr(file, "size", 0) or 0,
        uploaded_by=_user(actor),
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=attachment)
    return attachment


@transaction.atomic
def attachment_delete(*, actor: Any, attachment: DocumentAttachment) -> None:
    """Remove an attachment and its file (after commit). Audited: delete."""
    _require_edit(actor, attachment.document)
    stored = attachment.file.name
    audit.record(
        actor=actor, action=AuditAction.DELETE, obj=attachment, before=audit.snapshot(attachment)
    )
    attachment.delete()
    transaction.on_commit(lambda: _remove_files([stored]))
