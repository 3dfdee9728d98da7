"""Writes of announcements: draft, publish (now or scheduled), edit, archive, read marks,
acknowledgements and reminders.

Publishing resolves the audience set-based into one receipt per person (bulk inserts in
chunks: a bounded number of queries for 10,000 people) and notifies them through
``collab.services.notify`` (kind "announcement"), in each reader's own language. Every change
to an announcement and every acknowledgement is audited; read marks are not (like the inbox's
read marks they are derived, and would flood the trail), but they are kept on the receipt.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.collab import reminders
from opsteam.collab import services as collab_services
from opsteam.collab.models import (
    Announcement,
    AnnouncementImportance,
    AnnouncementReceipt,
    AnnouncementStatus,
    Notification,
    SentReminder,
)
from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction, AuditSource
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.markdown import plain

KIND = "announcement"
CHUNK = 2000
MAX_BODY = 20000
MAX_TARGETS = 200
EDITABLE = (
    "title",
    "body",
    "importance",
    "requires_acknowledgement",
    "pinned",
    "expires_at",
    "publish_at",
)
AUDIENCE = ("everyone", "units", "positions")
LIVE = (AnnouncementStatus.PUBLISHED, AnnouncementStatus.ARCHIVED)


# Audience ---------------------------------------------------------------------------------


def audience_staff(
    *, everyone: bool, unit_paths: Sequence[str], position_ids: Sequence[int]
) -> QuerySet:
    """The staff an audience reaches: people with a login who have not left. Units reach
    their whole subtree; positions count main and concurrent (兼岗) ones; with both, the
    people of those units holding one of those positions."""
    from opsteam.org.choices import StaffStatus
    from opsteam.org.models import Staff

    staff = Staff.objects.filter(user__isnull=False, user__is_active=True).exclude(
        status=StaffStatus.LEFT
    )
    if everyone:
        return staff
    if not unit_paths and not position_ids:
        return staff.none()
    if unit_paths:
        where = Q()
        for path in unit_paths:
            where |= Q(unit__path__startswith=path)
        staff = staff.filter(where)
    if position_ids:
        concurrent = Staff.concurrent_positions.through.objects.filter(
            position_id__in=position_ids
        ).values("staff_id")
        staff = staff.filter(Q(position_id__in=position_ids) | Q(pk__in=concurrent))
    return staff


def _announcement_audience(announcement: Announcement) -> QuerySet:
    return audience_staff(
        everyone=announcement.everyone,
        unit_paths=[unit.path for unit in announcement.units.all()],
        position_ids=[position.pk for position in announcement.positions.all()],
    )


def audience_count(*, everyone: bool, units: Iterable[Any], positions: Iterable[Any]) -> int:
    """How many people an audience would reach now (the form's live preview)."""
    return audience_staff(
        everyone=everyone,
        unit_paths=[unit.path for unit in units],
        position_ids=[getattr(position, "pk", position) for position in positions],
    ).count()


def publish_scope(actor: Any) -> tuple[bool, list[str]]:
    """Whether ``actor`` may address anyone, else the unit paths they may address."""
    allowed = policy.rule_for(Announcement).actions["publish"]
    paths: list[str] = []
    for role, role_paths in policy.user_roles(actor).items():
        scope = allowed.get(role)
        if scope is policy.ALL:
            return True, []
        if scope is policy.SUBTREE:
            paths += role_paths
    return False, paths


def _check_audience(actor: Any, everyone: bool, units: list[Any], positions: list[Any]) -> None:
    if not everyone and not units and not positions:
        raise ValidationFailed(
            _("Choose who should read it: everyone, or departments, teams and positions."),
            field="units",
        )
    if len(units) > MAX_TARGETS or len(positions) > MAX_TARGETS:
        raise ValidationFailed(_("Choose at most 200 units and 200 positions."), field="units")
    if actor is None:
        return
    anyone, paths = publish_scope(actor)
    if anyone:
        return
    if everyone:
        raise ValidationFailed(
            _("Only HR and administrators address everyone; choose your own teams."),
            field="everyone",
        )
    if not units:
        raise ValidationFailed(
            _("Choose at least one of your teams: you may address your own teams only."),
            field="units",
        )
    for unit in units:
        if not any(unit.path.startswith(path) for path in paths):
            raise ValidationFailed(
                _(
                    "{unit} is outside the teams you lead; you may address your own teams only."
                ).format(unit=unit.display_name),
                field="units",
            )


def _scope_unit(units: list[Any]) -> Any | None:
    """The deepest unit containing every chosen unit (None: organisation-wide)."""
    from opsteam.org.models import OrgUnit

    if not units:
        return None
    segments = [unit.path.split("/")[:-1] for unit in units]
    common: list[str] = []
    for parts in zip(*segments, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    if not common:
        return None
    path = "/".join(common) + "/"
    return OrgUnit.objects.filter(path=path).first()


def _clean(data: dict[str, Any], *, requires_ack_given: bool) -> None:
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationFailed(_("Give the announcement a title."), field="title")
    data["title"] = title[:200]
    if len(data.get("body") or "") > MAX_BODY:
        raise ValidationFailed(_("The text is too long (at most 20,000 characters)."), field="body")
    if data.get("importance") not in AnnouncementImportance.values:
        data["importance"] = AnnouncementImportance.NORMAL
    if not requires_ack_given:
        data["requires_acknowledgement"] = data["importance"] == AnnouncementImportance.IMPORTANT
    expires, publish = data.get("expires_at"), data.get("publish_at")
    if expires is not None and expires <= (publish or timezone.now()):
        raise ValidationFailed(
            _("The expiry must come after the announcement is published."), field="expires_at"
        )


# Drafts -----------------------------------------------------------------------------------


@transaction.atomic
def announcement_create(
    *,
    actor: Any,
    title: str,
    body: str = "",
    importance: str = AnnouncementImportance.NORMAL,
    requires_acknowledgement: bool | None = None,
    pinned: bool = False,
    everyone: bool = False,
    units: Sequence[Any] = (),
    positions: Sequence[Any] = (),
    publish_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
) -> Announcement:
    """Save a draft (important ones require acknowledgement unless told otherwise).

    Managers address their own subtree only: a unit outside it is a validation error naming
    the unit. Audit: create."""
    policy.require(actor, "add", Announcement)
    data = {
        "title": title,
        "body": body or "",
        "importance": importance,
        "requires_acknowledgement": bool(requires_acknowledgement),
        "pinned": bool(pinned),
        "publish_at": publish_at,
        "expires_at": expires_at,
    }
    _clean(data, requires_ack_given=requires_acknowledgement is not None)
    units, positions = list(units), list(positions)
    _check_audience(actor, everyone, units, positions)
    announcement = Announcement(
        author=actor,
        everyone=bool(everyone),
        unit=None if everyone else _scope_unit(units),
        **data,
    )
    announcement.save()
    if not everyone:
        announcement.units.set(units)
        announcement.positions.set(positions)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=announcement,
        after=_snapshot(announcement),
    )
    return announcement


def _snapshot(announcement: Announcement) -> dict[str, Any]:
    data = audit.snapshot(announcement)
    data["units"] = sorted(unit.pk for unit in announcement.units.all())
    data["positions"] = sorted(position.pk for position in announcement.positions.all())
    return data


@transaction.atomic
def announcement_update(
    *, actor: Any, announcement: Announcement, reacknowledge: bool = False, **changes: Any
) -> Announcement:
    """Change an announcement. Drafts change freely; once published the audience is fixed,
    a changed title or text marks it "updated" for its readers, and ``reacknowledge`` asks
    everyone to confirm again (and tells them). Audit: update."""
    policy.require(actor, "change", announcement)
    if announcement.status == AnnouncementStatus.ARCHIVED:
        raise InvalidTransition(_("An archived announcement cannot be changed."))
    before = _snapshot(announcement)
    published = announcement.status == AnnouncementStatus.PUBLISHED
    data = {key: getattr(announcement, key) for key in EDITABLE}
    data.update({key: value for key, value in changes.items() if key in EDITABLE})
    given = (
        "requires_acknowledgement" in changes and changes["requires_acknowledgement"] is not None
    )
    if not given:
        data["requires_acknowledgement"] = announcement.requires_acknowledgement
    data["body"] = data["body"] or ""
    _clean(data, requires_ack_given=True)
    audience_changed = any(key in changes for key in AUDIENCE)
    if published and audience_changed and _audience_differs(announcement, changes):
        raise ValidationFailed(
            _("The audience of a published announcement cannot change; publish a new one."),
            field="units",
        )
    content_changed = published and (
        data["title"] != announcement.title or data["body"] != announcement.body
    )
    for key, value in data.items():
        setattr(announcement, key, value)
    if not published and audience_changed:
        everyone = bool(changes.get("everyone", announcement.everyone))
        units = list(changes["units"]) if "units" in changes else list(announcement.units.all())
        positions = (
            list(changes["positions"])
            if "positions" in changes
            else list(announcement.positions.all())
        )
        _check_audience(actor, everyone, units, positions)
        announcement.everyone = everyone
        announcement.unit = None if everyone else _scope_unit(units)
        announcement.units.set([] if everyone else units)
        announcement.positions.set([] if everyone else positions)
    now = timezone.now()
    if content_changed:
        announcement.content_updated_at = now
    announcement.save()
    ask_again = published and reacknowledge and announcement.requires_acknowledgement
    if ask_again:
        AnnouncementReceipt.objects.filter(announcement=announcement).update(acknowledged_at=None)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=announcement,
        before=before,
        after=_snapshot(announcement),
        note=_("Readers asked to acknowledge again.") if ask_again else "",
    )
    if ask_again:
        user_ids = list(
            AnnouncementReceipt.objects.filter(announcement=announcement).values_list(
                "user_id", flat=True
            )
        )
        _notify(announcement, user_ids, actor=actor, updated=True)
    return announcement


