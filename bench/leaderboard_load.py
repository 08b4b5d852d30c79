"""`/leaderboard` in a big community, run as its own process so its peak memory (`rss_mb`) is its own.

    python -m bench.leaderboard_load --url URL --members 100000 --rows 2000000

loads one community of `members` members with `rows` progress rows in all (bulk inserts, not the core), then
times `/leaderboard` through the core as randomly chosen members, and prints one JSON line with the figures.
Without a running season `/leaderboard` is the all-time board, which reads `members.points` (the top ten and
the caller's rank); each member's points are set to match the topics their progress rows say are done.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import time
from collections.abc import Iterator

from bench.common import BENCH_NOW, asyncpg_dsn, migrated_bot, percentile
from bot.content import load_content
from bot.context import Caller
from bot.settings import DEFAULT_CONTENT_DIR

PLATFORM = "bench"
COMMUNITY = "big"
TOPICS = tuple(t.id for t in load_content(DEFAULT_CONTENT_DIR).topics)
NOW_TEXT = BENCH_NOW.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def done_count(member: int, per_member: int) -> int:
    # Spread the totals (0..per_member topics done) so the board has ties and every rank region.
    return (member * 7919) % (per_member + 1)


def _members(count: int, per_member: int) -> Iterator[tuple[int, str, str, int]]:
    for i in range(count):
        yield i + 1, f"u{i}", f"Member {i}", 10 * done_count(i, per_member)


def _progress(count: int, per_member: int) -> Iterator[tuple[int, str, str]]:
    for i in range(count):
        done = done_count(i, per_member)
        for n in range(per_member):
            yield i + 1, TOPICS[n % len(TOPICS)], "done" if n < done else "learning"


def load_sqlite(path: str, members: int, per_member: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")  # a bulk load that is thrown away if it fails
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO communities (id, platform, external_id, name, timezone, created_at) "
            "VALUES (1, ?, ?, 'Big', 'UTC', ?)",
            (PLATFORM, COMMUNITY, NOW_TEXT),
        )
        conn.executemany(
            "INSERT INTO members (id, community_id, external_id, display_name, points, is_moderator, created_at) "
            f"VALUES (?, 1, ?, ?, ?, 0, '{NOW_TEXT}')",
            _members(members, per_member),
        )
        conn.executemany(
            "INSERT INTO progress (member_id, topic_id, status, updated_at) VALUES (?, ?, ?, ?)",
            ((m, t, s, NOW_TEXT) for m, t, s in _progress(members, per_member)),
        )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()


async def load_postgres(url: str, members: int, per_member: int) -> None:
    import asyncpg

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO communities (id, platform, external_id, name, timezone, created_at) "
                "VALUES (1, $1, $2, 'Big', 'UTC', $3)",
                PLATFORM,
                COMMUNITY,
                BENCH_NOW,
            )
            await conn.copy_records_to_table(
                "members",
                records=((i, 1, e, n, p, False, BENCH_NOW) for i, e, n, p in _members(members, per_member)),
                columns=("id", "community_id", "external_id", "display_name", "points", "is_moderator", "created_at"),
            )
            await conn.copy_records_to_table(
                "progress",
                records=((m, t, s, BENCH_NOW) for m, t, s in _progress(members, per_member)),
                columns=("member_id", "topic_id", "status", "updated_at"),
            )
            # Ids were given explicitly: move the sequences past them as a real database would be.
            await conn.execute("SELECT setval('members_id_seq', (SELECT max(id) FROM members))")
            await conn.execute("SELECT setval('communities_id_seq', 1)")
        # Autovacuum would have done this in a live database; without it counting reads the table, not the index.
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def run(url: str, members: int, rows: int, samples: int) -> dict[str, float]:
    per_member = max(1, rows // members)
    bot = await migrated_bot(url)  # the schema, as migrations make it
    started = time.perf_counter()
    if url.startswith("sqlite"):
        load_sqlite(url.split("///", 1)[1], members, per_member)
    else:
        await load_postgres(url, members, per_member)
    load_s = time.perf_counter() - started
    chooser = random.Random(10)
    latencies: list[float] = []
    try:
        for n in range(samples + 10):
            i = chooser.randrange(members)
            caller = Caller(PLATFORM, COMMUNITY, f"u{i}", f"Member {i}", channel_id="general")
            began = time.perf_counter()
            reply = await bot.run_line(caller, "/leaderboard")
            elapsed = time.perf_counter() - began
            if not any(f.name == "You" for f in reply.fields):
                raise RuntimeError(f"no rank in the leaderboard reply: {reply.text or reply.title}")
            if n >= 10:  # the first few warm the caches and the statement cache
                latencies.append(elapsed * 1000)
    finally:
        await bot.close()
    return {
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "members": members,
        "rows": members * per_member,
        "load_s": load_s,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # Linux reports KiB
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="an empty database, migrated here")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.members, args.rows, args.samples))))


if __name__ == "__main__":
    main()
