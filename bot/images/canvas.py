"""A drawing surface in final pixels, drawn at twice the size and shrunk, so edges and curves come out smooth."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from bot.images.palette import RGB

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
# Pillow draws lines and rounded corners without anti-aliasing; drawing at 2x and shrinking smooths them.
SUPERSAMPLE = 2


@dataclass(frozen=True)
class Box:
    """A rectangle in final pixels: left, top, right, bottom (right and bottom exclusive)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def center(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)

    def inset(self, by: int) -> Box:
        return Box(self.left + by, self.top + by, self.right - by, self.bottom - by)


# FreeType faces may be used by one thread at a time, and pictures are drawn in worker threads: each thread
# loads its own fonts.
_fonts = threading.local()


def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The bundled DejaVu Sans at `size` final pixels, loaded once per thread."""
    loaded: dict[tuple[int, bool], ImageFont.FreeTypeFont] = _fonts.__dict__.setdefault("loaded", {})
    key = (size, bold)
    if key not in loaded:
        loaded[key] = ImageFont.truetype(str(FONT_DIR / (BOLD if bold else REGULAR)), size * SUPERSAMPLE)
    return loaded[key]


def text_width(text: str, size: int, *, bold: bool = False) -> float:
    return font(size, bold=bold).getlength(text) / SUPERSAMPLE


def wrap(text: str, size: int, width: float, *, bold: bool = False, max_lines: int = 3) -> list[str]:
    """Greedy word wrap to `width` pixels; words too long for a line are cut, and overflow ends in an ellipsis."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold=bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word if text_width(word, size, bold=bold) <= width else fit(word, size, width, bold=bold)
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], fit(" ".join(lines[max_lines - 1 :]) + "…", size, width, bold=bold)]
    return lines


def fit(text: str, size: int, width: float, *, bold: bool = False) -> str:
    """`text`, shortened with an ellipsis until it fits in `width` pixels."""
    if text_width(text, size, bold=bold) <= width:
        return text
    body = text.rstrip("…")
    while body and text_width(body + "…", size, bold=bold) > width:
        body = body[:-1]
    return body.rstrip() + "…"


class Canvas:
    """Draw in final-pixel coordinates; `png()` returns the finished picture."""

    def __init__(self, width: int, height: int, background: RGB) -> None:
        self.width = width
        self.height = height
        self._image = Image.new("RGB", (width * SUPERSAMPLE, height * SUPERSAMPLE), background)
        self._draw = ImageDraw.Draw(self._image)

    @staticmethod
    def _s(value: float) -> int:
        return round(value * SUPERSAMPLE)

    def _box(self, box: Box) -> tuple[int, int, int, int]:
        # Pillow's rectangles include their right and bottom edges; ours do not.
        return (self._s(box.left), self._s(box.top), self._s(box.right) - 1, self._s(box.bottom) - 1)

    def rect(
        self,
        box: Box,
        *,
        fill: RGB | None = None,
        outline: RGB | None = None,
        width: float = 0,
        radius: float = 0,
    ) -> None:
        self._draw.rounded_rectangle(
            self._box(box),
            radius=self._s(radius),
            fill=fill,
            outline=outline if width else None,
            width=self._s(width),
        )

    def ellipse(self, box: Box, *, fill: RGB | None = None, outline: RGB | None = None, width: float = 0) -> None:
        self._draw.ellipse(self._box(box), fill=fill, outline=outline if width else None, width=self._s(width))

    def line(self, points: Sequence[tuple[float, float]], *, fill: RGB, width: float) -> None:
        self._draw.line([(self._s(x), self._s(y)) for x, y in points], fill=fill, width=self._s(width), joint="curve")

    def polygon(self, points: Sequence[tuple[float, float]], *, fill: RGB) -> None:
        self._draw.polygon([(self._s(x), self._s(y)) for x, y in points], fill=fill)

    def pieslice(self, box: Box, start: float, end: float, *, fill: RGB) -> None:
        self._draw.pieslice(self._box(box), start, end, fill=fill)

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        *,
        fill: RGB,
        bold: bool = False,
        anchor: str = "la",
        halo: RGB | None = None,
    ) -> None:
        """Draw `text` with its anchor (Pillow's two-letter anchors, e.g. `la` left-ascender, `mm` middle) at xy;
        a `halo` outlines the letters so they stay readable over a pattern."""
        self._draw.text(
            (self._s(xy[0]), self._s(xy[1])),
            text,
            font=font(size, bold=bold),
            fill=fill,
            anchor=anchor,
            stroke_width=self._s(2.5) if halo else 0,
            stroke_fill=halo,
        )

    def hatch(self, box: Box, *, colour: RGB, spacing: float, width: float, radius: float = 0) -> None:
        """Diagonal lines (like a slash) across `box`, clipped to its rounded outline."""
        left, top, right, bottom = self._box(box)
        size = (right - left + 1, bottom - top + 1)
        marks = Image.new("L", size, 0)
        pen = ImageDraw.Draw(marks)
        step = self._s(spacing)
        for x in range(-size[1], size[0] + step, step):
            pen.line([(x, size[1]), (x + size[1], 0)], fill=255, width=self._s(width))
        clip = Image.new("L", size, 0)
        ImageDraw.Draw(clip).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=self._s(radius), fill=255)
        mask = ImageChops.multiply(marks, clip)
        self._image.paste(colour, (left, top, right + 1, bottom + 1), mask=mask)

    def png(self) -> bytes:
        """The picture at its final size, PNG-encoded."""
        final = self._image.reduce(SUPERSAMPLE)
        buffer = io.BytesIO()
        final.save(buffer, format="PNG", optimize=False, compress_level=6)
        return buffer.getvalue()
