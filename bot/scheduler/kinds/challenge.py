"""`challenge`: at the weekly boundary, the results of the week that ends, then the challenge that starts."""

from __future__ import annotations

from dataclasses import replace

from bot import challenges
from bot.replies import Reply, Visibility
from bot.scheduler.jobs import BaseKind, Job, Outgoing


class Challenge(BaseKind):
    async def render(self, job: Job) -> list[Outgoing]:
        schedule = job.schedule
        if schedule is None:
            return []
        # The occurrence time, not the clock: a late post must not shift the week's boundary.
        at = job.due.occurrence_at
        replies: list[Reply | None] = [
            await challenges.end_week(job.bot, job.session, job.community, at),
            await challenges.start_week(job.bot, job.session, job.community, at),
        ]
        return [
            Outgoing(schedule.channel_id, replace(reply, visibility=Visibility.PUBLIC, posts=()))
            for reply in replies
            if reply is not None
        ]
