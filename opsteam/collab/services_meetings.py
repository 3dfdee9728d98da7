"""Writes of meetings (会议): series and their occurrences, one-off meetings, participants,
agenda, attendance, minutes, decisions, action items and the brainstorm idea board.

Every write checks the policy first (``collab.meeting``: participants "participate", the
organiser, the unit's managers, HR and administrators "change"), then writes and records an
audit entry. Invitations, published minutes and assigned action items reach people through
``collab.services.notify`` (kinds "meeting" and "meeting-action-due"), each message in the
recipient's own language.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.collab import ics, reminders
from opsteam.collab import services as collab_services
from opsteam.collab.models_meetings import (
    ActionItemStatus,
    Attendance,
    Decision,
    Idea,
    IdeaGroup,
    IdeaVote,
    Meeting,
    MeetingActionItem,
    MeetingAgendaItem,
    MeetingKind,
    MeetingParticipant,
    MeetingSeries,
    MeetingStatus,
    Recurrence,
)
from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed

MEETING_KIND = "meeting"
ACTION_KIND = "meeting-action-due"
# Occurrences of a series exist this far ahead (the daily scan extends them).
HORIZON_DAYS = 56
MAX_PARTICIPANTS = 500
MAX_MINUTES_CHARS = 50_000

SERIES_FIELDS = (
    "title",
    "kind",
    "unit",
    "frequency",
    "interval",
    "weekday",
    "week_of_month",
    "start_date",
    "start_time",
    "duration_minutes",
    "time_zone",
    "until",
    "count",
    "location",
    "online_url",
)
MEETING_FIELDS = ("title", "kind", "unit", "location", "online_url", "votes_per_person")


# Helpers ------------------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (KeyError, ValueError) as exc:
        raise ValidationFailed(_("Unknown time zone."), field="time_zone") from exc


def _user_ids(users: Iterable[Any]) -> set[int]:
    return {int(getattr(user, "pk", user)) for user in users if user is not None}


def _active_user_ids(ids: Iterable[int]) -> list[int]:
    ids = sorted(set(ids))
    if len(ids) > MAX_PARTICIPANTS:
        raise ValidationFailed(
            _("At most {count} participants.").format(count=MAX_PARTICIPANTS),
            field="participants",
        )
    return list(
        get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    )


def team_member_ids(units: Iterable[Any]) -> set[int]:
    """Users of the active staff in ``units`` and their sub-units (adding a team invites it)."""
    from opsteam.org.models import OrgUnit, Staff

    paths = [unit.path for unit in units if unit is not None]
    if not paths:
        return set()
    from django.db.models import Q

    subtree = Q()
    for path in paths:
        subtree |= Q(path__startswith=path)
    unit_ids = OrgUnit.objects.filter(subtree).values("pk")
    return set(
        Staff.objects.filter(unit__in=unit_ids, status="active", user__isnull=False)
        .values_list("user_id", flat=True)
        .distinct()
    )


EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _require_sane_date(value: dt.date | None, field: str) -> None:
    """Dates far outside a working life are typos (and overflow date arithmetic)."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationFailed(
            _("Choose a date between {start} and {end}.").format(
                start=EARLIEST_YEAR, end=LATEST_YEAR
            ),
            field=field,
        )


def _require_unit(actor: Any, kind: str, unit: Any) -> None:
    """A team meeting needs a unit the actor runs (HR, administrators: any)."""
    if kind == MeetingKind.TEAM and unit is None:
        raise ValidationFailed(_("A team meeting belongs to a team."), field="unit")
    if unit is not None and not policy.can_for_unit(actor, "change", Meeting, unit):
        raise PolicyDenied(_("You may only schedule meetings of teams you lead."))


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidTransition(_("The meeting is cancelled."))


def require_participate(actor: Any, meeting: Meeting) -> None:
    """Participants (and those who run the meeting) add agenda items, ideas and votes."""
    if policy.can(actor, "participate", meeting) or policy.can(actor, "change", meeting):
        return
    policy.require(actor, "participate", meeting)


