"""What a person may type into a field, checked and put in the export's form."""

from __future__ import annotations

import re

from kernel import civil_id
from kernel.vndate import parse_date
from kernel.vntext import collapse_spaces, nfc

NAME_FIELDS = ("full_name", "father_name", "mother_name")
DATE_FIELDS = ("date_of_birth", "registration_date")
YEAR_FIELDS = ("father_birth_year", "mother_birth_year")
_NAME = re.compile(r"^[^\W\d_]+( [^\W\d_]+)*$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class BadValue(ValueError):
    """The message is a key of the message catalogue (review.i18n)."""


def normalize(field: str, raw: str | None) -> str | None:
    """The value as the export holds it; None for an empty input. BadValue when it cannot be."""
    text = collapse_spaces(nfc(raw or "")).strip()
    if not text:
        return None
    if field in NAME_FIELDS:
        if not _NAME.match(text):
            raise BadValue("bad_name")
        return text.upper()
    if field in DATE_FIELDS:
        m = _ISO.match(text)
        date = parse_date(f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else text)
        if date is None:
            raise BadValue("bad_date")
        return date.isoformat()
    if field == "sex":
        sex = {"m": "M", "nam": "M", "f": "F", "nữ": "F", "nu": "F"}.get(text.lower())
        if sex is None:
            raise BadValue("bad_sex")
        return sex
    if field == "id_number":
        digits = text.replace(" ", "")
        if not (len(digits) == 9 and digits.isdigit()) and civil_id.decode(digits) is None:
            raise BadValue("bad_id")
        return digits
    if field in YEAR_FIELDS:
        if not re.fullmatch(r"(18|19|20)\d\d", text):
            raise BadValue("bad_year")
        return text
    return text
