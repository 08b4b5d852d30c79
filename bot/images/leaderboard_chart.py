"""The top ten's points over the last weeks: one row per member, with a small bar chart of their points in each
week on a scale shared by every row, so rows compare at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.images import palette
from bot.images.canvas import Box, Canvas, fit, text_width

WIDTH = 1080
MARGIN = 40
HEAD = 150
ROW = 84
NAME_LEFT = MARGIN + 64
BARS_LEFT = 440
BARS_RIGHT = WIDTH - MARGIN - 110
FOOT = 70
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ChartRow:
    rank: int
    name: str
    points: int  # the total the board ranks by
    weekly: tuple[int, ...]  # points earned in each week of `ChartData.weeks`, oldest first


@dataclass(frozen=True)
class ChartData:
    title: str
    weeks: tuple[date, ...]  # the first day of each week shown, oldest first
    rows: tuple[ChartRow, ...]


def height(data: ChartData) -> int:
    return HEAD + max(1, len(data.rows)) * ROW + FOOT


def bar_box(data: ChartData, row: int, week: int) -> Box:
    """The slot (full height) of one member's bar for one week; the bar fills it from the bottom."""
    slot = (BARS_RIGHT - BARS_LEFT) / max(1, len(data.weeks))
    left = BARS_LEFT + week * slot + slot * 0.14
    top = HEAD + row * ROW + 12
    return Box(round(left), top, round(left + slot * 0.72), top + ROW - 24)


def render(data: ChartData) -> bytes:
    """The chart as PNG bytes, 1080 pixels wide and as tall as the rows need."""
    canvas = Canvas(WIDTH, height(data), palette.PAPER)
    canvas.text((MARGIN, 34), fit(data.title, 36, WIDTH - 2 * MARGIN, bold=True), 36, fill=palette.INK, bold=True)
    weeks = len(data.weeks)
    peak = max([1, *(v for r in data.rows for v in r.weekly)])
    canvas.text(
        (MARGIN, 86),
        f"Points earned each week, last {weeks} week{'s' if weeks != 1 else ''} · tallest bar {peak} points",
        22,
        fill=palette.MUTED_INK,
    )
    if not data.rows:
        canvas.text((WIDTH / 2, HEAD + ROW / 2), "No points yet this season.", 24, fill=palette.INK, anchor="mm")
        return canvas.png()
    for week in range(weeks):
        if week % 2 == 1:
            # Faint bands down alternate weeks help the eye follow one week across rows.
            top_box, bottom_box = bar_box(data, 0, week), bar_box(data, len(data.rows) - 1, week)
            slot = (BARS_RIGHT - BARS_LEFT) / weeks
            left = BARS_LEFT + week * slot
            canvas.rect(
                Box(round(left), top_box.top - 12, round(left + slot), bottom_box.bottom + 12), fill=palette.CANVAS
            )
    for index, row in enumerate(data.rows):
        _row(canvas, data, index, row, peak)
    _axis(canvas, data)
    return canvas.png()


def _row(canvas: Canvas, data: ChartData, index: int, row: ChartRow, peak: int) -> None:
    top = HEAD + index * ROW
    middle = top + ROW / 2
    if index:
        canvas.line([(MARGIN, top), (WIDTH - MARGIN, top)], fill=palette.EMPTY, width=2)
    canvas.text((MARGIN + 22, middle), str(row.rank), 28, fill=palette.INK, bold=True, anchor="mm")
    room = BARS_LEFT - NAME_LEFT - 20
    canvas.text(
        (NAME_LEFT, middle - 2), fit(row.name, 24, room, bold=True), 24, fill=palette.INK, bold=True, anchor="ls"
    )
    canvas.text((NAME_LEFT, middle + 6), f"{row.points} points", 20, fill=palette.MUTED_INK, anchor="lt")
    last = len(data.weeks) - 1
    for week, value in enumerate(row.weekly[: len(data.weeks)]):
        slot = bar_box(data, index, week)
        canvas.line([(slot.left - 4, slot.bottom), (slot.right + 4, slot.bottom)], fill=palette.RULE, width=2)
        if value <= 0:
            continue
        bar_height = max(4, round(slot.height * value / peak))
        colour = palette.BLUE if week == last else palette.SKY_BLUE
        canvas.rect(Box(slot.left, slot.bottom - bar_height, slot.right, slot.bottom), fill=colour, radius=4)
    this_week = row.weekly[last] if 0 <= last < len(row.weekly) else 0
    canvas.text((WIDTH - MARGIN, middle - 2), f"+{this_week}", 24, fill=palette.INK, bold=True, anchor="rs")
    canvas.text((WIDTH - MARGIN, middle + 6), "this week", 20, fill=palette.MUTED_INK, anchor="rt")


def _axis(canvas: Canvas, data: ChartData) -> None:
    """Week labels under the bars, thinned from this week backwards so they never overlap."""
    y = HEAD + len(data.rows) * ROW + 20
    next_left = float("inf")
    for week in range(len(data.weeks) - 1, -1, -1):
        start = data.weeks[week]
        label = "this week" if week == len(data.weeks) - 1 else f"{start.day} {MONTHS[start.month - 1]}"
        x = bar_box(data, 0, week).center[0]
        half = text_width(label, 20) / 2
        x = min(x, WIDTH - MARGIN - half)
        if x + half <= next_left:
            canvas.text((x, y), label, 20, fill=palette.MUTED_INK, anchor="mt")
            next_left = x - half - 14
