"""Vietnamese text: Unicode normalization, tone placement, diacritics.

Two tone placements are in use ("Hòa"/"Hoà", "Thủy"/"Thuỷ"). Both are the same name;
:func:`canonical_tones` rewrites a text to one placement (the "new" style, tone on the main
vowel: "Hoà", "Thuỷ", "Khoẻ") so that comparisons agree, while the printed text is kept.
"""

from __future__ import annotations

import re
import unicodedata

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def strip_diacritics(text: str) -> str:
    """'Nguyễn Thị Đào' -> 'Nguyen Thi Dao' (đ/Đ become d/D)."""
    decomposed = unicodedata.normalize("NFD", text)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", base.replace("đ", "d").replace("Đ", "D"))


def _split_tone(syllable: str) -> tuple[str, str | None]:
    """Return the syllable without its tone mark (NFC) and the tone's combining mark."""
    tone = None
    kept = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONES:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(bare: str) -> int | None:
    """Index of the letter that carries the tone in 'new style' placement, or None."""
    low = bare.lower()
    start = 0
    if low.startswith("qu") and len(low) > 2 and low[2] in _VOWELS:
        start = 2
    elif low.startswith("gi") and len(low) > 2 and low[2] in _VOWELS:
        start = 2
    # find the vowel cluster
    i = start
    while i < len(low) and low[i] not in _VOWELS:
        i += 1
    if i == len(low):
        return None
    j = i
    while j < len(low) and low[j] in _VOWELS:
        j += 1
    cluster = range(i, j)
    for k in cluster:  # a vowel with its own mark carries the tone; for ươ it is ơ
        if low[k] in _MARKED_VOWELS:
            marked = [m for m in cluster if low[m] in _MARKED_VOWELS]
            return marked[-1]
    n = j - i
    if n == 1:
        return i
    ends_with_consonant = j < len(low)
    if ends_with_consonant:
        return j - 1
    if n == 2:
        if low[i:j] in ("oa", "oe", "uy"):
            return i + 1  # new style: hoà, khoẻ, thuỷ
        return i  # mùa, tài, mía
    return i + 1  # three vowels: ngoài, khuỷu


def canonical_syllable(syllable: str) -> str:
    bare, tone = _split_tone(syllable)
    if tone is None:
        return bare
    pos = _tone_position(bare)
    if pos is None:
        return unicodedata.normalize("NFC", syllable)
    return unicodedata.normalize("NFC", bare[: pos + 1] + tone + bare[pos + 1 :])


def canonical_tones(text: str) -> str:
    """Rewrite every word of ``text`` to one tone placement. NFC in, NFC out."""
    return _WORD.sub(lambda m: canonical_syllable(m.group(0)), nfc(text))


def canonical_text(text: str) -> str:
    """The comparison form of a text: NFC, canonical tones, single spaces, upper case."""
    return collapse_spaces(canonical_tones(text)).upper()


def ascii_key(text: str) -> str:
    """The comparison form without any diacritics, upper case: 'NGUYEN THI HOA'."""
    return collapse_spaces(strip_diacritics(nfc(text))).upper()
