"""The migrations produce exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.storage.migrate import current_revision, downgrade, head_revision, upgrade
from bot.storage.schema import metadata
from tests.databases import backends, fresh_engine


def _diff(connection) -> list:  # type: ignore[no-untyped-def]
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


@pytest.mark.parametrize("backend", backends())
async def test_migrations_match_models(backend: str, tmp_path: Path) -> None:
    async with fresh_engine(backend, tmp_path) as engine:
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            differences = await conn.run_sync(_diff)
        assert differences == []


@pytest.mark.parametrize("backend", backends())
async def test_upgrade_is_repeatable_and_reversible(backend: str, tmp_path: Path) -> None:
    async with fresh_engine(backend, tmp_path) as engine:
        await upgrade(engine)  # a second upgrade is a no-op
        await downgrade(engine, "base")
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert tables <= {"alembic_version"}
        await upgrade(engine)
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert set(metadata.tables) <= tables
