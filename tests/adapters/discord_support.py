"""Running the real `adapters.discord.run` against the stand-in Discord, for the Discord adapter tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.discord import run
from bot.app import StudyBot
from bot.context import Caller
from bot.settings import Settings
from tests.standins.discord_server import (
    ADMINISTRATOR,
    MANAGE_SERVER,
    MEMBER_PERMISSIONS,
    WAIT,
    Channel,
    DiscordStandIn,
    Guild,
    Person,
)

# Guild ids are chosen so that with two shards GUILD lives on shard 0 and OTHER on shard 1: (id >> 22) % 2.
GUILD = Guild(
    str(100 << 22),
    "Backend learners",
    channels=(
        Channel("200000000000000001", "general"),
        Channel("200000000000000002", "announcements"),
        Channel("200000000000000003", "voice", type=2),
    ),
    roles=(("300000000000000001", "Mentors"),),
)
OTHER = Guild(str(101 << 22), "Another server", channels=(Channel("200000000000000099", "elsewhere"),))
GENERAL, ANNOUNCEMENTS = GUILD.channels[0], GUILD.channels[1]
ADA = Person("400000000000000001", "Ada")
BOB = Person("400000000000000002", "Bob")
GRACE = Person("400000000000000003", "Grace", permissions=MEMBER_PERMISSIONS | MANAGE_SERVER)
LINUS = Person("400000000000000004", "Linus", permissions=MEMBER_PERMISSIONS | ADMINISTRATOR)
MENTOR = Person("400000000000000005", "Margaret", roles=("300000000000000001",))
NO_MENTIONS = {"parse": []}


@pytest.fixture
async def discord_server() -> AsyncIterator[DiscordStandIn]:
    server = DiscordStandIn((GUILD, OTHER))
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def discord_settings(bot: StudyBot, server: DiscordStandIn, **overrides: Any) -> Settings:
    """The bot's settings pointed at the stand-in, as DISCORD_* environment variables would."""
    return bot.settings.model_copy(
        update={
            "discord_token": SecretStr(server.token),
            "discord_api_base_url": server.api_url,
            "discord_gateway_url": server.gateway_url,
            **overrides,
        }
    )


async def until(condition: Callable[[], bool], task: asyncio.Task[Any] | None = None) -> None:
    """Poll (bounded by WAIT) for a side effect outside the stand-in; fail at once if `task` died."""
    async with asyncio.timeout(WAIT):
        while not condition():
            if task is not None and task.done():
                task.result()
                raise AssertionError("the Discord adapter stopped")
            await asyncio.sleep(0.01)


class Running:
    """One `adapters.discord.run(bot, settings)` task, started and stopped by a test."""

    def __init__(self, bot: StudyBot, task: asyncio.Task[None]) -> None:
        self.bot = bot
        self.task = task

    @property
    def poster(self) -> Any:
        return self.bot.posters["discord"]

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def start(bot: StudyBot, server: DiscordStandIn, *, defer_after: float = 2.0, **overrides: Any) -> Running:
    """Run the adapter until it has announced its poster (it is then connected and its commands synced)."""
    before = bot.posters.get("discord")
    settings = discord_settings(bot, server, **overrides)
    task = asyncio.create_task(run(bot, settings, defer_after=defer_after, ready_timeout=0.05))
    await until(lambda: bot.posters.get("discord") not in (None, before), task)
    return Running(bot, task)


@pytest.fixture
async def discord(bot: StudyBot, discord_server: DiscordStandIn) -> AsyncIterator[DiscordStandIn]:
    """The stand-in with the bot connected to it."""
    running = await start(bot, discord_server)
    try:
        yield discord_server
    finally:
        await running.stop()


def caller(person: Person, guild: Guild = GUILD) -> Caller:
    """The core's view of `person` in `guild`, to check what a Discord command changed."""
    return Caller(
        platform="discord",
        community_id=guild.id,
        user_id=person.id,
        display_name=person.name,
        channel_id=guild.channels[0].id,
        is_admin=bool(person.permissions & (MANAGE_SERVER | ADMINISTRATOR)),
        roles=person.roles,
    )
