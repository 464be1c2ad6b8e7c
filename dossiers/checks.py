"""Cross-document checks inside a dossier: the same person's name, birth date, sex and ID
number must agree across the declaration, the ID-card copy and the certificate.

A disagreement sends the field of every document involved to review, naming the other
document ("dossier_disagrees:date_of_birth:giay_khai_sinh.pdf p.1"); the review desk shows
it as a field item. Agreement between two documents read independently is evidence too: a
field held back only for a low OCR confidence, read the same on another document, is
confirmed (auto), as a registry entry confirms a name (matching/confirm.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.records import FieldStatus, FieldValue
from kernel.vndate import parse_date
from kernel.vntext import canonical_text
from dossiers.people import Mention, Person

ATTRIBUTES = ("full_name", "date_of_birth", "sex", "id_number")
SOFT_REASONS = frozenset({"low_ocr_confidence"})  # what a second reading may overrule
CONFIRMED_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Check:
    person: str
    attribute: str
    passed: bool
    documents: tuple[str, ...]  # labels of the documents compared ("file p.N (role)")

    def summary(self) -> dict:
        return {"person": self.person, "check": f"same_{self.attribute}",
                "result": "passed" if self.passed else "failed", "documents": list(self.documents)}


def comparable(m: Mention, attribute: str) -> str | None:
    """The mention's value in a form two documents can be compared in."""
    if attribute == "full_name":
        v = m.value("full_name")
        return canonical_text(v).upper() if v else None
    if attribute == "date_of_birth":
        if m.holder and m.value("date_of_birth"):
            return any_date(m.value("date_of_birth"))
        return m.value("birth_year")  # a year only: compared on the year
    if attribute == "sex":
        return m.value("sex") if m.holder else None
    if not m.holder:
        return None
    number = m.value("id_number")  # compared as read, valid or not: a digit off is the point
    return number if number and number.isdigit() and len(number) in (9, 12) else None


def any_date(text: str | None) -> str | None:
    """ISO (as fields hold dates) or any written form, as ISO; None if not a date."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        d = parse_date(text)
        return d.isoformat() if d else None


def _same(attribute: str, a: str, b: str) -> bool:
    if attribute == "date_of_birth" and (len(a) == 4 or len(b) == 4):
        return a[:4] == b[:4]
    return a == b


def _field_name(m: Mention, attribute: str) -> str | None:
    if not m.prefix:
        return attribute
    return {"full_name": f"{m.prefix}name", "date_of_birth": f"{m.prefix}birth_year"}.get(attribute)


def check_person(person: Person) -> tuple[list[Check], dict[tuple[int, str], FieldValue]]:
    """The person's checks, and the fields they change: (document index, field) -> value."""
    checks: list[Check] = []
    changed: dict[tuple[int, str], FieldValue] = {}
    for attribute in ATTRIBUTES:
        readings = [(m, comparable(m, attribute)) for m in person.mentions]
        readings = [(m, v) for m, v in readings if v]
        if len({m.doc.index for m, _ in readings}) < 2:
            continue
        labels = tuple(dict.fromkeys(m.doc.label() for m, _ in readings))
        disagreeing = [(a, b) for i, (a, va) in enumerate(readings)
                       for b, vb in readings[i + 1:]
                       if a.doc.index != b.doc.index and not _same(attribute, va, vb)]
        checks.append(Check(person.key, attribute, not disagreeing, labels))
        for a, b in disagreeing:
            for m, other in ((a, b), (b, a)):
                _mark(changed, m, attribute, f"dossier_disagrees:{attribute}:{other.doc.label()}")
        if not disagreeing:  # confirmed by the same reading on another document
            for m, v in readings:
                if any(o.doc.index != m.doc.index and vo == v for o, vo in readings):
                    _confirm(changed, m, attribute)
    return checks, changed


def _current(changed: dict, m: Mention, name: str) -> FieldValue | None:
    return changed.get((m.doc.index, name)) or m.doc.fields.get(name)


def _mark(changed: dict, m: Mention, attribute: str, reason: str) -> None:
    name = _field_name(m, attribute)
    fv = _current(changed, m, name) if name else None
    if fv is None:
        return
    changed[(m.doc.index, name)] = fv.model_copy(update={
        "status": FieldStatus.REVIEW, "reasons": tuple(dict.fromkeys((*fv.reasons, reason)))})


def _confirm(changed: dict, m: Mention, attribute: str) -> None:
    name = _field_name(m, attribute)
    fv = _current(changed, m, name) if name else None
    if fv is None or fv.status is FieldStatus.AUTO or not set(fv.reasons) <= SOFT_REASONS:
        return
    changed[(m.doc.index, name)] = fv.model_copy(update={
        "status": FieldStatus.AUTO, "reasons": (),
        "confidence": max(fv.confidence, CONFIRMED_CONFIDENCE)})
