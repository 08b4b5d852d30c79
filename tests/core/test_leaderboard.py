"""Leaderboards and profiles through the core: ties, the caller outside the top ten, periods, seasons."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from bot.replies import Tone, Visibility
from bot.storage.models import Community
from tests.core.community import transaction
from tests.driver import Chat, FakeClock, text_of


async def _earn(chat: Chat, topics: int) -> None:
    for _ in range(topics):
        assert (await chat("/roadmap done")).tone is Tone.SUCCESS


async def test_ties_share_a_rank(chat: Chat) -> None:
    ada, bob, cy = chat, chat.as_user("bob", name="Bob"), chat.as_user("cy", name="Cy")
    await _earn(ada, 2)
    await _earn(bob, 2)
    await _earn(cy, 1)
    board = await cy("/leaderboard all")
    assert board.title == "Leaderboard · all time" and board.visibility is Visibility.PRIVATE
    assert board.items == ("🥇 1. **Ada** — 20 points", "🥇 1. **Bob** — 20 points", "🥉 3. **Cy** — 10 points")
    assert board.fields[0].value == "#3 with 10 points"
    assert (await bob("/leaderboard")).fields[0].value == "#1 with 20 points"


async def test_the_caller_outside_the_top_ten_sees_their_own_rank(chat: Chat) -> None:
    for n in range(1, 12):
        await _earn(chat.as_user(f"m{n:02}", name=f"M{n:02}"), n)
    newcomer = chat.as_user("zed", name="Zed")
    await _earn(newcomer, 1)
    board = await newcomer("/leaderboard")
    assert len(board.items) == 10
    assert board.items[0] == "🥇 1. **M11** — 110 points" and board.items[-1] == "10. **M02** — 20 points"
    assert not any("Zed" in item for item in board.items)
    # M01 and Zed share rank 11 with 10 points each.
    assert board.fields[0].value == "#11 with 10 points"
    nobody = await chat.as_user("new", name="New")("/leaderboard")
    assert nobody.fields[0].value == "#13 with 0 points"


async def test_week_and_month_follow_the_community_time_zone(chat: Chat, clock: FakeClock) -> None:
    await chat("/roadmap progress")
    async with transaction(chat.bot) as (session, community):
        await session.execute(update(Community).where(Community.id == community.id).values(timezone="Pacific/Auckland"))
    bob = chat.as_user("bob", name="Bob")
    clock.now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # Sunday 29th, 01:00 in Auckland: still last week
    await _earn(chat, 2)
    clock.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # Monday 30th, 01:00 in Auckland: a new week
    await _earn(bob, 1)
    week = await chat("/leaderboard week")
    assert week.title is not None and week.title.startswith("Leaderboard · this week (since Mon 30 Nov 00:00")
    assert week.items == ("🥇 1. **Bob** — 10 points",)
    assert week.fields[0].value == "#2 with 0 points"
    month = await chat("/leaderboard month")
    assert month.items == ("🥇 1. **Ada** — 20 points", "🥈 2. **Bob** — 10 points")
    clock.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # 1 December in Auckland
    assert "No points yet" in (await chat("/leaderboard month")).text
    assert len((await chat("/leaderboard all")).items) == 2


async def test_a_week_board_leaves_out_points_taken_back(chat: Chat, content) -> None:  # type: ignore[no-untyped-def]
    await _earn(chat, 2)
    await chat(f"/roadmap undo {content.topics[1].id}")
    assert (await chat("/leaderboard week")).items == ("🥇 1. **Ada** — 10 points",)


async def test_a_new_season_starts_from_zero_while_all_time_stays(chat: Chat, clock: FakeClock) -> None:
    mia = chat.as_user("mia", name="Mia", moderator=True)
    bob = chat.as_user("bob", name="Bob")
    await _earn(chat, 3)
    refused = await chat("/leaderboard season")
    assert refused.tone is Tone.ERROR and "No season is running" in refused.text
    clock.advance(minutes=1)
    started = await mia("/leaderboard season start Winter 2026")
    assert started.tone is Tone.SUCCESS and started.visibility is Visibility.PUBLIC
    assert started.title == "Season Winter 2026 starts now"
    season = await chat("/leaderboard")  # the season is the default while it runs
    assert season.title is not None and season.title.startswith("Leaderboard · season Winter 2026")
    assert "No points yet" in season.text and season.fields[0].value == "#1 with 0 points"
    await _earn(bob, 1)
    assert (await chat("/leaderboard")).items == ("🥇 1. **Bob** — 10 points",)
    assert (await chat("/leaderboard all")).items == ("🥇 1. **Ada** — 30 points", "🥈 2. **Bob** — 10 points")
    clock.advance(minutes=1)
    spring = await mia("/leaderboard season start Spring")
    assert "Season **Winter 2026** has ended" in spring.text
    assert "No points yet" in (await chat("/leaderboard season")).text
    profile = await chat("/profile")
    assert {f.name: f.value for f in profile.fields}["Points"] == "30 (#1 all-time)"


async def test_profile_of_another_member(chat: Chat) -> None:
    bob = chat.as_user("bob", name="Bob")
    await _earn(bob, 2)
    await chat("/roadmap progress")
    reply = await chat("/profile <@bob>")
    assert reply.title == "Profile of Bob"
    fields = {f.name: f.value for f in reply.fields}
    assert fields == {
        "Points": "20 (#1 all-time)",
        "Streak": "1 day",
        "Topics done": "2",
        "Challenges finished": "0",
        "Active days (30 days)": "1",
    }
    unknown = await chat("/profile @nobody")
    assert unknown.tone is Tone.ERROR and "not used the bot" in unknown.text


async def test_names_on_the_board_ping_no_one(chat: Chat) -> None:
    sneaky = chat.as_user("evil", name="@everyone <!channel>")
    await _earn(sneaky, 1)
    text = text_of(await chat("/leaderboard"))
    assert "@everyone" not in text and "<!channel>" not in text
