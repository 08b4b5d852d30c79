"""Scale-out on PostgreSQL: two `studybot slack` web processes and two Discord shard processes share one database.

Real subprocesses, started as a Procfile host or systemd would (environment variables only), against the real
PostgreSQL server and the stand-in Slack and Discord. The test drives commands through every process, then checks
one consistent leaderboard, one scheduler leader per platform, exactly one post per scheduled occurrence, and
that after the leaders are killed (SIGKILL) the survivors take over and post the next occurrence exactly once.

Scheduled times are minutes of the wall clock; the test cannot wait for them. It writes each schedule as a
moderator's `/schedule set` would (`bot.scheduler.schedules.save`) with "now" a minute before an occurrence that
has just passed, so the occurrence is due at once and the leader posts it on its next tick, as after a short outage.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.content import Content
from bot.points import RULES
from bot.scheduler.schedules import DAILY_TOPIC, Plan, save
from bot.storage.engine import create_engine, session_factory
from bot.storage.models import Community, Member, PointEvent
from bot.storage.schedule_models import ScheduleRun
from tests.adapters.discord_support import ADA as DISCORD_ADA
from tests.adapters.discord_support import BOB as DISCORD_BOB
from tests.adapters.discord_support import GENERAL, GUILD, OTHER
from tests.adapters.slack_rig import ADA, BOB, GRACE, SECRET, all_text
from tests.databases import PG_ENV, postgres_url
from tests.ops.processes import (
    StudybotProcess,
    clean_env,
    eventually,
    get_json,
    get_text,
    temporary_database,
)
from tests.standins.discord_server import DiscordStandIn
from tests.standins.slack_requests import SlackRequests
from tests.standins.slack_server import TEAM_ID, SlackStandIn

pytestmark = pytest.mark.skipif(postgres_url() is None, reason=f"{PG_ENV} is not set: the scale-out test needs it")

SLACK_TOKEN = "xoxb-scale-out-test-token"
START = 45.0  # imports, login, command sync, gateway: a loaded machine with four processes starting at once
STEP = 20.0  # any later side effect (a reply, a post, a takeover)
SLACK_CHANNEL = "C1GENERAL"
DISCORD_CHANNELS = {GUILD.id: GENERAL.id, OTHER.id: OTHER.channels[0].id}


@asynccontextmanager
async def stand_ins() -> AsyncIterator[tuple[SlackStandIn, DiscordStandIn]]:
    slack = await SlackStandIn().start()
    slack.add_user(ADA, "Ada")
    slack.add_user(BOB, "Bob")
    slack.add_user(GRACE, "Grace", admin=True)
    discord = DiscordStandIn((GUILD, OTHER))
    await discord.start()
    try:
        yield slack, discord
    finally:
        await discord.close()
        await slack.close()


class Deployment:
    """The four processes of one deployment and what they talk to."""

    def __init__(self, slack: SlackStandIn, discord: DiscordStandIn, url: str, ports: list[int], cwd: Path) -> None:
        self.slack_standin = slack
        self.discord_standin = discord
        self.url = url
        common = clean_env(
            DATABASE_URL=url,
            LOG_FORMAT="json",
            LOG_LEVEL="INFO",
            SCHEDULER_TICK_SECONDS="1",
            SLACK_BOT_TOKEN=SLACK_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            DISCORD_TOKEN=discord.token,
            DISCORD_API_BASE_URL=discord.api_url,
            DISCORD_GATEWAY_URL=discord.gateway_url,
        )
        self.common = common
        self.cwd = cwd
        self.web = [StudybotProcess(f"web.{n + 1}", ["slack"], common | {"PORT": str(ports[n])}, cwd) for n in range(2)]
        self.shards = [
            StudybotProcess(
                f"discord.{n}",
                ["discord"],
                common | {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": str(n), "METRICS_PORT": str(ports[2 + n])},
                cwd,
            )
            for n in range(2)
        ]
        self.status_url = {p.name: f"http://127.0.0.1:{p.env.get('PORT') or p.env['METRICS_PORT']}" for p in self.all}
        self.names = itertools.count(1)
        self.requests = {
            p.name: SlackRequests(f"{self.status_url[p.name]}/slack/events", SECRET, slack) for p in self.web
        }

    @property
    def all(self) -> list[StudybotProcess]:
        return [*self.web, *self.shards]

    def logs(self) -> str:
        return "\n".join(p.logs() for p in self.all)

    async def health(self, process: StudybotProcess) -> dict[str, Any] | None:
        answer = await get_json(f"{self.status_url[process.name]}/healthz")
        return answer[1] if answer else None

    async def ready(self, process: StudybotProcess) -> bool:
        assert process.running, f"{process.name} exited early\n{process.logs()}"
        health = await self.health(process)
        return bool(health and health["ok"] and health["scheduler"] in ("leader", "follower"))

    async def roles(self, processes: list[StudybotProcess]) -> list[str]:
        return [((await self.health(p)) or {}).get("scheduler", "down") for p in processes]

    async def leader_of(self, processes: list[StudybotProcess]) -> StudybotProcess | None:
        roles = await self.roles(processes)
        return processes[roles.index("leader")] if sorted(roles) == ["follower", "leader"] else None

    async def slack_command(self, process: StudybotProcess, line: str, user: str) -> str:
        """A signed slash command to one web process; the text of its answer at the response_url."""
        command, _, rest = line.partition(" ")
        name = f"{process.name}-{next(self.names)}"  # response_urls are told apart across processes
        ack, _ = await self.requests[process.name].command(command, rest, user=user, channel=SLACK_CHANNEL, name=name)
        assert ack.status == 200, (ack.status, ack.text)
        (answer,) = await self.slack_standin.wait_responses(name)
        return all_text(answer)


def finished_commands(process: StudybotProcess) -> list[dict[str, Any]]:
    return [r for r in process.records() if r.get("message") == "command finished"]


def slack_posts(slack: SlackStandIn) -> list[str]:
    return [all_text(c.params) for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == SLACK_CHANNEL]


def discord_posts(discord: DiscordStandIn, channel_id: str) -> list[str]:
    found = []
    for request in discord.calls("POST", rf"/channels/{channel_id}/messages"):
        embeds = (request.body or {}).get("embeds") or []
        found.append("\n".join(str(e.get("title", "")) for e in embeds))
    return found


def daily_titles(posts: list[str]) -> list[str]:
    """The daily topic's title of each post that is one (a Slack message carries it in its text and blocks)."""
    titles = []
    for post in posts:
        lines = [line for line in post.splitlines() if line.startswith("Topic of the day: ")]
        if lines:
            titles.append(lines[0])
    return titles


