"""`/stats`: numbers a study-group organiser can act on."""

from __future__ import annotations

from typing import Any

from bot import stats
from bot.context import Context
from bot.local_time import shown, zone
from bot.registry import Command, Registry
from bot.replies import Field, Reply


def register(registry: Registry) -> None:
    registry.add(
        Command(
            ("stats",),
            "Activity, roadmap standing, sticking points and challenges",
            _stats,
            moderator_only=True,
            slow=True,
        )
    )


async def _stats(ctx: Context, args: dict[str, Any]) -> Reply:
    content = ctx.bot.content
    tz = zone(ctx.community.timezone)
    this_week, last_week = await stats.active_members(ctx.session, ctx.community, ctx.now)
    sections = await stats.members_per_section(ctx.session, ctx.community, content)
    slow = await stats.slowest_topics(ctx.session, ctx.community, ctx.now)
    skipped = await stats.most_skipped(ctx.session, ctx.community)
    weeks = await stats.challenge_weeks(ctx.session, ctx.community)

    def title(topic_id: str) -> str:
        topic = content.topic(topic_id)
        return topic.title if topic else topic_id

    fields = [
        Field("Active members", f"this week: {this_week}\nlast week: {last_week}", inline=True),
        Field("Where members are", "\n".join(f"{name}: {count}" for name, count in sections.items()) or "nobody yet"),
        Field(
            "Longest in learning",
            "\n".join(
                f"{title(t.topic_id)}: {t.average_days:.1f} days on average ({t.members} members, "
                f"{t.still_learning} still learning)"
                for t in slow
            )
            or "no topic started with `/roadmap start` yet",
        ),
        Field("Most skipped", "\n".join(f"{title(t)}: {n}" for t, n in skipped) or "none skipped"),
        Field(
            "Challenges (joined / submitted / finished)",
            "\n".join(
                f"{shown(w.started_at, tz).split(' (')[0]} · {w.title}: {w.joined} / {w.submitted} / {w.finished}"
                for w in weeks
            )
            or "no challenge yet",
        ),
    ]
    return Reply(title=f"Community statistics · {ctx.community.name or 'this community'}", fields=tuple(fields))
