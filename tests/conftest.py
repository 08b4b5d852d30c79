from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import StudyBot
from bot.content import Content, load_content
from bot.context import Caller
from bot.settings import DEFAULT_CONTENT_DIR, Settings
from tests.databases import backends, fresh_engine
from tests.driver import Chat, FakeClock


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(DEFAULT_CONTENT_DIR)


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def bot(backend: str, tmp_path: Path, content: Content, clock: FakeClock) -> AsyncIterator[StudyBot]:
    async with fresh_engine(backend, tmp_path) as engine:
        settings = Settings(_env_file=None, database_url=str(engine.url))  # type: ignore[call-arg]
        yield StudyBot(settings, content, engine, clock=clock)


@pytest.fixture
def chat(bot: StudyBot) -> Chat:
    caller = Caller(
        platform="test",
        community_id="c1",
        community_name="Test community",
        user_id="ada",
        display_name="Ada",
        channel_id="general",
    )
    return Chat(bot, caller)
