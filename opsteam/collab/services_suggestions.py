"""Writes of the suggestion box: submit (named or anonymous), vote, comment, follow, and move
a suggestion through its workflow.

Anonymous writes keep nobody's trace: no author, no user id or hash of one, no client address
in the audit entry, no actor on notifications, and times kept to the day (the submission's row,
its first event and its audit entry), so the trail cannot be lined up with a login or another
of the person's actions. The audit entry of an anonymous write is written with the system as
its actor; the request's address that the middleware puts into the audit context is dropped.

Votes and follows are not audited: they are preferences rather than personnel data, and an
audit entry naming the voter would make the voter list readable to auditors (it is shown to
nobody).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.collab import reminders
from opsteam.collab.models_suggestions import (
    OPEN_STATUSES,
    TRANSITIONS,
    Suggestion,
    SuggestionCategory,
    SuggestionComment,
    SuggestionEvent,
    SuggestionFollower,
    SuggestionStatus,
    SuggestionVote,
)
from opsteam.core import audit, policy
from opsteam.core.audit_seal import seal_after_commit
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, NotVisible, ValidationFailed

KIND = "suggestion"
MAX_TITLE = 200
MAX_BODY = 20000
MAX_COMMENT = 5000
MAX_NOTE = 2000
# The longest an accepted suggestion may be planned ahead.
MAX_PLAN_DAYS = 3 * 365


def hash_token(token: str) -> str:
    """The stored form of a private follow link's token (SHA-256, hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def coarse_now() -> dt.datetime:
    """Today's local midnight: the only time an anonymous write keeps."""
    today = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def _record_anonymous(*, action: str, obj: Any, after: dict[str, Any], at: dt.datetime) -> None:
    """Audit an anonymous write: no actor, no client address, the day only."""
    ctx = audit.current_context()
    with audit.context(source=ctx.source, remote_addr=None, import_job_id=ctx.import_job_id):
        entry = audit.build_entry(actor=None, action=action, obj=obj, after=after)
    if entry is not None:
        entry.at = at
        entry.save(force_insert=True)
        seal_after_commit()


def _clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(_("This field is required."), field=field)
    if len(text) > limit:
        raise ValidationFailed(_("At most {limit} characters.").format(limit=limit), field=field)
    return text


def _snapshot(suggestion: Suggestion) -> dict[str, Any]:
    return audit.snapshot(suggestion, exclude=("follow_token_hash", "vote_count", "comment_count"))


@transaction.atomic
def suggestion_create(
    *,
    actor: Any,
    title: str,
    body: str,
    category: str,
    unit: Any | None = None,
    anonymous: bool = False,
) -> tuple[Suggestion, str | None]:
    """Submit a suggestion; returns it and, when anonymous, the private follow token (shown to
    the submitter once; only its hash is kept).

    Raises ``PolicyDenied`` (auditors), ``ValidationFailed`` (empty or too long text, unknown
    category). Audit: create (without actor, address or time of day when anonymous).
    """
    policy.require(actor, "add", Suggestion)
    title = _clean_text(title, field="title", limit=MAX_TITLE)
    body = _clean_text(body, field="body", limit=MAX_BODY)
    if category not in SuggestionCategory.values:
        raise ValidationFailed(_("Choose a category."), field="category")
    token = secrets.token_urlsafe(24) if anonymous else None
    at = coarse_now() if anonymous else timezone.now()
    suggestion = Suggestion.objects.create(
        title=title,
        body=body,
        category=category,
        unit=unit,
        is_anonymous=anonymous,
        author=None if anonymous else actor,
        follow_token_hash=hash_token(token) if token else None,
        created_at=at,
        status_changed_at=at,
    )
    SuggestionEvent.objects.create(
        suggestion=suggestion,
        actor=None if anonymous else actor,
        to_status=SuggestionStatus.RECEIVED,
        at=at,
    )
    if anonymous:
        _record_anonymous(
            action=AuditAction.CREATE, obj=suggestion, after=_snapshot(suggestion), at=at
        )
    else:
        SuggestionFollower.objects.create(suggestion=suggestion, user=actor)
        audit.record(
            actor=actor, action=AuditAction.CREATE, obj=suggestion, after=_snapshot(suggestion)
        )
    return suggestion, token


