"""Uploaded training files (materials, self-learning evidence, certificates): one allow-list,
size limits, and downloads served only after the policy check on the owning row."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from opsteam.core.exceptions import ValidationFailed

ALLOWED_EXTENSIONS = frozenset(
    {"pdf", "docx", "xlsx", "pptx", "png", "jpg", "jpeg", "mp4", "zip", "txt", "md"}
)
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024  # self-learning evidence and certificates


def material_max_bytes() -> int:
    """The largest course material accepted (``OPSTEAM_TRAINING_MAX_UPLOAD_BYTES``, 100 MB)."""
    return settings.OPSTEAM_TRAINING_MAX_UPLOAD_BYTES


def _extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def validate_upload(upload: Any, *, field: str, max_bytes: int = EVIDENCE_MAX_BYTES) -> None:
    """Refuse a file of a kind we do not keep or over ``max_bytes``; the error names ``field``."""
    if upload is None:
        return
    if _extension(getattr(upload, "name", "")) not in ALLOWED_EXTENSIONS:
        raise ValidationFailed(
            _("Files of this kind are not accepted; use one of: {kinds}.").format(
                kinds=", ".join(sorted(ALLOWED_EXTENSIONS))
            ),
            field=field,
        )
    if (getattr(upload, "size", 0) or 0) > max_bytes:
        raise ValidationFailed(
            _("The file is too large: at most {size} MB.").format(size=max_bytes // (1024 * 1024)),
            field=field,
        )


def file_response(field_file: Any, stem: str) -> FileResponse:
    """Send a stored file as an attachment named ``stem`` plus its extension (404 if absent)."""
    if not field_file or _extension(field_file.name) not in ALLOWED_EXTENSIONS:
        raise Http404(_("No file."))
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("No file.")) from exc
    safe_stem = stem.replace("/", "-").replace("\\", "-")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{safe_stem}.{_extension(field_file.name)}",
        content_type="application/octet-stream",
    )
