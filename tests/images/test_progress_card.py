"""The progress card: its size, its ring, and a block per topic in the member's marks."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from bot.content import Content
from bot.images import palette
from bot.images.progress_card import HEIGHT, WIDTH, render, strip_boxes
from bot.images.roadmap_pictures import card_input
from bot.images.topic_styles import Mark
from bot.progress import Status, TopicState
from tests.images.pixels import close, decode, dominant

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def test_the_card_shows_done_and_remaining_topics_apart(content: Content) -> None:
    done, skipped = content.topics[0], content.topics[1]
    states = {done.id: TopicState(Status.DONE, NOW), skipped.id: TopicState(Status.SKIPPED, NOW)}
    data = card_input(content, states, "Ada")
    assert data.finished == 2 and data.percent == round(200 / len(content.topics))
    image = decode(render(data))
    assert image.size == (WIDTH, HEIGHT)
    blocks = strip_boxes(data)
    assert list(blocks) == [t.id for t in content.topics]
    assert close(dominant(image, blocks[done.id], inset=1), palette.DONE_FILL)
    assert close(dominant(image, blocks[content.topics[-1].id], inset=3), palette.PAPER)
    assert dominant(image, blocks[skipped.id], inset=1) != dominant(image, blocks[done.id], inset=1)
    # Blocks never overlap and stay inside the card.
    ordered = list(blocks.values())
    assert all(a.right <= b.left for a, b in itertools.pairwise(ordered))
    assert ordered[-1].right <= WIDTH


def test_a_finished_roadmap_and_an_empty_one_both_render(content: Content) -> None:
    everything = {t.id: TopicState(Status.DONE, NOW) for t in content.topics}
    finished = card_input(content, everything, "Ada")
    assert finished.percent == 100 and finished.next_title is None
    assert decode(render(finished)).size == (WIDTH, HEIGHT)
    nothing = card_input(content, {}, "A name far too long to fit on the card without being shortened somewhere")
    assert nothing.count(Mark.TODO) == len(content.topics)
    assert decode(render(nothing)).size == (WIDTH, HEIGHT)
