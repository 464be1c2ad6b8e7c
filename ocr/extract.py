"""From OCR words to the fields of a birth certificate or extract.

Labels are found by fuzzy matching (rapidfuzz) on their diacritics-free form, so a garbled
tone mark or a lost colon does not lose a field. Values are normalized (kernel), checked
against each other (date in digits vs in words, ID vs sex and birth year, registration after
birth), and given a confidence from the OCR word confidences and the checks. A field is
``auto`` only when its confidence reaches the threshold and no check failed; otherwise it is
``review`` with the reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kernel import civil_id
from kernel.places import Gazetteer
from kernel.syllables import SyllableLexicon
from kernel.records import DocType, ExtractedRecord, FieldStatus, FieldValue, FIELD_NAMES, OcrPage
from kernel.vndate import parse_date, parse_date_words
from kernel.vnnames import repair_family_name
from kernel.vntext import collapse_spaces, nfc, strip_diacritics
from ocr.labels import FIELD_FOR, GLOBAL_FIELDS, LABELS, TITLES, Label

REQUIRED = ("full_name", "date_of_birth", "sex")
_PUNCT_EDGES = " \t:;,.-_|'\"“”‘’"


@dataclass(frozen=True)
class Token:
    text: str
    norm: str
    confidence: float
    bbox: tuple[int, int, int, int]

    @property
    def has_colon(self) -> bool:
        return ":" in self.text


@dataclass
class RawField:
    tokens: list[Token] = field(default_factory=list)

    @property
    def text(self) -> str:
        return collapse_spaces(" ".join(t.text for t in self.tokens)).strip(_PUNCT_EDGES)

    @property
    def confidence(self) -> float:
        confs = [t.confidence for t in self.tokens]
        if not confs:
            return 0.0
        return 0.6 * (sum(confs) / len(confs)) + 0.4 * min(confs)

    @property
    def bbox(self) -> tuple[int, int, int, int] | None:
        if not self.tokens:
            return None
        boxes = [t.bbox for t in self.tokens]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))


def normalize_token(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", strip_diacritics(nfc(text)).lower())


def _label_at(tokens: list[Token], i: int) -> Label | None:
    best: tuple[float, int, Label] | None = None
    for label in LABELS:
        k = label.size
        if i + k > len(tokens):
            continue
        candidate = " ".join(t.norm for t in tokens[i:i + k])
        score = fuzz.ratio(candidate, label.text)
        colon = tokens[i + k - 1].has_colon or (i + k < len(tokens) and tokens[i + k].text == ":")
        needed = 100.0 if k == 1 else 86.0 if k <= 3 else 80.0
        if score < needed or not (colon or (k >= 3 and score == 100.0)):
            continue
        if best is None or (score, k) > (best[0], best[1]):
            best = (score, k, label)
    return best[2] if best else None


def find_fields(page: OcrPage) -> tuple[dict[str, RawField], str | None]:
    """Label -> raw value tokens, scoped to child / mother / father; and the document title."""
    found: dict[str, RawField] = {}
    title = None
    scope = "child"
    for line in page.lines():
        tokens = [Token(w.text, normalize_token(w.text), w.confidence, w.bbox) for w in line]
        tokens = [t for t in tokens if t.norm or t.text == ":"]
        joined = " ".join(t.norm for t in tokens if t.norm)
        for title_text in TITLES:
            if title is None and fuzz.partial_ratio(title_text, joined) >= 90 and len(joined) < 40:
                title = title_text
        current: RawField | None = None
        i = 0
        while i < len(tokens):
            label = _label_at(tokens, i)
            if label is not None:
                if label.starts_scope:
                    scope = label.starts_scope
                name = GLOBAL_FIELDS.get(label.key) or FIELD_FOR.get((scope, label.key))
                current = None
                if name and name not in found:
                    current = found[name] = RawField()
                i += label.size
                continue
            if current is not None and tokens[i].text != ":":
                current.tokens.append(tokens[i])
            i += 1
    return found, title


def _review(value, conf, reasons, bbox) -> FieldValue:
    return FieldValue(value=value, confidence=min(conf, 0.5), status=FieldStatus.REVIEW,
                      reasons=tuple(reasons), bbox=bbox)


class _Builder:
    def __init__(self, auto_min: float) -> None:
        self.auto_min = auto_min
        self.fields: dict[str, FieldValue] = {}

    def put(self, name: str, value: str | None, raw: RawField, reasons: list[str],
            confidence: float | None = None) -> None:
        conf = raw.confidence if confidence is None else confidence
        if value is None and not reasons:
            reasons = ["unreadable"]
        if reasons:
            self.fields[name] = _review(value, conf, reasons, raw.bbox)
            return
        if conf < self.auto_min:
            self.fields[name] = FieldValue(value=value, confidence=conf, status=FieldStatus.REVIEW,
                                           reasons=("low_ocr_confidence",), bbox=raw.bbox)
            return
        self.fields[name] = FieldValue(value=value, confidence=conf, status=FieldStatus.AUTO,
                                       bbox=raw.bbox)

    def value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.value if found else None


def normalize_name(text: str) -> str:
    cleaned = re.sub(r"[^\w\s]", " ", nfc(text))
    return collapse_spaces(cleaned).upper()


REPAIRED_WORD_CONFIDENCE = 0.9
"""A family name repaired from the lexicon is as sure as a well-read word: the lexicon is
closed and the repair is made only when exactly one family name fits."""


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


def normalize_sex(text: str) -> str | None:
    key = normalize_token(text)
    if key in ("nam",):
        return "M"
    if key in ("nu",):
        return "F"
    return None


def check_place(text: str, gazetteer: Gazetteer | None) -> tuple[str, list[str], str | None]:
    """The place with unambiguous repairs of unit names (Củ Chỉ -> Củ Chi), and what is wrong.

    A printed unit the gazetteer does not know, or cannot tell from another, goes to review;
    that is only said when the gazetteer knows units at that level (the built-in table has
    provinces only). Also returns the province code the place resolved to, if any.
    """
    if not text:
        return text, ["empty"], None
    if gazetteer is None:
        return text, [], None
    match = gazetteer.resolve(text)
    has_level = {"province": True, "district": bool(gazetteer.districts),
                 "commune": bool(gazetteer.communes)}
    doubtful = [n for n in match.notes
                if n.level and has_level.get(n.level) and n.method in ("unknown", "ambiguous")]
    return match.corrected, ["place_unresolved"] if doubtful else [], match.province_code


def extract_birth_certificate(page: OcrPage, *, auto_min: float = 0.8,
                              gazetteer: Gazetteer | None = None,
                              lexicon: SyllableLexicon | None = None) -> ExtractedRecord:
    raw, title = find_fields(page)
    b = _Builder(auto_min)
    empty = RawField()
    get = lambda name: raw.get(name, empty)  # noqa: E731

    for name in ("full_name", "mother_name", "father_name"):
        if name in raw:
            fixed = repair_family_name_token(get(name))
            value = normalize_name(fixed.text)
            problems = [] if len(value.split()) >= 2 and not re.search(r"\d", value) else ["name_malformed"]
            if lexicon is not None and not problems and lexicon.unknown(value):
                problems.append("name_unknown_syllable")
            b.put(name, value or None, fixed, problems)

    dob = parse_date(get("date_of_birth").text) if "date_of_birth" in raw else None
    if "date_of_birth" in raw:
        words = get("dob_words").text
        if words and not normalize_token(words.split()[0]) == "ngay":
            words = "ngày " + words
        in_words = parse_date_words(words) if words else None
        reasons, conf = [], get("date_of_birth").confidence
        if dob is None:
            reasons.append("date_unreadable")
        elif in_words is not None and in_words != dob:
            reasons.append("date_words_disagree")
        elif in_words == dob:
            conf = max(conf, 0.98)  # two independent readings agree
        b.put("date_of_birth", dob.isoformat() if dob else get("date_of_birth").text or None,
              get("date_of_birth"), reasons, conf)

    if "sex" in raw:
        sex = normalize_sex(get("sex").text)
        b.put("sex", sex, get("sex"), [] if sex else ["sex_unreadable"])

    for name in ("ethnicity", "nationality"):
        if name in raw:
            text = get(name).text
            b.put(name, text or None, get(name), [] if text else ["empty"])
    registered_in = None  # province code (2 digits) of the registering body
    for name in ("place_of_birth", "hometown", "registration_place"):
        if name in raw:
            text, reasons, province = check_place(get(name).text, gazetteer)
            b.put(name, text or None, get(name), reasons)
            if name == "registration_place":
                registered_in = province

    if "id_number" in raw:
        number = civil_id.repair(get("id_number").text)
        reasons = ["id_unreadable"] if number is None else civil_id.inconsistencies(
            number, sex=b.value("sex"), birth_year=dob.year if dob else None,
            province_code=registered_in)
        b.put("id_number", number, get("id_number"), reasons)

    for name in ("father_birth_year", "mother_birth_year"):
        if name in raw:
            m = re.search(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", get(name).text)
            reasons = [] if m else ["year_unreadable"]
            if m and dob and not (12 <= dob.year - int(m.group(1)) <= 70):
                reasons.append("parent_age_implausible")
            b.put(name, m.group(1) if m else None, get(name), reasons)

    if "registration_number" in raw:
        m = re.search(r"\d+", get("registration_number").text)
        b.put("registration_number", m.group(0).lstrip("0") or "0" if m else None,
              get("registration_number"), [] if m else ["number_unreadable"])
    if "book_number" in raw:
        text = get("book_number").text.replace(" ", "")
        b.put("book_number", text or None, get("book_number"), [] if text else ["empty"])

    if "registration_date" in raw:
        reg = parse_date(get("registration_date").text)
        reasons = [] if reg else ["date_unreadable"]
        if reg and dob and reg < dob:
            reasons.append("registered_before_birth")
        b.put("registration_date", reg.isoformat() if reg else get("registration_date").text or None,
              get("registration_date"), reasons)

    for name in REQUIRED:
        if name not in b.fields:
            b.fields[name] = FieldValue(value=None, confidence=0.0, status=FieldStatus.REVIEW,
                                        reasons=("not_found",))
    for name in FIELD_NAMES:
        b.fields.setdefault(name, FieldValue(value=None, confidence=1.0, status=FieldStatus.AUTO))
    doc_type = DocType.BIRTH_CERTIFICATE if (title or "full_name" in raw) else DocType.UNKNOWN
    return ExtractedRecord(doc_type=doc_type, fields=dict(b.fields))
