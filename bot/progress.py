"""A member's progress through the roadmap: reading it, and changing one topic's state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Select, Table, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content, Topic
from bot.members import insert_for, session_dialect
from bot.storage.models import Member, Progress


class Status(StrEnum):
    LEARNING = "learning"
    DONE = "done"
    SKIPPED = "skipped"


FINISHED = (Status.DONE, Status.SKIPPED)

PROGRESS: Table = Progress.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class TopicState:
    status: Status
    updated_at: datetime


async def load(session: AsyncSession, member: Member) -> dict[str, TopicState]:
    if member.id is None:
        return {}
    rows = await session.execute(_load_query(), {"member": member.id})
    return {topic_id: TopicState(Status(status), updated) for topic_id, status, updated in rows}


# Built once (see bot/members.py): plain Core statements on the table, without the ORM's per-statement work.


@cache
def _load_query() -> Select[tuple[str, str, datetime]]:
    c = PROGRESS.c
    return select(c.topic_id, c.status, c.updated_at).where(c.member_id == bindparam("member"))


@cache
def _upsert_statement(dialect: str, learning: bool) -> Any:
    stmt = insert_for(dialect, PROGRESS)
    update_cols = {
        "status": stmt.excluded.status,
        "updated_at": stmt.excluded.updated_at,
        "completed_at": stmt.excluded.completed_at,
    }
    if learning:
        update_cols["started_at"] = stmt.excluded.started_at
    return stmt.on_conflict_do_update(index_elements=["member_id", "topic_id"], set_=update_cols)


def finished(states: Mapping[str, TopicState], topic_id: str) -> bool:
    state = states.get(topic_id)
    return state is not None and state.status in FINISHED


def next_topic(content: Content, states: Mapping[str, TopicState]) -> Topic | None:
    """The first topic neither done nor skipped whose prerequisites are done (or skipped as known)."""
    for topic in content.topics:
        if finished(states, topic.id):
            continue
        if all(finished(states, p) for p in topic.prerequisites):
            return topic
    return None


def counts(content: Content, states: Mapping[str, TopicState], topic_ids: tuple[str, ...] | None = None) -> int:
    ids = topic_ids if topic_ids is not None else tuple(t.id for t in content.topics)
    return sum(1 for t in ids if finished(states, t))


async def set_status(session: AsyncSession, member: Member, topic_id: str, status: Status, now: datetime) -> None:
    """Upsert one topic's state in a single statement, so two concurrent calls cannot both insert."""
    values = {
        "member_id": member.id,
        "topic_id": topic_id,
        "status": status.value,
        "updated_at": now,
        "started_at": now if status is Status.LEARNING else None,
        "completed_at": now if status in FINISHED else None,
    }
    await session.execute(_upsert_statement(session_dialect(session), status is Status.LEARNING), values)


async def clear(session: AsyncSession, member: Member, topic_id: str) -> bool:
    result = await session.execute(
        delete(Progress).where(Progress.member_id == member.id, Progress.topic_id == topic_id)
    )
    return bool(result.rowcount)
