"""Base errors shared by every app; domain errors subclass these in ``<app>/exceptions.py``."""

from django.utils.translation import gettext_lazy as _


class OpsTeamError(Exception):
    """Base class for errors a user can act on; ``message`` is shown to them."""

    default_message = _("The request could not be completed.")

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = str(message or self.default_message)
        self.field = field
        super().__init__(self.message)


class PolicyDenied(OpsTeamError):
    """The user may see the object but not perform this action on it (HTTP 403)."""

    default_message = _("You do not have permission to do this.")


class NotVisible(OpsTeamError):
    """The object is outside the user's view scope; answered as 404 so existence does not leak."""

    default_message = _("Not found.")


class InvalidTransition(OpsTeamError):
    """A state change that the object's state machine does not allow."""

    default_message = _("This change is not allowed in the current state.")


class ValidationFailed(OpsTeamError):
    """Input that breaks a business rule; ``field`` names the offending field when known."""

    default_message = _("The data is not valid.")


class ImportRejected(OpsTeamError):
    """An import whose file or rows failed validation; nothing was written."""

    default_message = _("The file was rejected; nothing was written.")

    def __init__(self, message: str | None = None, *, errors: list | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []
        self.outcome = None

    def with_outcome(self, outcome: object) -> "ImportRejected":
        """Attach the import's outcome (the history record, the preview) for the caller."""
        self.outcome = outcome
        return self
