"""Calendar invitations (RFC 5545 iCalendar with RFC 5546 methods), built without Django.

``build_calendar`` turns events into the text of a ``.ics`` file: CRLF line ends, lines folded
at 75 octets (never inside a UTF-8 character, so Chinese titles survive), TEXT values escaped
(backslash, semicolon, comma, newline), times in UTC. ``METHOD:REQUEST`` invites (and updates:
a higher ``SEQUENCE`` replaces the earlier invitation in the attendee's calendar),
``METHOD:CANCEL`` removes the event, ``METHOD:PUBLISH`` is a plain feed.

``unfold`` and ``unescape_text`` are the inverse operations (used by tests and by anyone who
reads an ``.ics`` back).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

CRLF = "\r\n"
MAX_OCTETS = 75
METHODS = frozenset({"REQUEST", "CANCEL", "PUBLISH"})
PRODID = "-//OpsTeam//Training//ZH"


class CalendarError(ValueError):
    """An event that cannot be written (naive time, end before start, bad method)."""


@dataclass(frozen=True, slots=True)
class Person:
    """An organizer or attendee: e-mail address and display name."""

    email: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event. ``uid`` must stay the same across updates and the cancellation."""

    uid: str
    start: dt.datetime  # aware
    end: dt.datetime  # aware, after start
    summary: str
    location: str = ""
    url: str = ""
    description: str = ""
    organizer: Person | None = None
    attendees: tuple[Person, ...] = ()
    sequence: int = 0
    cancelled: bool = False


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


_UNESCAPE = re.compile(r"\\([\\;,nN])")


def unescape_text(value: str) -> str:
    """Undo ``escape_text``."""
    return _UNESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _param(value: str) -> str:
    """A parameter value (e.g. CN): quoted when it holds ``:;,``; DQUOTE is not allowed."""
    value = value.replace('"', "'").replace("\r", " ").replace("\n", " ")
    return f'"{value}"' if any(ch in value for ch in ":;,") else value


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets joined by CRLF + space.

    Splits only between characters, so a multi-byte UTF-8 character is never cut.
    """
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
            limit = MAX_OCTETS - 1  # continuation lines start with one space
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def unfold(text: str) -> str:
    """Undo folding: remove every CRLF followed by one space or tab."""
    return re.sub(r"\r\n[ \t]", "", text)


def format_utc(moment: dt.datetime) -> str:
    """``YYYYMMDDTHHMMSSZ`` of an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError("naive datetime: give a time zone")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: CalendarEvent, *, method: str, stamp: dt.datetime) -> list[str]:
    start, end = format_utc(event.start), format_utc(event.end)  # refuses naive times
    if event.end <= event.start:
        raise CalendarError(f"event {event.uid}: end must be after start")
    if not event.uid or any(ch in event.uid for ch in "\r\n"):
        raise CalendarError("uid must be one non-empty line")
    cancelled = event.cancelled or method == "CANCEL"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{format_utc(stamp)}",
        f"DTSTART:{start}",
        f"DTEND:{end}",
        f"SEQUENCE:{max(0, int(event.sequence))}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url.replace(CRLF, '').replace(chr(10), '')}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.organizer is not None:
        cn = f";CN={_param(event.organizer.name)}" if event.organizer.name else ""
        lines.append(f"ORGANIZER{cn}:mailto:{event.organizer.email}")
    for person in event.attendees:
        cn = f";CN={_param(person.name)}" if person.name else ""
        lines.append(
            f"ATTENDEE{cn};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE"
            f":mailto:{person.email}"
        )
    lines.append("END:VEVENT")
    return lines


def build_calendar(
    events: Iterable[CalendarEvent],
    *,
    method: str = "PUBLISH",
    stamp: dt.datetime,
    name: str = "",
) -> str:
    """Return the ``.ics`` text of ``events`` (CRLF lines, folded, escaped, UTC times).

    ``stamp`` is DTSTAMP (when the invitation was made; the caller's clock). ``name`` sets
    ``X-WR-CALNAME`` for feeds. Raises ``CalendarError`` on a bad method or event.
    """
    if method not in METHODS:
        raise CalendarError(f"unknown method {method!r}")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines.extend(_event_lines(event, method=method, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def parse_lines(text: str) -> list[tuple[str, dict[str, str], str]]:
    """Split unfolded ``.ics`` text into (name, parameters, value) triples (values raw)."""
    result: list[tuple[str, dict[str, str], str]] = []
    for line in unfold(text).split(CRLF):
        if not line:
            continue
        head, _sep, value = _split_value(line)
        name, *params = head.split(";")
        parsed = {}
        for param in params:
            key, _eq, raw = param.partition("=")
            parsed[key.upper()] = raw.strip('"')
        result.append((name.upper(), parsed, value))
    return result


def _split_value(line: str) -> tuple[str, str, str]:
    """Split at the first colon outside a quoted parameter value."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index], ":", line[index + 1 :]
    return line, "", ""
