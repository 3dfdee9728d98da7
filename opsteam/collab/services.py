"""Writes of the collaboration app: notifications and their delivery by e-mail and IM.

``notify`` is the one way every module tells people something. The inbox always receives the
message (it is the record); each person's preferences per kind add an e-mail, right away or in
a daily/weekly digest, and their team's IM channels get one message per notify() call. E-mail
and IM deliveries are ``Delivery`` rows sent by Celery after commit, retried with backoff, held
back during quiet hours, and kept as the delivery log.

Notifications are messages derived from writes that are already audited where they happen (a
rule run, a moved item); they carry no personnel data of their own, so sending and reading
them writes no audit entry (which would double every audited event and flood the trail).
Channel configuration and preferences are audited: they decide where people's data goes.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.collab import im, kinds, schedule
from opsteam.collab.choices import DeliveryMedium, DeliveryStatus, EmailFrequency
from opsteam.collab.models import (
    Delivery,
    ImChannel,
    Notification,
    NotificationPreference,
    NotificationSettings,
    SentReminder,
)
from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, ValidationFailed
from opsteam.core.links import site_url

logger = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_URL = 500
MAX_ATTEMPTS = 6
# Seconds to wait after the 1st, 2nd, ... failed attempt before the next one.
BACKOFF_SECONDS = (60, 300, 900, 3600, 4 * 3600)
# A claimed delivery whose worker died is taken up again after this long.
SENDING_LEASE = dt.timedelta(minutes=15)
MAX_MENTIONS = 20
CHUNK = 2000
DISPATCH_BATCH = 200


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _recipient_ids(recipients: Iterable[Any]) -> list[int]:
    """Active users among ``recipients`` (users or ids), each once, in a stable order."""
    ids: set[int] = set()
    for recipient in recipients:
        if recipient is None:
            continue
        pk = getattr(recipient, "pk", recipient)
        if pk is not None:
            ids.add(int(pk))
    if not ids:
        return []
    active: list[int] = []
    for chunk in _chunks(sorted(ids)):
        active += (
            get_user_model()
            .objects.filter(pk__in=chunk, is_active=True)
            .values_list("pk", flat=True)
        )
    return sorted(active)


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: Any | None = None,
) -> int:
    """Tell ``recipients`` something: inbox, and e-mail/IM as each one's preferences ask.

    ``recipients`` are users or user ids; duplicates and ``None`` are dropped and inactive
    users skipped. A bounded number of queries whatever the number of recipients (bulk
    inserts); deliveries leave after commit. Returns how many people were notified.
    """
    ids = _recipient_ids(recipients)
    if not ids:
        return 0
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    title, body, url, kind = str(title)[:MAX_TITLE], str(body), str(url)[:MAX_URL], kind[:60]
    with transaction.atomic():
        notes = Notification.objects.bulk_create(
            (
                Notification(
                    recipient_id=pk,
                    kind=kind,
                    title=title,
                    body=body,
                    url=url,
                    actor_id=actor_id,
                    created_at=now,
                )
                for pk in ids
            ),
            batch_size=CHUNK,
        )
        note_of = {note.recipient_id: note.pk for note in notes}
        deliveries = _plan_deliveries(ids, kind, title, body, url, note_of, now)
        if deliveries:
            Delivery.objects.bulk_create(deliveries, batch_size=CHUNK)
            due_now = [d.pk for d in deliveries if d.next_attempt_at <= now and d.pk is not None]
            if due_now:
                # only this call's messages: a backlog is the beat sweep's, not this request's
                transaction.on_commit(lambda: dispatch(due_now))
    return len(ids)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _plan_deliveries(
    ids: list[int],
    kind: str,
    title: str,
    body: str,
    url: str,
    note_of: dict[int, int | None],
    now: dt.datetime,
) -> list[Delivery]:
    """The e-mails and IM messages one notify() call owes, by preferences and channels."""
    spec = kinds.kind_of(kind)
    email_of: dict[int, str] = {}
    im_of: dict[int, bool] = {}
    for chunk in _chunks(ids):
        for pref in NotificationPreference.objects.filter(user_id__in=chunk, kind=kind):
            email_of[pref.user_id] = pref.email
            im_of[pref.user_id] = pref.im
    emailing = [pk for pk in ids if email_of.get(pk, spec.email) != EmailFrequency.OFF]
    channels = [
        channel
        for channel in ImChannel.objects.filter(enabled=True).select_related("unit")
        if not channel.kinds or kind in channel.kinds
    ]
    deliveries: list[Delivery] = []
    if emailing:
        deliveries += _plan_emails(emailing, email_of, spec, kind, title, body, url, note_of, now)
    if channels:
        on_im = [pk for pk in ids if im_of.get(pk, spec.im)]
        deliveries += _plan_im(on_im, channels, kind, title, body, url, note_of, now)
    return deliveries


def _plan_emails(
    emailing: list[int],
    email_of: dict[int, str],
    spec: kinds.NotificationKind,
    kind: str,
    title: str,
    body: str,
    url: str,
    note_of: dict[int, int | None],
    now: dt.datetime,
) -> list[Delivery]:
    User = get_user_model()
    zones: dict[int, str] = {}
    quiet: dict[int, NotificationSettings] = {}
    for chunk in _chunks(emailing):
        # people without any address get no delivery at all (not one failure each)
        zones.update(
            (pk, zone)
            for pk, email, staff_email, zone in User.objects.filter(pk__in=chunk).values_list(
                "pk", "email", "staff__email", "time_zone"
            )
            if staff_email or email
        )
        quiet.update(
            (row.user_id, row) for row in NotificationSettings.objects.filter(user_id__in=chunk)
        )
    planned = []
    for pk in emailing:
        if pk not in zones:
            continue
        frequency = email_of.get(pk, spec.email)
        prefs = quiet.get(pk)
        zone = _zone(zones[pk])
        if frequency == EmailFrequency.IMMEDIATE:
            start, end = (prefs.quiet_start, prefs.quiet_end) if prefs else (None, None)
            status, when = DeliveryStatus.PENDING, schedule.earliest_send(now, start, end, zone)
        else:
            hour = prefs.digest_hour if prefs else 9
            weekly = frequency == EmailFrequency.WEEKLY
            status, when = (
                DeliveryStatus.DIGEST,
                schedule.next_digest(now, hour, zone, weekly=weekly),
            )
        planned.append(
            Delivery(
                medium=DeliveryMedium.EMAIL,
                notification_id=note_of.get(pk),
                recipient_id=pk,
                kind=kind,
                title=title,
                body=body,
                url=url,
                frequency=frequency,
                status=status,
                next_attempt_at=when,
                created_at=now,
            )
        )
    return planned


def _plan_im(
    on_im: list[int],
    channels: list[ImChannel],
    kind: str,
    title: str,
    body: str,
    url: str,
    note_of: dict[int, int | None],
    now: dt.datetime,
) -> list[Delivery]:
    """One message per channel covering at least one recipient, naming whom it concerns."""
    from opsteam.org.models import Staff

    people: list[tuple[int, str, str, str]] = []
    for chunk in _chunks(on_im):
        people += Staff.objects.filter(user_id__in=chunk).values_list(
            "user_id", "unit__path", "name", "name_en"
        )
    zone = _zone(None)
    planned = []
    for channel in channels:
        covered = [
            (user_id, name, name_en)
            for user_id, path, name, name_en in people
            if _covers(channel, path or "")
        ]
        if not covered:
            continue
        names = [name or name_en for _user, name, name_en in covered[:MAX_MENTIONS]]
        if len(covered) > MAX_MENTIONS:
            names.append(_("and {count} more").format(count=len(covered) - MAX_MENTIONS))
        planned.append(
            Delivery(
                medium=DeliveryMedium.IM,
                notification_id=note_of.get(covered[0][0]),
                channel=channel,
                kind=kind,
                title=title,
                body=body,
                url=url,
                mentions=names,
                status=DeliveryStatus.PENDING,
                next_attempt_at=schedule.earliest_send(
                    now, channel.quiet_start, channel.quiet_end, zone
                ),
                created_at=now,
            )
        )
    return planned


def _covers(channel: ImChannel, unit_path: str) -> bool:
    if channel.unit_id is None:
        return True
    if channel.include_subunits:
        return unit_path.startswith(channel.unit.path)
    return unit_path == channel.unit.path


# Sending ----------------------------------------------------------------------------------


def dispatch_due(*, now: dt.datetime | None = None) -> int:
    """Queue every delivery whose time has come (new, retrying, or stuck past its lease) for
    the worker, in batches. Returns how many were queued."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING],
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:50_000]
    )
    dispatch(due)
    return len(due)


