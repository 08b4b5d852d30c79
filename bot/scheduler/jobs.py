"""The values that travel through one scheduled run: what is due, the job being handled, what goes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbound import PostResult
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.app import StudyBot
    from bot.storage.models import Community
    from bot.storage.schedule_models import Schedule


@dataclass(frozen=True)
class Due:
    """One occurrence whose time has come: claimed under (community, `kind`, `occurrence_at`)."""

    community_id: int
    platform: str
    external_id: str  # the community's platform id: what posters take
    handler: str  # which kind module renders it: a schedule kind, "meetup-check" or "announcement"
    kind: str  # the claim kind
    occurrence_at: datetime
    schedule_id: int | None = None
    ref: int | None = None  # a meetup round or an announcement
    payload: Any = field(default=None, compare=False)  # an object the collector already loaded


@dataclass(frozen=True)
class Outgoing:
    """A message to post. `notice` marks a note for moderators, not the scheduled post itself."""

    channel_id: str
    reply: Reply
    notice: bool = False
    ping_everyone: bool = False


@dataclass
class Job:
    """Everything a kind needs to render one due occurrence, inside the claim's transaction."""

    bot: StudyBot
    session: AsyncSession
    community: Community
    schedule: Schedule | None
    due: Due
    now: datetime
    prefetched: Any = None
    # Filled by the kind for its `confirm` step (e.g. which feeds failed).
    notes: dict[str, Any] = field(default_factory=dict)


class Kind(Protocol):
    """One kind of scheduled post. `prefetch` runs outside any transaction (network I/O)."""

    async def prefetch(self, bot: StudyBot, due: Due, reader: Any) -> Any: ...

    async def render(self, job: Job) -> list[Outgoing]: ...

    async def render_many(self, jobs: list[Job]) -> list[list[Outgoing]]: ...

    async def confirm(self, job: Job, results: list[tuple[Outgoing, PostResult]]) -> None: ...

    async def skip(self, session: AsyncSession, due: Due, now: datetime) -> None: ...


class BaseKind:
    """Defaults: nothing to fetch first, nothing to record after posting or when an occurrence is skipped."""

    async def prefetch(self, bot: StudyBot, due: Due, reader: Any) -> Any:
        return None

    async def render(self, job: Job) -> list[Outgoing]:
        raise NotImplementedError

    async def render_many(self, jobs: list[Job]) -> list[list[Outgoing]]:
        """`render` for several jobs sharing one session (one claim group); a kind may batch its writes."""
        return [await self.render(job) for job in jobs]

    async def confirm(self, job: Job, results: list[tuple[Outgoing, PostResult]]) -> None:
        return None

    async def skip(self, session: AsyncSession, due: Due, now: datetime) -> None:
        """Called when the occurrence is given up (missed beyond the grace window, or impossible to render)."""
        return None
