"""The 12-digit number of an ID card, settled from every reading of it.

A card's number can be read up to three times: on the front (the card cut out and read on
its own), in the MRZ on the back (its check digit verified), and in the OCR of the whole
page. Two readings that agree make the number ``auto``; one reading alone that decodes and
agrees with the card's sex and birth year stays ``auto`` only as far as its OCR confidence
allows; readings that disagree go to review. A front reading that does not decode (a zero
read as an eight, a digit doubled) is repaired when exactly one variant with one confusable
digit changed, or one extra digit dropped, decodes and agrees with the card; the page's
reading decides between several.
"""

from __future__ import annotations

import re

from kernel import civil_id
from kernel.records import FieldStatus, FieldValue, OcrPage

CONFUSABLE = {"0": "869", "8": "0639", "6": "085", "9": "08", "1": "74", "7": "1", "3": "8",
              "5": "63", "4": "1", "2": "7"}
"""Digits Tesseract mistakes for one another on small, photocopied print."""
CONFIRMED = 0.99
PAGE_CONFIRMED = 0.97


def page_numbers(page: OcrPage | None) -> set[str]:
    """Valid 12-digit numbers in the OCR of the whole page (a second, independent reading)."""
    if page is None:
        return set()
    found: set[str] = set()
    by_line: dict[int, list[str]] = {}
    for w in sorted(page.words, key=lambda w: (w.line, w.bbox[0])):
        by_line.setdefault(w.line, []).append(w.text)
    for texts in by_line.values():
        for a in range(len(texts)):
            for b in range(a + 1, min(len(texts), a + 3) + 1):
                chunk = re.sub(r"[^0-9OoIlSB]", "", "".join(texts[a:b]).split(":")[-1])
                number = civil_id.repair(chunk) if len(chunk) >= 12 else None
                if number and len(number) == 12 and civil_id.decode(number):
                    found.add(number)
    return found


def agrees(number: str | None, sex: str | None, birth_year: int | None) -> bool:
    return bool(number) and civil_id.decode(number or "") is not None and not \
        civil_id.inconsistencies(number or "", sex=sex, birth_year=birth_year)


def variants(digits: str) -> set[str]:
    """Numbers one OCR slip away: a confusable digit changed (12 digits), or one digit
    dropped (13 digits: a digit read twice)."""
    if len(digits) == 12:
        return {digits[:i] + other + digits[i + 1:] for i, d in enumerate(digits)
                for other in CONFUSABLE.get(d, "")}
    if len(digits) == 13:
        return {digits[:i] + digits[i + 1:] for i in range(13)}
    return set()


def repairs(runs: list[str], sex: str | None, birth_year: int | None) -> set[str]:
    return {v for run in runs for v in variants(run) if agrees(v, sex, birth_year)}


WEIGHTS = {"mrz": 3.0, "front": 2.0, "line": 1.2, "page": 1.0, "repair": 1.0}
"""How much each reading counts: the MRZ's number passed its check digit; the card read
whole; each reading of the number's line alone (there are up to three); the page's OCR, the
roughest; a one-slip repair of a reading that did not decode."""
RECHECKED = frozenset({"id_sex_mismatch", "id_birth_year_mismatch", "id_invalid_structure",
                       "id_unreadable", "low_ocr_confidence"})
CONTRADICTION = 2.0
"""What a number loses for contradicting the card's sex or birth year: less than two
readings weigh, since the birth date may be the misread one."""


def _set(field: FieldValue, value: str, confidence: float, reasons: tuple[str, ...]) -> FieldValue:
    status = FieldStatus.REVIEW if reasons else FieldStatus.AUTO
    return field.model_copy(update={"value": value, "confidence": confidence, "status": status,
                                    "reasons": reasons})


def settle(field: FieldValue, *, mrz: str | None, page: set[str], runs: list[str],
           sex: str | None, birth_year: int | None, lines: tuple[str, ...] = ()) -> FieldValue:
    """The ID field after weighing every reading: the card's (``field``), its number's line
    read alone (``lines``), the MRZ's (check digit verified) and the page's.

    Candidates are the readings that decode, and the one-slip repairs of readings that do
    not decode or do not agree with the card's sex and birth year (``runs``: the card's 11-13
    digit strings). Each is supported by the readings equal to it (:data:`WEIGHTS`) and
    weakened when it contradicts the card's sex or birth year (which may be the misread
    ones). The best supported wins: ``auto`` when readings of two kinds agree on it, they
    outweigh those that differ and the card does not contradict it, or when the card's own
    reading stands alone uncontradicted; ``review`` otherwise, with the reasons."""
    front = field.value
    named = [(k, v) for k, v in [("mrz", mrz), ("front", front),
                                 *(("line", r) for r in lines if len(r) == 12)] if v]
    raw = [r for r in (front, *lines, *runs) if r]
    candidates = {v for _, v in named if civil_id.decode(v)} | {p for p in page if civil_id.decode(p)}
    repaired = repairs([r for r in raw if not agrees(r, sex, birth_year)], sex, birth_year)
    if mrz and not agrees(mrz, sex, birth_year):  # its prefix is not under the check digit
        repaired |= {v for v in repairs([mrz], sex, birth_year) if v[3:] == mrz[3:]}
    candidates |= repaired
    if not candidates:
        return field

    def kinds(c: str) -> set[str]:
        found = {k for k, v in named if v == c} | ({"page"} if c in page else set())
        return found or ({"repair"} if c in repaired else set())

    def weight(c: str) -> float:
        exact = sum(WEIGHTS[k] for k, v in named if v == c) + (WEIGHTS["page"] if c in page else 0)
        return exact or (WEIGHTS["repair"] if c in repaired else 0.0)

    def support(c: str) -> float:
        return weight(c) - (0.0 if agrees(c, sex, birth_year) else CONTRADICTION)

    best = max(sorted(candidates), key=support)
    agreeing = kinds(best) | ({"repair"} if best in repaired else set())
    against = sum(WEIGHTS[k] for k, v in named if v != best)
    # what the card's reading was reproached with still holds if it is kept (the province of
    # registration); its sex, year and structure are judged again below
    carried = tuple(r for r in field.reasons if r not in RECHECKED) if best == front else ()
    problems = (*carried, *civil_id.inconsistencies(best, sex=sex, birth_year=birth_year))
    if problems:  # readings agree on a number the card contradicts: for a person to decide
        return _set(field, best, min(field.confidence, 0.5), tuple(dict.fromkeys(problems)))
    if len(agreeing) >= 2:  # readings of two kinds agree
        reasons = ("id_readings_disagree",) if against >= weight(best) else ()
        return _set(field, best, CONFIRMED if best == mrz else PAGE_CONFIRMED, reasons)
    if best == front and not against:
        return field  # the card's reading alone: as sure as its OCR
    reason = ("id_from_mrz" if best == mrz else "id_repaired" if best in repaired
              else "id_readings_disagree" if against else "id_single_reading")
    return _set(field, best, 0.5, (reason,))
