"""The .ics builder (pure): RFC 5545 structure, folding, escaping, UTC times, methods."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsteam.training import calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAMP = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
REQUIRED = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"}


def _event(**overrides):
    values = {
        "uid": "training-session-7@opsteam",
        "start": dt.datetime(2026, 3, 10, 14, 0, tzinfo=SHANGHAI),
        "end": dt.datetime(2026, 3, 10, 16, 30, tzinfo=SHANGHAI),
        "summary": "客户心理学：投诉处理, 进阶; 第二期",
        "location": "总部 3 楼培训室 A",
        "url": "https://meet.example.com/j/123",
        "description": "讲师：王老师\n请带电脑",
        "organizer": calendar.Person("training@example.com", "OpsTeam"),
        "attendees": (calendar.Person("li@example.com", "李, 雷"),),
        "sequence": 3,
    }
    values.update(overrides)
    return calendar.CalendarEvent(**values)


def _strict_parse(text: str) -> list[dict]:
    """Check the transport rules, then return each VEVENT's properties (values unescaped)."""
    assert text.endswith("\r\n")
    raw_lines = text.split("\r\n")[:-1]
    for line in raw_lines:
        assert "\n" not in line
        assert "\r" not in line
        assert len(line.encode("utf-8")) <= 75, line
    lines = calendar.parse_lines(text)
    assert lines[0][0] == "BEGIN"
    assert lines[0][2] == "VCALENDAR"
    assert lines[-1][0] == "END"
    assert lines[-1][2] == "VCALENDAR"
    names = [name for name, _params, _value in lines]
    assert "VERSION" in names
    assert "PRODID" in names
    events, current = [], None
    for name, params, value in lines:
        if name == "BEGIN" and value == "VEVENT":
            current = {}
        elif name == "END" and value == "VEVENT":
            assert current.keys() >= REQUIRED, REQUIRED - current.keys()
            events.append(current)
            current = None
        elif current is not None:
            current.setdefault(name, []).append((params, value))
    return events


def _value(event: dict, name: str) -> str:
    return event[name][0][1]


def test_invitation_has_the_required_properties_in_utc():
    text = calendar.build_calendar([_event()], method="REQUEST", stamp=STAMP)

    (event,) = _strict_parse(text)
    assert "METHOD:REQUEST\r\n" in text
    assert _value(event, "DTSTART") == "20260310T060000Z"
    assert _value(event, "DTEND") == "20260310T083000Z"
    assert _value(event, "DTSTAMP") == "20260301T080000Z"
    assert _value(event, "UID") == "training-session-7@opsteam"
    assert _value(event, "SEQUENCE") == "3"
    assert _value(event, "STATUS") == "CONFIRMED"
    assert _value(event, "ORGANIZER") == "mailto:training@example.com"


def test_text_values_are_escaped_and_come_back_unchanged():
    text = calendar.build_calendar([_event()], method="REQUEST", stamp=STAMP)

    (event,) = _strict_parse(text)
    assert r"SUMMARY:客户心理学：投诉处理\, 进阶\; 第二期" in calendar.unfold(text)
    assert calendar.unescape_text(_value(event, "SUMMARY")) == "客户心理学：投诉处理, 进阶; 第二期"
    assert calendar.unescape_text(_value(event, "DESCRIPTION")) == "讲师：王老师\n请带电脑"


def test_attendee_name_with_a_comma_is_quoted():
    text = calendar.build_calendar([_event()], method="REQUEST", stamp=STAMP)

    (event,) = _strict_parse(text)
    params, value = event["ATTENDEE"][0]
    assert params["CN"] == "李, 雷"
    assert value == "mailto:li@example.com"
    assert 'CN="李, 雷"' in calendar.unfold(text)


def test_cancellation_keeps_the_uid_and_marks_the_event_cancelled():
    text = calendar.build_calendar([_event(sequence=4)], method="CANCEL", stamp=STAMP)

    (event,) = _strict_parse(text)
    assert "METHOD:CANCEL\r\n" in text
    assert _value(event, "STATUS") == "CANCELLED"
    assert _value(event, "UID") == "training-session-7@opsteam"


def test_long_chinese_lines_fold_between_characters():
    summary = "运营" * 80
    text = calendar.build_calendar([_event(summary=summary)], stamp=STAMP)

    (event,) = _strict_parse(text)
    assert _value(event, "SUMMARY") == summary
    assert any(line.startswith(" ") for line in text.split("\r\n"))


def test_a_feed_holds_several_events():
    second = _event(uid="training-session-8@opsteam")
    text = calendar.build_calendar([_event(), second], stamp=STAMP, name="我的培训")

    events = _strict_parse(text)
    assert [_value(e, "UID") for e in events] == [
        "training-session-7@opsteam",
        "training-session-8@opsteam",
    ]
    assert "METHOD:PUBLISH\r\n" in text


@pytest.mark.parametrize(
    ("_case", "overrides", "method"),
    [
        ("naive start", {"start": dt.datetime(2026, 3, 10, 14, 0)}, "REQUEST"),  # noqa: DTZ001
        (
            "ends before it starts",
            {"end": dt.datetime(2026, 3, 10, 13, 0, tzinfo=SHANGHAI)},
            "REQUEST",
        ),
        ("uid with a newline", {"uid": "a\r\nb"}, "REQUEST"),
        ("unknown method", {}, "REPLY"),
    ],
)
def test_bad_events_are_refused(_case, overrides, method):
    with pytest.raises(calendar.CalendarError):
        calendar.build_calendar([_event(**overrides)], method=method, stamp=STAMP)


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=300
)


@given(TEXT)
def test_folding_then_unfolding_restores_the_line(text):
    line = "DESCRIPTION:" + calendar.escape_text(text)

    folded = calendar.fold(line)

    assert calendar.unfold(folded) == line
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))


@given(TEXT)
def test_escaping_round_trips_through_a_whole_calendar(text):
    built = calendar.build_calendar([_event(summary=text, description=text)], stamp=STAMP)

    (event,) = _strict_parse(built)
    assert calendar.unescape_text(_value(event, "SUMMARY")) == text
    if text:  # an empty description is left out
        assert calendar.unescape_text(_value(event, "DESCRIPTION")) == text
