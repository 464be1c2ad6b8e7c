"""Fields of ID-card copies: one record per card holder, front and back merged.

Works on the words of each card read on its own (:mod:`ocr.cardfind`), its labels and
values found by :mod:`ocr.cardtext`. A card's side comes from what it says (the front's name
and birth labels; the back's MRZ, fingerprints or issue date). The ID number is the 12-digit
run on the front that decodes (kernel.civil_id repairs OCR letter/digit slips); the MRZ on the back, with its check digits, confirms the number and the birth date or
contradicts them (review); the number must also agree with the sex, the birth year and, on
2024 cards, the province where the birth was registered. Backs are paired with fronts by
the MRZ number, else by sitting on the same row, else when there is only one front.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from kernel import civil_id
from kernel.records import (ID_CARD_FIELDS, DocType, ExtractedRecord, FieldStatus, FieldValue,
                            OcrPage)
from kernel.vndate import parse_date
from kernel.vntext import strip_diacritics
from ocr.cardfind import CardScan
from ocr.cardtext import (CardText, date_text, digit_runs, fill_gaps, id_candidates,
                          label_hits, label_values, side_of)
from ocr.fields import Context, FieldBuilder
from ocr.lines import Token
from ocr.idnumber import page_numbers, settle
from ocr.mrz import MrzReading, parse_mrz
from ocr.scan import RawField

MRZ_CONFIRMED = 0.99
PLACES = ("hometown", "residence", "registration_place")
DATES = ("date_of_birth", "issue_date", "expiry_date")
CARD_DATE_AUTO_MIN = 0.85
"""A date read from a card alone (no MRZ to confirm it) is auto only from this confidence."""


@dataclass
class CardSide:
    card: CardScan
    side: str
    text: CardText
    values: dict[str, list[Token]]
    id_number: tuple[str, list[Token]] | None
    mrz: MrzReading | None
    labels: frozenset[str] = frozenset()  # fields whose label was found: their value is due

    @property
    def centre(self) -> tuple[float, float]:
        """On the upright page (the preprocessed page's box), else on the scan."""
        if self.card.box is not None:
            x0, y0, x1, y1 = self.card.box
            return (x0 + x1) / 2, (y0 + y1) / 2
        c = np.asarray(self.card.corners)
        return float(c[:, 0].mean()), float(c[:, 1].mean())

    @property
    def height(self) -> float:
        if self.card.box is not None:
            return float(self.card.box[3] - self.card.box[1])
        c = np.asarray(self.card.corners)
        return float(np.linalg.norm(c[3] - c[0]))


def read_side(card: CardScan) -> CardSide:
    text = CardText.of(card)
    hits = label_hits(text)
    values = label_values(text, hits)
    side = side_of(text)
    if side == "front":
        fill_gaps(text, values)
    ids = id_candidates(text, hits)
    mrz = parse_mrz(text.raw_lines()) if side == "back" else None
    return CardSide(card, side, text, values, ids[0] if ids else None, mrz,
                    frozenset(hits))


def _pair(sides: list[CardSide]) -> list[tuple[CardSide | None, CardSide | None]]:
    fronts = [s for s in sides if s.side == "front"]
    backs = [s for s in sides if s.side == "back"]
    pairs: dict[int, CardSide] = {}
    for back in backs:
        mrz_id = back.mrz.id_number if back.mrz else None
        match = next((i for i, f in enumerate(fronts) if mrz_id and f.id_number
                      and f.id_number[0] == mrz_id and i not in pairs), None)
        if match is None:
            row = [i for i, f in enumerate(fronts) if i not in pairs
                   and abs(f.centre[1] - back.centre[1]) < 0.5 * f.height]
            match = row[0] if len(row) == 1 else None
        if match is None and len(fronts) == 1 and 0 not in pairs:
            match = 0
        if match is not None:
            pairs[match] = back
    out: list[tuple[CardSide | None, CardSide | None]] = [(f, pairs.get(i)) for i, f in enumerate(fronts)]
    out += [(None, b) for b in backs if b not in pairs.values()]
    return out


_JUNK_EDGES = re.compile(r"^[-_.'\"|~`*]+|[-_'\"|~`*]+$")


def _clean(token: Token) -> Token:
    """A place word without the specks OCR reads as punctuation at its edges ("-Hải",
    "Phạm."); abbreviations keep their dot ("TP.", "P.")."""
    text = _JUNK_EDGES.sub("", re.sub(r"(?<=,)[-_.'\"|~`*]+", " ", token.text))
    if text.endswith(".") and len(text) > 4:
        text = text[:-1]
    return token if text == token.text else Token(text, token.norm, token.confidence, token.bbox)


def _raw(tokens: list[Token], text: str | None = None, *, place: bool = False) -> RawField:
    if place:
        tokens = [c for c in map(_clean, tokens) if c.text]
    if text is None or not tokens:
        return RawField(list(tokens))
    conf = min(t.confidence for t in tokens)
    return RawField([Token(text, text, conf, tokens[0].bbox)])


def _record(front: CardSide | None, back: CardSide | None, ctx: Context, row: int,
            page_ids: set[str]) -> ExtractedRecord:
    raw: dict[str, RawField] = {}
    for side in (back, front):  # the front's reading wins where both have a field
        if side is None:
            continue
        for name in ("full_name", "sex", "nationality", "hometown", "residence",
                     "registration_place"):
            if name in side.values:
                raw[name] = _raw(side.values[name], place=name in PLACES)
        if "full_name" in side.values:  # a speck read as a letter beside the name
            tokens = list(side.values["full_name"])
            while len(tokens) > 2 and len(tokens[-1].norm) <= 1:
                tokens.pop()
            while len(tokens) > 2 and len(tokens[0].norm) <= 1:
                tokens.pop(0)
            raw["full_name"] = _raw(tokens)
        if "sex" in side.values:  # "NữỮ_", "Namn": the word OCR stuttered on
            norm = side.values["sex"][0].norm
            word = "Nam" if norm.startswith("nam") else "Nữ" if norm.startswith("nu") else None
            if word:
                raw["sex"] = _raw(side.values["sex"][:1], word)
        if "date_of_birth" in side.values:
            raw["date_of_birth"] = _raw(side.values["date_of_birth"],
                                        date_text(side.values["date_of_birth"]))
    if front is not None and front.id_number:
        raw["id_number"] = _raw(front.id_number[1], front.id_number[0])
    builder = FieldBuilder(ctx)
    due = set().union(*(s.labels for s in (front, back) if s is not None))
    if front is not None:
        due |= {"id_number", "full_name", "date_of_birth", "sex", "nationality"}
    fields = builder.fill(raw, ID_CARD_FIELDS,
                          required=tuple(f for f in ID_CARD_FIELDS if f in due))
    for name in ("issue_date", "expiry_date"):
        for side in (front, back):
            if side is not None and name in side.values:
                tokens = side.values[name]
                when = parse_date(date_text(tokens))
                words = strip_diacritics(" ".join(t.text for t in tokens)).lower()
                never = "khong" in words and "thoi han" in words
                if never and not when:  # "Không thời hạn": the card does not expire
                    fields[name] = FieldValue(value=None, confidence=RawField(tokens).confidence,
                                              status=FieldStatus.AUTO, bbox=RawField(tokens).bbox)
                    continue
                builder.put(name, when.isoformat() if when else None, RawField(tokens),
                            [] if when else ["date_unreadable"])
                fields[name] = builder.fields[name]
    mrz = back.mrz if back is not None else None
    if mrz is not None:
        fields = _with_mrz(fields, mrz)
    for name in DATES:  # a card's small print: one digit of a date is easily misread
        got = fields[name]
        if got.status is FieldStatus.AUTO and got.value and got.confidence < CARD_DATE_AUTO_MIN:
            fields[name] = got.model_copy(update={"status": FieldStatus.REVIEW,
                                                  "reasons": ("low_ocr_confidence",)})
    for name in _implausible_dates(fields):
        got = fields[name]
        fields[name] = got.model_copy(update={"status": FieldStatus.REVIEW,
                                              "confidence": min(got.confidence, 0.5),
                                              "reasons": (*got.reasons, "date_implausible")})
    fields["id_number"] = settle(fields["id_number"], mrz=mrz.id_number if mrz else None,
                                 page=page_ids, runs=digit_runs(front.text) if front else [],
                                 sex=fields["sex"].value,
                                 birth_year=_year(fields["date_of_birth"].value),
                                 lines=front.card.numbers if front else ())
    box = (front or back).card.box  # type: ignore[union-attr]
    fields = {k: v.model_copy(update={"bbox": box if v.value is not None else None})
              for k, v in fields.items()}
    return ExtractedRecord(doc_type=DocType.ID_CARD, fields=fields, row=row, role="card")


def _with_mrz(fields: dict[str, FieldValue], mrz: MrzReading) -> dict[str, FieldValue]:
    """The MRZ (check digits verified) confirms a field, contradicts it, or stands in for it."""
    out = dict(fields)
    checks = {"date_of_birth": _mrz_birth(mrz, out["date_of_birth"].value,
                                          out["id_number"].value),
              "sex": mrz.sex, "expiry_date": mrz.expiry.isoformat() if mrz.expiry else None}
    for name, value in checks.items():
        if value is None:
            continue
        got = out[name]
        if got.value == value:
            if not got.reasons or set(got.reasons) <= {"low_ocr_confidence"}:
                out[name] = got.model_copy(update={"confidence": max(got.confidence, MRZ_CONFIRMED),
                                                   "status": FieldStatus.AUTO, "reasons": ()})
        elif got.value is None or "date_unreadable" in got.reasons or "sex_unreadable" in got.reasons:
            out[name] = FieldValue(value=value, confidence=0.5, status=FieldStatus.REVIEW,
                                   reasons=("from_mrz_only",))
        else:  # a date in the MRZ passed its check digit, the card's print has none
            out[name] = got.model_copy(update={"value": value if name in DATES else got.value,
                                               "status": FieldStatus.REVIEW,
                                               "confidence": min(got.confidence, 0.5),
                                               "reasons": (f"{name}_mrz_disagree",)})
    return out


def _implausible_dates(fields: dict[str, FieldValue]) -> list[str]:
    """Card dates that cannot be: issued before 2016 (the first CCCD) or in the future,
    born after the issue, expiring before it."""
    def when(name: str) -> date | None:
        value = fields[name].value
        return date.fromisoformat(value) if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None

    born, issued, expires = when("date_of_birth"), when("issue_date"), when("expiry_date")
    bad = []
    if issued and not date(2016, 1, 1) <= issued <= date.today():
        bad.append("issue_date")
    if born and issued and born > issued:
        bad.append("date_of_birth")
    if expires and issued and expires <= issued:
        bad.append("expiry_date")
    return bad


def _mrz_birth(mrz: MrzReading, front: str | None, number: str | None) -> str | None:
    """The MRZ's birth date (YYMMDD, check digit verified) with its century: the front's
    when the rest agrees, else the century digit of the card's number, else the latest
    century that does not put the birth in the future."""
    if mrz.birth is None:
        return mrz.date_of_birth.isoformat() if mrz.date_of_birth else None
    yy, mm, dd = mrz.birth[:2], mrz.birth[2:4], mrz.birth[4:6]
    if front and re.fullmatch(r"\d{4}-\d{2}-\d{2}", front) and front[2:] == f"{yy}-{mm}-{dd}":
        return front
    info = civil_id.decode(number or "")
    century = info.birth_year // 100 * 100 if info else (
        2000 if int(yy) <= date.today().year % 100 else 1900)
    try:
        return date(century + int(yy), int(mm), int(dd)).isoformat()
    except ValueError:
        return None


def _year(iso: str | None) -> int | None:
    return int(iso[:4]) if iso and re.match(r"\d{4}-", iso) else None


def extract_cards(cards: tuple[CardScan, ...], ctx: Context, page: OcrPage | None = None
                  ) -> list[ExtractedRecord]:
    """One record per card holder on the page (row = 1-based index, fronts in reading order,
    then backs that could not be paired). ``page``: the OCR of the whole page, a second
    reading of the numbers (:mod:`ocr.idnumber`)."""
    sides = [read_side(c) for c in cards if c.words is not None]
    page_ids = page_numbers(page)
    return [_record(f, b, ctx, row, page_ids)
            for row, (f, b) in enumerate(_pair(sides), start=1)]
