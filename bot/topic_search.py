"""Finding a roadmap topic from an id or a few words, with the closest matches when unsure."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from bot.content import Content, Topic

CONFIDENT = 85
SHOWN = 60


def _choices(content: Content) -> dict[str, str]:
    return {t.id: f"{t.id} {t.title} {' '.join(t.tags)}" for t in content.topics}


def search(content: Content, query: str, limit: int = 5) -> list[tuple[Topic, float]]:
    """Topics best matching `query`, best first, with their scores (0-100)."""
    query = query.strip().lower()
    if not query:
        return []
    exact = content.topic(query) or content.topic(query.replace(" ", "-"))
    if exact:
        return [(exact, 100.0)]
    found = process.extract(query, _choices(content), scorer=fuzz.WRatio, processor=utils.default_process, limit=limit)
    return [(content.by_id[key], score) for _text, score, key in found]


def resolve(content: Content, query: str) -> tuple[Topic | None, list[Topic]]:
    """The one topic `query` means, or None and the closest matches to suggest."""
    results = search(content, query)
    if not results:
        return None, []
    best, score = results[0]
    runner_up = results[1][1] if len(results) > 1 else 0.0
    if (score >= CONFIDENT and score - runner_up >= 5) or score == 100.0:
        return best, []
    return None, [t for t, s in results if s >= SHOWN][:3] or [t for t, _ in results[:3]]


def autocomplete(content: Content, partial: str, limit: int = 25) -> list[Topic]:
    """Suggestions while typing: every topic in order when empty, else the best matches."""
    if not partial.strip():
        return list(content.topics[:limit])
    return [t for t, score in search(content, partial, limit=limit) if score >= 40]