def notify_in_language(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: Callable[[], str],
    body: Callable[[], str] = lambda: "",
    url: str = "",
    actor: Any = None,
) -> int:
    """One notify per language of the recipients, each titled in that language."""
    ids = sorted(_user_ids(recipients))
    if not ids:
        return 0
    groups: dict[str, list[int]] = defaultdict(list)
    for pk, language in get_user_model().objects.filter(pk__in=ids).values_list("pk", "language"):
        groups[reminders.language_of(language)].append(pk)
    sent = 0
    for language, members in sorted(groups.items()):
        with translation.override(language):
            sent += collab_services.notify(
                recipients=members,
                kind=kind,
                title=str(title()),
                body=str(body()),
                url=url,
                actor=actor,
            )
    return sent


def _when(meeting: Meeting) -> str:
    zone = _zone(meeting.time_zone)
    start = meeting.starts_at.astimezone(zone)
    end = meeting.ends_at.astimezone(zone)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _invite(meeting: Meeting, user_ids: Iterable[int], actor: Any) -> int:
    ids = [pk for pk in _user_ids(user_ids) if pk != getattr(actor, "pk", None)]
    return notify_in_language(
        recipients=ids,
        kind=MEETING_KIND,
        title=lambda: _("Meeting invitation: {title}").format(title=meeting.title),
        body=lambda: _("{when}. Add the invitation to your calendar: {ics}").format(
            when=_when(meeting), ics=reverse("collab:meeting_ics", args=[meeting.pk])
        ),
        url=meeting.get_absolute_url(),
        actor=actor,
    )


def _add_participants(meeting: Meeting, user_ids: Iterable[int]) -> list[int]:
    """Invite users not yet invited; returns the ids added."""
    wanted = set(_active_user_ids(user_ids))
    present = set(meeting.participants.values_list("user_id", flat=True))
    added = sorted(wanted - present)
    MeetingParticipant.objects.bulk_create(
        MeetingParticipant(meeting=meeting, user_id=pk) for pk in added
    )
    return added


# Series -------------------------------------------------------------------------------------


def _repeat(series: MeetingSeries) -> ics.Repeat:
    return ics.Repeat(
        frequency=series.frequency,
        weekday=series.weekday,
        interval=series.interval,
        week_of_month=series.week_of_month,
        until=series.until,
        count=series.count,
    )


def _clean_series(series: MeetingSeries) -> None:
    _zone(series.time_zone)
    _require_sane_date(series.start_date, "start_date")
    _require_sane_date(series.until, "until")
    if series.frequency not in Recurrence.values:
        raise ValidationFailed(_("Choose how the meeting repeats."), field="frequency")
    if not 0 <= int(series.weekday) <= 6:
        raise ValidationFailed(_("Choose a weekday."), field="weekday")
    if series.frequency == Recurrence.MONTHLY and series.week_of_month not in (-1, 1, 2, 3, 4):
        raise ValidationFailed(
            _("Monthly meetings need the week of the month (1 to 4, or last)."),
            field="week_of_month",
        )
    if not 1 <= int(series.interval) <= 12:
        raise ValidationFailed(_("Repeat every 1 to 12 weeks or months."), field="interval")
    if not 5 <= int(series.duration_minutes) <= 720:
        raise ValidationFailed(
            _("A meeting lasts 5 minutes to 12 hours."), field="duration_minutes"
        )
    if series.until and series.until < series.start_date:
        raise ValidationFailed(_("The end date is before the first meeting."), field="until")
    if series.count is not None and not 1 <= int(series.count) <= 500:
        raise ValidationFailed(_("1 to 500 meetings."), field="count")


def series_first_start(series: MeetingSeries) -> dt.datetime | None:
    """The first occurrence's start (aware), or None when the rule yields no date."""
    dates = ics.occurrence_dates(
        _repeat(series), start=series.start_date, through=series.start_date + dt.timedelta(400)
    )
    if not dates:
        return None
    return dt.datetime.combine(dates[0], series.start_time, tzinfo=_zone(series.time_zone))


