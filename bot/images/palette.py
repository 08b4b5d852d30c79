"""Colours shared by every picture: the Okabe–Ito palette, which stays distinct for colour-blind readers.

Colour is never the only signal: each style also has a mark (a tick, a hatch, an outline), so a picture still
reads in greyscale.
"""

from __future__ import annotations

RGB = tuple[int, int, int]

# Okabe & Ito (2008), "Color Universal Design".
ORANGE: RGB = (230, 159, 0)
SKY_BLUE: RGB = (86, 180, 233)
BLUISH_GREEN: RGB = (0, 158, 115)
YELLOW: RGB = (240, 228, 66)
BLUE: RGB = (0, 114, 178)
VERMILLION: RGB = (213, 94, 0)
REDDISH_PURPLE: RGB = (204, 121, 167)

# Neutrals for paper, ink and rules.
PAPER: RGB = (255, 255, 255)
CANVAS: RGB = (246, 247, 249)
INK: RGB = (33, 37, 41)
MUTED_INK: RGB = (92, 99, 107)
RULE: RGB = (206, 211, 217)
EMPTY: RGB = (232, 235, 239)

# A darker shade of bluish green: white text on it stays readable (contrast above 4.5:1).
DONE_FILL: RGB = (0, 122, 90)
SKIPPED_FILL: RGB = (228, 230, 233)
SKIPPED_HATCH: RGB = (160, 166, 173)
LEARNING_FILL: RGB = (253, 236, 200)
NEXT_OUTLINE: RGB = BLUE

# Light to dark, one hue (blue), so intensity reads by lightness alone.
HEAT_SCALE: tuple[RGB, ...] = (EMPTY, (189, 222, 243), (107, 174, 214), (33, 113, 181), (8, 48, 107))


def mix(colour: RGB, other: RGB, amount: float) -> RGB:
    """`colour` moved `amount` (0–1) of the way towards `other`."""
    r, g, b = (round(c + (o - c) * amount) for c, o in zip(colour, other, strict=True))
    return (r, g, b)
