"""Who is calling, and everything a command handler needs to answer them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from bot.app import StudyBot
    from bot.storage.models import Community, Member


@dataclass(frozen=True)
class Caller:
    """The person behind a command, as the adapter saw them. Immutable: results travel separately."""

    platform: str  # "discord", "slack", "console", "test"
    community_id: str  # guild id, team id or console community; "" in a direct message
    user_id: str
    display_name: str
    community_name: str = ""
    channel_id: str | None = None
    # What the platform itself says: Manage Server/Administrator, workspace admin/owner, --moderator.
    is_admin: bool = False
    roles: tuple[str, ...] = ()  # platform role ids, for a community's moderator role

    @property
    def in_dm(self) -> bool:
        return not self.community_id


@dataclass
class Context:
    bot: StudyBot
    caller: Caller
    session: AsyncSession
    community: Community
    member: Member
    now: datetime
    is_moderator: bool
