"""Cleaning text that comes from users, so it is stored safely and pings no one when echoed."""

from __future__ import annotations

import re
import unicodedata

ZWSP = "\u200b"
# Discord: @everyone / @here; Slack: <!channel>, <!here>, <!everyone>, <!subteam^ID>; both: <@id>, <@&role>.
_MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_ANGLE_MENTION = re.compile(r"<([!@#])")
# Controls, direction overrides and lone surrogates (JSON can carry "\ud800"; no database can store it).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_SEPARATORS = re.compile(r"[\u2028\u2029\x85]")
# Markup tokens that pair up across a message: a user's `**` or a backtick would unbalance the core's own.
_MARKUP_RUN = re.compile(r"\*{2,}|_{2,}|~{2,}|\|{2,}")
MODIFIER_GRAVE = "\u02cb"


def clean(text: str, *, max_length: int, multiline: bool = False) -> str:
    """Normalise, drop control characters (newlines only when multiline) and trim."""
    text = _LINE_SEPARATORS.sub("\n", unicodedata.normalize("NFC", text))
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


def defuse_markup(text: str) -> str:
    """Break the markup tokens that pair across a message, so user text never opens bold or code for the rest."""
    text = _MARKUP_RUN.sub(lambda m: ZWSP.join(m.group()), text)
    return text.replace("`", MODIFIER_GRAVE)


def defuse(text: str) -> str:
    """User text made safe to echo inside any reply: it pings no one and leaves the core's markup balanced."""
    return defuse_markup(defuse_mentions(text))


def safe_name(raw: str, max_length: int) -> str:
    """A name from a platform, cleaned and defused, never longer than `max_length` (possibly empty)."""
    return defuse(clean(raw, max_length=max_length))[:max_length].strip()


def display_name(raw: str) -> str:
    """A member's name as the bot stores and shows it."""
    return safe_name(raw, 80) or "member"


def shorten(text: str, limit: int, marker: str = "…") -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(marker))].rstrip() + marker
