"""Pages of a birth register book (Sổ đăng ký khai sinh): a ruled table, one birth per row.

Column headers are read and mapped to fields (fuzzy, on their diacritics-free text), so books
of different editions with different column orders work; a header naming several fields
("Giới tính, Dân tộc, Quốc tịch") gives them line by line. The book number and the
registering body come from the lines above the table. Old books give parents' ages
("28 tuổi"): the year is the registration year minus the age.
"""

from __future__ import annotations

import datetime as dt
import re

from rapidfuzz import fuzz

from kernel import checks
from kernel.records import FIELD_NAMES, DocType, ExtractedRecord, FieldStatus, FieldValue, OcrPage
from kernel.vndate import parse_date
from ocr.fields import Context, FieldBuilder, demote, is_viet_nam, normalize_sex, promote
from ocr.labels import BIRTH
from ocr.layout import Table
from ocr.lines import Line, Token, group_lines, page_tokens, reading_lines, split_by_tables
from ocr.scan import RawField, scan

_NUMBERING = re.compile(r"^[a-z]?\d{1,2}[a-z]?$")  # "(1)".."(11)" after normalization


def _header_fields(text: str) -> list[str]:
    """Fields a column header names, in order ('gioi tinh dan toc quoc tich' -> three)."""
    words = text.split()
    compact = text.replace(" ", "")  # OCR may drop the spaces of a header: "cha,nămsinh"
    if "dinhdanh" in compact:
        return ["id_number"]
    if "me" in words or "tenme" in compact:
        return ["mother"]
    if "cha" in words or "tencha" in compact:
        return ["father"]
    if "dang ky" in text:
        return ["registration_date"]
    if "nam sinh" in text and "ngay" in words:
        return ["date_of_birth"]
    if "noi sinh" in text:
        return ["place_of_birth"]
    if "que quan" in text:
        return ["hometown"]
    combined = [f for key, f in (("gioi tinh", "sex"), ("dan toc", "ethnicity"),
                                 ("quoc tich", "nationality")) if key in text]
    if combined[:2] == ["sex", "ethnicity"] and "nationality" not in combined:
        combined.append("nationality")  # the one cell names all three; "Quốc tịch" was garbled
    if combined:
        return combined
    if "ho" in words and "ten" in words:
        return ["full_name"]
    if "ghi chu" in text:
        return ["notes"]
    if words[:1] == ["so"] and len(words) <= 2:
        return ["registration_number"]
    best = max(_HEADERS, key=lambda h: fuzz.ratio(h, text))  # a garbled header: "ho ton mo"
    return list(_HEADERS[best]) if fuzz.ratio(best, text) >= 80 else []


_HEADERS = {
    "ho chu dem ten": ("full_name",), "ngay thang nam sinh": ("date_of_birth",),
    "gioi tinh dan toc quoc tich": ("sex", "ethnicity", "nationality"),
    "noi sinh": ("place_of_birth",), "que quan": ("hometown",),
    "so dinh danh ca nhan": ("id_number",), "ho ten me nam sinh": ("mother",),
    "ho ten cha nam sinh": ("father",), "ngay dang ky": ("registration_date",),
    "ghi chu": ("notes",)}
"""Printed column headers (normalized), for headers OCR garbled beyond the keyword tests."""


def _cell_lines(page: OcrPage, table: Table, index: int, tables) -> dict[tuple[int, int], list[Line]]:
    _, cells = split_by_tables(page_tokens(page), tables)
    return {(r, c): group_lines(tokens, (index, r, c))
            for (t, r, c), tokens in cells.items() if t == index}


def _norm(lines: list[Line]) -> str:
    return " ".join(t.norm for ln in lines for t in ln.tokens if t.norm)


