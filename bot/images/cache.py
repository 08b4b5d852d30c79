"""Rendered pictures, remembered by exactly what they were drawn from, and drawn off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

Data = TypeVar("Data")

DEFAULT_BUDGET = 32 * 1024 * 1024  # bytes of PNG kept; a roadmap map is about 300 kB


def fingerprint(renderer: Callable[[Data], bytes], data: Data) -> str:
    """A key naming the renderer and every input it draws from.

    Inputs are frozen dataclasses of strings, numbers, dates and tuples, whose `repr` spells out every field,
    so two inputs share a key only when the picture would be the same.
    """
    name = f"{renderer.__module__}.{renderer.__qualname__}"
    return hashlib.sha256(f"{name}\n{data!r}".encode()).hexdigest()


class ImageCache:
    """A least-recently-used store of PNG bytes, bounded by their total size.

    `renders` counts the pictures actually drawn; a repeated request with the same inputs draws nothing, and
    concurrent requests for one picture share one drawing.
    """

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self.renders = 0
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._drawing: dict[str, asyncio.Future[bytes]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def render(self, renderer: Callable[[Data], bytes], data: Data) -> bytes:
        """The PNG `renderer(data)` returns, from the cache when it was drawn before."""
        key = fingerprint(renderer, data)
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        pending = self._drawing.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._drawing[key] = future
        try:
            # Drawing a large map takes a few hundred milliseconds: a thread keeps other commands answering.
            png = await asyncio.to_thread(renderer, data)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # marks it retrieved: only callers already waiting should see it
            raise
        finally:
            del self._drawing[key]
        self.renders += 1
        future.set_result(png)
        self._store(key, png)
        return png

    def _store(self, key: str, png: bytes) -> None:
        if len(png) > self.budget:
            return
        self._entries[key] = png
        self._size += len(png)
        while self._size > self.budget:
            _, evicted = self._entries.popitem(last=False)
            self._size -= len(evicted)