def _audience_differs(announcement: Announcement, changes: dict[str, Any]) -> bool:
    if "everyone" in changes and bool(changes["everyone"]) != announcement.everyone:
        return True
    if "units" in changes and {u.pk for u in changes["units"]} != {
        u.pk for u in announcement.units.all()
    }:
        return True
    if "positions" in changes:
        wanted = {getattr(p, "pk", p) for p in changes["positions"]}
        if wanted != {p.pk for p in announcement.positions.all()}:
            return True
    return False


@transaction.atomic
def announcement_delete(*, actor: Any, announcement: Announcement) -> None:
    """Delete a draft or scheduled announcement (published ones are archived instead, so
    their receipts stay). Audit: delete."""
    policy.require(actor, "delete", announcement)
    if announcement.status in LIVE:
        raise InvalidTransition(_("A published announcement is archived, not deleted."))
    audit.record(
        actor=actor, action=AuditAction.DELETE, obj=announcement, before=_snapshot(announcement)
    )
    announcement.delete()


# Publication ------------------------------------------------------------------------------


@transaction.atomic
def announcement_publish(
    *, actor: Any, announcement: Announcement, publish_at: dt.datetime | None = None
) -> Announcement:
    """Publish now, or schedule for ``publish_at`` (the hourly scan publishes it then).

    Audit: "publish" (or an update to "scheduled")."""
    policy.require(actor, "publish", announcement)
    if announcement.status not in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED):
        raise InvalidTransition(_("Only drafts and scheduled announcements can be published."))
    _check_audience(
        actor,
        announcement.everyone,
        list(announcement.units.all()),
        list(announcement.positions.all()),
    )
    now = timezone.now()
    when = publish_at if publish_at is not None else announcement.publish_at
    if when is not None and when > now:
        before = audit.snapshot(announcement)
        announcement.status = AnnouncementStatus.SCHEDULED
        announcement.publish_at = when
        announcement.save(update_fields=["status", "publish_at", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=announcement, before=before)
        return announcement
    return _publish(announcement, actor=actor, now=now)


def _publish(announcement: Announcement, *, actor: Any, now: dt.datetime) -> Announcement:
    """Resolve the audience into receipts, mark published, notify (inside the caller's
    transaction). A bounded number of queries whatever the audience size."""
    before = audit.snapshot(announcement)
    people = list(_announcement_audience(announcement).values_list("user_id", "unit_id"))
    existing = set(
        AnnouncementReceipt.objects.filter(announcement=announcement).values_list(
            "user_id", flat=True
        )
    )
    fresh = [(user_id, unit_id) for user_id, unit_id in people if user_id not in existing]
    for start in range(0, len(fresh), CHUNK):
        AnnouncementReceipt.objects.bulk_create(
            [
                AnnouncementReceipt(
                    announcement=announcement, user_id=user_id, unit_id=unit_id, created_at=now
                )
                for user_id, unit_id in fresh[start : start + CHUNK]
            ],
            batch_size=CHUNK,
        )
    announcement.status = AnnouncementStatus.PUBLISHED
    announcement.published_at = now
    announcement.publish_at = announcement.publish_at or now
    announcement.audience_size = len(existing) + len(fresh)
    announcement.save(
        update_fields=["status", "published_at", "publish_at", "audience_size", "updated_at"]
    )
    audit.record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=announcement,
        before=before,
    )
    _notify(announcement, [user_id for user_id, _unit in fresh], actor=actor)
    return announcement