def suggestion_vote(*, actor: Any, suggestion: Suggestion, voted: bool | None = None) -> bool:
    """Vote for a suggestion or take the vote back (``voted=None`` toggles); returns whether
    the actor's vote now counts. One vote per person. Not audited (see the module)."""
    policy.require(actor, "vote", suggestion)
    with transaction.atomic():
        existing = SuggestionVote.objects.filter(suggestion=suggestion, user=actor)
        has_vote = existing.exists()
        want = (not has_vote) if voted is None else voted
        if want and not has_vote:
            try:
                with transaction.atomic():
                    SuggestionVote.objects.create(suggestion=suggestion, user=actor)
            except IntegrityError:  # a double click raced us: the vote is there
                pass
        elif not want and has_vote:
            existing.delete()
        count = SuggestionVote.objects.filter(suggestion=suggestion).count()
        Suggestion.objects.filter(pk=suggestion.pk).update(vote_count=count)
        suggestion.vote_count = count
    return want


def suggestion_follow(*, actor: Any, suggestion: Suggestion, following: bool) -> bool:
    """Start or stop hearing about a suggestion's changes and replies. Not audited."""
    policy.require(actor, "follow", suggestion)
    if following:
        SuggestionFollower.objects.get_or_create(suggestion=suggestion, user=actor)
    else:
        SuggestionFollower.objects.filter(suggestion=suggestion, user=actor).delete()
    return following


def _add_comment(
    *,
    suggestion: Suggestion,
    author: Any | None,
    body: str,
    anonymous: bool,
    by_submitter: bool,
) -> SuggestionComment:
    body = _clean_text(body, field="body", limit=MAX_COMMENT)
    at = coarse_now() if anonymous else timezone.now()
    comment = SuggestionComment.objects.create(
        suggestion=suggestion,
        author=None if anonymous else author,
        is_anonymous=anonymous,
        by_submitter=by_submitter,
        body=body,
        created_at=at,
    )
    Suggestion.objects.filter(pk=suggestion.pk).update(comment_count=F("comment_count") + 1)
    suggestion.comment_count += 1
    if anonymous:
        _record_anonymous(
            action=AuditAction.CREATE, obj=comment, after=audit.snapshot(comment), at=at
        )
    else:
        audit.record(actor=author, action=AuditAction.CREATE, obj=comment)
    return comment


def _comment_notice(suggestion: Suggestion) -> Any:
    return lambda: _("New comment on the suggestion “{title}”").format(title=suggestion.title)


@transaction.atomic
def suggestion_comment(
    *, actor: Any, suggestion: Suggestion, body: str, anonymous: bool = False
) -> SuggestionComment:
    """Comment on a suggestion, named or anonymously; the named author and followers hear of
    it (never who wrote an anonymous comment). Raises ``PolicyDenied`` (auditors),
    ``ValidationFailed`` (empty or too long). Audit: create."""
    policy.require(actor, "comment", suggestion)
    comment = _add_comment(
        suggestion=suggestion, author=actor, body=body, anonymous=anonymous, by_submitter=False
    )
    recipients = _audience(suggestion, voters=False)
    if not anonymous:
        recipients.discard(actor.pk)
    _notify(
        recipients,
        suggestion=suggestion,
        title=_comment_notice(suggestion),
        body=comment.body[:300],
        actor=None if anonymous else actor,
    )
    return comment


