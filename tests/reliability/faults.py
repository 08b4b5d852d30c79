"""Tools for fault tests: a command that writes and then meets a fault, and ways to cut the bot's connections."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import StudyBot
from bot.commands import build_registry
from bot.context import Context
from bot.points import award
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Reply, success
from bot.storage.engine import create_engine
from bot.storage.models import PointEvent
from tests.databases import postgres_url

Hook = Callable[[Context, int], Awaitable[None]]


class FaultyCommand:
    """`/fault write <ref>`: grants one point for `ref`, calls the test's hook, then reads once more."""

    def __init__(self) -> None:
        self.calls = 0
        self.hook: Hook | None = None

    async def handler(self, ctx: Context, args: dict[str, Any]) -> Reply:
        self.calls += 1
        await award(ctx.session, ctx.member, "fault", args["ref"], 1, ctx.now)
        if self.hook:
            await self.hook(ctx, self.calls)
        await ctx.session.execute(select(1))  # the next statement meets whatever the hook did
        return success(f"written {args['ref']}")

    def registry(self) -> Registry:
        registry = build_registry()
        registry.add(
            Command(("fault", "write"), "Write, then meet a fault", self.handler, (Argument("ref", ArgKind.TEXT, "x"),))
        )
        return registry


async def ledger_rows(bot: StudyBot, reason: str = "fault") -> int:
    async with bot.sessions() as session:
        return await session.scalar(select(func.count()).select_from(PointEvent).where(PointEvent.reason == reason))


@asynccontextmanager
async def named_engine(bot: StudyBot) -> AsyncIterator[tuple[AsyncEngine, str]]:
    """A second engine on the bot's PostgreSQL schema whose connections carry a unique application name."""
    async with bot.engine.connect() as conn:
        schema = await conn.scalar(text("SELECT current_schema()"))
    name = f"studybot-test-{uuid.uuid4().hex[:10]}"
    engine = create_engine(
        postgres_url() or "",
        connect_args={"server_settings": {"search_path": schema, "application_name": name}},
    )
    try:
        yield engine, name
    finally:
        await engine.dispose()


async def terminate(*, pid: int | None = None, application_name: str | None = None) -> int:
    """End our own server connections, as a server restart would; never anyone else's."""
    assert pid or application_name
    admin = create_engine(postgres_url() or "", pool_size=1, max_overflow=0)
    try:
        async with admin.begin() as conn:
            where = "pid = :pid" if pid else "application_name = :name"
            rows = await conn.execute(
                text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {where}"),
                {"pid": pid, "name": application_name},
            )
            return len(rows.all())
    finally:
        await admin.dispose()


async def terminate_own_connection(ctx: Context, _call: int) -> None:
    pid = await ctx.session.scalar(text("SELECT pg_backend_pid()"))
    assert await terminate(pid=pid) == 1
