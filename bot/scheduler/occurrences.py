"""When a schedule fires: local wall-clock times in an IANA zone, turned into UTC instants, DST included.

Pure functions over APScheduler's CronTrigger. A post set for 09:00 stays at 09:00 local time across a
daylight-saving change; a time the clock skips that day (02:30 when clocks jump from 02:00 to 03:00) fires at
the same instant an hour later on the wall clock; a time that happens twice (when clocks go back) fires once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYS = ("daily", "weekdays", *WEEKDAYS)
WEEKDAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
# Enough for any schedule between two runs of a process that was down for a long time; beyond it the
# remaining occurrences are too old to matter (they are outside any grace window).
MAX_OCCURRENCES = 1000


@dataclass(frozen=True)
class Recurrence:
    """A local time on some days, every `every_weeks` weeks counted from `anchor` (a UTC instant)."""

    hour: int
    minute: int
    timezone: str
    days: str = "daily"
    every_weeks: int = 1
    anchor: datetime | None = None

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError("hour and minute out of range")
        if self.days not in DAYS:
            raise ValueError(f"days must be one of {', '.join(DAYS)}")
        if self.every_weeks not in (1, 2, 4):
            raise ValueError("every_weeks must be 1, 2 or 4")
        if self.every_weeks > 1 and self.days not in WEEKDAYS:
            raise ValueError("a schedule every 2 or 4 weeks needs one weekday")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe(self) -> str:
        """In words, for replies: `09:00 Europe/Berlin, every Monday`."""
        when = f"{self.hour:02d}:{self.minute:02d} {self.timezone}"
        if self.days == "daily":
            return f"{when}, every day"
        if self.days == "weekdays":
            return f"{when}, Monday to Friday"
        day = WEEKDAY_NAMES[self.days]
        if self.every_weeks == 1:
            return f"{when}, every {day}"
        return f"{when}, every {self.every_weeks} weeks on {day}"


def cron_trigger(recurrence: Recurrence) -> CronTrigger:
    """The APScheduler trigger for the recurrence's days and local time (every N weeks is filtered after)."""
    day_of_week = {"daily": "*", "weekdays": "mon-fri"}.get(recurrence.days, recurrence.days)
    return CronTrigger(
        day_of_week=day_of_week, hour=recurrence.hour, minute=recurrence.minute, timezone=recurrence.zone
    )


def _second_of_repeated_hour(local: datetime) -> bool:
    """True for the later of two instants that share a wall-clock time when clocks go back."""
    if local.fold != 1:
        return False
    earlier = local.replace(fold=0)
    # Both readings must exist (round-trip to the same wall time) and differ as instants.
    tz = local.tzinfo
    return (
        earlier.astimezone(UTC) != local.astimezone(UTC)
        and earlier.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None)
        and local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None)
    )


def _in_week(recurrence: Recurrence, local: datetime) -> bool:
    if recurrence.every_weeks == 1 or recurrence.anchor is None:
        return True
    anchor_day: date = recurrence.anchor.astimezone(recurrence.zone).date()
    weeks = (local.date() - anchor_day).days // 7
    return weeks % recurrence.every_weeks == 0


def iterate(recurrence: Recurrence, after: datetime) -> Iterator[datetime]:
    """Every occurrence strictly after `after`, in order, as UTC instants (an endless iterator)."""
    trigger = cron_trigger(recurrence)
    start = after.astimezone(UTC) + timedelta(microseconds=1)
    local = trigger.get_next_fire_time(None, start)
    for _ in range(100_000):
        if local is None:
            return
        if not _second_of_repeated_hour(local) and _in_week(recurrence, local):
            instant = local.astimezone(UTC)
            if instant > after:
                yield instant
        local = trigger.get_next_fire_time(local, local)


def next_after(recurrence: Recurrence, after: datetime) -> datetime | None:
    """The first occurrence strictly after `after`."""
    return next(iterate(recurrence, after), None)


def between(recurrence: Recurrence, after: datetime, until: datetime, limit: int = MAX_OCCURRENCES) -> list[datetime]:
    """Occurrences in (after, until], oldest first, at most `limit` (the newest ones are kept)."""
    found: list[datetime] = []
    for instant in iterate(recurrence, after):
        if instant > until:
            break
        found.append(instant)
        if len(found) > limit:
            found.pop(0)
    return found


def local_text(instant: datetime, zone: str) -> str:
    """An instant as the community reads it: `Mon 30 Mar 09:00 (Europe/Berlin)`."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %H:%M} ({zone})"
