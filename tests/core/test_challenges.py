"""Weekly challenges through the core, on SQLite and PostgreSQL: a whole week of a community."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

from sqlalchemy import select, update

from adapters.console import ConsoleAdapter
from bot import challenges
from bot.content import Content
from bot.replies import Tone, Visibility
from bot.storage.challenge_models import Challenge, ChallengeParticipant, Submission
from bot.storage.models import Community
from tests.core.community import count, points_of, transaction
from tests.driver import Chat, FakeClock, text_of


async def _start(chat: Chat, clock: FakeClock):  # type: ignore[no-untyped-def]
    await chat("/roadmap progress")  # the community exists from its first command on
    async with transaction(chat.bot) as (session, community):
        return await challenges.start_week(chat.bot, session, community, clock.now)


async def test_a_full_week_join_submit_review_results_leaderboard(
    chat: Chat, clock: FakeClock, content: Content
) -> None:
    first = content.challenges[0]
    mia = chat.as_user("mia", name="Mia", moderator=True)
    bob = chat.as_user("bob", name="Bob")
    cy = chat.as_user("cy", name="Cy")
    assert "No challenge has run here yet" in (await chat("/challenge")).text

    announcement = await _start(chat, clock)
    assert announcement is not None
    assert announcement.title == f"🏁 Weekly challenge: {first.title}"
    assert announcement.visibility is Visibility.PUBLIC
    assert [b.command for b in announcement.buttons] == ["challenge join", "challenge show"]
    assert all(c in text_of(announcement) for c in first.criteria)
    assert f"{first.points} points" in text_of(announcement)
    async with transaction(chat.bot) as (session, community):
        assert await challenges.start_week(chat.bot, session, community, clock.now) is None  # one a week

    shown = await chat("/challenge")  # the group's default: show
    assert shown.title == f"This week: {first.title}" and [b.command for b in shown.buttons] == ["challenge join"]
    assert (await chat("/challenge join")).tone is Tone.SUCCESS
    assert (await chat("/challenge join")).tone is Tone.WARNING
    assert [b.command for b in (await chat("/challenge show")).buttons] == ["challenge leave"]
    await bob("/challenge join")

    clock.advance(hours=5)
    done = await chat("/challenge submit https://github.com/ada/short first try")
    assert done.tone is Tone.SUCCESS and "#" in done.text
    again = await chat("/challenge submit https://github.com/ada/short-v2 better")
    assert "replaces your earlier one" in again.text
    await bob("/challenge submit http://bob.example/work")
    await cy("/challenge submit https://cy.example/x")  # submitting joins too
    await mia("/challenge submit https://mia.example/mine")
    async with chat.bot.sessions() as session:
        rows = list(await session.scalars(select(Submission).order_by(Submission.id)))
    assert [r.url for r in rows] == [
        "https://github.com/ada/short-v2",
        "http://bob.example/work",
        "https://cy.example/x",
        "https://mia.example/mine",
    ]
    assert rows[0].note == "better" and rows[0].channel_id == "general"
    ada_id, bob_id, cy_id, mia_id = (r.id for r in rows)
    assert await count(chat.bot, ChallengeParticipant) == 4

    review = await mia("/challenge review")
    assert "4 waiting" in review.text
    assert len(review.items) == 4 and "yours: another moderator reviews it" in review.items[3]
    assert [b.command for b in review.buttons] == [
        f"challenge approve {ada_id}",
        f"challenge reject {ada_id}",
        f"challenge approve {bob_id}",
        f"challenge reject {bob_id}",
        f"challenge approve {cy_id}",
        f"challenge reject {cy_id}",
    ]
    own = await mia(f"/challenge approve {mia_id}")
    assert own.tone is Tone.ERROR and "own submission" in own.text

    approved = await mia(f"/challenge approve {ada_id} Clean code, good tests")
    assert approved.tone is Tone.SUCCESS and f"+{first.points} points" in approved.text
    (notice,) = approved.posts
    assert notice.channel_id == "general" and not notice.ping_everyone
    assert notice.reply.visibility is Visibility.PUBLIC
    assert "Ada" in notice.reply.text and "approved" in notice.reply.text
    assert "Clean code, good tests" in notice.reply.text
    assert await points_of(chat.bot, "ada") == first.points
    twice = await mia(f"/challenge approve {ada_id}")
    assert twice.tone is Tone.WARNING and "already approved" in twice.text
    assert await points_of(chat.bot, "ada") == first.points
    assert "already approved" in (await chat("/challenge submit https://x.example")).text

    rejected = await mia(f"/challenge reject {bob_id} The link is private")
    (notice,) = rejected.posts
    assert "needs another look" in notice.reply.text and "The link is private" in notice.reply.text
    assert "/challenge submit" in notice.reply.text
    assert "sent back" in text_of(await bob("/challenge show"))
    await bob("/challenge submit https://bob.example/public")
    assert "3 waiting" in (await mia("/challenge review")).text  # bob's is waiting again, with cy's and mia's

    other = chat.as_user("noor", name="Noor", moderator=True)
    await other(f"/challenge approve {mia_id} Nice")
    await other(f"/challenge approve {bob_id}")

    async with transaction(chat.bot) as (session, community):
        assert await challenges.end_week(chat.bot, session, community, clock.now) is None  # not due yet
    late = await chat.as_user("dan")("/challenge join")
    assert late.tone is Tone.SUCCESS
    clock.advance(days=8)
    assert "deadline" in (await cy("/challenge submit https://cy.example/late")).text
    async with transaction(chat.bot) as (session, community):
        results = await challenges.end_week(chat.bot, session, community, clock.now)
    assert results is not None and results.visibility is Visibility.PUBLIC
    assert results.title == f"🏆 Challenge results: {first.title}"
    assert "5 joined, 4 submitted, 3 finished." in results.text
    assert "1 submission still waits for review" in results.text  # cy's
    assert [i.split(" — ")[0] for i in results.items] == ["✅ **Ada**", "✅ **Bob**", "✅ **Mia**"]
    assert all(f"+{first.points} points" in i for i in results.items)

    board = await cy("/leaderboard")
    assert board.items[:3] == tuple(f"🥇 1. **{n}** — {first.points} points" for n in ("Ada", "Bob", "Mia"))
    assert board.fields[0].value == "#4 with 0 points"
    # A review after the week ended still counts, and the member hears the challenge is over.
    late_review = await mia(f"/challenge approve {cy_id}")
    assert "has ended" not in late_review.posts[0].reply.text and "approved" in late_review.posts[0].reply.text
    assert await points_of(chat.bot, "cy") == first.points
    profile = await chat("/profile")
    assert {f.name: f.value for f in profile.fields}["Challenges finished"] == "1"


async def test_challenges_come_from_content_in_order_then_the_longest_ago(
    chat: Chat, clock: FakeClock, content: Content
) -> None:
    await chat("/roadmap progress")
    seen = []
    for _ in range(len(content.challenges) + 1):
        async with transaction(chat.bot) as (session, community):
            post = await challenges.start_week(chat.bot, session, community, clock.now)
            assert post is not None and post.title is not None
            seen.append(post.title.removeprefix("🏁 Weekly challenge: "))
        clock.advance(days=7)
        async with transaction(chat.bot) as (session, community):
            assert await challenges.end_week(chat.bot, session, community, clock.now) is not None
        clock.advance(hours=1)
    titles = [c.title for c in content.challenges]
    assert seen == [*titles, titles[0]]


async def test_a_week_runs_to_the_same_local_time_so_each_weekly_run_closes_the_last(
    chat: Chat, clock: FakeClock
) -> None:
    await chat("/roadmap progress")
    async with transaction(chat.bot) as (session, community):
        await session.execute(update(Community).where(Community.id == community.id).values(timezone="Europe/Berlin"))

    async def weekly_run() -> tuple[object, object]:
        async with transaction(chat.bot) as (session, community):
            ended = await challenges.end_week(chat.bot, session, community, clock.now)
            started = await challenges.start_week(chat.bot, session, community, clock.now)
            return ended, started

    async def running_due() -> datetime:
        async with chat.bot.sessions() as session:
            running = await session.scalar(select(Challenge).where(Challenge.ended_at.is_(None)))
        assert running is not None
        return running.due_at

    # A weekly run on Wednesdays at 11:00 in Berlin; summer time ends there on Sunday 25 October 2026.
    clock.now = datetime(2026, 10, 21, 9, 0, tzinfo=UTC)  # 11:00 CEST
    ended, started = await weekly_run()
    assert ended is None and started is not None
    assert await running_due() == datetime(2026, 10, 28, 10, 0, tzinfo=UTC)  # 11:00 CET, 169 hours later
    clock.now = datetime(2026, 10, 28, 8, 59, tzinfo=UTC)  # more than an hour early: the week goes on
    assert await weekly_run() == (None, None)
    clock.now = datetime(2026, 10, 28, 10, 0, tzinfo=UTC)
    ended, started = await weekly_run()
    assert ended is not None and started is not None
    assert await running_due() == datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
    # A run kept in New York time comes an hour earlier in UTC after its clocks change (1 November) while
    # Berlin's do not: it still closes the week.
    clock.now = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)
    ended, started = await weekly_run()
    assert ended is not None and started is not None


async def test_moderators_start_and_create_and_end_a_challenge(chat: Chat, clock: FakeClock, content: Content) -> None:
    mia = chat.as_user("mia", name="Mia", moderator=True)
    wanted = content.challenges[-1]
    started = await mia(f"/challenge start {wanted.id}")
    assert started.title == f"🏁 Weekly challenge: {wanted.title}" and started.visibility is Visibility.PUBLIC
    refused = await mia(f"/challenge start {content.challenges[0].id}")
    assert refused.tone is Tone.ERROR and "/challenge end" in refused.text
    assert (await mia("/challenge end")).title == f"🏆 Challenge results: {wanted.title}"
    assert "There is no challenge `nope`" in (await mia("/challenge start nope")).text

    created = await chat.bot.run(
        mia.caller,
        "challenge create",
        {
            "title": "Log parser",
            "criteria": "Reads a 1 GB file\nStreams, never loads it whole; has tests",
            "brief": "Count status codes in an access log.\nKeep memory flat.",
            "points": "55",
            "due": "2026-11-27 18:00",
        },
    )
    assert created.title == "🏁 Weekly challenge: Log parser"
    fields = {f.name: f.value for f in created.fields}
    assert fields["Done when"] == "• Reads a 1 GB file\n• Streams, never loads it whole\n• has tests"
    assert fields["Points"] == "55 points" and fields["Due"] == "Fri 27 Nov 18:00 (UTC)"
    assert created.text == "Count status codes in an access log.\nKeep memory flat."
    await chat("/challenge join")
    ended = await mia("/challenge end")
    assert ended.title == "🏆 Challenge results: Log parser" and "Nobody finished" in ended.text
    assert (await mia("/challenge end")).tone is Tone.WARNING
    past = await chat.bot.run(
        mia.caller, "challenge create", {"title": "x", "criteria": "y", "brief": "z", "due": "2026-11-01 10:00"}
    )
    assert past.tone is Tone.ERROR and "past" in past.text
    by_line = await mia('/challenge create "Cache layer" "Hit rate shown; TTLs" points=30 Put a cache in front.')
    assert by_line.title == "🏁 Weekly challenge: Cache layer"
    assert {f.name: f.value for f in by_line.fields}["Points"] == "30 points"


async def test_submissions_are_validated_and_leave_withdraws(chat: Chat, clock: FakeClock) -> None:
    assert "No challenge is running" in (await chat("/challenge submit https://x.example")).text
    await _start(chat, clock)
    bad = await chat("/challenge submit javascript:alert(1)")
    assert bad.tone is Tone.ERROR and "http" in bad.text
    markup = await chat("/challenge submit https://x.example/<!channel>")
    assert markup.tone is Tone.ERROR and "< or >" in markup.text
    too_long = await chat("/challenge submit https://x.example/" + "a" * 400)
    assert too_long.tone is Tone.ERROR and "too long" in too_long.text
    slack_link = await chat("/challenge submit <https://x.example/work|my work> @everyone look")
    assert slack_link.tone is Tone.SUCCESS
    async with chat.bot.sessions() as session:
        stored = await session.scalar(select(Submission))
    assert stored is not None and stored.url == "https://x.example/work" and "@everyone" not in stored.note
    left = await chat("/challenge leave")
    assert left.tone is Tone.SUCCESS and "withdrawn" in left.text
    assert await count(chat.bot, Submission) == 0 and await count(chat.bot, ChallengeParticipant) == 0
    assert (await chat("/challenge leave")).tone is Tone.WARNING


async def test_concurrent_submissions_leave_one_row_per_member(chat: Chat, clock: FakeClock) -> None:
    await _start(chat, clock)
    members = [chat.as_user(f"m{i}", name=f"M{i}") for i in range(12)]
    lines = [(m, f"/challenge submit https://example.com/{m.caller.user_id}/{n}") for m in members for n in range(3)]
    replies = await asyncio.gather(*(m(line) for m, line in lines))
    assert [r.tone for r in replies] == [Tone.SUCCESS] * len(lines), [
        r.text for r in replies if r.tone is not Tone.SUCCESS
    ]
    async with chat.bot.sessions() as session:
        rows = list(await session.execute(select(Submission.member_id, Submission.url)))
    assert len(rows) == len(members) == len({member for member, _ in rows})
    assert await count(chat.bot, ChallengeParticipant) == len(members)


async def test_review_buttons_in_the_console(bot, clock: FakeClock, content: Content) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    mia = ConsoleAdapter(bot, user="mia", community="club", moderator=True, out=out)
    ada = ConsoleAdapter(bot, user="ada", community="club", channel="projects", out=io.StringIO())
    await mia.handle(f"/challenge start {content.challenges[0].id}")
    await ada.handle("/challenge submit https://example.com/ada")
    await mia.handle("/challenge review")
    assert "[1] Approve #1  [2] Reject #1" in out.getvalue()
    pressed = await mia.handle("1")
    assert pressed is not None and pressed.tone is Tone.SUCCESS
    after = out.getvalue().split("[1] Approve #1")[1]
    assert "── posted to #projects ──" in after and "ada, your submission" in after
    assert "[1] Next submission" in after
    assert "No submissions are waiting" in text_of(await mia.handle("1"))  # type: ignore[arg-type]


async def test_racing_starts_and_reviews_settle_on_one(chat: Chat, clock: FakeClock, content: Content) -> None:
    mods = [chat.as_user(f"mod{n}", name=f"Mod{n}", moderator=True) for n in range(4)]
    await chat("/roadmap progress")

    async def scheduled_start() -> object:
        async with transaction(chat.bot) as (session, community):
            return await challenges.start_week(chat.bot, session, community, clock.now)

    outcomes = await asyncio.gather(
        scheduled_start(), *(m(f"/challenge start {content.challenges[-1].id}") for m in mods)
    )
    async with chat.bot.sessions() as session:
        running = list(await session.scalars(select(Challenge).where(Challenge.ended_at.is_(None))))
    assert len(running) == 1
    started = [o for o in outcomes if o is not None and getattr(o, "tone", Tone.INFO) is not Tone.ERROR]
    assert len(started) == 1

    await chat("/challenge submit https://example.com/ada")
    reviews = await asyncio.gather(*(m("/challenge approve 1") for m in mods))
    assert sorted(r.tone for r in reviews) == sorted([Tone.SUCCESS] + [Tone.WARNING] * (len(mods) - 1))
    assert await points_of(chat.bot, "ada") == running[0].points
