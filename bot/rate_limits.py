"""Per-member limits on commands that change state, so nobody can farm points or flood a channel.

The counts live in this process's memory: with several bot processes each one limits on its own, so a member
spread over N processes could make up to N times the limit. That is a brake against gaming, not a quota.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)
# Forget members who have been quiet for a window once this many are tracked, so memory stays bounded.
PRUNE_AT = 10_000

Key = tuple[str, str, str]  # platform, community, user


class RateLimiter:
    """A sliding one-minute window per member; the caller passes the time, so tests move it by hand."""

    def __init__(self) -> None:
        self._hits: dict[Key, deque[datetime]] = {}

    def hit(self, key: Key, now: datetime, per_minute: int) -> timedelta | None:
        """Count one command for `key`; None when allowed, else how long until the next one is."""
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= PRUNE_AT:
                self._prune(now)
            hits = self._hits[key] = deque()
        while hits and now - hits[0] >= WINDOW:
            hits.popleft()
        if len(hits) >= per_minute:
            return hits[0] + WINDOW - now
        hits.append(now)
        return None

    def _prune(self, now: datetime) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or now - hits[-1] >= WINDOW]:
            del self._hits[key]


def slow_down_text(wait: timedelta, per_minute: int) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    return (
        f"Slow down: you can change things at most {per_minute} times a minute. "
        f"Try again in {seconds} second{'s' if seconds != 1 else ''}. Nothing was changed."
    )
