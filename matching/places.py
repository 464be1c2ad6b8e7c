"""Places as unit codes, across old names and the July 2025 reform.

A certificate names places as they were when it was written ("xã Hải Minh, huyện Hải Hậu,
tỉnh Nam Định"); the registry may name them as in January 2025 or, once updated, after the
reform of 1 July 2025 (34 provinces, no districts: "Xã Hải Anh, Tỉnh Ninh Bình"). Two places
are compared by the units they resolve to, never by their text.

A place becomes a set of *unit tokens*: ``p36`` (province, 2-digit GSO code of 2025-01),
``d366`` (district), ``c14233`` (commune). The kernel :class:`~kernel.places.Gazetteer`
resolves names of 2025-01 and 2017 to those codes. A name of the reform (a new commune, or a
province that absorbed others) resolves through the official conversion table
(``admin_units/conversion_new_old_wards_2025-07.csv`` of the shared data) to the *pre-reform*
units it was made of, so one side written before the reform and the other after it share
tokens when they are the same place. Without the shared data only provinces resolve.
"""

from __future__ import annotations

import csv
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kernel.places import Gazetteer, place_key, shared_data_dir

log = logging.getLogger(__name__)

REFORM_CSV_NAME = "conversion_new_old_wards_2025-07.csv"
_CODE = re.compile(r"\s*\((\d+)\)\s*$")
_TYPE_WORDS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "tỉnh", "huyện", "quận",
               "phường", "xã", "tp.", "tp", "tx.", "tx", "tt.", "tt")


@dataclass(frozen=True)
class PlaceLevel:
    """What two places share: the deepest common level."""

    commune: bool
    district: bool
    province: bool
    both_have_province: bool


def _strip_type(name: str) -> str:
    name = _CODE.sub("", name).strip()
    low = name.lower()
    for word in _TYPE_WORDS:
        if low.startswith(word + " ") and len(name) > len(word) + 1:
            return name[len(word) + 1:].strip()
    return name


class ReformTable:
    """The conversion table of the 2025 reform: new units -> the pre-reform units they took."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.provinces: dict[str, set[str]] = {}  # key of new province name -> old codes
        self.communes: dict[tuple[str, str], set[str]] = {}  # (new prov key, commune key)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                if len(row) < 8 or not row[1].strip():
                    continue
                old_province = _CODE.search(row[7])
                new_province = _CODE.search(row[0])
                if not old_province or not new_province:
                    continue
                pkey = place_key(_strip_type(row[0]))
                old_p = old_province.group(1).zfill(2)
                self.provinces.setdefault(pkey, set()).add("p" + old_p)
                tokens = self.communes.setdefault((pkey, place_key(_strip_type(row[1]))), set())
                tokens.add("p" + old_p)
                district = _CODE.search(row[6])
                if district:
                    tokens.add("d" + district.group(1).zfill(3))
                if row[4].strip().isdigit():
                    tokens.add("c" + row[4].strip().zfill(5))

    def resolve(self, parts: list[str]) -> tuple[frozenset[str], bool]:
        """Tokens of a place written after the reform (commune, province), and whether a
        commune was found; empty when the last part is no province of the reform."""
        if not parts:
            return frozenset(), False
        pkey = place_key(_strip_type(parts[-1]))
        if pkey not in self.provinces:
            return frozenset(), False
        for part in reversed(parts[:-1]):
            tokens = self.communes.get((pkey, place_key(_strip_type(part))))
            if tokens:
                return frozenset(tokens), True
        return frozenset(self.provinces[pkey]), False


class PlaceCoder:
    """Place text -> unit tokens (cached). One per process: :meth:`load`."""

    def __init__(self, gazetteer: Gazetteer, reform: ReformTable | None) -> None:
        self.gazetteer = gazetteer
        self.reform = reform
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def source(self) -> str:
        return f"{self.gazetteer.source}; reform: {self.reform.path.name if self.reform else 'none'}"

    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> "PlaceCoder":
        return _load(str(data_dir) if data_dir else None)

    def tokens(self, text: str | None) -> str:
        """'p36 d366 c14233' (space-separated, sorted), '' when nothing resolves."""
        if not text:
            return ""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        result = " ".join(sorted(self._resolve(text)))
        with self._lock:
            if len(self._cache) > 500_000:
                self._cache.clear()
            self._cache[text] = result
        return result

    def _resolve(self, text: str) -> frozenset[str]:
        match = self.gazetteer.resolve(text)
        tokens: set[str] = set()
        if match.province_code:
            tokens.add("p" + match.province_code)
        if match.district_code:
            tokens.add("d" + match.district_code)
        if match.commune_code:
            tokens.add("c" + match.commune_code)
            return frozenset(tokens)
        if self.reform is not None:
            parts = [p.strip() for p in text.split(",") if p.strip()]
            reform_tokens, commune = self.reform.resolve(parts)
            if commune:
                return reform_tokens
            # a province name of the reform may stand for the provinces it absorbed
            if reform_tokens and not match.district_code:
                tokens |= reform_tokens
        return frozenset(tokens)


@lru_cache(maxsize=4)
def _load(data_dir: str | None) -> PlaceCoder:
    gazetteer = Gazetteer.load(data_dir)
    base = Path(data_dir) if data_dir else shared_data_dir()
    reform = None
    for candidate in (base / "admin_units" / REFORM_CSV_NAME, base / REFORM_CSV_NAME):
        if candidate.is_file():
            reform = ReformTable(candidate)
            break
    log.debug("places: %s", gazetteer.source)
    return PlaceCoder(gazetteer, reform)


def compare_tokens(a: str, b: str) -> PlaceLevel | None:
    """The levels two token strings share; ``None`` when either resolved to nothing."""
    if not a or not b:
        return None
    ta, tb = set(a.split()), set(b.split())
    common = ta & tb
    return PlaceLevel(
        commune=any(t[0] == "c" for t in common),
        district=any(t[0] == "d" for t in common),
        province=any(t[0] == "p" for t in common),
        both_have_province=any(t[0] == "p" for t in ta) and any(t[0] == "p" for t in tb),
    )


def tokens_of(texts: Iterable[str | None], coder: PlaceCoder) -> list[str]:
    return [coder.tokens(t) for t in texts]
