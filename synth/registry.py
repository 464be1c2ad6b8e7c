"""A synthetic population-registry export (CSV) and the ground truth of a sample batch (JSONL).

The registry writes names in Title Case with diacritics ("Nguyễn Văn An"), places with capital
unit words ("Xã Hải Minh, Huyện Hải Hậu, Tỉnh Nam Định"), and may use the other tone placement
("Hoà" for "Hòa") or decomposed Unicode (NFD), as real exports do.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

from kernel.records import FIELD_NAMES
from kernel.vntext import canonical_tones, nfc

from synth.people import BirthRegistration
from synth.places import PlaceStyle

REGISTRY_COLUMNS: tuple[str, ...] = (
    "id_number", "full_name", "date_of_birth", "sex", "place_of_birth", "hometown",
    "ethnicity", "father_name", "mother_name", "permanent_address",
)


class NameForm(str, Enum):
    AS_IS = "as_is"
    OTHER_TONES = "other_tones"  # "Hòa" -> "Hoà" (kernel.vntext's canonical placement)
    NFD = "nfd"  # the whole row in decomposed Unicode


@dataclass(frozen=True)
class RegistryRow:
    id_number: str
    full_name: str
    date_of_birth: str  # YYYY-MM-DD
    sex: str  # M / F
    place_of_birth: str
    hometown: str
    ethnicity: str
    father_name: str
    mother_name: str
    permanent_address: str


def registry_row(reg: BirthRegistration, form: NameForm = NameForm.AS_IS) -> RegistryRow:
    """How the population registry holds the person of ``reg``."""
    person = reg.person
    home = reg.family_residence
    row = RegistryRow(
        id_number=person.id_number,
        full_name=person.name.full,
        date_of_birth=person.date_of_birth.isoformat(),
        sex=person.sex,
        place_of_birth=person.place_of_birth.format(PlaceStyle.REGISTRY),
        hometown=person.hometown.format(PlaceStyle.REGISTRY),
        ethnicity=person.ethnicity,
        father_name=reg.father.name.full if reg.father else "",
        mother_name=reg.mother.name.full,
        permanent_address=f"{home.hamlet}, {home.residence.format(PlaceStyle.REGISTRY)}",
    )
    if form is NameForm.OTHER_TONES:
        other = canonical_tones(row.full_name)
        if other == row.full_name:
            raise ValueError(f"{row.full_name!r} has no other tone placement")
        return RegistryRow(**{**asdict(row), "full_name": other})
    if form is NameForm.NFD:
        return RegistryRow(**{k: unicodedata.normalize("NFD", v) for k, v in asdict(row).items()})
    return row


def write_registry_csv(rows: Iterable[RegistryRow], path: Path) -> Path:
    """UTF-8 (no BOM), header REGISTRY_COLUMNS, '\\n' line ends. Ids must be unique."""
    rows = list(rows)
    ids = [r.id_number for r in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("registry ids are not unique")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=REGISTRY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))
    return path


@dataclass(frozen=True)
class ExpectedRecord:
    """One line of expected.jsonl: what a perfect run reads from one page."""

    source: str  # relative to the batch folder, NFC, '/' separators
    page: int  # 1-based
    fields: dict[str, str | None]
    registry_id: str | None
    row: int | None = None
    doc_type: str = "birth_certificate"

    def as_json(self) -> str:
        line = {"source": nfc(self.source), "page": self.page, "row": self.row,
                "doc_type": self.doc_type,
                "fields": {name: self.fields.get(name) for name in FIELD_NAMES},
                "registry_id": self.registry_id}
        return json.dumps(line, ensure_ascii=False)


def write_expected_jsonl(records: Iterable[ExpectedRecord], path: Path) -> Path:
    ordered = sorted(records, key=lambda r: (r.source, r.page, r.row or 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(r.as_json() + "\n" for r in ordered), encoding="utf-8")
    return path