def _extend(series: MeetingSeries, today: dt.date) -> list[Meeting]:
    """Create the occurrences up to ``today + HORIZON_DAYS`` that do not exist yet."""
    if not series.active:
        return []
    zone = _zone(series.time_zone)
    dates = ics.occurrence_dates(
        _repeat(series),
        start=series.start_date,
        through=max(today, series.start_date) + dt.timedelta(days=HORIZON_DAYS),
    )
    starts = [dt.datetime.combine(day, series.start_time, tzinfo=zone) for day in dates]
    starts = [start for start in starts if start.date() >= min(today, series.start_date)]
    existing = set(series.meetings.values_list("starts_at", flat=True))
    duration = dt.timedelta(minutes=series.duration_minutes)
    fresh = [start for start in starts if start not in existing]
    if not fresh:
        return []
    meetings = Meeting.objects.bulk_create(
        Meeting(
            series=series,
            kind=series.kind,
            title=series.title,
            unit=series.unit,
            organiser_id=series.organiser_id,
            starts_at=start,
            ends_at=start + duration,
            time_zone=series.time_zone,
            location=series.location,
            online_url=series.online_url,
        )
        for start in fresh
    )
    if connection_returns_no_ids(meetings):
        meetings = list(series.meetings.filter(starts_at__in=fresh))
    participant_ids = list(series.participants.values_list("pk", flat=True))
    MeetingParticipant.objects.bulk_create(
        MeetingParticipant(meeting=meeting, user_id=pk)
        for meeting in meetings
        for pk in participant_ids
    )
    return meetings


def connection_returns_no_ids(rows: list[Any]) -> bool:
    return any(row.pk is None for row in rows)


@transaction.atomic
def series_create(
    *,
    actor: Any,
    participants: Iterable[Any] = (),
    teams: Iterable[Any] = (),
    today: dt.date | None = None,
    **data: Any,
) -> MeetingSeries:
    """Start a regular meeting: the series, its occurrences for the next weeks, invitations
    (one per person, linking the series' calendar file). Audit: create."""
    policy.require(actor, "add", MeetingSeries)
    series = MeetingSeries(
        organiser=actor, **{key: value for key, value in data.items() if key in SERIES_FIELDS}
    )
    _require_unit(actor, series.kind, series.unit)
    _clean_series(series)
    if series_first_start(series) is None:
        raise ValidationFailed(_("No meeting falls in this period."), field="until")
    series.save()
    ids = _active_user_ids(_user_ids(participants) | team_member_ids(teams) | {actor.pk})
    series.participants.set(ids)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=series)
    _extend(series, today or timezone.localdate())
    ics_url = reverse("collab:meeting_series_ics", args=[series.pk])
    notify_in_language(
        recipients=[pk for pk in ids if pk != actor.pk],
        kind=MEETING_KIND,
        title=lambda: _("Regular meeting: {title}").format(title=series.title),
        body=lambda: _("You are invited to this regular meeting. Calendar: {ics}").format(
            ics=ics_url
        ),
        url=series.get_absolute_url(),
        actor=actor,
    )
    return series


def series_extend(*, today: dt.date) -> int:
    """Generate the coming occurrences of every active series (daily; idempotent)."""
    made = 0
    for series in MeetingSeries.objects.filter(active=True).select_related("unit"):
        with transaction.atomic():
            made += len(_extend(series, today))
    return made


