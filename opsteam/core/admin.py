"""Django admin for superusers' emergencies; the product UI is elsewhere."""

from django.contrib import admin

from opsteam.core.models import AuditEntry, ImportJob


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, in the database and here."""

    list_display = (
        "at",
        "actor_label",
        "action",
        "source",
        "object_type",
        "object_id",
        "object_repr",
    )
    list_filter = ("action", "source", "object_type")
    search_fields = ("object_repr", "actor_label", "object_id")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "file_name",
        "status",
        "actor",
        "rows_total",
        "error_count",
    )
    list_filter = ("kind", "status", "source")
    readonly_fields = [field.name for field in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False