def dispatch(delivery_ids: Sequence[int]) -> None:
    """Queue the given deliveries for the worker, in batches."""
    from opsteam.collab import tasks

    for batch in _chunks(list(delivery_ids), DISPATCH_BATCH):
        tasks.deliveries_send.delay(list(batch))


def _claim(delivery_ids: Sequence[int], now: dt.datetime) -> list[Delivery]:
    """Take the due ones among ``delivery_ids`` for sending, in one update: one worker wins
    each row (the others find it leased), and a crashed worker's lease expires."""
    lease_until = now + SENDING_LEASE
    Delivery.objects.filter(
        pk__in=delivery_ids,
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING],
        next_attempt_at__lte=now,
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_until)
    return list(
        Delivery.objects.filter(
            pk__in=delivery_ids, status=DeliveryStatus.SENDING, next_attempt_at=lease_until
        )
        .select_related("channel", "recipient__staff")
        .order_by("pk")
    )


@dataclass
class SendRun:
    """What one ``deliveries_send`` did: outcomes counted by status, and the deliveries to try
    again later with the seconds to wait (the task re-queues them with that countdown)."""

    counts: dict[str, int] = field(default_factory=dict)
    retry_later: list[tuple[int, int]] = field(default_factory=list)


def deliveries_send(delivery_ids: Iterable[int]) -> SendRun:
    """Send the given deliveries that are due (run by the worker). They are claimed first, so
    a delivery is never sent twice; each outcome is recorded as soon as it is known, and a
    retryable failure is rescheduled with backoff. E-mails share one mail connection."""
    run = SendRun()
    ids = list(delivery_ids)
    claimed = _claim(ids, timezone.now())
    if len(claimed) < len(ids):
        run.counts["skipped"] = len(ids) - len(claimed)
    connection = None
    try:
        for delivery in claimed:
            if delivery.medium == DeliveryMedium.EMAIL and connection is None:
                connection = get_connection()
            ok, status_code, error, retryable = _send_one(delivery, connection)
            outcome = _record_outcome(delivery, ok, status_code, error, retryable)
            run.counts[outcome] = run.counts.get(outcome, 0) + 1
            if outcome == DeliveryStatus.RETRYING:
                run.retry_later.append((delivery.pk, _backoff(delivery.attempts)))
    finally:
        if connection is not None:
            connection.close()
    return run


