"""Meetup rounds end to end: opting in, pairs posted with a starter, "did you meet?" and points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import combinations, pairwise

from sqlalchemy import select

from bot.app import StudyBot
from bot.content import Content
from bot.points import RULES
from bot.replies import Tone
from bot.scheduler.service import SchedulerService
from bot.storage.models import Member, PointEvent
from bot.storage.schedule_models import MeetupPair, MeetupRound
from tests.driver import Chat, FakeClock
from tests.scheduler.recording import RecordingPoster

NAMES = ("ada", "bob", "cy", "dee", "eve")


async def join(chat: Chat, names: tuple[str, ...]) -> None:
    for name in names:
        reply = await chat.as_user(name, name=name.title())("/meetup join")
        assert reply.tone is Tone.SUCCESS


async def test_join_leave_and_status(chat: Chat, mod: Chat) -> None:
    ada = chat.as_user("ada", name="Ada")
    joined = await ada("/meetup join")
    assert "not scheduled here yet" in joined.text and "/roadmap timezone" in joined.text
    assert (await ada("/meetup join")).tone is Tone.WARNING
    await mod("/schedule set meetups 18:00 UTC wed")
    status = await ada("/meetup status")
    assert "1 member take part" in status.text and "You are in the rounds." in status.text
    assert "Next round: Wed 25 Nov 18:00 (UTC)." in status.text
    left = await ada("/meetup leave")
    assert left.tone is Tone.SUCCESS
    assert (await ada("/meetup leave")).tone is Tone.WARNING
    assert "/meetup join" in (await ada("/meetup status")).text


async def test_a_round_pairs_everyone_asks_halfway_and_a_meeting_earns_points(
    bot: StudyBot,
    chat: Chat,
    mod: Chat,
    service: SchedulerService,
    poster: RecordingPoster,
    clock: FakeClock,
    content: Content,
) -> None:
    await mod("/schedule set meetups 18:00 UTC mon")  # next: Mon 30 Nov 18:00; the round lasts a week
    await join(chat, NAMES)
    clock.now = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    assert (await service.run_due(clock())).sent == 1
    post = poster.posts[-1]
    assert post.reply.title == "Meetup round 1"
    assert len(post.reply.items) == 2  # a pair and a group of three
    shown = " ".join(post.reply.items)
    assert all(f"**{n.title()}**" in shown for n in NAMES)
    assert any(f.name == "Conversation starter" and f.value == content.meetups[0].prompt for f in post.reply.fields)
    assert "before Friday 04 December" in post.reply.text

    status = await chat.as_user("ada", name="Ada")("/meetup status")
    assert "Round 1: you meet" in status.text

    clock.now = datetime(2026, 12, 4, 5, 59, tzinfo=UTC)
    assert (await service.run_due(clock())).sent == 0
    clock.now = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)  # halfway through the week
    assert (await service.run_due(clock())).sent == 1
    ask = poster.posts[-1]
    assert ask.reply.title == "Meetup round 1: did you meet?"
    yes, no = (b.command for b in ask.reply.buttons)
    async with bot.sessions() as session:
        round_ = await session.scalar(select(MeetupRound))
        assert round_ is not None and yes == f"meetup met {round_.id} yes" and no == f"meetup met {round_.id} no"

    ada = chat.as_user("ada", name="Ada")
    met = await ada(yes)
    assert met.tone is Tone.SUCCESS and f"+{RULES.meetup} points" in met.text
    assert (await ada(yes)).tone is Tone.WARNING  # counted once
    bob = chat.as_user("bob", name="Bob")
    not_yet = await bob(no)
    assert "Noted" in not_yet.text and not_yet.buttons[0].command == yes
    assert f"+{RULES.meetup} points" in (await bob(yes)).text  # they met later in the week
    outsider = chat.as_user("zed", name="Zed")
    assert "not paired in round 1" in (await outsider(yes)).text
    async with bot.sessions() as session:
        ledger = list(await session.scalars(select(PointEvent).where(PointEvent.reason == "meetup")))
        assert sorted(e.ref for e in ledger) == [f"round-{round_.id}"] * 2
        points = dict((await session.execute(select(Member.external_id, Member.points))).all())
        assert points["ada"] == points["bob"] == RULES.meetup

    clock.now = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)  # the next round starts; answers to round 1 close
    await service.run_due(clock())
    closed = await chat.as_user("cy", name="Cy")(yes)
    assert closed.tone is Tone.ERROR and "has ended" in closed.text
    assert poster.posts[-1].reply.title == "Meetup round 2"
    assert not any(f.value == content.meetups[0].prompt for f in poster.posts[-1].reply.fields)  # rotated


async def test_a_single_member_is_told_and_nobody_is_left_out_silently(
    chat: Chat, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    await mod("/schedule set meetups 18:00 UTC mon")
    clock.now = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    await service.run_due(clock())
    assert "Nobody has joined meetups yet" in poster.posts[-1].reply.text
    await join(chat, ("ada",))
    clock.advance(days=7)
    await service.run_due(clock())
    assert "Only **Ada** has joined meetups so far" in poster.posts[-1].reply.text
    assert (await chat.as_user("ada")("/meetup status")).text.count("Round") == 0


async def test_rounds_every_two_weeks_over_many_weeks_place_everyone_without_immediate_repeats(
    bot: StudyBot, chat: Chat, mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # ticks every 12 hours land on 18:00 in Berlin
    await mod("/schedule set meetups 18:00 Europe/Berlin wed 2")
    names = (*NAMES, "fay", "gus")  # seven: two pairs and a group of three
    await join(chat, names)
    for tz, name in zip(("Asia/Tokyo", "America/New_York"), names, strict=False):
        await chat.as_user(name)(f"/roadmap timezone {tz}")
    end = clock.now + timedelta(weeks=16)
    while clock.now < end:
        clock.advance(hours=12)
        await service.run_due(clock())
    rounds = poster.titled("Meetup round ")
    pairings = [p for p in rounds if not p.reply.title.endswith("?")]  # type: ignore[union-attr]
    assert len(pairings) == 8  # every other Wednesday for sixteen weeks
    async with bot.sessions() as session:
        rows = (await session.execute(select(MeetupPair.round_id, MeetupPair.group_no, MeetupPair.member_id))).all()
        starts = [r.starts_at for r in await session.scalars(select(MeetupRound).order_by(MeetupRound.starts_at))]
    assert all(b - a == timedelta(weeks=2) for a, b in pairwise(starts))
    groups: dict[int, dict[int, set[int]]] = {}
    for round_id, group_no, member_id in rows:
        groups.setdefault(round_id, {}).setdefault(group_no, set()).add(member_id)
    previous: set[frozenset[int]] = set()
    for round_id in sorted(groups):
        members = [m for g in groups[round_id].values() for m in g]
        assert len(members) == len(set(members)) == len(names)
        assert sorted(len(g) for g in groups[round_id].values()) == [2, 2, 3]
        now = {frozenset(p) for g in groups[round_id].values() for p in combinations(sorted(g), 2)}
        assert not now & previous
        previous = now
    assert len(rounds) == 16  # and each round asked "did you meet?" halfway
