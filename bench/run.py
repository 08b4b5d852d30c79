"""Run every benchmark, print a table of figures against their targets, and write them as JSON.

    python bench/run.py [--quick] [--json FILE] [--postgres URL]

Standard library and the project's own dependencies only. `--quick` scales the big loads down (and says so)
to end within a minute; PostgreSQL figures need `--postgres URL` or a postgresql `DATABASE_URL`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/run.py` puts bench/ on the path, not the checkout: make `bot` and `bench` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import json
import os
import time

from bench import cold_start, core_writes, leaderboard_run, schedule_load
from bench.report import Figures, render_table
from bench.scales import FULL, QUICK, Scale


def postgres_url(given: str | None) -> str | None:
    """The PostgreSQL server to measure on: `--postgres`, else a postgresql `DATABASE_URL`, else none."""
    url = given or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgresql", "postgres:")):
        return None
    from bot.settings import normalise_database_url

    return normalise_database_url(url)


async def measure_writes(scale: Scale, figures: Figures, postgres: str | None) -> None:
    load = core_writes.WriteLoad(scale.write_members, scale.write_waves)
    sqlite = await core_writes.measure(load)
    figures.update(core_done_per_s=sqlite["core"], raw_sql_done_per_s=sqlite["raw"], core_vs_raw=sqlite["ratio"])
    figures.update(write_members=load.members, write_waves=load.waves)
    if postgres:
        pg = await core_writes.measure(load, postgres)
        figures.update(pg_core_done_per_s=pg["core"], pg_raw_sql_done_per_s=pg["raw"], pg_core_vs_raw=pg["ratio"])
    else:
        figures.update(pg_core_done_per_s=None, pg_raw_sql_done_per_s=None, pg_core_vs_raw=None)


async def measure_leaderboard(scale: Scale, figures: Figures, postgres: str | None) -> None:
    sqlite = await leaderboard_run.measure(scale, None)
    figures.update(
        leaderboard_100k_p50_ms=sqlite["p50_ms"],
        leaderboard_100k_p99_ms=sqlite["p99_ms"],
        leaderboard_members=sqlite["members"],
        leaderboard_rows=sqlite["rows"],
        leaderboard_load_s=sqlite["load_s"],
        rss_mb=sqlite["rss_mb"],
    )
    if postgres:
        pg = await leaderboard_run.measure(scale, postgres)
        figures.update(pg_leaderboard_100k_p50_ms=pg["p50_ms"], pg_leaderboard_100k_p99_ms=pg["p99_ms"])
    else:
        figures.update(pg_leaderboard_100k_p50_ms=None, pg_leaderboard_100k_p99_ms=None)


async def measure_platforms(quick: bool, figures: Figures) -> None:
    """The Discord and Slack end-to-end figures, through the real discord.py and slack-bolt."""
    # Imported here: the platform SDKs are not needed by the other loads.
    from bench import discord_e2e, slack_e2e

    figures.update(**await discord_e2e.measure(quick))
    figures.update(**await slack_e2e.measure(quick))


async def measure_all(scale: Scale, postgres: str | None) -> Figures:
    figures = Figures()
    figures.update(quick=scale is QUICK, postgres=postgres is not None)
    started = time.perf_counter()
    await measure_writes(scale, figures, postgres)
    await measure_leaderboard(scale, figures, postgres)
    figures.update(schedule_10k_s=await schedule_load.measure_in_child(scale.schedule_communities))
    figures.update(schedule_communities=scale.schedule_communities)
    pg_schedule = await schedule_load.measure_in_child(scale.schedule_communities, postgres) if postgres else None
    figures.update(pg_schedule_10k_s=pg_schedule)
    start = cold_start.measure(scale.cold_start_runs)
    figures.update(cold_start_s=start["cold_start_s"], cold_start_sdk_imports=start["sdk_imports"])
    await measure_platforms(scale is QUICK, figures)
    figures.update(total_s=time.perf_counter() - started)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="studybot benchmarks: a table of figures and a JSON file")
    parser.add_argument("--quick", action="store_true", help="smaller loads, within a minute in all")
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"), help="where to write the figures")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL server")
    args = parser.parse_args(argv)
    figures = asyncio.run(measure_all(QUICK if args.quick else FULL, postgres_url(args.postgres)))
    print(render_table(figures))
    args.json.write_text(json.dumps(figures.values, indent=2) + "\n")
    print(f"\nwritten to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
