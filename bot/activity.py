"""Active days and streaks: a day counts in the member's own time zone, so a late-evening session in
Los Angeles is still "today" there, whatever the UTC date says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.local_time import local_day, member_zone
from bot.members import insert_for, session_dialect
from bot.points import RULES, award
from bot.storage.challenge_models import ActivityDay
from bot.storage.models import Community, Member

# Streaks longer than this are shown as this; it bounds the rows read per check.
LONGEST_COUNTED = 400


@dataclass(frozen=True)
class NewDay:
    """The first study step of a local day: the streak it makes and any bonus it earned."""

    streak: int
    bonus: int


@cache
def _mark_day_statement(dialect: str) -> Any:
    """Built once per dialect (see bot/members.py); RETURNING says whether the day was new."""
    days: Table = ActivityDay.__table__  # type: ignore[assignment]
    return (
        insert_for(dialect, days)
        .on_conflict_do_nothing(index_elements=["member_id", "day"])
        .returning(days.c.member_id)
    )


async def record(
    session: AsyncSession, community: Community, member: Member, now: datetime, previous_active: datetime | None
) -> NewDay | None:
    """Mark today (the member's local day) active; None when it already was."""
    tz = member_zone(member, community)
    today = local_day(now, tz)
    member.last_active_at = now
    if previous_active is not None and local_day(previous_active, tz) == today:
        return None  # the day was recorded by an earlier step today
    inserted = await session.scalar(
        _mark_day_statement(session_dialect(session)),
        {"member_id": member.id, "day": today, "community_id": community.id},
    )
    if inserted is None:
        return None
    if previous_active is None or local_day(previous_active, tz) < today - timedelta(days=1):
        days = 1  # nothing yesterday: a new streak, known without reading the days back
    else:
        days = await streak(session, member, today)
    bonus = 0
    if days % RULES.streak_every_days == 0:
        # The ref is the day: one bonus per day at most, whatever happens later.
        bonus = await award(session, member, "streak", today.isoformat(), RULES.streak_bonus, now)
    return NewDay(days, bonus)


async def streak(session: AsyncSession, member: Member, today: date) -> int:
    """Consecutive active days ending today, or ending yesterday when today has no activity yet."""
    if member.id is None:
        return 0
    rows = await session.scalars(
        select(ActivityDay.day)
        .where(
            ActivityDay.member_id == member.id,
            ActivityDay.day <= today,
            ActivityDay.day > today - timedelta(days=LONGEST_COUNTED + 1),
        )
        .order_by(ActivityDay.day.desc())
        .limit(LONGEST_COUNTED + 1)
    )
    days = list(rows)
    if not days or days[0] < today - timedelta(days=1):
        return 0
    count, expected = 0, days[0]
    for day in days:
        if day != expected:
            break
        count += 1
        expected = day - timedelta(days=1)
    return min(count, LONGEST_COUNTED)
