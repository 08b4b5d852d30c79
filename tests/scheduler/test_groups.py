"""Many communities due at once: claimed together, posted, and confirmed together, still each exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import StudyBot
from bot.content import Content
from bot.scheduler import claims
from bot.scheduler import service as service_module
from bot.scheduler.kinds import daily_topic
from bot.scheduler.schedules import DAILY_TOPIC
from bot.scheduler.service import SchedulerService
from bot.storage.models import Community
from bot.storage.schedule_models import Schedule, ScheduleRun
from tests.driver import Chat, FakeClock
from tests.scheduler.conftest import in_channel
from tests.scheduler.recording import RecordingPoster, Sleeps

COMMUNITIES = ("c1", "c2", "c3", "c4", "c5")
DUE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def small_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    # Groups of two: five communities make three groups, so posting overlaps claiming the next group.
    monkeypatch.setattr(service_module, "CLAIM_GROUP", 2)


async def set_everywhere(mod: Chat, line: str = "/schedule set daily-topic 09:00 UTC") -> None:
    for community in COMMUNITIES:
        await in_channel(mod.in_community(community), f"mods-{community}")("/schedule show")
        await mod.in_community(community)(line)


async def statuses(bot: StudyBot) -> dict[str, tuple[str, str]]:
    """Each community's claim: (status, claimed by)."""
    async with bot.sessions() as session:
        rows = await session.execute(
            select(Community.external_id, ScheduleRun.status, ScheduleRun.claimed_by).join(
                Community, Community.id == ScheduleRun.community_id
            )
        )
        return {external: (status, owner) for external, status, owner in rows}


async def test_every_community_due_at_once_is_posted_once_and_confirmed(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock, content: Content
) -> None:
    await set_everywhere(mod)
    clock.now = DUE
    report = await service.run_due(clock())
    assert (report.sent, report.failed, report.taken) == (5, 0, 0)
    assert sorted(p.community_id for p in poster.posts) == list(COMMUNITIES)
    assert {p.reply.title for p in poster.posts} == {f"Topic of the day: {content.topics[0].title}"}
    assert await statuses(bot) == {c: (claims.SENT, "test-1") for c in COMMUNITIES}
    async with bot.sessions() as session:
        schedules = list(await session.scalars(select(Schedule)))
    assert {s.position for s in schedules} == {1}  # every roadmap cursor moved once
    assert {s.next_due_at for s in schedules} == {datetime(2026, 11, 25, 9, 0, tzinfo=UTC)}
    metrics = bot.metrics.render().decode()
    assert 'studybot_scheduled_posts_total{kind="daily-topic",outcome="sent"} 5.0' in metrics

    assert (await service.run_due(clock())).sent == 0  # nothing is due twice
    clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert (await service.run_due(clock())).sent == 5
    assert {p.reply.title for p in poster.posts[5:]} == {f"Topic of the day: {content.topics[1].title}"}