def suggestion_by_token(token: str) -> Suggestion:
    """The anonymous suggestion a private follow link opens; ``NotVisible`` for any other
    token (a wrong one looks exactly like a missing one)."""
    token = (token or "").strip()
    if not (16 <= len(token) <= 200):
        raise NotVisible()
    suggestion = Suggestion.objects.filter(follow_token_hash=hash_token(token)).first()
    if suggestion is None:
        raise NotVisible()
    return suggestion


@transaction.atomic
def suggestion_reply_by_token(*, token: str, body: str) -> SuggestionComment:
    """The anonymous submitter replies through the private link: an anonymous comment marked
    as the submitter's. The link alone decides; nobody is recorded. Audit: create (no actor)."""
    suggestion = suggestion_by_token(token)
    comment = _add_comment(
        suggestion=suggestion, author=None, body=body, anonymous=True, by_submitter=True
    )
    _notify(
        _audience(suggestion, voters=False) | _handlers_who_acted(suggestion),
        suggestion=suggestion,
        title=_comment_notice(suggestion),
        body=comment.body[:300],
        actor=None,
    )
    return comment


def _handlers_who_acted(suggestion: Suggestion) -> set[int]:
    return set(
        SuggestionEvent.objects.filter(suggestion=suggestion, actor__isnull=False).values_list(
            "actor_id", flat=True
        )
    ) | ({suggestion.owner_id} if suggestion.owner_id else set())


def _clean_plan(owner: Any | None, due_date: dt.date | None) -> None:
    if owner is None:
        raise ValidationFailed(_("An accepted suggestion needs an owner."), field="owner")
    if not getattr(owner, "is_active", False):
        raise ValidationFailed(_("The owner must be an active user."), field="owner")
    if due_date is None:
        raise ValidationFailed(_("An accepted suggestion needs a due date."), field="due_date")
    today = timezone.localdate()
    if due_date < today:
        raise ValidationFailed(_("The due date cannot be in the past."), field="due_date")
    if due_date > today + dt.timedelta(days=MAX_PLAN_DAYS):
        raise ValidationFailed(_("The due date is too far ahead."), field="due_date")


@transaction.atomic
def suggestion_transition(
    *,
    actor: Any,
    suggestion: Suggestion,
    to_status: str,
    note: str = "",
    owner: Any | None = None,
    due_date: dt.date | None = None,
) -> Suggestion:
    """Move a suggestion to its next status, kept as a public event with who, when and why.

    Accepting needs an owner and a due date; declining needs a reason (declining is possible
    from received, under review and accepted). The named author, voters and followers are
    notified in their own language. Raises ``NotVisible``/``PolicyDenied`` (not a handler of
    this suggestion), ``InvalidTransition``, ``ValidationFailed``. Audit: update.
    """
    policy.require(actor, "handle", suggestion)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    current = suggestion.status
    if to_status not in TRANSITIONS.get(current, ()):
        raise InvalidTransition(
            _("A suggestion that is “{current}” cannot become “{target}”.").format(
                current=SuggestionStatus(current).label,
                target=SuggestionStatus(to_status).label
                if to_status in SuggestionStatus.values
                else to_status,
            ),
            field="to_status",
        )
    note = _clean_text(note, field="note", limit=MAX_NOTE, required=False)
    if to_status == SuggestionStatus.DECLINED and not note:
        raise ValidationFailed(_("Say why the suggestion is declined."), field="note")
    before = _snapshot(suggestion)
    now = timezone.now()
    if to_status == SuggestionStatus.ACCEPTED:
        _clean_plan(owner, due_date)
        suggestion.owner, suggestion.due_date = owner, due_date
    if to_status in (SuggestionStatus.ACCEPTED, SuggestionStatus.DECLINED):
        suggestion.decided_at = suggestion.decided_at or now
        suggestion.decision_note = note
    if to_status == SuggestionStatus.IMPLEMENTED:
        suggestion.implemented_at = now
    suggestion.status = to_status
    suggestion.status_changed_at = now
    suggestion.save(
        update_fields=[
            "status",
            "status_changed_at",
            "owner",
            "due_date",
            "decided_at",
            "decision_note",
            "implemented_at",
        ]
    )
    SuggestionEvent.objects.create(
        suggestion=suggestion,
        actor=actor,
        from_status=current,
        to_status=to_status,
        note=note,
        owner=suggestion.owner if to_status == SuggestionStatus.ACCEPTED else None,
        due_date=suggestion.due_date if to_status == SuggestionStatus.ACCEPTED else None,
        at=now,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=suggestion,
        before=before,
        after=_snapshot(suggestion),
        note=note,
    )
    recipients = _audience(suggestion, voters=True)
    if suggestion.owner_id and to_status == SuggestionStatus.ACCEPTED:
        recipients.add(suggestion.owner_id)
    recipients.discard(actor.pk)
    label = to_status
    _notify(
        recipients,
        suggestion=suggestion,
        title=lambda: _("Suggestion “{title}” is now: {status}").format(
            title=suggestion.title, status=SuggestionStatus(label).label
        ),
        body=note,
        actor=actor,
    )
    return suggestion


