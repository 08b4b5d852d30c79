"""A short way to drive the core in tests: `reply = await chat("/roadmap next")`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.app import StudyBot
from bot.context import Caller
from bot.replies import Reply


class FakeClock:
    """A clock tests move by hand; it never sleeps."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class Chat:
    bot: StudyBot
    caller: Caller
    timeout: float = 10.0

    async def __call__(self, line: str) -> Reply:
        return await asyncio.wait_for(self.bot.run_line(self.caller, line), self.timeout)

    def as_user(self, user_id: str, *, name: str | None = None, moderator: bool = False) -> Chat:
        return replace(
            self,
            caller=replace(self.caller, user_id=user_id, display_name=name or user_id, is_admin=moderator),
        )

    def in_community(self, community_id: str) -> Chat:
        return replace(self, caller=replace(self.caller, community_id=community_id, community_name=community_id))


def text_of(reply: Reply) -> str:
    return reply.plain_text()