async def set_daily_topic(url: str, occurrence: datetime) -> None:
    """Schedule the daily topic of every community at `occurrence`'s wall-clock minute (UTC), as a moderator
    would have a minute before it: the occurrence is due now and not yet handled."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with session_factory(engine)() as session, session.begin():
            communities = (await session.scalars(select(Community))).all()
            assert {(c.platform, c.external_id) for c in communities} == {
                ("slack", TEAM_ID),
                ("discord", GUILD.id),
                ("discord", OTHER.id),
            }
            plan = Plan(DAILY_TOPIC, occurrence.hour, occurrence.minute, "UTC", "daily", 1, "in-order")
            for community in communities:
                channel = SLACK_CHANNEL if community.platform == "slack" else DISCORD_CHANNELS[community.external_id]
                schedule = await save(session, community, plan, channel, occurrence - timedelta(minutes=1))
                assert schedule.next_due_at == occurrence
    finally:
        await engine.dispose()


async def member_points(url: str) -> dict[str, int]:
    return (await database_facts(url))[0]


def shows_points(board: str, expected: dict[str, int]) -> bool:
    """True when the leaderboard's text gives each member the points the database holds."""
    return all(re.search(rf"\b{name}\b.*\b{points} points", board) for name, points in expected.items())


async def database_facts(url: str) -> tuple[dict[str, int], dict[str, int], Counter[tuple[int, datetime]], list[str]]:
    """Points per member, the ledger's sum per member, claims per occurrence, and the claims' statuses."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with session_factory(engine)() as session:
            points = {m.external_id: m.points for m in await session.scalars(select(Member))}
            ledger_rows = await session.execute(
                select(Member.external_id, func.coalesce(func.sum(PointEvent.points), 0))
                .outerjoin(PointEvent, (PointEvent.member_id == Member.id) & PointEvent.revoked_at.is_(None))
                .group_by(Member.external_id)
            )
            ledger = {external_id: int(total) for external_id, total in ledger_rows}
            runs = (await session.scalars(select(ScheduleRun))).all()
            claims = Counter((r.community_id, r.occurrence_at) for r in runs)
            return points, ledger, claims, [r.status for r in runs]
    finally:
        await engine.dispose()


async def test_two_web_processes_and_two_shards_share_one_database(
    tmp_path: Path, content: Content, unused_tcp_port_factory: Any
) -> None:
    server = postgres_url()
    assert server is not None
    ports = [unused_tcp_port_factory() for _ in range(4)]
    async with asyncio.timeout(85), AsyncExitStack() as stack:
        url = await stack.enter_async_context(temporary_database(server, "studybot_scale"))
        slack, discord = await stack.enter_async_context(stand_ins())
        deployment = Deployment(slack, discord, url, ports, tmp_path)

        # The release phase, then every process of the Procfile at once.
        release = await StudybotProcess("release", ["db", "upgrade"], deployment.common, tmp_path).start()
        assert await asyncio.wait_for(release.process.wait(), START) == 0, release.logs()  # type: ignore[union-attr]
        for process in deployment.all:
            await process.start()
            stack.push_async_callback(process.stop)
        try:
            for process in deployment.all:
                await eventually(lambda p=process: deployment.ready(p), f"{process.name} to be ready", START)
            await eventually(lambda: discord.connected == 2, "both shards on the gateway", STEP)
            # One scheduler leader per platform, whichever process got the lock first.
            await eventually(lambda: deployment.leader_of(deployment.web), "one Slack leader", STEP)
            await eventually(lambda: deployment.leader_of(deployment.shards), "one Discord leader", STEP)

            await drive_commands(deployment, content)
            await check_logs(deployment)

            first = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=2)
            await set_daily_topic(url, first)
            await eventually(lambda: all_posted(deployment, 1), "the first daily topics", STEP)

            # Kill both leaders; the survivors take over and post the next occurrence, once.
            web_leader = await deployment.leader_of(deployment.web)
            shard_leader = await deployment.leader_of(deployment.shards)
            assert web_leader is not None and shard_leader is not None
            for leader in (web_leader, shard_leader):
                leader.kill()
                assert await asyncio.wait_for(leader.process.wait(), STEP) == -9  # type: ignore[union-attr]
            web_survivor = next(p for p in deployment.web if p is not web_leader)
            shard_survivor = next(p for p in deployment.shards if p is not shard_leader)
            for survivor in (web_survivor, shard_survivor):
                await eventually(lambda p=survivor: _is_leader(deployment, p), f"{survivor.name} to take over", STEP)

            await set_daily_topic(url, first + timedelta(minutes=1))
            await eventually(lambda: all_posted(deployment, 2), "the next daily topics", STEP)

            # The survivors still agree on the standings after more commands.
            await deployment.slack_command(web_survivor, f"/roadmap done {content.topics[2].id}", BOB)
            board = await deployment.slack_command(web_survivor, "/leaderboard show", GRACE)
            points = await member_points(url)
            assert points[BOB] == 2 * RULES.topic_done
            assert shows_points(board, {"Ada": points[ADA], "Bob": points[BOB]})

            await check_exactly_once(deployment, content, url)
            await check_metrics(deployment, web_survivor, shard_survivor)
            await check_status(deployment)
        except BaseException:
            print(deployment.logs())
            raise


async def _is_leader(deployment: Deployment, process: StudybotProcess) -> bool:
    return await deployment.roles([process]) == ["leader"]


def all_posted(deployment: Deployment, count: int) -> bool:
    slack = daily_titles(slack_posts(deployment.slack_standin))
    guild = daily_titles(discord_posts(deployment.discord_standin, DISCORD_CHANNELS[GUILD.id]))
    other = daily_titles(discord_posts(deployment.discord_standin, DISCORD_CHANNELS[OTHER.id]))
    return len(slack) >= count and len(guild) >= count and len(other) >= count


async def drive_commands(deployment: Deployment, content: Content) -> None:
    """Commands through both web processes at once, and through each shard for the guild it holds."""
    web1, web2 = deployment.web
    t0, t1 = content.topics[0].id, content.topics[1].id
    answers = await asyncio.gather(
        deployment.slack_command(web1, f"/roadmap done {t0}", ADA),
        deployment.slack_command(web2, f"/roadmap done {t0}", ADA),  # the same step, racing on the other process
        deployment.slack_command(web2, f"/roadmap done {t1}", ADA),
        deployment.slack_command(web2, f"/roadmap done {t0}", BOB),
        deployment.slack_command(web1, f"/roadmap start {t1}", BOB),
    )
    assert all("Something went wrong" not in a for a in answers), answers
    # Every web process answers from the same shared state: one leaderboard, each step counted once.
    boards = await asyncio.gather(
        deployment.slack_command(web1, "/leaderboard show", GRACE),
        deployment.slack_command(web2, "/leaderboard show", GRACE),
    )
    assert boards[0] == boards[1]
    points = await member_points(deployment.url)
    # Ada's topic finished through both processes at once counted once: two topics, not three.
    assert (points[ADA], points[BOB]) == (2 * RULES.topic_done, RULES.topic_done)
    assert shows_points(boards[0], {"Ada": points[ADA], "Bob": points[BOB]})

    discord = deployment.discord_standin
    sent = [
        await discord.slash("roadmap done", DISCORD_ADA, in_guild=GUILD, topic=t0),
        await discord.slash("roadmap done", DISCORD_BOB, in_guild=OTHER, topic=t0),
    ]
    for interaction in sent:
        shown = await interaction.shown()
        assert "Done" in shown[0].text, shown[0].text
    # Each guild's interaction reached the process running its shard, and only that one.
    for process, guild, elsewhere in ((deployment.shards[0], GUILD, OTHER), (deployment.shards[1], OTHER, GUILD)):
        communities = {r["community"] for r in finished_commands(process)}
        assert guild.id in communities and elsewhere.id not in communities, (process.name, communities)


async def check_logs(deployment: Deployment) -> None:
    """Every process wrote JSON lines; each command's record names community, command, outcome and latency."""
    for process in deployment.all:
        records = finished_commands(process)
        assert records, f"{process.name} logged no command\n{process.logs()}"
        for record in records:
            assert record["platform"] == ("slack" if process in deployment.web else "discord")
            assert record["command"] and record["outcome"] == "ok"
            assert record["community"] and isinstance(record["latency_ms"], int | float)
        text = "\n".join(process.lines)
        for secret in (SLACK_TOKEN, SECRET, deployment.discord_standin.token):
            assert secret not in text, f"{process.name} logged a secret"


