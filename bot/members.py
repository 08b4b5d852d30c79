"""Finding or creating the community and member behind a caller."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Integer, Select, Table, Update, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.context import Caller
from bot.storage.models import Community, Member
from bot.text import display_name, safe_name


def dialect_insert(session: AsyncSession, table: object):  # type: ignore[no-untyped-def]
    """An INSERT that supports ON CONFLICT on both SQLite and PostgreSQL."""
    return insert_for(session_dialect(session), table)


def session_dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name  # type: ignore[union-attr]


def insert_for(dialect: str, table: object):  # type: ignore[no-untyped-def]
    """`dialect_insert` by the dialect's name, for statements built once and kept."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)  # type: ignore[arg-type]


# The statements every command runs are built once, with bound parameters: building a statement costs more CPU
# than SQLAlchemy's cached compilation of it, and about as much as running it.


@cache
def _caller_query() -> Select[tuple[Community, Member]]:
    return (
        select(Community, Member)
        .join(Member, Member.community_id == Community.id)
        .where(
            Community.platform == bindparam("platform"),
            Community.external_id == bindparam("community"),
            Member.external_id == bindparam("user"),
        )
        .with_for_update(of=Member)
    )


@cache
def _add_points_statement() -> Update:
    members: Table = Member.__table__  # type: ignore[assignment]
    return (
        update(members)
        .where(members.c.id == bindparam("member"))
        .values(points=members.c.points + bindparam("delta", type_=Integer))
        .returning(members.c.points)
    )


async def ensure_caller(
    session: AsyncSession, caller: Caller, default_tz: str, now: datetime
) -> tuple[Community, Member]:
    """The caller's community and member, created on first contact; the member row locked as `ensure_member` does.

    A returning member (nearly every command) costs one query: both rows are read together.
    """
    row = (
        await session.execute(
            _caller_query(), {"platform": caller.platform, "community": caller.community_id, "user": caller.user_id}
        )
    ).first()
    if row is None:
        community = await ensure_community(session, caller, default_tz, now)
        return community, await ensure_member(session, community, caller, now)
    community, member = row
    _rename_community(community, caller)
    _rename_member(member, caller)
    return community, member


def _rename_community(found: Community, caller: Caller) -> None:
    name = safe_name(caller.community_name, 100)
    if name and name != found.name:
        found.name = name


def _rename_member(found: Member, caller: Caller) -> None:
    name = display_name(caller.display_name)
    if found.display_name != name:
        found.display_name = name


async def ensure_community(session: AsyncSession, caller: Caller, default_tz: str, now: datetime) -> Community:
    found = await session.scalar(
        select(Community).where(Community.platform == caller.platform, Community.external_id == caller.community_id)
    )
    if found is not None:
        _rename_community(found, caller)
        return found
    await session.execute(
        dialect_insert(session, Community)
        .values(
            platform=caller.platform,
            external_id=caller.community_id,
            name=safe_name(caller.community_name, 100),
            timezone=default_tz,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["platform", "external_id"])
    )
    return await session.scalar(
        select(Community).where(Community.platform == caller.platform, Community.external_id == caller.community_id)
    )  # type: ignore[return-value]


async def ensure_member(session: AsyncSession, community: Community, caller: Caller, now: datetime) -> Member:
    """The caller's member row, created on first contact and locked until the transaction ends.

    The lock makes one member's commands run one after another on PostgreSQL as they do on SQLite (where
    BEGIN IMMEDIATE serialises every write), so a handler's read-then-write of its own state never races.
    """
    name = display_name(caller.display_name)
    mine = select(Member).where(Member.community_id == community.id, Member.external_id == caller.user_id)
    found = await session.scalar(mine.with_for_update())
    if found is not None:
        _rename_member(found, caller)
        return found
    await session.execute(
        dialect_insert(session, Member)
        .values(
            community_id=community.id,
            external_id=caller.user_id,
            display_name=name,
            points=0,
            is_moderator=False,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["community_id", "external_id"])
    )
    return await session.scalar(mine.with_for_update())  # type: ignore[return-value]


async def find_member(session: AsyncSession, community: Community, external_id: str) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.community_id == community.id, Member.external_id == external_id)
    )


async def add_points(session: AsyncSession, member: Member, delta: int) -> None:
    """Change a member's total in the database itself, so concurrent awards never overwrite each other."""
    total = await session.scalar(_add_points_statement(), {"member": member.id, "delta": delta})
    # The total the database now holds, read back by the UPDATE itself rather than by a second query.
    set_committed_value(member, "points", total)
