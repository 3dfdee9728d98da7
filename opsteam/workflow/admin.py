"""Read-only admin for the workflow domain: every write goes through the audited services
(the pages and the API), so the admin only lets administrators look."""

from django.contrib import admin

from opsteam.workflow import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = models.Step
    fields = ("order", "code", "name", "activity", "position", "target_minutes")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.ProcessMap)
class ProcessMapAdmin(ReadOnlyAdmin):
    list_display = ("process", "version", "status", "change_note", "published_at")
    list_filter = ("status",)
    search_fields = ("process__code", "process__name", "change_note")
    list_select_related = ("process",)
    inlines = [StepInline]


@admin.register(models.Step)
class StepAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "map", "position", "target_minutes", "order")
    search_fields = ("code", "name", "name_en")
    list_select_related = ("map__process", "position")


@admin.register(models.Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ("map", "source", "target", "handoff_target_minutes", "label")
    list_select_related = ("map__process", "source", "target")