async def test_occurrences_another_process_claimed_are_left_to_it(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    await set_everywhere(mod)
    clock.now = DUE
    async with bot.sessions() as session, session.begin():
        ids = dict((await session.execute(select(Community.external_id, Community.id))).all())
        for community in ("c2", "c5"):  # the other process is posting these right now
            await claims.claim(session, ids[community], DAILY_TOPIC, DUE, "other-process", clock.now)
    report = await service.run_due(clock())
    assert (report.sent, report.taken) == (3, 2)
    assert sorted(p.community_id for p in poster.posts) == ["c1", "c3", "c4"]
    found = await statuses(bot)
    assert found["c2"] == found["c5"] == (claims.CLAIMED, "other-process")  # untouched
    assert {found[c] for c in ("c1", "c3", "c4")} == {(claims.SENT, "test-1")}


async def test_two_processes_running_at_once_post_each_community_once(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    await set_everywhere(mod)
    clock.now = DUE
    other = SchedulerService(bot, sleep=Sleeps(), owner="test-2")
    first, second = await asyncio.gather(service.run_due(clock()), other.run_due(clock()))
    assert first.sent + second.sent == 5
    assert sorted(p.community_id for p in poster.posts) == list(COMMUNITIES)
    assert {status for status, _ in (await statuses(bot)).values()} == {claims.SENT}


async def test_a_failing_channel_in_a_group_fails_only_its_own_post(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock, sleeps: Sleeps
) -> None:
    await set_everywhere(mod)
    await in_channel(mod.in_community("c3"), "locked")("/schedule set daily-topic 09:00 UTC")
    await in_channel(mod.in_community("c3"), "mods-c3")("/schedule show")
    poster.failing.add("locked")
    clock.now = DUE
    report = await service.run_due(clock())
    assert (report.sent, report.failed) == (4, 1)
    assert [d for d in sleeps.delays if d >= 1.5] == [2.0, 10.0, 30.0]  # only the failing post was retried
    found = await statuses(bot)
    assert found.pop("c3")[0] == claims.FAILED
    assert {status for status, _ in found.values()} == {claims.SENT}
    notices = [p for p in poster.posts if p.channel_id.startswith("mods-")]
    assert [p.channel_id for p in notices] == ["mods-c3"]
    assert "could not be posted to #locked after 4 attempts: Missing Access" in notices[0].reply.text
    async with bot.sessions() as session:
        run = await session.scalar(
            select(ScheduleRun)
            .join(Community, Community.id == ScheduleRun.community_id)
            .where(Community.external_id == "c1")
        )
    assert run is not None and run.link and run.link.startswith("test://c1/general/")


async def test_a_post_waiting_out_its_retries_holds_up_only_its_own_confirmation(
    bot: StudyBot, mod: Chat, poster: RecordingPoster, clock: FakeClock
) -> None:
    await set_everywhere(mod)
    await in_channel(mod.in_community("c1"), "locked")("/schedule set daily-topic 09:00 UTC")
    poster.failing.add("locked")
    retry_may_go = asyncio.Event()

    async def sleep(seconds: float) -> None:
        if seconds >= 1.5:  # a retry's back-off, not the spacing between two posts to one channel
            await retry_may_go.wait()

    service = SchedulerService(bot, sleep=sleep, owner="test-1")
    clock.now = DUE
    running = asyncio.create_task(service.run_due(clock()))
    try:
        # The four other communities are posted and confirmed while c1's post is still waiting to retry.
        for _ in range(1000):
            found = await statuses(bot)
            if sorted(c for c, (status, _) in found.items() if status == claims.SENT) == ["c2", "c3", "c4", "c5"]:
                break
            await asyncio.sleep(0.01)
        assert found == {"c1": (claims.CLAIMED, "test-1"), **{c: (claims.SENT, "test-1") for c in COMMUNITIES[1:]}}
        assert not running.done()
    finally:
        retry_may_go.set()
        report = await asyncio.wait_for(running, 10)
    assert (report.sent, report.failed) == (4, 1)
    assert (await statuses(bot))["c1"][0] == claims.FAILED


async def test_a_post_that_cannot_be_prepared_fails_alone_and_the_rest_of_its_group_is_posted(
    bot: StudyBot,
    mod: Chat,
    service: SchedulerService,
    poster: RecordingPoster,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await set_everywhere(mod)
    await mod.in_community("c2")("/schedule set daily-topic 09:00 UTC daily median")

    async def broken(*_: object) -> None:
        raise RuntimeError("broken content")

    monkeypatch.setattr(daily_topic, "_median_topic", broken)
    clock.now = DUE
    report = await service.run_due(clock())
    assert (report.sent, report.failed) == (4, 1)
    assert sorted(p.community_id for p in poster.posts) == ["c1", "c3", "c4", "c5"]
    found = await statuses(bot)
    assert found.pop("c2")[0] == claims.FAILED
    assert {status for status, _ in found.values()} == {claims.SENT}
    assert (await service.run_due(clock())).failed == 0  # recorded, not retried on every tick


async def test_several_missed_occurrences_of_each_community_go_out_in_order(
    bot: StudyBot,
    mod: Chat,
    service: SchedulerService,
    poster: RecordingPoster,
    clock: FakeClock,
    content: Content,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await set_everywhere(mod)
    monkeypatch.setattr(bot.settings, "schedule_grace_minutes", 3 * 24 * 60)
    clock.now = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # down for three days: three occurrences each
    report = await service.run_due(clock())
    assert report.sent == 15
    for community in COMMUNITIES:
        titles = [p.reply.title for p in poster.posts if p.community_id == community]
        assert titles == [f"Topic of the day: {t.title}" for t in content.topics[:3]]
