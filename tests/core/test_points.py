"""Points: the rules in one place, nothing counted twice, streaks in the member's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.content import Content
from bot.points import RULES, award_meetup
from bot.replies import Tone
from bot.storage.challenge_models import ActivityDay
from bot.storage.models import Member, PointEvent
from tests.core.community import count, points_of, transaction
from tests.driver import Chat, FakeClock, text_of


async def test_done_undo_done_earns_once_and_undo_takes_points_back(chat: Chat, content: Content) -> None:
    topic = content.topics[0]
    assert "+10 points" in (await chat(f"/roadmap done {topic.id}")).text
    assert await points_of(chat.bot, "ada") == RULES.topic_done
    undone = await chat(f"/roadmap undo {topic.id}")
    assert f"−{RULES.topic_done} points" in undone.text
    assert await points_of(chat.bot, "ada") == 0
    again = await chat(f"/roadmap done {topic.id}")
    assert "no points" in again.text
    await chat(f"/roadmap skip {topic.id}")  # done -> skipped takes nothing more: nothing is live
    assert await points_of(chat.bot, "ada") == 0
    assert await count(chat.bot, PointEvent) == 1


async def test_help_points_lists_every_rule(chat: Chat) -> None:
    reply = await chat("/help points")
    text = text_of(reply)
    for number in (RULES.topic_done, RULES.streak_bonus, RULES.meetup):
        assert str(number) in text
    for name, low, high in RULES.challenge_ranges:
        assert f"{name} {low}–{high}" in text
    assert "own time zone" in text and "Undoing a topic takes its points back" in text


async def test_meetup_points_count_once_per_round(chat: Chat, clock: FakeClock) -> None:
    await chat("/roadmap progress")
    async with transaction(chat.bot) as (session, _community):
        member = await session.scalar(select(Member).where(Member.external_id == "ada"))
        assert member is not None
        assert await award_meetup(session, member, "round-2026-11-23", clock.now) == RULES.meetup
        assert await award_meetup(session, member, "round-2026-11-23", clock.now) == 0
        assert await award_meetup(session, member, "round-2026-12-07", clock.now) == RULES.meetup
    assert await points_of(chat.bot, "ada") == 2 * RULES.meetup


async def _streak(chat: Chat) -> str:
    fields = {f.name: f.value for f in (await chat("/profile")).fields}
    return fields["Streak"]


async def test_a_day_follows_the_members_own_time_zone(chat: Chat, clock: FakeClock, content: Content) -> None:
    la = chat.as_user("lee", name="Lee")
    await la("/roadmap timezone America/Los_Angeles")  # UTC-8 in November
    # Morning in Los Angeles on the 23rd, evening on the 24th (already the 25th in UTC), morning on the 25th:
    # three days in a row there, though UTC sees the 23rd and the 25th only.
    for when in ("2026-11-23T16:00", "2026-11-25T04:00", "2026-11-25T16:00"):
        clock.now = datetime.fromisoformat(when).replace(tzinfo=UTC)
        assert (await la("/roadmap done")).tone is Tone.SUCCESS
    assert await _streak(la) == "3 days"

    tokyo = chat.as_user("kai", name="Kai")
    await tokyo("/roadmap timezone Asia/Tokyo")  # UTC+9
    clock.now = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # 23:00 on the 26th in Tokyo
    await tokyo("/roadmap start")
    clock.now = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # 01:00 on the 27th there, same UTC day
    await tokyo("/roadmap done")
    assert await _streak(tokyo) == "2 days"
    async with chat.bot.sessions() as session:
        days = list(await session.scalars(select(ActivityDay.day).order_by(ActivityDay.day)))
    assert [d.isoformat() for d in days].count("2026-11-27") == 1

    # A member without a zone of their own follows the community's (UTC here): the same two moments are one day.
    utc = chat.as_user("uma", name="Uma")
    clock.now = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    await utc("/roadmap start")
    clock.now = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    await utc("/roadmap done")
    assert await _streak(utc) == "1 day"


async def test_every_seventh_day_in_a_row_earns_the_bonus_once(chat: Chat, clock: FakeClock) -> None:
    replies = []
    for _ in range(RULES.streak_every_days):
        replies.append(await chat("/roadmap done"))
        clock.advance(days=1)
    assert all("bonus" not in text_of(r) for r in replies[:-1])
    assert f"🔥 {RULES.streak_every_days} days in a row: +{RULES.streak_bonus} bonus points." in replies[-1].items
    expected = RULES.streak_every_days * RULES.topic_done + RULES.streak_bonus
    assert await points_of(chat.bot, "ada") == expected
    clock.advance(days=-1)  # back on the seventh day: another step that day earns no second bonus
    assert "bonus" not in text_of(await chat("/roadmap done"))
    assert await points_of(chat.bot, "ada") == expected + RULES.topic_done
    # Settings, undo and repeating a step that changes nothing are not study steps: they keep no streak alive.
    clock.advance(days=2)
    await chat("/roadmap track python")
    await chat("/roadmap undo")
    started = await chat("/roadmap start")
    clock.advance(days=1)
    again = await chat(f"/roadmap start {started.buttons[0].command.split()[-1]}")
    assert again.tone is Tone.WARNING and "already learning" in again.text
    assert await _streak(chat) == "1 day"  # the first start, yesterday; today's repeat does not count


async def test_a_gap_resets_the_streak(chat: Chat, clock: FakeClock) -> None:
    for gap in (1, 2, 1, 1):  # active on days 0, 1, 3 and 4; now it is day 5
        await chat("/roadmap done")
        clock.advance(days=gap)
    assert await _streak(chat) == "2 days"  # yesterday and the day before; today has no step yet
    clock.advance(days=1)
    assert await _streak(chat) == "0 days"


def test_every_challenge_in_content_earns_points_within_its_difficulty(content: Content) -> None:
    ranges = {name: (low, high) for name, low, high in RULES.challenge_ranges}
    for challenge in content.challenges:
        low, high = ranges[challenge.difficulty]
        assert low <= challenge.points <= high, challenge.id
