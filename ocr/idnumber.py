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


WEIGHTS = {"mrz": 3.0, "line": 2.5, "front": 2.0, "page": 1.0}
"""How much each reading counts: the MRZ's number passed its check digit; the number's own
line read digits-only beats the card read whole; the page's OCR is the roughest."""
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
           sex: str | None, birth_year: int | None, line: str | None = None) -> FieldValue:
    """The ID field after weighing every reading: the card's (``field``), its number's line
    read alone (``line``), the MRZ's (check digit verified) and the page's.

    Candidates are the readings that decode, and the one-slip repairs of readings that do
    not decode or do not agree with the card's sex and birth year (``runs``: the card's 11-13
    digit strings). Each is supported by the readings equal to it (:data:`WEIGHTS`; a repair
    counts as one reading) and weakened when it contradicts the card's sex or birth year
    (which may be the misread ones). The best supported wins: ``auto`` when two readings
    agree on it and the card does not contradict it, or when the card's own reading stands
    alone uncontradicted; ``review`` otherwise, with the reasons."""
    front = field.value
    readings = {"mrz": mrz, "line": line if line and len(line) == 12 else None, "front": front}
    raw = [r for r in (front, line, *runs) if r]
    candidates = {r for r in (*readings.values(), *page) if r and civil_id.decode(r)}
    repaired = repairs([r for r in raw if not agrees(r, sex, birth_year)], sex, birth_year)
    if mrz and not agrees(mrz, sex, birth_year):  # its prefix is not under the check digit
        repaired |= {v for v in repairs([mrz], sex, birth_year) if v[3:] == mrz[3:]}
    candidates |= repaired
    if not candidates:
        return field

    def votes(c: str) -> int:
        exact = sum(1 for k in WEIGHTS if (c in page if k == "page" else readings[k] == c))
        return exact + (1 if c in repaired and c not in readings.values() else 0)

    def support(c: str) -> float:
        weight = sum(w for k, w in WEIGHTS.items()
                     if (c in page if k == "page" else readings[k] == c))
        weight += 1.0 if c in repaired and c not in readings.values() else 0.0
        return weight - (0.0 if agrees(c, sex, birth_year) else CONTRADICTION)

    best = max(sorted(candidates), key=support)
    n = votes(best)
    others = {r for r in readings.values() if r and r != best}
    # what the card's reading was reproached with still holds if it is kept (the province of
    # registration); its sex, year and structure are judged again below
    carried = tuple(r for r in field.reasons if r not in RECHECKED) if best == front else ()
    problems = (*carried, *civil_id.inconsistencies(best, sex=sex, birth_year=birth_year))
    if problems:  # readings agree on a number the card contradicts: for a person to decide
        return _set(field, best, min(field.confidence, 0.5), tuple(dict.fromkeys(problems)))
    if n >= 2:  # two independent readings agree (and outnumber any that differ)
        reasons = ("id_readings_disagree",) if len(others) >= n else ()
        return _set(field, best, CONFIRMED if best == mrz else PAGE_CONFIRMED, reasons)
    if best == front and not others:
        return field  # the card's reading alone: as sure as its OCR
    reason = ("id_from_mrz" if best == mrz else "id_repaired" if best in repaired
              else "id_readings_disagree" if others else "id_single_reading")
    return _set(field, best, 0.5, (reason,))
