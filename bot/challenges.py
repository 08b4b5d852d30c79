"""Weekly challenges: one running challenge per community, its participants, submissions and reviews.

The scheduler calls `start_week` and `end_week`; the `/challenge` commands call the rest. Every function
works inside the caller's transaction and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import content as content_module
from bot.errors import UserError
from bot.local_time import same_time_days_later, shown, zone
from bot.members import dialect_insert
from bot.points import award
from bot.replies import Button, ButtonStyle, Field, Reply, Tone, Visibility
from bot.storage.challenge_models import Challenge, ChallengeParticipant, Submission
from bot.storage.models import Community, Member

if TYPE_CHECKING:
    from bot.app import StudyBot

WEEK_DAYS = 7
# The weekly run may keep its time in a zone other than the community's; when only one of them has just
# changed to or from daylight saving, the run comes up to an hour before the deadline and still closes the week.
CLOSE_EARLY = timedelta(hours=1)
LONGEST_DUE = timedelta(days=60)


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Spec:
    """What a new challenge needs, from content or from a moderator."""

    title: str
    brief: str
    criteria: tuple[str, ...]
    points: int
    difficulty: str | None = None
    content_id: str | None = None


@dataclass(frozen=True)
class Reviewed:
    submission: Submission
    member: Member
    challenge: Challenge
    points: int


# ---- the running challenge -----------------------------------------------------------------------


async def current(session: AsyncSession, community: Community) -> Challenge | None:
    return await session.scalar(
        select(Challenge).where(Challenge.community_id == community.id, Challenge.ended_at.is_(None))
    )


async def latest(session: AsyncSession, community: Community) -> Challenge | None:
    """The running challenge, else the one that ended last."""
    return await session.scalar(
        select(Challenge)
        .where(Challenge.community_id == community.id)
        .order_by(Challenge.ended_at.is_not(None), Challenge.started_at.desc(), Challenge.id.desc())
        .limit(1)
    )


def default_due(community: Community, now: datetime) -> datetime:
    """A week from now, at the same wall-clock time in the community's zone (daylight saving included).

    The scheduler starts each challenge at its weekly time, so the next weekly run finds the last one due.
    """
    return same_time_days_later(now, WEEK_DAYS, zone(community.timezone))


def check_due(due: datetime, now: datetime) -> None:
    if due <= now:
        raise UserError("`due` is in the past: give a date and time after now.")
    if due - now > LONGEST_DUE:
        raise UserError(f"`due` is too far away: a challenge runs at most {LONGEST_DUE.days} days.")


def from_content(entry: content_module.Challenge) -> Spec:
    return Spec(entry.title, entry.brief, entry.criteria, entry.points, entry.difficulty, entry.id)


async def next_from_content(session: AsyncSession, community: Community, bot: StudyBot) -> Spec | None:
    """The first content challenge this community never ran; when all ran, the one run longest ago."""
    entries = bot.content.challenges
    if not entries:
        return None
    rows = await session.execute(
        select(Challenge.content_id, func.max(Challenge.started_at))
        .where(Challenge.community_id == community.id, Challenge.content_id.is_not(None))
        .group_by(Challenge.content_id)
    )
    last_run = {content_id: started for content_id, started in rows}
    never = [e for e in entries if e.id not in last_run]
    if never:
        return from_content(never[0])
    return from_content(min(entries, key=lambda e: (last_run[e.id], entries.index(e))))


async def open_challenge(
    session: AsyncSession,
    community: Community,
    spec: Spec,
    now: datetime,
    due: datetime,
    created_by: Member | None = None,
) -> Challenge | None:
    """Start `spec` unless a challenge is already running (then None); the database settles any race."""
    new_id = await session.scalar(
        dialect_insert(session, Challenge)
        .values(
            community_id=community.id,
            content_id=spec.content_id,
            title=spec.title,
            brief=spec.brief,
            criteria="\n".join(spec.criteria),
            difficulty=spec.difficulty,
            points=spec.points,
            started_at=now,
            due_at=due,
            created_by_id=created_by.id if created_by is not None else None,
        )
        .on_conflict_do_nothing(index_elements=["community_id"], index_where=Challenge.ended_at.is_(None))
        .returning(Challenge.id)
    )
    if new_id is None:
        return None
    return await session.get(Challenge, new_id)


async def start_week(bot: StudyBot, session: AsyncSession, community: Community, now: datetime) -> Reply | None:
    """Start the next challenge from content unless one is running; return the announcement to post."""
    if await current(session, community) is not None:
        return None
    spec = await next_from_content(session, community, bot)
    if spec is None:
        return None
    challenge = await open_challenge(session, community, spec, now, default_due(community, now))
    if challenge is None:
        return None
    return announcement(challenge, community)


async def end_week(
    bot: StudyBot, session: AsyncSession, community: Community, now: datetime, *, force: bool = False
) -> Reply | None:
    """Close the running challenge once it is due (at once with `force`); return its results to post."""
    challenge = await current(session, community)
    if challenge is None or (not force and now < challenge.due_at - CLOSE_EARLY):
        return None
    closed = await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id, Challenge.ended_at.is_(None))
        .values(ended_at=now)
        .returning(Challenge.id)
    )
    if closed.first() is None:
        return None  # closed meanwhile by someone else
    await session.refresh(challenge)
    return await results(session, community, challenge)


# ---- members -------------------------------------------------------------------------------------


async def running_or_refuse(session: AsyncSession, community: Community) -> Challenge:
    challenge = await current(session, community)
    if challenge is None:
        raise UserError(
            "No challenge is running right now. Challenges start each week once a moderator runs "
            "`/schedule set challenge <HH:MM>`, or at once with `/challenge start <id>`."
        )
    return challenge


async def join(session: AsyncSession, challenge: Challenge, member: Member, now: datetime) -> bool:
    """Add the member; False when they had joined already."""
    joined = await session.scalar(
        dialect_insert(session, ChallengeParticipant)
        .values(challenge_id=challenge.id, member_id=member.id, joined_at=now)
        .on_conflict_do_nothing(index_elements=["challenge_id", "member_id"])
        .returning(ChallengeParticipant.id)
    )
    return joined is not None


async def submission_of(session: AsyncSession, challenge: Challenge, member: Member) -> Submission | None:
    if member.id is None:
        return None
    return await session.scalar(
        select(Submission).where(Submission.challenge_id == challenge.id, Submission.member_id == member.id)
    )


async def submit(
    session: AsyncSession,
    challenge: Challenge,
    member: Member,
    url: str,
    note: str,
    channel_id: str | None,
    now: datetime,
) -> Submission:
    """Store the member's submission, replacing an earlier one that was not approved yet."""
    if now >= challenge.due_at:
        raise UserError("The deadline of this challenge has passed; submissions are closed.")
    await join(session, challenge, member, now)
    fresh = {
        "url": url,
        "note": note,
        "channel_id": channel_id,
        "status": Status.PENDING.value,
        "submitted_at": now,
        "reviewed_at": None,
        "reviewer_id": None,
        "feedback": None,
    }
    stmt = dialect_insert(session, Submission).values(challenge_id=challenge.id, member_id=member.id, **fresh)
    # One statement, so concurrent submissions of one member end as one row; an approved one stays as it is.
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["challenge_id", "member_id"],
            set_={name: getattr(stmt.excluded, name) for name in fresh},
            where=Submission.status != Status.APPROVED.value,
        )
    )
    stored = await submission_of(session, challenge, member)
    assert stored is not None
    await session.refresh(stored)
    return stored


