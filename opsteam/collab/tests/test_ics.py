"""Meeting calendars (pure): RFC 5545 transport rules, TZID with VTIMEZONE, RRULE, escaping,
and the recurrence expansion the series generator uses."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsteam.collab import ics

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAMP = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
REQUIRED = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"}


def _event(**overrides):
    values = {
        "uid": "meeting-7@opsteam",
        "start": dt.datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI),
        "end": dt.datetime(2026, 3, 9, 10, 45, tzinfo=SHANGHAI),
        "summary": "店铺运营组周例会, 复盘; 下周计划",
        "location": "3号会议室",
        "url": "https://ops.example.com/collab/meetings/7/",
        "description": "议程：\n1. 复盘\n2. 计划",
        "organizer": ics.Person("lead@example.com", "王经理"),
        "attendees": (ics.Person("li@example.com", "李, 雷"), ics.Person("a@example.com", "A")),
        "sequence": 2,
    }
    values.update(overrides)
    return ics.MeetingEvent(**values)


def strict_parse(text: str) -> list[dict]:
    """Check CRLF, 75-octet folding and component nesting; return each VEVENT's properties
    (name -> (params, unescaped value)); repeated names (ATTENDEE) collect in lists."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n")[:-1]:
        assert len(line.encode("utf-8")) <= 75, line
        assert re.match(r"^( |[A-Z-]+[;:])", line), line
    lines = ics.parse_lines(text)
    stack: list[str] = []
    events, current = [], None
    for name, params, value in lines:
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                current = {}
        elif name == "END":
            assert stack.pop() == value
            if value == "VEVENT":
                assert current.keys() >= REQUIRED, REQUIRED - current.keys()
                events.append(current)
                current = None
        elif current is not None:
            if name == "ATTENDEE":
                current.setdefault(name, []).append((params, value))
            else:
                current[name] = (params, ics.unescape_text(value))
    assert not stack
    assert lines[0] == ("BEGIN", {}, "VCALENDAR")
    return events


def test_one_meeting_in_local_time_with_its_zone():
    text = ics.build_calendar([_event()], stamp=STAMP)
    (event,) = strict_parse(text)
    assert event["DTSTART"] == ({"TZID": "Asia/Shanghai"}, "20260309T100000")
    assert event["DTEND"] == ({"TZID": "Asia/Shanghai"}, "20260309T104500")
    assert event["DTSTAMP"][1] == "20260301T080000Z"
    assert event["SUMMARY"][1] == "店铺运营组周例会, 复盘; 下周计划"
    assert event["DESCRIPTION"][1] == "议程：\n1. 复盘\n2. 计划"
    assert event["SEQUENCE"][1] == "2"
    assert event["ORGANIZER"] == ({"CN": "王经理"}, "mailto:lead@example.com")
    assert [value for _params, value in event["ATTENDEE"]] == [
        "mailto:li@example.com",
        "mailto:a@example.com",
    ]
    assert event["ATTENDEE"][0][0]["CN"] == "李, 雷"
    assert "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n" in text
    assert "TZOFFSETTO:+0800" in text
    assert "METHOD:REQUEST" in text


def test_series_carries_an_rrule():
    weekly = ics.Repeat(frequency="weekly", weekday=0, interval=2, count=10)
    monthly = ics.Repeat(
        frequency="monthly", weekday=4, week_of_month=-1, until=dt.date(2026, 12, 31)
    )
    text = ics.build_calendar(
        [_event(repeat=weekly), _event(uid="series-2@opsteam", repeat=monthly)], stamp=STAMP
    )
    first, second = strict_parse(text)
    assert first["RRULE"][1] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=10"
    # UNTIL is the end of the last local day, in UTC
    assert second["RRULE"][1] == "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR;UNTIL=20261231T155959Z"
    assert text.count("BEGIN:VTIMEZONE") == 1


def test_daylight_saving_zone_gets_both_rules():
    event = _event(
        start=dt.datetime(2026, 3, 9, 10, tzinfo=ZoneInfo("Europe/Berlin")),
        end=dt.datetime(2026, 3, 9, 11, tzinfo=ZoneInfo("Europe/Berlin")),
        time_zone="Europe/Berlin",
    )
    text = ics.unfold(ics.build_calendar([event], stamp=STAMP))
    assert "BEGIN:DAYLIGHT" in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" in text
    assert "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200" in text


