"""One-off announcements a moderator scheduled for a given time (stored and rendered by bot.announcements)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbound import PostResult
from bot.replies import Visibility
from bot.scheduler.jobs import BaseKind, Due, Job, Outgoing

HANDLER = "announcement"


def claim_kind(announcement_id: int) -> str:
    return f"announcement-{announcement_id}"


async def due(session: AsyncSession, until: datetime, limit: int = 100) -> list[Any]:
    """Announcements whose time has come and that were neither posted nor cancelled, oldest first."""
    from bot import announcements

    return list(await announcements.due(session, until, limit=limit))


class Announcement(BaseKind):
    async def render(self, job: Job) -> list[Outgoing]:
        from bot import announcements

        item = job.due.payload
        reply = replace(announcements.render(item), visibility=Visibility.PUBLIC, posts=())
        return [Outgoing(item.channel_id, reply, ping_everyone=bool(item.ping_everyone))]

    async def confirm(self, job: Job, results: list[tuple[Outgoing, PostResult]]) -> None:
        from bot import announcements

        posted = [r for o, r in results if not o.notice and r.ok]
        if posted:
            await announcements.mark_posted(job.session, job.due.ref, job.now, posted[0].link)
        else:
            # Given up after the retries (and reported): it must not stay due for ever.
            await self.skip(job.session, job.due, job.now)

    async def skip(self, session: AsyncSession, due: Due, now: datetime) -> None:
        """A missed or unpostable announcement is cancelled, so it is never due again."""
        from bot import announcements

        await announcements.cancel(session, due.payload.community, due.ref, now)
