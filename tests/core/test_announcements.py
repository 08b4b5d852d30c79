"""Announcements: posted at once or stored for the scheduler; user text never pings anyone."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from adapters.console import ConsoleAdapter
from bot import announcements
from bot.replies import Tone, Visibility
from bot.storage.challenge_models import Announcement
from bot.storage.models import Community
from tests.core.community import count, transaction
from tests.driver import Chat, FakeClock, text_of

INJECTED = "Hi @everyone and @here, <!channel> <!here> <!everyone> <!subteam^S0123> <@&4242> <@U777> <#C1>"
RAW_MENTIONS = ("@everyone", "@here", "<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@&", "<@U", "<#C")


def _pings(text: str) -> list[str]:
    return [m for m in RAW_MENTIONS if m in text]


async def test_injected_mentions_never_ping(chat: Chat) -> None:
    mia = chat.as_user("mia", moderator=True)
    reply = await mia(f"/announce #general {INJECTED}")
    assert reply.tone is Tone.SUCCESS and reply.visibility is Visibility.PRIVATE
    (post,) = reply.posts
    assert post.channel_id == "general" and post.ping_everyone is False
    assert post.reply.visibility is Visibility.PUBLIC and post.reply.title == "📣 Announcement"
    assert _pings(text_of(post.reply)) == []
    assert "everyone" in post.reply.text and "subteam" in post.reply.text  # still readable
    async with chat.bot.sessions() as session:
        stored = await session.scalar(select(Announcement))
    assert stored is not None and _pings(stored.text) == [] and stored.posted_at is not None


async def test_notifying_everyone_takes_the_explicit_option(chat: Chat) -> None:
    mia = chat.as_user("mia", moderator=True)
    reply = await mia(f"/announce <#C42|study-hall> notify=everyone {INJECTED}")
    (post,) = reply.posts
    assert post.channel_id == "C42" and post.ping_everyone is True
    assert _pings(text_of(post.reply)) == []  # the adapter adds the one ping; the text still adds none
    bad = await mia("/announce general notify=loud Hello")
    assert bad.tone is Tone.ERROR and "none, everyone" in bad.text


async def test_a_scheduled_announcement_waits_for_the_scheduler(chat: Chat, clock: FakeClock) -> None:
    mia = chat.as_user("mia", moderator=True)
    await mia("/roadmap progress")
    async with transaction(chat.bot) as (session, community):
        await session.execute(update(Community).where(Community.id == community.id).values(timezone="Europe/Berlin"))
    reply = await mia('/announce general at="2026-12-01 18:00" Meetup at the library\nBring a laptop @here')
    assert reply.tone is Tone.SUCCESS and reply.posts == ()
    assert "**Tue 1 Dec 18:00 (Europe/Berlin)**" in reply.text
    assert [b.command for b in reply.buttons] == ["announcements cancel 1"]
    listed = await mia("/announcements")
    assert listed.items[0].startswith("#1 · Tue 1 Dec 18:00 (Europe/Berlin) · #general")

    async with chat.bot.sessions() as session, session.begin():
        assert await announcements.due(session, clock.now) == []
        at = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 18:00 in Berlin
        assert await announcements.due(session, at - timedelta(seconds=1)) == []
        (due,) = await announcements.due(session, at)
        assert due.post_at == at and due.channel_id == "general" and not due.ping_everyone
        assert (due.community.platform, due.community.external_id) == ("test", "c1")
        post = announcements.render(due)
        assert post.visibility is Visibility.PUBLIC
        assert post.text == "Meetup at the library\nBring a laptop @\u200bhere"
        await announcements.mark_posted(session, due.id, at, "https://chat.example/m/1")
        assert await announcements.due(session, at + timedelta(days=1)) == []
    async with chat.bot.sessions() as session:
        stored = await session.get(Announcement, 1)
    assert stored is not None and stored.link == "https://chat.example/m/1" and stored.posted_at == at
    assert (await mia("/announcements")).items == ()


async def test_due_is_oldest_first_across_communities_and_limited(chat: Chat, clock: FakeClock) -> None:
    here = chat.as_user("mia", moderator=True)
    there = here.in_community("c2")
    await here('/announce general at="2026-11-24 10:00" second')
    await there('/announce general at="2026-11-24 09:00" first')
    await here('/announce general at="2026-11-24 11:00" third')
    await here('/announce general at="2026-11-24 08:00" cancelled')
    await here("/announcements cancel 4")
    async with chat.bot.sessions() as session:
        later = clock.now + timedelta(days=2)
        assert [a.text for a in await announcements.due(session, later)] == ["first", "second", "third"]
        assert [a.text for a in await announcements.due(session, later, limit=2)] == ["first", "second"]


async def test_bad_times_and_texts_are_refused_and_nothing_is_stored(chat: Chat) -> None:
    mia = chat.as_user("mia", moderator=True)
    past = await mia('/announce general at="2026-11-01 10:00" Too late')
    assert past.tone is Tone.ERROR and "in the past" in past.text
    far = await mia('/announce general at="2028-01-01 10:00" Too early')
    assert far.tone is Tone.ERROR and "a year" in far.text
    garbled = await mia("/announce general at=tomorrow Hello")
    assert garbled.tone is Tone.ERROR and "date and time" in garbled.text
    long = await mia("/announce general " + "x" * (announcements.MAX_TEXT + 1))
    assert long.tone is Tone.ERROR and "too long" in long.text
    assert (await mia("/announce general")).tone is Tone.ERROR  # no text
    assert (await mia("/announcements cancel 7")).tone is Tone.ERROR
    assert await count(chat.bot, Announcement) == 0


async def test_the_console_posts_at_once_and_confirms_with_the_link(bot, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    mia = ConsoleAdapter(bot, user="mia", community="club", moderator=True, out=out)
    await bot.attach_poster(mia)
    reply = await mia.handle(f"/announce #general {INJECTED}")
    assert reply is not None and reply.tone is Tone.SUCCESS and reply.posts == ()
    assert reply.text == "Posted your announcement in #general: console://club/general/1"
    printed = out.getvalue()
    assert "── posted to #general ──" in printed and "📣 Announcement" in printed
    posted = printed.split("── posted to #general ──")[1]
    assert _pings(posted) == []
    async with bot.sessions() as session:
        stored = await session.scalar(select(Announcement))
    assert stored is not None and stored.link == "console://club/general/1" and stored.posted_at == clock.now
