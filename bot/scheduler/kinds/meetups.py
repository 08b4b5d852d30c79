"""`meetups`: pair the members who opted in, post the pairs with a conversation starter, and ask halfway
through the round whether each pair met (a confirmed meeting earns points)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.meetups import RECENT_ROUNDS, Candidate, pair
from bot.points import RULES
from bot.progress import FINISHED
from bot.replies import Button, ButtonStyle, Field, Reply, Visibility
from bot.scheduler import rotation
from bot.scheduler.jobs import BaseKind, Due, Job, Outgoing
from bot.scheduler.meetup_rounds import group_line, groups_of, opted_in, recent_groups
from bot.scheduler.occurrences import next_after
from bot.scheduler.schedules import recurrence_of
from bot.storage.models import Community, Member, Progress
from bot.storage.schedule_models import MeetupPair, MeetupRound

CHECK = "meetup-check"


class Meetups(BaseKind):
    async def render(self, job: Job) -> list[Outgoing]:
        schedule = job.schedule
        if schedule is None:
            return []
        starts = job.due.occurrence_at
        ends = next_after(recurrence_of(schedule), starts) or starts
        members = await opted_in(job.session, job.community.id)
        if len(members) < 2:
            return [Outgoing(schedule.channel_id, _too_few(members))]
        candidates = await _candidates(job.session, job.community, members, starts)
        recent = await recent_groups(job.session, job.community.id, RECENT_ROUNDS)
        number = (
            await job.session.scalar(
                select(func.coalesce(func.max(MeetupRound.number), 0)).where(
                    MeetupRound.community_id == job.community.id
                )
            )
            or 0
        ) + 1
        pairing = pair(candidates, recent, seed=_seed(job.community.id, number))
        starter = await _starter(job)
        round_ = MeetupRound(
            community_id=job.community.id,
            channel_id=schedule.channel_id,
            number=number,
            starts_at=starts,
            check_at=starts + (ends - starts) / 2,
            ends_at=ends,
            starter_id=starter[0] if starter else None,
        )
        job.session.add(round_)
        await job.session.flush()
        for group_no, group in enumerate(pairing.groups, start=1):
            for member_id in group:
                job.session.add(MeetupPair(round_id=round_.id, member_id=member_id, group_no=group_no))
        names = {m.id: m.display_name for m in members}
        lines = tuple(group_line(names[i] for i in group) for group in pairing.groups)
        check_day = _local_day(round_.check_at, job.community.timezone)
        fields = (Field("Conversation starter", starter[1]),) if starter else ()
        reply = Reply(
            title=f"Meetup round {number}",
            text=f"{len(members)} members, {len(lines)} groups. Say hello to your partner and find half an hour "
            f"to talk before {check_day}: I'll ask then whether you met.",
            items=lines,
            fields=fields,
            buttons=(Button("My partner", "meetup status", ButtonStyle.PRIMARY), Button("Join", "meetup join")),
            footer="`/meetup join` to take part from the next round · `/meetup leave` to stop",
            visibility=Visibility.PUBLIC,
        )
        return [Outgoing(schedule.channel_id, reply)]


class MeetupCheck(BaseKind):
    """Halfway through a round: one question to every group, answered by pressing a button."""

    async def render(self, job: Job) -> list[Outgoing]:
        round_ = await job.session.get(MeetupRound, job.due.ref)
        if round_ is None:
            return []
        round_.asked_at = job.now
        groups = await groups_of(job.session, round_.id)
        if not groups:
            return []
        lines = tuple(group_line(m.display_name for m in members) for members in groups.values())
        reply = Reply(
            title=f"Meetup round {round_.number}: did you meet?",
            text=f"Press the button for your own group. A meeting earns each of you {RULES.meetup} points.",
            items=lines,
            buttons=(
                Button("We met", f"meetup met {round_.id} yes", ButtonStyle.SUCCESS),
                Button("Not yet", f"meetup met {round_.id} no"),
            ),
            footer=f"Answers count until {_local_day(round_.ends_at, job.community.timezone)}.",
            visibility=Visibility.PUBLIC,
        )
        return [Outgoing(round_.channel_id, reply)]

    async def skip(self, session: AsyncSession, due: Due, now: datetime) -> None:
        await session.execute(update(MeetupRound).where(MeetupRound.id == due.ref).values(asked_at=now))


async def _candidates(
    session: AsyncSession, community: Community, members: list[Member], at: datetime
) -> list[Candidate]:
    finished = dict(
        (
            await session.execute(
                select(Progress.member_id, func.count())
                .where(
                    Progress.member_id.in_([m.id for m in members]),
                    Progress.status.in_([s.value for s in FINISHED]),
                )
                .group_by(Progress.member_id)
            )
        ).all()
    )
    candidates = []
    for member in members:
        offset = at.astimezone(ZoneInfo(member.timezone or community.timezone)).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        candidates.append(Candidate(member.id, minutes, int(finished.get(member.id, 0))))
    return candidates


async def _starter(job: Job) -> tuple[str, str] | None:
    prompts = job.bot.content.meetups
    if not prompts:
        return None
    chosen = await rotation.least_recent(job.session, job.community.id, "meetup-starter", [m.id for m in prompts], 1)
    await rotation.remember(job.session, job.community.id, "meetup-starter", chosen, job.now)
    meetup = next(m for m in prompts if m.id == chosen[0])
    return meetup.id, meetup.prompt


def _too_few(members: list[Member]) -> Reply:
    if members:
        text = (
            f"Only **{members[0].display_name}** has joined meetups so far, so there is nobody to pair with "
            "this round. Anyone who would like a study partner: `/meetup join`, and you are in the next round."
        )
    else:
        text = "Nobody has joined meetups yet. Want a study partner? `/meetup join` and you are in the next round."
    return Reply(
        title="Meetups",
        text=text,
        buttons=(Button("Join meetups", "meetup join", ButtonStyle.PRIMARY),),
        visibility=Visibility.PUBLIC,
    )


def _seed(community_id: int, number: int) -> int:
    """A stable seed per community and round: a re-run of the same round pairs the same way."""
    return int.from_bytes(hashlib.sha256(f"{community_id}:{number}".encode()).digest()[:8], "big")


def _local_day(instant: datetime, zone: str) -> str:
    return f"{instant.astimezone(ZoneInfo(zone)):%A %d %B}"
