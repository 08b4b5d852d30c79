"""`/challenge …`: the weekly challenge for members, and its running and reviewing for moderators."""

from __future__ import annotations

import re
from typing import Any

from bot import audit, challenges
from bot.challenges import Spec, Status
from bot.context import Context
from bot.errors import UserError
from bot.local_time import member_zone, shown, zone
from bot.points import RULES
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Button, ButtonStyle, Field, Post, Reply, Tone
from bot.text import clean

REVIEW_PAGE = 5  # submissions per `/challenge review`: two buttons each stays within every platform's limits
SUBMISSION_ARG = Argument(
    "submission",
    ArgKind.INTEGER,
    "The submission's number (from `/challenge review`)",
    True,
    min_value=1,
    max_value=2**31 - 1,
)
FEEDBACK_ARG = Argument("feedback", ArgKind.TEXT, "A word for the member", rest=True, multiline=True, max_length=500)
DUE_ARG = Argument(
    "due", ArgKind.DATETIME, "Deadline, e.g. 2026-12-07 18:00 (community time)", max_length=40, by_name=True
)


def register(registry: Registry) -> None:
    registry.describe_group("challenge", "The weekly challenge", default="show")
    for command in (
        Command(("challenge", "show"), "This week's challenge and where you stand", _show),
        Command(("challenge", "join"), "Join this week's challenge", _join, writes=True, activity=True),
        Command(
            ("challenge", "submit"),
            "Hand in your work (replaces your earlier submission until the deadline)",
            _submit,
            (
                Argument("url", ArgKind.URL, "A link to your work (http or https)", True, max_length=300),
                Argument("note", ArgKind.TEXT, "A note for the reviewers", rest=True, multiline=True, max_length=500),
            ),
            form=True,
            writes=True,
            activity=True,
        ),
        Command(("challenge", "leave"), "Leave this week's challenge", _leave, writes=True),
        Command(
            ("challenge", "start"),
            "Start a challenge from the collection now",
            _start,
            (
                Argument("id", ArgKind.TEXT, "The challenge's id (see `/help challenge start`)", True, max_length=64),
                DUE_ARG,
            ),
            moderator_only=True,
            writes=True,
        ),
        Command(
            ("challenge", "create"),
            "Write and start this week's challenge",
            _create,
            (
                Argument("title", ArgKind.TEXT, "A short title", True, max_length=100),
                Argument(
                    "criteria",
                    ArgKind.TEXT,
                    "What done means, one per line (or separated by ;)",
                    True,
                    max_length=1000,
                    multiline=True,
                ),
                Argument(
                    "brief", ArgKind.TEXT, "What to build, and why", True, rest=True, multiline=True, max_length=1500
                ),
                Argument(
                    "points",
                    ArgKind.INTEGER,
                    f"Points for finishing (default {RULES.challenge_default})",
                    min_value=1,
                    max_value=1000,
                    max_length=4,
                    by_name=True,
                ),
                DUE_ARG,
            ),
            moderator_only=True,
            form=True,
            writes=True,
        ),
        Command(
            ("challenge", "review"),
            "Pending submissions, with buttons to approve or reject",
            _review,
            moderator_only=True,
        ),
        Command(
            ("challenge", "approve"),
            "Approve a submission (the member earns the points)",
            _approve,
            (SUBMISSION_ARG, FEEDBACK_ARG),
            moderator_only=True,
            writes=True,
        ),
        Command(
            ("challenge", "reject"),
            "Send a submission back with feedback",
            _reject,
            (SUBMISSION_ARG, FEEDBACK_ARG),
            moderator_only=True,
            writes=True,
        ),
        Command(
            ("challenge", "end"),
            "Close this week's challenge now and post the results",
            _end,
            moderator_only=True,
            writes=True,
        ),
    ):
        registry.add(command)


# ---- members -------------------------------------------------------------------------------------


