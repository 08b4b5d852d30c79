"""`studybot console` killed with SIGKILL in the middle of a stream of commands leaves a consistent database,
and the next start serves as before. For real, with a subprocess, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import StudyBot
from bot.content import Content
from bot.context import Caller
from bot.replies import Tone
from bot.settings import Settings
from bot.storage.engine import create_engine
from bot.storage.migrate import upgrade
from tests.databases import backends, postgres_url
from tests.driver import FakeClock
from tests.reliability.invariants import check_awards_match_progress, check_stored_data

KILL_AFTER = (7, 40, 151)  # replies seen before the kill: early, middle, late
COMMUNITIES, DAYS = 12, 6  # scheduled posts: one a day in each community


def _script(content: Content) -> str:
    """Many state changes: done, skip, undo, start over every topic, round and round."""
    lines = []
    rounds = 2 * max(KILL_AFTER) // len(content.topics) + 2  # far more than is read before the kill
    for round_ in range(rounds):
        for topic in content.topics:
            verb = ("done", "undo", "skip", "done", "start")[(round_ + topic.index) % 5]
            lines.append(f"/roadmap {verb} {topic.id}")
        lines.append("/roadmap progress")
    return "\n".join(lines) + "\n"


async def _run_and_kill(url: str, cwd: Path, script: str, kill_after: int) -> int:
    """Start the console, feed it the script, SIGKILL it once `kill_after` replies were printed; replies seen."""
    # Unbuffered, so replies stream out as each command finishes.
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1", "RATE_LIMIT_PER_MINUTE": "10000"}
    env.pop("LOG_LEVEL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "console", "--user", "ada",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        env=env, cwd=cwd,
    )  # fmt: skip
    assert proc.stdin and proc.stdout

    async def feed() -> None:
        try:
            proc.stdin.write(script.encode())  # type: ignore[union-attr]
            await proc.stdin.drain()  # type: ignore[union-attr]
        except (BrokenPipeError, ConnectionResetError):
            pass

    feeding = asyncio.create_task(feed())
    seen = 0
    try:
        async with asyncio.timeout(120):
            while seen < kill_after:
                line = await proc.stdout.readline()
                assert line, "the console stopped before it was killed"
                # Every reply to a state change is one of these; count them as they stream out.
                if line.startswith((b"Done:", b"Skipped:", b"Undone:", b"Learning ")) or b"is already" in line:
                    seen += 1
            proc.send_signal(signal.SIGKILL)
            assert await proc.wait() == -signal.SIGKILL
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        feeding.cancel()
    return seen


async def _check(url: str, content: Content) -> None:
    engine = create_engine(url)
    bot = StudyBot(Settings(_env_file=None, database_url=url), content, engine, clock=FakeClock())  # type: ignore[call-arg]
    try:
        await check_stored_data(bot)
        await check_awards_match_progress(bot)
    finally:
        await bot.close()


async def _serves_again(url: str, cwd: Path) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("LOG_LEVEL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "console", "--user", "ada",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=env, cwd=cwd,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(b"/roadmap progress\n"), 60)
    assert proc.returncode == 0, err.decode()
    return out.decode()


@asynccontextmanager
async def _database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database URL the subprocess can open: a file, or a database of its own on the PostgreSQL server."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'killed.db'}"
        return
    server = make_url(postgres_url() or "")
    name = f"studybot_kill_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, pool_size=1, max_overflow=0, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.mark.parametrize("backend", backends())
async def test_sigkill_during_commands_leaves_the_database_consistent(
    backend: str, tmp_path: Path, content: Content
) -> None:
    script = _script(content)
    async with _database(backend, tmp_path) as url:
        for kill_after in KILL_AFTER:
            assert await _run_and_kill(url, tmp_path, script, kill_after) == kill_after
            if backend == "sqlite":
                path = make_url(url).database or ""
                with sqlite3.connect(path) as db:  # recovers the write-ahead log left by the killed process
                    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
            await _check(url, content)
        assert "topics" in await _serves_again(url, tmp_path)


async def test_sigkill_during_scheduled_posts_posts_nothing_twice(tmp_path: Path, content: Content) -> None:
    """`studybot schedule run` killed between posts: the database stays consistent, and the next run posts
    what is left without posting anything a second time."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'scheduled.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    settings = Settings(_env_file=None, database_url=url, rate_limit_per_minute=10_000)  # type: ignore[call-arg]
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    bot = StudyBot(settings, content, engine, clock=FakeClock(start))
    try:
        for n in range(COMMUNITIES):
            moderator = Caller("console", f"c{n}", "mo", "Mo", channel_id="general", is_admin=True)
            reply = await bot.run_line(moderator, "/schedule set daily-topic 09:00 UTC")
            assert reply.tone is not Tone.ERROR, reply.text
    finally:
        await bot.close()
    at = (start + timedelta(days=DAYS)).isoformat()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONUNBUFFERED": "1",
        "SCHEDULE_GRACE_MINUTES": str(DAYS * 24 * 60),  # every occurrence is still worth posting
    }
    env.pop("LOG_LEVEL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "schedule", "run", "--at", at,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.stdout
    first_run: list[bytes] = []
    async with asyncio.timeout(120):
        while len([line for line in first_run if b"posted to #" in line]) < 25:
            line = await proc.stdout.readline()
            assert line, "the run finished before it was killed"
            first_run.append(line)
        proc.send_signal(signal.SIGKILL)
        assert await proc.wait() == -signal.SIGKILL
    with sqlite3.connect(tmp_path / "scheduled.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    await _check(url, content)

    second = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "schedule", "run", "--at", at,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=tmp_path,
    )  # fmt: skip
    out, err = await asyncio.wait_for(second.communicate(), 120)
    assert second.returncode in (0, 1), err.decode()

    def posts(lines: list[bytes]) -> list[bytes]:
        """Each post as the console printed it: the channel line and the title after it."""
        return [lines[i + 1] for i, line in enumerate(lines[:-1]) if b"posted to #" in line]

    shown = posts(first_run) + posts(out.splitlines(keepends=True))
    assert len(shown) > 25
    with sqlite3.connect(tmp_path / "scheduled.db") as db:
        runs = db.execute("SELECT community_id, kind, occurrence_at, status FROM schedule_runs").fetchall()
    assert len(runs) == len({r[:3] for r in runs})  # each occurrence claimed once
    sent = [r for r in runs if r[3] == "sent"]
    interrupted = [r for r in runs if r[3] in ("claimed", "abandoned")]  # the kill came between post and record
    assert {r[3] for r in runs} <= {"sent", "claimed", "abandoned", "skipped", "empty"}, runs
    # Every post comes from its own claim: nothing was posted twice. Posts the kill interrupted are not repeated.
    assert len(sent) <= len(shown) <= len(sent) + len(interrupted)
    assert len(sent) + len(interrupted) == COMMUNITIES * DAYS
    await _check(url, content)
