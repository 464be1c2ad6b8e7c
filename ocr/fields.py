"""Raw field text into normalized, cross-checked field values with a confidence and status.

A field is ``auto`` only when its confidence reaches the threshold of its group (names, places
and ID numbers: ``AUTO_MIN``; fields that also pass a format or list check:
``STRUCTURED_AUTO_MIN``; both calibrated by benchmarks/calibration.py) and no check failed;
otherwise it is ``review`` with the reasons. Checks that lower a field to review: the date in
digits against the date in words, a date in the future, the ID against sex, birth year and the
province of registration, registration on or after birth and in the book's year, parents'
ages, names of real syllables with a usual family name and usual marks, places known to the
unit list (:mod:`ocr.placetext`); checks that raise confidence: digits and words of a date that
agree, a place every word of which the unit list confirms. Checks across the rows of a
register page are in :mod:`ocr.register`; the rules themselves in :mod:`kernel.checks`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from kernel import checks, civil_id
from kernel.places import Gazetteer
from kernel.records import FieldStatus, FieldValue
from kernel.syllables import SyllableLexicon
from kernel.vndate import date_candidates, parse_date, parse_date_words
from kernel.vnnames import ethnic_group, is_family_name, repair_family_name
from kernel.vntext import canonical_text, collapse_spaces, nfc
from ocr.lines import Token, normalize_token
from ocr.placetext import check_place
from ocr.scan import RawField

NAME_FIELDS = ("full_name", "mother_name", "father_name")
PLACE_FIELDS = ("place_of_birth", "hometown", "registration_place", "residence", "place_of_death")
MIDDLE_ONLY = frozenset({"THỊ", "VĂN"})
"""Middle names that are never the given name, nor (with one word after) the family name: a
name ending in one has lost its given name to OCR ('TRẦN THỊ')."""
REPAIRED_WORD_CONFIDENCE = 0.9
"""A family name repaired from the lexicon is as sure as a well-read word: the lexicon is
closed and the repair is made only when exactly one family name fits."""


STRUCTURED = frozenset({"date_of_birth", "registration_date", "date_of_death", "sex",
                        "nationality", "ethnicity", "registration_number", "book_number",
                        "father_birth_year", "mother_birth_year"})
"""Fields whose value must also pass a strict format or list check (a real date, Nam/Nữ, one
of the 54 ethnic groups, a year): for them a lower OCR confidence suffices, measured on the
training corpus (benchmarks/RESULTS.md, calibration)."""
AUTO_MIN = 0.7
"""Names, places, ID numbers: below this OCR confidence a field goes to review. Calibrated on
the synthetic corpora of two seeds so that at most 0.5% of auto fields are wrong on typical
scans and 1% on hard ones (benchmarks/RESULTS.md, calibration); the default of
SOHOA_FIELD_AUTO_MIN_CONFIDENCE."""
STRUCTURED_AUTO_MIN = 0.5
VERIFIED_PLACE_FLOOR = 0.5
"""A place every word of which the unit list confirms (:func:`ocr.placetext.check_place`)
has its OCR confidence c raised to FLOOR + (1 - FLOOR) * c."""


@dataclass(frozen=True)
class Context:
    auto_min: float = AUTO_MIN
    gazetteer: Gazetteer | None = None
    lexicon: SyllableLexicon | None = None
    structured_auto_min: float = STRUCTURED_AUTO_MIN


def normalize_name(text: str) -> str:
    cleaned = re.sub(r"[^\w\s]", " ", nfc(text))
    cleaned = re.sub(r"\d", " ", cleaned) if re.search(r"[^\W\d_]", cleaned) else cleaned
    return collapse_spaces(cleaned).upper()


def is_viet_nam(text: str) -> bool:
    """'Việt Nam' as OCR reads it ('ViệtNam', 'Việ Nam', 'Viet Nan'): one letter off at most.
    Nationality is a closed list in which no other name is that near."""
    key = normalize_token(text)
    return Levenshtein.distance(key, "vietnam") <= 1 if len(key) >= 6 else False


def normalize_sex(text: str) -> str | None:
    key = normalize_token(text)
    return {"nam": "M", "nu": "F"}.get(key)


def repair_family_name_token(raw: RawField) -> RawField:
    """The first word of a name, repaired when OCR garbled a family name (NGUYÊN -> NGUYỄN)."""
    if not raw.tokens:
        return raw
    first = raw.tokens[0]
    word = normalize_name(first.text)
    fixed = repair_family_name(word) if word else None
    if fixed is None:
        return raw
    token = Token(fixed, normalize_token(fixed), max(first.confidence, REPAIRED_WORD_CONFIDENCE),
                  first.bbox)
    return RawField([token, *raw.tokens[1:]])


def id_from_paper(text: str) -> str | None:
    """The number in 'Chứng minh nhân dân số 069391572, cấp ngày ...' (9 or 12 digits)."""
    for m in re.finditer(r"(?<![\w/])([0-9OoIl|SB][0-9OoIl|SB .]{7,15}[0-9OoIl|SB])(?![\w/])", text):
        number = civil_id.repair(m.group(1))
        if number:
            return number
    return None


def year_or_age(text: str, reference_year: int | None) -> tuple[str | None, list[str]]:
    """'1976' -> '1976'; '28 tuổi' (an old register's age) -> reference year minus 28."""
    m = re.search(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", text)
    if m:
        return m.group(1), []
    m = re.search(r"(?<!\d)(\d{1,2})\s*tu", normalize_text_ascii(text))
    if m and reference_year:
        return str(reference_year - int(m.group(1))), []
    return None, ["year_unreadable"]


def normalize_text_ascii(text: str) -> str:
    from kernel.vntext import strip_diacritics
    return strip_diacritics(nfc(text)).lower()


def promote(field: FieldValue, confidence: float) -> FieldValue:
    """The field confirmed by an independent reading (another row of the page): its confidence
    raised, and auto when low OCR confidence was all that held it back."""
    if field.status is FieldStatus.REVIEW and field.reasons != ("low_ocr_confidence",):
        return field
    return field.model_copy(update={"status": FieldStatus.AUTO, "reasons": (),
                                    "confidence": max(field.confidence, confidence)})


def demote(field: FieldValue, reason: str) -> FieldValue:
    """The field sent to review for ``reason`` (a check across records of one page)."""
    return field.model_copy(update={
        "status": FieldStatus.REVIEW, "confidence": min(field.confidence, 0.5),
        "reasons": tuple(dict.fromkeys((*field.reasons, reason)))})


def read_date(text: str) -> tuple[dt.date | None, list[str]]:
    """The date printed in digits, and what is doubtful about it: unreadable, implausible
    (kernel.checks.date_plausible), or repaired from a 6, 8 or 9 that stood for a 0
    ('24/93/1994'; review unless the date in words confirms it)."""
    found = parse_date(text)
    if found is not None and not checks.date_plausible(found):
        return found, []
    candidates = date_candidates(text)
    if len(candidates) == 1:
        return candidates[0], ["date_repaired"]
    if found is not None:
        return found, checks.date_plausible(found)
    return None, ["date_unreadable"]


_AS_DIGITS = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0"})


class FieldBuilder:
    """Collects field values for one record; ``build`` gives the finished fields."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.fields: dict[str, FieldValue] = {}

    def value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.value if found else None

    def put(self, name: str, value: str | None, raw: RawField, reasons: list[str],
            confidence: float | None = None) -> None:
        conf = raw.confidence if confidence is None else confidence
        if value is None and not reasons:
            reasons = ["unreadable"]
        if reasons:
            self.fields[name] = FieldValue(value=value, confidence=min(conf, 0.5),
                                           status=FieldStatus.REVIEW, reasons=tuple(reasons),
                                           bbox=raw.bbox)
        elif conf < (self.ctx.structured_auto_min if name in STRUCTURED else self.ctx.auto_min):
            self.fields[name] = FieldValue(value=value, confidence=conf, status=FieldStatus.REVIEW,
                                           reasons=("low_ocr_confidence",), bbox=raw.bbox)
        else:
            self.fields[name] = FieldValue(value=value, confidence=conf, status=FieldStatus.AUTO,
                                           bbox=raw.bbox)

    def _demote(self, name: str, reason: str) -> None:
        if name in self.fields:
            self.fields[name] = demote(self.fields[name], reason)

    def fill(self, raw: dict[str, RawField], names: tuple[str, ...], *,
             required: tuple[str, ...] = ("full_name", "date_of_birth"),
             reference_year: int | None = None,
             book_year_check: bool = True) -> dict[str, FieldValue]:
        """Normalize and check every field of ``names`` found in ``raw``.

        ``book_year_check``: the registration date's year must be the book's year (off on a
        register page, where the rows are checked together: :func:`kernel.checks.page_year_problems`).
        """
        empty = RawField()
        get = lambda n: raw.get(n, empty)  # noqa: E731
        for name in NAME_FIELDS:
            if name in raw and name in names:
                fixed = repair_family_name_token(get(name))
                value = normalize_name(fixed.text)
                if self.ctx.lexicon is not None:
                    value = " ".join(p for w in value.split() for p in self.ctx.lexicon.split_joined(w))
                    first = value.split()[0] if value else ""
                    repaired = repair_family_name(first) if first else None  # 'NGUYÊNCẨMYẾN'
                    value = " ".join([repaired, *value.split()[1:]]) if repaired else value
                problems = [] if len(value.split()) >= 2 else ["name_malformed"]
                if not problems and (value.split()[-1] in MIDDLE_ONLY or (
                        len(value.split()) == 2 and value.split()[0] in MIDDLE_ONLY)):
                    problems.append("name_part_lost")  # 'TRẦN THỊ', 'VĂN THƯƠNG'
                if not problems and not is_family_name(value.split()[0]):
                    problems.append("family_name_unusual")
                if self.ctx.lexicon is not None and not problems and self.ctx.lexicon.unknown_in_name(value):
                    problems.append("name_unknown_syllable")
                if self.ctx.lexicon is not None and not problems and self.ctx.lexicon.rare_marks(value):
                    problems.append("name_rare_marks")
                self.put(name, value or None, fixed, problems)
                if value:
                    self.fields[name] = self.fields[name].model_copy(
                        update={"canonical": canonical_text(value)})
        dob, dob_confirmed = None, False
        if "date_of_birth" in raw:
            text = get("date_of_birth").text
            dob, reasons = read_date(text)
            words = get("dob_words").text
            if words and normalize_token(words.split()[0]) != "ngay":
                words = "ngày " + words
            in_words = parse_date_words(words) if words else None
            conf = get("date_of_birth").confidence
            if in_words is not None and (in_words == dob or in_words in date_candidates(text)):
                dob, reasons, conf = in_words, [], max(conf, 0.98)  # two readings agree
                dob_confirmed = True
            elif in_words is not None and dob is not None:
                reasons.append("date_words_disagree")
            elif in_words is not None and not checks.date_plausible(in_words):
                dob, reasons = in_words, ["date_from_words"]  # the digits are unreadable
            self.put("date_of_birth", dob.isoformat() if dob else text or None,
                     get("date_of_birth"), reasons, conf)
            dob = dob if not reasons else None  # a doubtful date checks nothing else
        if "sex" in raw and "sex" in names:
            sex = normalize_sex(get("sex").text)
            self.put("sex", sex, get("sex"), [] if sex else ["sex_unreadable"])
        if "ethnicity" in raw and "ethnicity" in names:
            text = get("ethnicity").text
            group = ethnic_group(text) if text else None
            self.put("ethnicity", group or text or None, get("ethnicity"),
                     [] if group else ["ethnicity_unknown"])
        if "nationality" in raw and "nationality" in names:
            text = get("nationality").text
            known = is_viet_nam(text)  # a closed list: near it is it, whatever the OCR said
            self.put("nationality", "Việt Nam" if known else text or None, get("nationality"),
                     [] if known else ["nationality_unusual"],
                     max(get("nationality").confidence, 0.9) if known else None)
        registered_in = None
        for name in PLACE_FIELDS:
            if name in raw and name in names:
                place = check_place(get(name).text, self.ctx.gazetteer, self.ctx.lexicon)
                text, reasons, province = place.text, place.reasons, place.province
                conf = get(name).confidence
                if place.verified:  # every word confirmed by the unit list: raise it
                    conf = VERIFIED_PLACE_FLOOR + (1 - VERIFIED_PLACE_FLOOR) * conf
                self.put(name, text or None, get(name), reasons, conf)
                if name == "registration_place":
                    registered_in = province
        reg, book_disagrees = None, False
        book = checks.normalize_book_number(get("book_number").text) if "book_number" in raw else None
        if "registration_date" in raw:
            reg, reasons = read_date(get("registration_date").text)
            if reg and not reasons:
                reasons = checks.registration_problems(reg, dob, book if book_year_check else None)
            self.put("registration_date", reg.isoformat() if reg else
                     get("registration_date").text or None, get("registration_date"), reasons)
            if "registered_before_birth" in reasons and not dob_confirmed:
                self._demote("date_of_birth", "registered_before_birth")  # which one is wrong?
            book_disagrees = "book_year_disagrees" in reasons
            reg = reg if not reasons else None
        if "date_of_death" in raw and "date_of_death" in names:
            died, reasons = read_date(get("date_of_death").text)
            if died and not reasons:
                reasons = checks.event_after_birth(died, dob, "died_before_birth")
            self.put("date_of_death", died.isoformat() if died else
                     get("date_of_death").text or None, get("date_of_death"), reasons)
            if reasons == ["died_before_birth"] and not dob_confirmed:
                self._demote("date_of_birth", "died_before_birth")
        source = "id_number" if "id_number" in raw else "id_paper" if "id_paper" in raw else None
        if source and "id_number" in names:
            text = get(source).text
            number = civil_id.repair(text) if source == "id_number" else id_from_paper(text)
            reasons = ["id_unreadable"] if number is None else civil_id.inconsistencies(
                number, sex=self.value("sex"), birth_year=dob.year if dob else None,
                province_code=registered_in if "place_of_birth" in names else None)  # the
            # registration of a birth, not of a marriage or a death, gives the ID's province
            self.put("id_number", number, get(source), reasons)
            if "id_birth_year_mismatch" in reasons and not dob_confirmed:
                self._demote("date_of_birth", "id_birth_year_mismatch")  # either may be misread
            if "id_sex_mismatch" in reasons:
                self._demote("sex", "id_sex_mismatch")
        ref = reference_year or (reg.year if reg else None)
        for name in ("father_birth_year", "mother_birth_year"):
            if name in raw and name in names:
                year, reasons = year_or_age(get(name).text, ref)
                if year:
                    reasons += checks.parent_year_problems(int(year), dob.year if dob else None)
                self.put(name, year, get(name), reasons)
        if "registration_number" in raw and "registration_number" in names:
            text = get("registration_number").text
            if re.fullmatch(r"[0-9IlO|]{1,4}", text):  # 'Số: l' is Số: 1
                text = text.translate(_AS_DIGITS)
            m = re.search(r"\d+", text)
            self.put("registration_number", (m.group(0).lstrip("0") or "0") if m else None,
                     get("registration_number"), [] if m else ["number_unreadable"])
        if "book_number" in raw and "book_number" in names:
            reasons = checks.book_problems(book) if book else ["empty"]
            if not reasons and book_disagrees:  # one of the two is misread
                reasons = ["book_year_disagrees"]
            self.put("book_number", book or None, get("book_number"), reasons)
        for name in required:
            if name in names and name not in self.fields:
                self.fields[name] = FieldValue(value=None, confidence=0.0,
                                               status=FieldStatus.REVIEW, reasons=("not_found",))
        for name in names:
            self.fields.setdefault(name, FieldValue(value=None, confidence=1.0,
                                                    status=FieldStatus.AUTO))
        return {name: self.fields[name] for name in names}
