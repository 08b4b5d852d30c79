"""Turning raw argument text into typed values, with a clear message for anything wrong."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import process

from bot.content import Content
from bot.errors import UserError
from bot.registry import ArgKind, Argument, Command
from bot.text import clean, defuse
from bot.topic_search import resolve

# Platform mention markup the adapters may pass through in text: <#C123|name>, <#123>, <@U1>, <@!1>.
_CHANNEL_REF = re.compile(r"^<#([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_MEMBER_REF = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_PLAIN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# One word of a command line: `name=value` (value quoted or not), a quoted phrase, or a plain word.
_NAMED = re.compile(r"""([A-Za-z_]+)=(?:"([^"]*)"|'([^']*)'|(\S*))(?=\s|$)""")
_QUOTED = re.compile(r"""(?:"([^"]*)"|'([^']*)')(?=\s|$)""")
# Platform markup such as Slack's <https://x.org|my work> or <#C1|study hall> is one word, spaces and all.
_WORD = re.compile(r"<[^<>\s][^<>]*>(?=\s|$)|\S+")


def split_arguments(command: Command, text: str) -> dict[str, str] | None:
    """The raw arguments in the text after a command's words; None when there are too many words.

    Words fill the arguments in order; `name=value` (or `name="two words"`) gives one by name, before the
    free text of a `rest` argument, which keeps its spacing and newlines. `by_name` arguments are only
    given by name.
    """
    named_args = {a.name: a for a in command.arguments}
    positional = [a for a in command.arguments if not a.by_name]
    raw: dict[str, str] = {}
    remaining = text.strip()
    while remaining:
        named = _NAMED.match(remaining)
        if named and named.group(1).lower() in named_args and named.group(1).lower() not in raw:
            raw[named.group(1).lower()] = next(g for g in named.groups()[1:] if g is not None)
            remaining = remaining[named.end() :].lstrip()
            continue
        while positional and positional[0].name in raw:
            positional.pop(0)
        if not positional:
            return None
        arg = positional.pop(0)
        if arg.rest:
            raw[arg.name] = remaining
            break
        quoted = _QUOTED.match(remaining)
        found = quoted or _WORD.match(remaining)
        assert found is not None  # `remaining` is stripped and not empty
        raw[arg.name] = next((g for g in found.groups() if g is not None), found.group(0))
        remaining = remaining[found.end() :].lstrip()
    return raw


def convert(arg: Argument, raw: str, content: Content, zone: str = "UTC") -> Any:
    """The typed value of one argument, or UserError naming the argument and what it wants."""
    raw = clean(raw, max_length=max(arg.max_length * 2, 4096), multiline=arg.rest or arg.multiline)
    if len(raw) > arg.max_length:
        raise UserError(f"`{arg.name}` is too long: at most {arg.max_length} characters.")
    if not raw:
        raise UserError(f"`{arg.name}` is empty.")
    match arg.kind:
        case ArgKind.TEXT:
            return defuse(raw)
        case ArgKind.CHOICE:
            value = raw.lower()
            if value not in arg.choices:
                raise UserError(f"`{arg.name}` must be one of: {', '.join(arg.choices)}.")
            return value
        case ArgKind.INTEGER:
            return _integer(arg, raw)
        case ArgKind.URL:
            return _url(arg, raw)
        case ArgKind.TOPIC:
            topic, suggestions = resolve(content, raw)
            if topic is None:
                hint = ", ".join(f"`{t.id}` ({t.title})" for t in suggestions)
                raise UserError(
                    f"No topic matches “{defuse(raw)}”."
                    + (f" Did you mean: {hint}?" if hint else " Try `/roadmap list`.")
                )
            return topic
        case ArgKind.CHANNEL:
            return _reference(arg, raw, _CHANNEL_REF, "#")
        case ArgKind.MEMBER:
            return _reference(arg, raw, _MEMBER_REF, "@")
        case ArgKind.TIMEZONE:
            return timezone(raw)
        case ArgKind.TIME:
            found = _TIME.match(raw)
            if not found:
                raise UserError(f"`{arg.name}` must be a time as HH:MM, for example 09:30.")
            return time(int(found.group(1)), int(found.group(2)))
        case ArgKind.DATETIME:
            return _datetime(arg, raw, zone)
    raise UserError(f"`{arg.name}` has a type this command cannot read.")


def _integer(arg: Argument, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise UserError(f"`{arg.name}` must be a whole number.") from None
    if arg.min_value is not None and value < arg.min_value:
        raise UserError(f"`{arg.name}` must be at least {arg.min_value}.")
    if arg.max_value is not None and value > arg.max_value:
        raise UserError(f"`{arg.name}` must be at most {arg.max_value}.")
    return value


def _url(arg: Argument, raw: str) -> str:
    # Slack wraps links as <https://example.com> or <https://example.com|label>.
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1].split("|", 1)[0]
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() for c in raw):
        raise UserError(f"`{arg.name}` must be a web address starting with http:// or https://.")
    if "<" in raw or ">" in raw:
        # Never valid in a URL unencoded, and Slack reads <!channel> in a message as a ping.
        raise UserError(f"`{arg.name}` must not contain < or >.")
    return raw


def _reference(arg: Argument, raw: str, pattern: re.Pattern[str], sigil: str) -> str:
    found = pattern.match(raw)
    if found:
        return found.group(1)
    bare = raw.removeprefix(sigil)
    if _PLAIN_ID.match(bare):
        return bare
    what = "channel" if sigil == "#" else "member"
    raise UserError(f"`{arg.name}` must name a {what}, for example {sigil}general.")


def timezone(raw: str) -> str:
    """A valid IANA zone name, or UserError with the closest names."""
    candidate = raw.strip().replace(" ", "_")
    if candidate.upper() == "UTC":
        return "UTC"
    try:
        ZoneInfo(candidate)
        if "/" in candidate or candidate in available_timezones():
            return candidate
    except (ZoneInfoNotFoundError, ValueError):
        pass
    close = [name for name, _score, _ in process.extract(candidate, sorted(available_timezones()), limit=3)]
    raise UserError(
        f"“{defuse(raw[:64])}” is not a time zone I know. "
        f"Use an IANA name such as Europe/Berlin or America/New_York. Closest: {', '.join(close)}."
    )


def _datetime(arg: Argument, raw: str, zone: str) -> datetime:
    text = raw.strip().replace("T", " ", 1) if "T" in raw[:11] else raw.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"`{arg.name}` must be a date and time like 2026-12-01 18:30.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC)
