"""Calendar invitations for meetings (RFC 5545), built without Django.

One way to write ``.ics`` in OpsTeam: the text rules (CRLF line ends, folding at 75 octets
without cutting a UTF-8 character, TEXT escaping, parsing back) are those of
``opsteam.training.calendar``, imported here rather than written twice. This module adds what
meetings need on top: local times with ``TZID`` and the matching ``VTIMEZONE`` (so a weekly
10:00 meeting stays at 10:00 across daylight-saving changes), and recurrence rules (``RRULE``)
for a meeting series, weekly every N weeks or monthly on the n-th (or last) weekday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from opsteam.training.calendar import (
    CRLF,
    CalendarError,
    Person,
    escape_text,
    fold,
    format_utc,
    parse_lines,
    unescape_text,
    unfold,
)

__all__ = [
    "CRLF",
    "CalendarError",
    "MeetingEvent",
    "Person",
    "Repeat",
    "build_calendar",
    "escape_text",
    "fold",
    "nth_weekday",
    "occurrence_dates",
    "parse_lines",
    "rrule",
    "unescape_text",
    "unfold",
]

PRODID = "-//OpsTeam//Meetings//ZH"
METHODS = frozenset({"REQUEST", "CANCEL", "PUBLISH"})
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class Repeat:
    """A series' recurrence: ``weekly`` every ``interval`` weeks on ``weekday`` (0 = Monday),
    or ``monthly`` every ``interval`` months on the ``week_of_month``-th weekday (-1 = last).
    ``until`` (a local date, inclusive) or ``count`` ends it; neither: it runs on."""

    frequency: str
    weekday: int
    interval: int = 1
    week_of_month: int | None = None
    until: dt.date | None = None
    count: int | None = None


@dataclass(frozen=True, slots=True)
class MeetingEvent:
    """One meeting (or, with ``repeat``, a whole series). ``uid`` is stable per meeting."""

    uid: str
    start: dt.datetime  # aware
    end: dt.datetime  # aware, after start
    summary: str
    time_zone: str = "Asia/Shanghai"
    location: str = ""
    url: str = ""
    description: str = ""
    organizer: Person | None = None
    attendees: tuple[Person, ...] = ()
    sequence: int = 0
    cancelled: bool = False
    repeat: Repeat | None = None


def rrule(repeat: Repeat, *, zone: ZoneInfo, start: dt.datetime) -> str:
    """The ``RRULE`` value of ``repeat`` (``UNTIL`` in UTC, as RFC 5545 requires with TZID)."""
    if not 0 <= repeat.weekday <= 6:
        raise CalendarError("weekday is 0 (Monday) to 6 (Sunday)")
    if repeat.interval < 1:
        raise CalendarError("interval must be at least 1")
    day = DAYS[repeat.weekday]
    if repeat.frequency == "weekly":
        parts = ["FREQ=WEEKLY", f"INTERVAL={repeat.interval}", f"BYDAY={day}"]
    elif repeat.frequency == "monthly":
        week = repeat.week_of_month or 1
        if week not in (-1, 1, 2, 3, 4):
            raise CalendarError("week of the month is 1 to 4, or -1 for the last")
        parts = ["FREQ=MONTHLY", f"INTERVAL={repeat.interval}", f"BYDAY={week}{day}"]
    else:
        raise CalendarError(f"unknown frequency {repeat.frequency!r}")
    if repeat.until is not None:
        local_end = dt.datetime.combine(repeat.until, dt.time(23, 59, 59), tzinfo=zone)
        parts.append(f"UNTIL={format_utc(local_end)}")
    elif repeat.count is not None:
        parts.append(f"COUNT={max(1, int(repeat.count))}")
    return ";".join(parts)


def _local(moment: dt.datetime, zone: ZoneInfo) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError("naive datetime: give a time zone")
    return moment.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def _offset(delta: dt.timedelta | None) -> str:
    seconds = int((delta or dt.timedelta()).total_seconds())
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600:02d}{seconds % 3600 // 60:02d}"


def _transitions(zone: ZoneInfo, year: int) -> list[dt.datetime]:
    """The local instants in ``year`` where the zone's UTC offset changes (hour precision)."""
    found = []
    moment = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    previous = moment.astimezone(zone).utcoffset()
    step = dt.timedelta(days=1)
    while moment < end:
        following = moment + step
        if following.astimezone(zone).utcoffset() != previous:
            probe = moment
            while probe.astimezone(zone).utcoffset() == previous:
                probe += dt.timedelta(hours=1)
            found.append(probe)
            previous = probe.astimezone(zone).utcoffset()
        moment = following
    return found


