"""Base model classes, the audit trail and import history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opsteam.core.choices import AuditAction, AuditSource, ImportStatus

if TYPE_CHECKING:
    from opsteam.accounts.models import User


class ScopedQuerySet(models.QuerySet):
    """QuerySet that can restrict itself to what a user may see or do (the policy)."""

    def restrict(self, user: User, action: str = "view") -> ScopedQuerySet:
        from opsteam.core import policy

        return policy.restrict(self, user, action)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    """Default manager of every domain model: ``Model.objects.restrict(user, action)``."""


class TimeStampedModel(models.Model):
    """Creation and modification times for domain rows."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        abstract = True


class BilingualNameMixin:
    """Pick ``name`` (Chinese, the primary language) or ``name_en`` by the active language."""

    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        language = get_language() or settings.LANGUAGE_CODE
        if language.startswith("en") and getattr(self, "name_en", ""):
            return self.name_en
        return self.name or getattr(self, "name_en", "")

    def __str__(self) -> str:
        return self.display_name


def localized(obj: Any, field: str) -> str:
    """Return ``obj.<field>_en`` in English when filled, else ``obj.<field>``."""
    language = get_language() or settings.LANGUAGE_CODE
    if language.startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "") or getattr(obj, f"{field}_en", "")


class AuditEntry(models.Model):
    """One write to domain data: who, when, what, before and after.

    Append-only: database triggers on SQLite and PostgreSQL refuse UPDATE, DELETE and TRUNCATE
    (migration 0002). The actor is kept as id and label without a foreign-key constraint so
    that no change to users can ever touch an audit row.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    source = models.CharField(
        _("source"), max_length=20, choices=AuditSource.choices, default=AuditSource.SYSTEM
    )
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)
    import_job = models.ForeignKey(
        "core.ImportJob",
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="core_audit_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class AuditSeal(models.Model):
    """One link of the audit trail's hash chain: HMAC(key, previous link + the sealed entry).

    Sealing runs after each committing transaction (``audit.seal_pending``); ``opsteam audit
    verify`` recomputes the chain, so an audit row changed or deleted behind the application's
    back is detected. Append-only like the trail itself; the key never lives in the database.
    """

    seq = models.BigAutoField(primary_key=True)
    entry = models.OneToOneField(
        AuditEntry, on_delete=models.DO_NOTHING, db_constraint=False, related_name="seal"
    )
    chain_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.seq} {self.entry_id} {self.chain_hash[:12]}"


class ImportJob(models.Model):
    """One import attempt (dry run, rejected or committed) with its outcome and every error."""

    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file checksum"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices)
    source = models.CharField(
        _("source"), max_length=20, choices=AuditSource.choices, default=AuditSource.WEB
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:import_detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        """The import kind's title (e.g. 员工 / Staff), or its code if no longer registered."""
        from opsteam.core.imports import REGISTRY

        spec = REGISTRY.get(self.kind)
        return str(spec.title) if spec else self.kind
