"""Runs `bench.leaderboard_load` in a child process on a temporary database and reads back its figures."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from bench.common import temp_database
from bench.scales import Scale

ROOT = Path(__file__).resolve().parent.parent


async def measure(scale: Scale, postgres: str | None) -> dict[str, float]:
    async with temp_database(postgres) as url:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.leaderboard_load",
            "--url",
            url,
            "--members",
            str(scale.leaderboard_members),
            "--rows",
            str(scale.leaderboard_rows),
            "--samples",
            str(scale.leaderboard_samples),
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the leaderboard run failed: {err.decode()[-1000:]}")
    return json.loads(out.decode().strip().splitlines()[-1])
