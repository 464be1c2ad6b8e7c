"""Reading the ID cards found on a page (the OCR stage's part of :mod:`ocr.idcard`).

Each card is cut out straight and turned the right way up on its own; when most cards had
to be turned, the page was upside down and the cards are put in the order they read on the
page turned right. Every card is read whole (one OCR call); a front's number is read once
more on its own line, digits only (:mod:`ocr.cardnumber`).
"""

from __future__ import annotations

import numpy as np

from ocr.cardfind import CardScan, cut_card, in_reading_order, ocr_card, turned_points, upright
from ocr.cardnumber import read_number
from ocr.cardtext import CardText, side_of


def read_cards(gray: np.ndarray, corners: list[np.ndarray], cards: list[CardScan], *,
               rotation: int, lang: str, timeout_s: float) -> tuple[CardScan, ...]:
    """``cards`` (found at ``corners`` on ``gray``, the page as scanned) with their words and
    number, in reading order; ``rotation`` is the preprocessing's turn to upright."""
    crops, flipped = zip(*(upright(cut_card(gray, c, rotation)) for c in corners))
    turn = (rotation + (180 if 2 * sum(flipped) > len(flipped) else 0)) % 360
    points = [turned_points(c, gray.shape[:2], turn) for c in corners]
    height = max(min(float(np.linalg.norm(p[1] - p[0])), float(np.linalg.norm(p[3] - p[0])))
                 for p in points)
    read = []
    for i in in_reading_order([tuple(p.mean(axis=0)) for p in points], height):
        words = ocr_card(crops[i], lang=lang, timeout_s=timeout_s)
        card = cards[i].model_copy(update={"words": words})
        text = CardText.of(card)
        if side_of(text) == "front":
            card = card.model_copy(update={"number": read_number(crops[i], text, lang=lang,
                                                                 timeout_s=timeout_s)})
        read.append(card)
    return tuple(read)
