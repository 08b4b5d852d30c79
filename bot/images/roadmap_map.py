"""The whole roadmap as one picture: sections in order, topics as boxes joined by their prerequisites, and where
one member stands (done, skipped, learning, next, to do) with a legend and their percentage."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from bot.images import palette
from bot.images.canvas import Box, Canvas, fit, text_width, wrap
from bot.images.map_routes import essential_edges, route
from bot.images.topic_styles import FINISHED, Mark, draw_topic, halo, legend, next_tag, text_colour

WIDTH = 1080
MARGIN = 40
MIN_BOX_WIDTH = 300
COLUMN_GAP = 40
ROW_GAP = 44
TITLE_SIZE = 24
LINE_HEIGHT = 31
PAD_X = 16
PAD_Y = 17
MARKER_SPACE = 40  # room on a box's right for its tick or learning mark
SECTION_HEAD = 80  # leaves a gap under the section title for lines to run along
RADIUS = 12
EDGE = (150, 157, 165)


@dataclass(frozen=True)
class MapTopic:
    id: str
    title: str
    prerequisites: tuple[str, ...] = ()
    mark: Mark = Mark.TODO


@dataclass(frozen=True)
class MapSection:
    title: str
    topics: tuple[MapTopic, ...]


@dataclass(frozen=True)
class RoadmapMap:
    """What the map shows: the roadmap in order, one member's marks, and the topic they take next."""

    heading: str
    member: str
    sections: tuple[MapSection, ...]
    next_id: str | None = None

    @property
    def topics(self) -> tuple[MapTopic, ...]:
        return tuple(t for s in self.sections for t in s.topics)

    def count(self, mark: Mark) -> int:
        return sum(1 for t in self.topics if t.mark is mark)

    @property
    def percent(self) -> int:
        total = len(self.topics)
        finished = self.count(Mark.DONE) + self.count(Mark.SKIPPED)
        return 0 if total == 0 else round(100 * finished / total)


@dataclass(frozen=True)
class SectionPlace:
    title: str
    finished: int
    total: int
    top: int


@dataclass(frozen=True)
class MapLayout:
    """Where everything goes, in final pixels; `boxes` holds each topic's rectangle by topic id."""

    width: int
    height: int
    columns: int
    boxes: dict[str, Box]
    lines: dict[str, list[str]]
    sections: tuple[SectionPlace, ...]
    gutters: tuple[float, ...]  # x of the gaps beside and between columns, where lines may run down
    edges: tuple[tuple[str, str], ...]  # (prerequisite, topic) lines drawn, without implied ones


HEADER_HEIGHT = 250  # heading, summary, progress bar and legend


