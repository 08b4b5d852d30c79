"""Moderator announcements: stored when scheduled for later, posted by the scheduler when due.

User text never pings: it is defused when stored and again when rendered. Only `ping_everyone`, set by an
explicit option of `/announce`, asks the adapter to notify everyone (the platform's permissions still apply).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Reply, Visibility
from bot.storage.challenge_models import Announcement
from bot.storage.models import Community, Member
from bot.text import defuse_mentions

MAX_TEXT = 1800  # fits one Discord message (2000) with the title, and a Slack section (3000)


async def create(
    session: AsyncSession,
    community: Community,
    author: Member,
    channel_id: str,
    text: str,
    ping_everyone: bool,
    post_at: datetime,
    now: datetime,
    *,
    posted: bool = False,
) -> Announcement:
    """Store an announcement; `posted` when it goes out at once rather than waiting for the scheduler."""
    announcement = Announcement(
        community_id=community.id,
        channel_id=channel_id,
        text=defuse_mentions(text)[:MAX_TEXT],
        ping_everyone=ping_everyone,
        post_at=post_at,
        created_by_id=author.id,
        created_at=now,
        posted_at=now if posted else None,
    )
    session.add(announcement)
    await session.flush()
    return announcement


async def due(session: AsyncSession, now: datetime, limit: int = 100) -> list[Announcement]:
    """Announcements of every community whose time has come and that were neither posted nor cancelled,
    oldest first, each with its `community` loaded."""
    rows = await session.scalars(
        select(Announcement)
        .where(Announcement.posted_at.is_(None), Announcement.cancelled_at.is_(None), Announcement.post_at <= now)
        .order_by(Announcement.post_at, Announcement.id)
        .limit(limit)
    )
    return list(rows.unique())


async def mark_posted(session: AsyncSession, announcement_id: int, now: datetime, link: str | None) -> None:
    """Record that the announcement went out (and where); it is never due again."""
    await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.posted_at.is_(None))
        .values(posted_at=now, link=link)
    )


async def upcoming(session: AsyncSession, community: Community, limit: int = 20) -> list[Announcement]:
    rows = await session.scalars(
        select(Announcement)
        .where(
            Announcement.community_id == community.id,
            Announcement.posted_at.is_(None),
            Announcement.cancelled_at.is_(None),
        )
        .order_by(Announcement.post_at, Announcement.id)
        .limit(limit)
    )
    return list(rows.unique())


async def cancel(
    session: AsyncSession, community: Community, announcement_id: int, now: datetime
) -> Announcement | None:
    """Cancel a waiting announcement of this community; None when there is none by that number."""
    found = await session.scalar(
        select(Announcement).where(
            Announcement.id == announcement_id,
            Announcement.community_id == community.id,
            Announcement.posted_at.is_(None),
            Announcement.cancelled_at.is_(None),
        )
    )
    if found is not None:
        found.cancelled_at = now
        await session.flush()
    return found


def render(announcement: Announcement) -> Reply:
    """The public post of an announcement."""
    return Reply(title="📣 Announcement", text=defuse_mentions(announcement.text), visibility=Visibility.PUBLIC)
