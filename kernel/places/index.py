"""The internal index: the names under which a unit can be found, and the builder that collects
units, names and parent relations from the lists before a :class:`~kernel.places.Gazetteer` is
made from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kernel.places.keys import _shape_key, letters_key
from kernel.places.model import _C, _P
from kernel.vntext import collapse_spaces, nfc, strip_diacritics

# Spellings in common use that no list has: matched exactly, kept as printed, never a target
# of a correction. Code -> names.
_PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "79": ("HCM", "TPHCM", "TP.HCM", "Sài Gòn", "Sài Gòn - Gia Định"),
    "46": ("Thừa Thiên Huế", "Huế"),
    "66": ("Đăk Lăk", "Đắc Lắc", "Đắk Lăk"),
    "67": ("Đăk Nông", "Đắc Nông"),
}

# Provinces of 1976-2008 that no longer exist and have no code here, with the provinces their
# land is in today (GSO codes). They are known so that a register from those years ("tỉnh Vĩnh
# Phú", "tỉnh Hà Tây") is recognised and kept as printed, never "corrected" into a similar current
# name ("Vĩnh Phúc"); its district is then looked for among the successors' districts.
FORMER_SUCCESSORS: dict[str, tuple[str, ...]] = {
    "Hà Tây": ("01",), "Hà Sơn Bình": ("01", "17"), "Hà Nam Ninh": ("35", "36", "37"),
    "Nam Hà": ("35", "36"), "Nghệ Tĩnh": ("40", "42"), "Bình Trị Thiên": ("44", "45", "46"),
    "Sông Bé": ("70", "74"), "Minh Hải": ("95", "96"), "Cửu Long": ("84", "86"),
    "Nghĩa Bình": ("51", "52"), "Phú Khánh": ("54", "56"), "Gia Lai - Kon Tum": ("62", "64"),
    "Thuận Hải": ("58", "60"), "Vĩnh Phú": ("25", "26"), "Hải Hưng": ("30", "33"),
    "Hà Bắc": ("24", "27"), "Bắc Thái": ("06", "19"), "Cao Lạng": ("04", "20"),
    "Quảng Nam - Đà Nẵng": ("48", "49"), "Hoàng Liên Sơn": ("10", "12", "15"),
    "Hà Tuyên": ("02", "08"),
}
FORMER_PROVINCES: tuple[str, ...] = tuple(FORMER_SUCCESSORS)


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
    """Collects units, names and parent relations; a :class:`~kernel.places.Gazetteer` is
    made from it once :meth:`finish` has run."""

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

    def finish(self) -> None:
        """Adds the names no list has; call once, after the lists and before the Gazetteer."""
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
