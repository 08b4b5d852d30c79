"""`/schedule …`: what the bot posts where and when in this community (moderators)."""

from __future__ import annotations

from datetime import time
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import delete, func, select

from bot.context import Context
from bot.errors import UserError
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Field, Reply, Tone
from bot.scheduler import claims, schedules
from bot.scheduler.occurrences import DAYS, WEEKDAYS, local_text
from bot.scheduler.schedules import (
    DAILY_MODES,
    DAILY_TOPIC,
    KIND_SUMMARIES,
    KINDS,
    MAX_FEEDS,
    MEETUPS,
    WEEKLY_KINDS,
    Plan,
)
from bot.storage.schedule_models import Schedule, ScheduleFeed
from bot.text import shorten

KIND_ARG = Argument("kind", ArgKind.CHOICE, "What to post: " + ", ".join(KINDS), required=True, choices=KINDS)
URL_ARG = Argument("url", ArgKind.URL, "The address of an RSS or Atom feed", required=True, max_length=500)
MEETUP_WEEKS = {"1": 1, "2": 2, "4": 4, "1w": 1, "2w": 2, "4w": 4, "weekly": 1, "biweekly": 2}


def register(registry: Registry) -> None:
    registry.describe_group("schedule", "What the bot posts on a schedule (moderators)")
    for command in (
        Command(
            ("schedule", "set"),
            "Post a kind of message in this channel at a local time",
            _set,
            (
                KIND_ARG,
                Argument("time", ArgKind.TIME, "Local time as HH:MM, e.g. 09:00", required=True),
                Argument("timezone", ArgKind.TIMEZONE, "IANA zone (default: the community's)", max_length=64),
                Argument("weekday", ArgKind.CHOICE, "daily, weekdays, or one day: mon … sun", choices=DAYS),
                Argument(
                    "option",
                    ArgKind.TEXT,
                    "daily-topic: in-order or median; meetups: every 1, 2 or 4 weeks",
                    max_length=16,
                ),
            ),
            moderator_only=True,
            writes=True,
        ),
        Command(("schedule", "show"), "Everything scheduled in this community", _show, moderator_only=True),
        Command(
            ("schedule", "off"), "Stop a scheduled kind of post", _off, (KIND_ARG,), moderator_only=True, writes=True
        ),
        Command(
            ("schedule", "feed", "add"),
            "Add an RSS/Atom feed to the weekly trends digest",
            _feed_add,
            (URL_ARG,),
            moderator_only=True,
            writes=True,
        ),
        Command(
            ("schedule", "feed", "remove"),
            "Remove a feed from the trends digest",
            _feed_remove,
            (URL_ARG,),
            moderator_only=True,
            writes=True,
        ),
    ):
        registry.add(command)


def channel_ref(channel_id: str) -> str:
    """A channel as every platform shows a link to it."""
    return f"<#{channel_id}>"


# ---- handlers ------------------------------------------------------------------------------------


async def _set(ctx: Context, args: dict[str, Any]) -> Reply:
    channel = ctx.caller.channel_id
    if not channel:
        raise UserError("Run `/schedule set` in the channel that should receive the posts.")
    plan = _plan(ctx, args)
    schedule = await schedules.save(ctx.session, ctx.community, plan, channel, ctx.now)
    await schedules.report_here(ctx.session, ctx.community.id, channel)
    assert schedule.next_due_at is not None
    extra = ""
    if plan.kind == MEETUPS:
        extra = " Members join with `/meetup join`."
    elif plan.kind == DAILY_TOPIC:
        extra = (
            " Following the group's median progress." if plan.option == "median" else " Walking the roadmap in order."
        )
    return Reply(
        text=f"Scheduled **{plan.kind}** in {channel_ref(channel)}: {plan.recurrence.describe()}.{extra}\n"
        f"Next: {local_text(schedule.next_due_at, plan.timezone)}.",
        footer="Problems with scheduled posts are reported in the channel where `/schedule` was last used.",
        tone=Tone.SUCCESS,
    )


def _plan(ctx: Context, args: dict[str, Any]) -> Plan:
    kind: str = args["kind"]
    at: time = args["time"]
    zone: str = args.get("timezone") or ctx.community.timezone
    days = schedules.weekly_default(kind, args.get("weekday"))
    if kind in WEEKLY_KINDS and days not in WEEKDAYS:
        raise UserError(f"`{kind}` posts once a week: give one weekday (mon … sun) instead of `{days}`.")
    option = (args.get("option") or "").strip().lower() or None
    every_weeks = 1
    if kind == DAILY_TOPIC:
        option = option or DAILY_MODES[0]
        if option not in DAILY_MODES:
            raise UserError(
                "The option of `daily-topic` is `in-order` (walk the roadmap) or `median` (follow the group)."
            )
    elif kind == MEETUPS:
        if option is not None and option not in MEETUP_WEEKS:
            raise UserError("The option of `meetups` is how often rounds start: every `1`, `2` or `4` weeks.")
        every_weeks = MEETUP_WEEKS.get(option or "1", 1)
        option = None
    elif option is not None:
        raise UserError(f"`{kind}` has no option; leave it out.")
    return Plan(kind, at.hour, at.minute, zone, days, every_weeks, option)


