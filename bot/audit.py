"""The audit log: every moderator action, written in the same transaction as the action itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage.challenge_models import AuditEntry
from bot.storage.models import Community, Member
from bot.text import defuse_mentions, shorten


@dataclass(frozen=True)
class Logged:
    at: datetime
    actor: str
    action: str
    detail: str


async def record(
    session: AsyncSession, community: Community, actor: Member | None, action: str, detail: str, now: datetime
) -> None:
    """Append one moderator action; `detail` says what changed in a line a moderator can read."""
    session.add(
        AuditEntry(
            community_id=community.id,
            actor_id=actor.id if actor is not None else None,
            action=action,
            detail=shorten(defuse_mentions(detail), 500),
            created_at=now,
        )
    )
    await session.flush()


async def latest(session: AsyncSession, community: Community, count: int) -> list[Logged]:
    """The newest `count` entries, newest first."""
    actor = aliased(Member)
    rows = await session.execute(
        select(AuditEntry.created_at, actor.display_name, AuditEntry.action, AuditEntry.detail)
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .where(AuditEntry.community_id == community.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(count)
    )
    return [Logged(at, name or "the bot", action, detail) for at, name, action, detail in rows]
