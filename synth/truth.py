"""What a corpus page holds, record by record: the values exactly as printed (NFC), and the
lines of ``truth.jsonl``.

Field names: birth documents use ``kernel.records.FIELD_NAMES``; a marriage certificate has
one record per spouse (role ``husband`` / ``wife``) with :data:`MARRIAGE_FIELDS`; a death
extract one record (role ``deceased``) with :data:`DEATH_FIELDS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from PIL import Image

from kernel.records import DECLARATION_FIELDS, FIELD_NAMES, ID_CARD_FIELDS
from kernel.vntext import nfc

BIRTH_CERTIFICATE = "birth_certificate"
BIRTH_REGISTER = "birth_register"
MARRIAGE_CERTIFICATE = "marriage_certificate"
DEATH_EXTRACT = "death_extract"

REGISTRATION_FIELDS = ("registration_number", "book_number", "registration_date",
                       "registration_place")
MARRIAGE_FIELDS: tuple[str, ...] = (
    "full_name", "date_of_birth", "ethnicity", "nationality", "id_number",
    *REGISTRATION_FIELDS, "residence")
DEATH_FIELDS: tuple[str, ...] = (
    "full_name", "date_of_birth", "sex", "ethnicity", "nationality", "id_number",
    "date_of_death", "place_of_death", *REGISTRATION_FIELDS)

ID_CARD = "id_card"
DECLARATION_FORM = "declaration_form"
FIELDS_BY_DOC_TYPE: dict[str, tuple[str, ...]] = {
    BIRTH_CERTIFICATE: FIELD_NAMES, BIRTH_REGISTER: FIELD_NAMES,
    MARRIAGE_CERTIFICATE: MARRIAGE_FIELDS, DEATH_EXTRACT: DEATH_FIELDS,
    ID_CARD: ID_CARD_FIELDS, DECLARATION_FORM: DECLARATION_FIELDS,  # dossier pages
}


@dataclass(frozen=True)
class PrintedRecord:
    """One person's values on a page, and who the person really is (``person_id``: the
    12-digit ID the registry knows them by, whether or not the registry holds them)."""

    doc_type: str
    layout: str
    fields: dict[str, str | None]
    person_id: str
    row: int | None = None
    role: str | None = None

    def __post_init__(self) -> None:
        expected = FIELDS_BY_DOC_TYPE[self.doc_type]
        if tuple(self.fields) != expected:
            raise ValueError(f"{self.doc_type} fields must be {expected}, got {tuple(self.fields)}")


@dataclass(frozen=True)
class RenderedDoc:
    """A clean page image (RGB) and the records printed on it."""

    image: Image.Image
    records: tuple[PrintedRecord, ...]
    dpi: int


def printed(fields: dict[str, str | None], names: tuple[str, ...]) -> dict[str, str | None]:
    """``fields`` in the order of ``names``, NFC, with empty strings as None."""
    return {n: (nfc(fields[n]) if fields.get(n) else None) for n in names}


@dataclass(frozen=True)
class TruthLine:
    source: str  # path under batch/, NFC, '/' separators
    page: int
    record: PrintedRecord
    registry_id: str | None

    def as_json(self) -> str:
        r = self.record
        return json.dumps({"source": nfc(self.source), "page": self.page, "row": r.row,
                           "role": r.role, "doc_type": r.doc_type, "layout": r.layout,
                           "fields": r.fields, "registry_id": self.registry_id},
                          ensure_ascii=False)
