"""End-to-end latency of `/roadmap next` through the real discord.py client against the stand-in Discord.

What is timed: from the stand-in dispatching INTERACTION_CREATE on its gateway (`Sent.dispatched_at`) to the
stand-in's REST API having read the bot's `POST /interactions/{id}/{token}/callback` (`Recorded.received_at`).
Interactions go out in waves of 50 at once, each from a different member, and a wave is sent only when the
previous one has been answered. Stand-in, client, core and SQLite database share one process and event loop, as
in the adapter tests, so the stand-in's own work is part of every figure.

Warm-up: one untimed wave by the same 50 members first, so gateway and HTTP connection set-up, the first run of
each code path and each member's first-ever command (creating their row) are not counted; the figures are for
members who have used the bot before.

Run alone from the repo root: `python bench/discord_e2e.py [--quick]`.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncio
import contextlib
import tempfile
import time

from pydantic import SecretStr

from adapters.discord import run
from bench.common import median, percentile, quiet_logging
from bench.end_to_end import IN_FLIGHT, WARM_UP_WAVES, run_alone, singles, waves
from bot.app import StudyBot
from bot.settings import Settings
from tests.standins.discord_server import Channel, DiscordStandIn, Guild, Person, Recorded, Sent

COMMAND = "roadmap next"
GUILD = Guild(str(100 << 22), "Bench server", channels=(Channel("200000000000000001", "general"),))
MEMBERS = tuple(Person(str(500_000_000_000_000_000 + n), f"Member {n}") for n in range(IN_FLIGHT))


class Callbacks:
    """The first callback the stand-in received for each interaction token, read incrementally.

    The stand-in re-checks a wait condition after every request; scanning only the requests that are new since
    the last check keeps that cost from growing with the run.
    """

    def __init__(self, server: DiscordStandIn) -> None:
        self.server = server
        self.seen = 0
        self.by_token: dict[str, Recorded] = {}

    def update(self) -> None:
        requests = self.server.requests
        for record in requests[self.seen :]:
            if record.method == "POST" and record.path.endswith("/callback") and record.path.startswith("/inter"):
                token = record.path.split("/")[3]
                self.by_token.setdefault(token, record)
        self.seen = len(requests)

    def answered(self, sent: list[Sent]) -> bool:
        self.update()
        return all(s.token in self.by_token for s in sent)


async def wave(server: DiscordStandIn, callbacks: Callbacks, members: tuple[Person, ...] = MEMBERS) -> list[float]:
    """Send `/roadmap next` from every one of `members` at once; the milliseconds until each callback arrived."""
    sent = list(await asyncio.gather(*(server.slash(COMMAND, member) for member in members)))
    await server.wait_for(lambda: callbacks.answered(sent))
    latencies = []
    for s in sent:
        record = callbacks.by_token[s.token]
        if record.status >= 300:
            raise RuntimeError(f"the stand-in refused a callback with HTTP {record.status}")
        # A fast error reply ("database unavailable") must not pass for a fast answer.
        embeds = ((record.body or {}).get("data") or {}).get("embeds") or [{}]
        if not str(embeds[0].get("title", "")).startswith("Topic "):
            raise RuntimeError(f"/{COMMAND} did not answer with a topic: {embeds[0]}")
        latencies.append((record.received_at - s.dispatched_at) * 1000)
    return latencies


async def connected(bot: StudyBot, task: asyncio.Task[None]) -> None:
    """Wait until the adapter has announced its poster: it is then connected and its commands are synced."""
    async with asyncio.timeout(10):
        while "discord" not in bot.posters:
            if task.done():
                task.result()
                raise RuntimeError("the Discord adapter stopped")
            await asyncio.sleep(0.01)


async def measure(quick: bool) -> dict[str, float]:
    """p50/p99 milliseconds from INTERACTION_CREATE to the interaction callback, 50 interactions in flight and
    one at a time; the rate the waves of 50 were answered at."""
    with quiet_logging("discord", "aiohttp"), tempfile.TemporaryDirectory() as tmp:
        server = DiscordStandIn((GUILD,))
        await server.start()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            log_level="WARNING",
            discord_token=SecretStr(server.token),
            discord_api_base_url=server.api_url,
            discord_gateway_url=server.gateway_url,
        )
        bot = await StudyBot.create(settings)
        # A short ready timeout only shortens start-up (discord.py waits that long for more servers).
        task = asyncio.create_task(run(bot, settings, ready_timeout=0.05))
        try:
            await connected(bot, task)
            callbacks = Callbacks(server)
            for _ in range(WARM_UP_WAVES):
                await wave(server, callbacks)
            samples: list[float] = []
            started = time.perf_counter()
            for _ in range(waves(quick)):
                samples += await wave(server, callbacks)
            rate = len(samples) / (time.perf_counter() - started)
            one_at_a_time: list[float] = []
            for n in range(singles(quick)):
                one_at_a_time += await wave(server, callbacks, MEMBERS[n % IN_FLIGHT : n % IN_FLIGHT + 1])
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await bot.close()
            await server.close()
    return {
        "discord_e2e_p50_ms": round(median(samples), 2),
        "discord_e2e_p99_ms": round(percentile(samples, 99), 2),
        "discord_e2e_samples": len(samples),
        "discord_e2e_per_s": round(rate, 1),
        "discord_e2e_single_p50_ms": round(median(one_at_a_time), 2),
        "discord_e2e_single_p99_ms": round(percentile(one_at_a_time, 99), 2),
    }


def main(argv: list[str] | None = None) -> None:
    run_alone(__doc__.splitlines()[0], measure, argv)


if __name__ == "__main__":
    main()
