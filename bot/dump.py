"""A complete, versioned JSON dump of the database: `studybot db export FILE` and `studybot db import FILE`.

The dump holds every table the database has (read from the database itself, so tables added later are
included without a change here) in dependency order, each row as an object of typed JSON values, with the
Alembic revision the rows belong to. Import goes into an empty database: it brings the schema to the dump's
revision, inserts everything in one transaction, resets PostgreSQL's id sequences and then upgrades to the
newest revision, so a dump taken by an older release imports too.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Time,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.migrate import alembic_config, current_revision, downgrade, head_revision, upgrade

FORMAT = "studybot-dump"
VERSION = 1
INSERT_BATCH = 500
_BOOKKEEPING = {"alembic_version"}


class DumpError(Exception):
    """A dump cannot be written or read; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    revision: str
    tables: int
    rows: int


# ---- values -----------------------------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    """A JSON value for one column value: timestamps as ISO-8601 in UTC, bytes as base64, the rest as is."""
    if isinstance(value, datetime):
        # SQLite hands timestamps back without a zone; the bot stores them in UTC.
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def decode_value(column_type: Any, value: Any, dialect: str) -> Any:
    """The value to insert into a column of `column_type` for a JSON value written by `encode_value`."""
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        parsed = datetime.fromisoformat(value)
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if dialect == "sqlite" or not getattr(column_type, "timezone", False):
            return parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Time):
        return time.fromisoformat(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(value)
    if isinstance(column_type, Float):
        return float(value)
    if isinstance(column_type, Numeric):
        return Decimal(value)
    if isinstance(column_type, Boolean):
        return bool(value)
    if isinstance(column_type, Integer) and not isinstance(value, bool):
        return int(value)
    if isinstance(column_type, JSON):
        return value
    return value


def encode_row(row: dict[str, Any]) -> dict[str, Any]:
    return {name: encode_value(value) for name, value in row.items()}


# ---- export -----------------------------------------------------------------------------------------------


def _reflect(connection: Connection) -> list[Table]:
    reflected = MetaData()
    reflected.reflect(connection)
    return [t for t in reflected.sorted_tables if t.name not in _BOOKKEEPING]


def _order(table: Table) -> list[Any]:
    return list(table.primary_key.columns) or list(table.columns)


async def export_database(engine: AsyncEngine, *, now: datetime | None = None) -> dict[str, Any]:
    """Every row of every table, in dependency order, with the revision they belong to."""
    revision = await current_revision(engine)
    if revision is None:
        raise DumpError("the database has no studybot schema yet: nothing to export")
    tables: list[dict[str, Any]] = []
    async with engine.connect() as conn:
        for table in await conn.run_sync(_reflect):
            rows = await conn.execute(select(table).order_by(*_order(table)))
            tables.append(
                {
                    "name": table.name,
                    "columns": [c.name for c in table.columns],
                    "rows": [encode_row(dict(row._mapping)) for row in rows],
                }
            )
    return {
        "format": FORMAT,
        "version": VERSION,
        "revision": revision,
        "exported_at": (now or datetime.now(UTC)).isoformat(),
        "source": engine.dialect.name,
        "tables": tables,
    }


def write_dump(dump: dict[str, Any], path: Path) -> None:
    """Write `dump` to `path` atomically, readable by its owner only (it holds members' data)."""
    data = json.dumps(dump, ensure_ascii=False, indent=1).encode()
    partial = path.with_name(path.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except OSError as exc:
        raise DumpError(f"cannot write {path}: {exc.strerror or exc}") from None


def read_dump(path: Path) -> dict[str, Any]:
    try:
        dump = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DumpError(f"{path} does not exist") from None
    except OSError as exc:
        raise DumpError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DumpError(f"{path} is not a studybot dump (not JSON: {exc})") from None
    check_format(dump)
    return dump


def check_format(dump: Any) -> None:
    if not isinstance(dump, dict) or dump.get("format") != FORMAT:
        raise DumpError("this is not a studybot dump (no `format: studybot-dump`)")
    if dump.get("version") != VERSION:
        raise DumpError(f"dump format version {dump.get('version')!r} is not one this studybot reads ({VERSION})")
    if not isinstance(dump.get("revision"), str) or not isinstance(dump.get("tables"), list):
        raise DumpError("the dump has no revision or no tables")


# ---- import -----------------------------------------------------------------------------------------------


def _history() -> list[str]:
    """Every known revision, newest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in script.walk_revisions()]


async def _is_empty(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        for table in await conn.run_sync(_reflect):
            if await conn.scalar(select(func.count()).select_from(table)):
                return False
    return True


async def _schema_at(engine: AsyncEngine, revision: str, history: list[str]) -> None:
    current = await current_revision(engine)
    if current == revision:
        return
    if current is None or history.index(current) > history.index(revision):
        await upgrade(engine, revision)
    else:
        await downgrade(engine, revision)  # an empty database at a newer revision


def _insert_all(connection: Connection, tables: Iterable[dict[str, Any]]) -> tuple[int, int]:
    existing = {t.name: t for t in _reflect(connection)}
    dialect = connection.dialect.name
    count_tables = count_rows = 0
    for entry in tables:
        table = existing.get(entry.get("name"))
        if table is None:
            raise DumpError(f"the dump has a table {entry.get('name')!r} the database at its revision does not")
        rows = entry.get("rows") or []
        unknown = {name for row in rows for name in row} - set(table.c.keys())
        if unknown:
            raise DumpError(f"table {table.name}: the dump has columns the database lacks: {sorted(unknown)}")
        values = [{name: decode_value(table.c[name].type, v, dialect) for name, v in row.items()} for row in rows]
        for start in range(0, len(values), INSERT_BATCH):
            connection.execute(table.insert(), values[start : start + INSERT_BATCH])
        count_tables += 1
        count_rows += len(values)
    if dialect == "postgresql":
        _reset_sequences(connection, existing.values())
    return count_tables, count_rows


def _reset_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """Move each id sequence past the imported ids, so the next insert does not collide with them."""
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            )
            if sequence:
                top = connection.scalar(select(func.max(column)))
                connection.execute(
                    text("SELECT setval(CAST(:s AS regclass), :v, :called)"),
                    {"s": sequence, "v": top or 1, "called": top is not None},
                )


async def import_database(engine: AsyncEngine, dump: dict[str, Any]) -> Summary:
    """Load `dump` into an empty database, all or nothing, and upgrade it to the newest revision."""
    check_format(dump)
    revision = dump["revision"]
    history = _history()
    if revision not in history:
        raise DumpError(
            f"the dump is at database revision {revision}, which this studybot does not know (it knows up to "
            f"{head_revision()}): it was made by a newer release. Upgrade studybot, then import."
        )
    if await current_revision(engine) is not None and not await _is_empty(engine):
        raise DumpError(
            "the database already holds data; import only into an empty one (a new SQLite file, or a new "
            "PostgreSQL database), so nothing is mixed or overwritten"
        )
    await _schema_at(engine, revision, history)
    async with engine.begin() as conn:
        tables, rows = await conn.run_sync(lambda c: _insert_all(c, dump["tables"]))
    await upgrade(engine)
    return Summary(revision=revision, tables=tables, rows=rows)
