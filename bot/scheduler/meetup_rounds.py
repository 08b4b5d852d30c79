"""Meetup rounds in the database: who opted in, the groups of a round, and the groups of recent rounds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Member
from bot.storage.schedule_models import MeetupMember, MeetupPair, MeetupRound


def group_line(names: Iterable[str]) -> str:
    """`**Ada** & **Bob**`, or `**Ada**, **Bob** & **Cy**`."""
    shown = [f"**{n}**" for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " & " + shown[-1]


async def opted_in(session: AsyncSession, community_id: int) -> list[Member]:
    rows = await session.scalars(
        select(Member)
        .join(MeetupMember, MeetupMember.member_id == Member.id)
        .where(MeetupMember.community_id == community_id)
        .order_by(MeetupMember.joined_at, Member.id)
    )
    return list(rows)


async def recent_groups(session: AsyncSession, community_id: int, rounds: int) -> list[list[list[int]]]:
    """The groups of the latest `rounds` rounds, most recent first."""
    round_ids = list(
        await session.scalars(
            select(MeetupRound.id)
            .where(MeetupRound.community_id == community_id)
            .order_by(MeetupRound.starts_at.desc())
            .limit(rounds)
        )
    )
    if not round_ids:
        return []
    rows = await session.execute(
        select(MeetupPair.round_id, MeetupPair.group_no, MeetupPair.member_id).where(MeetupPair.round_id.in_(round_ids))
    )
    grouped: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for round_id, group_no, member_id in rows:
        grouped[round_id][group_no].append(member_id)
    return [list(grouped[r].values()) for r in round_ids]


async def groups_of(session: AsyncSession, round_id: int) -> dict[int, list[Member]]:
    rows = await session.execute(
        select(MeetupPair.group_no, Member)
        .join(Member, Member.id == MeetupPair.member_id)
        .where(MeetupPair.round_id == round_id)
        .order_by(MeetupPair.group_no, Member.display_name)
    )
    groups: dict[int, list[Member]] = defaultdict(list)
    for group_no, member in rows:
        groups[group_no].append(member)
    return dict(groups)
