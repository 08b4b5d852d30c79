"""The picture commands through the core, on SQLite and PostgreSQL: each reply carries a real PNG."""

from __future__ import annotations

from bot.content import Content
from bot.images import palette
from bot.images.roadmap_map import WIDTH, layout
from bot.images.roadmap_pictures import map_input
from bot.progress import Status, TopicState
from bot.replies import Tone
from tests.driver import Chat
from tests.images.pixels import close, decode, dominant


async def test_roadmap_map_shows_the_members_progress(chat: Chat, content: Content) -> None:
    first = content.topics[0]
    await chat(f"/roadmap done {first.id}")
    reply = await chat("/roadmap map")
    assert reply.tone is not Tone.ERROR and reply.image is not None
    assert reply.image.filename.endswith(".png") and "Ada" in reply.image.alt
    image = decode(reply.image.data)
    assert image.width == WIDTH
    states = {first.id: TopicState(Status.DONE, chat.bot.clock())}
    boxes = layout(map_input(content, states, "Ada")).boxes
    assert image.height == layout(map_input(content, states, "Ada")).height
    assert close(dominant(image, boxes[first.id]), palette.DONE_FILL)
    assert close(dominant(image, boxes[content.topics[-1].id]), palette.PAPER)
    assert "1 of" in reply.text


async def test_a_repeated_map_draws_nothing_until_progress_changes(chat: Chat, content: Content) -> None:
    cache = chat.bot.images
    await chat("/roadmap map")
    drawn = cache.renders
    again = await chat("/roadmap map")
    assert cache.renders == drawn and again.image is not None
    await chat(f"/roadmap skip {content.topics[0].id}")
    changed = await chat("/roadmap map")
    assert cache.renders == drawn + 1
    assert changed.image is not None and again.image is not None and changed.image.data != again.image.data


async def test_roadmap_progress_attaches_a_card(chat: Chat) -> None:
    reply = await chat("/roadmap progress")
    assert reply.image is not None and reply.image.filename == "roadmap-progress.png"
    assert decode(reply.image.data).size == (960, 360)
    assert reply.progress is not None


async def test_the_map_works_in_a_direct_message_without_progress(chat: Chat, content: Content) -> None:
    reply = await chat.in_community("")("/roadmap map")
    assert reply.image is not None and reply.tone is not Tone.ERROR
    assert f"0 of {len(content.topics)}" in reply.text


async def test_two_members_get_their_own_maps(chat: Chat, content: Content) -> None:
    await chat(f"/roadmap done {content.topics[0].id}")
    ada = await chat("/roadmap map")
    bob = await chat.as_user("bob", name="Bob")("/roadmap map")
    assert ada.image is not None and bob.image is not None and ada.image.data != bob.image.data
    assert "Bob" in bob.image.alt
