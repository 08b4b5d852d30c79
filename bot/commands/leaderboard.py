"""`/leaderboard …` and `/profile`: standings, live boards, seasons, and one member's record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from bot import activity, audit, challenges, leaderboard
from bot.context import Context
from bot.errors import UserError
from bot.images import community_pictures
from bot.leaderboard import PERIODS, Period
from bot.live_boards import AUTO, pinned_reply
from bot.local_time import local_day, member_zone
from bot.members import dialect_insert, find_member
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Field, Reply, Tone, Visibility
from bot.storage.challenge_models import ActivityDay, LeaderboardPin, Season
from bot.storage.models import Member, Progress

PERIOD_ARG = Argument(
    "period", ArgKind.CHOICE, "week, month, season or all (default: the season while one runs)", choices=PERIODS
)


def register(registry: Registry) -> None:
    registry.describe_group("leaderboard", "Standings, live boards and seasons", default="show")
    for command in (
        Command(("leaderboard", "show"), "The top ten and your own rank", _show, (PERIOD_ARG,)),
        Command(
            ("leaderboard", "pin"),
            "Post a leaderboard here that updates itself (one per channel)",
            _pin,
            (PERIOD_ARG,),
            moderator_only=True,
            writes=True,
            slow=True,
        ),
        Command(
            ("leaderboard", "season", "start"),
            "Start a new season: season boards start from zero, all-time totals stay",
            _season_start,
            (Argument("name", ArgKind.TEXT, "The season's name, e.g. Winter 2026", True, rest=True, max_length=60),),
            moderator_only=True,
            writes=True,
        ),
        Command(
            ("leaderboard", "chart"),
            "The top ten's points in each of the last weeks, as a picture",
            _chart,
            slow=True,
        ),
        Command(
            ("profile",),
            "Points, streak, topics done and challenges finished (yours or a member's)",
            _profile,
            (Argument("member", ArgKind.MEMBER, "A member of this community (default: you)", max_length=100),),
        ),
    ):
        registry.add(command)


async def _show(ctx: Context, args: dict[str, Any]) -> Reply:
    period = (
        Period(args["period"]) if "period" in args else await leaderboard.default_period(ctx.session, ctx.community)
    )
    board = await leaderboard.board(ctx.session, ctx.community, period, ctx.now, ctx.member)
    return leaderboard.render(board)


async def _pin(ctx: Context, args: dict[str, Any]) -> Reply:
    poster = ctx.bot.posters.get(ctx.caller.platform)
    if poster is None:
        raise UserError("A live leaderboard needs the bot to post and edit messages here, and it cannot yet.")
    channel = ctx.caller.channel_id
    if not channel:
        raise UserError("Run `/leaderboard pin` in the channel that should show the leaderboard.")
    period = args.get("period", AUTO)
    board = await pinned_reply(ctx.session, ctx.community, period, ctx.now)
    # Posted by the command itself: the message id must be stored with the pin, and the moderator
    # should hear at once when the bot may not post here.
    result = await poster.post(ctx.community.external_id, channel, board)
    if not result.ok or not result.message_id:
        raise UserError(f"I could not post the leaderboard in this channel: {result.error or 'no message came back'}.")
    stmt = dialect_insert(ctx.session, LeaderboardPin).values(
        community_id=ctx.community.id,
        channel_id=channel,
        message_id=result.message_id,
        period=period,
        created_at=ctx.now,
    )
    pin_id = await ctx.session.scalar(
        stmt.on_conflict_do_update(
            index_elements=["community_id", "channel_id"],
            set_={"message_id": stmt.excluded.message_id, "period": stmt.excluded.period, "created_at": ctx.now},
        ).returning(LeaderboardPin.id)
    )
    assert pin_id is not None
    ctx.bot.live_boards.shown[pin_id] = board
    await audit.record(
        ctx.session,
        ctx.community,
        ctx.member,
        "leaderboard.pin",
        f"pinned a live leaderboard ({period}) in #{channel}",
        ctx.now,
    )
    where = f": {result.link}" if result.link else ""
    return Reply(
        text=f"Pinned a live leaderboard in this channel{where}. It updates itself within "
        f"{int(ctx.bot.live_boards.delay)} seconds of a change; pinning again here replaces it.",
        tone=Tone.SUCCESS,
    )


async def _season_start(ctx: Context, args: dict[str, Any]) -> Reply:
    name = args["name"]
    previous = await leaderboard.running_season(ctx.session, ctx.community)
    if previous is not None:
        await ctx.session.execute(
            update(Season).where(Season.id == previous.id, Season.ended_at.is_(None)).values(ended_at=ctx.now)
        )
    started = await ctx.session.scalar(
        dialect_insert(ctx.session, Season)
        .values(community_id=ctx.community.id, name=name, started_at=ctx.now)
        .on_conflict_do_nothing(index_elements=["community_id"], index_where=Season.ended_at.is_(None))
        .returning(Season.id)
    )
    if started is None:
        raise UserError("Another season was started a moment ago. `/leaderboard season` shows it.")
    ended = f" Season **{previous.name}** has ended." if previous is not None else ""
    await audit.record(ctx.session, ctx.community, ctx.member, "season.start", f"started season “{name}”", ctx.now)
    return Reply(
        title=f"Season {name} starts now",
        text=f"Everyone starts this season from zero; all-time totals stay as they are.{ended}\n"
        "`/leaderboard season` shows the season board.",
        tone=Tone.SUCCESS,
        visibility=Visibility.PUBLIC,
    )


async def _profile(ctx: Context, args: dict[str, Any]) -> Reply:
    member = ctx.member
    if "member" in args:
        found = await find_member(ctx.session, ctx.community, args["member"])
        if found is None:
            raise UserError("That member has not used the bot in this community yet.")
        member = found
    tz = member_zone(member, ctx.community)
    today = local_day(ctx.now, tz)
    streak = await activity.streak(ctx.session, member, today)
    topics_done = await ctx.session.scalar(
        select(func.count()).select_from(Progress).where(Progress.member_id == member.id, Progress.status == "done")
    )
    active_days = await ctx.session.scalar(
        select(func.count())
        .select_from(ActivityDay)
        .where(ActivityDay.member_id == member.id, ActivityDay.day > today - timedelta(days=30))
    )
    ahead = await ctx.session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.community_id == ctx.community.id, Member.points > member.points)
    )
    return Reply(
        title=f"Profile of {member.display_name}",
        fields=(
            Field("Points", f"{member.points} (#{1 + (ahead or 0)} all-time)", inline=True),
            Field("Streak", f"{streak} day{'s' if streak != 1 else ''}", inline=True),
            Field("Topics done", str(topics_done or 0), inline=True),
            Field("Challenges finished", str(await challenges.finished_count(ctx.session, member)), inline=True),
            Field("Active days (30 days)", str(active_days or 0), inline=True),
        ),
        footer=f"Days count in {tz.key}.",
        image=await community_pictures.activity_image(ctx.bot.images, ctx.session, ctx.community, member, ctx.now),
    )


async def _chart(ctx: Context, args: dict[str, Any]) -> Reply:
    image = await community_pictures.chart_image(ctx.bot.images, ctx.session, ctx.community, ctx.now)
    return Reply(
        title="Leaderboard chart",
        text="The all-time top ten, with the points each earned in each of the last weeks. "
        "`/leaderboard` lists the standings.",
        image=image,
    )
