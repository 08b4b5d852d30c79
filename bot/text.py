"""Cleaning text that comes from users, so it is stored safely and pings no one when echoed."""

from __future__ import annotations

import re
import unicodedata

ZWSP = "\u200b"
# Discord: @everyone / @here; Slack: <!channel>, <!here>, <!everyone>, <!subteam^ID>; both: <@id>, <@&role>.
_MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_ANGLE_MENTION = re.compile(r"<([!@#])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str, *, max_length: int, multiline: bool = False) -> str:
    """Normalise, drop control characters (newlines only when multiline) and trim."""
    text = unicodedata.normalize("NFC", text)
    if not multiline:
        text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _CONTROL.sub("", text).strip()
    return text[:max_length]


def defuse_mentions(text: str) -> str:
    """Make mass mentions and mention markup inert on every platform, keeping them readable."""
    text = _MASS_MENTION.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)
    return _ANGLE_MENTION.sub(lambda m: f"<{ZWSP}{m.group(1)}", text)


def display_name(raw: str) -> str:
    """A member's name as the bot stores and shows it."""
    name = defuse_mentions(clean(raw, max_length=80))
    return name or "member"


def shorten(text: str, limit: int, marker: str = "…") -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(marker))].rstrip() + marker
