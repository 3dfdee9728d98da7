"""The knowledge base (知识库): versioned markdown documents (SOPs, playbooks, meeting notes)
with attachments, linked from job descriptions and process steps.

A ``Document`` carries its current text (``body``, ``version``) so search and pages read one
row; every save of the text also appends an immutable ``DocumentVersion`` (number, text,
change note, author, time), so the history, diffs and restores never depend on the live row.

Who reads what is a data rule applied by ``selectors_knowledge.document_list``: published
documents to everyone they are visible to (the whole company, or the owning unit's subtree),
drafts and archived documents only to those who may edit them and to their author.

Links go to positions (what a job description describes: every version of the JD shows them)
and to process-map steps (shown on every version of the map that keeps the step's code).
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.models import ScopedManager

__all__ = [
    "Document",
    "DocumentAttachment",
    "DocumentCategory",
    "DocumentStatus",
    "DocumentVersion",
    "DocumentVisibility",
    "knowledge_upload_path",
]


class DocumentCategory(models.TextChoices):
    SOP = "sop", pgettext_lazy("document category", "SOP")
    PLAYBOOK = "playbook", pgettext_lazy("document category", "Playbook")
    MEETING_NOTES = "meeting_notes", pgettext_lazy("document category", "Meeting notes")
    FAQ = "faq", pgettext_lazy("document category", "FAQ")
    POLICY = "policy", pgettext_lazy("document category", "Policy")
    OTHER = "other", pgettext_lazy("document category", "Other")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("document status", "Draft")
    PUBLISHED = "published", pgettext_lazy("document status", "Published")
    ARCHIVED = "archived", pgettext_lazy("document status", "Archived")


class DocumentVisibility(models.TextChoices):
    EVERYONE = "everyone", pgettext_lazy("document visibility", "Everyone")
    UNIT = "unit", pgettext_lazy("document visibility", "The owning unit and its sub-units")


def knowledge_upload_path(instance: DocumentAttachment, filename: str) -> str:
    """A random stored name (the original name lives in the row, never in the path)."""
    suffix = PurePath(filename or "").suffix.lower()[:10]
    now = timezone.now()
    return f"knowledge/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    """One knowledge-base document: its current text and where it belongs."""

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=DocumentCategory.choices,
        default=DocumentCategory.SOP,
    )
    tags = models.CharField(
        _("tags"), max_length=300, blank=True, help_text=_("Separated by commas.")
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_documents",
        help_text=_("Empty: a company-wide document."),
    )
    visibility = models.CharField(
        _("visible to"),
        max_length=10,
        choices=DocumentVisibility.choices,
        default=DocumentVisibility.EVERYONE,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("current version"), default=1)
    body = models.TextField(
        _("text"), blank=True, help_text=_("Markdown: headings, lists, tables.")
    )
    positions = models.ManyToManyField(
        "org.Position",
        verbose_name=_("job descriptions (positions)"),
        blank=True,
        related_name="knowledge_documents",
    )
    steps = models.ManyToManyField(
        "workflow.Step",
        verbose_name=_("process steps"),
        blank=True,
        related_name="knowledge_documents",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-updated_at"], name="collab_document_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collab:document_detail", args=[self.pk])

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]


class DocumentVersion(models.Model):
    """One saved text of a document: immutable once written."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    restored_from = models.PositiveIntegerField(_("restored from version"), null=True, blank=True)
    created_at = models.DateTimeField(_("saved at"), default=timezone.now, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="collab_documentversion_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("collab:document_version", args=[self.document_id, self.number])


class DocumentAttachment(models.Model):
    """A file attached to a document, served only through the permission-checked view."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=knowledge_upload_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("document attachment")
        verbose_name_plural = _("document attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("collab:document_attachment", args=[self.pk])
