"""One-off announcements a moderator scheduled for a given time (stored and rendered by bot.announcements)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import announcements
from bot.outbound import PostResult
from bot.replies import Visibility
from bot.scheduler.jobs import BaseKind, Due, Job, Outgoing
from bot.storage.challenge_models import Announcement as StoredAnnouncement
from bot.storage.models import Community

HANDLER = "announcement"


def claim_kind(announcement_id: int) -> str:
    return f"{HANDLER}-{announcement_id}"


def announcement_id(kind: str) -> int | None:
    """The announcement a claim kind names, or None for other kinds."""
    prefix, _, number = kind.partition("-")
    return int(number) if prefix == HANDLER and number.isdigit() else None


async def due(session: AsyncSession, until: datetime, limit: int = 100) -> list[StoredAnnouncement]:
    """Announcements whose time has come and that were neither posted nor cancelled, oldest first."""
    return list(await announcements.due(session, until, limit=limit))


class Announcement(BaseKind):
    async def render(self, job: Job) -> list[Outgoing]:
        item: StoredAnnouncement = job.due.payload
        reply = replace(announcements.render(item), visibility=Visibility.PUBLIC, posts=())
        return [Outgoing(item.channel_id, reply, ping_everyone=bool(item.ping_everyone))]

    async def confirm(self, job: Job, results: list[tuple[Outgoing, PostResult]]) -> None:
        posted = [r for o, r in results if not o.notice and r.ok]
        if posted:
            await announcements.mark_posted(job.session, job.due.ref, job.now, posted[0].link)
        else:
            # Given up after the retries (and reported): it must not stay due for ever.
            await self.skip(job.session, job.due, job.now)

    async def skip(self, session: AsyncSession, due: Due, now: datetime) -> None:
        """A missed, unpostable or abandoned announcement is cancelled, so it is never due again."""
        community = await session.get(Community, due.community_id)
        if community is not None and due.ref is not None:
            await announcements.cancel(session, community, due.ref, now)
