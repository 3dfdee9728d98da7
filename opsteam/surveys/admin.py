"""Read-only admin for survey set-up. Answers are deliberately not registered: nobody,
administrators included, browses who wrote what (the one audited path is
``services.responses_deanonymise``)."""

from django.contrib import admin

from opsteam.surveys import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "name", "frozen_at")
    search_fields = ("code", "name", "name_en")


@admin.register(models.Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("name", "questionnaire", "deadline", "status", "anonymity_threshold")
    list_filter = ("status",)


@admin.register(models.Subject)
class SubjectAdmin(ReadOnlyAdmin):
    list_display = ("staff", "campaign")
    list_filter = ("campaign",)


@admin.register(models.Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("subject", "relationship", "status")
    list_filter = ("relationship", "status")
    exclude = ("token_hash",)
