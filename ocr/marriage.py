"""Marriage certificates (Giấy chứng nhận kết hôn): the spouses side by side in a ruled table.

The first column holds the row labels (name, date of birth, ...); the husband's and the
wife's columns are told apart by their headers ("người chồng" / "người vợ"), left to right
otherwise. Number, book and registration lines around the table are shared by both.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from kernel.records import MARRIAGE_FIELDS, DocType, ExtractedRecord, OcrPage
from ocr.fields import Context, FieldBuilder
from ocr.labels import MARRIAGE, MARRIAGE_ROWS
from ocr.layout import Table
from ocr.lines import group_lines, page_tokens, reading_lines, split_by_tables
from ocr.scan import RawField, scan


def _row_field(text: str) -> str | None:
    best = max(MARRIAGE_ROWS, key=lambda label: fuzz.partial_ratio(label, text), default=None)
    if best and fuzz.partial_ratio(best, text) >= 85:
        return MARRIAGE_ROWS[best]
    return None


def extract_marriage(page: OcrPage, tables: tuple[Table, ...], ctx: Context) -> list[ExtractedRecord]:
    shared = scan([ln for ln in reading_lines(page, tables) if ln.cell is None], MARRIAGE,
                  page.width)
    _, cells = split_by_tables(page_tokens(page), tables)
    spouses: dict[str, dict[str, RawField]] = {"husband": {}, "wife": {}}
    for i, table in enumerate(tables):
        if table.n_cols < 3:
            continue
        role_of = {1: "husband", 2: "wife"}
        for r in range(table.n_rows):
            head = {c: " ".join(t.norm for t in cells.get((i, r, c), [])) for c in (1, 2)}
            if any("chong" in h.split() for h in head.values()):
                role_of = {c: ("husband" if "chong" in h.split() else "wife") for c, h in head.items()}
                continue
            label = " ".join(t.norm for ln in group_lines(cells.get((i, r, 0), []))
                             for t in ln.tokens)
            name = _row_field(label) if label else None
            if not name:
                continue
            for c, role in role_of.items():
                lines = group_lines(cells.get((i, r, c), []))
                if lines:
                    spouses[role][name] = RawField([t for ln in lines for t in ln.tokens])
    if sum(len(v) for v in spouses.values()) < 6:  # the table's rules were not all found
        spouses = _by_columns(page) or spouses
    records = []
    for role, raw in spouses.items():
        if not raw:
            continue
        merged = {k: v for k, v in shared.items()
                  if k in ("registration_number", "book_number", "registration_date",
                           "registration_place")} | raw
        fields = FieldBuilder(ctx).fill(
            merged, MARRIAGE_FIELDS, required=tuple(f for f in MARRIAGE_FIELDS if f != "id_number"))
        records.append(ExtractedRecord(doc_type=DocType.MARRIAGE_CERTIFICATE, fields=fields,
                                       role=role))
    return records


_WRAPPING_ROWS = ("residence", "id_paper")


def _by_columns(page: OcrPage) -> dict[str, dict[str, RawField]]:
    """The spouses' table read from its text alone, when its ruling was not found (a phone
    photo): the headers "Thông tin người chồng" / "người vợ" centre over the two columns;
    row labels stand left of them; a line without a label continues the row above."""
    lines = group_lines(page_tokens(page))
    at = next((i for i, ln in enumerate(lines)
               if {"chong", "vo"} <= {t.norm for t in ln.tokens}), None)
    if at is None:
        return {}
    head = lines[at].tokens
    split = next(i for i, t in enumerate(head) if t.norm == "chong") + 1
    if split >= len(head):
        return {}
    left = sum(t.cx for t in head[:split]) / split
    right = sum(t.cx for t in head[split:]) / (len(head) - split)
    boundary = (left + right) / 2
    label_edge = left - (boundary - left)
    spouses: dict[str, dict[str, RawField]] = {"husband": {}, "wife": {}}
    current = None
    for ln in lines[at + 1:]:
        label = " ".join(t.norm for t in ln.tokens if t.cx < label_edge and len(t.norm) >= 2
                         and t.confidence >= 0.5)  # specks in the margin are no label
        if len(label.replace(" ", "")) >= 4:
            current = _row_field(label)
            if current is None and len(label) >= 8 and any(spouses.values()):
                break  # the lines below the table
        elif current not in _WRAPPING_ROWS:
            current = None  # only an address or an ID paper runs over two lines
        if current is None:
            continue
        for t in ln.tokens:
            if t.cx >= label_edge:
                role = "husband" if t.cx < boundary else "wife"
                spouses[role].setdefault(current, RawField()).tokens.append(t)
    return spouses if any(spouses.values()) else {}

