"""A community with a bit of everything, made through the commands members and moderators use."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from adapters.console import ConsoleAdapter
from bot import challenges
from bot.app import StudyBot
from bot.content import Content
from bot.replies import Reply, Tone
from bot.storage.models import AppState, Community
from tests.driver import Chat, FakeClock


async def _ok(reply: Reply) -> Reply:
    assert reply.tone is not Tone.ERROR, reply.text
    return reply


async def populate(chat: Chat, clock: FakeClock, content: Content) -> None:
    """Progress, points (some revoked), a challenge with submissions and reviews, moderators, an announcement,
    a season, streak days, a second community, and a row of app state."""
    bot: StudyBot = chat.bot
    bot.settings.rate_limit_per_minute = 10_000
    ada, bob, cy = chat.as_user("ada", name="Ada"), chat.as_user("bob", name="Bob"), chat.as_user("cy", name="Cy")
    mia = chat.as_user("mia", name="Mia", moderator=True)
    topics = [t.id for t in content.topics]
    await _ok(await ada("/roadmap next"))
    for topic in topics[:4]:
        await _ok(await ada(f"/roadmap done {topic}"))
    await _ok(await ada(f"/roadmap undo {topics[3]}"))
    await _ok(await ada(f"/roadmap skip {topics[5]}"))
    await _ok(await ada("/roadmap track java"))
    await _ok(await ada("/roadmap timezone Europe/Berlin"))
    await _ok(await bob(f"/roadmap done {topics[0]}"))
    await _ok(await cy(f"/roadmap start {topics[1]}"))
    await _ok(await mia("/roadmap progress"))
    clock.advance(days=1)
    await _ok(await ada(f"/roadmap done {topics[4]}"))  # a second day in a row
    async with bot.sessions() as session, session.begin():
        community = await session.scalar(select(Community).where(Community.external_id == chat.caller.community_id))
        assert community is not None
        await challenges.start_week(bot, session, community, clock.now)
        session.add(AppState(key="commands_fingerprint", value="abc", updated_at=datetime(2026, 1, 2, tzinfo=UTC)))
    for who, url in ((ada, "https://github.com/ada/x"), (bob, "https://bob.example/y"), (cy, "https://cy.example")):
        await _ok(await who("/challenge join"))
        await _ok(await who(f"/challenge submit {url} my notes **here**"))
    review = await _ok(await mia("/challenge review"))
    approve, reject = review.buttons[0].command, review.buttons[3].command
    await _ok(await mia(approve + " Clean"))
    await _ok(await mia(reject + " Private link"))
    await _ok(await mia("/moderators add <@bob>"))
    await _ok(await mia("/announce general at=2026-12-01T10:00 Meetup on Friday"))
    await _ok(await mia("/leaderboard season start Autumn"))
    other = replace(chat.in_community("c2").as_user("zed", name="Zed"))
    await _ok(await other(f"/roadmap done {topics[0]}"))
    # A pinned live leaderboard needs a platform that can post: the console's.
    console = ConsoleAdapter(bot, user="max", community="club", moderator=True, out=io.StringIO())
    await bot.attach_poster(console)
    await _ok(await console.handle("/leaderboard pin"))  # type: ignore[arg-type]
    await bot.live_boards.close()  # no refresh left waiting on a timer
