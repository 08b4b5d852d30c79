from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import StudyBot
from bot.feeds import FeedReader
from bot.scheduler.service import SchedulerService
from tests.driver import Chat
from tests.scheduler.recording import RecordingPoster, Sleeps


@pytest.fixture
def poster(bot: StudyBot) -> RecordingPoster:
    found = RecordingPoster()
    bot.posters[found.platform] = found
    return found


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def service(bot: StudyBot, poster: RecordingPoster, sleeps: Sleeps) -> SchedulerService:
    return SchedulerService(bot, reader=FeedReader(allow_private=True, timeout=5), sleep=sleeps, owner="test-1")


@pytest.fixture
def mod(chat: Chat) -> Chat:
    return chat.as_user("mod", name="Mod", moderator=True)


def in_channel(chat: Chat, channel: str) -> Chat:
    return replace(chat, caller=replace(chat.caller, channel_id=channel))