async def _show(ctx: Context, args: dict[str, Any]) -> Reply:
    challenge = await challenges.latest(ctx.session, ctx.community)
    if challenge is None:
        return Reply(
            text="No challenge has run here yet. Challenges start each week once a moderator runs "
            "`/schedule set challenge <HH:MM>` in the channel that should see them, or at once with "
            "`/challenge start <id>`."
        )
    tz = zone(ctx.community.timezone)
    own_tz = member_zone(ctx.member, ctx.community)
    running = challenge.ended_at is None
    due = shown(challenge.due_at, tz) + ("" if own_tz.key == tz.key else f"\n{shown(challenge.due_at, own_tz)}")
    fields = [
        Field("Done when", "\n".join(f"• {c}" for c in challenge.criteria_list)),
        Field("Due" if running else "Ended", due if running else shown(challenge.ended_at, tz), inline=True),  # type: ignore[arg-type]
        Field("Points", challenges.describe_points(challenge), inline=True),
        Field("Taking part", str(await challenges.participant_count(ctx.session, challenge)), inline=True),
    ]
    joined = await challenges.has_joined(ctx.session, challenge, ctx.member)
    submission = await challenges.submission_of(ctx.session, challenge, ctx.member)
    if submission is not None:
        status = {"pending": "waiting for review", "approved": "approved ✅", "rejected": "sent back for another look"}
        line = f"{submission.url} — {status.get(submission.status, submission.status)}"
        if submission.feedback:
            line += f"\nFeedback: {submission.feedback}"
        fields.append(Field("Your submission", line))
    elif joined:
        fields.append(Field("You", "joined; hand in with `/challenge submit <link> [note]`"))
    buttons: tuple[Button, ...] = ()
    if running and ctx.member.id is not None:
        buttons = (
            (Button("Leave", "challenge leave"),)
            if joined
            else (Button("Join", "challenge join", ButtonStyle.PRIMARY),)
        )
    return Reply(
        title=f"{'This week' if running else 'Last week'}: {challenge.title}",
        text=challenge.brief,
        fields=tuple(fields),
        buttons=buttons,
        footer=None if running else "This challenge has ended; the next one starts soon.",
    )


async def _join(ctx: Context, args: dict[str, Any]) -> Reply:
    challenge = await challenges.running_or_refuse(ctx.session, ctx.community)
    if ctx.now >= challenge.due_at:
        raise UserError("The deadline of this challenge has passed; the next one starts soon.")
    if not await challenges.join(ctx.session, challenge, ctx.member, ctx.now):
        return Reply(text=f"You are already taking part in **{challenge.title}**.", tone=Tone.WARNING)
    due = shown(challenge.due_at, member_zone(ctx.member, ctx.community))
    return Reply(
        text=f"You joined **{challenge.title}**. Hand in with `/challenge submit <link> [note]` before {due}.",
        tone=Tone.SUCCESS,
    )


async def _submit(ctx: Context, args: dict[str, Any]) -> Reply:
    challenge = await challenges.running_or_refuse(ctx.session, ctx.community)
    before = await challenges.submission_of(ctx.session, challenge, ctx.member)
    if before is not None and before.status == Status.APPROVED.value:
        return Reply(
            text=f"Your submission to **{challenge.title}** is already approved; it stays as it is.", tone=Tone.WARNING
        )
    note = args.get("note", "")
    stored = await challenges.submit(
        ctx.session, challenge, ctx.member, args["url"], note, ctx.caller.channel_id, ctx.now
    )
    replaced = " It replaces your earlier one." if before is not None else ""
    return Reply(
        text=f"Submitted to **{challenge.title}** (#{stored.id}).{replaced} A moderator reviews it; "
        "you will hear back here.",
        tone=Tone.SUCCESS,
    )


async def _leave(ctx: Context, args: dict[str, Any]) -> Reply:
    challenge = await challenges.running_or_refuse(ctx.session, ctx.community)
    submission = await challenges.submission_of(ctx.session, challenge, ctx.member)
    if submission is not None and submission.status == Status.APPROVED.value:
        return Reply(text=f"You already finished **{challenge.title}**; your points stay.", tone=Tone.WARNING)
    if not await challenges.leave(ctx.session, challenge, ctx.member):
        return Reply(text=f"You are not taking part in **{challenge.title}**.", tone=Tone.WARNING)
    withdrawn = " Your submission was withdrawn." if submission is not None else ""
    return Reply(text=f"You left **{challenge.title}**.{withdrawn}", tone=Tone.SUCCESS)


# ---- moderators ----------------------------------------------------------------------------------


async def _refuse_if_running(ctx: Context) -> None:
    running = await challenges.current(ctx.session, ctx.community)
    if running is not None:
        raise UserError(
            f"**{running.title}** is still running. `/challenge end` closes it and posts its results first."
        )


async def _open(ctx: Context, spec: Spec, due: Any) -> Reply:
    if due is not None:
        challenges.check_due(due, ctx.now)
    else:
        due = challenges.default_due(ctx.community, ctx.now)
    challenge = await challenges.open_challenge(ctx.session, ctx.community, spec, ctx.now, due, ctx.member)
    if challenge is None:
        raise UserError("Another challenge was started a moment ago. `/challenge` shows it.")
    await audit.record(
        ctx.session,
        ctx.community,
        ctx.member,
        "challenge.start",
        f"started “{challenge.title}” (#{challenge.id})",
        ctx.now,
    )
    return challenges.announcement(challenge, ctx.community)