@transaction.atomic
def series_end(*, actor: Any, series: MeetingSeries) -> MeetingSeries:
    """Stop a series: no further occurrences; future scheduled ones are cancelled (and their
    participants told). Audit: update."""
    policy.require(actor, "change", series)
    before = audit.snapshot(series)
    series.active = False
    series.save(update_fields=["active", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=series, before=before)
    future = Meeting.objects.filter(
        series=series, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()
    )
    people = set(
        MeetingParticipant.objects.filter(meeting__in=future).values_list("user_id", flat=True)
    )
    future.update(status=MeetingStatus.CANCELLED, updated_at=timezone.now())
    notify_in_language(
        recipients=people - {actor.pk},
        kind=MEETING_KIND,
        title=lambda: _("Regular meeting ended: {title}").format(title=series.title),
        url=series.get_absolute_url(),
        actor=actor,
    )
    return series


# Meetings -----------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    title: str,
    starts_at: dt.datetime,
    duration_minutes: int = 60,
    kind: str = MeetingKind.CROSS,
    unit: Any = None,
    time_zone: str = "",
    location: str = "",
    online_url: str = "",
    votes_per_person: int = 3,
    participants: Iterable[Any] = (),
    teams: Iterable[Any] = (),
) -> Meeting:
    """Schedule a one-off meeting and invite its participants (the organiser is one).
    Audit: create."""
    policy.require(actor, "add", Meeting)
    if kind not in MeetingKind.values:
        raise ValidationFailed(_("Choose the kind of meeting."), field="kind")
    _require_unit(actor, kind, unit)
    zone_name = time_zone or getattr(actor, "time_zone", "") or settings.TIME_ZONE
    zone = _zone(zone_name)
    _require_sane_date(starts_at.date(), "starts_at")
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=zone)
    if not 5 <= int(duration_minutes) <= 720:
        raise ValidationFailed(
            _("A meeting lasts 5 minutes to 12 hours."), field="duration_minutes"
        )
    if not 1 <= int(votes_per_person) <= 20:
        raise ValidationFailed(_("1 to 20 votes per person."), field="votes_per_person")
    meeting = Meeting.objects.create(
        title=title.strip(),
        kind=kind,
        unit=unit,
        organiser=actor,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=int(duration_minutes)),
        time_zone=zone_name,
        location=location,
        online_url=online_url,
        votes_per_person=int(votes_per_person),
    )
    added = _add_participants(
        meeting, _user_ids(participants) | team_member_ids(teams) | {actor.pk}
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=meeting)
    _invite(meeting, added, actor)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    starts_at: dt.datetime | None = None,
    duration_minutes: int | None = None,
    **data: Any,
) -> Meeting:
    """Change a meeting's details; a new time raises the invitation's version and tells the
    participants. Audit: update."""
    policy.require(actor, "change", meeting)
    _require_scheduled(meeting)
    before = audit.snapshot(meeting)
    for key, value in data.items():
        if key in MEETING_FIELDS:
            setattr(meeting, key, value)
    if "unit" in data or "kind" in data:
        _require_unit(actor, meeting.kind, meeting.unit)
    moved = False
    if starts_at is not None or duration_minutes is not None:
        start = starts_at or meeting.starts_at
        _require_sane_date(start.date(), "starts_at")
        minutes = int(duration_minutes or meeting.duration_minutes)
        if not 5 <= minutes <= 720:
            raise ValidationFailed(
                _("A meeting lasts 5 minutes to 12 hours."), field="duration_minutes"
            )
        if timezone.is_naive(start):
            start = start.replace(tzinfo=_zone(meeting.time_zone))
        moved = start != meeting.starts_at or minutes != meeting.duration_minutes
        meeting.starts_at, meeting.ends_at = start, start + dt.timedelta(minutes=minutes)
    if moved:
        meeting.sequence += 1
    meeting.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=meeting, before=before)
    if moved:
        people = set(meeting.participants.values_list("user_id", flat=True)) - {actor.pk}
        notify_in_language(
            recipients=people,
            kind=MEETING_KIND,
            title=lambda: _("Meeting moved: {title}, {when}").format(
                title=meeting.title, when=_when(meeting)
            ),
            url=meeting.get_absolute_url(),
            actor=actor,
        )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting) -> Meeting:
    """Cancel a scheduled meeting and tell its participants. Audit: update."""
    policy.require(actor, "change", meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidTransition(_("Only a scheduled meeting can be cancelled."))
    before = audit.snapshot(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=meeting, before=before)
    people = set(meeting.participants.values_list("user_id", flat=True)) - {actor.pk}
    notify_in_language(
        recipients=people,
        kind=MEETING_KIND,
        title=lambda: _("Meeting cancelled: {title}").format(title=meeting.title),
        url=meeting.get_absolute_url(),
        actor=actor,
    )
    return meeting


@transaction.atomic
def participants_add(
    *, actor: Any, meeting: Meeting, users: Iterable[Any] = (), teams: Iterable[Any] = ()
) -> list[int]:
    """Invite people (and whole teams) to a meeting; returns the user ids newly invited.
    Audit: update (the note lists who)."""
    policy.require(actor, "change", meeting)
    _require_scheduled(meeting)
    added = _add_participants(meeting, _user_ids(users) | team_member_ids(teams))
    if added:
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=meeting,
            note="participants added: " + ", ".join(map(str, added)),
        )
        _invite(meeting, added, actor)
    return added


