"""The roadmap map: it decodes, has the promised size, and shows each topic's mark where the layout says."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from bot.content import Content
from bot.images import palette
from bot.images.canvas import Box
from bot.images.map_routes import essential_edges, route
from bot.images.roadmap_map import WIDTH, MapSection, MapTopic, RoadmapMap, layout, render
from bot.images.roadmap_pictures import map_input
from bot.images.topic_styles import Mark
from bot.progress import Status, TopicState
from tests.images.pixels import close, colours, decode, dominant

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def sample(marks: dict[str, Mark] | None = None, next_id: str | None = "api") -> RoadmapMap:
    marks = marks or {}

    def topic(topic_id: str, title: str, *prerequisites: str) -> MapTopic:
        return MapTopic(topic_id, title, prerequisites, marks.get(topic_id, Mark.TODO))

    return RoadmapMap(
        "The backend roadmap",
        "Ada",
        (
            MapSection("Basics", (topic("cli", "The command line"), topic("git", "Git", "cli"))),
            MapSection(
                "Services",
                (
                    topic("sql", "Relational databases and SQL", "cli"),
                    topic("api", "REST API design", "sql", "git", "cli"),
                    topic("auth", "Authentication and authorisation", "api"),
                    topic("cache", "Caching with Redis and HTTP", "sql", "api"),
                ),
            ),
        ),
        next_id,
    )


def test_the_map_decodes_at_the_promised_size() -> None:
    data = sample()
    image = decode(render(data))
    place = layout(data)
    assert image.size == (WIDTH, place.height)
    assert set(place.boxes) == {t.id for t in data.topics}
    for box in place.boxes.values():
        assert 0 <= box.left < box.right <= WIDTH and 0 <= box.top < box.bottom <= place.height


def test_each_mark_has_its_own_look_at_the_topic_position() -> None:
    marks = {"cli": Mark.DONE, "git": Mark.SKIPPED, "sql": Mark.LEARNING}
    data = sample(marks)
    image = decode(render(data))
    boxes = layout(data).boxes
    done, skipped, learning, todo = (dominant(image, boxes[t]) for t in ("cli", "git", "sql", "auth"))
    assert close(done, palette.DONE_FILL)
    assert close(learning, palette.LEARNING_FILL)
    assert close(todo, palette.PAPER)
    assert len({done, skipped, learning, todo}) == 4
    # The skipped box carries a hatch: both its fill and its slash lines show inside it.
    inside = colours(image, boxes["git"])
    assert palette.SKIPPED_FILL in inside and palette.SKIPPED_HATCH in inside
    # The done box shows a white tick mark, not only a colour.
    assert palette.PAPER in colours(image, boxes["cli"])


def test_the_next_topic_has_a_thick_outline() -> None:
    data = sample()
    image = decode(render(data))
    box = layout(data).boxes["api"]
    # Halfway down the left edge, a few pixels in: the outline of the next topic, blank for others.
    y = (box.top + box.bottom) // 2
    assert close(image.getpixel((box.left + 3, y)), palette.NEXT_OUTLINE, 20)  # type: ignore[arg-type]
    other = layout(data).boxes["auth"]
    assert not close(image.getpixel((other.left + 3, (other.top + other.bottom) // 2)), palette.NEXT_OUTLINE, 60)  # type: ignore[arg-type]


def test_a_done_box_differs_from_a_remaining_one_at_the_same_place() -> None:
    before = sample()
    after = sample({"auth": Mark.DONE})
    box = layout(before).boxes["auth"]
    assert layout(after).boxes["auth"] == box
    assert dominant(decode(render(before)), box) != dominant(decode(render(after)), box)


def test_implied_prerequisite_lines_are_left_out() -> None:
    edges = essential_edges({"cli": (), "git": ("cli",), "sql": ("cli",), "api": ("sql", "git", "cli")})
    assert sorted(edges) == [("cli", "git"), ("cli", "sql"), ("git", "api"), ("sql", "api")]


def _inside(point: tuple[float, float], box: Box) -> bool:
    x, y = point
    return box.left + 2 < x < box.right - 2 and box.top + 2 < y < box.bottom - 2


def _along(points: tuple[tuple[float, float], ...], step: float = 3.0) -> list[tuple[float, float]]:
    sampled = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = max(abs(x1 - x0), abs(y1 - y0))
        count = max(1, int(length / step))
        sampled += [(x0 + (x1 - x0) * i / count, y0 + (y1 - y0) * i / count) for i in range(count + 1)]
    return sampled


def test_lines_on_the_real_roadmap_never_cross_a_box(content: Content) -> None:
    data = map_input(content, {}, "Ada")
    place = layout(data)
    paths = route(place.edges, place.boxes, place.gutters)
    assert len(paths) == len(place.edges) > 0
    for path in paths:
        others = [b for key, b in place.boxes.items() if key not in (path.source, path.target)]
        for point in _along(path.points):
            assert not any(_inside(point, b) for b in others), (path.source, path.target, point)
        # Every line ends on the edge of the topic that builds on the prerequisite.
        tip, target = path.points[-1], place.boxes[path.target]
        assert target.left <= tip[0] <= target.right and target.top - 1 <= tip[1] <= target.bottom + 1


@pytest.mark.parametrize("width", [720, 1080, 1600])
def test_columns_follow_the_width_and_text_stays_large(content: Content, width: int) -> None:
    data = map_input(content, {}, "Ada")
    place = layout(data, width)
    assert place.columns == {720: 2, 1080: 3, 1600: 4}[width]
    image = decode(render(data, width))
    assert image.width == width
    assert all(len(lines) <= 3 for lines in place.lines.values())


def test_the_real_roadmap_with_progress(content: Content) -> None:
    first, second, third = content.topics[:3]
    states = {
        first.id: TopicState(Status.DONE, NOW),
        second.id: TopicState(Status.SKIPPED, NOW),
        third.id: TopicState(Status.LEARNING, NOW),
    }
    data = map_input(content, states, "Ada")
    assert data.percent == round(100 * 2 / len(content.topics))
    assert data.next_id == third.id
    image = decode(render(data))
    boxes = layout(data).boxes
    assert close(dominant(image, boxes[first.id]), palette.DONE_FILL)
    assert close(dominant(image, boxes[content.topics[-1].id]), palette.PAPER)


def test_long_titles_wrap_and_end_in_an_ellipsis() -> None:
    long_title = "A very long topic title that goes on and on about distributed systems and consensus algorithms"
    data = RoadmapMap("Roadmap", "Ada", (MapSection("Only", (MapTopic("long", long_title),)),))
    lines = layout(data).lines["long"]
    assert len(lines) == 3 and lines[-1].endswith("…")
    decode(render(data))
