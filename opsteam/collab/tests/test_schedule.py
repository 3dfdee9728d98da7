"""Quiet hours and digest times (pure): examples users would check, and properties."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from opsteam.collab import schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def at(text: str, zone: ZoneInfo = SHANGHAI) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def test_overnight_quiet_hours_hold_messages_until_morning():
    start, end = dt.time(22), dt.time(8)
    assert schedule.earliest_send(at("2026-11-27 23:30"), start, end, SHANGHAI) == at(
        "2026-11-28 08:00"
    )
    assert schedule.earliest_send(at("2026-11-28 06:00"), start, end, SHANGHAI) == at(
        "2026-11-28 08:00"
    )
    assert schedule.earliest_send(at("2026-11-28 08:00"), start, end, SHANGHAI) == at(
        "2026-11-28 08:00"
    )
    assert schedule.quiet_hours_end(at("2026-11-28 12:00"), start, end, SHANGHAI) is None


def test_daytime_quiet_hours_and_no_quiet_hours():
    assert schedule.earliest_send(
        at("2026-11-27 12:30"), dt.time(12), dt.time(13, 30), SHANGHAI
    ) == at("2026-11-27 13:30")
    assert schedule.quiet_hours_end(at("2026-11-27 03:00"), None, None, SHANGHAI) is None
    assert (
        schedule.quiet_hours_end(at("2026-11-27 03:00"), dt.time(3), dt.time(3), SHANGHAI) is None
    )


def test_quiet_hours_are_read_in_the_persons_own_zone():
    # 15:00 UTC is 23:00 in Shanghai: quiet there, not in London
    moment = dt.datetime(2026, 11, 27, 15, tzinfo=UTC)
    quiet = dt.time(22), dt.time(8)
    assert schedule.quiet_hours_end(moment, *quiet, SHANGHAI) == at("2026-11-28 08:00")
    assert schedule.quiet_hours_end(moment, *quiet, ZoneInfo("Europe/London")) is None


def test_digests_daily_and_on_mondays():
    friday_10 = at("2026-11-27 10:00")
    assert schedule.next_digest(friday_10, 9, SHANGHAI, weekly=False) == at("2026-11-28 09:00")
    assert schedule.next_digest(at("2026-11-27 08:00"), 9, SHANGHAI, weekly=False) == at(
        "2026-11-27 09:00"
    )
    assert schedule.next_digest(friday_10, 9, SHANGHAI, weekly=True) == at("2026-11-30 09:00")
    monday_9 = at("2026-11-30 09:00")
    assert schedule.next_digest(monday_9, 9, SHANGHAI, weekly=True) == at("2026-12-07 09:00")


moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=dt.datetime(2035, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))
zones = st.sampled_from(["Asia/Shanghai", "UTC", "Europe/London", "America/New_York"]).map(ZoneInfo)


@given(moment=moments, start=times, end=times, zone=zones)
def test_a_message_never_leaves_inside_quiet_hours_nor_waits_a_day(moment, start, end, zone):
    send = schedule.earliest_send(moment, start, end, zone)
    assert send >= moment
    assert send - moment <= dt.timedelta(hours=25)  # a DST change may add one hour
    local = send.astimezone(zone).time().replace(tzinfo=None)
    if send != moment:
        assert not schedule.in_quiet_hours(local, start, end) or local == end


@given(moment=moments, hour=st.integers(0, 23), zone=zones, weekly=st.booleans())
def test_next_digest_is_after_the_moment_at_the_hour(moment, hour, zone, weekly):
    digest = schedule.next_digest(moment, hour, zone, weekly=weekly)
    assert digest > moment
    assert digest - moment <= dt.timedelta(days=7 if weekly else 1, hours=1)
    assert digest.astimezone(zone).hour in (hour, (hour + 1) % 24)  # the DST gap moves it
    if weekly:
        assert digest.astimezone(zone).weekday() == 0
