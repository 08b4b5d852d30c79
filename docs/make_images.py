"""Render the README's pictures from the real roadmap and a sample community: `python docs/make_images.py`.

Writes docs/images/roadmap-map.png, progress-card.png, activity-heatmap.png and leaderboard-chart.png. The
sample is fixed (a seeded generator), so running it again gives the same pictures.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content import load_content  # noqa: E402
from bot.images import heatmap, leaderboard_chart, progress_card, roadmap_map  # noqa: E402
from bot.images.roadmap_pictures import card_input, map_input  # noqa: E402
from bot.progress import Status, TopicState  # noqa: E402
from bot.settings import DEFAULT_CONTENT_DIR  # noqa: E402

OUT = ROOT / "docs" / "images"
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
MEMBERS = (
    "Ada",
    "Grace Hopper",
    "Linus",
    "Margaret H.",
    "Ken",
    "Barbara Liskov",
    "Dennis",
    "Radia",
    "Guido",
    "Frances Allen",
)


def sample_progress(topic_ids: list[str]) -> dict[str, TopicState]:
    """A member about a third of the way in: most early topics done, two skipped, one being learned."""
    states = {topic_id: TopicState(Status.DONE, NOW) for topic_id in topic_ids[:10]}
    for skipped in (topic_ids[3], topic_ids[5]):
        states[skipped] = TopicState(Status.SKIPPED, NOW)
    states[topic_ids[10]] = TopicState(Status.LEARNING, NOW)
    return states


def sample_activity(rng: random.Random) -> tuple[tuple[date, int], ...]:
    days = []
    for back in range(26 * 7):
        chance = 0.2 if back > 120 else 0.55 if back > 30 else 0.8
        if rng.random() < chance:
            days.append((TODAY - timedelta(days=back), rng.choice((1, 1, 1, 2, 2, 3, 4, 6))))
    return tuple(sorted(days))


def sample_board(rng: random.Random) -> leaderboard_chart.ChartData:
    weeks = tuple(TODAY - timedelta(weeks=7 - i) for i in range(8))
    totals = []
    for name in MEMBERS:
        weekly = tuple(rng.choice((0, 10, 10, 20, 30, 40, 60)) for _ in weeks)
        totals.append((sum(weekly) + rng.choice((0, 40, 80)), name, weekly))
    totals.sort(key=lambda row: -row[0])
    rows, rank = [], 0
    for position, (points, name, weekly) in enumerate(totals, start=1):
        # Ties share a rank, as on the leaderboard itself.
        rank = rank if rows and rows[-1].points == points else position
        rows.append(leaderboard_chart.ChartRow(rank, name, points, weekly))
    return leaderboard_chart.ChartData("Leaderboard · Backend study group", weeks, tuple(rows))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    content = load_content(DEFAULT_CONTENT_DIR)
    states = sample_progress([t.id for t in content.topics])
    rng = random.Random(7)
    pictures = {
        "roadmap-map.png": roadmap_map.render(map_input(content, states, "Ada")),
        "progress-card.png": progress_card.render(card_input(content, states, "Ada")),
        "activity-heatmap.png": heatmap.render(
            heatmap.ActivityCalendar("Ada", "Asia/Tokyo", TODAY, sample_activity(rng))
        ),
        "leaderboard-chart.png": leaderboard_chart.render(sample_board(rng)),
    }
    for name, png in pictures.items():
        (OUT / name).write_bytes(png)
        print(f"wrote {OUT / name} ({len(png) // 1024} kB)")


if __name__ == "__main__":
    main()