@transaction.atomic
def suggestion_plan(
    *, actor: Any, suggestion: Suggestion, owner: Any, due_date: dt.date, note: str = ""
) -> Suggestion:
    """Change the owner or due date of an accepted or in-progress suggestion (a public event).
    Raises ``NotVisible``/``PolicyDenied``, ``InvalidTransition`` (not accepted or in progress),
    ``ValidationFailed``. Audit: update."""
    policy.require(actor, "handle", suggestion)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status not in OPEN_STATUSES:
        raise InvalidTransition(
            _("Only accepted or in-progress suggestions have an owner and a due date.")
        )
    _clean_plan(owner, due_date)
    note = _clean_text(note, field="note", limit=MAX_NOTE, required=False)
    before = _snapshot(suggestion)
    owner_changed = owner.pk != suggestion.owner_id
    suggestion.owner, suggestion.due_date = owner, due_date
    suggestion.save(update_fields=["owner", "due_date"])
    after = _snapshot(suggestion)
    if after == before:
        return suggestion
    SuggestionEvent.objects.create(
        suggestion=suggestion,
        actor=actor,
        from_status=suggestion.status,
        to_status=suggestion.status,
        note=note,
        owner=owner,
        due_date=due_date,
    )
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=suggestion, before=before, after=after)
    if owner_changed and owner.pk != actor.pk:
        _notify(
            {owner.pk},
            suggestion=suggestion,
            title=lambda: _("You now own the suggestion “{title}”").format(title=suggestion.title),
            body=note,
            actor=actor,
        )
    return suggestion


def _audience(suggestion: Suggestion, *, voters: bool) -> set[int]:
    """The named author, followers and (for status changes) voters: user ids, two queries."""
    ids: set[int] = {suggestion.author_id} if suggestion.author_id else set()
    ids |= set(
        SuggestionFollower.objects.filter(suggestion=suggestion).values_list("user_id", flat=True)
    )
    if voters:
        ids |= set(
            SuggestionVote.objects.filter(suggestion=suggestion).values_list("user_id", flat=True)
        )
    return ids


def _notify(
    recipients: Iterable[int],
    *,
    suggestion: Suggestion,
    title: Any,
    body: str = "",
    actor: Any | None = None,
) -> int:
    """Notify in each recipient's language: one ``notify`` call per language."""
    from opsteam.collab.services import notify

    ids = [pk for pk in recipients if pk]
    if not ids:
        return 0
    by_language: dict[str, list[int]] = defaultdict(list)
    for pk, language in (
        get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", "language")
    ):
        by_language[reminders.language_of(language)].append(pk)
    sent = 0
    for language, people in by_language.items():
        with translation.override(language):
            sent += notify(
                recipients=people,
                kind=KIND,
                title=str(title()),
                body=body,
                url=suggestion.get_absolute_url(),
                actor=actor,
            )
    return sent
