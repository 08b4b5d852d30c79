"""`roadmap done` per second: through the core, and as the same SQL issued directly (the limit to compare with).

Both sides start from the same state (one community, `members` members who each finished one topic, which also
recorded today's activity day) and then run `waves` rounds in which every member marks their next topic done at
once. Per command the database sees: find the community and member, read the member's progress, upsert one
progress row, insert one ledger row, add the points and move the member's current topic.

    python -m bench.core_writes --side core|raw --members 200 --waves 10 [--postgres URL]

prints one JSON line with the rate; `measure` runs each side as its own process on its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bench.common import BENCH_NOW, asyncpg_dsn, migrated_bot, run_child, temp_database
from bot.content import load_content
from bot.context import Caller
from bot.replies import Tone
from bot.settings import DEFAULT_CONTENT_DIR

PLATFORM = "bench"
COMMUNITY = "writes"
RAW_CONNECTIONS = 5  # the core's default pool size, so both sides get as many connections


@dataclass(frozen=True)
class WriteLoad:
    members: int
    waves: int

    @property
    def commands(self) -> int:
        return self.members * self.waves


def _callers(members: int) -> list[Caller]:
    return [
        Caller(PLATFORM, COMMUNITY, f"u{i}", f"Member {i}", community_name="Writes", channel_id="general")
        for i in range(members)
    ]


async def _timed_waves(load: WriteLoad, one: Callable[[int], Awaitable[None]]) -> float:
    """Commands per second of `waves` rounds, each member once per round, all members of a round at once."""
    await asyncio.gather(*(one(i) for i in range(load.members)))  # warm-up: creates rows, not timed
    started = time.perf_counter()
    for _ in range(load.waves):
        await asyncio.gather(*(one(i) for i in range(load.members)))
    return load.commands / (time.perf_counter() - started)


async def core_rate(url: str, load: WriteLoad) -> float:
    """`/roadmap done` through `StudyBot.run_line`, as an adapter calls it."""
    bot = await migrated_bot(url)
    callers = _callers(load.members)
    failures: list[str] = []

    async def one(i: int) -> None:
        reply = await bot.run_line(callers[i], "/roadmap done")
        if reply.tone is not Tone.SUCCESS:
            failures.append(reply.text)

    try:
        rate = await _timed_waves(load, one)
    finally:
        await bot.close()
    if failures:
        raise RuntimeError(f"{len(failures)} commands failed, first: {failures[0]}")
    return rate


# ---- the same statements without the core ------------------------------------------------------------------

TOPICS = tuple(t.id for t in load_content(DEFAULT_CONTENT_DIR).topics)


def _next_topic(finished: set[str]) -> str:
    # The roadmap's order is a valid learning order, so the first unfinished topic is the one `done` picks.
    return next(t for t in TOPICS if t not in finished)


def _sqlite_time(value: datetime) -> str:
    # The text SQLAlchemy stores for a UTC datetime on SQLite, so rows match the core's.
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


async def raw_sqlite_rate(url: str, load: WriteLoad) -> float:
    import aiosqlite

    bot = await migrated_bot(url)  # the schema, exactly as migrations make it
    await bot.close()
    path = url.split("///", 1)[1]
    now = _sqlite_time(BENCH_NOW)
    pool: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
    for _ in range(RAW_CONNECTIONS):
        conn = await aiosqlite.connect(path, isolation_level=None, timeout=15)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        pool.put_nowait(conn)
    first = await pool.get()
    await first.execute(
        "INSERT INTO communities (platform, external_id, name, timezone, created_at) VALUES (?, ?, 'Writes', 'UTC', ?)",
        (PLATFORM, COMMUNITY, now),
    )
    await first.executemany(
        "INSERT INTO members (community_id, external_id, display_name, points, is_moderator, created_at) "
        "SELECT id, ?, ?, 0, 0, ? FROM communities WHERE platform = ? AND external_id = ?",
        [(f"u{i}", f"Member {i}", now, PLATFORM, COMMUNITY) for i in range(load.members)],
    )
    pool.put_nowait(first)

    async def one(i: int) -> None:
        conn = await pool.get()
        try:
            await conn.execute("BEGIN IMMEDIATE")
            async with conn.execute(
                "SELECT m.id, m.community_id FROM members m JOIN communities c ON c.id = m.community_id "
                "WHERE c.platform = ? AND c.external_id = ? AND m.external_id = ?",
                (PLATFORM, COMMUNITY, f"u{i}"),
            ) as cursor:
                member_id, community_id = await cursor.fetchone()  # type: ignore[misc]
            async with conn.execute("SELECT topic_id FROM progress WHERE member_id = ?", (member_id,)) as cursor:
                finished = {row[0] for row in await cursor.fetchall()}
            topic = _next_topic(finished)
            await conn.execute(
                "INSERT INTO progress (member_id, topic_id, status, updated_at, completed_at) "
                "VALUES (?, ?, 'done', ?, ?) ON CONFLICT (member_id, topic_id) DO UPDATE SET "
                "status = excluded.status, updated_at = excluded.updated_at, completed_at = excluded.completed_at",
                (member_id, topic, now, now),
            )
            async with conn.execute(
                "INSERT INTO point_events (community_id, member_id, reason, ref, points, created_at) "
                "VALUES (?, ?, 'topic_done', ?, 10, ?) ON CONFLICT (member_id, reason, ref) DO NOTHING RETURNING id",
                (community_id, member_id, topic, now),
            ) as cursor:
                await cursor.fetchall()
            following = _next_topic(finished | {topic})
            await conn.execute(
                "UPDATE members SET points = points + 10, current_topic_id = ?, last_active_at = ? WHERE id = ?",
                (following, now, member_id),
            )
            await conn.execute("COMMIT")
        finally:
            pool.put_nowait(conn)

    try:
        return await _timed_waves(load, one)
    finally:
        while not pool.empty():
            await pool.get_nowait().close()


async def raw_postgres_rate(url: str, load: WriteLoad) -> float:
    import asyncpg

    bot = await migrated_bot(url)
    await bot.close()
    pool = await asyncpg.create_pool(asyncpg_dsn(url), min_size=10, max_size=10)  # the core's pool size
    assert pool is not None
    now = BENCH_NOW
    async with pool.acquire() as conn:
        community_id = await conn.fetchval(
            "INSERT INTO communities (platform, external_id, name, timezone, created_at) "
            "VALUES ($1, $2, 'Writes', 'UTC', $3) RETURNING id",
            PLATFORM,
            COMMUNITY,
            now,
        )
        await conn.executemany(
            "INSERT INTO members (community_id, external_id, display_name, points, is_moderator, created_at) "
            "VALUES ($1, $2, $3, 0, false, $4)",
            [(community_id, f"u{i}", f"Member {i}", now) for i in range(load.members)],
        )

    async def one(i: int) -> None:
        async with pool.acquire() as conn, conn.transaction():
            member_id, member_community = await conn.fetchrow(
                "SELECT m.id, m.community_id FROM members m JOIN communities c ON c.id = m.community_id "
                "WHERE c.platform = $1 AND c.external_id = $2 AND m.external_id = $3 FOR UPDATE OF m",
                PLATFORM,
                COMMUNITY,
                f"u{i}",
            )
            finished = {r[0] for r in await conn.fetch("SELECT topic_id FROM progress WHERE member_id = $1", member_id)}
            topic = _next_topic(finished)
            await conn.execute(
                "INSERT INTO progress (member_id, topic_id, status, updated_at, completed_at) "
                "VALUES ($1, $2, 'done', $3, $3) ON CONFLICT (member_id, topic_id) DO UPDATE SET "
                "status = excluded.status, updated_at = excluded.updated_at, completed_at = excluded.completed_at",
                member_id,
                topic,
                now,
            )
            await conn.fetchval(
                "INSERT INTO point_events (community_id, member_id, reason, ref, points, created_at) "
                "VALUES ($1, $2, 'topic_done', $3, 10, $4) ON CONFLICT (member_id, reason, ref) DO NOTHING "
                "RETURNING id",
                member_community,
                member_id,
                topic,
                now,
            )
            await conn.execute(
                "UPDATE members SET points = points + 10, current_topic_id = $1, last_active_at = $2 WHERE id = $3",
                _next_topic(finished | {topic}),
                now,
                member_id,
            )

    try:
        return await _timed_waves(load, one)
    finally:
        await pool.close()


async def measure_side(side: str, load: WriteLoad, postgres: str | None) -> float:
    """One side's rate on a fresh database of its own."""
    raw = raw_postgres_rate if postgres else raw_sqlite_rate
    run = {"core": core_rate, "raw": raw}[side]
    async with temp_database(postgres) as url:
        return await run(url, load)


async def measure(load: WriteLoad, postgres: str | None = None) -> dict[str, float]:
    """Core and raw rates on one backend, each side in a process of its own."""
    rates = {}
    for side in ("core", "raw"):
        args = ["--side", side, "--members", str(load.members), "--waves", str(load.waves)]
        figures = await run_child("bench.core_writes", *args, *(["--postgres", postgres] if postgres else []))
        rates[side] = float(figures["rate"])
    return {**rates, "ratio": rates["core"] / rates["raw"]}


def main() -> None:
    parser = argparse.ArgumentParser(description="`roadmap done` per second, through the core or as raw SQL")
    parser.add_argument("--side", choices=("core", "raw"), required=True)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (default: a SQLite file)")
    args = parser.parse_args()
    rate = asyncio.run(measure_side(args.side, WriteLoad(args.members, args.waves), args.postgres))
    print(json.dumps({"rate": rate}))


if __name__ == "__main__":
    main()
