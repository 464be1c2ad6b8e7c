"""Photocopied pages of a dossier: ID cards copied onto an A4 sheet, and separator sheets.

A copier renders a plastic card grey (its printed background comes out as toner), its edge
as a dark outline with rounded corners, and sprinkles the sheet with specks; each card lies
a little crooked on the glass. Arrangements, as offices copy them: the front above the back
of one card (``front_back``), two people's fronts (``two_fronts``), or two people's fronts
and backs side by side (``two_pairs``). The cards' order in the truth is reading order
(rows top to bottom, then left to right), which is the order the reader reports them in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from synth.fonts import FontSet
from synth.idcard import CARD_MM, CardHolder, back_fields, draw_back, draw_front, front_fields
from synth.typeset import A4_MM

ARRANGEMENTS = ("front_back", "two_fronts", "two_pairs")
# where each card's top-left corner goes (mm) per arrangement, in reading order
_SLOTS = {
    "front_back": ((62.2, 32.0), (62.2, 102.0)),
    "two_fronts": ((62.2, 32.0), (62.2, 102.0)),
    "two_pairs": ((14.0, 32.0), (110.0, 32.0), (14.0, 104.0), (110.0, 104.0)),
}


@dataclass(frozen=True)
class CopiedCard:
    holder: CardHolder
    side: str  # "front" or "back"


def cards_for(arrangement: str, holders: list[CardHolder]) -> list[CopiedCard]:
    """The cards of an arrangement, in reading order."""
    if arrangement == "front_back":
        return [CopiedCard(holders[0], "front"), CopiedCard(holders[0], "back")]
    if arrangement == "two_fronts":
        return [CopiedCard(h, "front") for h in holders[:2]]
    if arrangement == "two_pairs":
        return [CopiedCard(h, side) for h in holders[:2] for side in ("front", "back")]
    raise ValueError(f"unknown arrangement {arrangement!r}")


def _mm(v: float, dpi: int) -> int:
    return round(v / 25.4 * dpi)


def _toner(card: Image.Image, rng: random.Random, nrng: np.random.Generator) -> Image.Image:
    """The card as a copier prints it: grey background with a faint pattern, dark edge."""
    arr = np.asarray(card, dtype=np.float32) / 255.0
    h, w = arr.shape
    level = rng.uniform(188, 222)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(0.03, 0.06) * w
    pattern = 6.0 * np.sin((xs + 0.5 * ys) / period * 2 * np.pi) * np.sin(ys / period * np.pi)
    background = level + pattern + nrng.normal(0.0, 5.0, size=(h, w)).astype(np.float32)
    out = Image.fromarray(np.clip(background * arr, 0, 255).astype(np.uint8), "L")
    draw = ImageDraw.Draw(out)
    radius = round(0.04 * w)
    draw.rounded_rectangle([1, 1, w - 2, h - 2], radius=radius, outline=rng.randint(45, 95),
                           width=max(2, round(w / 330)))
    return out


def _mask(size: tuple[int, int]) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, size[0] - 1, size[1] - 1],
                                           radius=round(0.04 * size[0]), fill=255)
    return mask


def specks(page: Image.Image, rng: random.Random, count: int, dark: tuple[int, int] = (0, 90)) -> None:
    """Toner dust: small dark dots anywhere on the sheet."""
    draw = ImageDraw.Draw(page)
    w, h = page.size
    scale = w / 2480
    for _ in range(count):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.6, 2.6) * scale + 0.5
        draw.ellipse([x - r, y - r, x + r, y + r], fill=rng.randint(*dark))


def id_copy_page(holders: list[CardHolder], arrangement: str, fonts: FontSet, mono: FontSet,
                 *, dpi: int, seed: int, tilt: float = 2.5,
                 ) -> tuple[Image.Image, list[dict[str, str | None]]]:
    """The photocopied sheet (RGB) and one truth field dict per card holder (front and back
    merged), in reading order of the fronts."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    width, height = _mm(A4_MM[0], dpi), _mm(A4_MM[1], dpi)
    page = Image.new("L", (width, height), 255 - rng.randint(3, 14))
    cards = cards_for(arrangement, holders)
    fields: dict[str, dict[str, str | None]] = {}
    order: list[str] = []
    ink = rng.randint(25, 60)
    for card, (x, y) in zip(cards, _SLOTS[arrangement]):
        if card.side == "front":
            image, printed = draw_front(card.holder, dpi, fonts, mono, rng, ink)
            fields[card.holder.id_number] = front_fields(card.holder, printed)
            order.append(card.holder.id_number)
        else:
            image, printed = draw_back(card.holder, dpi, fonts, mono, rng, ink)
            fields.setdefault(card.holder.id_number, {}).update(back_fields(card.holder, printed))
        copied = _toner(image, rng, nrng)
        mask = _mask(copied.size)
        angle = rng.uniform(-tilt, tilt)
        copied = copied.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
        mask = mask.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=0)
        at = (_mm(x + rng.uniform(-4, 4), dpi) - (copied.width - _mm(CARD_MM[0], dpi)) // 2,
              _mm(y + rng.uniform(-3, 3), dpi) - (copied.height - _mm(CARD_MM[1], dpi)) // 2)
        page.paste(copied, at, mask)
    specks(page, rng, rng.randint(150, 600))
    return page.convert("RGB"), [fields[i] for i in order]


def separator_page(*, dpi: int, seed: int) -> Image.Image:
    """A blank separator sheet: slightly grey (coloured paper copies grey), a few specks."""
    rng = random.Random(seed)
    width, height = _mm(A4_MM[0], dpi), _mm(A4_MM[1], dpi)
    page = Image.new("L", (width, height), rng.randint(226, 252))
    specks(page, rng, rng.randint(3, 40), dark=(40, 150))
    return page.convert("RGB")
