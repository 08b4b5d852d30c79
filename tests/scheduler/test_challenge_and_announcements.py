"""The weekly challenge's start and end, and one-off announcements, posted by the scheduler exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import StudyBot
from bot.content import Content
from bot.scheduler.service import SchedulerService
from bot.storage.challenge_models import Announcement, Challenge
from tests.driver import Chat, FakeClock
from tests.scheduler.conftest import in_channel
from tests.scheduler.recording import Crash, RecordingPoster


async def announcements(bot: StudyBot) -> list[Announcement]:
    async with bot.sessions() as session:
        return list(await session.scalars(select(Announcement).order_by(Announcement.id)))


async def test_the_challenge_schedule_ends_one_week_and_starts_the_next(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock, content: Content
) -> None:
    await in_channel(mod, "challenges")("/schedule set challenge 09:00 UTC mon")
    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert (await service.run_due(clock())).sent == 1
    first = content.challenges[0]
    assert [p.reply.title for p in poster.posts] == [f"🏁 Weekly challenge: {first.title}"]
    assert poster.posts[0].channel_id == "challenges" and poster.posts[0].reply.visibility.value == "public"
    assert (await service.run_due(clock())).sent == 0  # once

    clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    await service.run_due(clock())
    assert [p.reply.title for p in poster.posts[1:]] == [
        f"🏆 Challenge results: {first.title}",
        f"🏁 Weekly challenge: {content.challenges[1].title}",
    ]
    async with bot.sessions() as session:
        challenges = list(await session.scalars(select(Challenge).order_by(Challenge.id)))
    assert [c.ended_at is not None for c in challenges] == [True, False]
    assert challenges[0].ended_at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # the week's boundary, not a later clock


async def test_a_challenge_started_by_hand_is_left_running_until_it_is_due(
    mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock, content: Content
) -> None:
    await mod("/schedule set challenge 09:00 UTC wed")  # Wednesday 25 November
    started = await mod(f"/challenge start {content.challenges[2].id}")
    assert started.title == f"🏁 Weekly challenge: {content.challenges[2].title}"
    clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # not due yet (it ends on Monday): nothing to post
    report = await service.run_due(clock())
    assert (report.sent, report.empty) == (0, 1)
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    await service.run_due(clock())
    assert [p.reply.title for p in poster.posts] == [
        f"🏆 Challenge results: {content.challenges[2].title}",
        f"🏁 Weekly challenge: {content.challenges[0].title}",
    ]


async def test_a_scheduled_announcement_is_posted_once_at_its_time_and_marked_posted(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    reply = await mod('/announce #news at="2026-11-23 18:00" notify=everyone Meetup tonight @everyone')
    assert reply.tone.value == "success", reply.text
    clock.now = datetime(2026, 11, 23, 17, 59, tzinfo=UTC)
    assert (await service.run_due(clock())).sent == 0
    clock.now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert (await service.run_due(clock())).sent == 1
    assert (await service.run_due(clock())).sent == 0
    post = poster.posts[0]
    assert (post.channel_id, post.ping_everyone) == ("news", True)
    assert "Meetup tonight" in post.reply.text and "@everyone" not in post.reply.text  # the text itself never pings
    (stored,) = await announcements(bot)
    assert stored.posted_at == clock.now and stored.link == "test://c1/news/1"


async def test_an_announcement_missed_beyond_grace_is_cancelled_and_moderators_are_told(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    await in_channel(mod, "mods")("/schedule show")
    await mod('/announce #news at="2026-11-23 18:00" Doors open in ten minutes')
    await mod("/schedule set daily-topic 09:00 UTC")
    await in_channel(mod, "mods")("/schedule show")
    clock.now = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # the bot was down at 18:00
    report = await service.run_due(clock())
    assert (report.sent, report.skipped) == (0, 1)
    (notice,) = poster.posts
    assert notice.channel_id == "mods" and "Mon 23 Nov 18:00 (UTC) was not posted" in notice.reply.text
    (stored,) = await announcements(bot)
    assert stored.posted_at is None and stored.cancelled_at is not None
    assert (await service.run_due(clock())).skipped == 0


async def test_an_announcement_that_cannot_be_posted_is_retried_then_reported_and_not_left_due(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    await mod('/announce #locked at="2026-11-23 18:00" Hello')
    poster.failing.add("locked")
    clock.now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    report = await service.run_due(clock())
    assert report.failed == 1
    assert poster.attempts == 4  # the announcement four times; no report channel is known yet
    (stored,) = await announcements(bot)
    assert stored.posted_at is None and stored.cancelled_at is not None
    clock.advance(minutes=1)
    assert (await service.run_due(clock())).failed == 0


async def test_an_announcement_whose_post_crashed_is_never_posted_twice_and_not_left_due(
    bot: StudyBot, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    await mod("/schedule set daily-topic 09:00 UTC")  # moderators read #general
    await mod('/announce #news at="2026-11-23 18:00" Hello')
    poster.crash_on.add("news")
    clock.now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    with pytest.raises(Crash):
        await service.run_due(clock())
    clock.advance(minutes=30)  # past the lease
    report = await service.run_due(clock())
    assert (report.abandoned, report.sent) == (1, 0)
    assert [p.channel_id for p in poster.posts] == ["general"]
    assert "announcement post due Mon 23 Nov 18:00 (UTC) may not have been posted" in poster.posts[0].reply.text
    (stored,) = await announcements(bot)
    assert stored.posted_at is None and stored.cancelled_at is not None
