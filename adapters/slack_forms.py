"""Modals built from a registry command's arguments, and reading a submitted modal back into raw arguments."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from adapters.slack_blocks import context, escape, plain
from bot.registry import ArgKind, Argument, Command
from bot.replies import Reply
from bot.text import shorten

CALLBACK_ID = "studybot:form"
VALUE_ACTION = "value"
TITLE_TEXT = 24
LABEL_TEXT = 2000
HINT_TEXT = 2000
INPUT_MAX = 3000
ERROR_TEXT = 300
PRIVATE_METADATA = 3000
SELECT_OPTIONS = 100


def offers_form(command: Command) -> bool:
    """Commands that read better as a form: marked `form`, or needing free text to do anything."""
    return command.form or any(a.rest and a.required for a in command.arguments)


def wants_form(command: Command, raw_args: dict[str, str]) -> bool:
    """Open the form when the command offers one and its input is missing (nothing given, or a required part)."""
    if not offers_form(command):
        return False
    missing = any(a.required and not raw_args.get(a.name, "").strip() for a in command.arguments)
    return missing or (command.form and not raw_args)


@dataclass(frozen=True)
class FormOrigin:
    """Where the form was opened from, carried through Slack in private_metadata."""

    command: str  # the command's name, e.g. "roadmap topic"
    channel_id: str | None = None
    response_url: str | None = None

    def encode(self) -> str:
        data = {"c": self.command, "ch": self.channel_id, "r": self.response_url}
        encoded = json.dumps(data, separators=(",", ":"))
        if len(encoded) > PRIVATE_METADATA:
            encoded = json.dumps({"c": self.command, "ch": self.channel_id}, separators=(",", ":"))
        return encoded

    @classmethod
    def decode(cls, text: str) -> FormOrigin | None:
        try:
            data = json.loads(text or "")
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        channel, url = data.get("ch"), data.get("r")
        return cls(
            command=data["c"],
            channel_id=channel if isinstance(channel, str) else None,
            response_url=url if isinstance(url, str) and url.startswith(("https://", "http://")) else None,
        )


def _label(arg: Argument) -> str:
    return arg.name.replace("_", " ").capitalize()


def _element(arg: Argument, initial: str | None) -> dict[str, Any]:
    element: dict[str, Any]
    if arg.kind is ArgKind.CHOICE and 0 < len(arg.choices) <= SELECT_OPTIONS:
        options = [{"text": {"type": "plain_text", "text": shorten(c, 75)}, "value": c} for c in arg.choices]
        element = {"type": "static_select", "options": options}
        if initial in arg.choices:
            element["initial_option"] = options[arg.choices.index(initial)]
    elif arg.kind is ArgKind.CHANNEL:
        element = {"type": "conversations_select", "filter": {"include": ["public", "private"]}}
        given = _mentioned_id(initial, "#")
        if given:
            element["initial_conversation"] = given
        else:
            element["default_to_current_conversation"] = True
    elif arg.kind is ArgKind.MEMBER:
        element = {"type": "users_select"}
        given = _mentioned_id(initial, "@")
        if given:
            element["initial_user"] = given
    elif arg.kind is ArgKind.INTEGER:
        element = {"type": "number_input", "is_decimal_allowed": False}
        if arg.min_value is not None:
            element["min_value"] = str(arg.min_value)
        if arg.max_value is not None:
            element["max_value"] = str(arg.max_value)
        if initial and initial.lstrip("-").isdigit():
            element["initial_value"] = initial
    else:
        element = {"type": "plain_text_input", "multiline": arg.multiline, "max_length": min(arg.max_length, INPUT_MAX)}
        if initial:
            element["initial_value"] = shorten(initial, min(arg.max_length, INPUT_MAX))
    element["action_id"] = VALUE_ACTION
    return element


def _mentioned_id(text: str | None, sigil: str) -> str | None:
    """The id in Slack markup such as <#C123|general> or <@U123>, or a bare id."""
    found = re.match(rf"^<{sigil}([A-Z0-9]+)(?:\|[^>]*)?>$", text or "") or re.match(r"^([A-Z0-9]{2,})$", text or "")
    return found.group(1) if found else None


def form_view(command: Command, origin: FormOrigin, initial: dict[str, str] | None = None) -> dict[str, Any]:
    """A modal with one input per argument (multi-line for free text), submitting as `command`."""
    initial = initial or {}
    blocks: list[dict[str, Any]] = [context(escape(command.summary))]
    for arg in command.arguments:
        blocks.append(
            {
                "type": "input",
                "block_id": arg.name,
                "optional": not arg.required,
                "label": {"type": "plain_text", "text": shorten(_label(arg), LABEL_TEXT)},
                "hint": {"type": "plain_text", "text": shorten(plain(arg.description), HINT_TEXT)},
                "element": _element(arg, initial.get(arg.name)),
            }
        )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": shorten("/" + command.name, TITLE_TEXT)},
        "submit": {"type": "plain_text", "text": "Submit"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": origin.encode(),
        "blocks": blocks,
    }


def submitted_args(command: Command, state: dict[str, Any]) -> dict[str, str]:
    """The raw arguments a submitted modal carries; empty inputs are left out."""
    # The view state is read defensively: a field of an unexpected shape counts as left empty, so the core
    # answers "missing argument" in words instead of the handler failing.
    values = _mapping(_mapping(state).get("values"))
    raw: dict[str, str] = {}
    for arg in command.arguments:
        element = _mapping(values.get(arg.name)).get(VALUE_ACTION)
        if not isinstance(element, dict):
            continue
        value = _element_value(element)
        if isinstance(value, str) and value.strip():
            raw[arg.name] = value
    return raw


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _element_value(element: dict[str, Any]) -> str | None:
    kind = element.get("type")
    if kind == "static_select":
        return _mapping(element.get("selected_option")).get("value")
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "channels_select":
        return element.get("selected_channel")
    if kind == "users_select":
        return element.get("selected_user")
    value = element.get("value")
    return str(value) if value is not None else None


def field_errors(command: Command, reply: Reply) -> dict[str, str]:
    """A refusal shown inside the modal: on the argument the message names, else on the first input."""
    message = shorten(plain(reply.text or reply.plain_text()), ERROR_TEXT)
    if not command.arguments:
        return {}
    named = re.findall(r"`([^`]+)`", message)
    target = next((a.name for a in command.arguments if a.name in named), command.arguments[0].name)
    return {target: message}
