"""The OCR's own words around a field, with their confidences, from the archived hOCR; and the
field's value with its uncertain characters marked.

Tesseract gives a confidence per word. In a word below the threshold the characters most
often misread are marked: letters with diacritics (NGUYỄN read as NGUYÊN), or in a word mixing
letters and digits the look-alikes (O/0, l/1, S/5, B/8); any other low word is marked whole.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"<span class=['\"]ocrx_word['\"][^>]*title=['\"]bbox (\d+) (\d+) (\d+) (\d+);"
                   r"[^'\"]*x_wconf (\d+)['\"][^>]*>(.*?)</span>", re.S)
_TAG = re.compile(r"<[^>]+>")
LOOKALIKES = set("0Oo1lIi|5Ss8B6G2Z")


@dataclass(frozen=True)
class Word:
    text: str
    bbox: tuple[int, int, int, int]
    confidence: float


def parse_hocr(data: bytes) -> list[Word]:
    text = data.decode("utf-8", errors="replace")
    return [Word(unicodedata.normalize("NFC", html.unescape(_TAG.sub("", m.group(6)))).strip(),
                 (int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4))),
                 int(m.group(5)) / 100) for m in _WORD.finditer(text)]


def words_in(words: list[Word], bbox: tuple[int, int, int, int]) -> list[Word]:
    """Words whose centre lies in the box (a little enlarged), in reading order."""
    l, t, r, b = bbox
    pad = max(4, (b - t) // 4)
    inside = [w for w in words if w.text
              and l - pad <= (w.bbox[0] + w.bbox[2]) / 2 <= r + pad
              and t - pad <= (w.bbox[1] + w.bbox[3]) / 2 <= b + pad]
    return sorted(inside, key=lambda w: (w.bbox[1] // max(1, b - t), w.bbox[0]))


def _diacritic(ch: str) -> bool:
    return ch in "đĐ" or any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", ch))


def _unsure(token: str) -> list[bool]:
    """Which characters of a low-confidence word to mark: the letters with diacritics in a
    word of letters, the letter/digit look-alikes in a mixed one, else the whole word."""
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    if has_digit and has_alpha:
        flags = [c in LOOKALIKES for c in token]
    elif has_alpha:
        flags = [_diacritic(c) for c in token]
    else:
        flags = []
    return flags if any(flags) else [True] * len(token)


def marked(value: str | None, words: list[Word], threshold: float) -> list[tuple[str, bool]]:
    """The value as (text, uncertain) segments."""
    if not value:
        return []
    low = {w.text.casefold().strip(".,:;") for w in words if w.confidence < threshold}
    segments: list[tuple[str, bool]] = []
    for token in re.split(r"(\s+)", value):
        if token.casefold() not in low:
            segments.append((token, False))
            continue
        segments.extend(zip(token, _unsure(token)))
    merged: list[tuple[str, bool]] = []
    for text, flag in segments:
        if merged and merged[-1][1] == flag:
            merged[-1] = (merged[-1][0] + text, flag)
        else:
            merged.append((text, flag))
    return merged
