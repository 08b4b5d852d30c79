"""Days, weeks and months as people live them: in a member's or a community's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.storage.models import Community, Member


def zone(name: str | None) -> ZoneInfo:
    """The named zone; UTC when the name is empty or no longer known to the system."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def member_zone(member: Member, community: Community) -> ZoneInfo:
    """A member's days follow their own zone, else their community's."""
    return zone(member.timezone or community.timezone)


def local_day(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant a local day begins (DST-aware)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def week_start(instant: datetime, tz: ZoneInfo) -> datetime:
    """Monday 00:00 of the local week holding `instant`, as UTC."""
    day = local_day(instant, tz)
    return start_of_day(day - timedelta(days=day.weekday()), tz)


def same_time_days_later(instant: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The same local wall-clock time `days` later, as UTC (23 or 25 hours apart across a DST change)."""
    local = instant.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=tz).astimezone(UTC)


def month_start(instant: datetime, tz: ZoneInfo) -> datetime:
    return start_of_day(local_day(instant, tz).replace(day=1), tz)


def shown(instant: datetime, tz: ZoneInfo) -> str:
    """`Mon 1 Dec 18:00 (Europe/Berlin)`: a time as members of that zone read it."""
    local = instant.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %H:%M} ({tz.key})"
