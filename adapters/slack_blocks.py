"""Core replies as Slack Block Kit: mrkdwn made inert, Slack's size limits kept by splitting or shortening."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.replies import ButtonStyle, Field, Reply, Tone
from bot.text import shorten

# Slack's own limits (Block Kit reference).
MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTIONS_ELEMENTS = 25
CONTEXT_TEXT = 3000
NOTIFICATION_TEXT = 300
# A long reply becomes at most this many messages (a response_url takes five posts in all).
MAX_MESSAGES = 3

ACTION_PREFIX = "studybot:"
TONE_MARK = {Tone.ERROR: ":x: ", Tone.WARNING: ":warning: "}
STYLE = {ButtonStyle.PRIMARY: "primary", ButtonStyle.SUCCESS: "primary", ButtonStyle.DANGER: "danger"}

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_SAFE_URL = re.compile(r"^https?://[^\s<>|]+$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")


def escape(text: str) -> str:
    """Slack's three control characters as entities: `<!channel>` and `<@U1>` in user text become plain text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slash-command text as the user typed it (Slack sends &, < and > as entities)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mrkdwn(text: str) -> str:
    """Core text (plain, with **bold**) as safe Slack mrkdwn."""
    return _BOLD.sub(r"*\1*", escape(text))


def plain(text: str) -> str:
    """Core text for plain_text objects, which show markup literally: drop the ** markers."""
    return _BOLD.sub(r"\1", text)


def channel_link(channel_id: str) -> str:
    """`<#C123>` for a real channel id, else the id as inert text."""
    return f"<#{channel_id}>" if _CHANNEL_ID.match(channel_id) else f"`{escape(channel_id)}`"


def link(url: str, label: str) -> str:
    """A mrkdwn link for an http(s) URL; anything else as inert text."""
    if _SAFE_URL.match(url):
        return f"<{escape(url)}|{escape(label)}>"
    return escape(url)


def clip(text: str, limit: int) -> str:
    """Shorten escaped mrkdwn to `limit` characters with an ellipsis, never leaving half an entity."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    amp = text.rfind("&", max(0, cut - 5), cut)
    if amp >= 0 and ";" not in text[amp:cut]:
        cut = amp
    return text[:cut].rstrip() + "…"


def split_text(text: str, limit: int) -> list[str]:
    """Cut mrkdwn into pieces of at most `limit` characters, at line ends, then spaces, never inside an entity."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(line) > limit:
            cut = _cut_point(line, limit)
            pieces.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        current = line
    if current or not pieces:
        pieces.append(current)
    return [p for p in pieces if p] or [""]


def _cut_point(line: str, limit: int) -> int:
    space = line.rfind(" ", limit // 2, limit + 1)
    cut = space if space > 0 else limit
    amp = line.rfind("&", max(0, cut - 5), cut)
    if amp >= 0 and ";" not in line[amp:cut]:
        cut = amp  # the cut would split &amp; &lt; or &gt;
    return cut


def _text(kind: str, text: str) -> dict[str, Any]:
    return {"type": kind, "text": text} if kind == "mrkdwn" else {"type": kind, "text": text, "emoji": True}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _text("mrkdwn", text)}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": _text("plain_text", shorten(plain(text), HEADER_TEXT))}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [_text("mrkdwn", clip(text, CONTEXT_TEXT))]}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def sections(text: str) -> list[dict[str, Any]]:
    return [section(piece) for piece in split_text(text, SECTION_TEXT) if piece.strip()]


def _field_blocks(fields: Iterable[Field]) -> list[dict[str, Any]]:
    """Inline fields side by side (ten to a section); the others as their own sections."""
    blocks: list[dict[str, Any]] = []
    inline: list[dict[str, Any]] = []

    def flush() -> None:
        for start in range(0, len(inline), SECTION_FIELDS):
            blocks.append({"type": "section", "fields": inline[start : start + SECTION_FIELDS]})
        inline.clear()

    for field in fields:
        name = f"*{mrkdwn(plain(field.name))}*"
        value = mrkdwn(field.value) or " "
        if field.inline:
            inline.append(_text("mrkdwn", clip(f"{name}\n{value}", FIELD_TEXT)))
            continue
        flush()
        blocks.extend(sections(f"{name}\n{value}"))
    flush()
    return blocks


