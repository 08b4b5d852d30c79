"""The core: parses and checks a command, runs it in one transaction, and returns a neutral reply."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import activity
from bot.arguments import convert, split_arguments
from bot.commands import build_registry
from bot.content import Content, load_content
from bot.context import Caller, Context
from bot.errors import UserError
from bot.health import HealthState
from bot.images.cache import ImageCache
from bot.live_boards import LiveBoards, Timer
from bot.members import ensure_caller
from bot.metrics import Metrics
from bot.outbound import ChannelPoster
from bot.rate_limits import RateLimiter, slow_down_text
from bot.registry import Command, Registry
from bot.replies import Reply, Tone
from bot.settings import Settings
from bot.storage.engine import create_engine, session_factory
from bot.storage.models import Community, Member
from bot.text import defuse, display_name, shorten

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
AfterCommand = Callable[[Caller, Command, Reply], Awaitable[None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Parsed:
    command: Command
    raw_args: dict[str, str]


class StudyBot:
    """One core per process. Adapters hold it and call `run_line` or `run`; it never calls them."""

    def __init__(
        self,
        settings: Settings,
        content: Content,
        engine: AsyncEngine,
        *,
        clock: Clock = utc_now,
        registry: Registry | None = None,
        timer: Timer | None = None,
    ) -> None:
        self.settings = settings
        self.content = content
        self.engine = engine
        self.sessions = session_factory(engine)
        self.clock = clock
        self.registry = registry or build_registry()
        self.after_command: list[AfterCommand] = []
        self.rate_limits = RateLimiter()
        # Adapters announce themselves once they can post; background services (the scheduler) listen.
        self.posters: dict[str, ChannelPoster] = {}
        self.on_poster: list[Callable[[ChannelPoster], Awaitable[None]]] = []
        self.metrics = Metrics()
        self.health = HealthState()
        # Rendered pictures by their inputs: a repeated request draws nothing.
        self.images = ImageCache()
        # Pinned leaderboards follow the standings after every command that changes state.
        self.live_boards = LiveBoards(self, timer=timer)
        self.after_command.append(self.live_boards.after_command)
        # SQLite lets one transaction write at a time, and every command transaction starts with BEGIN IMMEDIATE.
        # Left to SQLite, this process's connections would queue in its busy handler, which sleeps in growing
        # steps and wakes late; taking turns here hands the lock straight to the next command instead. The busy
        # timeout still applies to other processes holding the database.
        self._one_writer = engine.dialect.name == "sqlite"
        self._turns: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    @classmethod
    async def create(cls, settings: Settings, *, clock: Clock = utc_now, migrate: bool = True) -> StudyBot:
        """Load content, open the database and bring its schema up to date."""
        from bot.storage.migrate import upgrade

        content = load_content(settings.content_dir)
        engine = create_engine(settings.database_url.get_secret_value())
        if migrate:
            await upgrade(engine)
        return cls(settings, content, engine, clock=clock)

    async def close(self) -> None:
        await self.live_boards.close()
        await self.engine.dispose()

    async def attach_poster(self, poster: ChannelPoster) -> None:
        """Called by an adapter once it can post to channels (Discord: on ready; Slack: at start)."""
        self.posters[poster.platform] = poster
        for listener in self.on_poster:
            await listener(poster)

    # ---- parsing -------------------------------------------------------------------------------

    def parse_line(self, line: str) -> Parsed | Reply:
        """Split `/roadmap done http` into a command and its raw arguments, or answer with help."""
        words = line.strip().removeprefix("/").split()
        if not words:
            return self.help_reply(None, "Type a command, for example `/roadmap next`.")
        command, used = self.registry.resolve(words)
        if command is None:
            return self._unknown(words)
        raw = split_arguments(command, _remainder(line, used))
        if raw is None:
            return Reply(text=f"Too many words for `/{command.name}`. Usage: `{command.usage()}`", tone=Tone.ERROR)
        return Parsed(command, raw)

    def _unknown(self, words: list[str]) -> Reply:
        words = [w for w in words if isinstance(w, str) and w.strip()]
        if not words:
            return self.help_reply(None, "Type a command, for example `/roadmap next`.")
        root = words[0].lower()
        shown = defuse(shorten(" ".join(words[:3]), 60))
        if root in self.registry.roots():
            return self.help_reply(root, f"`/{shown}` is not a command.")
        return self.help_reply(None, f"I don't know `/{shown}`.")

    def help_reply(self, root: str | None, note: str) -> Reply:
        commands = self.registry.under((root,)) if root else list(self.registry)
        items = tuple(f"`{c.usage()}` — {c.summary}" for c in commands if not c.moderator_only)
        return Reply(text=note, title="Commands" if not root else f"/{root} commands", items=items, tone=Tone.WARNING)

    # ---- running -------------------------------------------------------------------------------

    async def run_line(self, caller: Caller, line: str) -> Reply:
        parsed = self.parse_line(line)
        if isinstance(parsed, Reply):
            return parsed
        return await self.run(caller, parsed.command.path, parsed.raw_args)

    async def run(self, caller: Caller, path: tuple[str, ...] | str, raw_args: dict[str, str]) -> Reply:
        """Run one command as `caller`; every failure becomes a reply, nothing is half-written."""
        words = path.split() if isinstance(path, str) else list(path)
        command = self.registry.get(tuple(words))
        if command is None:
            return self._unknown(words)
        started = time.perf_counter()
        outcome = "ok"
        try:
            reply = await self._execute_once_more_if_safe(caller, command, raw_args)
            if reply.tone is Tone.ERROR:
                outcome = "refused"
        except UserError as exc:
            reply, outcome = exc.reply, "refused"
        except _CommitUnknown:
            log.warning("database connection lost while committing /%s", command.name)
            reply, outcome = _commit_unknown(), "unavailable"
        except (OperationalError, PoolTimeoutError, ConnectionError, OSError) as exc:
            log.warning("database unavailable for /%s: %s", command.name, type(exc).__name__)
            reply, outcome = _try_again(), "unavailable"
        except DBAPIError as exc:
            if _repeatable(exc):
                log.warning("database connection lost or deadlock during /%s", command.name)
                reply, outcome = _try_again(), "unavailable"
            else:
                log.exception("database error in /%s", command.name)
                reply, outcome = _failed(), "error"
        except Exception:
            log.exception("command /%s failed", command.name)
            reply, outcome = _failed(), "error"
        elapsed = time.perf_counter() - started
        self.metrics.command(command.name, outcome, elapsed)
        log.info(
            "command finished",
            extra={
                "community": caller.community_id,
                "platform": caller.platform,
                "command": command.name,
                "outcome": outcome,
                "latency_ms": round(elapsed * 1000, 2),
            },
        )
        if outcome == "ok":
            for listener in self.after_command:
                try:
                    await listener(caller, command, reply)
                except Exception:
                    log.exception("after-command listener failed")
        return reply

    async def _execute_once_more_if_safe(self, caller: Caller, command: Command, raw_args: dict[str, str]) -> Reply:
        """Run the command; if its connection died (or it lost a deadlock) before commit, run it once more.

        The failed attempt was rolled back by the server, so running it again cannot write twice. A failure
        while committing is never repeated: whether that commit landed is unknown.
        """
        if command.writes and not caller.in_dm:
            # Counted once per command, not once per attempt.
            per_minute = self.settings.rate_limit_per_minute
            key = (caller.platform, caller.community_id, caller.user_id)
            wait = self.rate_limits.hit(key, self.clock(), per_minute)
            if wait is not None:
                raise UserError(slow_down_text(wait, per_minute))
        try:
            return await self._execute(caller, command, raw_args)
        except _SafeToRepeat:
            log.warning("database connection lost or deadlock during /%s; running it once more", command.name)
            try:
                return await self._execute(caller, command, raw_args)
            except _SafeToRepeat as second:
                raise second.cause from None

    async def _execute(self, caller: Caller, command: Command, raw_args: dict[str, str]) -> Reply:
        if caller.in_dm and command.needs_community:
            return _dm_refusal(self.registry)
        now = self.clock()
        committing = False
        try:
            async with self._turn(), self.sessions() as session, session.begin():
                if caller.in_dm:
                    # Read-only commands in a DM: a transient guest with no stored progress.
                    community = Community(id=None, timezone=self.settings.default_timezone, name="")
                    guest = display_name(caller.display_name)  # cleaned like a stored name: it is shown too
                    member = Member(id=None, display_name=guest, points=0, is_moderator=False)
                else:
                    community, member = await ensure_caller(session, caller, self.settings.default_timezone, now)
                is_moderator = bool(
                    caller.is_admin
                    or member.is_moderator
                    or (community.moderator_role_id and community.moderator_role_id in caller.roles)
                )
                if command.moderator_only and not is_moderator:
                    raise UserError(f"`/{command.name}` is for moderators of this community. Nothing was changed.")
                # Arguments are read after the moderator check (a member is refused whatever they typed), and
                # dates without a zone are read in the community's.
                values = self._convert_args(command, raw_args, community.timezone)
                previous_active = member.last_active_at
                ctx = Context(self, caller, session, community, member, now, is_moderator)
                reply = await command.handler(ctx, values)
                if reply.tone is Tone.ERROR:
                    # Leaving the block by exception rolls the transaction back: a refusal writes nothing.
                    raise UserError(reply.text, reply=reply)
                # Only a step that changed something counts: repeating "done" on a done topic keeps no streak alive.
                if command.activity and member.id is not None and reply.tone is Tone.SUCCESS:
                    new_day = await activity.record(session, community, member, now, previous_active)
                    if new_day and new_day.bonus:
                        note = f"🔥 {new_day.streak} days in a row: +{new_day.bonus} bonus points."
                        reply = replace(reply, items=(*reply.items, note))
                committing = True  # leaving the block commits
        except DBAPIError as exc:
            if committing and exc.connection_invalidated:
                raise _CommitUnknown() from exc
            if not committing and _repeatable(exc):
                raise _SafeToRepeat(exc) from exc
            raise
        return reply

    def _turn(self) -> AbstractAsyncContextManager[object]:
        """This command transaction's turn at the database: on SQLite one at a time, elsewhere at once."""
        if not self._one_writer:
            return contextlib.nullcontext()
        # A lock belongs to one event loop; a bot driven from several loops (tests) gets one per loop.
        loop = asyncio.get_running_loop()
        turn = self._turns.get(loop)
        if turn is None:
            self._turns = {known: lock for known, lock in self._turns.items() if not known.is_closed()}
            turn = self._turns[loop] = asyncio.Lock()
        return turn

    def _convert_args(self, command: Command, raw_args: dict[str, str], zone: str) -> dict[str, Any]:
        known = {a.name for a in command.arguments}
        unknown = set(raw_args) - known
        if unknown:
            name = defuse(shorten(str(sorted(unknown, key=str)[0]), 40))
            raise UserError(f"`/{command.name}` has no option “{name}”. Usage: `{command.usage()}`")
        values: dict[str, Any] = {}
        for arg in command.arguments:
            raw = raw_args.get(arg.name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if arg.required:
                    raise UserError(f"`/{command.name}` needs `{arg.name}`. Usage: `{command.usage()}`")
                continue
            if isinstance(raw, bool) or not isinstance(raw, str | int | float):
                # Platforms hand over strings and numbers; anything else is a malformed request.
                raise UserError(f"`{arg.name}` must be text or a number. Usage: `{command.usage()}`")
            if not isinstance(raw, str):
                raw = str(raw)
            values[arg.name] = convert(arg, raw, self.content, zone)
        return values


class _SafeToRepeat(Exception):
    """A transaction failed before its commit in a way the server rolled back entirely."""

    def __init__(self, cause: DBAPIError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _CommitUnknown(Exception):
    """The connection died during COMMIT: the transaction may or may not have landed."""


# PostgreSQL: serialization failure, deadlock detected, and the server going away (admin shutdown, crash,
# cannot connect now). The whole transaction was rolled back, so running it again writes at most once.
_REPEATABLE_SQLSTATES = {"40001", "40P01", "57P01", "57P02", "57P03"}


def _repeatable(exc: DBAPIError) -> bool:
    return exc.connection_invalidated or getattr(exc.orig, "sqlstate", None) in _REPEATABLE_SQLSTATES


def _remainder(line: str, skip_words: int) -> str:
    """The text of `line` after its first `skip_words` words, spacing kept."""
    text = line.strip().removeprefix("/")
    for _ in range(skip_words):
        text = text.lstrip()
        cut = len(text.split(maxsplit=1)[0])
        text = text[cut:]
    return text.strip()


def _try_again() -> Reply:
    return Reply(
        text="The database is busy or restarting. Nothing was changed; please try again in a moment.",
        tone=Tone.ERROR,
    )


def _commit_unknown() -> Reply:
    return Reply(
        text="The database connection dropped while saving, so I cannot tell whether that was saved. "
        "Please check, and try again if it was not.",
        tone=Tone.ERROR,
    )


def _failed() -> Reply:
    return Reply(text="Something went wrong on my side and it has been logged. Nothing was changed.", tone=Tone.ERROR)


def _dm_refusal(registry: Registry) -> Reply:
    usable = ", ".join(f"`/{c.name}`" for c in registry if not c.needs_community)
    return Reply(
        text=f"This command works inside a community, not in a direct message. Here you can use {usable}.",
        tone=Tone.WARNING,
    )
