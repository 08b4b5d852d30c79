"""`/announce` and `/announcements …`: moderators post to a channel now or at a set time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import announcements, audit
from bot.context import Context
from bot.errors import UserError
from bot.local_time import shown, zone
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Button, Post, Reply, Tone
from bot.text import shorten

LONGEST_AHEAD = timedelta(days=366)
NOTIFY = ("none", "everyone")


def register(registry: Registry) -> None:
    registry.add(
        Command(
            ("announce",),
            "Post an announcement to a channel, now or at a set time",
            _announce,
            (
                Argument("channel", ArgKind.CHANNEL, "The channel to post in", True, max_length=100),
                Argument(
                    "text",
                    ArgKind.TEXT,
                    "What to say (mentions in it never ping)",
                    True,
                    rest=True,
                    multiline=True,
                    max_length=announcements.MAX_TEXT,
                ),
                Argument(
                    "at",
                    ArgKind.DATETIME,
                    "When to post, e.g. 2026-12-01 18:00 (community time); empty posts now",
                    max_length=40,
                    by_name=True,
                ),
                Argument(
                    "notify",
                    ArgKind.CHOICE,
                    "`everyone` notifies everyone (if your platform role may); default none",
                    choices=NOTIFY,
                    by_name=True,
                ),
            ),
            moderator_only=True,
            form=True,
            writes=True,
            slow=True,
        )
    )
    registry.describe_group("announcements", "Scheduled announcements", default="list")
    registry.add(Command(("announcements", "list"), "Announcements waiting to be posted", _list, moderator_only=True))
    registry.add(
        Command(
            ("announcements", "cancel"),
            "Cancel a scheduled announcement",
            _cancel,
            (
                Argument(
                    "number", ArgKind.INTEGER, "Its number in `/announcements`", True, min_value=1, max_value=2**31 - 1
                ),
            ),
            moderator_only=True,
            writes=True,
        )
    )


async def _announce(ctx: Context, args: dict[str, Any]) -> Reply:
    channel: str = args["channel"]
    text: str = args["text"]
    ping = args.get("notify") == "everyone"
    tz = zone(ctx.community.timezone)
    at = args.get("at")
    if at is not None and at > ctx.now + timedelta(minutes=1):
        if at - ctx.now > LONGEST_AHEAD:
            raise UserError("`at` is more than a year away.")
        stored = await announcements.create(ctx.session, ctx.community, ctx.member, channel, text, ping, at, ctx.now)
        summary = f"scheduled #{stored.id} for {shown(at, tz)} in #{channel}: {shorten(text, 120)}"
        await audit.record(ctx.session, ctx.community, ctx.member, "announce.schedule", summary, ctx.now)
        return Reply(
            text=f"Scheduled announcement #{stored.id} for **{shown(at, tz)}** in #{channel}"
            f"{' (notifying everyone)' if ping else ''}.",
            tone=Tone.SUCCESS,
            buttons=(Button("Cancel it", f"announcements cancel {stored.id}"),),
        )
    if at is not None and at < ctx.now - timedelta(minutes=1):
        raise UserError(f"`at` ({shown(at, tz)}) is in the past. Leave it empty to post now.")
    stored = await announcements.create(
        ctx.session, ctx.community, ctx.member, channel, text, ping, ctx.now, ctx.now, posted=True
    )
    post = announcements.render(stored)
    summary = f"announced #{stored.id} in #{channel}{' notifying everyone' if ping else ''}: {shorten(text, 120)}"
    await audit.record(ctx.session, ctx.community, ctx.member, "announce.post", summary, ctx.now)
    poster = ctx.bot.posters.get(ctx.caller.platform)
    if poster is None:
        # The adapter posts it after this reply (the console, tests); it has no link to report here.
        return Reply(text=f"Posting your announcement in #{channel}.", tone=Tone.SUCCESS).with_posts(
            Post(channel, post, ping_everyone=ping)
        )
    # Posting here rather than leaving it to the adapter gives the moderator the link, or the reason it failed.
    result = await poster.post(ctx.community.external_id, channel, post, ping_everyone=ping)
    if not result.ok:
        raise UserError(f"I could not post in #{channel}: {result.error or 'the platform refused'}. Nothing was sent.")
    stored.link = result.link
    where = f": {result.link}" if result.link else "."
    return Reply(text=f"Posted your announcement in #{channel}{where}", tone=Tone.SUCCESS)


async def _list(ctx: Context, args: dict[str, Any]) -> Reply:
    waiting = await announcements.upcoming(ctx.session, ctx.community)
    if not waiting:
        return Reply(text="No announcements are waiting. Schedule one with `/announce <channel> at=<time> <text>`.")
    tz = zone(ctx.community.timezone)
    return Reply(
        title="Scheduled announcements",
        items=tuple(
            f"#{a.id} · {shown(a.post_at, tz)} · #{a.channel_id}{' · notifies everyone' if a.ping_everyone else ''}"
            f" · {shorten(a.text, 80)}"
            for a in waiting
        ),
        footer="`/announcements cancel <number>` cancels one.",
    )


async def _cancel(ctx: Context, args: dict[str, Any]) -> Reply:
    cancelled = await announcements.cancel(ctx.session, ctx.community, args["number"], ctx.now)
    if cancelled is None:
        raise UserError(f"No announcement #{args['number']} is waiting to be posted here. `/announcements` lists them.")
    await audit.record(
        ctx.session, ctx.community, ctx.member, "announce.cancel", f"cancelled announcement #{cancelled.id}", ctx.now
    )
    return Reply(text=f"Cancelled announcement #{cancelled.id}.", tone=Tone.SUCCESS)
