"""Place names after the reform of 1 July 2025 (34 provinces, no district level), as a
registry updated since then writes them: "Xã Hải Anh, Tỉnh Ninh Bình" for what was
"xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định".

Read from ``../shared/data/admin_units/conversion_new_old_wards_2025-07.csv`` when present
(the old commune is found by province code, district and commune name); without it, or for
a commune the table does not list (merged away before 2025), :func:`after_reform` is None
and the caller keeps the old name.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kernel.vntext import canonical_text

from synth.names import shared_data_dir
from synth.places import Commune

_CODE = re.compile(r"\s*\((\d+)\)\s*$")
_KINDS = ("Thành phố", "Thị trấn", "Thị xã", "Phường", "Huyện", "Quận", "Tỉnh", "Xã")


@dataclass(frozen=True)
class NewUnit:
    commune: str  # with its kind, as the table writes it: "Xã Hải Anh"
    province: str  # "Tỉnh Ninh Bình"

    def format(self) -> str:
        return f"{self.commune}, {self.province}"


def _bare(text: str) -> str:
    """'Huyện Hải Hậu (366)' -> 'hai hau'-like key (canonical tones, lower case, no kind)."""
    text = _CODE.sub("", text).strip()
    for kind in _KINDS:
        if text.startswith(kind + " "):
            text = text[len(kind) + 1:]
            break
    text = str(int(text)) if text.isdigit() else text
    return canonical_text(text).lower()


@lru_cache(maxsize=2)
def _table(path: Path) -> dict[tuple[str, str, str], NewUnit]:
    table: dict[tuple[str, str, str], NewUnit] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 8 or not row[1].strip() or not row[3].strip():
                continue
            code = _CODE.search(row[7])
            if not code:
                continue
            key = ("0" + code.group(1), _bare(row[6]), _bare(row[3]))
            new = NewUnit(row[1].strip(), _CODE.sub("", row[0]).strip())
            table.setdefault(key, new)  # a commune split in parts: the first listed
    return table


@dataclass(frozen=True)
class Reform:
    """The old-to-new table, or nothing (``available`` False)."""

    path: Path | None

    @property
    def available(self) -> bool:
        return self.path is not None

    def after_reform(self, commune: Commune) -> NewUnit | None:
        if self.path is None:
            return None
        key = (commune.province.code, _bare(commune.district), _bare(commune.name))
        return _table(self.path).get(key)


def load_reform(data_dir: Path | None = None, *, shared: bool = True) -> Reform:
    path = (data_dir or shared_data_dir()) / "admin_units" / "conversion_new_old_wards_2025-07.csv"
    return Reform(path if shared and path.is_file() else None)
