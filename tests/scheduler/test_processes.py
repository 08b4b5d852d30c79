"""Several scheduler processes on one database: exactly one post per occurrence, one leader, and failover.

Each "process" is a StudyBot with its own engine (its own connections) on the same database, and its own
SchedulerService and platform poster, as two `studybot` processes would have.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.app import StudyBot
from bot.scheduler import attach
from bot.scheduler.service import SchedulerService
from bot.storage.engine import create_engine
from tests.databases import backends
from tests.driver import Chat, FakeClock
from tests.scheduler.recording import RecordingPoster, Sleeps

COMMUNITIES = 12
SQLITE_ONLY, POSTGRES_ONLY = backends()[:1], backends()[1:]


@asynccontextmanager
async def second_process(bot: StudyBot) -> AsyncIterator[StudyBot]:
    """Another bot on the same database: the same PostgreSQL schema or the same SQLite file."""
    url = bot.engine.url.render_as_string(hide_password=False)
    if bot.engine.dialect.name == "postgresql":
        async with bot.engine.connect() as conn:
            schema = await conn.scalar(text("SELECT current_schema()"))
        engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    else:
        engine = create_engine(url)
    try:
        yield StudyBot(bot.settings, bot.content, engine, clock=bot.clock)
    finally:
        await engine.dispose()


def instance(bot: StudyBot, name: str) -> tuple[SchedulerService, RecordingPoster]:
    poster = RecordingPoster()
    bot.posters[poster.platform] = poster
    return SchedulerService(bot, sleep=Sleeps(), owner=name, channel_spacing=0), poster


async def test_two_processes_running_due_work_at_once_post_each_occurrence_exactly_once(
    bot: StudyBot, mod: Chat, clock: FakeClock
) -> None:
    for n in range(COMMUNITIES):
        community = mod.in_community(f"c{n}")
        await community("/schedule set daily-topic 09:00 UTC")
        await community("/schedule set trends 09:00 UTC tue")
        await community.as_user(f"a{n}")("/meetup join")
        await community.as_user(f"b{n}")("/meetup join")
        await community("/schedule set meetups 09:00 UTC tue")
    first, first_poster = instance(bot, "one")
    async with second_process(bot) as other:
        second, second_poster = instance(other, "two")
        for day in (24, 25, 26):  # Tuesday 24 November has all three kinds
            clock.now = datetime(2026, 11, day, 9, 0, tzinfo=UTC)
            await asyncio.gather(first.run_due(clock()), second.run_due(clock()), first.run_due(clock()))
    posts = first_poster.posts + second_poster.posts
    per_occurrence = Counter((p.community_id, p.reply.title) for p in posts)
    assert set(per_occurrence.values()) == {1}  # no occurrence posted twice
    daily = [p for p in posts if (p.reply.title or "").startswith("Topic of the day")]
    assert len(daily) == 3 * COMMUNITIES
    assert len([p for p in posts if p.reply.title == "Trends this week"]) == COMMUNITIES
    assert len([p for p in posts if p.reply.title == "Meetup round 1"]) == COMMUNITIES
    assert len(posts) == 5 * COMMUNITIES


async def pg_terminate(bot: StudyBot, pid: int) -> None:
    async with bot.engine.connect() as conn:
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


async def until_leader(service: SchedulerService, attempts: int = 50) -> None:
    """Tick until the service leads; the old leader's server process needs a moment to exit."""
    for _ in range(attempts):
        await service.tick()
        if service.led:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the follower never took over")


@pytest.mark.parametrize("backend", POSTGRES_ONLY, indirect=True)
async def test_one_leader_and_a_follower_takes_over_when_the_leaders_connection_dies(
    bot: StudyBot, backend: str, mod: Chat, clock: FakeClock
) -> None:
    await mod("/schedule set daily-topic 09:00 UTC")
    leader, leader_poster = instance(bot, "one")
    async with second_process(bot) as other:
        follower, follower_poster = instance(other, "two")
        try:
            await leader.tick()
            await follower.tick()
            assert (leader.led, follower.led) == ({"test"}, set())

            clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
            await follower.tick()  # a follower does nothing
            await leader.tick()
            assert (len(leader_poster.posts), len(follower_poster.posts)) == (1, 0)

            assert leader.leadership.backend_pid is not None
            await pg_terminate(bot, leader.leadership.backend_pid)  # the leader's lock connection dies
            await until_leader(follower)  # the server freed the lock: the follower takes over
            await leader.tick()
            assert leader.led == set()  # the old leader noticed, stepped down, and stays a follower

            clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
            await leader.tick()
            await follower.tick()
            assert (len(leader_poster.posts), len(follower_poster.posts)) == (1, 1)
        finally:
            await leader.stop()
            await follower.stop()


@pytest.mark.parametrize("backend", POSTGRES_ONLY, indirect=True)
async def test_a_leader_that_stops_hands_over_at_once(bot: StudyBot, backend: str) -> None:
    leader, _ = instance(bot, "one")
    async with second_process(bot) as other:
        follower, _ = instance(other, "two")
        await leader.tick()
        await follower.tick()
        assert (leader.led, follower.led) == ({"test"}, set())
        await leader.stop()
        await follower.tick()
        assert follower.led == {"test"}
        await follower.stop()


@pytest.mark.parametrize("backend", POSTGRES_ONLY, indirect=True)
async def test_leadership_is_per_platform(bot: StudyBot, backend: str) -> None:
    one, _ = instance(bot, "one")
    async with second_process(bot) as other:
        two, _ = instance(other, "two")
        other.posters["slack"] = RecordingPoster(platform="slack")
        await one.tick()
        await two.tick()
        assert (one.led, two.led) == ({"test"}, {"slack"})
        await one.stop()
        await two.stop()


@pytest.mark.parametrize("backend", SQLITE_ONLY, indirect=True)
async def test_on_sqlite_the_single_process_leads(bot: StudyBot, backend: str) -> None:
    service, _ = instance(bot, "one")
    await service.tick()
    assert service.led == {"test"} and not service.leadership.shared


async def test_apscheduler_jobs_follow_schedule_changes_at_once(bot: StudyBot, mod: Chat) -> None:
    service = attach(bot, sleep=Sleeps(), tick_seconds=3600)
    poster = RecordingPoster()
    try:
        await bot.attach_poster(poster)  # the adapter is ready: the service starts and leads
        for _ in range(100):
            if service.led:
                break
            await asyncio.sleep(0.05)
        assert service.running and service.led == {"test"}
        assert bot.health.scheduler_role == "leader"
        assert service.scheduler is not None

        await mod("/schedule set daily-topic 09:00 Europe/Berlin")
        jobs = {j.id: j for j in service.scheduler.get_jobs() if j.id != "tick"}
        assert len(jobs) == 1
        job = next(iter(jobs.values()))
        assert str(job.trigger.timezone) == "Europe/Berlin"
        assert f"{job.next_run_time:%H:%M}" == "09:00" and str(job.next_run_time.tzinfo) == "Europe/Berlin"

        await mod("/schedule set daily-topic 18:30 Asia/Tokyo weekdays")  # no restart needed
        job = service.scheduler.get_job(job.id)
        assert job is not None and str(job.trigger.timezone) == "Asia/Tokyo"
        assert f"{job.next_run_time:%H:%M}" == "18:30" and job.next_run_time.weekday() < 5

        await mod("/schedule off daily-topic")
        assert [j.id for j in service.scheduler.get_jobs()] == ["tick"]
    finally:
        await service.stop()
    assert not service.running and bot.health.scheduler_role == "off"
