"""200 state-changing commands at once, from one member and from 200 members, on SQLite and PostgreSQL:
no lost update, no double points, no error reply."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select

from bot.content import Content
from bot.points import RULES
from bot.replies import Reply, Tone
from bot.storage.models import Member, PointEvent, Progress
from tests.driver import Chat
from tests.reliability.invariants import check_reply, check_stored_data

N = 200


@pytest.fixture(autouse=True)
def no_pace_limit(chat: Chat) -> None:
    chat.bot.settings.rate_limit_per_minute = 10_000  # these tests are about the database under load, not pace


def _no_errors(replies: list[Reply]) -> Counter[Tone]:
    for reply in replies:
        check_reply(reply)
        assert reply.tone is not Tone.ERROR, reply.text
    return Counter(r.tone for r in replies)


async def test_one_member_200_times_the_same_done_earns_once(chat: Chat, content: Content) -> None:
    topic = content.topics[0]
    await chat("/roadmap progress")  # the member exists: nothing serialises their first contact
    replies = await asyncio.gather(*(chat(f"/roadmap done {topic.id}") for _ in range(N)))
    tones = _no_errors(replies)
    assert tones[Tone.SUCCESS] == 1 and tones[Tone.WARNING] == N - 1  # the rest: "already done"
    async with chat.bot.sessions() as session:
        member = await session.scalar(select(Member))
        assert member is not None and member.points == RULES.topic_done
        assert await session.scalar(select(func.count()).select_from(PointEvent)) == 1
    await check_stored_data(chat.bot)


async def test_one_member_200_changes_across_topics_lose_nothing(chat: Chat, content: Content) -> None:
    """Done on every topic, many times over, interleaved with reads: every topic ends done, each paid once."""
    lines = [f"/roadmap done {content.topics[i % len(content.topics)].id}" for i in range(N)]
    lines[::10] = ["/roadmap progress"] * len(lines[::10])
    replies = await asyncio.gather(*(chat(line) for line in lines))
    _no_errors(replies)
    finished = {line.split()[-1] for line in lines if "done" in line}
    async with chat.bot.sessions() as session:
        member = await session.scalar(select(Member))
        assert member is not None and member.points == RULES.topic_done * len(finished)
        done = set((await session.scalars(select(Progress.topic_id).where(Progress.status == "done"))).all())
        assert done == finished
    await check_stored_data(chat.bot)


async def test_200_members_at_once_each_get_their_points(chat: Chat, content: Content) -> None:
    topic = content.topics[0]
    members = [chat.as_user(f"m{i}", name=f"Member {i}") for i in range(N)]
    replies = await asyncio.gather(*(m(f"/roadmap done {topic.id}") for m in members))
    tones = _no_errors(replies)
    assert tones[Tone.SUCCESS] == N
    # And again, mixed with undo: each member's final state follows their own last command.
    again = await asyncio.gather(
        *(m(f"/roadmap undo {topic.id}") if i % 2 else m("/roadmap progress") for i, m in enumerate(members))
    )
    _no_errors(again)
    async with chat.bot.sessions() as session:
        points = dict((await session.execute(select(Member.external_id, Member.points))).all())
    assert len(points) == N
    assert all(points[f"m{i}"] == (0 if i % 2 else RULES.topic_done) for i in range(N))
    await check_stored_data(chat.bot)


async def test_first_contact_of_one_member_from_200_commands_creates_one_row(chat: Chat) -> None:
    newcomer = chat.in_community("fresh").as_user("newbie")
    _no_errors(await asyncio.gather(*(newcomer("/roadmap next") for _ in range(N))))
    async with chat.bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 1