async def leave(session: AsyncSession, challenge: Challenge, member: Member) -> bool:
    """Leave, withdrawing a submission that was not approved; False when the member had not joined."""
    await session.execute(
        delete(Submission).where(
            Submission.challenge_id == challenge.id,
            Submission.member_id == member.id,
            Submission.status != Status.APPROVED.value,
        )
    )
    left = await session.execute(
        delete(ChallengeParticipant).where(
            ChallengeParticipant.challenge_id == challenge.id, ChallengeParticipant.member_id == member.id
        )
    )
    return bool(left.rowcount)


# ---- moderators ----------------------------------------------------------------------------------


async def pending(
    session: AsyncSession, community: Community, limit: int
) -> tuple[list[tuple[Submission, Member, Challenge]], int]:
    """The oldest pending submissions of this community (up to `limit`) and how many are pending in all."""
    where = (Challenge.community_id == community.id, Submission.status == Status.PENDING.value)
    rows = await session.execute(
        select(Submission, Member, Challenge)
        .join(Challenge, Challenge.id == Submission.challenge_id)
        .join(Member, Member.id == Submission.member_id)
        .where(*where)
        .order_by(Submission.submitted_at, Submission.id)
        .limit(limit)
    )
    total = await session.scalar(
        select(func.count())
        .select_from(Submission)
        .join(Challenge, Challenge.id == Submission.challenge_id)
        .where(*where)
    )
    return [(s, m, c) for s, m, c in rows], int(total or 0)


async def review(
    session: AsyncSession,
    community: Community,
    reviewer: Member,
    submission_id: int,
    approve: bool,
    feedback: str | None,
    now: datetime,
) -> Reviewed:
    """Approve (awarding the challenge's points once) or reject a pending submission of this community."""
    found = (
        await session.execute(
            select(Submission, Member, Challenge)
            .join(Challenge, Challenge.id == Submission.challenge_id)
            .join(Member, Member.id == Submission.member_id)
            .where(Submission.id == submission_id, Challenge.community_id == community.id)
        )
    ).first()
    if found is None:
        raise UserError(f"There is no submission #{submission_id} in this community. `/challenge review` lists them.")
    submission, member, challenge = found
    if member.id == reviewer.id:
        raise UserError("Nobody reviews their own submission: another moderator will review it.")
    status = Status.APPROVED if approve else Status.REJECTED
    changed = await session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.status == Status.PENDING.value)
        .values(status=status.value, reviewed_at=now, reviewer_id=reviewer.id, feedback=feedback)
        .returning(Submission.id)
    )
    if changed.first() is None:
        await session.refresh(submission)
        raise UserError(
            f"Submission #{submission.id} is already {submission.status}: it was reviewed before (or "
            "resubmitted and is waiting again).",
            reply=Reply(
                text=f"Submission #{submission.id} by **{member.display_name}** is already {submission.status}.",
                tone=Tone.WARNING,
            ),
        )
    await session.refresh(submission)
    points = 0
    if approve:
        points = await award(session, member, "challenge", str(challenge.id), challenge.points, now)
    return Reviewed(submission, member, challenge, points)


