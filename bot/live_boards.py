"""Live leaderboards: a pinned message per channel that the bot edits when the standings change.

Changes are coalesced: the first change in a community starts a short wait, later ones join it, and then one
refresh edits every pinned board of that community whose content actually changed. The wait runs on a
`Timer`, so tests fire it by hand instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import leaderboard
from bot.context import Caller
from bot.registry import Command
from bot.replies import Reply
from bot.storage.challenge_models import LeaderboardPin
from bot.storage.models import Community

if TYPE_CHECKING:
    from datetime import datetime

    from bot.app import StudyBot

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 10.0
AUTO = "auto"  # a pinned board without a period follows the default: the season while one runs, else all-time


class Timer(Protocol):
    def call_later(self, delay: float, callback: Callable[[], Awaitable[object]]) -> None:
        """Run `callback` once, `delay` seconds from now."""
        ...

    async def close(self) -> None:
        """Drop everything still waiting."""
        ...


class LoopTimer:
    """The running event loop's timer."""

    def __init__(self) -> None:
        self._handles: set[asyncio.TimerHandle] = set()
        self._tasks: set[asyncio.Task[object]] = set()

    def call_later(self, delay: float, callback: Callable[[], Awaitable[object]]) -> None:
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._handles.discard(handle)
            task = loop.create_task(callback())  # type: ignore[arg-type]
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        handle = loop.call_later(delay, fire)
        self._handles.add(handle)

    async def close(self) -> None:
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def pinned_reply(session: AsyncSession, community: Community, period: str, now: datetime) -> Reply:
    """What a pinned leaderboard shows right now."""
    chosen = await leaderboard.default_period(session, community) if period == AUTO else leaderboard.Period(period)
    if chosen is leaderboard.Period.SEASON and await leaderboard.running_season(session, community) is None:
        chosen = leaderboard.Period.ALL  # the season it followed has ended
    board = await leaderboard.board(session, community, chosen, now)
    return leaderboard.render(board, public=True, footer="Updated live · `/leaderboard` for your own rank")


class LiveBoards:
    """Keeps every pinned leaderboard up to date; one per bot."""

    def __init__(self, bot: StudyBot, *, timer: Timer | None = None, delay: float = DEBOUNCE_SECONDS) -> None:
        self.bot = bot
        self.timer: Timer = timer or LoopTimer()
        self.delay = delay
        self._waiting: set[tuple[str, str]] = set()
        # What each pin (by id) shows, so an unchanged board is not edited again.
        self.shown: dict[int, Reply] = {}

    async def after_command(self, caller: Caller, command: Command, reply: Reply) -> None:
        if command.writes and not caller.in_dm:
            self.changed(caller.platform, caller.community_id)

    def changed(self, platform: str, community_external_id: str) -> None:
        """The standings of this community may have changed: refresh its pinned boards soon."""
        if platform not in self.bot.posters:
            return  # nothing could be edited
        key = (platform, community_external_id)
        if key in self._waiting:
            return  # the refresh already waiting will show this change too
        self._waiting.add(key)
        self.timer.call_later(self.delay, lambda: self.refresh(platform, community_external_id))

    async def refresh(self, platform: str, community_external_id: str) -> int:
        """Edit this community's pinned boards that changed; return how many were edited."""
        self._waiting.discard((platform, community_external_id))
        poster = self.bot.posters.get(platform)
        if poster is None:
            return 0
        async with self.bot.sessions() as session, session.begin():
            community = await session.scalar(
                select(Community).where(Community.platform == platform, Community.external_id == community_external_id)
            )
            if community is None:
                return 0
            pins = list(
                await session.scalars(select(LeaderboardPin).where(LeaderboardPin.community_id == community.id))
            )
            now = self.bot.clock()
            boards = [(pin, await pinned_reply(session, community, pin.period, now)) for pin in pins]
        edited = 0
        for pin, reply in boards:
            if self.shown.get(pin.id) == reply:
                continue
            result = await poster.edit(community_external_id, pin.channel_id, pin.message_id, reply)
            if result.ok:
                self.shown[pin.id] = reply
                edited += 1
            else:
                log.warning(
                    "could not update a pinned leaderboard: %s",
                    result.error or "unknown error",
                    extra={"community": community_external_id, "channel": pin.channel_id},
                )
        return edited

    async def close(self) -> None:
        self._waiting.clear()
        await self.timer.close()
