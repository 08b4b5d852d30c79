"""A community's schedules in the database: the kinds, their options, and setting or reading them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.scheduler.occurrences import WEEKDAYS, Recurrence, next_after
from bot.storage.models import Community
from bot.storage.schedule_models import Schedule, ScheduleFeed

DAILY_TOPIC = "daily-topic"
MEETUPS = "meetups"
TRENDS = "trends"
CHALLENGE = "challenge"
KINDS = (DAILY_TOPIC, MEETUPS, TRENDS, CHALLENGE)
# Kinds that post once a week (or every few weeks) need one weekday.
WEEKLY_KINDS = (MEETUPS, TRENDS, CHALLENGE)
DAILY_MODES = ("in-order", "median")
MAX_FEEDS = 5

KIND_SUMMARIES = {
    DAILY_TOPIC: "the topic of the day: summary, resources and a practice task",
    MEETUPS: "a meetup round: members who joined are paired, then asked whether they met",
    TRENDS: "a weekly digest of trend links and the newest items of the community's feeds",
    CHALLENGE: "the end of last week's challenge and the start of this week's",
}


@dataclass(frozen=True)
class Plan:
    """A validated `/schedule set`: everything needed to write the row."""

    kind: str
    hour: int
    minute: int
    timezone: str
    days: str
    every_weeks: int = 1
    option: str | None = None

    @property
    def recurrence(self) -> Recurrence:
        return Recurrence(self.hour, self.minute, self.timezone, self.days, self.every_weeks)


def recurrence_of(schedule: Schedule) -> Recurrence:
    return Recurrence(
        schedule.hour,
        schedule.minute,
        schedule.timezone,
        schedule.days,
        schedule.every_weeks,
        anchor=schedule.anchor_at,
    )


async def find(session: AsyncSession, community_id: int, kind: str) -> Schedule | None:
    return await session.scalar(select(Schedule).where(Schedule.community_id == community_id, Schedule.kind == kind))


async def of_community(session: AsyncSession, community_id: int) -> list[Schedule]:
    rows = await session.scalars(select(Schedule).where(Schedule.community_id == community_id).order_by(Schedule.kind))
    return list(rows)


async def save(session: AsyncSession, community: Community, plan: Plan, channel_id: str, now: datetime) -> Schedule:
    """Create or replace the community's schedule of `plan.kind`; it fires next at the first time after now."""
    anchor = next_after(plan.recurrence, now)
    assert anchor is not None  # a cron of a fixed time on some weekday always fires again
    # With every_weeks, the first round is the anchor itself.
    recurrence = Recurrence(plan.hour, plan.minute, plan.timezone, plan.days, plan.every_weeks, anchor=anchor)
    next_due = next_after(recurrence, now)
    schedule = await find(session, community.id, plan.kind)
    if schedule is None:
        schedule = Schedule(community_id=community.id, kind=plan.kind, position=0, created_at=now)
        session.add(schedule)
    schedule.channel_id = channel_id
    schedule.report_channel_id = channel_id
    schedule.hour, schedule.minute = plan.hour, plan.minute
    schedule.timezone = plan.timezone
    schedule.days = plan.days
    schedule.every_weeks = plan.every_weeks
    schedule.option = plan.option
    schedule.anchor_at = anchor
    schedule.enabled = True
    schedule.next_due_at = next_due
    schedule.updated_at = now
    await session.flush()
    return schedule


async def disable(session: AsyncSession, schedule: Schedule, now: datetime) -> None:
    """Stop a schedule but keep its rotation (the daily topic's place) for when it is set again."""
    schedule.enabled = False
    schedule.next_due_at = None
    schedule.updated_at = now


async def report_here(session: AsyncSession, community_id: int, channel_id: str | None) -> None:
    """Problems with scheduled posts go to the channel where a moderator last used `/schedule`."""
    if not channel_id:
        return
    await session.execute(
        update(Schedule)
        .where(Schedule.community_id == community_id, Schedule.report_channel_id.is_distinct_from(channel_id))
        .values(report_channel_id=channel_id)
    )


async def report_channel(session: AsyncSession, community_id: int) -> str | None:
    """The channel for moderator notices of a community, if any schedule knows one."""
    return await session.scalar(
        select(Schedule.report_channel_id)
        .where(Schedule.community_id == community_id, Schedule.report_channel_id.is_not(None))
        .order_by(Schedule.updated_at.desc())
        .limit(1)
    )


async def feeds_of(session: AsyncSession, community_id: int) -> list[ScheduleFeed]:
    rows = await session.scalars(
        select(ScheduleFeed).where(ScheduleFeed.community_id == community_id).order_by(ScheduleFeed.id)
    )
    return list(rows)


def weekly_default(kind: str, days: str | None) -> str:
    """The days a kind posts on when the moderator named none: every day, or Mondays for weekly kinds."""
    if days:
        return days
    return WEEKDAYS[0] if kind in WEEKLY_KINDS else "daily"
