"""Standings: who has the most points all-time, this week, this month or this season, and where one
member stands.

All-time standings read `members.points` through the (community_id, points) index: the top ten is a short
index scan and a rank is `1 + the number of members with more points`, so both stay fast in a community of
100,000. Period standings add up the live entries of the points ledger since the period began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserError
from bot.local_time import month_start, shown, week_start, zone
from bot.replies import Field, Reply, Visibility
from bot.storage.challenge_models import Season
from bot.storage.models import Community, Member, PointEvent

TOP = 10
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    SEASON = "season"
    ALL = "all"


PERIODS = tuple(p.value for p in Period)


@dataclass(frozen=True)
class Standing:
    rank: int
    member_id: int
    name: str
    points: int


@dataclass(frozen=True)
class Board:
    period: Period
    heading: str
    top: tuple[Standing, ...]
    me: Standing | None


async def running_season(session: AsyncSession, community: Community) -> Season | None:
    return await session.scalar(select(Season).where(Season.community_id == community.id, Season.ended_at.is_(None)))


async def default_period(session: AsyncSession, community: Community) -> Period:
    """The season while one runs (so a new season visibly starts from zero), else all-time."""
    return Period.SEASON if await running_season(session, community) else Period.ALL


async def board(
    session: AsyncSession, community: Community, period: Period, now: datetime, member: Member | None = None
) -> Board:
    """The top ten of `period` and, when `member` is given, that member's own standing."""
    tz = zone(community.timezone)
    if period is Period.ALL:
        return await _all_time(session, community, member)
    if period is Period.SEASON:
        season = await running_season(session, community)
        if season is None:
            raise UserError(
                "No season is running. A moderator starts one with `/leaderboard season start <name>`; "
                "until then try `/leaderboard all`."
            )
        since, heading = season.started_at, f"season {season.name} (since {shown(season.started_at, tz)})"
    elif period is Period.WEEK:
        since = week_start(now, tz)
        heading = f"this week (since {shown(since, tz)})"
    else:
        since = month_start(now, tz)
        heading = f"this month (since {shown(since, tz)})"
    return await _since(session, community, period, heading, since, member)


async def _all_time(session: AsyncSession, community: Community, member: Member | None) -> Board:
    rows = await session.execute(
        select(Member.id, Member.display_name, Member.points)
        .where(Member.community_id == community.id, Member.points > 0)
        .order_by(Member.points.desc())
        .limit(TOP)
    )
    top = _ranked([(mid, name, pts) for mid, name, pts in rows])
    me = None
    if member is not None and member.id is not None:
        ahead = await session.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.community_id == community.id, Member.points > member.points)
        )
        me = Standing(1 + (ahead or 0), member.id, member.display_name, member.points)
    return Board(Period.ALL, "all time", top, me)


async def _since(
    session: AsyncSession,
    community: Community,
    period: Period,
    heading: str,
    since: datetime,
    member: Member | None,
) -> Board:
    live = (
        PointEvent.community_id == community.id,
        PointEvent.created_at >= since,
        PointEvent.revoked_at.is_(None),
    )
    total = func.sum(PointEvent.points).label("total")
    per_member = select(PointEvent.member_id, total).where(*live).group_by(PointEvent.member_id)
    leaders = per_member.having(total > 0).order_by(total.desc()).limit(TOP).subquery()
    rows = await session.execute(
        select(Member.id, Member.display_name, leaders.c.total).join(leaders, leaders.c.member_id == Member.id)
    )
    top = _ranked([(mid, name, int(pts)) for mid, name, pts in rows])
    me = None
    if member is not None and member.id is not None:
        mine = await session.scalar(
            select(func.coalesce(func.sum(PointEvent.points), 0)).where(*live, PointEvent.member_id == member.id)
        )
        mine = int(mine or 0)
        ahead = await session.scalar(select(func.count()).select_from(per_member.having(total > mine).subquery()))
        me = Standing(1 + (ahead or 0), member.id, member.display_name, mine)
    return Board(period, heading, top, me)


def _ranked(rows: list[tuple[int, str, int]]) -> tuple[Standing, ...]:
    """Competition ranking (1, 1, 3): a tie shares the better rank; names order a tie for reading."""
    rows = sorted(rows, key=lambda r: (-r[2], r[1].lower(), r[0]))
    standings: list[Standing] = []
    for position, (mid, name, pts) in enumerate(rows, start=1):
        rank = standings[-1].rank if standings and standings[-1].points == pts else position
        standings.append(Standing(rank, mid, name, pts))
    return tuple(standings)


def render(result: Board, *, public: bool = False, footer: str | None = None) -> Reply:
    """The board as a reply; `public` for a channel post (no personal line)."""
    items = tuple(
        f"{MEDALS.get(s.rank, '')}{' ' if s.rank in MEDALS else ''}{s.rank}. **{s.name}** — {_points(s.points)}"
        for s in result.top
    )
    fields: tuple[Field, ...] = ()
    if result.me is not None and not public:
        fields = (Field("You", f"#{result.me.rank} with {_points(result.me.points)}"),)
    text = "" if items else "No points yet. Finish a topic with `/roadmap done` to get on the board."
    return Reply(
        title=f"Leaderboard · {result.heading}",
        text=text,
        items=items,
        fields=fields,
        footer=footer or "Ties share a rank · `/leaderboard week|month|season|all` · `/help points`",
        visibility=Visibility.PUBLIC if public else Visibility.PRIVATE,
    )


def _points(points: int) -> str:
    return f"{points} point{'s' if points != 1 else ''}"
