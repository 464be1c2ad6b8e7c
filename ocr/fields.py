"""Raw field text into normalized, cross-checked field values with a confidence and status.

A field is ``auto`` only when its confidence reaches the threshold and no check failed;
otherwise it is ``review`` with the reasons. Checks: the date in digits agrees with the date
in words; the ID agrees with sex, birth year and the province of registration; registration
on or after birth; parents' ages plausible; names made of real syllables; places known to
the administrative-unit list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kernel import civil_id
from kernel.places import Gazetteer
from kernel.records import FieldStatus, FieldValue
from kernel.syllables import SyllableLexicon
from kernel.vndate import parse_date, parse_date_words
from kernel.vnnames import ethnic_group, is_family_name, repair_family_name
from kernel.vntext import collapse_spaces, nfc
from ocr.lines import Token, normalize_token
from ocr.scan import RawField

NAME_FIELDS = ("full_name", "mother_name", "father_name")
PLACE_FIELDS = ("place_of_birth", "hometown", "registration_place", "residence", "place_of_death")
REPAIRED_WORD_CONFIDENCE = 0.9
"""A family name repaired from the lexicon is as sure as a well-read word: the lexicon is
closed and the repair is made only when exactly one family name fits."""


STRUCTURED = frozenset({"date_of_birth", "registration_date", "date_of_death", "sex",
                        "nationality", "ethnicity", "registration_number", "book_number",
                        "father_birth_year", "mother_birth_year"})
"""Fields whose value must also pass a strict format or list check (a real date, Nam/Nữ, one
of the 54 ethnic groups, a year): for them a lower OCR confidence suffices, measured on the
training corpus (benchmarks/RESULTS.md, calibration)."""
STRUCTURED_AUTO_MIN = 0.6


@dataclass(frozen=True)
class Context:
    auto_min: float = 0.8
    gazetteer: Gazetteer | None = None
    lexicon: SyllableLexicon | None = None
    structured_auto_min: float = STRUCTURED_AUTO_MIN


def normalize_name(text: str) -> str:
    cleaned = re.sub(r"[^\w\s]", " ", nfc(text))
    cleaned = re.sub(r"\d", " ", cleaned) if re.search(r"[^\W\d_]", cleaned) else cleaned
    return collapse_spaces(cleaned).upper()


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


_UNIT_STOP = re.compile(r"\s*[.;]\s+(?=(?:xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh)\b)",
                        re.IGNORECASE)


_ABBREVIATION = re.compile(r"\b(X|H|T|P|Q|TP|Tp|TX|TT)\.\s*(?=[^\W\d_])")
_JOINED_UNIT = re.compile(r"\b(thị|thành)(xã|trấn|phố)\b", re.IGNORECASE)


def tidy_place(text: str) -> str:
    """Spacing and punctuation as printed: OCR drops the space after a comma or an
    abbreviation ("Xuân Đám,huyện", "P.Ngọc Hiệp") and reads a comma as a dot."""
    text = _UNIT_STOP.sub(", ", text)  # "xã Hồng Hạ. huyện A Lưới"
    text = re.sub(r"\s*,\s*", ", ", text)
    text = _ABBREVIATION.sub(lambda m: m.group(1) + ". ", text)
    text = _JOINED_UNIT.sub(lambda m: m.group(1) + " " + m.group(2), text)
    return " ".join(text.split()).strip(" ,")


_TRUNCATED = re.compile(r"(?:^|[\s,])(?:xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh|"
                        r"tp|tt|x|h|t|p|q)\.?\s*$", re.IGNORECASE)


def check_place(text: str, gazetteer: Gazetteer | None) -> tuple[str, list[str], str | None]:
    """The place with unambiguous repairs of unit names (Củ Chỉ -> Củ Chi), and what is wrong.

    A printed unit the gazetteer does not know, or cannot tell from another, goes to review;
    that is only said when the gazetteer knows units at that level (the built-in table has
    provinces only). Also returns the province code the place resolved to, if any.
    """
    if not text:
        return text, ["empty"], None
    text = tidy_place(text)
    if gazetteer is None:
        return text, [], None
    if _TRUNCATED.search(text):  # "..., huyện Nậm Nhùn, tỉnh": the name was lost
        return text, ["place_truncated"], None
    match = gazetteer.resolve(text)
    has_level = {"province": True, "district": bool(gazetteer.districts),
                 "commune": bool(gazetteer.communes)}
    doubtful = [n for n in match.notes
                if n.level and has_level.get(n.level) and n.method in ("unknown", "ambiguous")]
    seen_unit, stray = False, False
    for n in match.notes:  # free text belongs before the first unit ("Trạm y tế", "Thôn 3")
        seen_unit = seen_unit or n.level is not None
        stray = stray or (seen_unit and n.level is None)
    reasons = []
    if doubtful or match.province_code is None:
        reasons.append("place_unresolved")
    elif "province" in match.inferred:  # places are printed down to the province (TT 04/2020)
        reasons.append("place_incomplete")
    if stray:
        reasons.append("place_garbled")
    return match.corrected, reasons, match.province_code


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

    def fill(self, raw: dict[str, RawField], names: tuple[str, ...], *,
             required: tuple[str, ...] = ("full_name", "date_of_birth"),
             reference_year: int | None = None) -> dict[str, FieldValue]:
        """Normalize and check every field of ``names`` found in ``raw``."""
        empty = RawField()
        get = lambda n: raw.get(n, empty)  # noqa: E731
        for name in NAME_FIELDS:
            if name in raw and name in names:
                fixed = repair_family_name_token(get(name))
                value = normalize_name(fixed.text)
                if self.ctx.lexicon is not None:
                    value = " ".join(p for w in value.split() for p in self.ctx.lexicon.split_joined(w))
                problems = [] if len(value.split()) >= 2 else ["name_malformed"]
                if not problems and not is_family_name(value.split()[0]):
                    problems.append("family_name_unusual")
                if self.ctx.lexicon is not None and not problems and self.ctx.lexicon.unknown(value):
                    problems.append("name_unknown_syllable")
                self.put(name, value or None, fixed, problems)
        dob = parse_date(get("date_of_birth").text) if "date_of_birth" in raw else None
        if "date_of_birth" in raw:
            words = get("dob_words").text
            if words and normalize_token(words.split()[0]) != "ngay":
                words = "ngày " + words
            in_words = parse_date_words(words) if words else None
            reasons, conf = [], get("date_of_birth").confidence
            if dob is None:
                reasons.append("date_unreadable")
            elif in_words is not None and in_words != dob:
                reasons.append("date_words_disagree")
            elif in_words == dob:
                conf = max(conf, 0.98)  # two independent readings agree
            self.put("date_of_birth", dob.isoformat() if dob else get("date_of_birth").text or None,
                     get("date_of_birth"), reasons, conf)
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
            known = normalize_token(text) == "vietnam"
            self.put("nationality", "Việt Nam" if known else text or None, get("nationality"),
                     [] if known else ["nationality_unusual"])
        registered_in = None
        for name in PLACE_FIELDS:
            if name in raw and name in names:
                text, reasons, province = check_place(get(name).text, self.ctx.gazetteer)
                self.put(name, text or None, get(name), reasons)
                if name == "registration_place":
                    registered_in = province
        reg = parse_date(get("registration_date").text) if "registration_date" in raw else None
        if "registration_date" in raw:
            reasons = [] if reg else ["date_unreadable"]
            if reg and dob and reg < dob:
                reasons.append("registered_before_birth")
            self.put("registration_date", reg.isoformat() if reg else get("registration_date").text or None,
                     get("registration_date"), reasons)
        if "date_of_death" in raw and "date_of_death" in names:
            died = parse_date(get("date_of_death").text)
            reasons = [] if died else ["date_unreadable"]
            if died and dob and died < dob:
                reasons.append("died_before_birth")
            self.put("date_of_death", died.isoformat() if died else get("date_of_death").text or None,
                     get("date_of_death"), reasons)
        source = "id_number" if "id_number" in raw else "id_paper" if "id_paper" in raw else None
        if source and "id_number" in names:
            text = get(source).text
            number = civil_id.repair(text) if source == "id_number" else id_from_paper(text)
            reasons = ["id_unreadable"] if number is None else civil_id.inconsistencies(
                number, sex=self.value("sex"), birth_year=dob.year if dob else None,
                province_code=registered_in)
            self.put("id_number", number, get(source), reasons)
        ref = reference_year or (reg.year if reg else None)
        for name in ("father_birth_year", "mother_birth_year"):
            if name in raw and name in names:
                year, reasons = year_or_age(get(name).text, ref)
                if year and dob and not (12 <= dob.year - int(year) <= 70):
                    reasons.append("parent_age_implausible")
                self.put(name, year, get(name), reasons)
        if "registration_number" in raw and "registration_number" in names:
            m = re.search(r"\d+", get("registration_number").text)
            self.put("registration_number", (m.group(0).lstrip("0") or "0") if m else None,
                     get("registration_number"), [] if m else ["number_unreadable"])
        if "book_number" in raw and "book_number" in names:
            text = get("book_number").text.replace(" ", "")
            self.put("book_number", text or None, get("book_number"), [] if text else ["empty"])
        for name in required:
            if name in names and name not in self.fields:
                self.fields[name] = FieldValue(value=None, confidence=0.0,
                                               status=FieldStatus.REVIEW, reasons=("not_found",))
        for name in names:
            self.fields.setdefault(name, FieldValue(value=None, confidence=1.0,
                                                    status=FieldStatus.AUTO))
        return {name: self.fields[name] for name in names}
