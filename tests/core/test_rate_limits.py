"""Per-member rate limits on commands that change state, with the clock moved by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.rate_limits import PRUNE_AT, RateLimiter
from bot.replies import Tone
from tests.core.community import points_of
from tests.driver import Chat, FakeClock


async def test_a_member_who_changes_too_fast_is_asked_to_slow_down(chat: Chat, clock: FakeClock) -> None:
    chat.bot.settings.rate_limit_per_minute = 3
    for _ in range(3):
        assert (await chat("/roadmap done")).tone is Tone.SUCCESS
        clock.advance(seconds=1)
    slow = await chat("/roadmap done")
    assert slow.tone is Tone.ERROR
    assert slow.text == (
        "Slow down: you can change things at most 3 times a minute. Try again in 57 seconds. Nothing was changed."
    )
    assert await points_of(chat.bot, "ada") == 30
    assert (await chat("/roadmap progress")).tone is not Tone.ERROR  # reading is never limited
    assert (await chat.as_user("bob")("/roadmap done")).tone is Tone.SUCCESS  # the limit is per member
    clock.advance(seconds=56)
    assert "Try again in 1 second." in (await chat("/roadmap skip")).text
    clock.advance(seconds=1)
    assert (await chat("/roadmap done")).tone is Tone.SUCCESS
    assert await points_of(chat.bot, "ada") == 40


async def test_members_of_other_communities_have_their_own_limits(chat: Chat) -> None:
    chat.bot.settings.rate_limit_per_minute = 1
    assert (await chat("/roadmap done")).tone is Tone.SUCCESS
    assert (await chat("/roadmap done")).tone is Tone.ERROR
    assert (await chat.in_community("c2")("/roadmap done")).tone is Tone.SUCCESS


def test_quiet_members_are_forgotten_once_many_are_tracked() -> None:
    limiter = RateLimiter()
    start = datetime(2026, 11, 23, tzinfo=UTC)
    for n in range(PRUNE_AT):
        assert limiter.hit(("test", "c", f"u{n}"), start, 5) is None
    later = start + timedelta(minutes=2)
    assert limiter.hit(("test", "c", "newcomer"), later, 5) is None
    assert len(limiter._hits) == 1
