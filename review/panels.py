"""What each kind of item shows: the context its template needs, built from the archive, the
OCR words and the registry."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from kernel.records import FIELD_NAMES, PersonRecord
from kernel.vntext import canonical_text
from matching.person import RegistryPerson
from matching.rules import DEFAULT_RULES
from review.desk import Desk
from review.items import Item, page_image_key
from review.ocrwords import marked, parse_hocr, words_in
from storage import MissingObjectError

# the rows of the side-by-side view: what both a document and the registry can say
COMPARED = ("full_name", "date_of_birth", "sex", "id_number", "place_of_birth", "hometown",
            "ethnicity", "father_name", "mother_name")
_FIELD_OF = {c.name: c.field for c in DEFAULT_RULES.comparisons}


@dataclass(frozen=True)
class Cell:
    segments: list[tuple[str, bool]]  # (text, differs from the document)
    differs: bool
    contribution: float | None


def _same(a: str | None, b: str | None) -> bool:
    return canonical_text((a or "").casefold()) == canonical_text((b or "").casefold())


def diff_segments(document: str | None, other: str | None) -> list[tuple[str, bool]]:
    """``other`` split into runs that agree (False) or differ (True) with ``document``,
    compared without case."""
    if not other:
        return []
    if not document:
        return [(other, True)]
    a, b = document.casefold(), other.casefold()
    out: list[tuple[str, bool]] = []
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if j2 > j1:
            out.append((other[j1:j2], tag != "equal"))
    return out


def field_panel(desk: Desk, item: Item) -> dict[str, Any]:
    record = desk.record(item)
    fv = record.fields.get(item.field) if record else None
    words = []
    if fv is not None and fv.bbox:
        key = page_image_key(item, record).removesuffix(".png") + ".hocr"
        try:
            words = words_in(parse_hocr(desk.archive(item.archive).get_bytes(key)), fv.bbox)
        except MissingObjectError:
            words = []
    threshold = desk.config.field_auto_min_confidence
    blind = desk.double_keyed(item) and item.state != "dispute"
    keyed = [v for _, v in desk.keyed_by(item)] if item.state == "dispute" else []
    return {"record": record, "fv": fv, "words": words, "threshold": threshold,
            "marked": [] if blind else marked(fv.value if fv else None, words,
                                              threshold if item.state != "done" else 0.0),
            "blind": blind, "keyed": keyed, "has_crop": bool(fv and fv.bbox),
            "value": "" if blind or fv is None else (fv.value or "")}


def _document_value(record: PersonRecord, name: str) -> str | None:
    fv = record.fields.get(name)
    return fv.value if fv else None


def _registry_value(person: RegistryPerson | None, name: str) -> str | None:
    return getattr(person, name, None) if person else None


def match_panel(desk: Desk, item: Item, limit: int = 5) -> dict[str, Any]:
    record = desk.record(item)
    candidates = list(record.match.candidates[:limit])
    people = desk.registry_people([c.registry_id for c in candidates])
    rows = []
    for name in COMPARED:
        mine = _document_value(record, name)
        cells = []
        for c in candidates:
            theirs = _registry_value(people.get(c.registry_id), name)
            if name == "id_number":
                theirs = theirs or c.registry_id
            parts = [v for k, v in c.explanation.items() if _FIELD_OF.get(k, k) == name]
            cells.append(Cell(diff_segments(mine, theirs), bool(mine and theirs) and not
                              _same(mine, theirs), round(sum(parts), 3) if parts else None))
        rows.append({"field": name, "document": mine, "cells": cells})
    extra = [{"field": "permanent_address",
              "cells": [_registry_value(people.get(c.registry_id), "permanent_address")
                        for c in candidates]}]
    return {"record": record, "candidates": candidates, "people": people, "rows": rows,
            "extra": extra}


def page_panel(desk: Desk, item: Item) -> dict[str, Any]:
    key = page_image_key(item)
    has_image = bool(key and desk.archive(item.archive).stat(key))
    original = original_key(desk, item) if not has_image else None
    return {"fields": FIELD_NAMES, "has_image": has_image or bool(original
                                                                  and not original.endswith(".pdf")),
            "original_key": original}


def original_key(desk: Desk, item: Item) -> str | None:
    if not item.source_sha256:
        return None
    found = desk.archive(item.archive).list(f"originals/{item.source_sha256[:2]}/{item.source_sha256}")
    return found[0] if found else None
