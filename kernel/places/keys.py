"""Comparison keys of place names, and the letter shapes that OCR confuses.

Names are compared by key, never as printed: :func:`letters_key` keeps the diacritics,
:func:`place_key` drops them, :func:`_shape_key` also folds the two-letter shapes OCR reads as
one letter, and :func:`_ocr_plausible` says whether one key can be a misreading of another.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from kernel.vntext import canonical_syllable, collapse_spaces, nfc, strip_diacritics

# type words in front of official names, longest first ("Thị Trấn" occurs too: compare lower)
_TYPE_PREFIXES = ("thành phố", "thị trấn", "thị xã", "tỉnh", "huyện", "quận", "phường", "xã")


_NUMBER = re.compile(r"\d+")
_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def _numbers(text: str) -> str:
    return _NUMBER.sub(lambda m: str(int(m.group(0))), text)


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=32768)
def _canonical_word(word: str) -> str:
    return canonical_syllable(word)


@lru_cache(maxsize=65536)
def letters_key(text: str) -> str:
    """Comparison form keeping the diacritics: canonical tones, upper case, letters and digits
    only ('Bà Rịa - Vũng Tàu' and 'Bà Rịa Vũng Tàu' compare equal; 'Phường 05' is 'PHƯỜNG5').
    The same as ``canonical_text`` (kernel.vntext) without spaces and punctuation."""
    canon = _WORD.sub(lambda m: _canonical_word(m.group(0)), nfc(text))
    return _NOT_ALNUM.sub("", _numbers(canon.upper()))


def place_key(text: str) -> str:
    """Comparison form without diacritics (đ is d): 'Phú Hòa Đông' -> 'PHUHOADONG'."""
    return strip_diacritics(letters_key(text))


def _split_type(full_name: str) -> tuple[str | None, str]:
    """'Tỉnh Hà Giang' -> ('tỉnh', 'Hà Giang'); 'Thị Trấn Ái Tử' -> ('thị trấn', 'Ái Tử')."""
    name = collapse_spaces(nfc(full_name))
    low = name.lower()
    for word in _TYPE_PREFIXES:
        if low.startswith(word + " ") and len(name) > len(word) + 1:
            return word, name[len(word) + 1:].strip()
    return None, name


# Letters that OCR takes for one another (either way; upper-case keys, so both the lower-case
# shapes - c/e, n/u, h/b, l/t - and the capitals - D/O, C/G, P/R - are in), and thin letters
# that it drops or adds. Any other edit (a letter lost, "Tân" for "Tâm") is a different name.
_CONFUSABLE = frozenset(frozenset(p) for p in (
    "CE", "CO", "EO", "AO", "NU", "NH", "HB", "HK", "IL", "IJ", "LT", "IT", "FT", "GQ", "GY",
    "YV", "UV", "MN", "RN", "DO", "OQ", "CG", "GO", "EF", "PR", "BR", "BE", "DB", "SB", "S5"))
_THIN = frozenset("ILJ")
_SHAPES = (("RN", "M"), ("CL", "D"))  # two letters read as one, within a word


def _shape_key(text: str) -> str:
    """Diacritics-free key with the two-letter shapes folded: 'Phúc Lâm' keeps its C and L
    (they are in two words), 'Pharn' is 'PHAM'."""
    words = _numbers(strip_diacritics(nfc(text))).upper().split()
    for a, b in _SHAPES:
        words = [w.replace(a, b) for w in words]
    return _NOT_ALNUM.sub("", "".join(words))


def _ocr_plausible(a: str, b: str) -> bool:
    """Every edit from key ``a`` to key ``b`` is a confusion OCR makes."""
    for tag, i, j in Levenshtein.editops(a, b).as_list():
        if tag == "replace":
            if frozenset((a[i], b[j])) not in _CONFUSABLE:
                return False
        elif tag == "delete":
            if a[i] not in _THIN:
                return False
        elif b[j] not in _THIN:  # insert
            return False
    return True
