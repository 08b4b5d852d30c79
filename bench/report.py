"""The figures of one run, their targets, and the table `bench/run.py` prints."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    unit: str
    bound: float | None = None  # None: shown for context, no target
    at_least: bool = False  # True: the figure must reach the bound; False: stay below it
    scale: Callable[[dict[str, Any]], str] = lambda _v: ""

    def judge(self, value: float) -> str:
        if self.bound is None:
            return ""
        check = operator.ge if self.at_least else operator.lt
        return "PASS" if check(value, self.bound) else "MISS"

    def wanted(self) -> str:
        if self.bound is None:
            return ""
        return f"{'>=' if self.at_least else '<'} {self.bound:g}{self.unit and ' ' + self.unit}"


def _writes(v: dict[str, Any]) -> str:
    return f"{v.get('write_members')} members x {v.get('write_waves')} waves"


def _board(v: dict[str, Any]) -> str:
    return f"{v.get('leaderboard_members', 0):,} members, {v.get('leaderboard_rows', 0):,} rows"


TARGETS = (
    Target("core_done_per_s", "roadmap done via core, SQLite", "/s", scale=_writes),
    Target("raw_sql_done_per_s", "same writes via aiosqlite, SQLite", "/s", scale=_writes),
    Target("core_vs_raw", "core / raw, SQLite", "", 0.5, at_least=True),
    Target("pg_core_done_per_s", "roadmap done via core, PostgreSQL", "/s", scale=_writes),
    Target("pg_raw_sql_done_per_s", "same writes via asyncpg, PostgreSQL", "/s", scale=_writes),
    Target("pg_core_vs_raw", "core / raw, PostgreSQL", "", 0.5, at_least=True),
    Target("leaderboard_100k_p50_ms", "/leaderboard p50, SQLite", "ms", scale=_board),
    Target("leaderboard_100k_p99_ms", "/leaderboard p99, SQLite", "ms", 20, scale=_board),
    Target("pg_leaderboard_100k_p50_ms", "/leaderboard p50, PostgreSQL", "ms", scale=_board),
    Target("pg_leaderboard_100k_p99_ms", "/leaderboard p99, PostgreSQL", "ms", 20, scale=_board),
    Target("rss_mb", "peak memory of the leaderboard run", "MB", 250, scale=_board),
    Target(
        "schedule_10k_s",
        "daily posts due at one minute",
        "s",
        10,
        scale=lambda v: f"{v.get('schedule_communities', 0):,} communities",
    ),
    Target(
        "pg_schedule_10k_s",
        "daily posts due at one minute, PostgreSQL",
        "s",
        10,
        scale=lambda v: f"{v.get('schedule_communities', 0):,} communities",
    ),
    Target("cold_start_s", "console start to first reply", "s", 1.5),
    Target("discord_e2e_p50_ms", "Discord end to end p50", "ms"),
    Target("discord_e2e_p99_ms", "Discord end to end p99", "ms", 25),
    Target("slack_e2e_p50_ms", "Slack end to end p50", "ms"),
    Target("slack_e2e_p99_ms", "Slack end to end p99", "ms", 25),
    Target("discord_e2e_per_s", "Discord interactions answered, 50 at once", "/s"),
    Target("slack_e2e_per_s", "Slack commands acked, 50 at once", "/s"),
    Target("slack_answer_p99_ms", "Slack answer at response_url p99", "ms"),
    Target("discord_e2e_single_p99_ms", "Discord end to end p99, one at a time", "ms", 25),
    Target("slack_e2e_single_p99_ms", "Slack end to end p99, one at a time", "ms", 25),
)


@dataclass
class Figures:
    values: dict[str, Any] = field(default_factory=dict)

    def update(self, **values: Any) -> None:
        self.values.update(values)

    def misses(self) -> list[str]:
        return [
            t.key
            for t in TARGETS
            if isinstance(self.values.get(t.key), int | float) and t.judge(self.values[t.key]) == "MISS"
        ]


def _shown(value: Any) -> str:
    if value is None:
        return "skipped"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def render_table(figures: Figures) -> str:
    v = figures.values
    rows = [("figure", "what", "value", "target", "result", "scale")]
    for t in TARGETS:
        value = v.get(t.key)
        measured = isinstance(value, int | float)
        rows.append(
            (
                t.key,
                t.label,
                _shown(value) + (f" {t.unit}" if measured and t.unit else ""),
                t.wanted(),
                t.judge(value) if measured else ("skipped" if t.bound is not None else ""),
                t.scale(v) if measured else "",
            )
        )
    sdk = v.get("cold_start_sdk_imports")
    if sdk is not None:
        rows.append(
            (
                "cold_start_sdk_imports",
                "platform SDKs the console imports",
                ", ".join(sdk) or "none",
                "none",
                "PASS" if not sdk else "MISS",
                "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    mode = "quick (scaled down)" if v.get("quick") else "full"
    lines.append(f"\n{mode} run, {v.get('total_s', 0):.1f} s; misses: {', '.join(figures.misses()) or 'none'}")
    return "\n".join(lines)
