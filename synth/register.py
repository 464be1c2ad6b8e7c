"""A page of a birth register book (Sổ đăng ký khai sinh): landscape, a ruled table, one
registration per row.

Three editions of the printed book, by year:
- ``old`` (before 1990): no nationality or ID column; the parents' column gives the year of
  birth or, on some rows, the AGE ("25 tuổi": the truth year is the registration year minus
  the age); parents' names in ordinary case;
- ``mid`` (1990-2015): sex, ethnicity and nationality stacked in one column;
- ``new`` (2016 on): and the 12-digit personal ID number.
Rows are numbered by the registration number ("Số"), which runs on across the pages of the
year's book; the page header names the registering body and the book ("Quyển số: 01/1985").
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kernel.records import FIELD_NAMES

from synth.certificate import SEX_WORDS
from synth.fonts import FontSet
from synth.layout import (Font, fitting_font, hline, put, put_centered, put_right, rect, vline,
                          wrap)
from synth.people import BirthRegistration, Parent
from synth.places import Commune, PlaceStyle
from synth.truth import BIRTH_REGISTER, PrintedRecord, RenderedDoc
from synth.typeset import Page

LAYOUT = "register_table"
A4_LANDSCAPE = (297.0, 210.0)

# edition -> columns (key, header, relative width)
COLUMNS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "old": (("num", "Số", 9), ("name", "Họ, chữ đệm, tên", 48),
            ("dob", "Ngày, tháng, năm sinh", 22), ("sex", "Giới tính", 13),
            ("eth", "Dân tộc", 14), ("pob", "Nơi sinh", 38), ("home", "Quê quán", 34),
            ("mother", "Họ tên mẹ, năm sinh (hoặc tuổi)", 38),
            ("father", "Họ tên cha, năm sinh (hoặc tuổi)", 38),
            ("regdate", "Ngày đăng ký", 22), ("note", "Ghi chú", 17)),
    "mid": (("num", "Số", 9), ("name", "Họ, chữ đệm, tên", 46),
            ("dob", "Ngày, tháng, năm sinh", 22),
            ("sen", "Giới tính, Dân tộc, Quốc tịch", 20), ("pob", "Nơi sinh", 36),
            ("home", "Quê quán", 32), ("mother", "Họ tên mẹ, năm sinh", 36),
            ("father", "Họ tên cha, năm sinh", 36), ("regdate", "Ngày đăng ký", 22),
            ("note", "Ghi chú", 16)),
    "new": (("num", "Số", 9), ("name", "Họ, chữ đệm, tên", 45),
            ("dob", "Ngày, tháng, năm sinh", 21),
            ("sen", "Giới tính, Dân tộc, Quốc tịch", 19), ("pob", "Nơi sinh", 31),
            ("home", "Quê quán", 27), ("id", "Số định danh cá nhân", 28),
            ("mother", "Họ tên mẹ, năm sinh", 31), ("father", "Họ tên cha, năm sinh", 31),
            ("regdate", "Ngày đăng ký", 20), ("note", "Ghi chú", 12)),
}


def edition_for(year: int) -> str:
    return "old" if year < 1990 else "mid" if year < 2016 else "new"


@dataclass(frozen=True)
class RegisterBook:
    commune: Commune  # named as in ``year``
    year: int
    book_number: str  # "01/1985"
    body: str  # "UBND" or "Ủy ban nhân dân"
    place_style: PlaceStyle
    rows_per_page: int

    @property
    def edition(self) -> str:
        return edition_for(self.year)

    @property
    def registration_place(self) -> str:
        return f"{self.body} {self.commune.format(self.place_style)}"


@dataclass(frozen=True)
class RegisterEntry:
    reg: BirthRegistration  # registration_number, date and commune as in the book
    parent_ages: bool = False  # the parents' AGE is written instead of their year
    note: str = ""


@dataclass(frozen=True)
class RegisterPage:
    book: RegisterBook
    entries: tuple[RegisterEntry, ...]
    sheet: int  # page number in the book


def _parent_cell(parent: Parent | None, entry: RegisterEntry, upper: bool,
                 ) -> tuple[str, str, str | None]:
    """(name as printed, second line as printed, truth year)."""
    if parent is None:
        return "", "", None
    name = parent.name.upper if upper else parent.name.full
    year = entry.reg.registration_date.year
    if entry.parent_ages:
        return name, f"{year - parent.birth_year} tuổi", str(parent.birth_year)
    return name, str(parent.birth_year), str(parent.birth_year)


@dataclass(frozen=True)
class _Cell:
    lines: tuple[str, ...]
    style: str = "regular"
    one_line: bool = False  # shrink each line to the column instead of wrapping


def _cells(entry: RegisterEntry, book: RegisterBook) -> tuple[dict[str, _Cell],
                                                               dict[str, str | None]]:
    reg, person = entry.reg, entry.reg.person
    upper = book.edition != "old"
    place = book.place_style
    facility = f"{person.birth_facility} " if person.birth_facility else ""
    mother = _parent_cell(reg.mother, entry, upper)
    father = _parent_cell(reg.father, entry, upper)
    cells = {
        "num": _Cell((str(reg.registration_number),)),
        "name": _Cell((person.name.upper,), "bold", True),
        "dob": _Cell((person.date_of_birth.strftime("%d/%m/%Y"),), one_line=True),
        "sex": _Cell((SEX_WORDS[person.sex],)),
        "eth": _Cell((person.ethnicity,)),
        "sen": _Cell((SEX_WORDS[person.sex], person.ethnicity, person.nationality)),
        "pob": _Cell((facility + person.place_of_birth.format(place),)),
        "home": _Cell((person.hometown.format(place),)),
        "id": _Cell((person.id_number if reg.id_printed else "",), one_line=True),
        "mother": _Cell(mother[:2], one_line=True),
        "father": _Cell(father[:2], one_line=True),
        "regdate": _Cell((reg.registration_date.strftime("%d/%m/%Y"),), one_line=True),
        "note": _Cell((entry.note,) if entry.note else ()),
    }
    keys = {k for k, _, _ in COLUMNS[book.edition]}
    truth: dict[str, str | None] = dict.fromkeys(FIELD_NAMES)
    truth |= {
        "full_name": person.name.upper, "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.sex, "place_of_birth": cells["pob"].lines[0],
        "hometown": cells["home"].lines[0], "ethnicity": person.ethnicity,
        "nationality": person.nationality if "sen" in keys else None,
        "id_number": person.id_number if "id" in keys and reg.id_printed else None,
        "mother_name": mother[0] or None, "mother_birth_year": mother[2],
        "father_name": father[0] or None, "father_birth_year": father[2],
        "registration_number": str(reg.registration_number), "book_number": book.book_number,
        "registration_date": reg.registration_date.isoformat(),
        "registration_place": book.registration_place,
    }
    return cells, truth


def _cell_lines(page: Page, cell: _Cell, width: float, points: float,
                ) -> list[tuple[str, Font]]:
    """(text, font) per printed line of a cell."""
    out: list[tuple[str, Font]] = []
    for text in cell.lines:
        if cell.one_line:
            out.append((text, fitting_font(page, text, cell.style, points, width, points - 3)))
        else:
            font = page.font(cell.style, points)
            out += [(line, font) for line in wrap(text, font, width)]
    return out


def _header(page: Page, book: RegisterBook, sheet: int, points: float) -> None:
    bold, regular = page.font("bold", points + 5), page.font("regular", points + 1)
    put(page, page.left, f"Trang {sheet}", page.font("italic", points))
    page.newline(points, 1.2)
    put_centered(page, page.width / 2, "SỔ ĐĂNG KÝ KHAI SINH", bold)
    page.newline(points + 1, 2.0)
    put(page, page.left, f"Nơi đăng ký khai sinh: {book.registration_place}", regular)
    put_right(page, page.right, f"Năm {book.year}    Quyển số: {book.book_number}", regular)
    page.newline(points, 1.1)


def _table(page: Page, rows: list[dict[str, _Cell]], book: RegisterBook, points: float,
           row_height: int, dry: bool) -> bool:
    """Draw the table (or, ``dry``, only check that every row fits its height)."""
    columns = COLUMNS[book.edition]
    total = sum(w for _, _, w in columns)
    edges = [float(page.left)]
    for _, _, w in columns:
        edges.append(edges[-1] + (page.right - page.left) * w / total)
    pad = page.mm(1.2)
    step = round(page.pt(points) * 1.35)
    head_font = page.font("bold", points - 1)
    head_lines = [wrap(h, head_font, edges[i + 1] - edges[i] - 2 * pad)
                  for i, (_, h, _) in enumerate(columns)]
    head_h = max(len(h) for h in head_lines) * round(step * 0.95) + 2 * pad
    for cells in rows:
        for i, (key, _, _) in enumerate(columns):
            lines = _cell_lines(page, cells[key], edges[i + 1] - edges[i] - 2 * pad, points)
            if len(lines) * step + 2 * pad > row_height:
                return False
    if dry:
        return True
    top = page.y
    numbers_h = round(step * 1.1)
    bottom = top + head_h + numbers_h + row_height * book.rows_per_page
    for i, lines in enumerate(head_lines):
        cx = (edges[i] + edges[i + 1]) / 2
        y = top + pad + round(step * 0.75)
        for line in lines:
            put_centered(page, cx, line, head_font, y=y)
            y += round(step * 0.95)
        put_centered(page, cx, f"({i + 1})", page.font("italic", points - 1.5),
                     y=top + head_h + round(numbers_h * 0.75))
    hline(page, edges[0], edges[-1], top + head_h)
    y = top + head_h + numbers_h
    for cells in rows + [None] * (book.rows_per_page - len(rows)):
        hline(page, edges[0], edges[-1], y)
        if cells is not None:
            for i, (key, _, _) in enumerate(columns):
                width = edges[i + 1] - edges[i] - 2 * pad
                baseline = y + pad + round(step * 0.8)
                for text, font in _cell_lines(page, cells[key], width, points):
                    if key == "num":
                        put_centered(page, (edges[i] + edges[i + 1]) / 2, text, font,
                                     y=baseline)
                    else:
                        put(page, edges[i] + pad, text, font, y=baseline)
                    baseline += step
        y += row_height
    for x in edges[1:-1]:
        vline(page, x, top, bottom)
    rect(page, (edges[0], top, edges[-1], bottom), width=max(2, page.dpi // 80))
    page.y = bottom
    return True


def render_register_page(spec: RegisterPage, fonts: FontSet, *, dpi: int = 300,
                         seed: int = 0) -> RenderedDoc:
    rng = random.Random(seed)
    book = spec.book
    cells_and_truth = [_cells(e, book) for e in spec.entries]
    rows = [c for c, _ in cells_and_truth]
    points = rng.choice((9.0, 9.5, 10.0))
    while True:
        page = Page(fonts, dpi, size_mm=A4_LANDSCAPE, margins_mm=(12.0, 9.0, 12.0, 9.0))
        _header(page, book, spec.sheet, points)
        page.y += page.mm(2)
        numbers_h = round(page.pt(points) * 1.35 * 1.1)
        available = page.height - page.mm(16) - page.y - page.mm(22) - numbers_h
        row_height = available // book.rows_per_page
        if _table(page, rows, book, points, row_height, dry=True) or points <= 6.5:
            break
        points -= 0.5
    _table(page, rows, book, points, row_height, dry=False)
    page.newline(points, 1.8)
    put_right(page, page.right - page.mm(10), "Công chức tư pháp - hộ tịch",
              page.font("italic", points))
    records = tuple(PrintedRecord(BIRTH_REGISTER, LAYOUT, truth, e.reg.person.id_number, row=i)
                    for i, (e, (_, truth)) in enumerate(zip(spec.entries, cells_and_truth),
                                                        start=1))
    return RenderedDoc(page.image, records, dpi)
