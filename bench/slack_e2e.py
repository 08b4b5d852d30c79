"""End-to-end latency of a signed `/roadmap next` slash command to the real bolt app served over HTTP.

What is timed, per request: from sending the signed, form-encoded request to `/slack/events` to having its ack
(the HTTP 200 response, body read) back (`slack_e2e_*`), and from sending it to the stand-in Slack having read
the answer the bot posted to the request's `response_url` (`slack_answer_*`). Requests go out in waves of 50 at
once, each from a different member, over one keep-alive client session; a wave is sent only when every answer
of the previous one has arrived. Sender, stand-in Slack, HTTP server, bolt app, core and SQLite database share
one process and event loop, as in the adapter tests, so the sender's and the stand-in's work is part of every
figure.

Warm-up: one untimed wave by the same 50 members first, so connection set-up, the first run of each code path,
each member's first-ever command (creating their row) and the adapter's users.info lookup (cached for five
minutes) are not counted; the figures are for members who used the bot in the last few minutes.

Run alone from the repo root: `python bench/slack_e2e.py [--quick]`.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncio
import itertools
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from pydantic import SecretStr

from adapters.slack import EVENTS_PATH, build_adapter, web_application
from bench.common import median, percentile, quiet_logging
from bench.end_to_end import IN_FLIGHT, WARM_UP_WAVES, run_alone, singles, waves
from bot.app import StudyBot
from bot.settings import Settings
from tests.standins.slack_requests import sign
from tests.standins.slack_server import TEAM_ID, Call, SlackStandIn

SECRET = "bench-signing-secret"
MEMBERS = tuple(f"U{n:05d}BENCH" for n in range(IN_FLIGHT))


@dataclass
class Sender:
    """Signs and sends slash commands as Slack does; each names its own response_url at the stand-in."""

    session: aiohttp.ClientSession
    endpoint: str
    slack: SlackStandIn
    names: itertools.count[int]

    async def command(self, user: str) -> tuple[str, float, float]:
        """Send `/roadmap next` as `user`; the response_url name, when it was sent and when its ack was back."""
        name = f"b{next(self.names)}"
        body = urlencode(
            {
                "token": "legacy",
                "team_id": TEAM_ID,
                "team_domain": "study",
                "channel_id": "C1GENERAL",
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/roadmap",
                "text": "next",
                "api_app_id": "A0APP",
                "response_url": self.slack.response_url(name),
                "trigger_id": f"trigger-{name}",
            }
        )
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(SECRET, timestamp, body),
        }
        sent_at = time.perf_counter()
        async with self.session.post(self.endpoint, data=body.encode(), headers=headers) as response:
            await response.read()
            acked_at = time.perf_counter()
            if response.status != 200:
                raise RuntimeError(f"the app answered a slash command with HTTP {response.status}")
        return name, sent_at, acked_at


class Answers:
    """The first response_url post for each name, read incrementally.

    The stand-in re-checks a wait condition after every call; scanning only the calls that are new since the last
    check keeps that cost from growing with the run.
    """

    def __init__(self, slack: SlackStandIn) -> None:
        self.slack = slack
        self.seen = 0
        self.by_name: dict[str, Call] = {}

    def update(self) -> None:
        calls = self.slack.calls
        for call in calls[self.seen :]:
            if call.method == "response_url":
                self.by_name.setdefault(call.target, call)
        self.seen = len(calls)

    def arrived(self, names: list[str]) -> bool:
        self.update()
        return all(name in self.by_name for name in names)


async def wave(sender: Sender, answers: Answers, members: tuple[str, ...] = MEMBERS) -> tuple[list[float], list[float]]:
    """Send `/roadmap next` from every one of `members` at once; milliseconds until each ack and answer arrived."""
    sent = await asyncio.gather(*(sender.command(user) for user in members))
    names = [name for name, _, _ in sent]
    await sender.slack.wait_for(lambda: answers.arrived(names))
    acks, replies = [], []
    for name, sent_at, acked_at in sent:
        answer = answers.by_name[name]
        # A fast error reply ("database unavailable") must not pass for a fast answer.
        header = ((answer.params.get("blocks") or [{}])[0].get("text") or {}).get("text", "")
        if not str(header).startswith("Topic "):
            raise RuntimeError(f"/roadmap next did not answer with a topic: {answer.params.get('text')!r}")
        acks.append((acked_at - sent_at) * 1000)
        replies.append((answer.received_at - sent_at) * 1000)
    return acks, replies


async def measure(quick: bool) -> dict[str, float]:
    """p50/p99 milliseconds from a signed slash command to its ack, and to its response_url answer; 50 in flight."""
    with quiet_logging("slack_bolt", "slack_sdk", "aiohttp"), tempfile.TemporaryDirectory() as tmp:
        slack = await SlackStandIn().start()
        for n, user in enumerate(MEMBERS):
            slack.add_user(user, f"Member {n}")
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            log_level="WARNING",
            slack_bot_token=SecretStr("xoxb-bench-token"),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=slack.api_url,
        )
        bot = await StudyBot.create(settings)
        adapter = build_adapter(bot, settings)
        # Served as `adapters.slack.run` serves it in HTTP mode: an AppRunner without an access log.
        runner = web.AppRunner(web_application(adapter.app, bot), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            await adapter.start()
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT)) as session:
                sender = Sender(session, f"http://127.0.0.1:{port}{EVENTS_PATH}", slack, itertools.count(1))
                answers = Answers(slack)
                for _ in range(WARM_UP_WAVES):
                    await wave(sender, answers)
                acks: list[float] = []
                replies: list[float] = []
                started = time.perf_counter()
                for _ in range(waves(quick)):
                    wave_acks, wave_replies = await wave(sender, answers)
                    acks += wave_acks
                    replies += wave_replies
                rate = len(acks) / (time.perf_counter() - started)
                single_acks: list[float] = []
                for n in range(singles(quick)):
                    single_acks += (await wave(sender, answers, MEMBERS[n % IN_FLIGHT : n % IN_FLIGHT + 1]))[0]
        finally:
            await adapter.close()
            await runner.cleanup()
            await bot.close()
            await slack.close()
    return {
        "slack_e2e_p50_ms": round(median(acks), 2),
        "slack_e2e_p99_ms": round(percentile(acks, 99), 2),
        "slack_e2e_samples": len(acks),
        "slack_e2e_per_s": round(rate, 1),
        "slack_answer_p50_ms": round(median(replies), 2),
        "slack_answer_p99_ms": round(percentile(replies, 99), 2),
        "slack_e2e_single_p50_ms": round(median(single_acks), 2),
        "slack_e2e_single_p99_ms": round(percentile(single_acks, 99), 2),
    }


def main(argv: list[str] | None = None) -> None:
    run_alone(__doc__.splitlines()[0], measure, argv)


if __name__ == "__main__":
    main()
