"""The kinds of notification, each with its label and the defaults a person can change.

Every module's ``notify(kind=...)`` uses one of these slugs; the preferences page lists them
in this order. An unknown slug still reaches the inbox, with no e-mail by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opsteam.collab.choices import EmailFrequency


@dataclass(frozen=True)
class NotificationKind:
    slug: str
    label: str | Promise
    area: str | Promise
    email: str = EmailFrequency.OFF
    im: bool = True


KINDS: tuple[NotificationKind, ...] = (
    NotificationKind(
        "review-due", _("Appraisal steps due"), _("Performance"), EmailFrequency.IMMEDIATE
    ),
    NotificationKind(
        "action-item-due", _("Action items due"), _("Performance"), EmailFrequency.DAILY
    ),
    NotificationKind(
        "training-due", _("Training due and sessions"), _("Training"), EmailFrequency.IMMEDIATE
    ),
    NotificationKind(
        "certificate-renewal",
        _("Certificates to renew"),
        _("Training"),
        EmailFrequency.IMMEDIATE,
        im=False,
    ),
    NotificationKind(
        "workflow-rule", _("Workflow alerts and automation"), _("Workflow"), EmailFrequency.DAILY
    ),
    NotificationKind(
        "announcement", _("Announcements"), _("Communication"), EmailFrequency.IMMEDIATE
    ),
    NotificationKind(
        "meeting", _("Meeting invitations and minutes"), _("Communication"), EmailFrequency.DAILY
    ),
    NotificationKind(
        "meeting-action-due",
        _("Meeting action items due"),
        _("Communication"),
        EmailFrequency.DAILY,
    ),
    NotificationKind(
        "work-report", _("Work reports due and comments"), _("Communication"), EmailFrequency.DAILY
    ),
    NotificationKind(
        "suggestion", _("Suggestions: status and replies"), _("Communication"), EmailFrequency.DAILY
    ),
    NotificationKind(
        "wellbeing",
        _("Wellbeing check-ins and alerts"),
        _("Communication"),
        EmailFrequency.IMMEDIATE,
        im=False,
    ),
    NotificationKind(
        "survey", _("Pulse surveys to answer"), _("Surveys"), EmailFrequency.IMMEDIATE
    ),
    NotificationKind(
        "system-review",
        _("System review and improvement actions"),
        _("Continuous improvement"),
        EmailFrequency.DAILY,
    ),
)
BY_SLUG = {kind.slug: kind for kind in KINDS}
UNKNOWN = NotificationKind("", _("Other notifications"), _("Notifications"))


def kind_of(slug: str) -> NotificationKind:
    """The registered kind, or the defaults of an unregistered one."""
    return BY_SLUG.get(slug, UNKNOWN)


def label_of(slug: str) -> str:
    """What people read for a kind (its slug when unregistered)."""
    kind = BY_SLUG.get(slug)
    return str(kind.label) if kind else slug


KIND_SLUGS: list[str] = [kind.slug for kind in KINDS]
