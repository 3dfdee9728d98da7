"""When a message may leave: quiet hours and digest times (pure; no Django).

Quiet hours are a local time range ``[start, end)`` that may wrap midnight (22:00–08:00).
Digests go out at a local hour, daily or on Mondays. Every function takes an aware moment and
the zone of the person (or channel) and answers an aware moment.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def in_quiet_hours(local_time: dt.time, start: dt.time | None, end: dt.time | None) -> bool:
    """Whether ``local_time`` falls inside ``[start, end)`` (wrapping midnight when start > end).

    No range, or an empty one (start == end), is never quiet.
    """
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local_time < end
    return local_time >= start or local_time < end


def quiet_hours_end(
    moment: dt.datetime, start: dt.time | None, end: dt.time | None, zone: ZoneInfo
) -> dt.datetime | None:
    """The moment the quiet hours around ``moment`` end, or None when ``moment`` is not quiet."""
    local = moment.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start is None or end is None or not in_quiet_hours(clock, start, end):
        return None
    day = local.date()
    if start > end and clock >= start:
        day += dt.timedelta(days=1)  # in the evening part of a range that wraps midnight
    return dt.datetime.combine(day, end, tzinfo=zone)


def earliest_send(
    moment: dt.datetime, start: dt.time | None, end: dt.time | None, zone: ZoneInfo
) -> dt.datetime:
    """``moment``, or the end of the quiet hours it falls in."""
    return quiet_hours_end(moment, start, end, zone) or moment


def next_digest(moment: dt.datetime, hour: int, zone: ZoneInfo, *, weekly: bool) -> dt.datetime:
    """The first digest time strictly after ``moment``: ``hour`` o'clock local time, every day
    or (``weekly``) every Monday."""
    local = moment.astimezone(zone)
    candidate = dt.datetime.combine(local.date(), dt.time(hour), tzinfo=zone)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    if weekly:
        candidate += dt.timedelta(days=(7 - candidate.weekday()) % 7)
    return candidate