def _columns(cells, table: Table) -> tuple[dict[int, list[str]], int]:
    """Column -> fields, and the first data row (after the header and numbering rows)."""
    columns: dict[int, list[str]] = {}
    first_data = 0
    for r in range(table.n_rows):
        texts = {c: _norm(cells.get((r, c), [])) for c in range(table.n_cols)}
        found = {c: _header_fields(t) for c, t in texts.items() if t}
        filled = [t for t in texts.values() if t]
        numbering = bool(filled) and sum(bool(_NUMBERING.match(t)) for t in filled) >= 0.7 * len(filled)
        if numbering or (found and sum(bool(v) for v in found.values()) >= 3):
            taken = {f for fields in columns.values() for f in fields}
            for c, fields in found.items():
                if fields and not numbering and not (set(fields) & taken):
                    columns.setdefault(c, fields)
                    taken |= set(fields)
            first_data = r + 1
            continue
        if columns:
            break
    return columns, first_data


def looks_like_register(page: OcrPage, table: Table) -> bool:
    if table.n_cols < 5 or table.n_rows < 2:
        return False
    columns, _ = _columns(_cell_lines(page, table, 0, (table,)), table)
    named = {f for fields in columns.values() for f in fields}
    return {"full_name", "date_of_birth"} <= named


def _split_combined(lines: list[Line], fields: list[str]) -> dict[str, RawField]:
    """'Nam / Kinh / Việt Nam' lines of a combined cell into sex, ethnicity, nationality."""
    out: dict[str, RawField] = {}
    rest: list[list[Token]] = []
    for ln in lines:
        text = " ".join(t.norm for t in ln.tokens)
        if "sex" in fields and "sex" not in out and normalize_sex(text):
            out["sex"] = RawField(list(ln.tokens))
        elif "nationality" in fields and "nationality" not in out and is_viet_nam(text):
            out["nationality"] = RawField(list(ln.tokens))
        else:
            rest.append(list(ln.tokens))
    if "ethnicity" in fields and rest:
        out["ethnicity"] = RawField(rest[0])
    return out


def _parent(lines: list[Line], who: str) -> dict[str, RawField]:
    """The parent's name, and a year ('1976') or an age ('28 tuổi'), wherever they wrap."""
    tokens = [t for ln in lines for t in ln.tokens]
    year = [t for t in tokens if re.search(r"\d", t.norm) or t.norm in ("tuoi", "tuo")]
    name = [t for t in tokens if t not in year]
    out = {f"{who}_name": RawField(name)} if name else {}
    if year:
        out[f"{who}_birth_year"] = RawField(year)
    return out


SEQUENCE_CONFIDENCE = 0.95
"""A registration number that two other rows' numbers agree with."""
_EDITION_COLUMNS = ("id_number", "nationality")
"""Columns that older editions of the book do not have: expected only when a header names them."""
_ROW_FIELDS = ("sex", "place_of_birth", "hometown", "mother_name", "father_name",
               "registration_date")


def _is_registration(raw: dict[str, RawField]) -> bool:
    """A row holds a birth when its name cell has letters or its date cell a date's digits,
    or, when OCR lost both, three more of its cells are filled (a numbering row's '(5)' has
    no letters)."""
    name = raw.get("full_name")
    born = raw.get("date_of_birth")
    has_name = name is not None and sum(c.isalpha() for c in name.text) >= 4
    has_date = born is not None and sum(c.isdigit() for c in born.text) >= 6
    others = sum(1 for f in _ROW_FIELDS if f in raw and sum(c.isalpha() or c.isdigit()
                                                             for c in raw[f].text) >= 3)
    return has_name or has_date or others >= 3