async def check_exactly_once(deployment: Deployment, content: Content, url: str) -> None:
    points, ledger, claims, statuses = await database_facts(url)
    assert points == ledger  # every member's points are exactly their ledger, whichever process wrote them
    assert set(claims.values()) == {1} and len(claims) == 6  # 3 communities x 2 occurrences, one claim each
    assert statuses == ["sent"] * 6
    expected = [f"Topic of the day: {content.topics[0].title}", f"Topic of the day: {content.topics[1].title}"]
    # Exactly one post per occurrence, and the rotation moved one step per occurrence.
    assert daily_titles(slack_posts(deployment.slack_standin)) == expected
    for channel in DISCORD_CHANNELS.values():
        assert daily_titles(discord_posts(deployment.discord_standin, channel)) == expected


async def check_metrics(deployment: Deployment, web: StudybotProcess, shard: StudybotProcess) -> None:
    web_metrics = await get_text(f"{deployment.status_url[web.name]}/metrics")
    shard_metrics = await get_text(f"{deployment.status_url[shard.name]}/metrics")
    # The new leaders posted the occurrence after the takeover: one Slack community, two Discord guilds.
    assert _sample(web_metrics, 'studybot_scheduled_posts_total{kind="daily-topic",outcome="sent"}') == 1
    assert _sample(shard_metrics, 'studybot_scheduled_posts_total{kind="daily-topic",outcome="sent"}') == 2
    assert _sample(web_metrics, 'studybot_commands_total{command="roadmap done",outcome="ok"}') >= 1
    assert _sample(shard_metrics, 'studybot_command_seconds_count{command="roadmap done"}') == 1