async def _start(ctx: Context, args: dict[str, Any]) -> Reply:
    await _refuse_if_running(ctx)
    wanted = args["id"].strip().lower()
    entry = ctx.bot.content.challenge(wanted)
    if entry is None:
        known = ", ".join(f"`{c.id}`" for c in ctx.bot.content.challenges) or "none"
        raise UserError(f"There is no challenge `{wanted[:64]}`. Challenges: {known}.")
    return await _open(ctx, challenges.from_content(entry), args.get("due"))


async def _create(ctx: Context, args: dict[str, Any]) -> Reply:
    await _refuse_if_running(ctx)
    criteria = tuple(c for c in (clean(part, max_length=200) for part in re.split(r"[\n;]", args["criteria"])) if c)
    if not criteria:
        raise UserError("`criteria` is empty: say what done means, one criterion per line.")
    if len(criteria) > 10:
        raise UserError("`criteria` has more than 10 lines: keep it to what a reviewer checks.")
    spec = Spec(
        title=args["title"],
        brief=args["brief"],
        criteria=criteria,
        points=args.get("points", RULES.challenge_default),
    )
    return await _open(ctx, spec, args.get("due"))


async def _review(ctx: Context, args: dict[str, Any]) -> Reply:
    found, total = await challenges.pending(ctx.session, ctx.community, REVIEW_PAGE)
    if not found:
        return Reply(text="No submissions are waiting for review.", tone=Tone.SUCCESS)
    tz = zone(ctx.community.timezone)
    items: list[str] = []
    buttons: list[Button] = []
    for submission, member, challenge in found:
        note = f" — “{submission.note}”" if submission.note else ""
        when = shown(submission.submitted_at, tz)
        line = f"#{submission.id} **{member.display_name}** · {challenge.title} · {submission.url}{note} ({when})"
        if member.id == ctx.member.id:
            line += " — yours: another moderator reviews it"
        else:
            buttons.append(
                Button(f"Approve #{submission.id}", f"challenge approve {submission.id}", ButtonStyle.SUCCESS)
            )
            buttons.append(Button(f"Reject #{submission.id}", f"challenge reject {submission.id}", ButtonStyle.DANGER))
        items.append(line)
    more = f" Showing the oldest {len(found)}." if total > len(found) else ""
    return Reply(
        title="Submissions waiting for review",
        text=f"{total} waiting.{more} Add feedback by typing `/challenge approve <number> <feedback>` or "
        "`/challenge reject <number> <feedback>`.",
        items=tuple(items),
        buttons=tuple(buttons),
    )


async def _decide(ctx: Context, args: dict[str, Any], approve: bool) -> Reply:
    reviewed = await challenges.review(
        ctx.session, ctx.community, ctx.member, args["submission"], approve, args.get("feedback"), ctx.now
    )
    verb = "approved" if approve else "rejected"
    await audit.record(
        ctx.session,
        ctx.community,
        ctx.member,
        f"challenge.{'approve' if approve else 'reject'}",
        f"{verb} submission #{reviewed.submission.id} by {reviewed.member.display_name} "
        f"to “{reviewed.challenge.title}”",
        ctx.now,
    )
    earned = f" (+{reviewed.points} points)" if reviewed.points else ""
    text = f"You {verb} #{reviewed.submission.id} by **{reviewed.member.display_name}**{earned}."
    reply = Reply(
        text=text, tone=Tone.SUCCESS, buttons=(Button("Next submission", "challenge review", ButtonStyle.PRIMARY),)
    )
    channel = reviewed.submission.channel_id
    if channel:
        # The member hears it where they submitted, where the group sees finished work too.
        return reply.with_posts(Post(channel, challenges.review_notice(reviewed, ctx.community)))
    return Reply(
        text=text + f" I could not tell {reviewed.member.display_name}: their submission has no channel. "
        "They see the result in `/challenge show`.",
        tone=Tone.SUCCESS,
        buttons=reply.buttons,
    )


async def _approve(ctx: Context, args: dict[str, Any]) -> Reply:
    return await _decide(ctx, args, approve=True)


async def _reject(ctx: Context, args: dict[str, Any]) -> Reply:
    return await _decide(ctx, args, approve=False)


async def _end(ctx: Context, args: dict[str, Any]) -> Reply:
    running = await challenges.current(ctx.session, ctx.community)
    if running is None:
        return Reply(text="No challenge is running.", tone=Tone.WARNING)
    results = await challenges.end_week(ctx.bot, ctx.session, ctx.community, ctx.now, force=True)
    if results is None:
        raise UserError("The challenge was closed a moment ago.")
    await audit.record(
        ctx.session, ctx.community, ctx.member, "challenge.end", f"ended “{running.title}” (#{running.id})", ctx.now
    )
    return results