async def _show(ctx: Context, args: dict[str, Any]) -> Reply:
    await schedules.report_here(ctx.session, ctx.community.id, ctx.caller.channel_id)
    rows = {s.kind: s for s in await schedules.of_community(ctx.session, ctx.community.id)}
    runs = await claims.recent(ctx.session, ctx.community.id, limit=20)
    fields: list[Field] = []
    for kind in KINDS:
        schedule = rows.get(kind)
        if schedule is None or not schedule.enabled:
            continue
        fields.append(Field(kind, _describe(schedule, [r for r in runs if r.kind == kind][:1])))
    feeds = await schedules.feeds_of(ctx.session, ctx.community.id)
    if feeds:
        fields.append(Field("Feeds in the trends digest", "\n".join(_feed_line(f) for f in feeds)))
    suggested = [t for t in ctx.bot.content.trends if t.kind == "feed" and t.url not in {f.url for f in feeds}]
    if suggested:
        fields.append(Field("Feeds you could add", "\n".join(f"{t.title}: {t.url}" for t in suggested[:5])))
    report = await schedules.report_channel(ctx.session, ctx.community.id)
    off = [k for k in KINDS if k not in rows or not rows[k].enabled]
    if len(off) == len(KINDS):
        text = "Nothing is scheduled yet."
    else:
        text = ("Not scheduled: " + ", ".join(f"`{k}`" for k in off) + ".") if off else "Every kind is scheduled."
    return Reply(
        title="Scheduled posts",
        text=text + "\nSet one with `/schedule set <kind> <HH:MM> [timezone] [weekday] [option]` in its channel.",
        fields=tuple(fields),
        footer=f"Problems are reported in {channel_ref(report)}." if report else None,
    )


def _describe(schedule: Schedule, last: list[Any]) -> str:
    recurrence = schedules.recurrence_of(schedule)
    lines = [f"{recurrence.describe()} in {channel_ref(schedule.channel_id)}"]
    if schedule.kind == DAILY_TOPIC:
        lines.append(
            "Follows the group's median progress" if schedule.option == "median" else "Walks the roadmap in order"
        )
    if schedule.next_due_at is not None:
        lines.append(f"Next: {local_text(schedule.next_due_at, schedule.timezone)}")
    if last:
        run = last[0]
        state = {
            claims.SENT: "posted",
            claims.FAILED: "FAILED",
            claims.SKIPPED: "skipped (the bot was offline)",
            claims.ABANDONED: "maybe not posted (the bot stopped while posting)",
            claims.EMPTY: "nothing to post",
            claims.CLAIMED: "posting",
        }.get(run.status, run.status)
        detail = f": {shorten(run.error, 120)}" if run.error and run.status == claims.FAILED else ""
        lines.append(f"Last: {local_text(run.occurrence_at, schedule.timezone)} {state}{detail}")
    return "\n".join(lines)


def _feed_line(feed: ScheduleFeed) -> str:
    if feed.last_error:
        return f"{feed.url} — last read failed: {shorten(feed.last_error, 100)}"
    if feed.last_ok_at:
        return f"{feed.url} — read fine"
    return f"{feed.url} — not read yet"


async def _off(ctx: Context, args: dict[str, Any]) -> Reply:
    kind: str = args["kind"]
    schedule = await schedules.find(ctx.session, ctx.community.id, kind)
    if schedule is None or not schedule.enabled:
        raise UserError(f"`{kind}` is not scheduled here. `/schedule show` lists what is.")
    await schedules.disable(ctx.session, schedule, ctx.now)
    await schedules.report_here(ctx.session, ctx.community.id, ctx.caller.channel_id)
    keep = (
        " The daily topic keeps its place in the roadmap for when you turn it on again." if kind == DAILY_TOPIC else ""
    )
    return Reply(text=f"Stopped **{kind}** ({KIND_SUMMARIES[kind]}).{keep}", tone=Tone.SUCCESS)


async def _feed_add(ctx: Context, args: dict[str, Any]) -> Reply:
    url: str = args["url"]
    feeds = await schedules.feeds_of(ctx.session, ctx.community.id)
    if any(f.url == url for f in feeds):
        return Reply(text=f"{url} is already in the trends digest.", tone=Tone.WARNING)
    if len(feeds) >= MAX_FEEDS:
        raise UserError(
            f"The digest takes at most {MAX_FEEDS} feeds. Remove one first with `/schedule feed remove <url>`."
        )
    host = urlparse(url).hostname or url
    ctx.session.add(ScheduleFeed(community_id=ctx.community.id, url=url, added_at=ctx.now))
    await schedules.report_here(ctx.session, ctx.community.id, ctx.caller.channel_id)
    trends = await schedules.find(ctx.session, ctx.community.id, schedules.TRENDS)
    if trends is not None and trends.enabled and trends.next_due_at is not None:
        when = f"Its newest items appear in the next trends digest, {local_text(trends.next_due_at, trends.timezone)}."
    else:
        when = "The trends digest is not scheduled yet: `/schedule set trends 09:00 <timezone> mon` in its channel."
    return Reply(text=f"Added the feed from **{host}**. {when}", tone=Tone.SUCCESS)


async def _feed_remove(ctx: Context, args: dict[str, Any]) -> Reply:
    url: str = args["url"]
    removed = await ctx.session.execute(
        delete(ScheduleFeed).where(ScheduleFeed.community_id == ctx.community.id, ScheduleFeed.url == url)
    )
    if not removed.rowcount:
        count = await ctx.session.scalar(
            select(func.count(ScheduleFeed.id)).where(ScheduleFeed.community_id == ctx.community.id)
        )
        hint = " `/schedule show` lists them." if count else " The digest has no feeds."
        raise UserError(f"That feed is not in the trends digest.{hint}")
    await schedules.report_here(ctx.session, ctx.community.id, ctx.caller.channel_id)
    return Reply(text=f"Removed the feed {url} from the trends digest.", tone=Tone.SUCCESS)
