"""The whole roadmap as one picture: sections in order, topics as boxes joined by their prerequisites, and where
one member stands (done, skipped, learning, next, to do) with a legend and their percentage."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from enum import StrEnum

from bot.images import palette
from bot.images.canvas import Box, Canvas, fit, text_width, wrap
from bot.images.map_routes import essential_edges, route

WIDTH = 1080
MARGIN = 40
MIN_BOX_WIDTH = 300
COLUMN_GAP = 28
ROW_GAP = 44
TITLE_SIZE = 24
LINE_HEIGHT = 31
PAD_X = 16
PAD_Y = 17
MARKER_SPACE = 40  # room on a box's right for its tick or learning mark
SECTION_HEAD = 88  # leaves a gap under the section title for lines to run along
RADIUS = 12
EDGE = (150, 157, 165)


class Mark(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    LEARNING = "learning"
    TODO = "todo"


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
        finished = sum(1 for t in section.topics if t.mark in (Mark.DONE, Mark.SKIPPED))
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
        canvas.line(
            [(MARGIN, section.top + 8), (place.width - MARGIN, section.top + 8)], fill=palette.RULE, width=2
        )
    for path in route(place.edges, place.boxes, place.gutters):
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
    items = [
        (Mark.DONE, False, f"Done {done}"),
        (Mark.SKIPPED, False, f"Skipped {skipped}"),
        (Mark.LEARNING, False, f"Learning {learning}"),
        (Mark.TODO, True, "Next"),
        (Mark.TODO, False, "To do"),
    ]
    x = MARGIN
    for mark, is_next, label in items:
        swatch = Box(x, 180, x + 56, 216)
        _topic_box(canvas, swatch, [], mark, is_next, compact=True)
        canvas.text((swatch.right + 10, 198), label, 22, fill=palette.INK, anchor="lm")
        x = swatch.right + 10 + round(text_width(label, 22)) + 30


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
        canvas.rect(Box(box.left, box.top, round(done_right), box.bottom), fill=palette.DONE_FILL, radius=box.height / 2)


def _head_patches(section: SectionPlace, width: int) -> tuple[Box, Box]:
    """The background patches behind a section's title and count: lines pass under them, never over."""
    title, count = _head_texts(section, width)
    top, bottom = section.top + 16, section.top + 54
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
    canvas.text((MARGIN, section.top + 35), title, 28, fill=palette.INK, bold=True, anchor="lm")
    canvas.text((width - MARGIN, section.top + 35), count, 22, fill=palette.MUTED_INK, anchor="rm")


def _edge(canvas: Canvas, points: tuple[tuple[float, float], ...]) -> None:
    """A prerequisite line ending in an arrowhead at the topic that builds on it."""
    tip, before = points[-1], points[-2]
    length = max(1e-6, ((tip[0] - before[0]) ** 2 + (tip[1] - before[1]) ** 2) ** 0.5)
    dx, dy = (tip[0] - before[0]) / length, (tip[1] - before[1]) / length
    base = (tip[0] - dx * 11, tip[1] - dy * 11)
    canvas.line([*points[:-1], base], fill=EDGE, width=3)
    canvas.polygon([tip, (base[0] - dy * 7, base[1] + dx * 7), (base[0] + dy * 7, base[1] - dx * 7)], fill=EDGE)


def _topic_box(canvas: Canvas, box: Box, lines: list[str], mark: Mark, is_next: bool, compact: bool = False) -> None:
    """One topic in its style. Each style has a shape cue as well as a colour: a tick, a hatch, a half-filled
    ring, a thick outline, or a thin outline."""
    radius = 8 if compact else RADIUS
    text_colour = palette.INK
    if mark is Mark.DONE:
        canvas.rect(box, fill=palette.DONE_FILL, radius=radius)
        text_colour = palette.PAPER
    elif mark is Mark.SKIPPED:
        canvas.rect(box, fill=palette.SKIPPED_FILL, radius=radius)
        canvas.hatch(box, colour=palette.SKIPPED_HATCH, spacing=14 if compact else 18, width=3, radius=radius)
        text_colour = palette.MUTED_INK
    elif mark is Mark.LEARNING:
        canvas.rect(box, fill=palette.LEARNING_FILL, outline=palette.ORANGE, width=3, radius=radius)
    else:
        canvas.rect(box, fill=palette.PAPER, outline=palette.RULE, width=2, radius=radius)
    if is_next:
        canvas.rect(box, outline=palette.NEXT_OUTLINE, width=4 if compact else 6, radius=radius)
    icon = Box(box.right - 34, box.top + 12, box.right - 10, box.top + 36)
    if compact:
        icon = Box(box.right - 30, box.top + 7, box.right - 8, box.top + 29)
    if mark is Mark.DONE:
        _tick(canvas, icon)
    elif mark is Mark.LEARNING:
        _half_ring(canvas, icon)
    if is_next and not compact:
        _next_tag(canvas, box)
    for i, line in enumerate(lines):
        y = box.top + PAD_Y + i * LINE_HEIGHT + LINE_HEIGHT / 2
        if mark is Mark.SKIPPED:
            canvas.text(
                (box.left + PAD_X, y), line, TITLE_SIZE, fill=text_colour, anchor="lm", halo=palette.SKIPPED_FILL
            )
        else:
            canvas.text((box.left + PAD_X, y), line, TITLE_SIZE, fill=text_colour, anchor="lm", bold=is_next)


def _tick(canvas: Canvas, icon: Box) -> None:
    canvas.ellipse(icon, fill=palette.PAPER)
    x, y, w = icon.left, icon.top, icon.width
    canvas.line(
        [(x + w * 0.26, y + w * 0.52), (x + w * 0.43, y + w * 0.7), (x + w * 0.75, y + w * 0.32)],
        fill=palette.DONE_FILL,
        width=max(2.5, w / 8),
    )


def _half_ring(canvas: Canvas, icon: Box) -> None:
    canvas.ellipse(icon, fill=palette.PAPER, outline=palette.ORANGE, width=3)
    canvas.pieslice(icon.inset(5), -90, 90, fill=palette.VERMILLION)


def _next_tag(canvas: Canvas, box: Box) -> None:
    label = "NEXT"
    tag_width = round(text_width(label, 18, bold=True)) + 20
    tag = Box(box.left + 14, box.top - 14, box.left + 14 + tag_width, box.top + 14)
    canvas.rect(tag, fill=palette.NEXT_OUTLINE, radius=14)
    canvas.text(tag.center, label, 18, fill=palette.PAPER, bold=True, anchor="mm")
