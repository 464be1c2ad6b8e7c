"""Vietnamese personal names: splitting and comparison keys.

A full name is written family name first, given name last, middle name(s) between:
"Nguyễn Thị Minh Khai" -> family "NGUYỄN", middle "THỊ MINH", given "KHAI".

Two comparison keys are derived from a name, both upper case with single spaces:

- the *canonical* key keeps the diacritics but puts every tone mark in one placement
  ("Hòa" and "Hoà" give "HOÀ"), unifies i/y spellings ("Quí" and "Quý" give "QUÝ") and maps
  regional spellings of one family name to one form (Huỳnh -> Hoàng, Võ -> Vũ);
- the *ascii* key drops every diacritic ("NGUYEN THI MINH KHAI"), because OCR often loses
  them; the same spelling and family maps apply.

The printed name is never changed: keys are for comparison and blocking only. Changing the
tables below changes the keys stored in the registry: bump :data:`KEYS_VERSION` and
re-import.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from kernel.vntext import canonical_syllable, nfc, strip_diacritics

KEYS_VERSION = "1"
"""Version of the key derivation (tables and rules of this module)."""

FAMILY_EQUIVALENTS: Mapping[str, str] = MappingProxyType({
    # regional spellings of one family name (canonical upper form -> the form compared)
    "HUỲNH": "HOÀNG",
    "VÕ": "VŨ",
})
FAMILY_EQUIVALENTS_ASCII: Mapping[str, str] = MappingProxyType({
    strip_diacritics(k): strip_diacritics(v) for k, v in FAMILY_EQUIVALENTS.items()
})

SPELLING_EQUIVALENTS: Mapping[str, str] = MappingProxyType({
    # i/y written either way in open syllables (toneless upper form -> the form compared):
    # Quí/Quý, Kì/Kỳ, Lí/Lý, Mĩ/Mỹ, Sĩ/Sỹ. The tone mark is kept.
    "QUI": "QUY",
    "KI": "KY",
    "LI": "LY",
    "MI": "MY",
    "SI": "SY",
})

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_NOT_NAME = re.compile(r"[\W\d_]+", re.UNICODE)


@lru_cache(maxsize=65536)
def canonical_word(word: str) -> str:
    """One syllable of a name in its comparison form (upper, one tone placement, i/y unified)."""
    decomposed = unicodedata.normalize("NFD", word.upper())
    tone = next((ch for ch in decomposed if ch in _TONES), "")
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    bare = SPELLING_EQUIVALENTS.get(bare, bare)
    # the tone goes anywhere; canonical_syllable moves it to its canonical place
    return canonical_syllable(unicodedata.normalize("NFC", bare + tone)).upper()


@lru_cache(maxsize=65536)
def ascii_word(word: str) -> str:
    """One syllable without diacritics, upper case, i/y unified."""
    bare = strip_diacritics(word).upper()
    return SPELLING_EQUIVALENTS.get(bare, bare)


def name_words(text: str | None) -> list[str]:
    """The words of a name: NFC, punctuation and digits (OCR noise) dropped."""
    if not text:
        return []
    return _NOT_NAME.sub(" ", nfc(text)).split()


def has_diacritics(text: str | None) -> bool:
    """True when ``text`` carries at least one Vietnamese mark (tone, breve, hook, đ ...)."""
    if not text or text.isascii():
        return False
    return any(ch.isalpha() and not ch.isascii() for ch in nfc(text))


@dataclass(frozen=True, slots=True)
class NameParts:
    """A name split into family / middle / given, each as canonical and ascii key."""

    family: str
    middle: str
    given: str
    family_ascii: str
    middle_ascii: str
    given_ascii: str
    marked: bool  # the written name carried diacritics (False: all lost, or none written)

    @property
    def canonical(self) -> str:
        return " ".join(p for p in (self.family, self.middle, self.given) if p)

    @property
    def ascii(self) -> str:
        return " ".join(p for p in (self.family_ascii, self.middle_ascii, self.given_ascii) if p)

    @property
    def empty(self) -> bool:
        return not self.given


def split_name(full_name: str | None) -> NameParts:
    """Split a full name into family (first word), given (last word) and middle (between).

    A one-word name is taken as a given name. Keys are canonical and ascii forms; the family
    name is mapped through :data:`FAMILY_EQUIVALENTS`.
    """
    words = name_words(full_name)
    canon = [canonical_word(w) for w in words]
    asc = [ascii_word(w) for w in words]
    if not words:
        return NameParts("", "", "", "", "", "", False)
    if len(words) == 1:
        family, family_a = "", ""
    else:
        family = FAMILY_EQUIVALENTS.get(canon[0], canon[0])
        family_a = FAMILY_EQUIVALENTS_ASCII.get(asc[0], asc[0])
    return NameParts(
        family=family,
        middle=" ".join(canon[1:-1]),
        given=canon[-1],
        family_ascii=family_a,
        middle_ascii=" ".join(asc[1:-1]),
        given_ascii=asc[-1],
        marked=has_diacritics(full_name),
    )


def canonical_name(full_name: str | None) -> str:
    """'Huỳnh Thị Hòa' -> 'HOÀNG THỊ HOÀ' (canonical key; '' for no name)."""
    return split_name(full_name).canonical


def ascii_name(full_name: str | None) -> str:
    """'Huỳnh Thị Hòa' -> 'HOANG THI HOA' (ascii key; '' for no name)."""
    words = [ascii_word(w) for w in name_words(full_name)]
    if len(words) > 1:
        words[0] = FAMILY_EQUIVALENTS_ASCII.get(words[0], words[0])
    return " ".join(words)


# -- OCR-aware distance ------------------------------------------------------------------------
# A letter is (base, mark, tone): "Ữ" is ("U", horn, ngã). OCR loses or swaps marks far more
# often than it reads another letter, and among letters it confuses shapes (n/u, c/e, rn/m).

_MARK_COST = 0.3  # same base letter, another vowel mark (ư/u, ơ/o/ô, ă/â/a, ê/e, đ/d)
_TONE_COST = 0.25  # same letter, another tone mark (sắc/hỏi on a circumflex ...)
_SHAPE_COST = 0.6  # letters OCR takes for one another
_THIN_COST = 0.6  # a thin letter (I, L, J) lost or added
_CONFUSABLE_LETTERS = frozenset(frozenset(p) for p in (
    "CE", "CO", "EO", "AO", "NU", "NH", "HB", "HK", "IL", "IJ", "LT", "IT", "FT", "GQ", "GY",
    "YV", "UV", "DO", "OQ", "CG", "GO", "EF", "PR", "BR", "BE", "DB", "SB"))
_THIN_LETTERS = frozenset("ILJ")
_TWO_AS_ONE = {("R", "N"): "M", ("C", "L"): "D", ("I", "I"): "U", ("L", "I"): "H"}


@lru_cache(maxsize=4096)
def _letter(ch: str) -> tuple[str, str, str]:
    decomposed = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in decomposed if c in _TONES)
    rest = "".join(c for c in decomposed if c not in _TONES)
    base = strip_diacritics(rest) or ch
    return base, rest, tone


def _sub_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    ba, ra, ta = _letter(a)
    bb, rb, tb = _letter(b)
    if ba == bb:
        return _TONE_COST if ra == rb else _MARK_COST
    if frozenset((ba, bb)) in _CONFUSABLE_LETTERS:
        return _SHAPE_COST
    return 1.0


def _indel_cost(ch: str) -> float:
    return _THIN_COST if _letter(ch)[0] in _THIN_LETTERS else 1.0


@lru_cache(maxsize=131072)
def ocr_distance(a: str, b: str) -> float:
    """Edit distance of two upper-case names (with their marks) where the edits OCR makes
    cost less: a mark 0.3, a tone 0.25, a confused shape 0.6, a thin letter 0.6, "RN" read
    as "M" 0.6; any other edit 1. "HƯNG"/"HUNG" 0.3, "NGUYỄN"/"NGUYÊN" 0.25,
    "TÂM"/"TÂN" 1 (another name: a different letter is not an OCR slip)."""
    if a == b:
        return 0.0
    n, m = len(a), len(b)
    prev = [0.0] * (m + 1)
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + _indel_cost(b[j - 1])
    prev2: list[float] | None = None
    for i in range(1, n + 1):
        cur = [prev[0] + _indel_cost(a[i - 1])] + [0.0] * m
        for j in range(1, m + 1):
            best = min(prev[j] + _indel_cost(a[i - 1]), cur[j - 1] + _indel_cost(b[j - 1]),
                       prev[j - 1] + _sub_cost(a[i - 1], b[j - 1]))
            if i > 1 and prev2 is not None:
                pair = (_letter(a[i - 2])[0], _letter(a[i - 1])[0])
                if _TWO_AS_ONE.get(pair) == _letter(b[j - 1])[0]:
                    best = min(best, prev2[j - 1] + _SHAPE_COST)
            if j > 1:
                pair = (_letter(b[j - 2])[0], _letter(b[j - 1])[0])
                if _TWO_AS_ONE.get(pair) == _letter(a[i - 1])[0]:
                    best = min(best, prev[j - 2] + _SHAPE_COST)
            cur[j] = best
        prev2, prev = prev, cur
    return prev[m]
