"""`trends`: a weekly digest of curated trend links (rotating) and the newest items of the community's feeds.

A feed that cannot be read is reported to moderators and the digest falls back to curated links.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlparse

from bot.feeds import FeedReader, FeedResult
from bot.outbound import PostResult
from bot.replies import Field, Reply, Tone, Visibility
from bot.scheduler import rotation
from bot.scheduler.jobs import BaseKind, Due, Job, Outgoing
from bot.scheduler.schedules import feeds_of
from bot.storage.schedule_models import ScheduleFeed
from bot.text import shorten

if TYPE_CHECKING:
    from bot.app import StudyBot

CURATED = 5  # links in a digest without feed items
CURATED_WITH_FEEDS = 3
ITEMS_PER_FEED = 3
FIELD_LIMIT = 1000  # characters; platforms cap a field's value (Discord: 1024)


class Trends(BaseKind):
    async def prefetch(self, bot: StudyBot, due: Due, reader: FeedReader) -> list[FeedResult]:
        async with bot.sessions() as session:
            urls = [f.url for f in await feeds_of(session, due.community_id)]
        return await reader.read_many(urls)

    async def render(self, job: Job) -> list[Outgoing]:
        schedule = job.schedule
        if schedule is None:
            return []
        results: list[FeedResult] = job.prefetched or []
        fields: list[Field] = []
        for result in results:
            if not result.ok:
                continue
            seen = await rotation.last_posted(job.session, job.community.id, "feed-item")
            items = [i for i in result.items if i.key not in seen][:ITEMS_PER_FEED]
            if items:
                await rotation.remember(job.session, job.community.id, "feed-item", [i.key for i in items], job.now)
                name = result.title or urlparse(result.url).hostname or result.url
                fields.append(_field(f"New from {shorten(name, 80)}", [f"{i.title} — {i.link}" for i in items]))
        links = [t for t in job.bot.content.trends if t.kind == "link"]
        count = CURATED_WITH_FEEDS if fields else CURATED
        chosen = await rotation.least_recent(job.session, job.community.id, "trend", [t.id for t in links], count)
        await rotation.remember(job.session, job.community.id, "trend", chosen, job.now)
        by_id = {t.id: t for t in links}
        curated = [by_id[i] for i in chosen]
        if curated:
            lines = [f"{t.title} — {t.url}" + (f"\n  {shorten(t.summary, 160)}" if t.summary else "") for t in curated]
            fields.insert(0, _field("Worth a look", lines))
        failed = [r for r in results if not r.ok]
        job.notes["feeds"] = results
        outgoing: list[Outgoing] = []
        if fields:
            outgoing.append(
                Outgoing(
                    schedule.channel_id,
                    Reply(
                        title="Trends this week",
                        text="What is moving in backend development: read one, and tell the group what you think.",
                        fields=tuple(fields),
                        visibility=Visibility.PUBLIC,
                    ),
                )
            )
        report_to = schedule.report_channel_id or schedule.channel_id
        for result in failed:
            outgoing.append(Outgoing(report_to, feed_problem(result), notice=True))
        return outgoing

    async def confirm(self, job: Job, results: list[tuple[Outgoing, PostResult]]) -> None:
        feeds: list[FeedResult] = job.notes.get("feeds", [])
        if not feeds:
            return
        rows = {f.url: f for f in await feeds_of(job.session, job.community.id)}
        for result in feeds:
            row: ScheduleFeed | None = rows.get(result.url)
            if row is None:
                continue
            if result.ok:
                row.last_ok_at, row.last_error = job.now, None
            else:
                row.last_error = shorten(result.error or "could not be read", 300)


def feed_problem(result: FeedResult) -> Reply:
    return Reply(
        title="A feed could not be read",
        text=f"For moderators: the feed {result.url} could not be read ({result.error}), so this week's trends "
        "digest used curated links instead. Check the address, or remove it with "
        f"`/schedule feed remove {result.url}`.",
        tone=Tone.WARNING,
        visibility=Visibility.PUBLIC,
    )


def _field(name: str, lines: list[str]) -> Field:
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > FIELD_LIMIT:
            break
        kept.append(line)
        size += len(line) + 1
    return Field(name, "\n".join(kept) or shorten(lines[0], FIELD_LIMIT))
