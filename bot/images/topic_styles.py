"""How a topic looks in a member's pictures: done, skipped, learning, next or to do.

Each style pairs a colour with a shape cue (a tick, a slash hatch, a half-filled ring, a thick outline, a thin
outline), so the five stay apart for colour-blind readers and in greyscale.
"""

from __future__ import annotations

from enum import StrEnum

from bot.images import palette
from bot.images.canvas import Box, Canvas, text_width
from bot.images.palette import RGB


class Mark(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    LEARNING = "learning"
    TODO = "todo"


FINISHED = (Mark.DONE, Mark.SKIPPED)


def text_colour(mark: Mark) -> RGB:
    return {Mark.DONE: palette.PAPER, Mark.SKIPPED: palette.MUTED_INK}.get(mark, palette.INK)


def halo(mark: Mark) -> RGB | None:
    """A background-coloured outline for text drawn over the hatch, so the hatch never crosses letters."""
    return palette.SKIPPED_FILL if mark is Mark.SKIPPED else None


def draw_topic(canvas: Canvas, box: Box, mark: Mark, is_next: bool, *, radius: float = 12, icons: bool = True) -> None:
    """A topic's box in its style; `icons` adds the tick or ring when the box is big enough to show them."""
    small = box.height < 48
    if mark is Mark.DONE:
        canvas.rect(box, fill=palette.DONE_FILL, radius=radius)
    elif mark is Mark.SKIPPED:
        canvas.rect(box, fill=palette.SKIPPED_FILL, radius=radius)
        canvas.hatch(box, colour=palette.SKIPPED_HATCH, spacing=10 if small else 18, width=3, radius=radius)
    elif mark is Mark.LEARNING:
        canvas.rect(box, fill=palette.LEARNING_FILL, outline=palette.ORANGE, width=3, radius=radius)
    else:
        canvas.rect(box, fill=palette.PAPER, outline=palette.RULE, width=2, radius=radius)
    if is_next:
        canvas.rect(box, outline=palette.NEXT_OUTLINE, width=4 if small else 6, radius=radius)
    if not icons:
        return
    size = min(24, box.height - 12)
    icon = Box(box.right - size - 8, box.top + 7, box.right - 8, box.top + 7 + size)
    if not small:
        icon = Box(box.right - 34, box.top + 12, box.right - 10, box.top + 36)
    if mark is Mark.DONE:
        tick(canvas, icon)
    elif mark is Mark.LEARNING:
        half_ring(canvas, icon)


def tick(canvas: Canvas, icon: Box) -> None:
    canvas.ellipse(icon, fill=palette.PAPER)
    x, y, w = icon.left, icon.top, icon.width
    canvas.line(
        [(x + w * 0.26, y + w * 0.52), (x + w * 0.43, y + w * 0.7), (x + w * 0.75, y + w * 0.32)],
        fill=palette.DONE_FILL,
        width=max(2.5, w / 8),
    )


def half_ring(canvas: Canvas, icon: Box) -> None:
    canvas.ellipse(icon, fill=palette.PAPER, outline=palette.ORANGE, width=3)
    canvas.pieslice(icon.inset(5), -90, 90, fill=palette.VERMILLION)


def next_tag(canvas: Canvas, box: Box) -> None:
    """A `NEXT` label sitting on the top edge of the next topic's box."""
    label = "NEXT"
    tag_width = round(text_width(label, 18, bold=True)) + 20
    tag = Box(box.left + 14, box.top - 14, box.left + 14 + tag_width, box.top + 14)
    canvas.rect(tag, fill=palette.NEXT_OUTLINE, radius=14)
    canvas.text(tag.center, label, 18, fill=palette.PAPER, bold=True, anchor="mm")


def legend(canvas: Canvas, left: float, top: float, counts: dict[Mark, int] | None = None, size: int = 22) -> float:
    """A one-line legend of the five styles (with counts when given); returns the x where it ends."""
    items = [
        (Mark.DONE, False, "Done"),
        (Mark.SKIPPED, False, "Skipped"),
        (Mark.LEARNING, False, "Learning"),
        (Mark.TODO, True, "Next"),
        (Mark.TODO, False, "To do"),
    ]
    x = left
    height = round(size * 1.6)
    for mark, is_next, name in items:
        count = None if counts is None or is_next else counts.get(mark)
        label = name if count is None else f"{name} {count}"
        swatch = Box(round(x), round(top), round(x) + round(height * 1.55), round(top) + height)
        draw_topic(canvas, swatch, mark, is_next, radius=8)
        canvas.text((swatch.right + 10, swatch.center[1]), label, size, fill=palette.INK, anchor="lm")
        x = swatch.right + 10 + text_width(label, size) + size * 1.3
    return x
