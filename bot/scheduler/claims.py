"""Claiming an occurrence before posting it, and recording how it ended.

The claim is an INSERT on the unique key (community, kind, occurrence time): of any number of processes, exactly
one inserts the row and posts. A claim that was never marked finished (the process died while posting) is not
posted again: the post may already be out, and posting twice is worse than missing one (at most once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.members import dialect_insert
from bot.storage.models import Community
from bot.storage.schedule_models import ScheduleRun

CLAIMED = "claimed"
SENT = "sent"
FAILED = "failed"
EMPTY = "empty"  # handled, with nothing to post (for example no challenge ended)
SKIPPED = "skipped"  # missed while the bot was down, beyond the grace window
ABANDONED = "abandoned"  # claimed but never confirmed: maybe posted, never posted again


@dataclass(frozen=True)
class Stale:
    community_id: int
    platform: str
    external_id: str
    timezone: str
    kind: str
    occurrence_at: datetime
    claimed_by: str


async def claim(
    session: AsyncSession,
    community_id: int,
    kind: str,
    occurrence_at: datetime,
    owner: str,
    now: datetime,
    status: str = CLAIMED,
) -> int | None:
    """Insert the claim; its id if this caller won it, None if any process claimed it before."""
    return await session.scalar(
        dialect_insert(session, ScheduleRun)
        .values(
            community_id=community_id,
            kind=kind,
            occurrence_at=occurrence_at,
            status=status,
            claimed_at=now,
            claimed_by=owner[:64],
            finished_at=now if status != CLAIMED else None,
        )
        .on_conflict_do_nothing(index_elements=["community_id", "kind", "occurrence_at"])
        .returning(ScheduleRun.id)
    )


Key = tuple[int, str, datetime]  # community, kind, occurrence time: the unique key of a claim


async def claim_many(session: AsyncSession, keys: Sequence[Key], owner: str, now: datetime) -> dict[Key, int]:
    """Claim every occurrence of `keys` in one go; the ids of those this caller won, by key.

    Keys another process (or an earlier run) already claimed are absent from the answer: the conflict leaves
    their rows untouched and RETURNING gives back only the rows this INSERT added.
    """
    if not keys:
        return {}
    table = ScheduleRun.__table__
    # Executemany, not one INSERT with many VALUES: SQLAlchemy compiles it once and batches the rows into
    # multi-row statements itself ("insertmanyvalues"); a literal many-VALUES INSERT is compiled on every call.
    rows = await session.execute(
        dialect_insert(session, table)
        .on_conflict_do_nothing(index_elements=["community_id", "kind", "occurrence_at"])
        .returning(table.c.id, table.c.community_id, table.c.kind, table.c.occurrence_at),
        [
            {
                "community_id": community_id,
                "kind": kind,
                "occurrence_at": occurrence_at,
                "status": CLAIMED,
                "claimed_at": now,
                "claimed_by": owner[:64],
                "finished_at": None,
            }
            for community_id, kind, occurrence_at in keys
        ],
    )
    # Matched by key, not by position: neither database promises RETURNING rows in VALUES order.
    return {(community_id, kind, at): run_id for run_id, community_id, kind, at in rows}


@dataclass(frozen=True)
class Outcome:
    """How one claimed occurrence ended, for `finish_many`."""

    run_id: int
    status: str
    link: str | None = None
    error: str | None = None


async def finish_many(session: AsyncSession, outcomes: Sequence[Outcome], now: datetime) -> None:
    """`finish` for many claims in one executemany statement."""
    if not outcomes:
        return
    table = ScheduleRun.__table__
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("run_id"))
        .values(
            status=bindparam("new_status"), finished_at=now, link=bindparam("new_link"), error=bindparam("new_error")
        ),
        [
            {
                "run_id": o.run_id,
                "new_status": o.status,
                "new_link": (o.link or None) and o.link[:500],
                "new_error": (o.error or None) and o.error[:300],
            }
            for o in outcomes
        ],
    )


async def finish(
    session: AsyncSession,
    run_id: int,
    status: str,
    now: datetime,
    *,
    link: str | None = None,
    error: str | None = None,
) -> None:
    await finish_many(session, [Outcome(run_id, status, link, error)], now)


async def abandon_stale(session: AsyncSession, now: datetime, lease: timedelta, platforms: set[str]) -> list[Stale]:
    """Mark claims older than `lease` that never finished as abandoned, and return them for reporting."""
    rows = await session.execute(
        select(ScheduleRun, Community.platform, Community.external_id, Community.timezone)
        .join(Community, Community.id == ScheduleRun.community_id)
        .where(
            ScheduleRun.status == CLAIMED,
            ScheduleRun.claimed_at < now - lease,
            Community.platform.in_(platforms),
        )
        .limit(500)
    )
    stale: list[Stale] = []
    for run, platform, external_id, timezone in rows:
        # Only the process whose UPDATE changes the row reports it.
        changed = await session.execute(
            update(ScheduleRun)
            .where(ScheduleRun.id == run.id, ScheduleRun.status == CLAIMED)
            .values(status=ABANDONED, finished_at=now, error="never confirmed as posted; not posted again")
        )
        if changed.rowcount:
            stale.append(
                Stale(run.community_id, platform, external_id, timezone, run.kind, run.occurrence_at, run.claimed_by)
            )
    return stale


async def recent(session: AsyncSession, community_id: int, limit: int = 5) -> list[ScheduleRun]:
    """The latest finished or pending runs of a community, newest first."""
    rows = await session.scalars(
        select(ScheduleRun)
        .where(ScheduleRun.community_id == community_id)
        .order_by(ScheduleRun.occurrence_at.desc(), ScheduleRun.id.desc())
        .limit(limit)
    )
    return list(rows)
