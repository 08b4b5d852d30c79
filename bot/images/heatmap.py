"""A member's active days over the last 26 weeks as a calendar grid, days counted in the member's own time zone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.images import palette
from bot.images.canvas import Box, Canvas, fit, text_width

WIDTH = 1080
MARGIN = 40
LABELS = 74  # room on the left for weekday names
CELL = 30
GAP = 5
GRID_TOP = 160
WEEKS = 26
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HEIGHT = GRID_TOP + 7 * (CELL + GAP) + 110


@dataclass(frozen=True)
class ActivityCalendar:
    """Active days (local dates with a count of actions) up to `today`, the member's local date."""

    member: str
    zone: str
    today: date
    days: tuple[tuple[date, int], ...]
    weeks: int = WEEKS

    @property
    def first_day(self) -> date:
        """The Monday that starts the oldest week shown."""
        return self.today - timedelta(days=self.today.weekday() + 7 * (self.weeks - 1))

    def counts(self) -> dict[date, int]:
        return {day: n for day, n in self.days if self.first_day <= day <= self.today and n > 0}


def local_days(moments: Iterable[datetime], zone: str) -> tuple[tuple[date, int], ...]:
    """Count timezone-aware moments by their date in `zone` (an IANA name), oldest first."""
    tz = ZoneInfo(zone)
    counted = Counter(moment.astimezone(tz).date() for moment in moments)
    return tuple(sorted(counted.items()))


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def cell_box(data: ActivityCalendar, day: date) -> Box:
    """Where `day`'s square sits on the picture."""
    offset = (day - data.first_day).days
    week, weekday = divmod(offset, 7)
    left = MARGIN + LABELS + week * (CELL + GAP)
    top = GRID_TOP + weekday * (CELL + GAP)
    return Box(left, top, left + CELL, top + CELL)


def level(count: int) -> int:
    """0 for an inactive day, else 1–4 by how much happened."""
    if count <= 0:
        return 0
    return 1 if count == 1 else 2 if count == 2 else 3 if count <= 4 else 4


def streaks(active: set[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive active days; the current run may end today or yesterday."""
    longest = run = 0
    previous: date | None = None
    for day in sorted(active):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    day = today if today in active else today - timedelta(days=1)
    while day in active:
        current += 1
        day -= timedelta(days=1)
    return current, longest


def render(data: ActivityCalendar) -> bytes:
    """The calendar as PNG bytes, 1080 pixels wide: one square per day, Monday at the top of each column."""
    width = max(WIDTH, MARGIN * 2 + LABELS + data.weeks * (CELL + GAP))
    canvas = Canvas(width, HEIGHT, palette.PAPER)
    counts = data.counts()
    current, longest = streaks(set(counts), data.today)
    canvas.text(
        (MARGIN, 34),
        fit(f"{data.member} · activity", 36, width - 2 * MARGIN, bold=True),
        36,
        fill=palette.INK,
        bold=True,
    )
    plural = "" if len(counts) == 1 else "s"
    summary = (
        f"{len(counts)} active day{plural} in the last {data.weeks} weeks · current streak {current} · "
        f"longest {longest}"
    )
    canvas.text((MARGIN, 86), fit(summary, 22, width - 2 * MARGIN), 22, fill=palette.MUTED_INK)
    for row, name in enumerate(WEEKDAYS):
        if name:
            y = GRID_TOP + row * (CELL + GAP) + CELL / 2
            canvas.text((MARGIN, y), name, 20, fill=palette.MUTED_INK, anchor="lm")
    _month_labels(canvas, data)
    day = data.first_day
    while day <= data.today:
        box = cell_box(data, day)
        count = counts.get(day, 0)
        canvas.rect(box, fill=palette.HEAT_SCALE[level(count)], radius=6)
        if day == data.today:
            canvas.rect(box.inset(-3), outline=palette.INK, width=3, radius=8)
        day += timedelta(days=1)
    _legend(canvas, data, width)
    return canvas.png()


def _month_labels(canvas: Canvas, data: ActivityCalendar) -> None:
    """A month's short name above the first week column that holds its first day."""
    last_right = 0.0
    for week in range(data.weeks):
        monday = data.first_day + timedelta(weeks=week)
        days = [monday + timedelta(days=d) for d in range(7)]
        first = next((d for d in days if d.day == 1), None)
        if week == 0 and first is None:
            first = monday
        if first is None:
            continue
        x = cell_box(data, monday).left
        label = MONTHS[first.month - 1] + (f" {first.year}" if first.month == 1 or week == 0 else "")
        if x >= last_right:
            canvas.text((x, GRID_TOP - 14), label, 20, fill=palette.MUTED_INK, anchor="ls")
            last_right = x + text_width(label, 20) + 12


def _legend(canvas: Canvas, data: ActivityCalendar, width: int) -> None:
    y = GRID_TOP + 7 * (CELL + GAP) + 36
    canvas.text((MARGIN, y + CELL / 2), f"Days in {data.zone}", 20, fill=palette.MUTED_INK, anchor="lm")
    right = width - MARGIN
    more_width = text_width("More", 20)
    x = right - more_width - 10 - 5 * (CELL + GAP)
    canvas.text((x - 10, y + CELL / 2), "Less", 20, fill=palette.MUTED_INK, anchor="rm")
    for shade in palette.HEAT_SCALE:
        canvas.rect(Box(round(x), y, round(x) + CELL, y + CELL), fill=shade, radius=6)
        x += CELL + GAP
    canvas.text((right, y + CELL / 2), "More", 20, fill=palette.MUTED_INK, anchor="rm")
    today = "Today"
    box_left = right - more_width - 10 - 5 * (CELL + GAP) - text_width("Less", 20) - 40 - text_width(today, 20) - 46
    marker = Box(round(box_left), y, round(box_left) + CELL, y + CELL)
    canvas.rect(marker, fill=palette.EMPTY, radius=6)
    canvas.rect(marker.inset(-3), outline=palette.INK, width=3, radius=8)
    canvas.text((marker.right + 10, y + CELL / 2), today, 20, fill=palette.MUTED_INK, anchor="lm")
