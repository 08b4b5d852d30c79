"""A bot on a fresh database driven from synchronous code, so hypothesis can choose settings per backend."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from bot.app import StudyBot
from bot.content import Content
from bot.settings import Settings
from tests.databases import fresh_engine
from tests.driver import FakeClock

T = TypeVar("T")


class SyncBot:
    """A StudyBot and the event loop it lives on; `call` runs one coroutine to completion."""

    def __init__(self, runner: asyncio.Runner, bot: StudyBot) -> None:
        self.runner = runner
        self.bot = bot

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return self.runner.run(asyncio.wait_for(coro, timeout))


@contextmanager
def sync_bot(backend: str, tmp_path: Path, content: Content, **bot_kwargs: Any) -> Iterator[SyncBot]:
    with asyncio.Runner() as runner:
        databases = fresh_engine(backend, tmp_path)
        engine = runner.run(databases.__aenter__())
        try:
            # No pace limit: every example should reach the command, not a "slow down" refusal.
            settings = Settings(_env_file=None, database_url=str(engine.url), rate_limit_per_minute=10_000)  # type: ignore[call-arg]
            yield SyncBot(runner, StudyBot(settings, content, engine, clock=FakeClock(), **bot_kwargs))
        finally:
            runner.run(databases.__aexit__(None, None, None))