def extract_register(page: OcrPage, tables: tuple[Table, ...], ctx: Context) -> list[ExtractedRecord]:
    index, table = max(enumerate(tables), key=lambda it: it[1].n_rows * it[1].n_cols,
                       default=(None, None))
    if table is None:
        return []
    header = scan([ln for ln in reading_lines(page, tables) if ln.cell is None], BIRTH,
                  page.width)
    place = header.get("registration_place")
    if place:  # "... tỉnh Lào Cai   Năm 2011" on the same header line: the year is not the place
        cut = next((i for i, t in enumerate(place.tokens) if t.norm == "nam" and i > 0
                    and i + 1 < len(place.tokens) and place.tokens[i + 1].norm.isdigit()), None)
        if cut is not None:
            header["registration_place"] = RawField(place.tokens[:cut])
    cells = _cell_lines(page, table, index, tables)
    columns, first_data = _columns(cells, table)
    records: list[ExtractedRecord] = []
    notes: list[str] = []
    row_no = 0
    for r in range(first_data, table.n_rows):
        if not any(cells.get((r, c)) for c in range(table.n_cols)):
            continue
        raw: dict[str, RawField] = {k: v for k, v in header.items()
                                    if k in ("registration_place", "book_number")}
        for c, fields in columns.items():
            lines = cells.get((r, c), [])
            if not lines:
                continue
            if fields in (["mother"], ["father"]):
                raw.update(_parent(lines, fields[0]))
            elif len(fields) > 1:
                raw.update(_split_combined(lines, fields))
            else:
                raw[fields[0]] = RawField([t for ln in lines for t in ln.tokens])
        note = raw.pop("notes", RawField()).text
        if not _is_registration(raw):  # a numbering or stray header row, not a birth
            continue
        row_no += 1
        reg = parse_date(raw["registration_date"].text) if "registration_date" in raw else None
        # every column of a register is filled in (TT 04/2020 Điều 29); the ID number and
        # the nationality are columns of newer editions only
        named = {f for fields in columns.values() for f in fields}
        expected = {f for f in FIELD_NAMES if f not in _EDITION_COLUMNS or f in named}
        fields = FieldBuilder(ctx).fill(raw, FIELD_NAMES, required=tuple(sorted(expected)),
                                        reference_year=reg.year if reg else None,
                                        book_year_check=False)
        records.append(ExtractedRecord(doc_type=DocType.BIRTH_REGISTER, fields=fields, row=row_no))
        notes.append(note)
    return check_page(records, notes)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date(field: FieldValue) -> dt.date | None:
    if field.status is not FieldStatus.AUTO or not field.value:
        return None
    return dt.date.fromisoformat(field.value)


def check_page(records: list[ExtractedRecord], notes: list[str] | None = None
               ) -> list[ExtractedRecord]:
    """Rows of one page checked together: registration numbers count up by one, the
    registrations are in date order and of the book's year (one book per year), and a birth
    registered over a year late says so in the notes."""
    notes = notes or [""] * len(records)
    registered = [_date(r.fields["registration_date"]) for r in records]
    order = checks.order_problems(registered)
    numbers = [_int(r.fields["registration_number"].value) for r in records]
    book = next((r.fields["book_number"].value for r in records if r.fields["book_number"].value),
                None)
    years = checks.page_year_problems([d.year if d else None for d in registered],
                                      checks.book_year(book))
    misread = checks.sequence_problems(numbers)
    confirmed = checks.sequence_confirmed(numbers)
    inferred = checks.sequence_gaps([None if bad else n for n, bad in zip(numbers, misread)])
    out = []
    for i, r in enumerate(records):
        seq, guess = misread[i], inferred[i]
        fields = dict(r.fields)
        for reason in seq:
            fields["registration_number"] = demote(fields["registration_number"], reason)
        if confirmed[i]:
            fields["registration_number"] = promote(fields["registration_number"], SEQUENCE_CONFIDENCE)
        if guess is not None:  # unread or misread, between rows that agree: what it must be
            old = fields["registration_number"]
            fields["registration_number"] = FieldValue(
                value=str(guess), confidence=0.5, status=FieldStatus.REVIEW,
                reasons=(*seq, "number_from_neighbours"), bbox=old.bbox)
        for reason in years[i] + order[i]:
            fields["registration_date"] = demote(fields["registration_date"], reason)
        born = _date(fields["date_of_birth"])
        if born and registered[i]:
            for reason in checks.late_without_note(registered[i], born, notes[i]):
                fields["date_of_birth"] = demote(fields["date_of_birth"], reason)
        out.append(r.model_copy(update={"fields": fields}))
    return out