def _sample(metrics: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", metrics, re.M)
    assert match, f"{name} missing from\n{metrics}"
    return float(match[1])


async def check_status(deployment: Deployment) -> None:
    """`studybot status` sees both leaders in PostgreSQL, the live processes, and every community's next post."""
    probes = [arg for p in deployment.all if p.running for arg in ("--probe", deployment.status_url[p.name])]
    status = StudybotProcess("status", ["status", *probes], deployment.common, deployment.cwd, stdout=True)
    await status.start()
    assert status.process is not None and status.process.stdout is not None
    stdout = (await asyncio.wait_for(status.process.stdout.read(), STEP)).decode()
    code = await asyncio.wait_for(status.process.wait(), STEP)
    await status.stop()
    assert code == 0, stdout + status.logs()
    assert "scheduler: leader election (PostgreSQL)" in stdout
    assert re.search(r"^  slack: led by server process \d+", stdout, re.M), stdout
    assert re.search(r"^  discord: led by server process \d+", stdout, re.M), stdout
    assert stdout.count("ok; database ok; scheduler leader;") == 2  # the two survivors, both leading now
    for community in (TEAM_ID, GUILD.id, OTHER.id):
        assert re.search(rf"^  (slack|discord) {community}\b.*\n    daily-topic ", stdout, re.M), stdout
