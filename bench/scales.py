"""How big each load is: the full run the targets are set for, and a quick run that ends within a minute."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    write_members: int  # members marking topics done at once
    write_waves: int  # rounds in which every member marks one topic done (at most 29: the roadmap has 30)
    leaderboard_members: int
    leaderboard_rows: int  # progress rows in all
    leaderboard_samples: int  # timed `/leaderboard` calls
    schedule_communities: int
    cold_start_runs: int


FULL = Scale(
    write_members=200,
    write_waves=10,
    leaderboard_members=100_000,
    leaderboard_rows=2_000_000,
    leaderboard_samples=500,
    schedule_communities=10_000,
    cold_start_runs=5,
)

QUICK = Scale(
    write_members=200,
    write_waves=2,
    leaderboard_members=20_000,
    leaderboard_rows=400_000,
    leaderboard_samples=200,
    schedule_communities=2_000,
    cold_start_runs=3,
)
