"""A core Reply as Discord messages: embeds cut to Discord's limits, command buttons, an attached image."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import discord

from bot.replies import Button, ButtonStyle, Image, Reply, Tone
from bot.text import shorten

log = logging.getLogger(__name__)

# Limits Discord enforces (and discord.py does not check first).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_PER_EMBED = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
MESSAGE_TOTAL_LIMIT = 6000  # all embeds of one message together
EMBEDS_PER_MESSAGE = 10
BUTTONS_PER_MESSAGE = 25  # five rows of five
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
# A reply longer than this many messages is cut: a command should never flood a channel.
MAX_MESSAGES = 4
SHORTENED = "\n… (shortened: the full reply is too long for Discord)"
# Each message keeps room for that note, so adding it never breaks the 6000 characters.
PACK_LIMIT = MESSAGE_TOTAL_LIMIT - len(SHORTENED)
BLANK = "\u200b"  # Discord refuses empty field names and values

# Buttons carry the command line they run, so they keep working after a restart.
BUTTON_PREFIX = "sb:"
BUTTON_TEMPLATE = r"sb:(?P<line>[^\n]+)"

# A channel id as the core writes it: `#` and a Discord snowflake, not already inside markup.
_CHANNEL_REF = re.compile(r"(?<![<\w&])#(\d{17,20})\b")

TONE_COLOUR = {
    Tone.INFO: discord.Colour(0x5865F2),
    Tone.SUCCESS: discord.Colour(0x57F287),
    Tone.WARNING: discord.Colour(0xFEE75C),
    Tone.ERROR: discord.Colour(0xED4245),
}
BUTTON_STYLE = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
    ButtonStyle.SUCCESS: discord.ButtonStyle.success,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}

# Wraps a plain button into the adapter's persistent (dynamic) item.
ButtonWrapper = Callable[[discord.ui.Button], discord.ui.Item]


@dataclass
class Outgoing:
    """One Discord message of a rendered reply. Files are made at send time: a discord.File is single-use."""

    embeds: list[discord.Embed]
    view: discord.ui.View | None = None
    image: Image | None = None
    content: str | None = None

    def file(self) -> discord.File | None:
        if self.image is None:
            return None
        return discord.File(
            io.BytesIO(self.image.data), filename=image_filename(self.image), description=self.image.alt[:1024]
        )


@dataclass
class _Embed:
    title: str = ""
    url: str | None = None
    description: str = ""
    fields: list[tuple[str, str, bool]] = field(default_factory=list)
    footer: str = ""

    def size(self) -> int:
        return (
            len(self.title) + len(self.description) + sum(len(n) + len(v) for n, v, _ in self.fields) + len(self.footer)
        )


def render(reply: Reply, wrap_button: ButtonWrapper | None = None) -> list[Outgoing]:
    """The messages that show `reply` within every Discord limit; buttons and image go on the last one."""
    colour = TONE_COLOUR[reply.tone]
    parts = _embeds_of(reply)
    messages = _pack(parts)
    if len(messages) > MAX_MESSAGES:
        messages = messages[:MAX_MESSAGES]
        last = messages[-1][-1]
        note = SHORTENED
        if last.fields:
            name, value, inline = last.fields[-1]
            last.fields[-1] = (name, shorten(value, FIELD_VALUE_LIMIT - len(note)) + note, inline)
        else:
            last.description = shorten(last.description, DESCRIPTION_LIMIT - len(note)) + note
    outgoing = [Outgoing([_to_discord(e, colour) for e in group]) for group in messages]
    final = outgoing[-1]
    if reply.image is not None:
        final.image = reply.image
        final.embeds[-1].set_image(url=f"attachment://{image_filename(reply.image)}")
    if reply.buttons:
        final.view = button_view(reply.buttons, wrap_button)
    return outgoing


def _embeds_of(reply: Reply) -> list[_Embed]:
    """The reply as embeds each within the per-embed limits; the title only on the first."""
    description = "\n\n".join(
        part
        for part in (
            reply.text.strip(),
            reply.progress.render() if reply.progress else "",
            "\n".join(f"• {item}" for item in reply.items),
        )
        if part
    )
    chunks = split_text(channel_links(description), DESCRIPTION_LIMIT) or [""]
    embeds = [_Embed(description=chunk) for chunk in chunks]
    embeds[0].title = shorten((reply.title or "").strip(), TITLE_LIMIT)
    embeds[0].url = reply.url
    current = embeds[-1]
    for f in reply.fields:
        name = shorten(f.name.strip(), FIELD_NAME_LIMIT) or BLANK
        values = split_text(channel_links(f.value.strip()), FIELD_VALUE_LIMIT) or [BLANK]
        for n, value in enumerate(values):
            label = name if n == 0 else shorten(f"{f.name.strip()} (continued)", FIELD_NAME_LIMIT)
            entry = (label, value, f.inline and len(values) == 1)
            if len(current.fields) >= FIELDS_PER_EMBED or current.size() + len(label) + len(value) > PACK_LIMIT:
                current = _Embed()
                embeds.append(current)
            current.fields.append(entry)
    if reply.footer:
        footer = shorten(reply.footer.strip(), FOOTER_LIMIT)
        if current.size() + len(footer) > PACK_LIMIT:
            current = _Embed()
            embeds.append(current)
        current.footer = footer
    if not any(e.title or e.description or e.fields or e.footer for e in embeds):
        embeds[0].description = "Done." if reply.tone is not Tone.ERROR else "Something went wrong."
    return embeds


def _pack(embeds: list[_Embed]) -> list[list[_Embed]]:
    """Group embeds into messages of at most 10 embeds and 6000 characters each."""
    messages: list[list[_Embed]] = [[]]
    total = 0
    for embed in embeds:
        size = embed.size()
        if messages[-1] and (len(messages[-1]) >= EMBEDS_PER_MESSAGE or total + size > PACK_LIMIT):
            messages.append([])
            total = 0
        messages[-1].append(embed)
        total += size
    return messages


def _to_discord(spec: _Embed, colour: discord.Colour) -> discord.Embed:
    embed = discord.Embed(
        title=spec.title or None,
        url=spec.url if spec.title and spec.url else None,
        description=spec.description or None,
        colour=colour,
    )
    for name, value, inline in spec.fields:
        embed.add_field(name=name, value=value, inline=inline)
    if spec.footer:
        embed.set_footer(text=spec.footer)
    return embed


def channel_links(text: str) -> str:
    """`#123456789012345678` (how the core names a channel) as a Discord channel link; links never ping."""
    return _CHANNEL_REF.sub(r"<#\1>", text)


def split_text(text: str, limit: int) -> list[str]:
    """Cut `text` into pieces of at most `limit` characters, at line breaks, else at spaces, else anywhere."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip():
        pieces.append(rest.rstrip())
    return [p for p in pieces if p]


