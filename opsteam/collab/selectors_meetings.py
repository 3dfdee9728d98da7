"""Reads of collab: meetings, shared by pages, API, exports, reminders and the home page.

Every read starts from the policy (``Model.objects.restrict(user, action)``); the meeting page
is gathered by ``meeting_page`` in a fixed number of queries whatever the size of its board.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.collab import ics
from opsteam.collab.models_meetings import (
    OPEN_ACTION_STATUSES,
    Idea,
    IdeaGroup,
    IdeaVote,
    Meeting,
    MeetingActionItem,
    MeetingParticipant,
    MeetingSeries,
    MeetingStatus,
)
from opsteam.core import policy
from opsteam.core.links import site_url


def meeting_list(*, user: Any, action: str = "view") -> QuerySet[Meeting]:
    """Meetings the user may see, with what list pages show (no query per row)."""
    return (
        Meeting.objects.restrict(user, action)
        .select_related("organiser", "unit", "series")
        .annotate(
            participant_count=Count("participants", distinct=True),
            open_actions=Count(
                "action_items",
                filter=Q(action_items__status__in=OPEN_ACTION_STATUSES),
                distinct=True,
            ),
        )
    )


def meeting_get(*, user: Any, pk: int, action: str = "view") -> Meeting:
    return policy.scoped_get(
        Meeting.objects.select_related("organiser", "unit", "series"), user, action, pk=pk
    )


def series_list(*, user: Any, action: str = "view") -> QuerySet[MeetingSeries]:
    return MeetingSeries.objects.restrict(user, action).select_related("organiser", "unit")


def action_item_list(*, user: Any, action: str = "view") -> QuerySet[MeetingActionItem]:
    return MeetingActionItem.objects.restrict(user, action).select_related(
        "owner", "meeting", "meeting__unit"
    )


def my_action_items(*, user: Any, open_only: bool = False) -> QuerySet[MeetingActionItem]:
    """The user's own action items: open ones first, overdue first among them."""
    queryset = (
        MeetingActionItem.objects.filter(owner=user)
        .select_related("owner", "meeting")
        .order_by("status", "due_date", "id")
    )
    if open_only:
        queryset = queryset.filter(status__in=OPEN_ACTION_STATUSES)
    return queryset


def participant_list(*, user: Any) -> QuerySet[MeetingParticipant]:
    return MeetingParticipant.objects.restrict(user, "view").select_related("user", "meeting")


def idea_list(*, user: Any) -> QuerySet[Idea]:
    """Ideas with their vote count and whether the user voted (who voted is never shown)."""
    return (
        Idea.objects.restrict(user, "view")
        .select_related("author", "author__staff", "group")
        .annotate(
            vote_count=Count("votes", distinct=True),
            voted=Exists(IdeaVote.objects.filter(idea=OuterRef("pk"), voter=user)),
        )
    )


@dataclass
class MeetingPage:
    """Everything the meeting page shows, with what the user may do there."""

    meeting: Meeting
    participants: list[MeetingParticipant]
    agenda: list[Any]
    decisions: list[Any]
    actions: list[MeetingActionItem]
    groups: list[dict[str, Any]]
    ideas_by_votes: list[Idea]
    my_votes: int
    can_manage: bool
    can_participate: bool
    agenda_minutes: int = 0
    attendance_counts: dict[str, int] = field(default_factory=dict)


def meeting_page(*, user: Any, meeting: Meeting) -> MeetingPage:
    """Gather the meeting page: participants, agenda, decisions, action items, the board."""
    participants = list(meeting.participants.select_related("user", "user__staff").order_by("id"))
    agenda = list(meeting.agenda_items.select_related("presenter", "added_by"))
    decisions = list(meeting.decisions.all())
    actions = list(
        meeting.action_items.select_related("owner", "owner__staff").order_by("status", "due_date")
    )
    ideas = list(
        idea_list(user=user).filter(meeting=meeting).order_by("id")
        if meeting.kind == "brainstorm" or meeting.ideas.exists()
        else []
    )
    groups_rows = list(IdeaGroup.objects.filter(meeting=meeting))
    by_group: dict[int | None, list[Idea]] = {}
    for idea in ideas:
        by_group.setdefault(idea.group_id, []).append(idea)
    groups = [
        {"group": group, "ideas": by_group.get(group.pk, []), "votes": 0} for group in groups_rows
    ]
    for entry in groups:
        entry["votes"] = sum(idea.vote_count for idea in entry["ideas"])
    if by_group.get(None):
        groups.append({"group": None, "ideas": by_group[None], "votes": 0})
    can_manage = policy.can(user, "change", meeting)
    attendance: dict[str, int] = {}
    for row in participants:
        attendance[row.attendance] = attendance.get(row.attendance, 0) + 1
    return MeetingPage(
        meeting=meeting,
        participants=participants,
        agenda=agenda,
        decisions=decisions,
        actions=actions,
        groups=groups,
        ideas_by_votes=sorted(ideas, key=lambda idea: (-idea.vote_count, idea.pk)),
        my_votes=sum(1 for idea in ideas if idea.voted),
        can_manage=can_manage,
        can_participate=can_manage or any(row.user_id == user.pk for row in participants),
        agenda_minutes=sum(item.minutes for item in agenda),
        attendance_counts=attendance,
    )


