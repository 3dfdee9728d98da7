"""Writes for users, role grants, API tokens and the security log."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opsteam.accounts.choices import SecurityEventKind
from opsteam.accounts.models import ApiToken, RoleGrant, SecurityEvent, User, UserSession
from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction, Role
from opsteam.core.exceptions import ValidationFailed

if TYPE_CHECKING:
    from opsteam.org.models import OrgUnit

security_log = logging.getLogger("opsteam.security")

TOKEN_PREFIX_LENGTH = 8


def security_event_record(
    *,
    kind: str,
    username: str,
    user: User | None = None,
    remote_addr: str | None = None,
    user_agent: str = "",
) -> SecurityEvent:
    """Append a security event and log it (username and address only, never secrets)."""
    event = SecurityEvent.objects.create(
        kind=kind,
        username=User.normalize_username(username or "")[:150],
        user=user,
        remote_addr=remote_addr,
        user_agent=(user_agent or "")[:300],
    )
    security_log.info("%s username=%s addr=%s", kind, event.username, remote_addr or "-")
    return event


def login_is_throttled(*, username: str, remote_addr: str | None) -> bool:
    """Return whether this username from this address must wait before trying again.

    Failures count per (username, address) since the last success, within the cool-off window.
    Scoping to the pair means an attacker elsewhere cannot lock the real user out.
    """
    window_start = timezone.now() - timedelta(seconds=settings.OPSTEAM_LOGIN_COOLOFF_SECONDS)
    name = User.normalize_username(username or "")
    recent = SecurityEvent.objects.filter(
        username=name, remote_addr=remote_addr, at__gte=window_start
    )
    last_success = (
        recent.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED).order_by("-at").values("at").first()
    )
    failures = recent.filter(kind=SecurityEventKind.LOGIN_FAILED)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success["at"])
    return failures.count() >= settings.OPSTEAM_LOGIN_MAX_FAILURES


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``actor`` and return it with its secret (shown once, never stored)."""
    policy.require(actor, "add", ApiToken)
    prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
    secret = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip() or "API",
        prefix=prefix,
        key_hash=_hash_token(secret),
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=token)
    security_event_record(kind=SecurityEventKind.TOKEN_CREATED, username=actor.username, user=actor)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token; it stops working at once."""
    policy.require(actor, "delete", token)
    if token.revoked_at is None:
        before = audit.snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=token, before=before)
        security_event_record(
            kind=SecurityEventKind.TOKEN_REVOKED, username=token.user.username, user=token.user
        )
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """Return the active token matching ``secret`` (and mark it used), or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None = None,
    email: str = "",
    display_name: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a login. ``actor`` None means the system (demo loader, first set-up)."""
    if actor is not None:
        policy.require(actor, "add", User)
    username = User.normalize_username(username)
    if not username:
        raise ValidationFailed("username is required", field="username")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed("username {name} is taken".format(name=username), field="username")
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=user, after=_user_snapshot(user))
    return user


def _user_snapshot(user: User) -> dict:
    return audit.snapshot(user, exclude=("password", "last_login"))


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Deactivate a login: end its sessions and revoke its tokens."""
    if actor is not None:
        policy.require(actor, "change", user)
    before = _user_snapshot(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    sessions_end_for_user(user=user)
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=user, before=before, after=_user_snapshot(user)
    )
    return user


def session_register(
    *, user: User, session_key: str, remote_addr: str | None, user_agent: str = ""
) -> UserSession:
    """Remember a new signed-in session of ``user`` (called at login)."""
    session, _created = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "remote_addr": remote_addr, "user_agent": user_agent[:300]},
    )
    return session


def sessions_end_for_user(*, user: User) -> int:
    """End every signed-in session of ``user`` on every device; returns how many ended."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def user_sign_out_everywhere(*, user: User) -> tuple[int, int]:
    """End all of the user's sessions and revoke all of their API tokens (logout).

    Integrations should use a service account that never signs in to the web UI.
    Returns (sessions ended, tokens revoked).
    """
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return sessions_end_for_user(user=user), revoked


@transaction.atomic
def role_grant_add(
    *, actor: User | None, user: User, role: str, unit: OrgUnit | None = None
) -> RoleGrant:
    """Grant ``role`` to ``user`` (managers need a unit); idempotent."""
    if actor is not None:
        policy.require(actor, "add", RoleGrant)
    if role == Role.MANAGER and unit is None:
        raise ValidationFailed("a manager role needs an org unit", field="unit")
    if role != Role.MANAGER:
        unit = None
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role, unit=unit)
    if created:
        audit.record(actor=actor, action=AuditAction.GRANT, obj=grant)
    return grant


@transaction.atomic
def role_grant_revoke(*, actor: User | None, grant: RoleGrant) -> None:
    """Remove a role grant."""
    if actor is not None:
        policy.require(actor, "delete", grant)
    before = audit.snapshot(grant)
    audit.record(actor=actor, action=AuditAction.REVOKE, obj=grant, before=before, after=None)
    grant.delete()


@transaction.atomic
def user_set_preferences(
    *, actor: User, language: str | None = None, time_zone: str | None = None
) -> User:
    """Store the user's own language and time-zone preferences."""
    before = _user_snapshot(actor)
    fields = []
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ValidationFailed("unknown language", field="language")
        actor.language = language
        fields.append("language")
    if time_zone is not None:
        actor.time_zone = time_zone
        actor.full_clean(
            validate_unique=False,
            exclude=[f.name for f in User._meta.fields if f.name != "time_zone"],
        )
        fields.append("time_zone")
    if fields:
        actor.save(update_fields=fields)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=actor,
            before=before,
            after=_user_snapshot(actor),
        )
    return actor


def security_log_prune(*, older_than_days: int = 365, now: datetime | None = None) -> int:
    """Delete security events older than the retention period (never under six months)."""
    from opsteam.core.retention import SECURITY_LOG_MINIMUM_DAYS

    older_than_days = max(older_than_days, SECURITY_LOG_MINIMUM_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    security_log.info("security_log_pruned count=%s older_than_days=%s", deleted, older_than_days)
    return deleted