@transaction.atomic
def participant_remove(*, actor: Any, participant: MeetingParticipant) -> None:
    """Uninvite a person (never the organiser). Audit: delete."""
    meeting = participant.meeting
    policy.require(actor, "change", meeting)
    if participant.user_id == meeting.organiser_id:
        raise ValidationFailed(_("The organiser stays invited."))
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=participant,
        before=audit.snapshot(participant),
    )
    participant.delete()


@transaction.atomic
def attendance_record(*, actor: Any, meeting: Meeting, attendance: dict[int, str]) -> int:
    """Record attendance by participant's user id (present, late, absent, excused, or "" for
    not recorded). Unknown people are refused. Audit: one update per changed row."""
    policy.require(actor, "change", meeting)
    _require_scheduled(meeting)
    rows = {row.user_id: row for row in meeting.participants.all()}
    unknown = [pk for pk in attendance if pk not in rows]
    if unknown:
        raise ValidationFailed(_("Only participants have an attendance."), field="attendance")
    changed = 0
    for user_id, value in attendance.items():
        if value not in Attendance.values:
            raise ValidationFailed(_("Unknown attendance."), field="attendance")
        row = rows[user_id]
        if row.attendance == value:
            continue
        before = audit.snapshot(row)
        row.attendance = value
        row.save(update_fields=["attendance"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=row, before=before)
        changed += 1
    if (
        changed
        and meeting.status == MeetingStatus.SCHEDULED
        and meeting.starts_at <= timezone.now()
    ):
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status", "updated_at"])
    return changed


# Agenda -------------------------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(
    *, actor: Any, meeting: Meeting, title: str, presenter: Any = None, minutes: int = 10
) -> MeetingAgendaItem:
    """Anyone invited adds an agenda point (at the end). Audit: create."""
    require_participate(actor, meeting)
    _require_scheduled(meeting)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("Give the agenda point a title."), field="title")
    if not 1 <= int(minutes) <= 240:
        raise ValidationFailed(_("1 to 240 minutes."), field="minutes")
    if presenter is not None and not meeting.participants.filter(user=presenter).exists():
        raise ValidationFailed(_("The presenter must be a participant."), field="presenter")
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"]
    item = MeetingAgendaItem.objects.create(
        meeting=meeting,
        title=title[:200],
        presenter=presenter,
        minutes=int(minutes),
        position=(last or 0) + 1,
        added_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=item)
    return item


@transaction.atomic
def agenda_item_delete(*, actor: Any, item: MeetingAgendaItem) -> None:
    """Remove an agenda point: the person who added it, or whoever runs the meeting."""
    if item.added_by_id != getattr(actor, "pk", None):
        policy.require(actor, "change", item.meeting)
    else:
        require_participate(actor, item.meeting)
    audit.record(actor=actor, action=AuditAction.DELETE, obj=item, before=audit.snapshot(item))
    item.delete()