def review_notice(reviewed: Reviewed, community: Community) -> Reply:
    """What the member reads where they submitted."""
    sub, member, challenge = reviewed.submission, reviewed.member, reviewed.challenge
    feedback = f"\nFeedback: {sub.feedback}" if sub.feedback else ""
    if sub.status == Status.APPROVED.value:
        earned = f" (+{reviewed.points} points)" if reviewed.points else ""
        return Reply(
            text=f"**{member.display_name}**, your submission to **{challenge.title}** was approved{earned}. "
            f"Well done!{feedback}",
            tone=Tone.SUCCESS,
            visibility=Visibility.PUBLIC,
        )
    if challenge.ended_at is None:
        again = f"You can resubmit with `/challenge submit` until {shown(challenge.due_at, zone(community.timezone))}."
    else:
        again = "The challenge has ended; there is a new one every week."
    return Reply(
        text=f"**{member.display_name}**, your submission to **{challenge.title}** needs another look.{feedback}\n"
        f"{again}",
        tone=Tone.WARNING,
        visibility=Visibility.PUBLIC,
    )


# ---- replies -------------------------------------------------------------------------------------


def describe_points(challenge: Challenge) -> str:
    level = f"{challenge.difficulty}, " if challenge.difficulty else ""
    return f"{level}{challenge.points} points"


def announcement(challenge: Challenge, community: Community) -> Reply:
    """The public post that opens a challenge."""
    tz = zone(community.timezone)
    return Reply(
        title=f"🏁 Weekly challenge: {challenge.title}",
        text=challenge.brief,
        fields=(
            Field("Done when", "\n".join(f"• {c}" for c in challenge.criteria_list)),
            Field("Due", shown(challenge.due_at, tz), inline=True),
            Field("Points", describe_points(challenge), inline=True),
        ),
        buttons=(Button("Join", "challenge join", ButtonStyle.PRIMARY), Button("Details", "challenge show")),
        footer="Join with `/challenge join`, hand in with `/challenge submit <link> [note]`.",
        visibility=Visibility.PUBLIC,
    )


async def results(session: AsyncSession, community: Community, challenge: Challenge) -> Reply:
    """The public post that closes a challenge: who finished, their work, the points."""
    joined = await session.scalar(
        select(func.count()).select_from(ChallengeParticipant).where(ChallengeParticipant.challenge_id == challenge.id)
    )
    rows = await session.execute(
        select(Submission, Member)
        .join(Member, Member.id == Submission.member_id)
        .where(Submission.challenge_id == challenge.id)
        .order_by(Submission.reviewed_at, Submission.id)
    )
    submissions = [(s, m) for s, m in rows]
    approved = [(s, m) for s, m in submissions if s.status == Status.APPROVED.value]
    waiting = sum(1 for s, _ in submissions if s.status == Status.PENDING.value)
    summary = f"{joined or 0} joined, {len(submissions)} submitted, {len(approved)} finished."
    if waiting:
        summary += (
            "\n1 submission still waits for review and earns points when approved."
            if waiting == 1
            else f"\n{waiting} submissions still wait for review and earn points when approved."
        )
    if not approved:
        summary += "\nNobody finished this one. A new challenge starts soon."
    return Reply(
        title=f"🏆 Challenge results: {challenge.title}",
        text=summary,
        items=tuple(f"✅ **{m.display_name}** — {s.url} (+{challenge.points} points)" for s, m in approved),
        footer="`/leaderboard` shows the standings.",
        tone=Tone.SUCCESS if approved else Tone.INFO,
        visibility=Visibility.PUBLIC,
    )


async def participant_count(session: AsyncSession, challenge: Challenge) -> int:
    count = await session.scalar(
        select(func.count()).select_from(ChallengeParticipant).where(ChallengeParticipant.challenge_id == challenge.id)
    )
    return int(count or 0)


async def has_joined(session: AsyncSession, challenge: Challenge, member: Member) -> bool:
    if member.id is None:
        return False
    found = await session.scalar(
        select(ChallengeParticipant.id).where(
            ChallengeParticipant.challenge_id == challenge.id, ChallengeParticipant.member_id == member.id
        )
    )
    return found is not None


async def finished_count(session: AsyncSession, member: Member) -> int:
    """How many challenges the member finished (approved submissions)."""
    count = await session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.member_id == member.id, Submission.status == Status.APPROVED.value)
    )
    return int(count or 0)
