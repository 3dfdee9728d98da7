"""Writes of recognition's reference data: company values, badges and each team's switches.

Kudos, team commendations and badge awards are written by ``incentives.services``; this module
holds what HR maintains (values, badges with their criteria) and what a team's manager decides
(whether the team's recognition feed and leaderboards are shown). Every write is audited.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.incentives.choices import BadgeCriterion
from opsteam.incentives.models import Badge, CompanyValue, RecognitionSetting
from opsteam.org.models import OrgUnit

VALUE_FIELDS = ("code", "name", "name_en", "description", "description_en", "order", "is_active")
BADGE_FIELDS = (
    "code",
    "name",
    "name_en",
    "description",
    "description_en",
    "criterion",
    "plan",
    "kpi",
    "threshold",
    "points",
    "is_active",
)


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    return fields


# Company values ---------------------------------------------------------------------------


@transaction.atomic
def value_create(*, actor: Any, **fields: Any) -> CompanyValue:
    """Add a company value kudos can be tied to.

    Raise PolicyDenied unless the actor maintains reference data (HR, administrators) and
    ValidationFailed naming the field (a duplicate code, a missing name). Audited as create.
    """
    policy.require(actor, "add", CompanyValue)
    value = CompanyValue(**_only(fields, VALUE_FIELDS))
    full_clean(value)
    value.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=value)
    return value


@transaction.atomic
def value_update(*, actor: Any, value: CompanyValue, **fields: Any) -> CompanyValue:
    """Change a company value (retire it with ``is_active=False``: past kudos keep it).

    Raise PolicyDenied / ValidationFailed as ``value_create``. Audited as update.
    """
    policy.require(actor, "change", value)
    before = audit.snapshot(value)
    for name, item in _only(fields, VALUE_FIELDS).items():
        setattr(value, name, item)
    full_clean(value)
    value.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=value, before=before)
    return value


# Badges -----------------------------------------------------------------------------------


def _apply_criterion(badge: Badge) -> None:
    """Keep only what the criterion uses, and require it: a plan for "completed a plan", a
    KPI for "top decile", a threshold of at least 1 for "kudos received"."""
    criterion = badge.criterion
    if criterion != BadgeCriterion.PLAN_COMPLETED:
        badge.plan = None
    if criterion != BadgeCriterion.KPI_TOP_DECILE:
        badge.kpi = None
    if criterion != BadgeCriterion.KUDOS_RECEIVED:
        badge.threshold = 0
    if criterion == BadgeCriterion.PLAN_COMPLETED and badge.plan_id is None:
        raise ValidationFailed(_("Choose the training plan a person completes."), field="plan")
    if criterion == BadgeCriterion.KPI_TOP_DECILE and badge.kpi_id is None:
        raise ValidationFailed(_("Choose the KPI whose top decile earns the badge."), field="kpi")
    if criterion == BadgeCriterion.KUDOS_RECEIVED and (badge.threshold or 0) < 1:
        raise ValidationFailed(
            _("Say how many kudos a person must receive (at least 1)."), field="threshold"
        )


@transaction.atomic
def badge_create(*, actor: Any, **fields: Any) -> Badge:
    """Add a badge with its criterion (manual, a training plan completed, a top-decile KPI,
    kudos received); the nightly job awards all but manual badges.

    Raise PolicyDenied unless HR or an administrator, ValidationFailed naming the field (the
    plan, KPI or threshold the criterion needs, a duplicate code). Audited as create.
    """
    policy.require(actor, "add", Badge)
    badge = Badge(**_only(fields, BADGE_FIELDS))
    _apply_criterion(badge)
    full_clean(badge)
    badge.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=badge)
    return badge


@transaction.atomic
def badge_update(*, actor: Any, badge: Badge, **fields: Any) -> Badge:
    """Change a badge; awards already made stay. Errors as ``badge_create``; audited as update."""
    policy.require(actor, "change", badge)
    before = audit.snapshot(badge)
    for name, item in _only(fields, BADGE_FIELDS).items():
        setattr(badge, name, item)
    _apply_criterion(badge)
    full_clean(badge)
    badge.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=badge, before=before)
    return badge


# A team's recognition switches ------------------------------------------------------------


def can_change_setting(user: Any, unit: OrgUnit) -> bool:
    """Whether ``user`` may switch the feed and leaderboards of ``unit``: HR and administrators
    for any unit, a manager for the units of their subtree (the policy's TEAM_WRITE rule on
    recognition settings, decided on the unit itself so that a unit without a setting row yet
    is decided the same way)."""
    allowed = policy.rule_for(RecognitionSetting).actions.get("change", {})
    for role, paths in policy.user_roles(user).items():
        scope = allowed.get(role)
        if scope is policy.ALL:
            return True
        if scope is policy.SUBTREE and any(unit.path.startswith(path) for path in paths):
            return True
    return False


@transaction.atomic
def recognition_setting_update(
    *,
    actor: Any,
    unit: OrgUnit,
    leaderboard_enabled: bool | None = None,
    feed_enabled: bool | None = None,
) -> RecognitionSetting:
    """Switch a unit's leaderboards and recognition feed on or off (the unit's own setting,
    which its sub-units without a setting of their own follow).

    Raise NotVisible for an inactive unit and PolicyDenied unless the actor manages the unit
    (HR, administrators, the unit's managers). Audited as create (first setting) or update.
    """
    if not unit.is_active:
        raise NotVisible()
    if not can_change_setting(actor, unit):
        raise PolicyDenied()
    setting = RecognitionSetting.objects.select_for_update().filter(unit=unit).first()
    before = audit.snapshot(setting) if setting is not None else None
    setting = setting or RecognitionSetting(unit=unit)
    if leaderboard_enabled is not None:
        setting.leaderboard_enabled = leaderboard_enabled
    if feed_enabled is not None:
        setting.feed_enabled = feed_enabled
    setting.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
        obj=setting,
        before=before,
    )
    return setting