def _notify(
    announcement: Announcement,
    user_ids: list[int],
    *,
    actor: Any,
    updated: bool = False,
    reminder: bool = False,
) -> int:
    """Tell readers, each group in its own language (one notify() per language)."""
    from django.contrib.auth import get_user_model

    if not user_ids:
        return 0
    by_language: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(user_ids), CHUNK):
        for pk, language in (
            get_user_model()
            .objects.filter(pk__in=user_ids[start : start + CHUNK])
            .values_list("pk", "language")
        ):
            by_language[reminders.language_of(language)].append(pk)
    sent = 0
    url = announcement.get_absolute_url()
    for language, ids in sorted(by_language.items()):
        with translation.override(language):
            title, body = _message(announcement, updated=updated, reminder=reminder)
            sent += collab_services.notify(
                recipients=ids, kind=KIND, title=title, body=body, url=url, actor=actor
            )
    return sent


def _message(announcement: Announcement, *, updated: bool, reminder: bool) -> tuple[str, str]:
    if reminder:
        title = _("Please acknowledge: {title}").format(title=announcement.title)
    elif updated:
        title = _("Updated, please acknowledge again: {title}").format(title=announcement.title)
    elif announcement.is_important:
        title = _("Important: {title}").format(title=announcement.title)
    else:
        title = _("Announcement: {title}").format(title=announcement.title)
    body = plain(announcement.body, 200)
    if announcement.requires_acknowledgement:
        body = _("Please read it and confirm with “I have read and understood”.") + (
            f"\n\n{body}" if body else ""
        )
    return title, body


