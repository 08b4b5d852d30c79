"""The platform-neutral command registry: adapters build their platform commands from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.context import Context
    from bot.replies import Reply


class ArgKind(StrEnum):
    """How an argument is typed and validated; adapters map kinds to native option types."""

    TEXT = "text"  # one word, or with `rest`, the remainder of the line
    TOPIC = "topic"  # a roadmap topic id or words (autocompleted where the platform can)
    CHOICE = "choice"  # one of `choices`
    INTEGER = "integer"
    URL = "url"  # http or https
    CHANNEL = "channel"  # a channel of the community (a platform channel id after parsing)
    MEMBER = "member"  # a member of the community (a platform user id after parsing)
    TIMEZONE = "timezone"  # an IANA zone
    TIME = "time"  # HH:MM
    DATETIME = "datetime"  # ISO-8601 date and time, or "YYYY-MM-DD HH:MM"


@dataclass(frozen=True)
class Argument:
    name: str
    kind: ArgKind
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 100
    min_value: int | None = None
    max_value: int | None = None
    rest: bool = False  # takes the rest of a text line (free text); only the last argument may
    # In a line of text, given only as `name=value` (`at="2026-12-01 18:00"`), so it may follow a `rest`
    # argument; in forms and platform options it is a field like any other.
    by_name: bool = False
    # Free text over several lines (a paragraph in forms); newlines are kept.
    multiline: bool = False


Handler = Callable[["Context", dict[str, Any]], Awaitable["Reply"]]


@dataclass(frozen=True)
class Command:
    """One invocable command; `path` is its words, e.g. ("roadmap", "next")."""

    path: tuple[str, ...]
    summary: str
    handler: Handler
    arguments: tuple[Argument, ...] = ()
    moderator_only: bool = False
    # Commands that only read can answer in a direct message; those that need a community cannot.
    needs_community: bool = True
    # A form with more than one line of input (platforms with modals show one).
    form: bool = False
    # Work that may take more than a moment (adapters defer or ack first).
    slow: bool = False
    # Changes state: counts against the member's rate limit, and may change the standings.
    writes: bool = False
    # A step of studying (a topic, a challenge): it makes the day an active day for streaks and statistics.
    activity: bool = False

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def usage(self) -> str:
        parts = [self.name]
        for arg in self.arguments:
            shown = f"{arg.name}=…" if arg.by_name else arg.name + ("…" if arg.rest else "")
            parts.append(f"<{shown}>" if arg.required else f"[{shown}]")
        return "/" + " ".join(parts)


class DuplicateCommandError(ValueError):
    pass


class Registry:
    """Commands by path. Registration order is kept: it is the order help lists them in."""

    def __init__(self) -> None:
        self._commands: dict[tuple[str, ...], Command] = {}
        self._group_help: dict[str, str] = {}
        self._group_default: dict[str, tuple[str, ...]] = {}

    def add(self, command: Command) -> Command:
        if command.path in self._commands:
            raise DuplicateCommandError(f"command /{command.name} is registered twice")
        if any(p == command.path[: len(p)] or command.path == p[: len(command.path)] for p in self._commands):
            raise DuplicateCommandError(f"/{command.name} clashes with a command that shares its words")
        positional = [a for a in command.arguments if not a.by_name]
        rests = [a for a in command.arguments if a.rest]
        if rests and (positional[-1] is not rests[0] or len(rests) > 1):
            raise ValueError(f"/{command.name}: only the last argument may take the rest of the line")
        if any(a.by_name and a.required for a in command.arguments):
            raise ValueError(f"/{command.name}: an argument given by name must be optional")
        self._commands[command.path] = command
        return command

    def describe_group(self, name: str, summary: str, *, default: str | None = None) -> None:
        """Name a group; `default` is the subcommand a bare `/name …` line runs (`leaderboard week`)."""
        self._group_help[name] = summary
        if default is not None:
            self._group_default[name] = (name, default)

    def group_summary(self, name: str) -> str:
        return self._group_help.get(name, f"{name} commands")

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def __len__(self) -> int:
        return len(self._commands)

    def get(self, path: tuple[str, ...]) -> Command | None:
        return self._commands.get(path)

    def roots(self) -> list[str]:
        """Top-level command words in registration order (`roadmap`, `help`, ...)."""
        seen: dict[str, None] = {}
        for path in self._commands:
            seen.setdefault(path[0], None)
        return list(seen)

    def under(self, prefix: tuple[str, ...]) -> list[Command]:
        return [c for p, c in self._commands.items() if p[: len(prefix)] == prefix]

    def match(self, words: list[str]) -> tuple[Command | None, int]:
        """The longest registered path that starts `words`, and how many words it used."""
        for size in range(min(len(words), 3), 0, -1):
            command = self._commands.get(tuple(w.lower() for w in words[:size]))
            if command:
                return command, size
        return None, 0

    def resolve(self, words: list[str]) -> tuple[Command | None, int]:
        """Like `match`, falling back to a group's default subcommand; the words it used come first."""
        command, used = self.match(words)
        if command is None and words and (default := self._group_default.get(words[0].lower())):
            return self._commands.get(default), 1
        return command, used

    def fingerprint(self) -> str:
        """A stable hash of every command's definition, so adapters sync only on change."""
        import hashlib

        h = hashlib.sha256()
        for c in self._commands.values():
            h.update(repr((c.path, c.summary, c.moderator_only, c.needs_community, c.arguments)).encode())
        for name in sorted(self._group_help):
            h.update(f"{name}={self._group_help[name]}".encode())
        return h.hexdigest()
