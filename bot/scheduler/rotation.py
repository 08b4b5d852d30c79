"""Rotating through content without repeating what a community saw recently.

Each posted item (a trend link, a feed item, a meetup starter, a topic) is remembered with the time it was last
posted; the next pick takes items never posted first, in their given order, then the longest ago.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members import dialect_insert
from bot.storage.schedule_models import PostedItem


async def last_posted(session: AsyncSession, community_id: int, kind: str) -> dict[str, datetime]:
    rows = await session.execute(
        select(PostedItem.item, PostedItem.posted_at).where(
            PostedItem.community_id == community_id, PostedItem.kind == kind
        )
    )
    return {item: posted for item, posted in rows}


async def least_recent(
    session: AsyncSession, community_id: int, kind: str, items: Sequence[str], count: int
) -> list[str]:
    """Up to `count` of `items`: never posted ones first (in order), then those posted longest ago."""
    seen = await last_posted(session, community_id, kind)
    fresh = [i for i in items if i not in seen]
    old = sorted((i for i in items if i in seen), key=lambda i: seen[i])
    return (fresh + old)[:count]


async def remember(session: AsyncSession, community_id: int, kind: str, items: Sequence[str], now: datetime) -> None:
    """Record that `items` were posted now."""
    await remember_many(session, kind, [(community_id, item) for item in items], now)


async def remember_many(session: AsyncSession, kind: str, posted: Sequence[tuple[int, str]], now: datetime) -> None:
    """Record that each (community, item) of `posted` was posted now, in one statement."""
    # One row per key: PostgreSQL refuses an upsert that would update the same row twice.
    unique = list(dict.fromkeys(posted))
    if not unique:
        return
    stmt = dialect_insert(session, PostedItem.__table__)
    # Executemany: compiled once and cached, where a many-VALUES INSERT is compiled on every call.
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["community_id", "kind", "item"], set_={"posted_at": stmt.excluded.posted_at}
        ),
        [{"community_id": c, "kind": kind, "item": item, "posted_at": now} for c, item in unique],
    )
