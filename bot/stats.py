"""Numbers an organiser can act on: who is active, where members stand on the roadmap, where they get
stuck, and how the weekly challenges go."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.local_time import local_day, week_start, zone
from bot.storage.base import UTCDateTime
from bot.storage.challenge_models import ActivityDay, Challenge, ChallengeParticipant, Submission
from bot.storage.models import Community, Member, Progress

NOT_STARTED = "not started"
FINISHED = "finished the roadmap"


@dataclass(frozen=True)
class TopicTime:
    topic_id: str
    members: int
    still_learning: int
    average_days: float


@dataclass(frozen=True)
class ChallengeWeek:
    title: str
    started_at: datetime
    joined: int
    submitted: int
    finished: int


async def active_members(session: AsyncSession, community: Community, now: datetime) -> tuple[int, int]:
    """Members with a study step this week and last week (weeks from Monday, in the community's zone)."""
    monday = local_day(week_start(now, zone(community.timezone)), zone(community.timezone))
    counts = []
    for start, end in ((monday, monday + timedelta(days=7)), (monday - timedelta(days=7), monday)):
        counts.append(
            await session.scalar(
                select(func.count(func.distinct(ActivityDay.member_id))).where(
                    ActivityDay.community_id == community.id, ActivityDay.day >= start, ActivityDay.day < end
                )
            )
            or 0
        )
    return counts[0], counts[1]


async def members_per_section(session: AsyncSession, community: Community, content: Content) -> dict[str, int]:
    """Members by the section of the topic they are on (the one `/roadmap next` shows them), in roadmap order."""
    rows = await session.execute(
        select(Member.current_topic_id, func.count())
        .where(Member.community_id == community.id, Member.current_topic_id.is_not(None))
        .group_by(Member.current_topic_id)
    )
    per_section: Counter[str] = Counter()
    for topic_id, count in rows:
        topic = content.topic(topic_id)
        section = content.section(topic.section_id) if topic else None
        per_section[section.title if section else NOT_STARTED] += count
    without_topic = (Member.community_id == community.id, Member.current_topic_id.is_(None))
    has_progress = exists().where(Progress.member_id == Member.id)
    finished = await session.scalar(select(func.count()).select_from(Member).where(*without_topic, has_progress))
    idle = await session.scalar(select(func.count()).select_from(Member).where(*without_topic, ~has_progress))
    ordered = {s.title: per_section[s.title] for s in content.sections if per_section[s.title]}
    if idle or per_section[NOT_STARTED]:
        ordered[NOT_STARTED] = (idle or 0) + per_section[NOT_STARTED]
    if finished:
        ordered[FINISHED] = finished
    return ordered


def _seconds_learning(session: AsyncSession, now: datetime) -> ColumnElement[float]:
    """Seconds from starting a topic to finishing it (or to now while still learning), in the dialect's SQL."""
    until = func.coalesce(Progress.completed_at, literal(now, UTCDateTime()))
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        return func.extract("epoch", until - Progress.started_at)
    return (func.julianday(until) - func.julianday(Progress.started_at)) * 86400.0


async def slowest_topics(session: AsyncSession, community: Community, now: datetime, limit: int = 5) -> list[TopicTime]:
    """Topics members spend longest learning (from `/roadmap start` to done or skipped)."""
    seconds = _seconds_learning(session, now)
    average = func.avg(seconds)
    rows = await session.execute(
        select(
            Progress.topic_id,
            func.count(),
            func.sum(case((Progress.status == "learning", 1), else_=0)),
            average,
        )
        .join(Member, Member.id == Progress.member_id)
        .where(Member.community_id == community.id, Progress.started_at.is_not(None))
        .group_by(Progress.topic_id)
        .order_by(average.desc())
        .limit(limit)
    )
    return [TopicTime(t, int(n), int(learning or 0), float(avg or 0) / 86400) for t, n, learning, avg in rows]


async def most_skipped(session: AsyncSession, community: Community, limit: int = 5) -> list[tuple[str, int]]:
    count = func.count()
    rows = await session.execute(
        select(Progress.topic_id, count)
        .join(Member, Member.id == Progress.member_id)
        .where(Member.community_id == community.id, Progress.status == "skipped")
        .group_by(Progress.topic_id)
        .order_by(count.desc(), Progress.topic_id)
        .limit(limit)
    )
    return [(t, int(n)) for t, n in rows]


async def challenge_weeks(session: AsyncSession, community: Community, limit: int = 6) -> list[ChallengeWeek]:
    """The latest challenges with how many joined, submitted and finished, newest first."""
    joined = (
        select(func.count())
        .where(ChallengeParticipant.challenge_id == Challenge.id)
        .correlate(Challenge)
        .scalar_subquery()
    )
    submitted = (
        select(func.count()).where(Submission.challenge_id == Challenge.id).correlate(Challenge).scalar_subquery()
    )
    finished = (
        select(func.count())
        .where(Submission.challenge_id == Challenge.id, Submission.status == "approved")
        .correlate(Challenge)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Challenge.title, Challenge.started_at, joined, submitted, finished)
        .where(Challenge.community_id == community.id)
        .order_by(Challenge.started_at.desc(), Challenge.id.desc())
        .limit(limit)
    )
    return [ChallengeWeek(t, s, int(j), int(sub), int(f)) for t, s, j, sub, f in rows]
