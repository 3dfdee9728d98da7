from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The five roles of the permission policy (DESIGN.md)."""

    ADMIN = "admin", _("Administrator")
    HR = "hr", _("HR partner")
    MANAGER = "manager", _("Manager")
    OPERATOR = "operator", _("Operator")
    AUDITOR = "auditor", _("Auditor")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    PUBLISH = "publish", _("Published")
    IMPORT = "import", _("Imported")
    LOGIN = "login", _("Logged in")
    GRANT = "grant", _("Role granted")
    REVOKE = "revoke", _("Role revoked")
    VIEW = "view", _("Viewed")
    PURGE = "purge", _("Personal data erased")
    EXPORT = "export", _("Personal data exported")
    OTHER = "other", _("Other")


class AuditSource(models.TextChoices):
    WEB = "web", _("Web page")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    JOB = "job", _("Background job")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Checked (dry run)")
    REJECTED = "rejected", _("Rejected: nothing written")
    COMMITTED = "committed", _("Imported")
