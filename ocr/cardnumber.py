"""A second, targeted reading of an ID card's number: its line alone, digits only.

Read with the rest of the card (psm 4), the 12 digits share Tesseract's attention with
labels in two languages, and one digit in a hundred comes out wrong (a zero as an eight, a
five as a six). Read again as a single line (psm 7) restricted to digits, from the number's
own box on the card (where the card's OCR found it, else where the edition prints it), the
same print gives other readings: three of them (the binarized card, the grey card enlarged,
read with the page's model and with English), which :mod:`ocr.idnumber` weighs with the
card's own reading, the MRZ's and the page's.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

from kernel.errors import EngineError, MissingDependencyError
from ocr.cardtext import CardText, id_candidates, label_hits
from ocr.tesseract import probe

# where each edition prints the number, as shares of the card as cut (x0, y0, x1, y1)
BANDS = {"cccd2021": (0.42, 0.34, 0.99, 0.47), "cc2024": (0.33, 0.44, 0.99, 0.57)}
PAD = 12


def edition(text: CardText) -> str | None:
    plain = " ".join(text.texts)
    if "cong dan" in plain or "citizen" in plain or "que quan" in plain:
        return "cccd2021"
    if "identity card" in plain or "dinh danh" in plain or "khai sinh" in plain:
        return "cc2024"
    return None


def number_boxes(text: CardText, shape: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """Where to read the number on a front: around the digits the card's OCR took for it
    (not the label before them), else the band of the card's edition (both bands when the
    edition is unknown)."""
    h, w = shape
    found = id_candidates(text, label_hits(text))
    tokens = [t for t in found[0][1] if sum(c.isdigit() for c in t.text) >= 3] if found else []
    if tokens:
        return [(min(t.bbox[0] for t in tokens), min(t.bbox[1] for t in tokens),
                 max(t.bbox[2] for t in tokens), max(t.bbox[3] for t in tokens))]
    kinds = [edition(text)] if edition(text) else list(BANDS)
    return [(round(BANDS[k][0] * w), round(BANDS[k][1] * h), round(BANDS[k][2] * w),
             round(BANDS[k][3] * h)) for k in kinds if k]


def read_digits(image: np.ndarray, *, lang: str, timeout_s: float,
                cmd: str = "tesseract") -> str:
    """The digits on a one-line image (psm 7, digits only, one thread)."""
    probe(lang, cmd)
    with tempfile.TemporaryDirectory(prefix="sohoa-number-") as tmp:
        path = Path(tmp) / "line.png"
        cv2.imwrite(str(path), cv2.copyMakeBorder(image, 20, 20, 20, 20, cv2.BORDER_CONSTANT,
                                                  value=255))
        try:
            proc = subprocess.run([cmd, str(path), "stdout", "-l", lang, "--psm", "7", "-c",
                                   "tessedit_char_whitelist=0123456789"], capture_output=True,
                                  env=dict(os.environ, OMP_THREAD_LIMIT="1"), timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise EngineError(f"tesseract timed out after {timeout_s:.0f} s on an ID number",
                              hint="raise SOHOA_OCR_TIMEOUT_S or check the page image") from exc
    return re.sub(r"\D", "", proc.stdout.decode("utf-8", "replace"))


def _langs(lang: str) -> list[str]:
    """The page's model, and English when installed (its digits err differently)."""
    out = [lang]
    try:
        probe("eng")
        out.append("eng")
    except MissingDependencyError:
        pass
    return out


def read_number(card: np.ndarray, grey: np.ndarray, text: CardText, *, lang: str,
                timeout_s: float) -> tuple[str, ...]:
    """The number read on its own line three ways (the binarized card; the grey card
    enlarged, with the page's model and with English): the readings of the first box that
    gives any of 11 to 13 digits (empty when none does)."""
    h, w = card.shape[:2]
    for x0, y0, x1, y1 in number_boxes(text, (h, w)):
        box = (slice(max(0, y0 - PAD), min(h, y1 + PAD)), slice(max(0, x0 - PAD), min(w, x1 + PAD)))
        if card[box].size == 0:
            continue
        big = cv2.resize(grey[box], None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
        reads = [read_digits(card[box], lang=lang, timeout_s=timeout_s)]
        reads += [read_digits(big, lang=code, timeout_s=timeout_s) for code in _langs(lang)]
        if any(11 <= len(r) <= 13 for r in reads):
            return tuple(reads)
    return ()
