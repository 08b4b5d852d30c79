"""Every row of every table, as comparable values: for proving that something changed nothing, or everything."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.schema import metadata

Rows = dict[str, list[dict[str, Any]]]


async def snapshot(engine: AsyncEngine) -> Rows:
    """{table: rows ordered by primary key} for every table of the metadata."""
    result: Rows = {}
    async with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = await conn.execute(select(table).order_by(*table.primary_key.columns))
            result[table.name] = [dict(row._mapping) for row in rows]
    return result


def owned_by(rows: Rows, community_id: int) -> Rows:
    """The rows that belong to one community: its own row and every row that points, directly or through other
    rows, at it (members, their progress and points, and whatever tables are added later)."""
    owned: Rows = {}
    for table in metadata.sorted_tables:  # referenced tables come first
        if table.name == "communities":
            owned[table.name] = [r for r in rows.get(table.name, []) if r["id"] == community_id]
            continue
        targets = [
            (fk.parent.name, {r[fk.column.name] for r in owned.get(fk.column.table.name, [])})
            for fk in table.foreign_keys
        ]
        owned[table.name] = [
            r for r in rows.get(table.name, []) if any(r[column] in values for column, values in targets)
        ]
    return owned
