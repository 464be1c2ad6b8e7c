"""A blank page and the few typesetting operations documents need: text on a baseline, centred
text, label-value lines that must fit on one line, rules. Units: points and millimetres in,
pixels out. Every string is NFC-normalized before it is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from kernel.vntext import nfc

from synth.fonts import FontSet

A4_MM = (210.0, 297.0)
INK = (16, 16, 16)

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Fitted:
    """A value chosen to fit its line, the font it was set in, and where it was drawn."""

    text: str
    font: ImageFont.FreeTypeFont
    box: Box


class Page:
    """An A4 sheet (RGB, white) at ``dpi`` with a cursor ``y`` (the next baseline)."""

    def __init__(self, fonts: FontSet, dpi: int = 300, *, size_mm: tuple[float, float] = A4_MM,
                 margins_mm: tuple[float, float, float, float] = (25.0, 18.0, 20.0, 15.0)):
        self.fonts = fonts
        self.dpi = dpi
        self.width, self.height = self.mm(size_mm[0]), self.mm(size_mm[1])
        left, top, right, _bottom = margins_mm
        self.left, self.right = self.mm(left), self.width - self.mm(right)
        self.y = self.mm(top)
        self.image = Image.new("RGB", (self.width, self.height), "white")
        self.draw = ImageDraw.Draw(self.image)

    # units
    def mm(self, mm: float) -> int:
        return round(mm / 25.4 * self.dpi)

    def pt(self, points: float) -> int:
        return round(points / 72.0 * self.dpi)

    def font(self, style: str, points: float) -> ImageFont.FreeTypeFont:
        return self.fonts.font(style, self.pt(points))

    @staticmethod
    def length(text: str, font: ImageFont.FreeTypeFont) -> float:
        return font.getlength(nfc(text))

    # drawing
    def text(self, x: float, text: str, font: ImageFont.FreeTypeFont, *, y: int | None = None,
             fill: tuple[int, int, int] = INK) -> Box:
        """Draw ``text`` with its left end at ``x`` on baseline ``y`` (default: the cursor)."""
        y = self.y if y is None else y
        text = nfc(text)
        self.draw.text((x, y), text, font=font, fill=fill, anchor="ls")
        left, top, right, bottom = self.draw.textbbox((x, y), text, font=font, anchor="ls")
        return (int(left), int(top), int(right), int(bottom))

    def centered(self, cx: float, text: str, font: ImageFont.FreeTypeFont, *,
                 y: int | None = None, underline: float = 0.0) -> Box:
        """Centred on ``cx``; ``underline`` > 0 draws a rule of that fraction of the width."""
        x = cx - self.length(text, font) / 2
        box = self.text(x, text, font, y=y)
        if underline:
            half = self.length(text, font) * underline / 2
            rule_y = (self.y if y is None else y) + round(font.size * 0.35)
            self.rule(cx - half, cx + half, rule_y)
        return box

    def rule(self, x0: float, x1: float, y: int, width: int | None = None) -> None:
        self.draw.line([(x0, y), (x1, y)], fill=INK, width=width or max(1, self.dpi // 100))

    def newline(self, points: float, spacing: float = 1.75) -> None:
        self.y += round(self.pt(points) * spacing)

    def _fit(self, label: str, candidates: Sequence[str], style: str, points: float,
             x0: float, x1: float, min_points: float = 8.0,
             ) -> tuple[float, str, ImageFont.FreeTypeFont]:
        """Where the value starts, and the first candidate whose "label: value" fits between
        x0 and x1 at ``points``; if none fits, the last candidate in a smaller font."""
        value_x = x0 + self.length(f"{label}: ", self.font("regular", points))
        font = self.font(style, points)
        for value in candidates:
            if value_x + self.length(value, font) <= x1:
                return value_x, nfc(value), font
        size, value = points, candidates[-1]
        while size > min_points and value_x + self.length(value, font) > x1:
            size -= 0.25
            font = self.font(style, size)
        return value_x, nfc(value), font

    def labelled(self, label: str, candidates: Sequence[str] | str, *, points: float,
                 style: str = "regular", x0: float | None = None,
                 x1: float | None = None) -> Fitted:
        """Draw "label: value" on the cursor line; the value is the first candidate that fits."""
        if isinstance(candidates, str):
            candidates = [candidates]
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        value_x, text, font = self._fit(label, candidates, style, points, x0, x1)
        self.text(x0, f"{label}:", self.font("regular", points))
        if text:
            return Fitted(text, font, self.text(value_x, text, font))
        return Fitted(text, font, (int(value_x), self.y - font.size, int(value_x), self.y))
