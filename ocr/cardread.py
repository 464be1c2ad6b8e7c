"""Reading the ID cards found on a page (the OCR stage's part of :mod:`ocr.idcard`).

Each card is cut out straight and turned the right way up on its own; the turn most cards
needed is the page's, and the cards are put in the order they read on the page turned so
(the preprocessing's guess of the page's turn is not trusted: card copies fool it). Every card is read whole (one OCR call); a front's number is read once
more on its own line, digits only (:mod:`ocr.cardnumber`).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ocr.cardfind import CardScan, binarize_card, cut_card, in_reading_order, ocr_card, turned_points, upright
from ocr.cardnumber import read_number
from ocr.cardtext import CardText, side_of
from ocr.orient import apply_rotation


def read_cards(gray: np.ndarray, corners: list[np.ndarray], cards: list[CardScan], *,
               rotation: int, lang: str, timeout_s: float) -> tuple[CardScan, ...]:
    """``cards`` (found at ``corners`` on ``gray``, the page as scanned) with their words and
    number, in reading order; ``rotation`` is the preprocessing's turn to upright."""
    crops, greys, turns = [], [], []
    for c in corners:
        grey, turn = cut_card(gray, c, rotation, binary=False)  # one cut, two forms of it
        crop, flipped = upright(binarize_card(grey))
        crops.append(crop)
        greys.append(apply_rotation(grey, 180) if flipped else grey)
        turns.append((turn + 180 * flipped) % 360)
    # the turn most cards needed is the page's (the preprocessing's guess may be wrong)
    turn = Counter(turns).most_common(1)[0][0]
    points = [turned_points(c, gray.shape[:2], turn) for c in corners]
    height = max(min(float(np.linalg.norm(p[1] - p[0])), float(np.linalg.norm(p[3] - p[0])))
                 for p in points)
    read = []
    for i in in_reading_order([tuple(p.mean(axis=0)) for p in points], height):
        words = ocr_card(crops[i], lang=lang, timeout_s=timeout_s)
        card = cards[i].model_copy(update={"words": words})
        text = CardText.of(card)
        if side_of(text) == "front":
            card = card.model_copy(update={"numbers": read_number(
                crops[i], greys[i], text, lang=lang, timeout_s=timeout_s)})
        read.append(card)
    return tuple(read)