def layout(data: RoadmapMap, width: int = WIDTH) -> MapLayout:
    """Place every topic box; the same layout `render` draws, so callers can find a topic on the picture."""
    inner = width - 2 * MARGIN
    columns = max(1, (inner + COLUMN_GAP) // (MIN_BOX_WIDTH + COLUMN_GAP))
    box_width = (inner - (columns - 1) * COLUMN_GAP) // columns
    text_room = box_width - 2 * PAD_X - MARKER_SPACE
    edges = essential_edges({t.id: t.prerequisites for t in data.topics})
    parents: dict[str, list[str]] = {}
    for source, target in edges:
        parents.setdefault(target, []).append(source)
    boxes: dict[str, Box] = {}
    lines: dict[str, list[str]] = {}
    column_of: dict[str, int] = {}
    sections: list[SectionPlace] = []
    y = HEADER_HEIGHT
    for section in data.sections:
        finished = sum(1 for t in section.topics if t.mark in FINISHED)
        sections.append(SectionPlace(section.title, finished, len(section.topics), y))
        y += SECTION_HEAD
        for start in range(0, len(section.topics), columns):
            row = section.topics[start : start + columns]
            wanted = [_wanted_column(parents.get(t.id, []), column_of) for t in row]
            wrapped = [wrap(t.title, TITLE_SIZE, text_room) for t in row]
            height = max(len(w) for w in wrapped) * LINE_HEIGHT + 2 * PAD_Y
            for topic, column, topic_lines in zip(row, _columns(wanted, columns), wrapped, strict=True):
                left = MARGIN + column * (box_width + COLUMN_GAP)
                boxes[topic.id] = Box(left, y, left + box_width, y + height)
                lines[topic.id] = topic_lines
            # Only now: a prerequisite in the same row is joined side to side and does not pull its column.
            column_of.update({t.id: (boxes[t.id].left - MARGIN) // (box_width + COLUMN_GAP) for t in row})
            y += height + ROW_GAP
        y += 6
    gutters = tuple(MARGIN + c * (box_width + COLUMN_GAP) - COLUMN_GAP / 2 for c in range(columns + 1))
    return MapLayout(width, y - ROW_GAP + MARGIN, columns, boxes, lines, tuple(sections), gutters, tuple(edges))


def _wanted_column(parents: list[str], column_of: dict[str, int]) -> float | None:
    """The column under a topic's prerequisites placed in earlier rows, or None when it has none there."""
    placed = [column_of[p] for p in parents if p in column_of]
    return sum(placed) / len(placed) if placed else None


def _columns(wanted: list[float | None], columns: int) -> tuple[int, ...]:
    """Columns for one row's topics, left to right in roadmap order, each as close as it can be to the column
    it wants (under its prerequisites), so most lines run straight down; ties go to the leftmost choice."""
    best: tuple[float, tuple[int, ...]] | None = None
    for choice in combinations(range(columns), len(wanted)):
        cost = sum(abs(c - w) for c, w in zip(choice, wanted, strict=True) if w is not None)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, choice)
    assert best is not None
    return best[1]


def render(data: RoadmapMap, width: int = WIDTH) -> bytes:
    """The map as PNG bytes, `width` pixels wide (1080 reads well on a phone)."""
    place = layout(data, width)
    canvas = Canvas(place.width, place.height, palette.CANVAS)
    _header(canvas, data, place.width)
    for section in place.sections:
        canvas.line([(MARGIN, section.top), (place.width - MARGIN, section.top)], fill=palette.RULE, width=2)
    paths = route(place.edges, place.boxes, place.gutters)
    # A background-coloured casing under every line first: where lines cross or run side by side, a thin gap
    # keeps each one traceable.
    for path in paths:
        canvas.line(path.points[:-1], fill=palette.CANVAS, width=9)
    for path in paths:
        _edge(canvas, path.points)
    for section in place.sections:
        _section_head(canvas, section, place.width)
    for topic in data.topics:
        _topic_box(canvas, place.boxes[topic.id], place.lines[topic.id], topic.mark, topic.id == data.next_id)
    return canvas.png()


# ---- parts ---------------------------------------------------------------------------------------


def _header(canvas: Canvas, data: RoadmapMap, width: int) -> None:
    canvas.text((MARGIN, 34), fit(data.heading, 40, width - 2 * MARGIN - 170), 40, fill=palette.INK, bold=True)
    canvas.text((width - MARGIN, 30), f"{data.percent}%", 56, fill=palette.DONE_FILL, bold=True, anchor="ra")
    done, skipped, learning = data.count(Mark.DONE), data.count(Mark.SKIPPED), data.count(Mark.LEARNING)
    summary = f"{data.member} · {done + skipped} of {len(data.topics)} topics finished"
    canvas.text((MARGIN, 90), fit(summary, 24, width - 2 * MARGIN - 170), 24, fill=palette.MUTED_INK)
    _progress_bar(canvas, Box(MARGIN, 132, width - MARGIN, 152), data)
    legend(canvas, MARGIN, 180, {Mark.DONE: done, Mark.SKIPPED: skipped, Mark.LEARNING: learning})


def _progress_bar(canvas: Canvas, box: Box, data: RoadmapMap) -> None:
    total = max(1, len(data.topics))
    canvas.rect(box, fill=palette.EMPTY, radius=box.height / 2)
    done_right = box.left + box.width * data.count(Mark.DONE) / total
    skipped_right = done_right + box.width * data.count(Mark.SKIPPED) / total
    if skipped_right > box.left:
        skipped = Box(box.left, box.top, round(skipped_right), box.bottom)
        canvas.rect(skipped, fill=palette.SKIPPED_FILL, radius=box.height / 2)
        canvas.hatch(skipped, colour=palette.SKIPPED_HATCH, spacing=10, width=3, radius=box.height / 2)
    if done_right > box.left:
        canvas.rect(
            Box(box.left, box.top, round(done_right), box.bottom), fill=palette.DONE_FILL, radius=box.height / 2
        )


def _head_patches(section: SectionPlace, width: int) -> tuple[Box, Box]:
    """The background patches behind a section's title and count: lines pass under them, never over."""
    title, count = _head_texts(section, width)
    top, bottom = section.top + 12, section.top + 48
    return (
        Box(MARGIN - 4, top, MARGIN + round(text_width(title, 28, bold=True)) + 12, bottom),
        Box(width - MARGIN - round(text_width(count, 22)) - 12, top, width - MARGIN + 4, bottom),
    )


def _head_texts(section: SectionPlace, width: int) -> tuple[str, str]:
    count = f"{section.finished} of {section.total}"
    return fit(section.title, 28, width - 2 * MARGIN - text_width(count, 22) - 40, bold=True), count


def _section_head(canvas: Canvas, section: SectionPlace, width: int) -> None:
    title, count = _head_texts(section, width)
    for patch in _head_patches(section, width):
        canvas.rect(patch, fill=palette.CANVAS)
    canvas.text((MARGIN, section.top + 30), title, 28, fill=palette.INK, bold=True, anchor="lm")
    canvas.text((width - MARGIN, section.top + 30), count, 22, fill=palette.MUTED_INK, anchor="rm")


def _edge(canvas: Canvas, points: tuple[tuple[float, float], ...]) -> None:
    """A prerequisite line ending in an arrowhead at the topic that builds on it."""
    tip, before = points[-1], points[-2]
    length = max(1e-6, ((tip[0] - before[0]) ** 2 + (tip[1] - before[1]) ** 2) ** 0.5)
    dx, dy = (tip[0] - before[0]) / length, (tip[1] - before[1]) / length
    base = (tip[0] - dx * 11, tip[1] - dy * 11)
    canvas.line([*points[:-1], base], fill=EDGE, width=3)
    canvas.polygon([tip, (base[0] - dy * 7, base[1] + dx * 7), (base[0] + dy * 7, base[1] - dx * 7)], fill=EDGE)


def _topic_box(canvas: Canvas, box: Box, lines: list[str], mark: Mark, is_next: bool) -> None:
    draw_topic(canvas, box, mark, is_next, radius=RADIUS)
    if is_next:
        next_tag(canvas, box)
    for i, line in enumerate(lines):
        y = box.top + PAD_Y + i * LINE_HEIGHT + LINE_HEIGHT / 2
        canvas.text(
            (box.left + PAD_X, y),
            line,
            TITLE_SIZE,
            fill=text_colour(mark),
            anchor="lm",
            bold=is_next,
            halo=halo(mark),
        )
