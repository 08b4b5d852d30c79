"""`/meetup …`: opting in to meetup rounds, seeing your partner, and saying whether you met."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from bot.context import Context
from bot.errors import UserError
from bot.members import dialect_insert
from bot.points import RULES, award
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Button, ButtonStyle, Reply, Tone
from bot.scheduler import schedules
from bot.scheduler.meetup_rounds import group_line, groups_of
from bot.scheduler.occurrences import local_text
from bot.storage.schedule_models import MeetupMember, MeetupPair, MeetupRound


def register(registry: Registry) -> None:
    registry.describe_group("meetup", "Meetup rounds: get paired with another learner")
    for command in (
        Command(("meetup", "join"), "Take part in the meetup rounds", _join, writes=True),
        Command(("meetup", "leave"), "Stop taking part in meetup rounds", _leave, writes=True),
        Command(("meetup", "status"), "Your partner this round, and when the next round starts", _status),
        Command(
            ("meetup", "met"),
            "Say whether you met your partner in a round",
            _met,
            (
                Argument(
                    "round", ArgKind.INTEGER, "The round's number as the bot posted it", required=True, min_value=1
                ),
                Argument("answer", ArgKind.CHOICE, "yes or no", required=True, choices=("yes", "no")),
            ),
            writes=True,
        ),
    ):
        registry.add(command)


def _zone(ctx: Context) -> str:
    return ctx.member.timezone or ctx.community.timezone


async def _next_round(ctx: Context) -> str:
    schedule = await schedules.find(ctx.session, ctx.community.id, schedules.MEETUPS)
    if schedule is None or not schedule.enabled or schedule.next_due_at is None:
        return "Meetup rounds are not scheduled here yet: a moderator starts them with `/schedule set meetups …`."
    return f"Next round: {local_text(schedule.next_due_at, _zone(ctx))}."


async def _joined(ctx: Context) -> bool:
    found = await ctx.session.scalar(select(MeetupMember.id).where(MeetupMember.member_id == ctx.member.id))
    return found is not None


async def _join(ctx: Context, args: dict[str, Any]) -> Reply:
    if await _joined(ctx):
        return Reply(text=f"You are already in the meetup rounds. {await _next_round(ctx)}", tone=Tone.WARNING)
    await ctx.session.execute(
        dialect_insert(ctx.session, MeetupMember)
        .values(community_id=ctx.community.id, member_id=ctx.member.id, joined_at=ctx.now)
        .on_conflict_do_nothing(index_elements=["member_id"])
    )
    zone_hint = (
        ""
        if ctx.member.timezone
        else "\nTell me your time zone (`/roadmap timezone Europe/Berlin`) to be paired with people nearby."
    )
    return Reply(
        text=f"You are in! Each round pairs you with another learner. {await _next_round(ctx)}{zone_hint}",
        tone=Tone.SUCCESS,
    )


async def _leave(ctx: Context, args: dict[str, Any]) -> Reply:
    removed = await ctx.session.execute(delete(MeetupMember).where(MeetupMember.member_id == ctx.member.id))
    if not removed.rowcount:
        return Reply(text="You are not in the meetup rounds. Join with `/meetup join`.", tone=Tone.WARNING)
    return Reply(
        text="You left the meetup rounds: you are not paired from the next round on. A round you are in already "
        "stays as it is.",
        tone=Tone.SUCCESS,
    )


async def _current(ctx: Context) -> tuple[MeetupRound, MeetupPair] | None:
    """The member's place in the latest round that has not ended."""
    found = (
        await ctx.session.execute(
            select(MeetupRound, MeetupPair)
            .join(MeetupPair, MeetupPair.round_id == MeetupRound.id)
            .where(MeetupPair.member_id == ctx.member.id, MeetupRound.ends_at > ctx.now)
            .order_by(MeetupRound.starts_at.desc())
            .limit(1)
        )
    ).first()
    return (found[0], found[1]) if found else None


async def _status(ctx: Context, args: dict[str, Any]) -> Reply:
    joined = await _joined(ctx)
    count = await ctx.session.scalar(
        select(func.count(MeetupMember.id)).where(MeetupMember.community_id == ctx.community.id)
    )
    lines = [f"{count} member{'s' if count != 1 else ''} take part in meetup rounds."]
    buttons: tuple[Button, ...] = ()
    current = await _current(ctx)
    if current is not None:
        round_, place = current
        group = (await groups_of(ctx.session, round_.id)).get(place.group_no, [])
        partners = [m.display_name for m in group if m.id != ctx.member.id]
        answer = {"yes": " You said you met.", "no": " You said you have not met yet."}.get(place.answer or "", "")
        lines.append(
            f"Round {round_.number}: you meet {group_line(partners)}, until "
            f"{local_text(round_.ends_at, _zone(ctx))}.{answer}"
        )
        if place.answer != "yes":
            buttons = (Button("We met", f"meetup met {round_.id} yes", ButtonStyle.SUCCESS),)
    lines.append("You are in the rounds." if joined else "You are not in the rounds: `/meetup join` to take part.")
    lines.append(await _next_round(ctx))
    if not joined:
        buttons += (Button("Join meetups", "meetup join", ButtonStyle.PRIMARY),)
    return Reply(title="Meetups", text="\n".join(lines), buttons=buttons)


async def _met(ctx: Context, args: dict[str, Any]) -> Reply:
    round_id: int = args["round"]
    round_ = await ctx.session.get(MeetupRound, round_id)
    if round_ is None or round_.community_id != ctx.community.id:
        raise UserError("There is no such meetup round here. `/meetup status` shows yours.")
    place = await ctx.session.scalar(
        select(MeetupPair).where(MeetupPair.round_id == round_.id, MeetupPair.member_id == ctx.member.id)
    )
    if place is None:
        raise UserError(f"You were not paired in round {round_.number}, so there is nothing to answer.")
    if ctx.now >= round_.ends_at:
        raise UserError(
            f"Round {round_.number} has ended: answers are closed. The current round is on `/meetup status`."
        )
    group = (await groups_of(ctx.session, round_.id)).get(place.group_no, [])
    partners = group_line(m.display_name for m in group if m.id != ctx.member.id)
    if place.answer == "yes":
        return Reply(text=f"You already said you met {partners} in round {round_.number}.", tone=Tone.WARNING)
    place.answered_at = ctx.now
    if args["answer"] == "no":
        place.answer = "no"
        return Reply(
            text=f"Noted. There is time until {local_text(round_.ends_at, _zone(ctx))}: when you have met {partners}, "
            "press “We met”.",
            buttons=(Button("We met", f"meetup met {round_.id} yes", ButtonStyle.SUCCESS),),
        )
    place.answer = "yes"
    gained = await award(ctx.session, ctx.member, "meetup", f"round-{round_.id}", RULES.meetup, ctx.now)
    earned = f" +{gained} points." if gained else ""
    return Reply(text=f"Great, you met {partners}!{earned}", footer=f"{ctx.member.points} points", tone=Tone.SUCCESS)
