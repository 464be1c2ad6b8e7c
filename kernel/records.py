"""Typed records passed between stages. Frozen where they cross a process or storage boundary.

The export (one JSON object per person record) is a public interface: see README.md.
"""

from __future__ import annotations

import hashlib
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

FIELD_NAMES: tuple[str, ...] = (
    "full_name", "date_of_birth", "sex", "place_of_birth", "hometown", "ethnicity",
    "nationality", "id_number", "father_name", "father_birth_year", "mother_name",
    "mother_birth_year", "registration_number", "book_number", "registration_date",
    "registration_place",
)


class DocType(str, Enum):
    BIRTH_CERTIFICATE = "birth_certificate"
    BIRTH_REGISTER = "birth_register"
    MARRIAGE_CERTIFICATE = "marriage_certificate"
    DEATH_EXTRACT = "death_extract"
    UNKNOWN = "unknown"
    # pages of administrative-procedure dossiers (hồ sơ thủ tục hành chính)
    DECLARATION_FORM = "declaration_form"  # tờ khai đăng ký khai sinh
    ID_CARD = "id_card"  # a copy of a CCCD / Căn cước card (front, back, or several cards)
    OTHER = "other"  # a page of another kind (residence paper ...): classified, no records
    BLANK = "blank"  # a separator sheet or an empty page: classified, no records


MARRIAGE_FIELDS: tuple[str, ...] = (
    "full_name", "date_of_birth", "ethnicity", "nationality", "id_number", "residence",
    "registration_number", "book_number", "registration_date", "registration_place",
)
DEATH_FIELDS: tuple[str, ...] = (
    "full_name", "date_of_birth", "sex", "ethnicity", "nationality", "id_number",
    "date_of_death", "place_of_death", "registration_number", "book_number",
    "registration_date", "registration_place",
)
ID_CARD_FIELDS: tuple[str, ...] = (
    "id_number", "full_name", "date_of_birth", "sex", "nationality", "hometown", "residence",
    "registration_place", "issue_date", "expiry_date",
)
"""One card holder (role ``card``, ``row`` = the card's 1-based index on the page): front and
back merged. ``hometown`` is "Quê quán / Place of origin" (2016-2021 CCCD),
``registration_place`` "Nơi đăng ký khai sinh" (2024 Căn cước), ``residence`` "Nơi thường trú"
/ "Nơi cư trú"."""
DECLARATION_FIELDS: tuple[str, ...] = (
    "full_name", "date_of_birth", "sex", "ethnicity", "nationality", "place_of_birth",
    "hometown", "residence", "id_number", "relationship", "father_name", "mother_name",
    "registration_place",
)
"""A birth-registration declaration (tờ khai đăng ký khai sinh), one record per role:
``requester`` (full_name, date_of_birth, residence, id_number, relationship), ``subject`` (the
child: full_name, date_of_birth, sex, ethnicity, nationality, place_of_birth, hometown,
father_name, mother_name, registration_place = the body the form is addressed to),
``mother`` / ``father`` (full_name, date_of_birth, ethnicity, nationality, residence,
id_number). Fields a role does not have are null."""
FIELDS_OF: dict[DocType, tuple[str, ...]] = {
    DocType.BIRTH_CERTIFICATE: FIELD_NAMES, DocType.BIRTH_REGISTER: FIELD_NAMES,
    DocType.MARRIAGE_CERTIFICATE: MARRIAGE_FIELDS, DocType.DEATH_EXTRACT: DEATH_FIELDS,
    DocType.UNKNOWN: FIELD_NAMES, DocType.DECLARATION_FORM: DECLARATION_FIELDS,
    DocType.ID_CARD: ID_CARD_FIELDS, DocType.OTHER: FIELD_NAMES, DocType.BLANK: FIELD_NAMES,
}
"""The export's field names per document type (birth documents: exactly FIELD_NAMES)."""


class FieldStatus(str, Enum):
    AUTO = "auto"
    REVIEW = "review"


class MatchDecision(str, Enum):
    MATCHED = "matched"
    REVIEW = "review"
    NO_MATCH = "no_match"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OcrWord(Frozen):
    text: str
    bbox: tuple[int, int, int, int]  # left, top, right, bottom in page pixels
    confidence: float  # 0..1
    line: int  # line index on the page, in reading order


