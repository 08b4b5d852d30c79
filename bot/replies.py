"""Platform-neutral replies: what the core answers, and adapters render."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Visibility(StrEnum):
    PRIVATE = "private"  # only the caller sees it (Discord ephemeral, Slack ephemeral)
    PUBLIC = "public"  # posted for the whole channel


class Tone(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


class ButtonStyle(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUCCESS = "success"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    """A button that, when pressed, runs `command` (a command line without the slash) as the presser."""

    label: str
    command: str
    style: ButtonStyle = ButtonStyle.SECONDARY


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Image:
    """A rendered PNG that adapters attach."""

    filename: str
    data: bytes
    alt: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (for example a member's data export); adapters upload it as a file."""

    filename: str
    data: bytes
    mime: str = "application/octet-stream"


@dataclass(frozen=True)
class ProgressBar:
    done: int
    total: int
    label: str = ""

    @property
    def percent(self) -> int:
        return 0 if self.total <= 0 else round(100 * self.done / self.total)

    def render(self, width: int = 20) -> str:
        """A text bar such as `▰▰▰▰▱▱▱▱ 50%` that every platform can show."""
        filled = 0 if self.total <= 0 else round(width * self.done / self.total)
        bar = "▰" * filled + "▱" * (width - filled)
        suffix = f" {self.label}" if self.label else ""
        return f"{bar} {self.percent}%{suffix}"


@dataclass(frozen=True)
class Post:
    """A message the core asks the adapter to post to a channel of the caller's community."""

    channel_id: str
    reply: Reply
    # Set only when a moderator deliberately asked to notify everyone; adapters still apply
    # the platform's own permission rules.
    ping_everyone: bool = False


@dataclass(frozen=True)
class Reply:
    """What a command answers. Text is plain text with **bold** as the only markup."""

    text: str = ""
    title: str | None = None
    fields: tuple[Field, ...] = ()
    items: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()
    image: Image | None = None
    attachment: Attachment | None = None
    progress: ProgressBar | None = None
    footer: str | None = None
    url: str | None = None
    visibility: Visibility = Visibility.PRIVATE
    tone: Tone = Tone.INFO
    posts: tuple[Post, ...] = field(default=())

    def with_posts(self, *posts: Post) -> Reply:
        return replace(self, posts=self.posts + posts)

    def plain_text(self) -> str:
        """Every visible part as plain text, for platforms or logs that need one string."""
        parts: list[str] = []
        if self.title:
            parts.append(self.title)
        if self.text:
            parts.append(self.text)
        if self.progress:
            parts.append(self.progress.render())
        parts.extend(f"{f.name}: {f.value}" for f in self.fields)
        parts.extend(f"• {item}" for item in self.items)
        if self.footer:
            parts.append(self.footer)
        return "\n".join(parts)


def error(text: str, *, title: str | None = None) -> Reply:
    return Reply(text=text, title=title, tone=Tone.ERROR)


def success(text: str, **kwargs: object) -> Reply:
    return Reply(text=text, tone=Tone.SUCCESS, **kwargs)  # type: ignore[arg-type]