def _backoff(attempts: int) -> int:
    return BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]


def _record_outcome(
    delivery: Delivery, ok: bool, status_code: int | None, error: str, retryable: bool
) -> str:
    now = timezone.now()
    fields = {"status_code": status_code, "last_error": error[:2000]}
    if ok:
        fields.update(status=DeliveryStatus.SENT, sent_at=now, next_attempt_at=None)
    elif retryable and delivery.attempts < MAX_ATTEMPTS:
        fields.update(
            status=DeliveryStatus.RETRYING,
            next_attempt_at=now + dt.timedelta(seconds=_backoff(delivery.attempts)),
        )
    else:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    return fields["status"]


def _send_one(delivery: Delivery, connection: Any = None) -> tuple[bool, int | None, str, bool]:
    """(ok, HTTP status, error, retryable) of one attempt."""
    if delivery.medium == DeliveryMedium.IM:
        channel = delivery.channel
        if channel is None or not channel.enabled:
            return False, None, _("The channel was removed or switched off."), False
        result = im.send(
            channel.provider,
            channel.webhook_url,
            channel.secret,
            _im_message(delivery),
            now=time.time(),
        )
        return result.ok, result.status_code, result.error, result.retryable
    return _send_email(delivery, [delivery], connection)


def _im_message(delivery: Delivery) -> im.Message:
    with translation.override(settings.LANGUAGE_CODE):
        label = _("Open in OpsTeam")
    return im.Message(
        title=delivery.title,
        body=delivery.body,
        url=site_url(delivery.url) if delivery.url else "",
        link_label=label,
        mentions=tuple(delivery.mentions or ()),
    )


def _address_of(user: Any) -> str:
    """The person's mail address: their login's, else their staff record's."""
    if user is None:
        return ""
    if user.email:
        return user.email
    staff = getattr(user, "staff", None)
    return getattr(staff, "email", "") or ""


