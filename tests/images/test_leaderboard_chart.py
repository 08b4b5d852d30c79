"""The leaderboard chart: its size, and a bar where a member earned points."""

from __future__ import annotations

from datetime import date, timedelta

from bot.images import palette
from bot.images.leaderboard_chart import WIDTH, ChartData, ChartRow, bar_box, height, render
from tests.images.pixels import colours, decode

WEEKS = tuple(date(2026, 11, 23) - timedelta(weeks=7 - i) for i in range(8))


def test_the_chart_decodes_with_the_expected_size_and_bars() -> None:
    rows = tuple(
        ChartRow(rank, f"Member {rank}", 200 - rank * 10, tuple((rank * w) % 50 for w in range(8)))
        for rank in range(1, 11)
    )
    data = ChartData("Leaderboard", WEEKS, rows)
    image = decode(render(data))
    assert image.size == (WIDTH, height(data))
    # Row 2 earned 2 points in week 1 and none in week 0; this week's bar is the darker blue.
    assert palette.SKY_BLUE in colours(image, bar_box(data, 1, 1), inset=0)
    assert palette.SKY_BLUE not in colours(image, bar_box(data, 1, 0), inset=0)
    assert palette.BLUE in colours(image, bar_box(data, 1, 7), inset=0)


def test_an_empty_board_still_renders() -> None:
    data = ChartData("Leaderboard", WEEKS, ())
    assert decode(render(data)).size == (WIDTH, height(data))