def publish_due(*, now: dt.datetime | None = None) -> int:
    """Publish the scheduled announcements whose time has come (as the system); returns how
    many. Each one in its own transaction, so one failure does not hold back the others."""
    now = now or timezone.now()
    due = list(
        Announcement.objects.filter(
            status=AnnouncementStatus.SCHEDULED, publish_at__lte=now
        ).values_list("pk", flat=True)
    )
    published = 0
    for pk in due:
        with transaction.atomic():
            announcement = Announcement.objects.select_for_update().filter(pk=pk).first()
            if announcement is None or announcement.status != AnnouncementStatus.SCHEDULED:
                continue
            with audit.context(source=AuditSource.SYSTEM):
                _publish(announcement, actor=None, now=now)
            published += 1
    return published


def scan(*, today: dt.date) -> int:
    """The hourly reminders scan (collab/reminders.py): publish the scheduled announcements
    that are due; returns how many were published. Expired ones need nothing: they drop out
    of people's lists by their date."""
    return publish_due()


@transaction.atomic
def announcement_archive(*, actor: Any, announcement: Announcement) -> Announcement:
    """Take a published announcement out of people's lists; receipts and statistics stay.
    Audit: update."""
    policy.require(actor, "archive", announcement)
    if announcement.status != AnnouncementStatus.PUBLISHED:
        raise InvalidTransition(_("Only published announcements can be archived."))
    before = audit.snapshot(announcement)
    announcement.status = AnnouncementStatus.ARCHIVED
    announcement.archived_at = timezone.now()
    announcement.pinned = False
    announcement.save(update_fields=["status", "archived_at", "pinned", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=announcement, before=before)
    return announcement


# Readers ----------------------------------------------------------------------------------


def _receipt_of(actor: Any, announcement: Announcement) -> AnnouncementReceipt:
    receipt = AnnouncementReceipt.objects.filter(
        announcement=announcement, user_id=getattr(actor, "pk", None)
    ).first()
    if receipt is None or announcement.status not in LIVE:
        raise PolicyDenied(_("Only the people it is addressed to acknowledge it."))
    return receipt


@transaction.atomic
def announcement_read(*, actor: Any, announcement: Announcement) -> AnnouncementReceipt | None:
    """Mark the actor's copy read (opening it does this) and its notifications read.
    Returns the receipt, or None when the actor is not a reader (a manager looking at it)."""
    receipt = AnnouncementReceipt.objects.filter(
        announcement=announcement, user_id=getattr(actor, "pk", None)
    ).first()
    if receipt is None or announcement.status not in LIVE:
        return None
    now = timezone.now()
    if receipt.read_at is None or (
        announcement.content_updated_at and receipt.read_at < announcement.content_updated_at
    ):
        receipt.read_at = now
        receipt.save(update_fields=["read_at"])
    Notification.objects.filter(
        recipient=actor, kind=KIND, url=announcement.get_absolute_url(), read_at__isnull=True
    ).update(read_at=now)
    return receipt


@transaction.atomic
def announcement_acknowledge(*, actor: Any, announcement: Announcement) -> AnnouncementReceipt:
    """Record "I have read and understood" (确认已读) on the actor's own copy (read too).
    Only readers of a live announcement that asks for it; once. Audit: "acknowledge"."""
    receipt = _receipt_of(actor, announcement)
    policy.require(actor, "acknowledge", receipt)
    if not announcement.requires_acknowledgement:
        raise InvalidTransition(_("This announcement does not ask for acknowledgement."))
    if receipt.acknowledged_at is not None:
        return receipt
    before = audit.snapshot(receipt)
    now = timezone.now()
    receipt.read_at = receipt.read_at or now
    receipt.acknowledged_at = now
    receipt.save(update_fields=["read_at", "acknowledged_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=receipt, before=before)
    return receipt


@transaction.atomic
def announcement_remind(*, actor: Any, announcement: Announcement) -> int:
    """Remind the readers who have not acknowledged yet (those the actor may name: HR all,
    managers their subtree). At most once a day per announcement; returns people reminded
    (0 when already reminded today)."""
    policy.require(actor, "remind", announcement)
    if announcement.status != AnnouncementStatus.PUBLISHED:
        raise InvalidTransition(_("Only published announcements send reminders."))
    if not announcement.requires_acknowledgement:
        raise InvalidTransition(_("This announcement does not ask for acknowledgement."))
    pending = list(
        AnnouncementReceipt.objects.restrict(actor, "export")
        .filter(announcement=announcement, acknowledged_at__isnull=True)
        .values_list("user_id", flat=True)
    )
    if not pending:
        return 0
    key = f"announcement-ack:{announcement.pk}:{timezone.localdate().isoformat()}"
    try:
        with transaction.atomic():
            SentReminder.objects.create(key=key)
    except IntegrityError:  # the unique key: already reminded today
        return 0
    before = audit.snapshot(announcement)
    announcement.last_reminded_at = timezone.now()
    announcement.save(update_fields=["last_reminded_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=announcement,
        before=before,
        note=_("Reminded {count} people to acknowledge.").format(count=len(pending)),
    )
    return _notify(announcement, pending, actor=actor, reminder=True)