def _send_email(
    delivery: Delivery, items: list[Delivery], connection: Any = None
) -> tuple[bool, int | None, str, bool]:
    """One e-mail to ``delivery.recipient`` with ``items`` (one, or a digest's)."""
    user = delivery.recipient
    to = _address_of(user)
    if not to:
        return False, None, _("The person has no e-mail address."), False
    language = (getattr(user, "language", "") or "") or settings.LANGUAGE_CODE
    with translation.override(language):
        digest = delivery.status == DeliveryStatus.DIGEST or len(items) > 1
        if digest:
            subject = _("OpsTeam digest: {count} notifications").format(count=len(items))
        else:
            subject = delivery.title
        context = {
            "items": [
                {
                    "title": item.title,
                    "body": item.body,
                    "url": site_url(item.url),
                    "kind": kinds.label_of(item.kind),
                }
                for item in items
            ],
            "digest": digest,
            "preferences_url": site_url(reverse("collab:preferences")),
        }
        text = render_to_string("collab/email/notification.txt", context)
        html = render_to_string("collab/email/notification.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], connection=connection)
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        logger.warning("e-mail delivery failed: %s", type(exc).__name__)
        return False, None, f"{type(exc).__name__}: {exc}"[:500], True
    return True, None, "", False


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Send every digest that is due: one e-mail per person with all their waiting items.
    Returns how many digest e-mails went out."""
    now = now or timezone.now()
    waiting = (
        Delivery.objects.filter(status=DeliveryStatus.DIGEST, next_attempt_at__lte=now)
        .select_related("recipient__staff")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_person: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in waiting:
        by_person[delivery.recipient_id].append(delivery)
    sent = 0
    for items in by_person.values():
        ok, _code, error, _retryable = _send_email(items[0], items)
        ids = [item.pk for item in items]
        if ok:
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1
            )
            sent += 1
        else:
            # a digest that cannot leave (no address) is logged once, not retried every hour
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.FAILED, last_error=error, attempts=F("attempts") + 1
            )
    return sent


@transaction.atomic
def delivery_retry(*, actor: Any, delivery: Delivery) -> Delivery:
    """Send a failed or waiting delivery again now (administrators, HR, channel owners)."""
    policy.require(actor, "retry", delivery)
    if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.RETRYING):
        raise InvalidTransition(_("Only failed or retrying deliveries can be sent again."))
    before = audit.snapshot(delivery)
    delivery.status = DeliveryStatus.RETRYING
    delivery.next_attempt_at = timezone.now()
    delivery.attempts = min(delivery.attempts, MAX_ATTEMPTS - 1)
    delivery.save(update_fields=["status", "next_attempt_at", "attempts"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=delivery, before=before)
    transaction.on_commit(lambda: dispatch([delivery.pk]))
    return delivery


# Reminders raised by other modules ----------------------------------------------------------


def remind_once(
    *,
    key: str,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
) -> int:
    """Notify once per ``key`` (e.g. "review-due:self:42:2026-11-30"); a scan that runs again
    sends nothing. Returns how many people were notified (0 when already reminded)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                SentReminder.objects.create(key=key[:200])
        except IntegrityError:
            return 0
        return notify(recipients=recipients, kind=kind, title=title, body=body, url=url)


# Inbox ------------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification | None = None) -> int:
    """Mark one of the actor's notifications read, or (without one) all of them.

    Only ever the actor's own notifications (the policy's own-only rule): someone else's
    answers ``NotVisible``. Returns how many changed.
    """
    now = timezone.now()
    if notification is not None:
        policy.require(actor, "change", notification)
        if notification.read_at is not None:
            return 0
        notification.read_at = now
        notification.save(update_fields=["read_at"])
        return 1
    unread = Notification.objects.restrict(actor, "change").filter(
        recipient=actor, read_at__isnull=True
    )
    return unread.update(read_at=now)


# Preferences ------------------------------------------------------------------------------


@transaction.atomic
def preferences_save(
    *,
    actor: Any,
    choices: dict[str, tuple[str, bool]],
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
    digest_hour: int,
) -> None:
    """Save the actor's own choices: ``choices`` maps kind slug to (e-mail frequency, IM on).

    Choices equal to a kind's default are stored too (so a later change of defaults does not
    silently change what a person chose). Unknown kinds or frequencies are refused.
    Audit: one update entry for the settings row, listing the changed kinds.
    """
    for slug, (email, _im) in choices.items():
        if slug not in kinds.BY_SLUG:
            raise ValidationFailed(_("Unknown kind of notification: {slug}").format(slug=slug))
        if email not in EmailFrequency.values:
            raise ValidationFailed(
                _("{value!r} is not an e-mail choice.").format(value=email), field=slug
            )
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationFailed(
            _("Give both ends of the quiet hours, or neither."), field="quiet_end"
        )
    if not 0 <= int(digest_hour) <= 23:
        raise ValidationFailed(_("The digest hour is 0 to 23."), field="digest_hour")
    row, created = NotificationSettings.objects.get_or_create(user=actor)
    before = None if created else audit.snapshot(row)
    existing = {p.kind: p for p in NotificationPreference.objects.filter(user=actor)}
    changed = []
    for slug, (email, im_on) in choices.items():
        pref = existing.get(slug)
        if pref is None:
            NotificationPreference.objects.create(user=actor, kind=slug, email=email, im=im_on)
            changed.append(slug)
        elif (pref.email, pref.im) != (email, im_on):
            pref.email, pref.im = email, im_on
            pref.save(update_fields=["email", "im"])
            changed.append(slug)
    row.quiet_start, row.quiet_end, row.digest_hour = quiet_start, quiet_end, int(digest_hour)
    row.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=row,
        before=before,
        note=("kinds: " + ", ".join(changed)) if changed else "",
    )


