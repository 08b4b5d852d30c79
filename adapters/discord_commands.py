"""The registry as Discord application commands: groups, typed options, autocomplete, persistent buttons."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import available_timezones

import discord
from discord import app_commands

from adapters.discord_render import BUTTON_TEMPLATE
from bot.app import StudyBot
from bot.registry import ArgKind, Argument, Command, Registry
from bot.text import shorten
from bot.topic_search import autocomplete as topic_autocomplete

MANAGE_SERVER = discord.Permissions(manage_guild=True)
DESCRIPTION_LIMIT = 100  # command, option and choice texts
STRING_OPTION_LIMIT = 6000
CHOICES_LIMIT = 25
MODAL_FIELDS = 5  # Discord shows at most five fields in a form

CommandHandler = Callable[[discord.Interaction, Command, dict[str, str]], Awaitable[None]]
Completer = Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[str]]]]
ButtonHandler = Callable[[discord.Interaction, str], Awaitable[None]]


class ChannelOption(app_commands.Transformer):
    """A channel picker whose value reaches the core as the channel's id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [
            discord.ChannelType.text,
            discord.ChannelType.news,
            discord.ChannelType.public_thread,
            discord.ChannelType.private_thread,
            discord.ChannelType.news_thread,
        ]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> str:
        return str(value.id)


class MemberOption(app_commands.Transformer):
    """A member picker whose value reaches the core as the user's id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.user

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> str:
        return str(value.id)


def describe(text: str) -> str:
    """A description Discord accepts: 1 to 100 characters."""
    return shorten(" ".join(text.split()), DESCRIPTION_LIMIT) or "…"


def option_annotation(arg: Argument) -> Any:
    """The discord.py annotation that gives `arg` its native option type."""
    match arg.kind:
        case ArgKind.CHANNEL:
            return app_commands.Transform[str, ChannelOption]
        case ArgKind.MEMBER:
            return app_commands.Transform[str, MemberOption]
        case ArgKind.INTEGER:
            if arg.min_value is None and arg.max_value is None:
                return int
            return app_commands.Range[int, arg.min_value, arg.max_value]
        case _:
            return app_commands.Range[str, None, max(1, min(arg.max_length, STRING_OPTION_LIMIT))]


def _choices(pairs: list[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=shorten(name, DESCRIPTION_LIMIT), value=value[:DESCRIPTION_LIMIT])
        for name, value in pairs[:CHOICES_LIMIT]
    ]


def completer_for(arg: Argument, bot: StudyBot) -> Completer | None:
    """Autocomplete for topics, time zones and long choice lists; None for other options."""
    if arg.kind is ArgKind.TOPIC:

        async def topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            found = topic_autocomplete(bot.content, current[:100], limit=CHOICES_LIMIT)
            return _choices([(f"{t.title} ({t.id})", t.id) for t in found])

        return topics
    if arg.kind is ArgKind.TIMEZONE:
        zones = sorted(available_timezones())

        async def timezones(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            needle = current.strip().lower().replace(" ", "_")
            return _choices([(z, z) for z in zones if needle in z.lower()])

        return timezones
    if arg.kind is ArgKind.CHOICE and len(arg.choices) > CHOICES_LIMIT:
        options = arg.choices

        async def long_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            needle = current.strip().lower()
            return _choices([(c, c) for c in options if needle in c.lower()])

        return long_choices
    return None


def paragraph_arguments(command: Command) -> tuple[Argument, ...]:
    """A form command's multi-line text arguments: on Discord they may be left out and written in a form."""
    if not command.form:
        return ()
    return tuple(a for a in command.arguments if a.multiline and a.kind is ArgKind.TEXT)[:MODAL_FIELDS]


def slash_command(command: Command, handler: CommandHandler, bot: StudyBot) -> app_commands.Command:
    """One registry command as a discord.py command whose options follow the command's arguments."""
    # Python names are positional (arg0, arg1, …); Discord sees the argument names through `rename`.
    names = {f"arg{i}": arg.name for i, arg in enumerate(command.arguments)}

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        raw = {names[key]: str(value) for key, value in values.items() if value is not None}
        await handler(interaction, command, raw)

    # Slash options are single-line; a paragraph left out is asked for in a form instead.
    in_form = set(paragraph_arguments(command))
    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for key, arg in zip(names, command.arguments, strict=True):
        default = inspect.Parameter.empty if arg.required and arg not in in_form else None
        parameters.append(
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=option_annotation(arg))
        )
    # discord.py reads options from the callback's signature; this one is generated from the registry.
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    if names:
        app_commands.describe(**{k: describe(a.description) for k, a in zip(names, command.arguments, strict=True)})(
            callback
        )
        app_commands.rename(**names)(callback)
    choices = {
        key: _choices([(c, c) for c in arg.choices])
        for key, arg in zip(names, command.arguments, strict=True)
        if arg.kind is ArgKind.CHOICE and 0 < len(arg.choices) <= CHOICES_LIMIT
    }
    if choices:
        app_commands.choices(**choices)(callback)
    completers = {
        key: found
        for key, arg in zip(names, command.arguments, strict=True)
        if (found := completer_for(arg, bot)) is not None
    }
    if completers:
        app_commands.autocomplete(**completers)(callback)
    return app_commands.Command(name=command.path[-1], description=describe(command.summary), callback=callback)


def add_registry_commands(
    tree: app_commands.CommandTree, registry: Registry, handler: CommandHandler, bot: StudyBot
) -> None:
    """Every registry command into `tree`: `/help`, `/roadmap next` (a group), `/leaderboard season start` (nested).

    Discord can hide only whole top-level commands, so a root is hidden from members (Manage Server by default)
    when every command under it is for moderators; the core checks every call again either way.
    """
    for root in registry.roots():
        commands = registry.under((root,))
        hidden = MANAGE_SERVER if all(c.moderator_only for c in commands) else None
        if len(commands) == 1 and commands[0].path == (root,):
            single = slash_command(commands[0], handler, bot)
            single.default_permissions = hidden
            tree.add_command(single)
            continue
        group = app_commands.Group(
            name=root, description=describe(registry.group_summary(root)), default_permissions=hidden
        )
        subgroups: dict[str, app_commands.Group] = {}
        for command in commands:
            parent = group
            if len(command.path) == 3:
                middle = command.path[1]
                if middle not in subgroups:
                    subgroups[middle] = app_commands.Group(
                        name=middle,
                        description=describe(registry.group_summary(" ".join(command.path[:2]))),
                        parent=group,  # also adds it to `group`
                    )
                parent = subgroups[middle]
            parent.add_command(slash_command(command, handler, bot))
        tree.add_command(group)


def command_button_class(on_press: ButtonHandler) -> type[discord.ui.DynamicItem[discord.ui.Button]]:
    """A persistent button type: its custom id `sb:<command line>` is all it needs, so it survives restarts."""

    class CommandButton(discord.ui.DynamicItem[discord.ui.Button], template=BUTTON_TEMPLATE):
        def __init__(self, button: discord.ui.Button) -> None:
            super().__init__(button)

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
        ) -> CommandButton:
            return cls(item)  # type: ignore[arg-type]

        async def callback(self, interaction: discord.Interaction) -> None:
            match = self.template.fullmatch(self.custom_id)
            if match is not None:
                await on_press(interaction, match["line"])

    return CommandButton
