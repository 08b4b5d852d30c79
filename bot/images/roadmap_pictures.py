"""A member's roadmap pictures (the map and the progress card) drawn from the content and their progress."""

from __future__ import annotations

from collections.abc import Mapping

from bot import progress
from bot.content import Content
from bot.images import progress_card, roadmap_map
from bot.images.cache import ImageCache
from bot.images.progress_card import CardTopic, ProgressCard
from bot.images.roadmap_map import MapSection, MapTopic, RoadmapMap
from bot.images.topic_styles import Mark
from bot.progress import Status, TopicState
from bot.replies import Image

MARK_OF = {Status.DONE: Mark.DONE, Status.SKIPPED: Mark.SKIPPED, Status.LEARNING: Mark.LEARNING}


def marks(content: Content, states: Mapping[str, TopicState]) -> dict[str, Mark]:
    """Every topic's mark, in roadmap order; progress on topics no longer in the content is left out."""
    return {t.id: MARK_OF[states[t.id].status] if t.id in states else Mark.TODO for t in content.topics}


def map_input(content: Content, states: Mapping[str, TopicState], member: str) -> RoadmapMap:
    marked = marks(content, states)
    upcoming = progress.next_topic(content, states)
    sections = tuple(
        MapSection(
            section.title,
            tuple(
                MapTopic(t, content.by_id[t].title, content.by_id[t].prerequisites, marked[t])
                for t in section.topic_ids
            ),
        )
        for section in content.sections
    )
    return RoadmapMap("The backend roadmap", member, sections, upcoming.id if upcoming else None)


def card_input(content: Content, states: Mapping[str, TopicState], member: str) -> ProgressCard:
    marked = marks(content, states)
    upcoming = progress.next_topic(content, states)
    sections = tuple(tuple(CardTopic(t, marked[t]) for t in section.topic_ids) for section in content.sections)
    return ProgressCard(member, sections, upcoming.id if upcoming else None, upcoming.title if upcoming else None)


def _summary(data: RoadmapMap | ProgressCard, next_title: str | None) -> str:
    done, skipped, learning = (data.count(m) for m in (Mark.DONE, Mark.SKIPPED, Mark.LEARNING))
    text = (
        f"{data.percent}% of the roadmap finished: {done} done, {skipped} skipped, {learning} learning, "
        f"of {len(data.topics)} topics"
    )
    return text + (f"; next: {next_title}." if next_title else ".")


async def map_image(cache: ImageCache, content: Content, states: Mapping[str, TopicState], member: str) -> Image:
    """The roadmap map of `member`, from the cache when nothing changed since it was last drawn."""
    data = map_input(content, states, member)
    png = await cache.render(roadmap_map.render, data)
    upcoming = content.topic(data.next_id or "")
    alt = f"Map of the backend roadmap for {member}. " + _summary(data, upcoming.title if upcoming else None)
    return Image("roadmap-map.png", png, alt)


async def card_image(cache: ImageCache, content: Content, states: Mapping[str, TopicState], member: str) -> Image:
    """The small progress card of `member`."""
    data = card_input(content, states, member)
    png = await cache.render(progress_card.render, data)
    return Image("roadmap-progress.png", png, f"Progress card for {member}. " + _summary(data, data.next_title))
