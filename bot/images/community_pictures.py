"""The leaderboard chart and a member's activity heatmap, drawn from the points ledger and the activity days."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import leaderboard
from bot.images import heatmap, leaderboard_chart
from bot.images.cache import ImageCache
from bot.images.heatmap import ActivityCalendar
from bot.images.leaderboard_chart import ChartData, ChartRow
from bot.leaderboard import Period
from bot.local_time import local_day, member_zone, start_of_day, week_start, zone
from bot.replies import Image
from bot.storage.challenge_models import ActivityDay
from bot.storage.models import Community, Member, PointEvent

CHART_WEEKS = 8


async def chart_input(
    session: AsyncSession, community: Community, now: datetime, weeks: int = CHART_WEEKS
) -> ChartData:
    """The all-time top ten with the points each earned in each of the last `weeks` weeks of the community.

    A week's points are the live ledger entries created in it (a revoked award counts in no week), with weeks
    starting on Monday in the community's time zone.
    """
    tz = zone(community.timezone)
    board = await leaderboard.board(session, community, Period.ALL, now)
    this_week = week_start(now, tz)
    starts = [start_of_day(local_day(this_week, tz) - timedelta(weeks=weeks - 1 - i), tz) for i in range(weeks)]
    weekly: dict[int, list[int]] = defaultdict(lambda: [0] * weeks)
    member_ids = [s.member_id for s in board.top]
    if member_ids:
        rows = await session.execute(
            select(PointEvent.member_id, PointEvent.points, PointEvent.created_at).where(
                PointEvent.community_id == community.id,
                PointEvent.member_id.in_(member_ids),
                PointEvent.created_at >= starts[0],
                PointEvent.revoked_at.is_(None),
            )
        )
        for member_id, points, created in rows:
            week = _week_index(starts, created)
            if week is not None:
                weekly[member_id][week] += points
    return ChartData(
        f"Leaderboard · {community.name}" if community.name else "Leaderboard",
        tuple(local_day(s, tz) for s in starts),
        tuple(ChartRow(s.rank, s.name, s.points, tuple(weekly[s.member_id])) for s in board.top),
    )


def _week_index(starts: list[datetime], moment: datetime) -> int | None:
    index = None
    for i, start in enumerate(starts):
        if moment >= start:
            index = i
    return index


async def chart_image(cache: ImageCache, session: AsyncSession, community: Community, now: datetime) -> Image:
    data = await chart_input(session, community, now)
    png = await cache.render(leaderboard_chart.render, data)
    leaders = ", ".join(f"{r.rank}. {r.name} ({r.points})" for r in data.rows[:3]) or "no points yet"
    alt = f"Bar chart of the top {len(data.rows)} members' points in each of the last {len(data.weeks)} weeks. "
    return Image("leaderboard-chart.png", png, alt + f"Leading: {leaders}.")


async def activity_input(
    session: AsyncSession, community: Community, member: Member, now: datetime, weeks: int = heatmap.WEEKS
) -> ActivityCalendar:
    """The member's active days over the last `weeks` weeks in their own zone; a day's count is the number of
    points entries earned that day (at least one for an active day)."""
    tz = member_zone(member, community)
    today = local_day(now, tz)
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    counts: dict = {}
    if member.id is not None:
        days = await session.scalars(
            select(ActivityDay.day).where(ActivityDay.member_id == member.id, ActivityDay.day >= first)
        )
        counts = {day: 1 for day in days}
        moments = await session.scalars(
            select(PointEvent.created_at).where(
                PointEvent.member_id == member.id,
                PointEvent.created_at >= start_of_day(first, tz),
                PointEvent.revoked_at.is_(None),
            )
        )
        for day, n in heatmap.local_days(moments, tz.key):
            counts[day] = max(counts.get(day, 0), n)
    return ActivityCalendar(member.display_name, tz.key, today, tuple(sorted(counts.items())), weeks)


async def activity_image(
    cache: ImageCache, session: AsyncSession, community: Community, member: Member, now: datetime
) -> Image:
    data = await activity_input(session, community, member, now)
    png = await cache.render(heatmap.render, data)
    active = len(data.counts())
    current, longest = heatmap.streaks(set(data.counts()), data.today)
    alt = (
        f"Calendar of {member.display_name}'s active days over the last {data.weeks} weeks in {data.zone}: "
        f"{active} active days, current streak {current}, longest {longest}."
    )
    return Image("activity.png", png, alt)
