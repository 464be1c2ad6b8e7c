"""ID cards on a photocopied page: where they are, and their text, one OCR call per card.

A copier prints a plastic card as a grey rectangle with rounded corners on white paper, so
cards are found on the page as it was scanned (before flattening, which would whiten them):
solid regions clearly darker than the paper, of a card's proportions (85.6 x 54 mm, ratio
1.59) and size (0.3-0.6 of the page's shorter side), each tilted its own way. Each card is
cut out straight (a perspective warp from its four corners), turned as the page was turned
upright, enlarged to :data:`CARD_WIDTH_PX`, flattened, binarized and read by Tesseract on its
own: a card's print is small (labels of 6 pt) and crooked relative to the page.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from kernel.records import OcrPage
from ocr.imaging import read_image
from ocr.orient import apply_rotation, is_upside_down
from ocr.tesseract import recognize

log = logging.getLogger(__name__)

CARD_RATIO = 85.6 / 53.98
CARD_WIDTH_PX = 1600
"""Cards are read at this width (about 475 dpi): their 6-pt labels then have Tesseract's
preferred glyph size."""
WORK_PX = 900
OUTLINE_PX = 1600
MIN_DARKER = 14  # grey levels below the paper that count as card
MIN_SOLIDITY = 0.8


class CardScan(BaseModel):
    """One card found on a page: its corners on the page image as scanned (top-left first,
    clockwise, as the card reads), its box on the preprocessed page (for review crops), and
    its words once read (None when not read), and for a front its number read once more."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    corners: tuple[tuple[float, float], ...]
    box: tuple[int, int, int, int] | None = None
    words: OcrPage | None = None
    numbers: tuple[str, ...] = ()  # a front's number read again on its own line, digits
    # only, several ways (ocr.cardnumber): each reading as read


def _order(points: np.ndarray) -> np.ndarray:
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()
    return np.float32([points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)],
                       points[np.argmax(d)]])


def _card_shaped(rect: tuple, short: int) -> bool:
    rw, rh = rect[1]
    long_side, short_side = max(rw, rh), min(rw, rh)
    return short_side > 0 and 0.3 <= long_side / short <= 0.62 \
        and abs(long_side / short_side - CARD_RATIO) < 0.2


