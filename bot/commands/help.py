"""`/help`: the commands a caller may use, one command's usage, or a help page such as `points`."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.points import rules_lines
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Field, Reply

PAGES = {"points": ("How points work", rules_lines)}


def register(registry: Registry) -> None:
    registry.add(
        Command(
            ("help",),
            "What the bot can do; `/help <command>` for one command, `/help points` for the rules",
            _help,
            (
                Argument(
                    "about",
                    ArgKind.TEXT,
                    "A command (e.g. roadmap done) or `points`",
                    rest=True,
                    max_length=60,
                ),
            ),
            needs_community=False,
        )
    )


async def _help(ctx: Context, args: dict[str, Any]) -> Reply:
    registry = ctx.bot.registry
    about = args.get("about", "").strip().lower().removeprefix("/")
    if about in PAGES:
        title, lines = PAGES[about]
        return Reply(title=title, items=tuple(lines()))
    if about:
        words = about.split()
        command, used = registry.match(words)
        if command and used == len(words):
            fields = tuple(
                Field(f"{a.name}{'' if a.required else ' (optional)'}", a.description) for a in command.arguments
            )
            who = "moderators" if command.moderator_only else "everyone"
            return Reply(title=command.usage(), text=f"{command.summary}.\nWho: {who}.", fields=fields)
        if words[0] in registry.roots():
            return _overview(ctx, (words[0],))
        return ctx.bot.help_reply(None, f"There is no command or help page called “{about[:40]}”.")
    return _overview(ctx, None)


def _overview(ctx: Context, prefix: tuple[str, ...] | None) -> Reply:
    registry = ctx.bot.registry
    fields = []
    for root in registry.roots():
        if prefix and root != prefix[0]:
            continue
        lines = [
            f"`{c.usage()}` — {c.summary}" + (" (moderators)" if c.moderator_only else "")
            for c in registry.under((root,))
            if ctx.is_moderator or not c.moderator_only
        ]
        if lines:
            fields.append(
                Field(
                    registry.group_summary(root) if len(registry.under((root,))) > 1 else "/" + root,
                    "\n".join(lines),
                )
            )
    pages = ", ".join(f"`/help {page}`" for page in PAGES)
    return Reply(title="studybot commands", fields=tuple(fields), footer=f"More: {pages}")
