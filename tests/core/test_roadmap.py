"""The roadmap commands through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.content import Content
from bot.replies import Tone, Visibility
from bot.storage.models import Member, PointEvent, Progress
from tests.driver import Chat, text_of


async def test_next_shows_the_first_topic_with_everything_a_learner_needs(chat: Chat, content: Content) -> None:
    reply = await chat("/roadmap next")
    first = content.topics[0]
    assert reply.title == f"Topic 1: {first.title}"
    assert reply.text == first.summary
    names = [f.name for f in reply.fields]
    assert {"Why it matters", "Resources", "Practice"} <= set(names)
    resources = next(f.value for f in reply.fields if f.name == "Resources")
    assert all(r.url in resources for r in first.resources)
    assert reply.progress is not None and (reply.progress.done, reply.progress.total) == (0, len(content.topics))
    assert f"Topic 1 of {len(content.topics)}" in (reply.footer or "")
    assert [b.command for b in reply.buttons] == [
        f"roadmap done {first.id}",
        f"roadmap skip {first.id}",
        "roadmap next",
    ]
    assert reply.visibility is Visibility.PRIVATE


async def test_done_defaults_to_the_topic_next_showed_and_earns_points_once(chat: Chat, content: Content) -> None:
    await chat("/roadmap next")
    done = await chat("/roadmap done")
    assert done.tone is Tone.SUCCESS
    assert content.topics[0].title in done.text and "+10 points" in done.text
    assert done.progress is not None and done.progress.done == 1

    progress = await chat("/roadmap progress")
    assert progress.progress is not None and progress.progress.done == 1
    assert f"(1 of {len(content.topics)} topics)" in text_of(progress)

    await chat(f"/roadmap undo {content.topics[0].id}")
    again = await chat(f"/roadmap done {content.topics[0].id}")
    assert "no points" in again.text
    async with chat.bot.sessions() as session:
        member = await session.scalar(select(Member))
        assert member is not None and member.points == 0
        ledger = await session.scalar(select(func.count()).select_from(PointEvent))
        assert ledger == 1


async def test_next_moves_on_after_done_and_respects_prerequisites(chat: Chat, content: Content) -> None:
    await chat("/roadmap next")
    await chat("/roadmap done")
    second = await chat("/roadmap next")
    expected = next(t for t in content.topics[1:] if all(p == content.topics[0].id for p in t.prerequisites))
    assert second.title == f"Topic {expected.index + 1}: {expected.title}"


async def test_skip_counts_toward_progress_without_points(chat: Chat, content: Content) -> None:
    reply = await chat(f"/roadmap skip {content.topics[0].id}")
    assert reply.tone is Tone.SUCCESS and "Skipped" in reply.text and "points" not in reply.text
    progress = await chat("/roadmap progress")
    assert progress.progress is not None and progress.progress.done == 1
    assert "0 points" in (progress.footer or "")


async def test_undo_without_a_topic_undoes_the_latest_change(chat: Chat, content: Content, clock) -> None:  # type: ignore[no-untyped-def]
    first, second = content.topics[0], content.topics[1]
    await chat(f"/roadmap done {first.id}")
    clock.advance(minutes=1)
    await chat(f"/roadmap skip {second.id}")
    undone = await chat("/roadmap undo")
    assert second.title in undone.text
    listing = text_of(await chat("/roadmap list"))
    assert f"✅ 1. {first.title}" in listing
    assert f"▫️ {second.index + 1}. {second.title}" in listing


async def test_start_marks_learning_and_done_finishes_it(chat: Chat, content: Content) -> None:
    topic = content.topics[2]
    started = await chat(f"/roadmap start {topic.id}")
    assert started.tone is Tone.SUCCESS and "Learning" in started.text
    assert "📖" in text_of(await chat("/roadmap list"))
    finished = await chat("/roadmap done")
    assert topic.title in finished.text


async def test_unknown_topic_suggests_the_closest_matches(chat: Chat, content: Content) -> None:
    topic = content.topics[3]
    misspelt = topic.title[:-2] + "zz"
    reply = await chat(f"/roadmap done {misspelt}")
    if reply.tone is Tone.ERROR:
        assert "Did you mean" in reply.text or "Try" in reply.text
    nonsense = await chat("/roadmap done qqqqxxxx zzzz")
    assert nonsense.tone is Tone.ERROR and "No topic matches" in nonsense.text


async def test_topic_finds_by_words_and_by_id(chat: Chat, content: Content) -> None:
    topic = content.topics[4]
    by_id = await chat(f"/roadmap topic {topic.id}")
    assert by_id.title == f"Topic: {topic.title}"
    by_words = await chat(f"/roadmap topic {topic.title.lower()}")
    assert by_words.title == f"Topic: {topic.title}"


async def test_track_changes_which_resources_come_first(chat: Chat, content: Content) -> None:
    topic = next(t for t in content.topics if "python" in t.track_resources)
    await chat("/roadmap track python")
    reply = await chat(f"/roadmap topic {topic.id}")
    resources = next(f.value for f in reply.fields if f.name == "Resources")
    assert resources.splitlines()[0].endswith(topic.track_resources["python"][0].url)
    bad = await chat("/roadmap track cobol")
    assert bad.tone is Tone.ERROR and "python" in bad.text


async def test_timezone_is_validated(chat: Chat) -> None:
    assert (await chat("/roadmap timezone Europe/Berlin")).tone is Tone.SUCCESS
    bad = await chat("/roadmap timezone Mars/Olympus")
    assert bad.tone is Tone.ERROR and "IANA" in bad.text


async def test_every_topic_done_reaches_the_end(chat: Chat, content: Content) -> None:
    for _ in content.topics:
        reply = await chat("/roadmap next")
        await chat(f"/roadmap done {reply.footer.split('`')[1]}")  # type: ignore[union-attr]
    final = await chat("/roadmap next")
    assert final.title == "Roadmap complete"
    assert final.progress is not None and final.progress.percent == 100


async def test_unknown_commands_answer_with_help(chat: Chat) -> None:
    reply = await chat("/roadmap fly")
    assert "is not a command" in reply.text and any("roadmap next" in item for item in reply.items)
    reply = await chat("/dance")
    assert "I don't know" in reply.text
    reply = await chat("/roadmap next extra words")
    assert reply.tone is Tone.ERROR and "Usage" in reply.text


async def test_help_lists_commands_and_explains_one(chat: Chat) -> None:
    overview = await chat("/help")
    assert "/roadmap next" in text_of(overview)
    one = await chat("/help roadmap done")
    assert one.title == "/roadmap done [topic…]"
    points = await chat("/help points")
    assert points.items and "points" in points.items[0]


async def test_two_members_and_two_communities_are_separate(chat: Chat, content: Content) -> None:
    await chat(f"/roadmap done {content.topics[0].id}")
    bob = chat.as_user("bob")
    assert (await bob("/roadmap progress")).progress.done == 0  # type: ignore[union-attr]
    other = chat.in_community("c2")
    assert (await other("/roadmap progress")).progress.done == 0  # type: ignore[union-attr]


async def test_concurrent_commands_for_one_member_leave_consistent_state(chat: Chat, content: Content) -> None:
    topic = content.topics[0]
    replies = await asyncio.gather(*(chat(f"/roadmap done {topic.id}") for _ in range(12)))
    assert all(r.tone is not Tone.ERROR for r in replies)
    assert sum("+10 points" in r.text for r in replies) == 1
    async with chat.bot.sessions() as session:
        member = await session.scalar(select(Member))
        assert member is not None and member.points == 10
        rows = await session.scalar(select(func.count()).select_from(Progress))
        assert rows == 1


async def test_new_member_created_once_under_concurrency(chat: Chat) -> None:
    replies = await asyncio.gather(*(chat.as_user("newcomer")("/roadmap progress") for _ in range(8)))
    assert all(r.tone is not Tone.ERROR for r in replies)
    async with chat.bot.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Member).where(Member.external_id == "newcomer"))
        assert count == 1


async def test_direct_messages_allow_reading_only(chat: Chat) -> None:
    dm = chat.in_community("")
    listing = await dm("/roadmap list")
    assert listing.tone is not Tone.ERROR and listing.fields
    refused = await dm("/roadmap done")
    assert "direct message" in refused.text and "/roadmap list" in refused.text


async def test_mentions_in_names_and_arguments_are_defused(chat: Chat) -> None:
    sneaky = chat.as_user("eve", name="@everyone <!channel>")
    reply = await sneaky("/roadmap progress")
    assert "@everyone" not in (reply.title or "")
    assert "<!channel>" not in (reply.title or "")