def vtimezone(name: str, year: int) -> list[str]:
    """A ``VTIMEZONE`` for ``name`` valid around ``year`` (yearly rules for DST zones)."""
    zone = _zone(name)
    changes = _transitions(zone, year)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    if not changes:
        moment = dt.datetime(year, 1, 1, 12, tzinfo=zone)
        offset = _offset(moment.utcoffset())
        lines += [
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{offset}",
            f"TZOFFSETTO:{offset}",
            f"TZNAME:{escape_text(moment.tzname() or name)}",
            "END:STANDARD",
        ]
    for change in changes:
        before = (change - dt.timedelta(hours=1)).astimezone(zone)
        after = change.astimezone(zone)
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        local = change.astimezone(dt.timezone(before.utcoffset() or dt.timedelta()))
        week = (local.day - 1) // 7 + 1
        if (local + dt.timedelta(days=7)).month != local.month:
            week = -1
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{local.strftime('%Y%m%dT%H%M%S')}",
            f"RRULE:FREQ=YEARLY;BYMONTH={local.month};BYDAY={week}{DAYS[local.weekday()]}",
            f"TZOFFSETFROM:{_offset(before.utcoffset())}",
            f"TZOFFSETTO:{_offset(after.utcoffset())}",
            f"TZNAME:{escape_text(after.tzname() or name)}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return lines


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as exc:
        raise CalendarError(f"unknown time zone {name!r}") from exc


def _param(value: str) -> str:
    """A parameter value (CN): quoted when it holds ``:;,``; DQUOTE and newlines removed."""
    value = value.replace('"', "'").replace("\r", " ").replace("\n", " ")
    return f'"{value}"' if any(ch in value for ch in ":;,") else value


def _mailto(email: str) -> str:
    return "mailto:" + "".join(ch for ch in email if ch not in "\r\n;:, ")


def _event_lines(event: MeetingEvent, *, method: str, stamp: dt.datetime) -> list[str]:
    if event.end <= event.start:
        raise CalendarError(f"event {event.uid}: end must be after start")
    if not event.uid or any(ch in event.uid for ch in "\r\n"):
        raise CalendarError("uid must be one non-empty line")
    zone = _zone(event.time_zone)
    cancelled = event.cancelled or method == "CANCEL"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{format_utc(stamp)}",
        f"DTSTART;TZID={event.time_zone}:{_local(event.start, zone)}",
        f"DTEND;TZID={event.time_zone}:{_local(event.end, zone)}",
    ]
    if event.repeat is not None:
        lines.append(f"RRULE:{rrule(event.repeat, zone=zone, start=event.start)}")
    lines += [
        f"SEQUENCE:{max(0, int(event.sequence))}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url.startswith(("http://", "https://")):  # a URI value: relative paths are not
        lines.append(f"URL:{event.url.replace(CRLF, '').replace(chr(10), '')}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.organizer is not None:
        cn = f";CN={_param(event.organizer.name)}" if event.organizer.name else ""
        lines.append(f"ORGANIZER{cn}:{_mailto(event.organizer.email)}")
    for person in event.attendees:
        cn = f";CN={_param(person.name)}" if person.name else ""
        lines.append(
            f"ATTENDEE{cn};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
            f":{_mailto(person.email)}"
        )
    lines.append("END:VEVENT")
    return lines


def build_calendar(
    events: Iterable[MeetingEvent],
    *,
    method: str = "REQUEST",
    stamp: dt.datetime,
    name: str = "",
) -> str:
    """The ``.ics`` text of ``events``: one ``VTIMEZONE`` per zone used, then the events.

    ``stamp`` is DTSTAMP (the caller's clock, aware). Raises ``CalendarError`` on a bad
    method, zone or event.
    """
    if method not in METHODS:
        raise CalendarError(f"unknown method {method!r}")
    events = list(events)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    zones: dict[str, int] = {}
    for event in events:
        zones.setdefault(event.time_zone, event.start.astimezone(_zone(event.time_zone)).year)
    for zone_name, year in zones.items():
        lines += vtimezone(zone_name, year)
    for event in events:
        lines += _event_lines(event, method=method, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def occurrence_dates(
    repeat: Repeat, *, start: dt.date, through: dt.date, limit: int = 500
) -> list[dt.date]:
    """The local dates a series meets on, from ``start`` to ``through`` (both inclusive),
    as its ``RRULE`` describes them (``until`` and ``count`` honoured, counted from ``start``).

    Weekly: every ``interval`` weeks from the week of the first matching weekday. Monthly: the
    ``week_of_month``-th weekday (-1: the last) of every ``interval``-th month from ``start``'s.
    """
    end = min(through, repeat.until) if repeat.until else through
    dates: list[dt.date] = []
    cap = min(limit, repeat.count) if repeat.count else limit
    if repeat.frequency == "weekly":
        first = start + dt.timedelta(days=(repeat.weekday - start.weekday()) % 7)
        day = first
        while day <= end and len(dates) < cap:
            dates.append(day)
            day += dt.timedelta(weeks=max(1, repeat.interval))
        return dates
    if repeat.frequency != "monthly":
        raise CalendarError(f"unknown frequency {repeat.frequency!r}")
    year, month = start.year, start.month
    while len(dates) < cap:
        day = nth_weekday(year, month, repeat.weekday, repeat.week_of_month or 1)
        if day > end:
            break
        if day >= start:
            dates.append(day)
        month += max(1, repeat.interval)
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return dates


def nth_weekday(year: int, month: int, weekday: int, week: int) -> dt.date:
    """The ``week``-th ``weekday`` (0 = Monday) of the month; ``week = -1``: the last one."""
    if week == -1:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        last = following - dt.timedelta(days=1)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))
