"""The activity heatmap: days in the member's zone, active days drawn apart from quiet ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.images import palette
from bot.images.heatmap import HEIGHT, WIDTH, ActivityCalendar, cell_box, local_days, local_today, render, streaks
from tests.images.pixels import close, decode, dominant

TODAY = date(2026, 11, 23)  # a Monday


def test_an_evening_in_utc_is_the_next_day_in_tokyo() -> None:
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    assert local_days([late], "Asia/Tokyo") == ((date(2026, 11, 21), 1),)
    assert local_days([late], "UTC") == ((date(2026, 11, 20), 1),)
    assert local_days([late], "America/New_York") == ((date(2026, 11, 20), 1),)
    assert local_today(late, "Asia/Tokyo") == date(2026, 11, 21)


def test_the_day_lands_in_its_zone_cell_on_the_picture() -> None:
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    tokyo = ActivityCalendar("Ada", "Asia/Tokyo", TODAY, local_days([late], "Asia/Tokyo"))
    image = decode(render(tokyo))
    saturday, friday = date(2026, 11, 21), date(2026, 11, 20)
    assert dominant(image, cell_box(tokyo, saturday)) != palette.EMPTY
    assert close(dominant(image, cell_box(tokyo, friday)), palette.EMPTY)


def test_size_cells_and_levels() -> None:
    days = ((TODAY - timedelta(days=3), 1), (TODAY - timedelta(days=2), 6), (TODAY - timedelta(days=400), 3))
    data = ActivityCalendar("Ada", "Europe/Berlin", TODAY, days)
    image = decode(render(data))
    assert image.size == (WIDTH, HEIGHT)
    quiet = dominant(image, cell_box(data, TODAY - timedelta(days=5)))
    light = dominant(image, cell_box(data, TODAY - timedelta(days=3)))
    dark = dominant(image, cell_box(data, TODAY - timedelta(days=2)))
    assert close(quiet, palette.EMPTY) and close(light, palette.HEAT_SCALE[1]) and close(dark, palette.HEAT_SCALE[4])
    # The oldest column starts on a Monday 25 weeks before this week; a day outside the window is not counted.
    assert data.first_day == TODAY - timedelta(weeks=25) and data.first_day.weekday() == 0
    assert TODAY - timedelta(days=400) not in data.counts()
    first, last = cell_box(data, data.first_day), cell_box(data, TODAY)
    assert first.left >= 0 and last.right <= WIDTH and last.bottom <= HEIGHT


def test_streaks_count_consecutive_local_days() -> None:
    active = {TODAY - timedelta(days=d) for d in (1, 2, 3, 10, 11, 12, 13, 14)}
    assert streaks(active, TODAY) == (3, 5)
    assert streaks(set(), TODAY) == (0, 0)
    assert streaks({TODAY}, TODAY) == (1, 1)
