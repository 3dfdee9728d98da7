from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitKind(models.TextChoices):
    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")


class StaffStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("staff status", "Active")
    PROBATION = "probation", _("On probation")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")


class Gender(models.TextChoices):
    """A person's gender where HR records it (optional: blank means not recorded)."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class LevelTrack(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional track")
    MANAGEMENT = "management", _("Management track")


class AssignmentReason(models.TextChoices):
    HIRE = "hire", _("Hire")
    TRANSFER = "transfer", _("Transfer")
    PROMOTION = "promotion", _("Promotion")
    POSITION_CHANGE = "position_change", _("Position change")
    MANAGER_CHANGE = "manager_change", _("Manager change")
    CORRECTION = "correction", _("Correction")
    IMPORT = "import", _("Import")
    LEAVE = "leave", _("Left the company")


class JobDescriptionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class SkillCategory(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional skill")
    TOOL = "tool", _("Tool")
    KNOWLEDGE = "knowledge", _("Knowledge")
    GENERAL = "general", _("General ability")


class SkillSource(models.TextChoices):
    COURSE = "course", _("Passed a course")
    ASSESSMENT = "assessment", _("Assessed")
    IMPORT = "import", _("Imported")


class RelationKind(models.TextChoices):
    POSITION = "position", _("Position")
    UNIT = "unit", _("Department or team")
    EXTERNAL = "external", _("External party")


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")
