"""The value types of the gazetteer: the three levels, a unit, and what resolving a place found.

Levels are numbered inside the package (``_P``, ``_D``, ``_C``: province, district, commune) and
named outside it (:data:`LEVELS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LEVELS: tuple[str, ...] = ("province", "district", "commune")
_P, _D, _C = 0, 1, 2

# unit types, by level
PROVINCE_TYPES = ("tỉnh", "thành phố")
DISTRICT_TYPES = ("huyện", "quận", "thị xã", "thành phố")
COMMUNE_TYPES = ("xã", "phường", "thị trấn")


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
