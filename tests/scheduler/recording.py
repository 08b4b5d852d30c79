"""A test platform for the scheduler: a ChannelPoster that keeps what it was asked to post."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.outbound import PostResult
from bot.replies import Reply


class Crash(BaseException):
    """Stands for the process dying in the middle of a post (nothing catches a BaseException)."""


@dataclass(frozen=True)
class Posted:
    community_id: str
    channel_id: str
    reply: Reply
    ping_everyone: bool = False


@dataclass
class RecordingPoster:
    """Posts succeed unless the channel is in `failing`; `crash_on` makes the next post to a channel die."""

    platform: str = "test"
    posts: list[Posted] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    crash_on: set[str] = field(default_factory=set)
    attempts: int = 0

    async def post(
        self, community_id: str, channel_id: str, reply: Reply, *, ping_everyone: bool = False
    ) -> PostResult:
        self.attempts += 1
        if channel_id in self.crash_on:
            self.crash_on.discard(channel_id)
            raise Crash(channel_id)
        if channel_id in self.failing:
            return PostResult(ok=False, error="Missing Access")
        self.posts.append(Posted(community_id, channel_id, reply, ping_everyone))
        n = len(self.posts)
        return PostResult(ok=True, link=f"test://{community_id}/{channel_id}/{n}", message_id=str(n))

    async def edit(self, community_id: str, channel_id: str, message_id: str, reply: Reply) -> PostResult:
        return PostResult(ok=True, message_id=message_id)

    def titled(self, prefix: str) -> list[Posted]:
        return [p for p in self.posts if (p.reply.title or "").startswith(prefix)]


@dataclass
class Sleeps:
    """An injected `sleep` that records the delays asked for and returns at once."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
