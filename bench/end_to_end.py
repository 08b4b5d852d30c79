"""What the Discord and Slack end-to-end benchmarks share: how many requests, and running one alone."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

IN_FLIGHT = 50
WARM_UP_WAVES = 1
QUICK_WAVES = 5  # 250 samples: p99 is then the 3rd-slowest
FULL_WAVES = 40  # 2000 samples
# One request at a time as well: the latency of one command with no queue in front of it.
QUICK_SINGLES = 50
FULL_SINGLES = 200


def waves(quick: bool) -> int:
    return QUICK_WAVES if quick else FULL_WAVES


def singles(quick: bool) -> int:
    return QUICK_SINGLES if quick else FULL_SINGLES


def run_alone(
    description: str, measure: Callable[[bool], Coroutine[Any, Any, dict[str, float]]], argv: list[str] | None
) -> None:
    """`python bench/<platform>_e2e.py [--quick]`: measure and print each figure."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer samples, done in a few seconds")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    figures = asyncio.run(measure(args.quick))
    for name, value in figures.items():
        print(f"{name}: {value}")
    print(f"(took {time.perf_counter() - started:.1f} s)")
