"""The database goes away for a moment: commands answer "please try again" in words, and the next command works
without a restart. SQLite is locked by another process; PostgreSQL connections are cut as a restart cuts them."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.util import await_only

from bot.app import StudyBot
from bot.content import Content
from bot.context import Caller, Context
from bot.replies import Tone
from bot.settings import Settings
from bot.storage.engine import create_engine
from bot.storage.migrate import upgrade
from tests.databases import backends
from tests.driver import Chat, FakeClock
from tests.reliability.faults import (
    FaultyCommand,
    ledger_rows,
    named_engine,
    terminate,
    terminate_own_connection,
)
from tests.reliability.invariants import check_stored_data

POSTGRES_ONLY = [b for b in backends() if getattr(b, "values", (b,))[0] == "postgresql"]
CALLER = Caller(platform="test", community_id="c1", user_id="ada", display_name="Ada", channel_id="general")


def _try_again(reply_text: str) -> bool:
    return "please try again" in reply_text and "Nothing was changed" in reply_text


# ---- SQLite: another process holds the write lock ---------------------------------------------------------


async def _sqlite_bot(path: Path, content: Content, busy_timeout_ms: int) -> StudyBot:
    engine = create_engine(f"sqlite+aiosqlite:///{path}", busy_timeout_ms=busy_timeout_ms)
    await upgrade(engine)
    settings = Settings(_env_file=None, database_url=str(engine.url))  # type: ignore[call-arg]
    return StudyBot(settings, content, engine, clock=FakeClock())


def _lock(path: Path) -> sqlite3.Connection:
    """Another process's connection holding the database's write lock until it is closed."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


async def test_sqlite_locked_longer_than_the_busy_timeout_asks_to_try_again(tmp_path: Path, content: Content) -> None:
    path = tmp_path / "locked.db"
    bot = await _sqlite_bot(path, content, busy_timeout_ms=200)
    chat = Chat(bot, CALLER)
    try:
        await chat("/roadmap next")
        holder = _lock(path)
        try:
            refused = await chat("/roadmap done")
            assert refused.tone is Tone.ERROR and _try_again(refused.text)
        finally:
            holder.rollback()
            holder.close()
        done = await chat("/roadmap done")  # the same bot, no restart
        assert done.tone is Tone.SUCCESS and "+10 points" in done.text
        await check_stored_data(bot)
    finally:
        await bot.close()


async def test_sqlite_locked_for_less_than_the_busy_timeout_just_waits(tmp_path: Path, content: Content) -> None:
    path = tmp_path / "busy.db"
    bot = await _sqlite_bot(path, content, busy_timeout_ms=15_000)
    chat = Chat(bot, CALLER, timeout=30)
    try:
        await chat("/roadmap next")
        holder = _lock(path)
        try:
            waiting = asyncio.create_task(chat("/roadmap done"))
            finished, _ = await asyncio.wait({waiting}, timeout=0.5)
            assert not finished  # it cannot finish while the lock is held: it waits, it does not fail
        finally:
            holder.rollback()
            holder.close()
        assert (await waiting).tone is Tone.SUCCESS
    finally:
        await bot.close()


# ---- PostgreSQL: the bot's connections are cut, as a server restart cuts them ------------------------------


@pytest.mark.parametrize("backend", POSTGRES_ONLY)
async def test_postgres_restart_between_commands_costs_nothing(bot: StudyBot) -> None:
    async with named_engine(bot) as (engine, name):
        restarted = StudyBot(bot.settings, bot.content, engine, clock=bot.clock)
        chat = Chat(restarted, CALLER)
        await chat("/roadmap next")
        assert await terminate(application_name=name) >= 1  # every idle connection in the pool is gone
        done = await chat("/roadmap done")
        assert done.tone is Tone.SUCCESS, done.text
        await check_stored_data(restarted)


@pytest.mark.parametrize("backend", POSTGRES_ONLY)
async def test_connection_cut_in_the_middle_of_a_command_runs_it_once_more(bot: StudyBot) -> None:
    faulty = FaultyCommand()
    faulty.hook = lambda ctx, call: terminate_own_connection(ctx, call) if call == 1 else asyncio.sleep(0)
    chat = Chat(StudyBot(bot.settings, bot.content, bot.engine, registry=faulty.registry()), CALLER)
    reply = await chat("/fault write r1")
    assert reply.tone is Tone.SUCCESS and reply.text == "written r1"
    assert faulty.calls == 2  # the first attempt was rolled back by the server, the second one counted
    assert await ledger_rows(chat.bot) == 1
    await check_stored_data(chat.bot)


@pytest.mark.parametrize("backend", POSTGRES_ONLY)
async def test_connection_cut_twice_asks_to_try_again_and_the_next_command_works(bot: StudyBot) -> None:
    faulty = FaultyCommand()
    faulty.hook = terminate_own_connection
    chat = Chat(StudyBot(bot.settings, bot.content, bot.engine, registry=faulty.registry()), CALLER)
    refused = await chat("/fault write r1")
    assert refused.tone is Tone.ERROR and _try_again(refused.text)
    assert faulty.calls == 2 and await ledger_rows(chat.bot) == 0
    faulty.hook = None
    assert (await chat("/fault write r2")).tone is Tone.SUCCESS
    assert (await chat("/roadmap next")).tone is not Tone.ERROR
    assert await ledger_rows(chat.bot) == 1


@pytest.mark.parametrize("backend", POSTGRES_ONLY)
async def test_connection_cut_while_committing_is_never_repeated(bot: StudyBot) -> None:
    faulty = FaultyCommand()

    async def cut_at_commit(ctx: Context, _call: int) -> None:
        from sqlalchemy import text

        pid = await ctx.session.scalar(text("SELECT pg_backend_pid()"))
        event.listen(ctx.session.sync_session, "before_commit", lambda _s: await_only(terminate(pid=pid)), once=True)

    faulty.hook = cut_at_commit
    chat = Chat(StudyBot(bot.settings, bot.content, bot.engine, registry=faulty.registry()), CALLER)
    reply = await chat("/fault write r1")
    assert reply.tone is Tone.ERROR and "cannot tell whether that was saved" in reply.text
    assert faulty.calls == 1  # whether a commit landed is unknown: it is not run twice
    faulty.hook = None
    assert (await chat("/fault write r2")).tone is Tone.SUCCESS
    await check_stored_data(chat.bot)
