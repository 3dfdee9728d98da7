"""Read-only admin for org data: every change must go through the audited services (pages,
API, CLI, imports), so the admin only lets superusers look."""

from django.contrib import admin

from opsteam.org import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "parent", "lead", "is_active")
    search_fields = ("code", "name", "name_en")


@admin.register(models.Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "family", "unit", "is_active")
    search_fields = ("code", "name", "name_en")
    list_filter = ("family",)


@admin.register(models.Staff)
class StaffAdmin(ReadOnlyAdmin):
    list_display = ("employee_no", "name", "unit", "position", "level", "status")
    search_fields = ("employee_no", "name", "name_en", "email")
    list_filter = ("status",)


@admin.register(models.JobDescription)
class JobDescriptionAdmin(ReadOnlyAdmin):
    list_display = ("position", "version", "status", "effective_from", "published_at")
    list_filter = ("status",)


for model in (
    models.RoleFamily,
    models.JobLevel,
    models.Skill,
    models.Process,
    models.Activity,
    models.RaciAssignment,
    models.Assignment,
    models.JobDuty,
):
    admin.site.register(model, ReadOnlyAdmin)
