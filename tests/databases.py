"""Test databases: a fresh SQLite file, or a fresh schema on the real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.engine import create_engine
from bot.storage.migrate import upgrade

PG_ENV = "STUDYBOT_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def backends() -> list[object]:
    """The database backends every storage test runs on; PostgreSQL is skipped, visibly, when not configured."""
    pg = pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(postgres_url() is None, reason=f"{PG_ENV} is not set: PostgreSQL tests skipped"),
    )
    return ["sqlite", pg]


@asynccontextmanager
async def fresh_engine(backend: str, tmp_path: Path, *, migrate: bool = True) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database of `backend`, migrated to head unless told otherwise."""
    if backend == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}")
        try:
            if migrate:
                await upgrade(engine)
            yield engine
        finally:
            await engine.dispose()
        return
    url = postgres_url()
    assert url, f"{PG_ENV} must point at the test PostgreSQL server"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, pool_size=1, max_overflow=0)
    async with admin.begin() as conn:  # fails loudly when the server is unreachable
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        if migrate:
            await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
