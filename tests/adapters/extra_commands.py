"""Commands that exercise what the real ones do not: posts the adapter delivers (`Reply.posts`), forms of every
input kind, images, very long replies and slow work. Added to the real registry for adapter tests."""

from __future__ import annotations

from typing import Any

from bot.commands import build_registry
from bot.context import Context
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Field, Image, Post, Reply, Visibility, error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _notice(ctx: Context, args: dict[str, Any]) -> Reply:
    post = Post(args["channel"], Reply(title="Notice", text=args["message"]))
    return Reply(text="Notice handed over.").with_posts(post)


async def _survey(ctx: Context, args: dict[str, Any]) -> Reply:
    if args.get("note", "").strip().lower() == "refuse":
        return error("The `note` may not be just “refuse”.")
    parts = [f"{key}={args[key]}" for key in ("language", "level", "buddy", "channel", "note") if key in args]
    return Reply(text="Survey: " + "; ".join(parts))


async def _chart(ctx: Context, args: dict[str, Any]) -> Reply:
    return Reply(text="Here is the chart.", image=Image("chart.png", PNG, "a bar chart"), visibility=Visibility.PUBLIC)


async def _my_chart(ctx: Context, args: dict[str, Any]) -> Reply:
    return Reply(text="Your chart.", image=Image("mine.png", PNG, "your progress"))


async def _essay(ctx: Context, args: dict[str, Any]) -> Reply:
    paragraph = "All work & no play <makes> a dull **learner**. " * 40
    return Reply(
        title="A very long answer",
        text="\n".join([paragraph] * 8),
        fields=tuple(Field(f"Part {n}", "word " * 500, inline=n % 2 == 0) for n in range(160)),
        items=tuple(f"item {n}" for n in range(300)),
    )


async def _crunch(ctx: Context, args: dict[str, Any]) -> Reply:
    return Reply(text="Crunched.")


def extra_registry() -> Registry:
    registry = build_registry()
    channel = Argument("channel", ArgKind.CHANNEL, "Where to post", required=True)
    message = Argument("message", ArgKind.TEXT, "What to say", required=True, rest=True, multiline=True)
    for command in (
        Command(("notice",), "Post a notice", _notice, (channel, message), moderator_only=True, form=True),
        Command(
            ("survey",),
            "Tell us about yourself",
            _survey,
            (
                Argument("language", ArgKind.CHOICE, "Your language", required=True, choices=("python", "java")),
                Argument("level", ArgKind.INTEGER, "1 to 5", required=True, min_value=1, max_value=5),
                Argument("buddy", ArgKind.MEMBER, "A study buddy"),
                Argument("channel", ArgKind.CHANNEL, "Your team's channel"),
                Argument(
                    "note", ArgKind.TEXT, "Anything else", required=True, rest=True, multiline=True, max_length=200
                ),
            ),
            form=True,
        ),
        Command(("chart",), "Show a chart", _chart),
        Command(("mychart",), "Show your own chart", _my_chart),
        Command(("essay",), "A very long answer", _essay),
        Command(("crunch",), "Slow work", _crunch, slow=True),
    ):
        registry.add(command)
    return registry
