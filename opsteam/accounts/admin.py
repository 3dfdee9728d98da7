from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from opsteam.accounts.models import ApiToken, RoleGrant, SecurityEvent, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    raw_id_fields = ("unit",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = (RoleGrantInline,)
    list_display = ("username", "display_name", "email", "is_active", "is_superuser", "last_login")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("OpsTeam", {"fields": ("display_name", "language", "time_zone")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "username", "remote_addr")
    list_filter = ("kind",)
    search_fields = ("username", "remote_addr")

    def has_change_permission(self, request, obj=None):
        return False
