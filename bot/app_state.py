"""Small named values kept between runs in the `app_state` table (for example a hash of synced commands)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.members import dialect_insert
from bot.storage.models import AppState


async def get_value(session: AsyncSession, key: str) -> str | None:
    """The value stored under `key`, or None when nothing is stored."""
    row = await session.get(AppState, key)
    return row.value if row is not None else None


async def set_value(session: AsyncSession, key: str, value: str, now: datetime) -> None:
    """Store `value` under `key`, replacing any earlier value; the caller commits."""
    # An upsert: several processes (Discord shards) may write the same key at once.
    insert = dialect_insert(session, AppState).values(key=key, value=value, updated_at=now)
    await session.execute(
        insert.on_conflict_do_update(index_elements=["key"], set_={"value": value, "updated_at": now})
    )
