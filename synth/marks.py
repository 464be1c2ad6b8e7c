"""Red ink added to a page after it was issued: a certified-copy stamp ("SAO Y BẢN CHÍNH")
and a round seal pressed over the text, and the half seal of a page stamp across the margin
(dấu giáp lai, pressed over two sheets at once). Inked like :mod:`synth.stamps`: the ink
darkens what lies under it, text stays visible through it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from synth.fonts import FontSet
from synth.stamps import ink, seal_mask


@dataclass(frozen=True)
class MarkPlan:
    copy_stamp: bool = False  # rectangular "SAO Y BẢN CHÍNH" over the upper part
    seal_over_text: bool = False  # a round seal somewhere over the body text
    margin_stamp: bool = False  # half a seal across the left or right edge

    @property
    def any(self) -> bool:
        return self.copy_stamp or self.seal_over_text or self.margin_stamp


def copy_stamp_mask(width: int, fonts: FontSet, text: str = "SAO Y BẢN CHÍNH") -> Image.Image:
    """An L mask of a double-ruled rectangular stamp with ``text`` in bold capitals."""
    size = max(8, width // 11)
    font = fonts.font("bold", size)
    height = round(size * 2.4)
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    line = max(2, width // 120)
    draw.rectangle([0, 0, width - 1, height - 1], outline=220, width=line * 2)
    draw.rectangle([line * 4, line * 4, width - 1 - line * 4, height - 1 - line * 4],
                   outline=220, width=line)
    draw.text((width / 2, height / 2), text, font=font, fill=235, anchor="mm")
    return mask


def apply_marks(page: Image.Image, dpi: int, plan: MarkPlan, ring: str, fonts: FontSet,
                seed: int) -> None:
    """Ink the marks of ``plan`` onto ``page`` (RGB, in place); ``ring`` is the seal text."""
    if not plan.any:
        return
    rng = random.Random(seed)
    w, h = page.size
    mm = dpi / 25.4
    if plan.copy_stamp:
        mask = copy_stamp_mask(round(rng.uniform(58, 70) * mm), fonts)
        at = (round(rng.uniform(0.08, 0.45) * w), round(rng.uniform(0.1, 0.3) * h))
        ink(page, mask, at, opacity=rng.uniform(0.75, 0.9), angle=rng.uniform(-6, 6))
    if plan.seal_over_text:
        diameter = round(rng.uniform(32, 38) * mm)
        mask = seal_mask(diameter, ring, fonts, rng.randrange(2**31))
        at = (round(rng.uniform(0.15, 0.7) * w), round(rng.uniform(0.2, 0.65) * h))
        ink(page, mask, at, opacity=rng.uniform(0.7, 0.9), angle=rng.uniform(-180, 180))
    if plan.margin_stamp:
        diameter = round(rng.uniform(30, 36) * mm)
        mask = seal_mask(diameter, ring, fonts, rng.randrange(2**31))
        left = rng.random() < 0.5
        x = -diameter // 2 + round(rng.uniform(-3, 3) * mm) if left else \
            w - diameter // 2 + round(rng.uniform(-3, 3) * mm)
        ink(page, mask, (x, round(rng.uniform(0.15, 0.75) * h)),
            opacity=rng.uniform(0.75, 0.9), angle=rng.uniform(-180, 180))