@transaction.atomic
def agenda_reorder(*, actor: Any, meeting: Meeting, order: list[int]) -> None:
    """Put the agenda in ``order`` (item ids; items left out keep their place after them)."""
    policy.require(actor, "change", meeting)
    items = list(meeting.agenda_items.all())
    known = {item.pk: item for item in items}
    if any(pk not in known for pk in order):
        raise ValidationFailed(_("These agenda items are not in this meeting."), field="order")
    ranked = [known[pk] for pk in dict.fromkeys(order)]
    ranked += [item for item in items if item.pk not in set(order)]
    for position, item in enumerate(ranked, start=1):
        item.position = position
    MeetingAgendaItem.objects.bulk_update(ranked, ["position"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        note="agenda order: " + ", ".join(str(item.pk) for item in ranked),
    )


# Minutes and decisions ----------------------------------------------------------------------


@transaction.atomic
def minutes_save(*, actor: Any, meeting: Meeting, minutes: str, publish: bool = False) -> Meeting:
    """Save the minutes (markdown); ``publish`` marks the meeting held and tells every
    participant (once: a later publish says the minutes were updated). Audit: update."""
    policy.require(actor, "change", meeting)
    _require_scheduled(meeting)
    if len(minutes) > MAX_MINUTES_CHARS:
        raise ValidationFailed(_("The minutes are too long."), field="minutes")
    before = audit.snapshot(meeting)
    meeting.minutes = minutes
    again = meeting.minutes_published_at is not None
    if publish:
        meeting.minutes_published_at = timezone.now()
        meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["minutes", "minutes_published_at", "status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=meeting, before=before)
    if publish:
        people = set(meeting.participants.values_list("user_id", flat=True)) - {actor.pk}
        notify_in_language(
            recipients=people,
            kind=MEETING_KIND,
            title=(
                (lambda: _("Minutes updated: {title}").format(title=meeting.title))
                if again
                else (lambda: _("Minutes published: {title}").format(title=meeting.title))
            ),
            url=meeting.get_absolute_url() + "#minutes",
            actor=actor,
        )
    return meeting


@transaction.atomic
def decision_add(*, actor: Any, meeting: Meeting, text: str) -> Decision:
    policy.require(actor, "change", meeting)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write the decision."), field="text")
    decision = Decision.objects.create(meeting=meeting, text=text[:500])
    audit.record(actor=actor, action=AuditAction.CREATE, obj=decision)
    return decision


@transaction.atomic
def decision_delete(*, actor: Any, decision: Decision) -> None:
    policy.require(actor, "change", decision.meeting)
    audit.record(
        actor=actor, action=AuditAction.DELETE, obj=decision, before=audit.snapshot(decision)
    )
    decision.delete()


# Action items -------------------------------------------------------------------------------


def _tell_owner(item: MeetingActionItem, actor: Any) -> None:
    if item.owner_id == getattr(actor, "pk", None):
        return
    due = item.due_date.isoformat() if item.due_date else ""
    notify_in_language(
        recipients=[item.owner_id],
        kind=ACTION_KIND,
        title=lambda: (
            _("Action item for you: {title} (due {due})").format(title=item.title, due=due)
            if due
            else _("Action item for you: {title}").format(title=item.title)
        ),
        body=lambda: _("From the meeting “{meeting}”.").format(meeting=item.meeting.title),
        url=reverse("collab:my_action_items"),
        actor=actor,
    )


@transaction.atomic
def action_item_create(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    owner: Any,
    due_date: dt.date | None = None,
    idea: Idea | None = None,
) -> MeetingActionItem:
    """Record an action item and tell its owner right away (inbox, and their team's robot
    by the channel's kinds). An owner who was not invited joins the participants so they
    can read the meeting. Audit: create."""
    policy.require(actor, "change", meeting)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("Say what is to be done."), field="title")
    if owner is None or not getattr(owner, "is_active", False):
        raise ValidationFailed(_("Choose an active owner."), field="owner")
    _require_sane_date(due_date, "due_date")
    if idea is not None and idea.meeting_id != meeting.pk:
        raise ValidationFailed(_("The idea is from another meeting."), field="idea")
    _add_participants(meeting, [owner.pk])
    item = MeetingActionItem.objects.create(
        meeting=meeting,
        title=title[:300],
        owner=owner,
        due_date=due_date,
        idea=idea,
        created_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=item)
    _tell_owner(item, actor)
    return item


@transaction.atomic
def action_item_update(
    *,
    actor: Any,
    item: MeetingActionItem,
    title: str | None = None,
    owner: Any = None,
    due_date: dt.date | type[Ellipsis] | None = ...,
    status: str | None = None,
) -> MeetingActionItem:
    """Change an action item. The owner may change only its status; whoever runs the
    meeting may change everything (a new owner is told). Audit: update."""
    details = title is not None or owner is not None or due_date is not ...
    policy.require(actor, "change" if details else "update_status", item)
    before = audit.snapshot(item)
    new_owner = owner is not None and owner.pk != item.owner_id
    if title is not None:
        if not title.strip():
            raise ValidationFailed(_("Say what is to be done."), field="title")
        item.title = title.strip()[:300]
    if owner is not None:
        if not owner.is_active:
            raise ValidationFailed(_("Choose an active owner."), field="owner")
        item.owner = owner
        _add_participants(item.meeting, [owner.pk])
    if due_date is not ...:
        _require_sane_date(due_date, "due_date")
        item.due_date = due_date
    if status is not None:
        _set_status(item, status)
    item.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=item, before=before)
    if new_owner:
        _tell_owner(item, actor)
    return item


