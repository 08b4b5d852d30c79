"""Who a Slack user is (name, workspace admin or owner) from users.info, remembered for a few minutes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_errors import SLACK_FAILURES, read_failure

log = logging.getLogger(__name__)

TTL_SECONDS = 300.0
MAX_ENTRIES = 5000


@dataclass(frozen=True)
class SlackUser:
    name: str
    is_admin: bool  # workspace admin, owner or primary owner


class SlackUsers:
    """A small TTL cache in front of users.info; a failed lookup is not remembered."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        count_failure: Callable[[str], None] = lambda kind: None,
    ) -> None:
        self.client = client
        self.count_failure = count_failure
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[float, SlackUser]] = {}

    async def get(self, team_id: str, user_id: str, fallback_name: str = "") -> SlackUser:
        key = (team_id, user_id)
        now = self.clock()
        cached = self._cache.get(key)
        if cached and cached[0] > now:
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id)
        except SLACK_FAILURES as exc:
            # Without the lookup the caller is treated as a member: moderator commands stay refused.
            code = read_failure(exc).code
            self.count_failure(code)
            log.warning("users.info failed for a caller: %s", code)
            return SlackUser(name=fallback_name or user_id, is_admin=False)
        user = response.get("user") or {}
        found = SlackUser(name=_name(user) or fallback_name or user_id, is_admin=_is_admin(user))
        if len(self._cache) >= MAX_ENTRIES:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
        self._cache[key] = (now + self.ttl, found)
        return found


def _name(user: dict) -> str:
    profile = user.get("profile") or {}
    for candidate in (profile.get("display_name"), profile.get("real_name"), user.get("real_name"), user.get("name")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return ""


def _is_admin(user: dict) -> bool:
    if user.get("deleted") or user.get("is_restricted") or user.get("is_ultra_restricted"):
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
