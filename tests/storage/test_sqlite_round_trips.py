"""SQLite statements make one trip to aiosqlite's thread each, and return what the stock adapter returns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import sqlite_round_trips
from bot.storage.engine import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}")
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_the_pinned_versions_get_the_one_trip_cursor(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, sqlite_round_trips.OneTripConnection)


async def test_rows_counts_and_ids_are_those_of_the_statement(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER)"))
        inserted = await conn.execute(text("INSERT INTO t (name, n) VALUES ('a', 1)"))
        assert inserted.lastrowid == 1
        await conn.execute(
            text("INSERT INTO t (name, n) VALUES (:name, :n)"), [{"name": "b", "n": 2}, {"name": "c", "n": 3}]
        )
        changed = await conn.execute(text("UPDATE t SET n = n + 10 WHERE n >= 2 RETURNING name"))
        assert sorted(changed.scalars()) == ["b", "c"]
        assert changed.rowcount == 2
        updated = await conn.execute(text("UPDATE t SET n = 0 WHERE name = 'a'"))
        assert updated.rowcount == 1
        skipped = await conn.execute(
            text("INSERT INTO t (name, n) VALUES ('a', 5) ON CONFLICT (name) DO NOTHING RETURNING id")
        )
        assert skipped.first() is None
        rows = await conn.execute(text("SELECT name, n FROM t ORDER BY id"))
        assert [tuple(r) for r in rows] == [("a", 0), ("b", 12), ("c", 13)]
        assert list(rows.keys()) == ["name", "n"]


async def test_errors_still_reach_the_caller_as_database_errors(engine: AsyncEngine) -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE u (name TEXT UNIQUE)"))
        await conn.execute(text("INSERT INTO u VALUES ('x')"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO u VALUES ('x')"))
    with pytest.raises(OperationalError):
        async with engine.connect() as conn:
            await conn.execute(text("SELECT * FROM missing"))
    async with engine.connect() as conn:  # the failed transaction was rolled back; the pool still works
        assert (await conn.execute(text("SELECT count(*) FROM u"))).scalar() == 1
