"""Claiming platform deliveries once, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.app import StudyBot
from bot.deliveries import claim_event
from bot.storage.delivery_models import HandledEvent
from tests.driver import FakeClock


async def test_an_event_is_claimed_once_per_platform(bot: StudyBot, clock: FakeClock) -> None:
    assert await claim_event(bot.sessions, "slack", "Ev1", clock()) is True
    assert await claim_event(bot.sessions, "slack", "Ev1", clock()) is False
    assert await claim_event(bot.sessions, "discord", "Ev1", clock()) is True


async def test_concurrent_claims_have_exactly_one_winner(bot: StudyBot, clock: FakeClock) -> None:
    results = await asyncio.gather(*(claim_event(bot.sessions, "slack", "Ev2", clock()) for _ in range(6)))
    assert results.count(True) == 1


async def test_claims_older_than_the_retry_window_are_pruned(bot: StudyBot, clock: FakeClock) -> None:
    await claim_event(bot.sessions, "slack", "Ev3", clock())
    clock.advance(hours=2)
    await claim_event(bot.sessions, "slack", "Ev4", clock())
    async with bot.sessions() as session:
        assert (await session.scalars(select(HandledEvent.event_id))).all() == ["Ev4"]


async def test_an_overlong_event_id_is_cut_not_refused(bot: StudyBot, clock: FakeClock) -> None:
    long_id = "E" * 500
    assert await claim_event(bot.sessions, "slack", long_id, clock()) is True
    assert await claim_event(bot.sessions, "slack", long_id, clock()) is False
