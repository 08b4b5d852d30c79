"""`/leaderboard chart` and the `/profile` heatmap through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.content import Content
from bot.images import palette
from bot.images.community_pictures import activity_input, chart_input
from bot.images.heatmap import cell_box
from bot.images.leaderboard_chart import WIDTH, height
from bot.replies import Tone
from bot.storage.models import Community, Member
from tests.driver import Chat, FakeClock
from tests.images.pixels import close, decode, dominant


async def _community(chat: Chat) -> Community:
    async with chat.bot.sessions() as session:
        found = await session.scalar(select(Community))
        assert found is not None
        return found


async def test_the_chart_shows_each_leaders_points_by_week(chat: Chat, content: Content, clock: FakeClock) -> None:
    topics = content.topics
    await chat(f"/roadmap done {topics[0].id}")
    clock.advance(days=7)
    await chat(f"/roadmap done {topics[1].id}")
    await chat(f"/roadmap done {topics[2].id}")
    bob = chat.as_user("bob", name="Bob")
    await bob(f"/roadmap done {topics[0].id}")
    await bob(f"/roadmap done {topics[1].id}")
    await bob(f"/roadmap undo {topics[1].id}")  # a revoked award counts in no week

    reply = await chat("/leaderboard chart")
    assert reply.tone is not Tone.ERROR and reply.image is not None
    assert "Ada" in reply.image.alt

    community = await _community(chat)
    async with chat.bot.sessions() as session:
        data = await chart_input(session, community, clock())
    assert [(r.rank, r.name, r.points) for r in data.rows] == [(1, "Ada", 30), (2, "Bob", 10)]
    assert data.rows[0].weekly[-2:] == (10, 20)
    assert data.rows[1].weekly[-1] == 10 and sum(data.rows[1].weekly) == 10
    assert len(data.weeks) == 8 and all(d.weekday() == 0 for d in data.weeks)
    assert decode(reply.image.data).size == (WIDTH, height(data))


async def test_a_repeated_chart_draws_nothing(chat: Chat, content: Content) -> None:
    await chat(f"/roadmap done {content.topics[0].id}")
    await chat("/leaderboard chart")
    drawn = chat.bot.images.renders
    await chat("/leaderboard chart")
    assert chat.bot.images.renders == drawn


async def test_an_empty_board_gets_a_chart_too(chat: Chat) -> None:
    reply = await chat("/leaderboard chart")
    assert reply.image is not None
    decode(reply.image.data)


async def test_the_profile_heatmap_counts_days_in_the_members_zone(
    chat: Chat, content: Content, clock: FakeClock
) -> None:
    await chat("/roadmap timezone Asia/Tokyo")
    clock.now = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # Saturday 08:30 in Tokyo
    await chat(f"/roadmap done {content.topics[0].id}")
    clock.advance(hours=2)
    reply = await chat("/profile")
    assert reply.tone is not Tone.ERROR and reply.image is not None
    assert "Asia/Tokyo" in reply.image.alt

    community = await _community(chat)
    async with chat.bot.sessions() as session:
        member = await session.scalar(select(Member).where(Member.external_id == "ada"))
        assert member is not None
        data = await activity_input(session, community, member, clock())
    saturday = date(2026, 11, 21)
    assert data.zone == "Asia/Tokyo" and data.today == saturday
    assert saturday in data.counts() and date(2026, 11, 20) not in data.counts()
    image = decode(reply.image.data)
    assert not close(dominant(image, cell_box(data, saturday)), palette.EMPTY)
    assert close(dominant(image, cell_box(data, saturday - timedelta(days=1))), palette.EMPTY)


async def test_another_members_profile_shows_their_days(chat: Chat, content: Content) -> None:
    bob = chat.as_user("bob", name="Bob")
    await bob(f"/roadmap done {content.topics[0].id}")
    mine = await chat("/profile")
    theirs = await chat("/profile bob")
    assert mine.image is not None and theirs.image is not None
    assert "Bob" in theirs.image.alt and mine.image.data != theirs.image.data
