"""The points rules, in one place, and the ledger that makes every award count at most once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members import add_points, dialect_insert
from bot.storage.models import Member, PointEvent


@dataclass(frozen=True)
class PointRules:
    topic_done: int = 10
    meetup: int = 5


RULES = PointRules()


def rules_lines() -> list[str]:
    """The rules as members read them in `/help points`."""
    return [
        f"Finishing a roadmap topic (`roadmap done`): {RULES.topic_done} points, once per topic.",
        "Undoing a topic takes its points back; marking it done again earns nothing the second time.",
        "Skipped topics count toward your progress but earn no points.",
        f"Meeting your meetup partner (answer “We met” when the bot asks): {RULES.meetup} points a round.",
    ]


async def award(session: AsyncSession, member: Member, reason: str, ref: str, points: int, now: datetime) -> int:
    """Grant `points` for (reason, ref) unless this member was ever granted them; return what was added."""
    inserted = await session.scalar(
        dialect_insert(session, PointEvent)
        .values(
            community_id=member.community_id,
            member_id=member.id,
            reason=reason,
            ref=ref,
            points=points,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["member_id", "reason", "ref"])
        .returning(PointEvent.id)
    )
    if inserted is None:
        return 0
    await add_points(session, member, points)
    return points


async def revoke(session: AsyncSession, member: Member, reason: str, ref: str, now: datetime) -> int:
    """Take back a live award; return the points removed (0 if there was none)."""
    taken = await session.scalar(
        update(PointEvent)
        .where(
            PointEvent.member_id == member.id,
            PointEvent.reason == reason,
            PointEvent.ref == ref,
            PointEvent.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .returning(PointEvent.points)
    )
    if not taken:
        return 0
    await add_points(session, member, -taken)
    return taken
