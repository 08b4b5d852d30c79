"""The daily posts of many communities due at the same minute: claimed, rendered and handed to an adapter.

    python -m bench.schedule_load --communities 10000 [--postgres URL]

prints one JSON line with the seconds `run_due` took; `measure_in_child` runs it as its own process. With
`--postgres` the run uses a temporary database on that server instead of a SQLite file.

Every community has a `daily-topic` schedule due at the same instant (bulk inserts, as `/schedule set` would
leave them), and the platform answers every post at once, so the figure is the core's own cost: the sweep, the
claim, the render, the confirmation and the schedule's advance, all through `SchedulerService.run_due`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import time
from dataclasses import dataclass

from bench.common import BENCH_NOW, asyncpg_dsn, migrated_bot, run_child, temp_database
from bot.outbound import PostResult
from bot.replies import Reply
from bot.scheduler.service import SchedulerService

PLATFORM = "bench"
NOW_TEXT = BENCH_NOW.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


@dataclass
class InstantPoster:
    """A platform that takes every post at once and only counts them."""

    platform: str = PLATFORM
    posted: int = 0

    async def post(
        self, community_id: str, channel_id: str, reply: Reply, *, ping_everyone: bool = False
    ) -> PostResult:
        self.posted += 1
        return PostResult(ok=True, link=f"bench://{community_id}/{channel_id}", message_id=str(self.posted))

    async def edit(self, community_id: str, channel_id: str, message_id: str, reply: Reply) -> PostResult:
        return PostResult(ok=True, message_id=message_id)


def load_schedules(path: str, communities: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO communities (id, platform, external_id, name, timezone, created_at) "
            f"VALUES (?, '{PLATFORM}', ?, ?, 'UTC', '{NOW_TEXT}')",
            ((i + 1, f"c{i}", f"Community {i}") for i in range(communities)),
        )
        conn.executemany(
            "INSERT INTO schedules (community_id, kind, channel_id, report_channel_id, hour, minute, timezone, days, "
            "every_weeks, option, anchor_at, position, enabled, next_due_at, created_at, updated_at) "
            f"VALUES (?, 'daily-topic', 'general', 'general', {BENCH_NOW.hour}, {BENCH_NOW.minute}, 'UTC', 'daily', "
            f"1, NULL, '{NOW_TEXT}', ?, 1, '{NOW_TEXT}', '{NOW_TEXT}', '{NOW_TEXT}')",
            ((i + 1, i % 30) for i in range(communities)),
        )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()


async def load_schedules_postgres(url: str, communities: int) -> None:
    """The same rows as `load_schedules`, copied into PostgreSQL."""
    import asyncpg

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.copy_records_to_table(
            "communities",
            columns=["id", "platform", "external_id", "name", "timezone", "created_at"],
            records=[(i + 1, PLATFORM, f"c{i}", f"Community {i}", "UTC", BENCH_NOW) for i in range(communities)],
        )
        columns = ["community_id", "kind", "channel_id", "report_channel_id", "hour", "minute", "timezone", "days"]
        columns += ["every_weeks", "option", "anchor_at", "position", "enabled", "next_due_at"]
        columns += ["created_at", "updated_at"]
        at = (BENCH_NOW.hour, BENCH_NOW.minute, "UTC", "daily", 1, None, BENCH_NOW)
        await conn.copy_records_to_table(
            "schedules",
            columns=columns,
            records=[
                (i + 1, "daily-topic", "general", "general", *at, i % 30, True, BENCH_NOW, BENCH_NOW, BENCH_NOW)
                for i in range(communities)
            ],
        )
        # The ids were given: move the sequence past them, as inserts one by one would have.
        await conn.execute("SELECT setval(pg_get_serial_sequence('communities', 'id'), $1)", communities)
        await conn.execute("VACUUM ANALYZE communities")
        await conn.execute("VACUUM ANALYZE schedules")
    finally:
        await conn.close()


async def _no_sleep(_seconds: float) -> None:
    return None


async def measure(communities: int, postgres: str | None = None) -> float:
    """Seconds `run_due` takes to post every community's daily topic once (on SQLite, or on `postgres`)."""
    async with temp_database(postgres) as url:
        bot = await migrated_bot(url)
        try:
            if postgres:
                await load_schedules_postgres(url, communities)
            else:
                load_schedules(url.split("///", 1)[1], communities)
            poster = InstantPoster()
            bot.posters[PLATFORM] = poster
            service = SchedulerService(bot, sleep=_no_sleep, owner="bench", channel_spacing=0)
            started = time.perf_counter()
            report = await service.run_due(BENCH_NOW)
            elapsed = time.perf_counter() - started
        finally:
            await bot.close()
    if report.sent != communities or poster.posted != communities:
        raise RuntimeError(f"expected {communities} posts, sent {report.sent}, failed {report.failed}")
    return elapsed


async def measure_in_child(communities: int, postgres: str | None = None) -> float:
    extra = ("--postgres", postgres) if postgres else ()
    figures = await run_child("bench.schedule_load", "--communities", str(communities), *extra)
    return float(figures["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=10_000)
    parser.add_argument("--postgres", metavar="URL", help="measure on a temporary database of this server")
    args = parser.parse_args()
    seconds = asyncio.run(measure(args.communities, args.postgres))
    print(json.dumps({"seconds": seconds, "communities": args.communities, "postgres": bool(args.postgres)}))


if __name__ == "__main__":
    main()