def preferences_of(user: Any) -> list[dict[str, Any]]:
    """Each kind with the user's choice (or its default), in the registry's order."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for spec in kinds.KINDS:
        pref = stored.get(spec.slug)
        rows.append(
            {
                "kind": spec.slug,
                "label": str(spec.label),
                "area": str(spec.area),
                "email": pref.email if pref else spec.email,
                "im": pref.im if pref else spec.im,
                "is_default": pref is None,
            }
        )
    return rows


# IM channels ------------------------------------------------------------------------------

CHANNEL_FIELDS = (
    "name",
    "provider",
    "webhook_url",
    "secret",
    "unit",
    "include_subunits",
    "kinds",
    "quiet_start",
    "quiet_end",
    "enabled",
)


def _clean_channel(data: dict[str, Any]) -> None:
    problem = im.validate_webhook_url(data["provider"], data["webhook_url"])
    if problem:
        raise ValidationFailed(
            _("Webhook address: {problem}").format(problem=problem), field="webhook_url"
        )
    unknown = [slug for slug in data.get("kinds") or [] if slug not in kinds.BY_SLUG]
    if unknown:
        raise ValidationFailed(
            _("Unknown kinds of notification: {kinds}").format(kinds=", ".join(map(str, unknown))),
            field="kinds",
        )
    if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
        raise ValidationFailed(
            _("Give both ends of the quiet hours, or neither."), field="quiet_end"
        )


@transaction.atomic
def channel_create(*, actor: Any, **data: Any) -> ImChannel:
    """Add a team's (or, for HR/administrators, the company's) IM channel. Audit: create."""
    data = {key: value for key, value in data.items() if key in CHANNEL_FIELDS}
    data.setdefault("kinds", [])
    _clean_channel(data)
    channel = ImChannel(created_by=actor, **data)
    policy.require_for_unit(actor, "add", ImChannel, channel.unit)
    channel.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=channel)
    return channel


@transaction.atomic
def channel_update(*, actor: Any, channel: ImChannel, **data: Any) -> ImChannel:
    """Change a channel; the unit may only move within the actor's scope. Audit: update."""
    policy.require(actor, "change", channel)
    before = audit.snapshot(channel)
    for key, value in data.items():
        if key in CHANNEL_FIELDS:
            setattr(channel, key, value)
    _clean_channel({key: getattr(channel, key) for key in CHANNEL_FIELDS})
    policy.require_for_unit(actor, "change", ImChannel, channel.unit)  # a moved unit too
    channel.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=channel, before=before)
    return channel


@transaction.atomic
def channel_delete(*, actor: Any, channel: ImChannel) -> None:
    """Remove a channel and its delivery log. Audit: delete."""
    policy.require(actor, "delete", channel)
    audit.record(
        actor=actor, action=AuditAction.DELETE, obj=channel, before=audit.snapshot(channel)
    )
    channel.delete()


def channel_test(*, actor: Any, channel: ImChannel) -> Delivery:
    """Send a test message to the channel now and log it (the answer shows in the log)."""
    policy.require(actor, "change", channel)
    delivery = Delivery.objects.create(
        medium=DeliveryMedium.IM,
        channel=channel,
        kind="channel-test",
        title=_("OpsTeam test message"),
        body=_("{name} is connected: notifications for this team will arrive here.").format(
            name=channel.name
        ),
        url=reverse("collab:inbox"),
        status=DeliveryStatus.PENDING,
        next_attempt_at=timezone.now(),
    )
    deliveries_send([delivery.pk])
    delivery.refresh_from_db()
    return delivery