class OcrPage(Frozen):
    words: tuple[OcrWord, ...]
    width: int
    height: int
    engine: str  # e.g. "tesseract 5.3.0 vie"

    def lines(self) -> list[list[OcrWord]]:
        grouped: dict[int, list[OcrWord]] = {}
        for w in self.words:
            grouped.setdefault(w.line, []).append(w)
        return [sorted(ws, key=lambda w: w.bbox[0]) for _, ws in sorted(grouped.items())]


class FieldValue(Frozen):
    value: str | None
    confidence: float = Field(ge=0.0, le=1.0)
    status: FieldStatus
    reasons: tuple[str, ...] = ()  # why a field is in review (checks that failed, low OCR ...)
    bbox: tuple[int, int, int, int] | None = None  # where on the page, for the review crop
    canonical: str | None = None  # names: one tone placement (HOÀ and HÒA alike), beside the
    # printed value; archived with the record, not in the export

    def export(self) -> dict[str, Any]:
        return {"value": self.value, "confidence": round(self.confidence, 4),
                "status": self.status.value}


class ExtractedRecord(Frozen):
    """One person's fields read from one page (or one register row)."""

    doc_type: DocType
    fields: dict[str, FieldValue]
    row: int | None = None
    role: str | None = None  # marriage: husband / wife; death: deceased; declaration:
    # requester / subject / mother / father; ID card: card (row = card index); else None


class MatchCandidate(Frozen):
    registry_id: str
    score: float
    explanation: dict[str, float] = Field(default_factory=dict)  # field -> contribution


class MatchResult(Frozen):
    decision: MatchDecision
    registry_id: str | None
    score: float | None
    candidates: tuple[MatchCandidate, ...] = ()
    reasons: tuple[str, ...] = ()

    def export(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "registry_id": self.registry_id,
            "score": None if self.score is None else round(self.score, 4),
            "candidates": [{"registry_id": c.registry_id, "score": round(c.score, 4)}
                           for c in self.candidates],
        }


class Provenance(Frozen):
    sohoa_version: str
    pipeline_version: str
    engine: str
    settings_hash: str
    matching_rules: str | None = None
    places: str | None = None  # the administrative-unit list used to check places


class PersonRecord(Frozen):
    record_id: str
    source: str  # path relative to the batch folder, NFC
    source_sha256: str
    page: int  # 1-based within the file
    row: int | None
    role: str | None = None
    doc_type: DocType
    fields: dict[str, FieldValue]
    match: MatchResult
    archive_key: str
    provenance: Provenance
    dossier_id: str | None = None  # the dossier (hồ sơ) the page belongs to, if any

    def export(self) -> dict[str, Any]:
        """The public export line (README: 'The export')."""
        return {
            "record_id": self.record_id,
            "source": self.source,
            "page": self.page,
            "row": self.row,
            "role": self.role,
            "dossier_id": self.dossier_id,
            "doc_type": self.doc_type.value,
            "fields": {name: self.fields[name].export() if name in self.fields
                       else {"value": None, "confidence": 0.0, "status": "auto"}
                       for name in FIELDS_OF[self.doc_type]},
            "match": self.match.export(),
            "archive_key": self.archive_key,
        }


def record_id_for(source_sha256: str, page: int, row: int | None, role: str | None = None) -> str:
    """Stable across re-runs of the same input: derived from content, not from paths or time."""
    key = f"{source_sha256}:{page}:{row or 0}" + (f":{role}" if role else "")
    digest = hashlib.sha256(key.encode()).hexdigest()
    return digest[:20]


class PageRef(Frozen):
    """A page image on local disk, ready for OCR. Only the path crosses task boundaries."""

    source: str
    source_sha256: str
    page: int
    image_path: str


class FileFailure(Frozen):
    source: str
    reason: str
    message: str
    hint: str | None = None
    quarantine_key: str | None = None


class PageFailure(Frozen):
    source: str
    page: int
    reason: str
    message: str


DOSSIER_MANIFEST = "dossier.json"
"""The optional manifest of a dossier folder (dossiers/packets.py); never taken as a scan."""
