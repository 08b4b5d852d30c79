"""Reaching a test community's rows directly, for the scheduler's side of the API and for assertions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import StudyBot
from bot.storage.models import Community, Member
from bot.storage.schema import metadata


@asynccontextmanager
async def transaction(bot: StudyBot, external_id: str = "c1") -> AsyncIterator[tuple[AsyncSession, Community]]:
    """A session in a transaction, with the community the `chat` fixture talks in."""
    async with bot.sessions() as session, session.begin():
        community = await session.scalar(
            select(Community).where(Community.platform == "test", Community.external_id == external_id)
        )
        assert community is not None, "run a command in the community first"
        yield session, community


async def points_of(bot: StudyBot, user_id: str) -> int:
    async with bot.sessions() as session:
        points = await session.scalar(select(Member.points).where(Member.external_id == user_id))
        assert points is not None, user_id
        return points


async def count(bot: StudyBot, model: type) -> int:
    async with bot.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def snapshot(bot: StudyBot) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to prove that a refused command changed nothing."""
    async with bot.sessions() as session:
        tables = {}
        for table in metadata.sorted_tables:
            rows = await session.execute(select(table))
            tables[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return tables
