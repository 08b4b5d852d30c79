"""Claiming a platform delivery once: retried events (same id) never take effect twice, across processes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.members import dialect_insert
from bot.storage.delivery_models import HandledEvent

# Slack retries a delivery three times within about five minutes; an hour leaves a wide margin.
KEEP = timedelta(hours=1)
MAX_EVENT_ID = 100


async def claim_event(sessions: async_sessionmaker[AsyncSession], platform: str, event_id: str, now: datetime) -> bool:
    """True for the first claim of `event_id` on `platform`, False for every repeat (in any process)."""
    async with sessions() as session, session.begin():
        await session.execute(delete(HandledEvent).where(HandledEvent.handled_at < now - KEEP))
        result = await session.execute(
            dialect_insert(session, HandledEvent)
            .values(platform=platform, event_id=event_id[:MAX_EVENT_ID], handled_at=now)
            .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        )
        return result.rowcount == 1