def button_blocks(reply: Reply) -> list[dict[str, Any]]:
    elements = []
    for button in reply.buttons:
        if len(button.command) > BUTTON_VALUE:
            continue  # a command line that long cannot travel in a button; typing it still works
        element: dict[str, Any] = {
            "type": "button",
            "text": _text("plain_text", shorten(plain(button.label), BUTTON_TEXT)),
            "action_id": ACTION_PREFIX,  # numbered per message or view by `number_actions`
            "value": button.command,
        }
        if button.style in STYLE:
            element["style"] = STYLE[button.style]
        elements.append(element)
    return [
        {"type": "actions", "elements": elements[start : start + ACTIONS_ELEMENTS]}
        for start in range(0, len(elements), ACTIONS_ELEMENTS)
    ]


def content_blocks(reply: Reply, *, ping_everyone: bool = False) -> list[dict[str, Any]]:
    """Every part of a reply but its buttons, in reading order."""
    blocks: list[dict[str, Any]] = []
    if reply.title:
        blocks.append(header(reply.title))
    text = TONE_MARK.get(reply.tone, "") + mrkdwn(reply.text) if reply.text else ""
    if ping_everyone:
        # Only a moderator's explicit request gets here (Post.ping_everyone); user text stays escaped.
        text = f"<!channel> {text}".rstrip()
    blocks.extend(sections(text))
    if reply.progress:
        blocks.append(section(escape(reply.progress.render())))
    blocks.extend(_field_blocks(reply.fields))
    if reply.items:
        blocks.extend(sections("\n".join(f"• {mrkdwn(item)}" for item in reply.items)))
    if reply.url:
        blocks.append(section(link(reply.url, reply.url)))
    if reply.footer:
        blocks.append(context(mrkdwn(reply.footer)))
    if not blocks:
        blocks.append(section("Done."))
    return blocks


def number_actions(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every button a unique action_id within one message or view, as Slack requires."""
    numbered = []
    count = 0
    for block in blocks:
        if block.get("type") == "actions":
            elements = []
            for element in block["elements"]:
                elements.append({**element, "action_id": f"{ACTION_PREFIX}{count}"})
                count += 1
            block = {**block, "elements": elements}
        numbered.append(block)
    return numbered


@dataclass(frozen=True)
class SlackMessage:
    text: str  # the notification text, also shown where blocks cannot be
    blocks: list[dict[str, Any]]


def notification_text(reply: Reply, *, ping_everyone: bool = False) -> str:
    first = reply.title or reply.text or reply.plain_text() or "studybot"
    text = mrkdwn(shorten(" ".join(first.split()), NOTIFICATION_TEXT))
    return f"<!channel> {text}" if ping_everyone else text


def render_messages(
    reply: Reply, *, ping_everyone: bool = False, max_blocks: int = MESSAGE_BLOCKS, max_messages: int = MAX_MESSAGES
) -> list[SlackMessage]:
    """The reply as one message, or a few when it exceeds Slack's block limit; buttons go with the last one."""
    body = content_blocks(reply, ping_everyone=ping_everyone)
    actions = button_blocks(reply)
    room = max_blocks * max_messages - len(actions)
    if len(body) > room:
        hidden = len(body) - room + 1
        body = [*body[: room - 1], context(f"… shortened: {hidden} more parts did not fit in Slack.")]
    chunks = [body[start : start + max_blocks] for start in range(0, len(body), max_blocks)]
    if len(chunks[-1]) + len(actions) <= max_blocks:
        chunks[-1] = chunks[-1] + actions
    elif actions:
        chunks.append(actions)
    text = notification_text(reply, ping_everyone=ping_everyone)
    return [SlackMessage(text=text, blocks=number_actions(chunk)) for chunk in chunks]


def home_view(parts: list[list[dict[str, Any]]], *, intro: str) -> dict[str, Any]:
    """An App Home view from parts (each a list of blocks), divided, within the Home's 100 blocks."""
    blocks: list[dict[str, Any]] = [header("studybot"), context(intro)]
    for part in parts:
        if len(blocks) + 1 + len(part) > HOME_BLOCKS - 1:
            blocks.append(context("More is available with the slash commands."))
            break
        blocks.append(divider())
        blocks.extend(part)
    return {"type": "home", "blocks": number_actions(blocks)}
