"""Marks made by hand on a document: a round red seal (con dấu) and a pen signature.

The seal is inked onto the page by multiplication, as ink on paper: it darkens what lies
under it (text and signature stay visible through it), with an uneven ink density.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw

from kernel.vntext import nfc

from synth.fonts import FontSet

SEAL_RED = (205, 38, 45)
PEN_BLUE = (28, 40, 125)


def _ring_text(mask: Image.Image, text: str, center: tuple[float, float], radius: float,
               fonts: FontSet, size_px: int) -> None:
    """Letters around a circle, upright towards the centre, spread over the whole ring."""
    font = fonts.font("bold", size_px)
    text = nfc(text)
    widths = [font.getlength(ch) for ch in text]
    scale = 2 * math.pi * radius / sum(widths)
    angle = -math.pi / 2 - (widths[0] * scale / radius) / 2  # start at the top
    cell = int(size_px * 2)
    canvas = np.asarray(mask).copy()
    for ch, width in zip(text, widths):
        step = width * scale / radius
        mid = angle + step / 2
        glyph = Image.new("L", (cell, cell), 0)
        ImageDraw.Draw(glyph).text((cell / 2, cell / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid) - 90, resample=Image.Resampling.BICUBIC)
        gx = round(center[0] + radius * math.cos(mid) - cell / 2)
        gy = round(center[1] + radius * math.sin(mid) - cell / 2)
        region = canvas[gy:gy + cell, gx:gx + cell]
        np.maximum(region, np.asarray(glyph)[:region.shape[0], :region.shape[1]], out=region)
        angle += step
    mask.paste(Image.fromarray(canvas))


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.4
        a = -math.pi / 2 + i * math.pi / 5
        points.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return points


def seal_mask(diameter: int, ring_text: str, fonts: FontSet, seed: int) -> Image.Image:
    """An L image (ink density 0..255) of a round seal ``diameter`` pixels wide."""
    size = diameter + 4
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    c = size / 2
    r = diameter / 2
    line = max(2, diameter // 60)
    draw.ellipse([c - r, c - r, c + r, c + r], outline=255, width=line * 2)
    r_inner = r * 0.66
    draw.ellipse([c - r_inner, c - r_inner, c + r_inner, c + r_inner], outline=255, width=line)
    draw.polygon(_star(c, c, r * 0.33), fill=255)
    _ring_text(mask, ring_text, (c, c), r * 0.83, fonts, max(8, int(diameter * 0.085)))
    # uneven ink: a smooth random field, denser in places, almost dry in others
    rng = np.random.default_rng(seed)
    field = rng.uniform(0.55, 1.0, size=(6, 6)).astype(np.float32)
    field_img = Image.fromarray((field * 255).astype(np.uint8)).resize(
        (size, size), Image.Resampling.BICUBIC)
    density = np.asarray(mask, dtype=np.float32) * (np.asarray(field_img) / 255.0)
    return Image.fromarray(np.clip(density, 0, 255).astype(np.uint8))


def ink(page: Image.Image, mask: Image.Image, at: tuple[int, int],
        color: tuple[int, int, int] = SEAL_RED, opacity: float = 0.85,
        angle: float = 0.0) -> None:
    """Multiply ``color`` onto ``page`` (RGB, in place) where ``mask`` has ink; ``at`` is the
    mask's top-left corner on the page."""
    if angle:
        mask = mask.rotate(angle, resample=Image.Resampling.BICUBIC)
    x, y = at
    w, h = mask.size
    box = (max(0, x), max(0, y), min(page.width, x + w), min(page.height, y + h))
    if box[0] >= box[2] or box[1] >= box[3]:
        return
    region = np.asarray(page.crop(box), dtype=np.float32)
    m = np.asarray(mask, dtype=np.float32)[box[1] - y:box[3] - y, box[0] - x:box[2] - x]
    a = (m / 255.0 * opacity)[..., None]
    tint = np.asarray(color, dtype=np.float32) / 255.0
    out = region * (1.0 - a * (1.0 - tint))
    page.paste(Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "RGB"), box[:2])


def draw_signature(page: Image.Image, box: tuple[int, int, int, int], rng: random.Random,
                   color: tuple[int, int, int] = PEN_BLUE) -> None:
    """A pen scribble inside ``box``: a few loops along a slanting line, then a flourish."""
    bx0, by0, bx1, by1 = box
    w, h = bx1 - bx0, by1 - by0
    margin = h // 2
    x0, y0 = margin, margin  # drawn on a layer the size of the box plus a margin
    layer = Image.new("L", (w + 2 * margin, h + 2 * margin), 0)
    draw = ImageDraw.Draw(layer)
    pen = max(2, h // 30)
    loops = rng.randint(3, 6)
    amp = [rng.uniform(0.12, 0.28) * h for _ in range(2)]
    phase = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    slant = rng.uniform(-0.25, 0.05)
    points = []
    n = 240
    for i in range(n):
        t = i / (n - 1)
        x = x0 + t * w * 0.85 + 0.06 * w * math.sin(2 * math.pi * loops * t + phase[2])
        y = (y0 + h * 0.55 + slant * (x - x0)
             + amp[0] * math.sin(2 * math.pi * loops * t + phase[0])
             + amp[1] * math.sin(2 * math.pi * (loops + 1.5) * t + phase[1]))
        points.append((x, y))
    draw.line(points, fill=255, width=pen, joint="curve")
    fy = y0 + h * rng.uniform(0.7, 0.9)  # the underline flourish
    draw.line([(x0 + w * 0.1, fy + h * 0.05), (x0 + w * 0.95, fy - h * 0.1)], fill=255,
              width=pen)
    ink(page, layer, (bx0 - margin, by0 - margin), color=color, opacity=0.95)
