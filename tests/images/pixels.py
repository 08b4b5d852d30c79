"""Reading rendered PNGs back, so tests check what a reader would see."""

from __future__ import annotations

import io

from PIL import Image

from bot.images.canvas import Box

RGB = tuple[int, int, int]


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image.convert("RGB")


def colours(image: Image.Image, box: Box, inset: int = 4) -> set[RGB]:
    """Every colour inside `box` (shrunk by `inset` so borders do not count)."""
    inner = box.inset(inset)
    counts = image.crop((inner.left, inner.top, inner.right, inner.bottom)).getcolors(maxcolors=1 << 20)
    assert counts
    return {colour for _, colour in counts}  # type: ignore[misc]


def dominant(image: Image.Image, box: Box, inset: int = 4) -> RGB:
    """The most common colour inside `box`: its fill, as text and marks cover less."""
    inner = box.inset(inset)
    counts = image.crop((inner.left, inner.top, inner.right, inner.bottom)).getcolors(maxcolors=1 << 20)
    assert counts
    return max(counts)[1]  # type: ignore[return-value]


def close(a: RGB, b: RGB, tolerance: int = 6) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))
