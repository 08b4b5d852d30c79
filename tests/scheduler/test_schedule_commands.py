"""`/schedule …` through the core on SQLite and PostgreSQL: moderators only, clear errors, changes stored."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import StudyBot
from bot.replies import Tone
from bot.storage.schedule_models import Schedule, ScheduleFeed
from tests.driver import Chat, text_of
from tests.scheduler.conftest import in_channel


async def schedules(bot: StudyBot) -> dict[str, Schedule]:
    async with bot.sessions() as session:
        return {s.kind: s for s in await session.scalars(select(Schedule))}


async def test_members_cannot_change_or_see_the_schedule(chat: Chat, bot: StudyBot) -> None:
    for line in (
        "/schedule set daily-topic 09:00",
        "/schedule show",
        "/schedule off trends",
        "/schedule feed add https://example.org/feed.xml",
        "/schedule feed remove https://example.org/feed.xml",
    ):
        reply = await chat(line)
        assert reply.tone is Tone.ERROR and "for moderators" in reply.text
    assert await schedules(bot) == {}


async def test_set_stores_the_channel_time_zone_and_days(mod: Chat, bot: StudyBot) -> None:
    reply = await in_channel(mod, "daily")("/schedule set daily-topic 07:30 America/New_York weekdays median")
    assert reply.tone is Tone.SUCCESS
    assert "<#daily>" in reply.text and "07:30 America/New_York, Monday to Friday" in reply.text
    assert "Next: Mon 23 Nov 07:30 (America/New_York)" in reply.text  # 12:30 UTC, later today
    await mod("/schedule set meetups 18:00 Europe/Berlin wed 2")
    await mod("/schedule set trends 09:00")  # weekly kinds default to Monday, zones to the community's
    stored = await schedules(bot)
    daily = stored["daily-topic"]
    assert (daily.channel_id, daily.hour, daily.minute, daily.timezone) == ("daily", 7, 30, "America/New_York")
    assert (daily.days, daily.option) == ("weekdays", "median")
    assert (stored["meetups"].days, stored["meetups"].every_weeks) == ("wed", 2)
    assert (stored["trends"].days, stored["trends"].timezone) == ("mon", "UTC")


async def test_a_weekday_can_be_named_without_a_time_zone(mod: Chat, bot: StudyBot) -> None:
    reply = await mod("/schedule set meetups 18:00 weekday=wed option=2")
    assert reply.tone is Tone.SUCCESS, reply.text
    stored = (await schedules(bot))["meetups"]
    assert (stored.days, stored.every_weeks, stored.timezone) == ("wed", 2, "UTC")


async def test_setting_a_kind_again_replaces_it(mod: Chat, bot: StudyBot) -> None:
    await mod("/schedule set daily-topic 09:00 UTC")
    await in_channel(mod, "learning")("/schedule set daily-topic 10:15 Asia/Tokyo")
    stored = await schedules(bot)
    assert len(stored) == 1
    assert (stored["daily-topic"].channel_id, stored["daily-topic"].timezone) == ("learning", "Asia/Tokyo")


async def test_clear_errors_for_a_bad_kind_time_zone_weekday_or_option(mod: Chat, bot: StudyBot) -> None:
    cases = {
        "/schedule set lunch 09:00": "must be one of: daily-topic, meetups, trends, challenge",
        "/schedule set daily-topic 9am": "must be a time as HH:MM",
        "/schedule set daily-topic 24:00": "must be a time as HH:MM",
        "/schedule set daily-topic 09:00 Europe/Berln": "is not a time zone I know",
        "/schedule set daily-topic 09:00 UTC someday": "`weekday` must be one of: daily, weekdays, mon",
        "/schedule set trends 09:00 UTC daily": "`trends` posts once a week",
        "/schedule set meetups 09:00 UTC mon 3": "every `1`, `2` or `4` weeks",
        "/schedule set daily-topic 09:00 UTC daily random": "`in-order`",
        "/schedule set challenge 09:00 UTC mon fast": "`challenge` has no option",
        "/schedule off lunch": "must be one of",
        "/schedule off trends": "`trends` is not scheduled here",
        "/schedule feed add ftp://example.org/feed": "must be a web address",
        "/schedule feed remove https://example.org/nothing": "not in the trends digest",
    }
    for line, expected in cases.items():
        reply = await mod(line)
        assert reply.tone is Tone.ERROR, line
        assert expected in reply.text, (line, reply.text)
    assert await schedules(bot) == {}


async def test_show_lists_schedules_feeds_and_where_problems_go(mod: Chat) -> None:
    empty = await mod("/schedule show")
    assert "Nothing is scheduled yet." in empty.text
    await mod("/schedule set daily-topic 09:00 Europe/Berlin")
    await mod("/schedule set challenge 10:00 UTC mon")
    await mod("/schedule feed add https://example.org/news.xml")
    shown = await in_channel(mod, "mods")("/schedule show")
    text = text_of(shown)
    assert "daily-topic: 09:00 Europe/Berlin, every day in <#general>" in text
    assert "Next: Tue 24 Nov 09:00 (Europe/Berlin)" in text
    assert "challenge: 10:00 UTC, every Monday" in text
    assert "https://example.org/news.xml — not read yet" in text
    assert "Not scheduled: `meetups`, `trends`." in text
    assert shown.footer == "Problems are reported in <#mods>."


async def test_off_stops_a_kind_and_keeps_the_daily_topics_place(mod: Chat, bot: StudyBot) -> None:
    await mod("/schedule set daily-topic 09:00 UTC")
    async with bot.sessions() as session, session.begin():
        schedule = await session.scalar(select(Schedule))
        assert schedule is not None
        schedule.position = 5
    reply = await mod("/schedule off daily-topic")
    assert reply.tone is Tone.SUCCESS and "keeps its place" in reply.text
    stored = (await schedules(bot))["daily-topic"]
    assert (stored.enabled, stored.next_due_at, stored.position) == (False, None, 5)
    shown = await mod("/schedule show")
    assert "Nothing is scheduled yet." in shown.text
    assert "daily-topic" not in [f.name for f in shown.fields]
    await mod("/schedule set daily-topic 09:00 UTC")
    assert (await schedules(bot))["daily-topic"].position == 5


async def test_feeds_are_added_once_limited_and_removed(mod: Chat, bot: StudyBot) -> None:
    added = await mod("/schedule feed add https://example.org/1.xml")
    assert added.tone is Tone.SUCCESS and "not scheduled yet" in added.text
    again = await mod("/schedule feed add https://example.org/1.xml")
    assert again.tone is Tone.WARNING and "already" in again.text
    await mod("/schedule set trends 09:00 UTC fri")
    second = await mod("/schedule feed add <https://example.org/2.xml|example>")  # Slack's link markup
    assert "next trends digest, Fri 27 Nov 09:00 (UTC)" in second.text
    for n in range(3, 6):
        await mod(f"/schedule feed add https://example.org/{n}.xml")
    too_many = await mod("/schedule feed add https://example.org/6.xml")
    assert too_many.tone is Tone.ERROR and "at most 5 feeds" in too_many.text
    removed = await mod("/schedule feed remove https://example.org/1.xml")
    assert removed.tone is Tone.SUCCESS
    async with bot.sessions() as session:
        urls = sorted(await session.scalars(select(ScheduleFeed.url)))
    assert urls == [f"https://example.org/{n}.xml" for n in range(2, 6)]


async def test_schedules_are_kept_apart_per_community(mod: Chat, bot: StudyBot) -> None:
    await mod("/schedule set daily-topic 09:00 UTC")
    other = mod.in_community("c2")
    assert "Nothing is scheduled yet." in (await other("/schedule show")).text
    assert (await other("/schedule off daily-topic")).tone is Tone.ERROR
    assert (await schedules(bot))["daily-topic"].enabled
