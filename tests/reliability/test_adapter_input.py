"""Hostile input through each adapter's own parsing, then the core: Slack's slash-command text and modal state,
Discord's option values through the generated slash-command callback. Always a clear reply, valid data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from discord import app_commands
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord_commands import slash_command
from adapters.slack_blocks import escape, unescape
from adapters.slack_forms import VALUE_ACTION, submitted_args
from bot.commands import build_registry
from bot.content import Content
from bot.context import Caller
from bot.registry import ArgKind, Argument, Command
from tests.reliability.harness import SyncBot, sync_bot
from tests.reliability.inputs import MENTIONS, hostile_text, raw_value
from tests.reliability.invariants import check_reply, check_stored_data

COMMANDS = list(build_registry())
SLACK_MARKUP = ("&lt;!channel&gt;", "&amp;lt;", "<@U123|bob>", "<#C1|general>", "<https://x.example|x>", "&gt;")
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def _caller(platform: str, admin: bool) -> Caller:
    return Caller(platform=platform, community_id="T1", user_id="U1", display_name="Ada", is_admin=admin)


def _run(sb: SyncBot, caller: Caller, command: Command, raw: dict[str, str]) -> None:
    check_reply(sb.call(sb.bot.run(caller, command.path, raw)))


@pytest.fixture
def sb(tmp_path: Path, content: Content) -> Any:
    with sync_bot("sqlite", tmp_path, content) as bot:
        yield bot


# ---- Slack -----------------------------------------------------------------------------------------------


@SETTINGS
@given(command=st.sampled_from(COMMANDS), text=hostile_text(SLACK_MARKUP + MENTIONS), admin=st.booleans())
def test_slack_command_text(sb: SyncBot, command: Command, text: str, admin: bool) -> None:
    """What the Slack adapter does with a slash command: unescape the text, prefix the command, parse the line."""
    for sent in (text, escape(text)):  # as typed, and as Slack sends it with entities
        line = f"/{command.path[0]} {' '.join(command.path[1:])} {unescape(sent)}".strip()
        check_reply(sb.call(sb.bot.run_line(_caller("slack", admin), line)))
    sb.call(check_stored_data(sb.bot))


def _element(arg: Argument, value: str) -> st.SearchStrategy[dict[str, Any]]:
    """A submitted Slack input element for `arg`, shaped as Slack sends it, holding `value`."""
    shapes = [
        {"type": "plain_text_input", "value": value},
        {"type": "static_select", "selected_option": {"value": value}},
        {"type": "static_select", "selected_option": None},
        {"type": "users_select", "selected_user": value},
        {"type": "conversations_select", "selected_conversation": value},
        {"type": "number_input", "value": value},
        # Shapes Slack does not send, which a forged or future payload might: read as an empty field.
        {"type": "static_select", "selected_option": value},
        {"type": "users_select", "selected_user": 42},
        {"type": "plain_text_input", "value": None},
    ]
    return st.sampled_from(shapes).map(lambda e: {**e, "action_id": VALUE_ACTION})


@st.composite
def slack_view_state(draw: st.DrawFn, command: Command, topic_ids: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for arg in command.arguments:
        if draw(st.booleans()):
            values[arg.name] = {VALUE_ACTION: draw(_element(arg, draw(raw_value(arg, topic_ids))))}
    if command.arguments and draw(st.booleans()):
        values[command.arguments[0].name] = draw(st.sampled_from(["text", None, [1, 2], {VALUE_ACTION: "x"}]))
    if draw(st.booleans()):
        values["not_an_argument"] = {VALUE_ACTION: {"type": "plain_text_input", "value": "x"}}
    return {"values": values}


@SETTINGS
@given(data=st.data(), command=st.sampled_from(COMMANDS), admin=st.booleans())
def test_slack_modal_state(sb: SyncBot, content: Content, data: st.DataObject, command: Command, admin: bool) -> None:
    state = data.draw(slack_view_state(command, tuple(t.id for t in content.topics)))
    raw = submitted_args(command, state)
    assert set(raw) <= {a.name for a in command.arguments} and all(isinstance(v, str) for v in raw.values())
    _run(sb, _caller("slack", admin), command, raw)
    sb.call(check_stored_data(sb.bot))


# ---- Discord ---------------------------------------------------------------------------------------------


def _option_value(arg: Argument, topic_ids: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """What discord.py hands the callback for `arg`'s option, within the limits Discord itself enforces."""
    if arg.kind is ArgKind.INTEGER:
        low = arg.min_value if arg.min_value is not None else -(2**53)
        high = arg.max_value if arg.max_value is not None else 2**53
        return st.integers(low, high)
    if arg.kind in (ArgKind.CHANNEL, ArgKind.MEMBER):
        return st.integers(1, 2**63 - 1).map(str)  # the transformers hand over the snowflake as text
    limit = max(1, min(arg.max_length, 6000))
    return raw_value(arg, topic_ids).map(lambda v: v[:limit])


@SETTINGS
@given(data=st.data(), command=st.sampled_from(COMMANDS), admin=st.booleans())
def test_discord_option_values(
    sb: SyncBot, content: Content, data: st.DataObject, command: Command, admin: bool
) -> None:
    captured: list[dict[str, str]] = []

    async def handler(_interaction: Any, _command: Command, raw: dict[str, str]) -> None:
        captured.append(raw)

    generated: app_commands.Command = slash_command(command, handler, sb.bot)
    topic_ids = tuple(t.id for t in content.topics)
    values = {
        f"arg{i}": data.draw(st.one_of(st.none(), _option_value(arg, topic_ids)))
        for i, arg in enumerate(command.arguments)
    }
    sb.call(generated.callback(None, **values))  # type: ignore[arg-type]
    (raw,) = captured
    _run(sb, _caller("discord", admin), command, raw)
    sb.call(check_stored_data(sb.bot))
