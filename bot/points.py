"""The points rules, in one place, and the ledger that makes every award count at most once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members import add_points, insert_for, session_dialect
from bot.storage.models import Member, PointEvent


@dataclass(frozen=True)
class PointRules:
    topic_done: int = 10
    # Each challenge states its points, within the range of its difficulty (content/challenges.yaml follows
    # these); a moderator's own challenge earns `challenge_default` unless they set a number.
    challenge_ranges: tuple[tuple[str, int, int], ...] = (("easy", 20, 40), ("medium", 50, 80), ("hard", 100, 150))
    challenge_default: int = 50
    streak_every_days: int = 7
    streak_bonus: int = 15
    meetup: int = 10


RULES = PointRules()

# Every reason the ledger knows, with the word members see.
REASONS = {"topic_done": "topics", "challenge": "challenges", "streak": "streaks", "meetup": "meetups"}


def rules_lines() -> list[str]:
    """The rules as members read them in `/help points`."""
    r = RULES
    ranges = ", ".join(f"{name} {low}–{high}" for name, low, high in r.challenge_ranges)
    return [
        f"Finishing a roadmap topic (`/roadmap done`): {r.topic_done} points, once per topic.",
        "Undoing a topic takes its points back; marking it done again earns nothing the second time.",
        "Skipped topics count toward your progress but earn no points.",
        "An approved weekly-challenge submission: the challenge's points, once per challenge. They follow its "
        f"difficulty ({ranges}); `/challenge show` tells the number.",
        f"Streaks: a day with a study step (a topic started, done or skipped; a challenge joined or submitted) is "
        f"an active day, counted in your own time zone (`/roadmap timezone`). Every {r.streak_every_days}th day "
        f"in a row earns a bonus of {r.streak_bonus} points.",
        f"A meetup you attended: {r.meetup} points per round.",
        "Leaderboards count points in the community's time zone: this week from Monday, this month from the 1st, "
        "the season from its start; all-time totals never reset.",
    ]


@cache
def _grant_statement(dialect: str) -> Any:
    """The ledger insert, built once per dialect (see bot/members.py); RETURNING says whether it was new."""
    events: Table = PointEvent.__table__  # type: ignore[assignment]
    return (
        insert_for(dialect, events)
        .on_conflict_do_nothing(index_elements=["member_id", "reason", "ref"])
        .returning(events.c.id)
    )


async def award(session: AsyncSession, member: Member, reason: str, ref: str, points: int, now: datetime) -> int:
    """Grant `points` for (reason, ref) unless this member was ever granted them; return what was added."""
    inserted = await session.scalar(
        _grant_statement(session_dialect(session)),
        {
            "community_id": member.community_id,
            "member_id": member.id,
            "reason": reason,
            "ref": ref,
            "points": points,
            "created_at": now,
        },
    )
    if inserted is None:
        return 0
    await add_points(session, member, points)
    return points


async def award_meetup(session: AsyncSession, member: Member, round_ref: str, now: datetime) -> int:
    """Points for attending the meetup round `round_ref` (at most once per round); return what was added."""
    return await award(session, member, "meetup", round_ref[:100], RULES.meetup, now)


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
