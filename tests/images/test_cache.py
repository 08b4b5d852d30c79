"""The picture cache: a repeated request draws nothing; a change of input draws again."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import pytest

from bot.images.cache import ImageCache, fingerprint


@dataclass(frozen=True)
class Square:
    colour: str
    marks: tuple[str, ...] = ()


def draw(data: Square) -> bytes:
    return f"png:{data.colour}:{','.join(data.marks)}".encode()


def draw_other(data: Square) -> bytes:
    return b"other"


async def test_a_repeated_request_draws_nothing() -> None:
    cache = ImageCache()
    first = await cache.render(draw, Square("green", ("done",)))
    assert cache.renders == 1
    again = await cache.render(draw, Square("green", ("done",)))
    assert again == first and cache.renders == 1
    changed = await cache.render(draw, Square("green", ("done", "skipped")))
    assert changed != first and cache.renders == 2


def test_the_key_names_the_renderer_and_every_input() -> None:
    assert fingerprint(draw, Square("a")) == fingerprint(draw, Square("a"))
    assert fingerprint(draw, Square("a")) != fingerprint(draw, Square("b"))
    assert fingerprint(draw, Square("a")) != fingerprint(draw_other, Square("a"))


async def test_drawing_runs_off_the_event_loop_and_concurrent_requests_share_it() -> None:
    cache = ImageCache()
    loop_thread = threading.get_ident()
    seen: list[int] = []
    release = threading.Event()

    def slow(data: Square) -> bytes:
        seen.append(threading.get_ident())
        release.wait(timeout=10)
        return b"slow"

    tasks = [asyncio.create_task(cache.render(slow, Square("x"))) for _ in range(5)]
    # The loop stays free while the thread draws: this coroutine runs before the drawing finishes.
    for _ in range(100):
        await asyncio.sleep(0)
        if seen:
            break
    release.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
    assert results == [b"slow"] * 5
    assert cache.renders == 1 and seen and seen[0] != loop_thread


async def test_a_failed_drawing_is_not_remembered() -> None:
    cache = ImageCache()
    calls = 0

    def broken(data: Square) -> bytes:
        nonlocal calls
        calls += 1
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            await cache.render(broken, Square("x"))
    assert calls == 2 and cache.renders == 0 and len(cache) == 0


async def test_the_least_recently_used_pictures_leave_first_when_over_budget() -> None:
    cache = ImageCache(budget=len(draw(Square("a"))) * 2)
    await cache.render(draw, Square("a"))
    await cache.render(draw, Square("b"))
    await cache.render(draw, Square("a"))  # a is now the most recent
    await cache.render(draw, Square("c"))  # b leaves
    assert len(cache) == 2 and cache.renders == 3
    await cache.render(draw, Square("a"))
    assert cache.renders == 3
    await cache.render(draw, Square("b"))
    assert cache.renders == 4
