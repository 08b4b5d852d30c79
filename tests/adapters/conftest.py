"""Fixtures of the adapter tests: the Slack rig and the stand-in Discord."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.app import StudyBot
from tests.adapters.discord_support import discord, discord_server
from tests.adapters.extra_commands import extra_registry
from tests.adapters.slack_rig import SlackRig, slack_rig

__all__ = ["discord", "discord_server"]


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Failures a user can cause are warnings and words; an ERROR record means something escaped a handler."""
    with caplog.at_level(logging.WARNING):
        yield
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors


@pytest.fixture
async def slack(bot: StudyBot, no_errors_logged: None) -> AsyncIterator[SlackRig]:
    """The real bolt app (HTTP mode, ephemeral port) on the core, talking to a stand-in Slack."""
    async with slack_rig(bot) as rig:
        yield rig


@pytest.fixture
async def slack_extra(bot: StudyBot, no_errors_logged: None) -> AsyncIterator[SlackRig]:
    """As `slack`, with extra commands for posts, forms of every input kind, images, long and slow replies."""
    extended = StudyBot(bot.settings, bot.content, bot.engine, clock=bot.clock, registry=extra_registry())
    async with slack_rig(extended) as rig:
        yield rig
