"""The daily posts of many communities due at the same minute: claimed, rendered and handed to an adapter.

    python -m bench.schedule_load --communities 10000

prints one JSON line with the seconds `run_due` took; `measure_in_child` runs it as its own process.

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

from bench.common import BENCH_NOW, migrated_bot, run_child, temp_sqlite
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


async def _no_sleep(_seconds: float) -> None:
    return None


async def measure(communities: int) -> float:
    """Seconds `run_due` takes to post every community's daily topic once."""
    async with temp_sqlite() as url:
        bot = await migrated_bot(url)
        try:
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


async def measure_in_child(communities: int) -> float:
    figures = await run_child("bench.schedule_load", "--communities", str(communities))
    return float(figures["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps({"seconds": asyncio.run(measure(args.communities)), "communities": args.communities}))


if __name__ == "__main__":
    main()
