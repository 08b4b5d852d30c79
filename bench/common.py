"""What every benchmark shares: percentiles, temporary databases, and a bot wired for measuring."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.app import StudyBot
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# A fixed instant keeps runs comparable: every command of a run falls on the same local day.
BENCH_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by the nearest-rank method: always one of the measured values."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


@contextlib.contextmanager
def quiet_logging(*names: str) -> Iterator[None]:
    """WARNING and above only on the root logger and `names`: the bot logs every command, and that I/O is not
    what is being measured."""
    loggers = [logging.getLogger(name) for name in ("", "bot", "adapters", "aiosqlite", "sqlalchemy", *names)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def settings_for(url: str) -> Settings:
    """Settings for a measured bot: no `.env`, and a rate limit that never throttles the load we generate."""
    return Settings(_env_file=None, database_url=url, rate_limit_per_minute=10_000)  # type: ignore[call-arg]


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL as a plain DSN asyncpg accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def temp_sqlite() -> AsyncIterator[str]:
    """A SQLite database in a fresh temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="studybot-bench-") as folder:
        yield sqlite_url(Path(folder) / "bench.db")


@asynccontextmanager
async def temp_postgres(server_url: str) -> AsyncIterator[str]:
    """A new database on the server of `server_url`, dropped afterwards, so runs never share data."""
    import asyncpg

    name = f"studybot_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(asyncpg_dsn(server_url))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@asynccontextmanager
async def temp_database(postgres: str | None) -> AsyncIterator[str]:
    """A temporary PostgreSQL database when a server URL is given, else a temporary SQLite file."""
    if postgres:
        async with temp_postgres(postgres) as url:
            yield url
    else:
        async with temp_sqlite() as url:
            yield url


async def migrated_bot(url: str, *, now: datetime = BENCH_NOW) -> StudyBot:
    """A core on `url` with its schema at head, whose clock stands still at `now`."""
    return await StudyBot.create(settings_for(url), clock=lambda: now)


async def run_child(module: str, *args: str) -> dict[str, Any]:
    """Run `python -m module args…` from the checkout and return the JSON object its last line prints.

    Each big load runs in its own process: its peak memory is its own, and no earlier measurement's leftovers
    (objects for the garbage collector to walk, threads, caches) slow it down.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{module} failed: {err.decode()[-1000:]}")
    return json.loads(out.decode().strip().splitlines()[-1])
