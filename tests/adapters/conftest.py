from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import StudyBot
from tests.adapters.slack_rig import SlackRig, slack_rig


@pytest.fixture
async def slack(bot: StudyBot) -> AsyncIterator[SlackRig]:
    """The real bolt app (HTTP mode, ephemeral port) on the core, talking to a stand-in Slack."""
    async with slack_rig(bot) as rig:
        yield rig
