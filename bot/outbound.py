"""The one interface adapters offer the core and the scheduler: post a reply to a channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.replies import Post, Reply


@dataclass(frozen=True)
class PostResult:
    ok: bool
    link: str | None = None  # a link to the posted message, where the platform has links
    message_id: str | None = None  # what `edit` needs to change the message later (Slack: its ts)
    error: str | None = None  # what went wrong, in words a moderator understands


class ChannelPoster(Protocol):
    platform: str

    async def post(
        self, community_id: str, channel_id: str, reply: Reply, *, ping_everyone: bool = False
    ) -> PostResult:
        """Post `reply` publicly in a channel of the community; never raises for platform errors."""
        ...

    async def edit(self, community_id: str, channel_id: str, message_id: str, reply: Reply) -> PostResult:
        """Replace a message this bot posted earlier (a live leaderboard); never raises for platform errors."""
        ...


async def deliver(poster: ChannelPoster, community_id: str, posts: tuple[Post, ...]) -> list[PostResult]:
    """Post every message a reply asked for, in order, and report each outcome."""
    return [
        await poster.post(community_id, post.channel_id, post.reply, ping_everyone=post.ping_everyone) for post in posts
    ]