def _filled(small: np.ndarray, paper: float) -> list[tuple]:
    """Cards as solid grey regions (a grey scan of a copy)."""
    mask = (small < paper - MIN_DARKER).astype(np.uint8)
    k = max(3, round(min(small.shape) * 0.03))  # thinner than this: text, a fold, not a card
    solid = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    solid = cv2.morphologyEx(solid, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    contours, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    rects = [cv2.minAreaRect(c) for c in contours]
    return [r for c, r in zip(contours, rects) if _card_shaped(r, min(small.shape))
            and cv2.contourArea(c) / (r[1][0] * r[1][1]) >= MIN_SOLIDITY
            and _inside(r, small.shape) and _printed(small, r, paper)]


def _inside(rect: tuple, shape: tuple[int, int]) -> bool:
    """Wholly on the page: a grey patch cut by the page's edge is shade, not a card."""
    h, w = shape
    pts = cv2.boxPoints(rect)
    margin = 0.005 * max(h, w)
    return bool((pts[:, 0] >= margin).all() and (pts[:, 0] <= w - margin).all()
                and (pts[:, 1] >= margin).all() and (pts[:, 1] <= h - margin).all())


def _printed(small: np.ndarray, rect: tuple, paper: float) -> bool:
    """Print inside (a card carries text), not an even grey patch of shade."""
    mask = np.zeros(small.shape, np.uint8)
    cv2.fillPoly(mask, [np.intp(cv2.boxPoints(rect))], 1)
    inside = small[mask > 0]
    return inside.size > 0 and float((inside < 0.6 * paper).mean()) >= 0.01


def _outlined(small: np.ndarray, paper: float) -> list[tuple]:
    """Cards as closed dark outlines (a bilevel scan, where the grey fill dropped out): the
    region's outer contour is smooth (about as long as its convex hull: a ring, not ragged
    text) and fills its rectangle."""
    ink = (small < 0.8 * paper).astype(np.uint8)
    grown = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(grown, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for c in contours:
        rect = cv2.minAreaRect(c)
        if not _card_shaped(rect, min(small.shape)):
            continue
        smooth = cv2.arcLength(c, True) / max(1.0, cv2.arcLength(cv2.convexHull(c), True))
        enclosed = cv2.contourArea(c) / max(1.0, rect[1][0] * rect[1][1])
        if smooth <= 1.12 and enclosed >= 0.9:
            found.append(rect)
    return found


def paper_map(small: np.ndarray, grid: int = 16, rounds: int = 3) -> np.ndarray:
    """The paper's brightness across the page (uneven light, a shaded corner): a quadratic
    surface fitted to the brightest grey of each cell of a grid, cells much darker than the
    fit (cards, a desk) left out and the fit repeated. Dividing by it evens the paper out
    without whitening the cards, which a local background estimate would."""
    h, w = small.shape
    ys, xs, levels = [], [], []
    for i in range(grid):
        for j in range(grid):
            cell = small[i * h // grid:(i + 1) * h // grid, j * w // grid:(j + 1) * w // grid]
            if cell.size:
                ys.append((i + 0.5) / grid)
                xs.append((j + 0.5) / grid)
                levels.append(float(np.percentile(cell, 95)))
    y, x, level = np.array(ys), np.array(xs), np.array(levels)
    design = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)
    keep = level >= np.percentile(level, 30)
    coef = np.zeros(6)
    for _ in range(rounds):
        coef, *_ = np.linalg.lstsq(design[keep], level[keep], rcond=None)
        keep = level >= design @ coef - 10.0
    gy, gx = np.mgrid[0:h, 0:w]
    gy, gx = (gy + 0.5) / h, (gx + 0.5) / w
    surface = coef[0] + coef[1] * gx + coef[2] * gy + coef[3] * gx * gx + coef[4] * gx * gy \
        + coef[5] * gy * gy
    return np.clip(surface, 40.0, 255.0).astype(np.float32)


def _evened(gray: np.ndarray, scale: float) -> np.ndarray:
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    level = paper_map(cv2.resize(small, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
    level = cv2.resize(level, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.clip(small.astype(np.float32) / level * 250.0, 0, 255).astype(np.uint8)


def find_cards(gray: np.ndarray) -> list[np.ndarray]:
    """Corners (4 x 2, page pixels, TL TR BR BL in image axes) of every card on the page,
    in reading order (rows top to bottom, then left to right)."""
    h, w = gray.shape[:2]
    scale = WORK_PX / max(h, w)
    small = _evened(gray, scale)
    rects = _filled(small, 250.0)
    fine_scale = OUTLINE_PX / max(h, w)  # thin outlines need more pixels than grey fills
    fine = _evened(gray, fine_scale)
    outlined = [((r[0][0] * scale / fine_scale, r[0][1] * scale / fine_scale),
                 (r[1][0] * scale / fine_scale, r[1][1] * scale / fine_scale), r[2])
                for r in _outlined(fine, 250.0)]
    for rect in outlined:  # the same card found both ways counts once
        if all(np.hypot(rect[0][0] - r[0][0], rect[0][1] - r[0][1]) > 0.3 * min(r[1])
               for r in rects):
            rects.append(rect)
    found = [_order(cv2.boxPoints(r) / scale) for r in rects]
    height = max((np.linalg.norm(c[3] - c[0]) for c in found), default=1.0)
    return sorted(found, key=lambda c: (round(c[:, 1].mean() / (0.6 * height)),
                                        c[:, 0].mean()))


def cut_card(gray: np.ndarray, corners: np.ndarray, rotation: int = 0, *,
             binary: bool = True) -> tuple[np.ndarray, int]:
    """The card straightened, turned by ``rotation`` (the page's turn to upright; a quarter
    turn more when it still stands on its side), enlarged to CARD_WIDTH_PX, flattened and
    (``binary``) binarized (ink 0, paper 255); and the turn it was given."""
    top = np.linalg.norm(corners[1] - corners[0])
    side = np.linalg.norm(corners[3] - corners[0])
    w, h = max(1, round(top)), max(1, round(side))
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32),
                                         np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
    card = cv2.warpPerspective(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
    turn = rotation % 360
    if (card.shape[0] > card.shape[1]) != (turn % 180 == 90):  # standing after the turn
        turn = (turn + 90) % 360  # the page's turn was wrong by a quarter
    card = apply_rotation(card, turn)
    factor = CARD_WIDTH_PX / card.shape[1]
    card = cv2.resize(card, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    inset = round(0.012 * card.shape[1])  # the card's edge is not text
    card = card[inset:-inset, inset:-inset]
    background = cv2.medianBlur(cv2.dilate(card, np.ones((7, 7), np.uint8)), 31)
    flat = cv2.divide(card, np.maximum(background, 1), scale=255)
    return (binarize_card(flat) if binary else flat), turn


def binarize_card(flat: np.ndarray) -> np.ndarray:
    """A flattened card cut (:func:`cut_card` with ``binary=False``) binarized as cut_card
    does it: ink 0, paper 255."""
    _, out = cv2.threshold(cv2.GaussianBlur(flat, (3, 3), 0), 0, 255,
                           cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return out


def page_box(corners: np.ndarray, transform: tuple[float, ...] | np.ndarray,
             out_size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """Where ``corners`` (on the page as scanned) lie on the preprocessed page of ``out_size``
    (width, height): mapped by the preprocessing's ``transform`` (3x3, row-major: the
    perspective correction of a photo, the turns, the deskew and the rescale). None when the
    result falls outside the page (the geometry is not the expected one)."""
    matrix = np.asarray(transform, dtype=np.float64).reshape(3, 3)
    pts = cv2.perspectiveTransform(np.asarray(corners, np.float64).reshape(1, -1, 2), matrix)[0]
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    if x0 < -0.05 * out_size[0] or y0 < -0.05 * out_size[1] or x1 > 1.05 * out_size[0] \
            or y1 > 1.05 * out_size[1]:
        return None
    return (max(0, int(x0)), max(0, int(y0)), min(out_size[0], int(x1)), min(out_size[1], int(y1)))


def in_reading_order(centres: list[tuple[float, float]], height: float) -> list[int]:
    """Indices of cards ordered as they read on the upright page (rows top to bottom, then
    left to right), from their centres on it."""
    return sorted(range(len(centres)), key=lambda i: (round(centres[i][1] / (0.6 * height)),
                                                      centres[i][0]))


def load_gray(image: Path) -> np.ndarray | None:
    return read_image(image, grey=True)  # as preprocessing reads it


def upright(card: np.ndarray) -> tuple[np.ndarray, bool]:
    """The card crop the right way up, and whether it had to be turned: each card is
    checked on its own (a card may lie upside down on the copier glass, and a page of cards
    is easily turned the wrong way by the page's orientation check)."""
    if is_upside_down(card):
        return apply_rotation(card, 180), True
    return card, False


def turned_points(corners: np.ndarray, source_shape: tuple[int, int], rotation: int) -> np.ndarray:
    """``corners`` on the page as scanned, turned by ``rotation`` (clockwise quarter turns)."""
    h, w = source_shape
    pts = corners.astype(np.float64)
    turn = rotation % 360
    if turn == 90:
        return np.stack([h - 1 - pts[:, 1], pts[:, 0]], axis=1)
    if turn == 180:
        return np.stack([w - 1 - pts[:, 0], h - 1 - pts[:, 1]], axis=1)
    if turn == 270:
        return np.stack([pts[:, 1], w - 1 - pts[:, 0]], axis=1)
    return pts


def ocr_card(card: np.ndarray, *, lang: str, timeout_s: float) -> OcrPage:
    """OCR of one card image from :func:`cut_card` (psm 4: columns of label-value lines)."""
    with tempfile.TemporaryDirectory(prefix="sohoa-card-") as tmp:
        path = Path(tmp) / "card.png"
        cv2.imwrite(str(path), card)
        dpi = round(CARD_WIDTH_PX / (85.6 / 25.4))
        return recognize(path, lang=lang, psm=4, dpi=dpi, timeout_s=timeout_s).page
