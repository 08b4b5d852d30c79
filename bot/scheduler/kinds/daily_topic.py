"""`daily-topic`: the topic of the day, walking the roadmap in order or following the group's median progress."""

from __future__ import annotations

import statistics
from datetime import timedelta

from sqlalchemy import func, or_, select

from bot.commands.roadmap import fields_for
from bot.content import Content, Topic
from bot.progress import FINISHED
from bot.replies import Button, ButtonStyle, Reply, Visibility
from bot.scheduler import rotation
from bot.scheduler.jobs import BaseKind, Job, Outgoing
from bot.storage.models import Member, Progress

MEDIAN = "median"
ACTIVE_DAYS = 30  # members count toward the median when they did something on the roadmap this recently


class DailyTopic(BaseKind):
    async def render(self, job: Job) -> list[Outgoing]:
        schedule = job.schedule
        content = job.bot.content
        if schedule is None or not content.topics:
            return []
        if schedule.option == MEDIAN:
            topic, note = await _median_topic(job, content)
        else:
            topic, note = _next_in_order(job, content)
        await rotation.remember(job.session, job.community.id, "daily-topic", [topic.id], job.now)
        return [Outgoing(schedule.channel_id, render(content, topic, note))]

    async def render_many(self, jobs: list[Job]) -> list[list[Outgoing]]:
        """In-order topics need no reading: they come from the schedule's position, and the topics posted are
        remembered with one statement for the whole group. Median topics read the group's progress one by one."""
        content = jobs[0].bot.content if jobs else None
        rendered: list[list[Outgoing]] = []
        posted: list[tuple[int, str]] = []
        for job in jobs:
            schedule = job.schedule
            if content is None or schedule is None or not content.topics:
                rendered.append([])
            elif schedule.option == MEDIAN:
                rendered.append(await self.render(job))
            else:
                topic, note = _next_in_order(job, content)
                posted.append((job.community.id, topic.id))
                rendered.append([Outgoing(schedule.channel_id, render(content, topic, note))])
        if posted:
            await rotation.remember_many(jobs[0].session, "daily-topic", posted, jobs[0].now)
        return rendered


def render(content: Content, topic: Topic, note: str = "") -> Reply:
    """The public post of a topic: summary, why, resources, practice task, and buttons to act on it."""
    text = topic.summary + (f"\n{note}" if note else "")
    return Reply(
        title=f"Topic of the day: {topic.title}",
        text=text,
        fields=fields_for(content, topic, None),
        buttons=(
            Button("I'm learning it", f"roadmap start {topic.id}"),
            Button("Mark done", f"roadmap done {topic.id}", ButtonStyle.SUCCESS),
            Button("My next topic", "roadmap next", ButtonStyle.PRIMARY),
        ),
        footer=f"Topic {topic.index + 1} of {len(content.topics)} · `/roadmap topic {topic.id}`",
        visibility=Visibility.PUBLIC,
    )


def _next_in_order(job: Job, content: Content) -> tuple[Topic, str]:
    assert job.schedule is not None
    index = job.schedule.position % len(content.topics)
    note = "That was the whole roadmap: we start again from the top." if job.schedule.position and not index else ""
    job.schedule.position = index + 1
    return content.topics[index], note


async def _median_topic(job: Job, content: Content) -> tuple[Topic, str]:
    """The topic after the median active member's finished count; never the same topic two posts running."""
    since = job.now - timedelta(days=ACTIVE_DAYS)
    known = tuple(t.id for t in content.topics)
    finished = (
        select(Progress.member_id, func.count().label("finished"))
        .where(Progress.status.in_([s.value for s in FINISHED]), Progress.topic_id.in_(known))
        .group_by(Progress.member_id)
        .subquery()
    )
    recent = select(Progress.member_id).where(Progress.updated_at >= since)
    rows = await job.session.scalars(
        select(func.coalesce(finished.c.finished, 0))
        .select_from(Member)
        .outerjoin(finished, finished.c.member_id == Member.id)
        .where(
            Member.community_id == job.community.id,
            or_(Member.last_active_at >= since, Member.id.in_(recent)),
        )
    )
    counts = list(rows)
    if not counts:
        topic, note = _next_in_order(job, content)
        return topic, note or "Nobody has been active on the roadmap lately, so here is the next topic in order."
    index = min(int(statistics.median_low(counts)), len(content.topics) - 1)
    previous = await rotation.last_posted(job.session, job.community.id, "daily-topic")
    latest = max(previous, key=lambda t: previous[t]) if previous else None
    if latest == content.topics[index].id and index + 1 < len(content.topics):
        index += 1
    assert job.schedule is not None
    job.schedule.position = index + 1
    return content.topics[index], "Chosen where the middle of the group stands on the roadmap."