def test_cancelled_meeting_and_bad_input():
    text = ics.build_calendar([_event(cancelled=True)], method="CANCEL", stamp=STAMP)
    (event,) = strict_parse(text)
    assert event["STATUS"][1] == "CANCELLED"
    with pytest.raises(ics.CalendarError):
        ics.build_calendar([_event(end=_event().start)], stamp=STAMP)
    with pytest.raises(ics.CalendarError):
        ics.build_calendar([_event(time_zone="Mars/Olympus")], stamp=STAMP)
    with pytest.raises(ics.CalendarError):
        ics.build_calendar([_event(uid="a\r\nb")], stamp=STAMP)
    with pytest.raises(ics.CalendarError):
        ics.build_calendar([_event()], method="REFRESH", stamp=STAMP)


def test_relative_links_are_left_out_and_addresses_cannot_inject():
    event = _event(url="/collab/meetings/7/", organizer=ics.Person("x@y.com\r\nX-EVIL:1", "n"))
    text = ics.build_calendar([event], stamp=STAMP)
    assert "URL:" not in text
    assert not any(line.startswith("X-EVIL") for line in ics.unfold(text).split("\r\n"))
    strict_parse(text)


@given(
    summary=st.text(max_size=300),
    location=st.text(max_size=120),
    names=st.lists(st.text(max_size=40), max_size=4),
)
def test_any_text_round_trips(summary, location, names):
    attendees = tuple(ics.Person(f"p{i}@example.com", name) for i, name in enumerate(names))
    text = ics.build_calendar(
        [_event(summary=summary, location=location, attendees=attendees)], stamp=STAMP
    )
    (event,) = strict_parse(text)
    expected = summary.replace("\r\n", "\n").replace("\r", "\n")
    assert event["SUMMARY"][1] == expected
    if location:
        assert event["LOCATION"][1] == location.replace("\r\n", "\n").replace("\r", "\n")
    assert len(event.get("ATTENDEE", [])) == len(names)


@given(st.text())
def test_escaping_round_trips(value):
    escaped = ics.escape_text(value)
    assert "\n" not in escaped
    assert "\r" not in escaped
    assert re.search(r"(?<!\\)(\\\\)*[,;]", escaped.replace("\\,", "").replace("\\;", "")) is None
    assert ics.unescape_text(escaped) == value.replace("\r\n", "\n").replace("\r", "\n")


def test_weekly_and_monthly_dates():
    weekly = ics.Repeat(frequency="weekly", weekday=0, interval=2)
    dates = ics.occurrence_dates(weekly, start=dt.date(2026, 3, 4), through=dt.date(2026, 4, 30))
    assert dates == [
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 23),
        dt.date(2026, 4, 6),
        dt.date(2026, 4, 20),
    ]
    last_friday = ics.Repeat(frequency="monthly", weekday=4, week_of_month=-1, count=3)
    assert ics.occurrence_dates(
        last_friday, start=dt.date(2026, 1, 31), through=dt.date(2026, 12, 31)
    ) == [dt.date(2026, 2, 27), dt.date(2026, 3, 27), dt.date(2026, 4, 24)]
    second_tuesday = ics.Repeat(frequency="monthly", weekday=1, week_of_month=2)
    assert ics.occurrence_dates(
        second_tuesday, start=dt.date(2026, 1, 1), through=dt.date(2026, 3, 31)
    ) == [dt.date(2026, 1, 13), dt.date(2026, 2, 10), dt.date(2026, 3, 10)]
    until = ics.Repeat(frequency="weekly", weekday=2, until=dt.date(2026, 3, 18))
    assert ics.occurrence_dates(until, start=dt.date(2026, 3, 1), through=dt.date(2026, 6, 1)) == [
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 11),
        dt.date(2026, 3, 18),
    ]


@given(
    weekday=st.integers(0, 6),
    interval=st.integers(1, 12),
    week=st.sampled_from([-1, 1, 2, 3, 4]),
    start=st.dates(dt.date(2020, 1, 1), dt.date(2035, 1, 1)),
    frequency=st.sampled_from(["weekly", "monthly"]),
)
def test_every_date_is_the_weekday_in_range_and_increasing(
    weekday, interval, week, start, frequency
):
    repeat = ics.Repeat(frequency=frequency, weekday=weekday, interval=interval, week_of_month=week)
    through = start + dt.timedelta(days=400)
    dates = ics.occurrence_dates(repeat, start=start, through=through)
    assert dates, "a year always holds a meeting"
    assert all(day.weekday() == weekday and start <= day <= through for day in dates)
    assert dates == sorted(set(dates))
    if frequency == "weekly":
        assert {(b - a).days for a, b in itertools.pairwise(dates)} <= {7 * interval}
    else:
        assert all((day.day - 1) // 7 + 1 == week or week == -1 for day in dates)
        assert all((day + dt.timedelta(days=7)).month != day.month for day in dates if week == -1)
