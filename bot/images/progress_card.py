"""A small card for `/roadmap progress`: the member's percentage as a ring, and every topic as a block in
roadmap order, in the same styles as the map."""

from __future__ import annotations

from dataclasses import dataclass

from bot.images import palette
from bot.images.canvas import Box, Canvas, fit
from bot.images.topic_styles import Mark, draw_topic, legend

WIDTH = 960
HEIGHT = 360
MARGIN = 36
RING = Box(MARGIN, 36, MARGIN + 220, 256)
TEXT_LEFT = RING.right + 44
SECTION_GAP = 10


@dataclass(frozen=True)
class CardTopic:
    id: str
    mark: Mark = Mark.TODO


@dataclass(frozen=True)
class ProgressCard:
    """One member's marks on every topic, grouped by section in roadmap order."""

    member: str
    sections: tuple[tuple[CardTopic, ...], ...]
    next_id: str | None = None
    next_title: str | None = None

    @property
    def topics(self) -> tuple[CardTopic, ...]:
        return tuple(t for s in self.sections for t in s)

    def count(self, mark: Mark) -> int:
        return sum(1 for t in self.topics if t.mark is mark)

    @property
    def finished(self) -> int:
        return self.count(Mark.DONE) + self.count(Mark.SKIPPED)

    @property
    def percent(self) -> int:
        total = len(self.topics)
        return 0 if total == 0 else round(100 * self.finished / total)


def strip_boxes(data: ProgressCard, width: int = WIDTH) -> dict[str, Box]:
    """Where each topic's block sits on the card, by topic id."""
    left, right, top, bottom = TEXT_LEFT, width - MARGIN, 180, 224
    count = len(data.topics)
    if count == 0:
        return {}
    gaps = SECTION_GAP * max(0, len(data.sections) - 1) + 3 * (count - len(data.sections))
    block = (right - left - gaps) / count
    boxes: dict[str, Box] = {}
    x = float(left)
    for section in data.sections:
        for i, topic in enumerate(section):
            boxes[topic.id] = Box(round(x), top, round(x + block), bottom)
            x += block + (3 if i < len(section) - 1 else SECTION_GAP)
    return boxes


def render(data: ProgressCard) -> bytes:
    """The card as PNG bytes, 960 × 360 pixels."""
    canvas = Canvas(WIDTH, HEIGHT, palette.PAPER)
    canvas.rect(Box(0, 0, WIDTH, HEIGHT), outline=palette.RULE, width=2)
    _ring(canvas, data)
    room = WIDTH - MARGIN - TEXT_LEFT
    canvas.text((TEXT_LEFT, 44), fit(data.member, 34, room, bold=True), 34, fill=palette.INK, bold=True)
    total = len(data.topics)
    canvas.text((TEXT_LEFT, 96), f"{data.finished} of {total} topics finished", 24, fill=palette.MUTED_INK, anchor="la")
    upcoming = f"Next: {data.next_title}" if data.next_title else "Every topic is finished"
    canvas.text((TEXT_LEFT, 134), fit(upcoming, 22, room), 22, fill=palette.INK)
    for topic_id, box in strip_boxes(data).items():
        mark = next(t.mark for t in data.topics if t.id == topic_id)
        draw_topic(canvas, box, mark, topic_id == data.next_id, radius=4, icons=False)
    canvas.line([(MARGIN, 282), (WIDTH - MARGIN, 282)], fill=palette.RULE, width=2)
    legend(
        canvas,
        MARGIN,
        298,
        {Mark.DONE: data.count(Mark.DONE), Mark.SKIPPED: data.count(Mark.SKIPPED)},
        size=20,
    )
    return canvas.png()


def _ring(canvas: Canvas, data: ProgressCard) -> None:
    total = max(1, len(data.topics))
    canvas.ellipse(RING, fill=palette.EMPTY)
    done_end = -90 + 360 * data.count(Mark.DONE) / total
    skipped_end = done_end + 360 * data.count(Mark.SKIPPED) / total
    if skipped_end > done_end:
        canvas.pieslice(RING, done_end, skipped_end, fill=palette.SKIPPED_HATCH)
    if done_end > -90:
        canvas.pieslice(RING, -90, done_end, fill=palette.DONE_FILL)
    canvas.ellipse(RING.inset(30), fill=palette.PAPER)
    canvas.text(RING.center, f"{data.percent}%", 52, fill=palette.INK, bold=True, anchor="mm")
