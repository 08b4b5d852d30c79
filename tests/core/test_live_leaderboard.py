"""The live leaderboard through the console adapter: pinned once, then edited in place, debounced."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter
from bot.app import StudyBot
from bot.content import Content
from bot.outbound import PostResult
from bot.replies import Reply, Tone
from bot.settings import Settings
from bot.storage.challenge_models import AuditEntry, LeaderboardPin
from tests.core.community import count
from tests.databases import fresh_engine
from tests.driver import FakeClock


class ManualTimer:
    """Holds the debounced refreshes until the test fires them: no sleeping, no real time."""

    def __init__(self) -> None:
        self.waiting: list[tuple[float, Callable[[], Awaitable[object]]]] = []

    def call_later(self, delay: float, callback: Callable[[], Awaitable[object]]) -> None:
        self.waiting.append((delay, callback))

    async def fire(self) -> None:
        waiting, self.waiting = self.waiting, []
        for _delay, callback in waiting:
            await callback()

    async def close(self) -> None:
        self.waiting.clear()


@pytest.fixture
def timer() -> ManualTimer:
    return ManualTimer()


@pytest.fixture
async def live_bot(
    backend: str, tmp_path: Path, content: Content, clock: FakeClock, timer: ManualTimer
) -> AsyncIterator[StudyBot]:
    async with fresh_engine(backend, tmp_path) as engine:
        settings = Settings(_env_file=None, database_url=str(engine.url))  # type: ignore[call-arg]
        bot = StudyBot(settings, content, engine, clock=clock, timer=timer)
        yield bot
        await bot.live_boards.close()


def console(bot: StudyBot, user: str, *, moderator: bool = False, channel: str = "general") -> ConsoleAdapter:
    return ConsoleAdapter(bot, user=user, community="club", moderator=moderator, channel=channel, out=io.StringIO())


def output(adapter: ConsoleAdapter) -> str:
    return adapter.console.file.getvalue()  # type: ignore[attr-defined]


async def test_a_pinned_leaderboard_is_edited_in_place_once_per_burst_of_changes(
    live_bot: StudyBot, timer: ManualTimer
) -> None:
    mia = console(live_bot, "mia", moderator=True)
    ada, bob = console(live_bot, "ada"), console(live_bot, "bob")
    await live_bot.attach_poster(mia)
    await ada.handle("/roadmap done")
    await timer.fire()  # no board is pinned yet: nothing to edit

    pinned = await mia.handle("/leaderboard pin")
    assert pinned is not None and pinned.tone is Tone.SUCCESS
    assert "console://club/general/1" in pinned.text
    shown = output(mia)
    assert "── posted to #general ──" in shown and "1. ada — 10 points" in shown
    assert await count(live_bot, LeaderboardPin) == 1
    await timer.fire()  # the pin itself changed no standing: no edit
    assert "updated" not in output(mia)

    await ada.handle("/roadmap done")
    await bob.handle("/roadmap done")
    await ada.handle("/roadmap done")
    assert len(timer.waiting) == 1  # three changes, one refresh waiting
    assert timer.waiting[0][0] == live_bot.live_boards.delay
    await timer.fire()
    after = output(mia)
    assert after.count("── message 1 in #general updated ──") == 1
    edited = after.split("── message 1 in #general updated ──")[1]
    assert "1. ada — 30 points" in edited and "2. bob — 10 points" in edited

    await ada.handle("/roadmap progress")  # reads change nothing and schedule nothing
    assert timer.waiting == []


async def test_one_board_per_channel_and_each_follows_the_season(
    live_bot: StudyBot, timer: ManualTimer, clock: FakeClock
) -> None:
    mia = console(live_bot, "mia", moderator=True)
    in_wins = console(live_bot, "mia", moderator=True, channel="wins")
    await live_bot.attach_poster(mia)
    await console(live_bot, "ada").handle("/roadmap done")
    await mia.handle("/leaderboard pin")
    await mia.handle("/leaderboard pin")  # pinning again here replaces the first
    await in_wins.handle("/leaderboard pin week")
    assert await count(live_bot, LeaderboardPin) == 2
    await timer.fire()
    clock.advance(minutes=1)
    await mia.handle("/leaderboard season start Winter")
    await timer.fire()
    shown = output(mia)
    season_edit = shown.split("── message 2 in #general updated ──")[1]
    assert "Leaderboard · season Winter" in season_edit and "No points yet" in season_edit
    assert "message 3 in #wins updated" not in shown  # the week board did not change
    assert await count(live_bot, AuditEntry) == 4  # three pins and a season


@dataclass
class RefusingPoster:
    """A platform that will not let the bot post (missing permission)."""

    platform: str = "console"
    calls: list[str] = field(default_factory=list)

    async def post(
        self, community_id: str, channel_id: str, reply: Reply, *, ping_everyone: bool = False
    ) -> PostResult:
        self.calls.append(channel_id)
        return PostResult(ok=False, error="the bot may not post in this channel")

    async def edit(self, community_id: str, channel_id: str, message_id: str, reply: Reply) -> PostResult:
        return PostResult(ok=False, error="unknown message")


async def test_a_pin_the_platform_refuses_is_reported_and_not_stored(live_bot: StudyBot) -> None:
    poster = RefusingPoster()
    await live_bot.attach_poster(poster)
    reply = await console(live_bot, "mia", moderator=True).handle("/leaderboard pin")
    assert reply is not None and reply.tone is Tone.ERROR
    assert "may not post in this channel" in reply.text
    assert poster.calls == ["general"]
    assert await count(live_bot, LeaderboardPin) == 0
    assert await count(live_bot, AuditEntry) == 0


async def test_pinning_needs_a_platform_that_can_post(live_bot: StudyBot) -> None:
    reply = await console(live_bot, "mia", moderator=True).handle("/leaderboard pin")
    assert reply is not None and reply.tone is Tone.ERROR and "cannot yet" in reply.text