def overdue(item: MeetingActionItem, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(item.is_open and item.due_date and item.due_date < today)


def home_sections(*, user: Any) -> list[dict[str, Any]]:
    """This area's sections of the role home page (see insights/home.py for the shape):
    "My open action items" (overdue first) and "My meetings this week". Three queries."""
    if not getattr(user, "is_authenticated", False):
        return []
    sections: list[dict[str, Any]] = []
    today = timezone.localdate()
    open_items = MeetingActionItem.objects.filter(owner=user, status__in=OPEN_ACTION_STATUSES)
    count = open_items.count()
    if count:
        rows = list(
            open_items.select_related("meeting").order_by(
                # overdue first, then by due date (undated last), then oldest
                "due_date",
                "id",
            )[:50]
        )
        rows.sort(key=lambda item: (item.due_date is None, item.due_date or today, item.pk))
        items = []
        for item in rows[:5]:
            late = overdue(item, today)
            items.append(
                {
                    "title": item.title,
                    "url": reverse("collab:my_action_items") + f"#action-{item.pk}",
                    "due": item.due_date,
                    "meta": (_("Overdue · {meeting}") if late else "{meeting}").format(
                        meeting=item.meeting.title
                    ),
                }
            )
        sections.append(
            {
                "key": "meeting-action-items",
                "title": _("My open action items"),
                "count": count,
                "items": items,
                "more_url": reverse("collab:my_action_items"),
            }
        )
    now = timezone.now()
    upcoming = list(
        Meeting.objects.filter(
            participants__user=user,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + dt.timedelta(days=7),
        ).order_by("starts_at")[:5]
    )
    if upcoming:
        sections.append(
            {
                "key": "meetings-this-week",
                "title": _("My meetings this week"),
                "count": len(upcoming),
                "items": [
                    {
                        "title": meeting.title,
                        "url": meeting.get_absolute_url(),
                        "due": timezone.localtime(meeting.starts_at).date(),
                        "meta": f"{timezone.localtime(meeting.starts_at):%H:%M}"
                        + (f" · {meeting.location}" if meeting.location else ""),
                    }
                    for meeting in upcoming
                ],
                "more_url": reverse("collab:meeting_list") + "?when=upcoming",
            }
        )
    return sections


# Calendar files -----------------------------------------------------------------------------


def _person(user: Any) -> ics.Person | None:
    staff = getattr(user, "staff", None)
    email = (getattr(staff, "email", "") or user.email or "").strip()
    if not email:
        email = f"{user.username}@users.opsteam.invalid"
    name = getattr(staff, "name", "") or str(user)
    return ics.Person(email=email, name=name)


def _uid(kind: str, pk: int) -> str:
    host = getattr(settings, "OPSTEAM_ICS_DOMAIN", "") or "opsteam"
    return f"{kind}-{pk}@{host}"


def meeting_event(meeting: Meeting, people: list[Any] | None = None) -> ics.MeetingEvent:
    if people is None:
        people = [
            row.user
            for row in meeting.participants.select_related("user", "user__staff").order_by("id")
        ]
    organiser = meeting.organiser
    return ics.MeetingEvent(
        uid=_uid("meeting", meeting.pk),
        start=meeting.starts_at,
        end=meeting.ends_at,
        summary=meeting.title,
        time_zone=meeting.time_zone,
        location=meeting.location or meeting.online_url,
        url=site_url(meeting.get_absolute_url()),
        description=meeting.online_url,
        organizer=_person(organiser),
        attendees=tuple(
            person
            for user in people
            if user.pk != organiser.pk and (person := _person(user)) is not None
        ),
        sequence=meeting.sequence,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
    )


def meeting_ics(meeting: Meeting) -> str:
    """The invitation of one meeting (``METHOD:REQUEST``; cancelled: ``CANCEL``)."""
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    return ics.build_calendar([meeting_event(meeting)], method=method, stamp=timezone.now())


def series_ics(series: MeetingSeries) -> str:
    """The whole series as one recurring event (``RRULE``) from its first meeting."""
    from opsteam.collab import services_meetings

    start = services_meetings.series_first_start(series)
    people = list(series.participants.select_related("staff"))
    if start is None:
        return ics.build_calendar([], method="PUBLISH", stamp=timezone.now(), name=series.title)
    event = ics.MeetingEvent(
        uid=_uid("meeting-series", series.pk),
        start=start,
        end=start + dt.timedelta(minutes=series.duration_minutes),
        summary=series.title,
        time_zone=series.time_zone,
        location=series.location or series.online_url,
        url=site_url(series.get_absolute_url()),
        description=series.online_url,
        organizer=_person(series.organiser),
        attendees=tuple(_person(user) for user in people if user.pk != series.organiser_id),
        cancelled=not series.active,
        repeat=ics.Repeat(
            frequency=series.frequency,
            weekday=series.weekday,
            interval=series.interval,
            week_of_month=series.week_of_month,
            until=series.until,
            count=series.count,
        ),
    )
    return ics.build_calendar([event], method="REQUEST", stamp=timezone.now(), name=series.title)


def series_rule_text(series: MeetingSeries) -> str:
    """The recurrence in words ("Every 2 weeks on Monday at 10:00")."""
    from opsteam.collab.forms_meetings import WEEKDAYS, WEEKS

    day = str(dict(WEEKDAYS)[series.weekday])
    time = series.start_time.strftime("%H:%M")
    if series.frequency == "monthly":
        week = str(dict(WEEKS).get(series.week_of_month or 1, ""))
        text = _("Every {n} month(s), {week} {day}, at {time}").format(
            n=series.interval, week=week, day=day, time=time
        )
    else:
        text = _("Every {n} week(s) on {day} at {time}").format(
            n=series.interval, day=day, time=time
        )
    if series.until:
        text += " · " + _("until {date}").format(date=series.until.isoformat())
    elif series.count:
        text += " · " + _("{count} meetings").format(count=series.count)
    return text
