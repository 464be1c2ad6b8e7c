"""The machine readable zone on the back of a Vietnamese ID card (ICAO 9303 TD1).

Line 1: ``IDVNM`` + document number (the last 9 digits of the 12-digit ID) + its check
digit + the 12-digit ID; line 2: birth date (YYMMDD) + check digit, sex, expiry + check
digit, ``VNM``, a composite check digit; line 3: the name without diacritics. The check
digits (weights 7-3-1) make the MRZ an independent, verifiable reading of the ID number and
the birth date: where the front and the MRZ agree, the number is all but certain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kernel.vntext import strip_diacritics

_WEIGHTS = (7, 3, 1)
_TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1",
                           "T": "1", "Z": "2", "S": "5", "B": "8", "G": "6"})


def check_digit(text: str) -> str:
    values = [int(c) if c.isdigit() else 0 if c == "<" else ord(c) - 55 for c in text]
    return str(sum(v * _WEIGHTS[i % 3] for i, v in enumerate(values)) % 10)


@dataclass(frozen=True)
class MrzReading:
    id_number: str | None  # 12 digits, only when the document number's check digit holds
    date_of_birth: date | None  # only when its check digit holds
    sex: str | None  # M / F
    expiry: date | None
    name: str | None  # ASCII, words separated by spaces
    birth: str | None = None  # the birth date as printed (YYMMDD), its check digit verified:
    # the century is not in it (``date_of_birth`` has it only when the ID is sure)


def looks_like_mrz(text: str) -> bool:
    compact = text.replace(" ", "")
    return compact.count("<") >= 3 or bool(re.search(r"[I1T]D[VW]NM", compact.upper()))


def _clean(text: str) -> str:
    text = strip_diacritics(text)  # "Ô977" is "0977": the MRZ has no marks
    return (text.upper().replace(" ", "").replace("«", "<<").replace("‹", "<")
            .replace("(", "<").replace("{", "<"))


def _digits(text: str) -> str:
    return text.translate(_TO_DIGIT)


def _id_from(line: str) -> str | None:
    """The 12-digit ID of line 1: 9 digits + check + 12 digits ending with those 9.

    The 9 digits are printed twice: where the two readings differ, the check digit picks
    the one that holds (only when exactly one combination does)."""
    digits = _digits(line)
    for m in re.finditer(r"(?=(\d{9})(\d)(\d{12}))", digits):
        doc, check, full = m.group(1), m.group(2), m.group(3)
        if full[3:] == doc and check_digit(doc) == check:
            return full
        differ = [i for i in range(9) if doc[i] != full[3 + i]]
        if full[3:] != doc and len(differ) <= 3:
            holding = set()
            for choice in range(2 ** len(differ)):
                cand = list(doc)
                for bit, i in enumerate(differ):
                    cand[i] = full[3 + i] if choice >> bit & 1 else doc[i]
                if check_digit("".join(cand)) == check:
                    holding.add("".join(cand))
            if len(holding) == 1:
                return full[:3] + holding.pop()
    return None


def _yymmdd(text: str, century: int) -> date | None:
    try:
        return date(century + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


def parse_mrz(lines: list[str], century_of_birth: int | None = None) -> MrzReading | None:
    """Read the MRZ from the card's text lines (any OCR lines; MRZ-looking ones are used).
    ``century_of_birth`` (1900, 2000 ...) comes from the ID's century digit when known."""
    mrz = [_clean(t) for t in lines if looks_like_mrz(t)]
    if not mrz:
        return None
    id_number = next((found for found in map(_id_from, mrz) if found), None)
    if id_number and century_of_birth is None and any(
            id_number in _digits(line) for line in mrz):  # read as printed, not pieced together
        century_of_birth = 1900 + 100 * (int(id_number[3]) // 2)
    born = sex = expiry = printed = None
    for line in mrz:
        m = re.search(r"([0-9OQDUILTZSBG]{6})([0-9OQDUILTZSBG])([MF<])(.{6})(.)(?=.{0,2}V[NM]M)",
                      line)
        if not m:
            continue
        birth, birth_check = _digits(m.group(1)), _digits(m.group(2))
        if check_digit(birth) == birth_check:
            printed = birth
            born = _yymmdd(birth, century_of_birth) if century_of_birth is not None else None
        sex = m.group(3) if m.group(3) in "MF" else None
        ends, ends_check = _digits(m.group(4)), _digits(m.group(5))
        if ends.isdigit() and check_digit(ends) == ends_check:
            expiry = _yymmdd(ends, 2000)
        break
    name = None
    for line in mrz:
        if "<<" in line and re.fullmatch(r"[A-Z<]{10,}", line) and not line.startswith("IDVNM"):
            name = " ".join(p for p in re.split(r"<+", line) if p) or None
    return MrzReading(id_number, born, sex, expiry, name, printed)
