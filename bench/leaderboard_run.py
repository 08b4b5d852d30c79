"""Runs `bench.leaderboard_load` in a child process on a temporary database and reads back its figures."""

from __future__ import annotations

from typing import Any

from bench.common import run_child, temp_database
from bench.scales import Scale


async def measure(scale: Scale, postgres: str | None) -> dict[str, Any]:
    async with temp_database(postgres) as url:
        return await run_child(
            "bench.leaderboard_load",
            "--url",
            url,
            "--members",
            str(scale.leaderboard_members),
            "--rows",
            str(scale.leaderboard_rows),
            "--samples",
            str(scale.leaderboard_samples),
        )
