"""Occurrence maths: local wall-clock times in IANA zones, across days, zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.scheduler.occurrences import Recurrence, between, cron_trigger, local_text, next_after


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local(instants: list[datetime], zone: str) -> list[str]:
    return [f"{i.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}" for i in instants]


def test_daily_occurrences_across_days_in_utc() -> None:
    found = between(Recurrence(9, 0, "UTC"), utc(2026, 11, 23, 9, 0), utc(2026, 11, 26, 9, 0))
    assert found == [utc(2026, 11, 24, 9), utc(2026, 11, 25, 9), utc(2026, 11, 26, 9)]  # strictly after, up to


def test_the_same_local_time_is_a_different_instant_in_each_zone() -> None:
    after, until = utc(2026, 11, 23, 12), utc(2026, 11, 24, 23, 59)
    berlin = between(Recurrence(9, 0, "Europe/Berlin"), after, until)
    new_york = between(Recurrence(9, 0, "America/New_York"), after, until)
    tokyo = between(Recurrence(9, 0, "Asia/Tokyo"), after, until)
    assert berlin == [utc(2026, 11, 24, 8)]
    assert new_york == [utc(2026, 11, 23, 14), utc(2026, 11, 24, 14)]
    assert tokyo == [utc(2026, 11, 24, 0)]


@pytest.mark.parametrize(
    ("zone", "after", "until", "utc_hours"),
    [
        # Berlin springs forward on Sunday 29 March 2026 and falls back on Sunday 25 October 2026.
        ("Europe/Berlin", utc(2026, 3, 27), utc(2026, 3, 31), [8, 8, 7, 7]),
        ("Europe/Berlin", utc(2026, 10, 23), utc(2026, 10, 27), [7, 7, 8, 8]),
        # New York springs forward on 8 March 2026 and falls back on 1 November 2026.
        ("America/New_York", utc(2026, 3, 6), utc(2026, 3, 10), [14, 14, 13, 13]),
        ("America/New_York", utc(2026, 10, 30), utc(2026, 11, 3), [13, 13, 14, 14]),
    ],
)
def test_nine_oclock_stays_nine_oclock_across_a_daylight_saving_change(
    zone: str, after: datetime, until: datetime, utc_hours: list[int]
) -> None:
    found = between(Recurrence(9, 0, zone), after, until)
    assert [i.hour for i in found] == utc_hours
    assert all(text.endswith("09:00") for text in local(found, zone))
    assert len({i.date() for i in found}) == 4  # one a day


def test_a_time_the_clock_skips_fires_once_an_hour_later_on_the_wall() -> None:
    found = between(Recurrence(2, 30, "Europe/Berlin"), utc(2026, 3, 28), utc(2026, 3, 31))
    assert local(found, "Europe/Berlin") == ["2026-03-28 02:30", "2026-03-29 03:30", "2026-03-30 02:30"]


def test_a_time_that_happens_twice_fires_once() -> None:
    found = between(Recurrence(2, 30, "Europe/Berlin"), utc(2026, 10, 24), utc(2026, 10, 27))
    assert local(found, "Europe/Berlin") == ["2026-10-24 02:30", "2026-10-25 02:30", "2026-10-26 02:30"]
    # Starting between the two 02:30s of 25 October does not produce the repeated one.
    later = between(Recurrence(2, 30, "Europe/Berlin"), utc(2026, 10, 25, 0, 45), utc(2026, 10, 26, 12))
    assert local(later, "Europe/Berlin") == ["2026-10-26 02:30"]


def test_weekdays_and_one_weekday() -> None:
    weekdays = between(Recurrence(9, 0, "UTC", "weekdays"), utc(2026, 11, 20, 12), utc(2026, 11, 30, 12))
    assert [f"{i:%a}" for i in weekdays] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon"]
    wednesdays = between(Recurrence(18, 0, "UTC", "wed"), utc(2026, 11, 20), utc(2026, 12, 10))
    assert wednesdays == [utc(2026, 11, 25, 18), utc(2026, 12, 2, 18), utc(2026, 12, 9, 18)]


def test_every_two_and_four_weeks_count_from_the_anchor_across_dst() -> None:
    anchor = utc(2026, 10, 14, 16)  # Wednesday 18:00 in Berlin, summer time
    every_two = Recurrence(18, 0, "Europe/Berlin", "wed", 2, anchor=anchor)
    found = between(every_two, anchor - timedelta(seconds=1), utc(2026, 12, 31))
    assert local(found, "Europe/Berlin") == [
        "2026-10-14 18:00",
        "2026-10-28 18:00",
        "2026-11-11 18:00",
        "2026-11-25 18:00",
        "2026-12-09 18:00",
        "2026-12-23 18:00",
    ]
    every_four = Recurrence(18, 0, "Europe/Berlin", "wed", 4, anchor=anchor)
    assert len(between(every_four, anchor - timedelta(seconds=1), utc(2026, 12, 31))) == 3
    assert next_after(every_four, anchor) == utc(2026, 11, 11, 17)  # winter time: 18:00 is 17:00 UTC


def test_invalid_recurrences_are_refused() -> None:
    with pytest.raises(ValueError):
        Recurrence(24, 0, "UTC")
    with pytest.raises(ValueError):
        Recurrence(9, 0, "UTC", "someday")
    with pytest.raises(ValueError):
        Recurrence(9, 0, "UTC", "daily", 2)
    with pytest.raises(ValueError):
        Recurrence(9, 0, "Mars/Olympus")


def test_the_trigger_is_apschedulers_cron_in_the_schedules_zone() -> None:
    trigger = cron_trigger(Recurrence(9, 15, "Europe/Berlin", "fri"))
    assert str(trigger.timezone) == "Europe/Berlin"
    fire = trigger.get_next_fire_time(None, utc(2026, 11, 23))
    assert fire is not None and f"{fire:%a %H:%M}" == "Fri 09:15"
    assert local_text(utc(2026, 3, 29, 7), "Europe/Berlin") == "Sun 29 Mar 09:00 (Europe/Berlin)"


def test_describe_in_words() -> None:
    assert Recurrence(9, 0, "Europe/Berlin").describe() == "09:00 Europe/Berlin, every day"
    assert Recurrence(18, 30, "UTC", "wed", 2).describe() == "18:30 UTC, every 2 weeks on Wednesday"
    assert Recurrence(7, 5, "UTC", "weekdays").describe() == "07:05 UTC, Monday to Friday"