def _set_status(item: MeetingActionItem, status: str) -> None:
    if status not in ActionItemStatus.values:
        raise ValidationFailed(_("Unknown status."), field="status")
    item.status = status
    if status == ActionItemStatus.DONE:
        item.done_at = item.done_at or timezone.now()
    else:
        item.done_at = None


def action_item_set_status(
    *, actor: Any, item: MeetingActionItem, status: str
) -> MeetingActionItem:
    """The owner (or whoever runs the meeting) moves an item: open, in progress, done,
    cancelled. Audit: update."""
    return action_item_update(actor=actor, item=item, status=status)


# The idea board -----------------------------------------------------------------------------


@transaction.atomic
def idea_add(*, actor: Any, meeting: Meeting, text: str) -> Idea:
    """Post a sticky note on the board (participants). Audit: create."""
    require_participate(actor, meeting)
    _require_scheduled(meeting)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write the idea."), field="text")
    idea = Idea.objects.create(meeting=meeting, text=text[:500], author=actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=idea)
    return idea


@transaction.atomic
def idea_group_create(*, actor: Any, meeting: Meeting, name: str) -> IdeaGroup:
    """The facilitator names a cluster of ideas. Audit: create."""
    policy.require(actor, "change", meeting)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Name the group."), field="name")
    last = meeting.idea_groups.aggregate(last=Max("position"))["last"]
    group = IdeaGroup.objects.create(meeting=meeting, name=name[:100], position=(last or 0) + 1)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=group)
    return group


@transaction.atomic
def idea_move(*, actor: Any, idea: Idea, group: IdeaGroup | None) -> Idea:
    """Put an idea into a group (None: ungrouped). Audit: update."""
    policy.require(actor, "change", idea.meeting)
    if group is not None and group.meeting_id != idea.meeting_id:
        raise ValidationFailed(_("The group is on another board."), field="group")
    before = audit.snapshot(idea)
    idea.group = group
    idea.save(update_fields=["group"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=idea, before=before)
    return idea


@transaction.atomic
def idea_vote(*, actor: Any, idea: Idea) -> IdeaVote:
    """One vote for an idea, at most the meeting's votes per person. Audit: create."""
    meeting = idea.meeting
    require_participate(actor, meeting)
    _require_scheduled(meeting)
    # lock the person's votes on this board so two quick clicks cannot exceed the limit
    mine = list(
        IdeaVote.objects.select_for_update()
        .filter(voter=actor, idea__meeting=meeting)
        .values_list("idea_id", flat=True)
    )
    if idea.pk in mine:
        raise ValidationFailed(_("You already voted for this idea."), field="idea")
    if len(mine) >= meeting.votes_per_person:
        raise ValidationFailed(
            _("You have used your {count} votes.").format(count=meeting.votes_per_person),
            field="idea",
        )
    vote = IdeaVote.objects.create(idea=idea, voter=actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=vote)
    return vote


@transaction.atomic
def idea_unvote(*, actor: Any, idea: Idea) -> bool:
    """Take back one's vote. Audit: delete."""
    require_participate(actor, idea.meeting)
    vote = IdeaVote.objects.filter(idea=idea, voter=actor).first()
    if vote is None:
        return False
    audit.record(actor=actor, action=AuditAction.DELETE, obj=vote, before=audit.snapshot(vote))
    vote.delete()
    return True


def idea_to_action(
    *, actor: Any, idea: Idea, owner: Any, due_date: dt.date | None = None
) -> MeetingActionItem:
    """Turn an idea into an action item of its meeting."""
    return action_item_create(
        actor=actor,
        meeting=idea.meeting,
        title=idea.text,
        owner=owner,
        due_date=due_date,
        idea=idea,
    )