def button_custom_id(command: str) -> str | None:
    """The persistent id of a button that runs `command`, or None when it would exceed Discord's 100 characters."""
    line = " ".join(command.strip().removeprefix("/").split())
    custom_id = BUTTON_PREFIX + line
    return custom_id if line and len(custom_id) <= CUSTOM_ID_LIMIT else None


def button_view(buttons: tuple[Button, ...], wrap_button: ButtonWrapper | None) -> discord.ui.View | None:
    """A view that never times out, whose buttons run their commands by custom id."""
    view = discord.ui.View(timeout=None)
    for button in buttons[:BUTTONS_PER_MESSAGE]:
        custom_id = button_custom_id(button.command)
        if custom_id is None:
            log.warning("button %r dropped: its command is too long for a Discord custom id", button.label)
            continue
        item: discord.ui.Item = discord.ui.Button(
            label=shorten(button.label, BUTTON_LABEL_LIMIT) or "…",
            style=BUTTON_STYLE[button.style],
            custom_id=custom_id,
        )
        view.add_item(wrap_button(item) if wrap_button else item)  # type: ignore[arg-type]
    return view if view.children else None


def image_filename(image: Image) -> str:
    """A file name Discord accepts in `attachment://` links."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", image.filename).strip("._") or "image.png"
    return name[:100]


def plain_content(text: str) -> str:
    """Message content within Discord's 2000 characters."""
    return shorten(text, CONTENT_LIMIT)
