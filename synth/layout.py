"""Typesetting helpers shared by the corpus layouts (boxed form, two columns, register
page, marriage and death records), on top of :class:`synth.typeset.Page`.

Every string goes through :func:`put`, which refuses a font that would draw a .notdef box
for one of its characters, so a page never shows a glyph the font lacks.
"""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from kernel.vntext import nfc

from synth.fonts import missing_glyphs
from synth.names import NameBook
from synth.places import Commune
from synth.stamps import draw_signature, ink, seal_mask
from synth.typeset import INK, Box, Page

Font = ImageFont.FreeTypeFont


@lru_cache(maxsize=4096)
def _missing(path: str, text: str) -> str:
    return missing_glyphs(Path(path), text)


def check_glyphs(font: Font, text: str) -> None:
    missing = _missing(str(font.path), text)
    if missing:
        raise ValueError(f"font {Path(str(font.path)).name} has no glyph for {missing!r}")


def put(page: Page, x: float, text: str, font: Font, *, y: int | None = None,
        fill: tuple[int, int, int] = INK) -> Box:
    """Draw ``text`` (NFC) with its left end at ``x`` on baseline ``y`` (default: cursor)."""
    text = nfc(text)
    check_glyphs(font, text)
    return page.text(x, text, font, y=y, fill=fill)


def put_centered(page: Page, cx: float, text: str, font: Font, *, y: int | None = None) -> Box:
    return put(page, cx - font.getlength(nfc(text)) / 2, text, font, y=y)


def put_right(page: Page, x1: float, text: str, font: Font, *, y: int | None = None) -> Box:
    return put(page, x1 - font.getlength(nfc(text)), text, font, y=y)


def wrap(text: str, font: Font, width: float) -> list[str]:
    """Greedy word wrap; a word longer than ``width`` stays whole on its own line."""
    lines: list[str] = []
    current = ""
    for word in nfc(text).split():
        trial = f"{current} {word}" if current else word
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def fitting_font(page: Page, text: str, style: str, points: float, width: float,
                 min_points: float = 6.0) -> Font:
    """The largest size from ``points`` down that sets ``text`` on one line of ``width``."""
    size = points
    font = page.font(style, size)
    while size > min_points and font.getlength(nfc(text)) > width:
        size -= 0.25
        font = page.font(style, size)
    return font


def rect(page: Page, box: tuple[float, float, float, float], width: int | None = None) -> None:
    page.draw.rectangle([round(v) for v in box], outline=INK,
                        width=width or max(1, page.dpi // 120))


def hline(page: Page, x0: float, x1: float, y: float, width: int | None = None) -> None:
    page.rule(x0, x1, round(y), width or max(1, page.dpi // 120))


def vline(page: Page, x: float, y0: float, y1: float, width: int | None = None) -> None:
    page.draw.line([(round(x), round(y0)), (round(x), round(y1))], fill=INK,
                   width=width or max(1, page.dpi // 120))


def national_header(page: Page, left: tuple[str, str], title: str, points: float, *,
                    subtitle: str | None = None, title_points: float | None = None) -> None:
    """Issuing body (left) and the national motto (right) on two lines, then the title."""
    right = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    span = page.right - page.left + page.mm(10)
    size = points
    while size > 7:
        regular, bold = page.font("regular", size), page.font("bold", size)
        left_w = max(regular.getlength(left[0]), bold.getlength(left[1]))
        right_w = max(bold.getlength(t) for t in right)
        if left_w + right_w + page.mm(8) <= span:
            break
        size -= 0.25
    left_cx = page.left - page.mm(5) + left_w / 2
    right_cx = page.right + page.mm(5) - right_w / 2
    put_centered(page, left_cx, left[0], regular)
    put_centered(page, right_cx, right[0], bold)
    page.newline(size, 1.3)
    put_centered(page, left_cx, left[1], bold)
    put_centered(page, right_cx, right[1], page.font("bold", size + 0.5))
    rule_y = page.y + round(page.pt(size) * 0.4)
    half_l, half_r = bold.getlength(left[1]) * 0.22, right_w * 0.36
    hline(page, left_cx - half_l, left_cx + half_l, rule_y)
    hline(page, right_cx - half_r, right_cx + half_r, rule_y)
    page.newline(size, 3.2)
    put_centered(page, page.width / 2, title, page.font("bold", title_points or points + 5))
    if subtitle:
        page.newline(points, 1.5)
        put_centered(page, page.width / 2, subtitle, page.font("italic", points))
    page.newline(points, 2.4)


def seal_ring(commune: Commune) -> str:
    return (f"ỦY BAN NHÂN DÂN {commune.kind.upper()} {commune.name.upper()} * "
            f"{commune.district_kind.upper()} {commune.district.upper()} - "
            f"{commune.province.name.upper()} * ")


def sign(page: Page, cx: float, titles: tuple[str, ...], commune: Commune, points: float,
         rng: random.Random, *, seal: bool = True) -> Box:
    """Signer's title(s), a pen signature, the signer's name and (``seal``) the round red
    seal of ``commune`` over the left part of the signature. Returns the signature box."""
    signer = NameBook.builtin().name(rng, rng.choice("MF"), rng.randint(1960, 1992))
    for i, title in enumerate(titles):
        style = "italic" if title.startswith("(") else "bold"
        put_centered(page, cx, title, page.font(style, points - (1.5 if style == "italic" else 0)))
        if i < len(titles) - 1:
            page.newline(points, 1.3)
    top = page.y + page.pt(points) // 2
    height, width = page.mm(16), page.mm(44)
    box = (round(cx - width / 2), top, round(cx + width / 2), top + height)
    draw_signature(page.image, box, rng)
    page.y = top + height + page.pt(points) * 2
    put_centered(page, cx, signer.full, page.font("bold", points))
    if seal:
        diameter = page.mm(rng.uniform(32, 36))
        mask = seal_mask(diameter, seal_ring(commune), page.fonts, rng.randrange(2**31))
        left = box[0] - diameter * rng.uniform(0.35, 0.5)
        middle = (box[1] + box[3]) / 2 + rng.uniform(-0.1, 0.1) * diameter
        ink(page.image, mask, (round(left), round(middle - diameter / 2)),
            angle=rng.uniform(-20, 20))
    return box
