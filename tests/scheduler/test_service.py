"""The scheduler's `run_due` entry point on SQLite and PostgreSQL, driven by a fake clock (never by sleeping)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import StudyBot
from bot.content import Content
from bot.scheduler import claims
from bot.scheduler.service import SchedulerService
from bot.storage.schedule_models import Schedule, ScheduleRun
from tests.driver import Chat, FakeClock
from tests.scheduler.conftest import in_channel
from tests.scheduler.recording import Crash, RecordingPoster, Sleeps


async def runs(bot: StudyBot) -> list[tuple[str, datetime, str]]:
    async with bot.sessions() as session:
        rows = await session.execute(
            select(ScheduleRun.kind, ScheduleRun.occurrence_at, ScheduleRun.status).order_by(ScheduleRun.occurrence_at)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_the_daily_topic_walks_the_roadmap_once_a_day(
    mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock, content: Content
) -> None:
    reply = await mod("/schedule set daily-topic 09:00 Europe/Berlin")
    assert "Next: Tue 24 Nov 09:00 (Europe/Berlin)" in reply.text  # 09:00 UTC is 10:00 in Berlin: tomorrow
    assert (await service.run_due(clock())).sent == 0

    for day in range(3):
        clock.now = datetime(2026, 11, 24 + day, 8, 0, tzinfo=UTC)  # 09:00 in Berlin (winter time)
        report = await service.run_due(clock())
        assert report.sent == 1
        assert (await service.run_due(clock())).sent == 0  # the same instant again posts nothing
        clock.advance(minutes=5)
        assert (await service.run_due(clock())).sent == 0
    titles = [p.reply.title for p in poster.posts]
    assert titles == [f"Topic of the day: {t.title}" for t in content.topics[:3]]
    first = poster.posts[0]
    assert (first.community_id, first.channel_id) == ("c1", "general")
    assert first.reply.visibility.value == "public"
    assert {f.name for f in first.reply.fields} >= {"Why it matters", "Resources", "Practice"}
    assert f"roadmap done {content.topics[0].id}" in [b.command for b in first.reply.buttons]
    assert [status for _, _, status in await runs(service.bot)] == ["sent"] * 3
    metrics = service.bot.metrics.render().decode()
    assert 'studybot_scheduled_posts_total{kind="daily-topic",outcome="sent"} 3.0' in metrics


async def test_each_community_posts_at_its_own_local_time(
    mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    await mod("/schedule set daily-topic 09:00 Asia/Tokyo")
    await mod.in_community("c2")("/schedule set daily-topic 09:00 America/New_York")
    posted_at: dict[str, list[datetime]] = {"c1": [], "c2": []}
    end = clock.now + timedelta(days=2)
    while clock.now < end:
        clock.advance(minutes=30)
        before = len(poster.posts)
        await service.run_due(clock())
        for p in poster.posts[before:]:
            posted_at[p.community_id].append(clock.now)
    assert posted_at["c1"] == [datetime(2026, 11, 24, 0, 0, tzinfo=UTC), datetime(2026, 11, 25, 0, 0, tzinfo=UTC)]
    assert posted_at["c2"] == [datetime(2026, 11, 23, 14, 0, tzinfo=UTC), datetime(2026, 11, 24, 14, 0, tzinfo=UTC)]


async def test_a_post_stays_at_nine_across_the_spring_change(
    mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    await mod("/schedule set daily-topic 09:00 Europe/Berlin")
    fired: list[datetime] = []
    while clock.now < datetime(2026, 3, 31, 12, tzinfo=UTC):
        clock.advance(minutes=15)
        if (await service.run_due(clock())).sent:
            fired.append(clock.now)
    assert [f"{t:%d %H:%M}" for t in fired] == ["28 08:00", "29 07:00", "30 07:00", "31 07:00"]


async def test_missed_occurrences_within_grace_are_posted_once_and_older_ones_skipped_with_a_log_line(
    mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    await mod("/schedule set daily-topic 09:00 UTC")  # next: Tue 24 Nov 09:00
    clock.now = datetime(2026, 11, 24, 9, 40, tzinfo=UTC)  # down at 09:00, back within the hour of grace
    assert (await service.run_due(clock())).sent == 1

    clock.now = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)  # down for three days
    with caplog.at_level(logging.WARNING, logger="bot.scheduler.service"):
        report = await service.run_due(clock())
    assert (report.sent, report.skipped) == (1, 2)  # Wed and Thu skipped, Fri posted
    metrics = service.bot.metrics.render().decode()
    assert 'studybot_scheduled_posts_total{kind="daily-topic",outcome="skipped"} 2.0' in metrics
    assert 'studybot_scheduled_posts_total{kind="daily-topic",outcome="late"} 2.0' in metrics
    skipped = [r.getMessage() for r in caplog.records if "skipped the daily-topic post" in r.getMessage()]
    assert len(skipped) == 2 and "beyond the grace window of 60 min" in skipped[0]
    assert [s for _, _, s in await runs(service.bot)] == ["sent", "skipped", "skipped", "sent"]

    clock.now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # three hours late: outside the grace window
    report = await service.run_due(clock())
    assert (report.sent, report.skipped) == (0, 1)
    assert len(poster.posts) == 2


async def test_a_crash_between_claim_and_send_never_posts_twice(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    await in_channel(mod, "mods")("/schedule show")  # problems are reported in #mods from now on
    await mod("/schedule set daily-topic 09:00 UTC")
    await in_channel(mod, "mods")("/schedule show")
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    poster.crash_on.add("general")
    with pytest.raises(Crash):
        await service.run_due(clock())  # the process dies while posting
    assert poster.posts == []
    assert await runs(bot) == [("daily-topic", clock.now, claims.CLAIMED)]

    # A new process starts with a working platform: the claimed occurrence is not posted again.
    restarted = SchedulerService(bot, sleep=Sleeps(), owner="test-2")
    clock.advance(minutes=2)
    report = await restarted.run_due(clock())
    assert (report.sent, report.taken) == (0, 1)
    assert poster.posts == []

    # Once the lease has passed the claim is marked abandoned and moderators are told; still no post.
    clock.advance(minutes=20)
    report = await restarted.run_due(clock())
    assert report.abandoned == 1 and report.sent == 0
    assert [p.channel_id for p in poster.posts] == ["mods"]
    assert "may not have been posted" in poster.posts[0].reply.text
    assert (await runs(bot))[0][2] == claims.ABANDONED

    clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # the next day posts normally
    assert (await restarted.run_due(clock())).sent == 1


async def test_a_failed_post_is_retried_with_backoff_then_reported_to_moderators(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock, sleeps: Sleeps
) -> None:
    await mod("/schedule set daily-topic 09:00 UTC")
    await in_channel(mod, "mods")("/schedule show")
    poster.failing.add("general")
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    report = await service.run_due(clock())
    assert (report.sent, report.failed) == (0, 1)
    assert poster.attempts == 4 + 1  # four attempts at the post, one report
    assert [d for d in sleeps.delays if d >= 1.5] == [2.0, 10.0, 30.0]
    assert [p.channel_id for p in poster.posts] == ["mods"]
    assert "could not be posted to #general after 4 attempts: Missing Access" in poster.posts[0].reply.text
    assert (await runs(bot))[0][2] == claims.FAILED
    assert (await service.run_due(clock())).failed == 0  # a failed occurrence is not retried for ever
    show = await mod("/schedule show")
    assert "FAILED: Missing Access" in str(show.fields)


async def test_a_dry_run_shows_the_posts_and_claims_nothing(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    await mod("/schedule set daily-topic 09:00 UTC")
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    report = await service.run_due(clock(), dry_run=True)
    assert report.previews == 1 and len(poster.posts) == 1
    assert await runs(bot) == []
    async with bot.sessions() as session:
        schedule = await session.scalar(select(Schedule))
        assert schedule is not None and schedule.position == 0  # the roadmap cursor did not move
        assert schedule.next_due_at == clock.now
    assert (await service.run_due(clock())).sent == 1
    assert poster.posts[0].reply == poster.posts[1].reply


async def test_communities_of_a_platform_without_a_poster_are_left_alone(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    await mod("/schedule set daily-topic 09:00 UTC")
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert (await service.run_due(clock(), platforms={"discord"})).sent == 0
    del bot.posters["test"]
    assert (await service.run_due(clock())).sent == 0
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count(ScheduleRun.id))) == 0
    bot.posters["test"] = poster
    assert (await service.run_due(clock())).sent == 1


async def test_the_median_mode_follows_the_group(
    chat: Chat, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock, content: Content
) -> None:
    await mod("/schedule set daily-topic 09:00 UTC daily median")
    for name, done in (("ada", 3), ("bob", 3), ("cy", 0)):
        member = chat.as_user(name)
        for topic in content.topics[:done]:
            await member(f"/roadmap done {topic.id}")
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    await service.run_due(clock())
    assert poster.posts[-1].reply.title == f"Topic of the day: {content.topics[3].title}"
    clock.advance(days=1)  # nobody moved on: the next topic rather than the same one again
    await service.run_due(clock())
    assert poster.posts[-1].reply.title == f"Topic of the day: {content.topics[4].title}"
