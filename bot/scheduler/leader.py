"""Which process schedules: one leader per platform, elected with PostgreSQL advisory locks.

The locks are held on one dedicated connection with TCP keepalives; they vanish when that connection dies, so
another process takes over. The leader checks its connection on every tick and steps down when it fails.
SQLite has no shared server: the single process that uses the file leads every platform it can post to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LOCK_PREFIX = "studybot-scheduler"
HEARTBEAT_TIMEOUT_SECONDS = 10.0
# Server-side keepalives: the server notices a vanished leader within about a minute and frees its locks.
KEEPALIVES = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10, "tcp_keepalives_count": 3}


class Leadership:
    """The platforms this process leads; `refresh` is called on every scheduler tick."""

    def __init__(self, engine: AsyncEngine, *, heartbeat_timeout: float = HEARTBEAT_TIMEOUT_SECONDS) -> None:
        self.engine = engine
        self.heartbeat_timeout = heartbeat_timeout
        self.held: set[str] = set()
        self.backend_pid: int | None = None  # the server process holding our locks (for operators and tests)
        self._conn: AsyncConnection | None = None
        self._lock = asyncio.Lock()

    @property
    def shared(self) -> bool:
        """True when several processes can share the database (PostgreSQL) and must elect a leader."""
        return self.engine.dialect.name == "postgresql"

    async def refresh(self, platforms: Iterable[str]) -> set[str]:
        """Check the lock connection, try to take the locks of `platforms` not yet held; the platforms led."""
        wanted = set(platforms)
        async with self._lock:
            if not self.shared:
                self.held = wanted
                return set(self.held)
            if self._conn is not None and not await self._alive():
                log.warning("scheduler lock connection failed: stepping down as leader of %s", sorted(self.held))
                await self._drop()
            for platform in sorted(wanted - self.held):
                if not await self._try_lock(platform):
                    break
            for platform in sorted(self.held - wanted):
                await self._unlock(platform)
            if not self.held and self._conn is not None:
                await self._drop()  # hold no idle connection while following
            return set(self.held)

    async def release(self) -> None:
        """Give up every lock (on shutdown), so another process takes over at once."""
        async with self._lock:
            if self._conn is not None:
                for platform in sorted(self.held):
                    await self._unlock(platform)
                await self._drop()
            self.held = set()

    async def _alive(self) -> bool:
        assert self._conn is not None
        try:
            await asyncio.wait_for(self._conn.execute(text("SELECT 1")), self.heartbeat_timeout)
            return True
        except Exception:
            return False

    async def _connect(self) -> AsyncConnection | None:
        try:
            conn = await self.engine.connect()
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            for name, value in KEEPALIVES.items():
                await conn.execute(text(f"SET {name} = {int(value)}"))
            self.backend_pid = await conn.scalar(text("SELECT pg_backend_pid()"))
            return conn
        except Exception as exc:
            log.warning("cannot open the scheduler lock connection: %s", type(exc).__name__)
            return None

    async def _try_lock(self, platform: str) -> bool:
        """Try one platform's lock; False when the connection is unusable."""
        if self._conn is None:
            self._conn = await self._connect()
            if self._conn is None:
                return False
        try:
            got = await self._conn.scalar(
                text("SELECT pg_try_advisory_lock(hashtext(:prefix || ':' || current_schema() || ':' || :platform))"),
                {"prefix": LOCK_PREFIX, "platform": platform},
            )
        except Exception as exc:
            log.warning("scheduler lock attempt failed: %s", type(exc).__name__)
            await self._drop()
            return False
        if got:
            self.held.add(platform)
            log.info("this process now leads the scheduler for %s", platform)
        return True

    async def _unlock(self, platform: str) -> None:
        assert self._conn is not None
        try:
            await self._conn.execute(
                text("SELECT pg_advisory_unlock(hashtext(:prefix || ':' || current_schema() || ':' || :platform))"),
                {"prefix": LOCK_PREFIX, "platform": platform},
            )
        except Exception:
            log.warning("could not release the scheduler lock of %s; closing its connection", platform)
            await self._drop()
        self.held.discard(platform)

    async def _drop(self) -> None:
        """Close the lock connection for good (never back to the pool): the server frees its locks."""
        conn, self._conn = self._conn, None
        self.held = set()
        self.backend_pid = None
        if conn is None:
            return
        with contextlib.suppress(Exception):
            await conn.invalidate()
        with contextlib.suppress(Exception):
            await conn.close()
