"""What must hold after any command, whatever it was given: checked on replies and on the stored data."""

from __future__ import annotations

import re

from sqlalchemy import String, func, select

from bot.app import StudyBot
from bot.replies import Reply, Tone
from bot.storage.models import Member, PointEvent, Progress
from bot.storage.schema import metadata

# What pings on Discord or Slack when posted as it is.
LIVE_MENTION = re.compile(r"@(everyone|here|channel)\b|<[!@#]", re.IGNORECASE)
INTERNAL_FAILURE = "Something went wrong on my side"


def visible_parts(reply: Reply) -> list[str]:
    """Every piece of text a platform would show for `reply`, posts included."""
    parts = [reply.text, reply.title or "", reply.footer or "", *reply.items]
    parts += [p for f in reply.fields for p in (f.name, f.value)]
    parts += [b.label for b in reply.buttons]
    if reply.progress:
        parts.append(reply.progress.render())
    for post in reply.posts:
        parts += visible_parts(post.reply)
    return parts


def check_reply(reply: object) -> None:
    """A clear reply: never an internal failure; refusals carry words; nothing pings; bold stays balanced."""
    assert isinstance(reply, Reply), f"not a Reply: {reply!r}"
    assert INTERNAL_FAILURE not in reply.text, "an input reached an unhandled error (see the log)"
    if reply.tone in (Tone.ERROR, Tone.WARNING):
        assert reply.text.strip(), f"a {reply.tone} reply without words: {reply!r}"
    for part in visible_parts(reply):
        assert not LIVE_MENTION.search(part), f"a live mention in a reply: {part!r}"
        assert part.count("**") % 2 == 0, f"unbalanced bold in a reply: {part!r}"


async def check_stored_data(bot: StudyBot) -> None:
    """The ledger explains every total, progress names known topics, names ping no one, strings fit columns."""
    async with bot.sessions() as session:
        ledger = dict(
            (
                await session.execute(
                    select(PointEvent.member_id, func.sum(PointEvent.points))
                    .where(PointEvent.revoked_at.is_(None))
                    .group_by(PointEvent.member_id)
                )
            ).all()
        )
        for member_id, points, name in await session.execute(select(Member.id, Member.points, Member.display_name)):
            assert points == ledger.get(member_id, 0), f"member {member_id}: {points} points, ledger says {ledger}"
            assert name and not LIVE_MENTION.search(name), f"display name {name!r} pings"
        topic_ids = set((await session.scalars(select(Progress.topic_id).distinct())).all())
        assert topic_ids <= set(bot.content.by_id), f"progress on unknown topics {topic_ids - set(bot.content.by_id)}"
        for table in metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String) and column.type.length:
                    longest = await session.scalar(select(func.max(func.length(column))))
                    assert (longest or 0) <= column.type.length, f"{table.name}.{column.name} holds {longest} chars"


async def check_awards_match_progress(bot: StudyBot) -> None:
    """Every live award for a finished topic has its topic still marked done: the two change in one transaction."""
    async with bot.sessions() as session:
        live = set(
            (
                await session.execute(
                    select(PointEvent.member_id, PointEvent.ref).where(
                        PointEvent.reason == "topic_done", PointEvent.revoked_at.is_(None)
                    )
                )
            ).all()
        )
        done = set(
            (
                await session.execute(select(Progress.member_id, Progress.topic_id).where(Progress.status == "done"))
            ).all()
        )
    assert live <= done, f"awards without a done topic: {live - done}"
