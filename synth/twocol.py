"""A birth certificate or extract in two columns, as civil-status software prints them: a
column of labels and a column of values for the child and the registration, and the
parents either side by side (mother left, father right) or below in the same two columns.
No rules, no boxes: the columns are made by alignment alone.
"""

from __future__ import annotations

import random

from synth.birthdoc import (BirthEdition, birth_place_text, dob_words, export_values,
                            registration_place_text)
from synth.certificate import SEX_WORDS, DocumentKind
from synth.fonts import FontSet
from synth.layout import fitting_font, national_header, put, sign, wrap
from synth.people import BirthRegistration, Parent
from synth.truth import BIRTH_CERTIFICATE, PrintedRecord, RenderedDoc
from synth.typeset import Page

LAYOUT = "two_column"


def _pair(page: Page, x_label: float, x_value: float, x1: float, label: str, value: str,
          points: float, *, style: str = "regular", one_line: bool = False) -> str:
    """'label:' at x_label, the value from x_value (wrapped up to x1); returns the value."""
    label_font = page.font("regular", points)
    put(page, x_label, f"{label}:", label_font)
    if not value:
        page.newline(points, 1.6)
        return ""
    if x_label + label_font.getlength(f"{label}: ") > x_value:  # a long label: value below it
        page.newline(points, 1.45)
    if one_line:
        font = fitting_font(page, value, style, points, x1 - x_value, points - 3)
        lines = [value]
    else:
        font = page.font(style, points)
        lines = wrap(value, font, x1 - x_value)
    for line in lines:
        put(page, x_value, line, font)
        page.newline(points, 1.45)
    page.y += round(page.pt(points) * 0.15)
    return " ".join(lines)


def _parent_lines(page: Page, x0: float, x1: float, who: str, parent: Parent | None,
                  edition: BirthEdition, points: float) -> tuple[str, str]:
    """One parent in a narrow column: the name below its label, then short lines."""
    regular = page.font("regular", points)
    put(page, x0, f"Họ, chữ đệm, tên người {who}:", regular)
    page.newline(points, 1.45)
    name = parent.name.upper if parent else ""
    if name:
        put(page, x0, name, fitting_font(page, name, "bold", points, x1 - x0, points - 3))
    page.newline(points, 1.6)
    year = str(parent.birth_year) if parent else ""
    for label, value in (("Năm sinh", year), ("Dân tộc", parent.ethnicity if parent else ""),
                         ("Quốc tịch", parent.nationality if parent else "")):
        put(page, x0, f"{label}: {value}".rstrip(), regular)
        page.newline(points, 1.6)
    residence = edition.residence(parent) if parent else ""
    lines = wrap(f"Nơi cư trú: {residence}", regular, x1 - x0)
    for line in lines:
        put(page, x0, line, regular)
        page.newline(points, 1.45)
    return name, year


def _body(page: Page, reg: BirthRegistration, edition: BirthEdition, points: float,
          side_by_side: bool) -> dict[str, str]:
    commune = reg.registration_commune
    national_header(page, ("ỦY BAN NHÂN DÂN", f"{commune.kind.upper()} {commune.name.upper()}"),
                    edition.title, points)
    x0, x1 = page.left, page.right
    xv = x0 + (x1 - x0) * 0.36
    person = reg.person
    out: dict[str, str] = {}
    out["registration_number"] = _pair(page, x0, xv, x1, "Số", str(reg.registration_number),
                                       points, one_line=True)
    out["book_number"] = _pair(page, x0, xv, x1, "Quyển số", reg.book_number, points,
                               one_line=True)
    page.newline(points, 0.6)
    rows = [
        ("full_name", "Họ, chữ đệm, tên", person.name.upper, "bold", True),
        ("date_of_birth", "Ngày, tháng, năm sinh", person.date_of_birth.strftime("%d/%m/%Y"),
         "regular", True),
        (None, "Ghi bằng chữ", dob_words(reg, edition), "regular", False),
        ("sex", "Giới tính", SEX_WORDS[person.sex], "regular", True),
        ("ethnicity", "Dân tộc", person.ethnicity, "regular", True),
        ("nationality", "Quốc tịch", person.nationality, "regular", True),
        ("place_of_birth", "Nơi sinh", birth_place_text(reg, edition), "regular", False),
        ("hometown", "Quê quán", edition.place(person.hometown), "regular", False),
    ]
    if reg.id_printed:
        rows.append(("id_number", "Số định danh cá nhân", person.id_number, "regular", True))
    for name, label, value, style, one_line in rows:
        text = _pair(page, x0, xv, x1, label, value, points, style=style, one_line=one_line)
        if name:
            out[name] = text
    page.newline(points, 0.5)
    parents = (("mẹ", "mother", reg.mother), ("cha", "father", reg.father))
    if side_by_side:
        top, bottom = page.y, page.y
        half = (x1 - x0) / 2
        for i, (who, key, parent) in enumerate(parents):
            page.y = top
            left = x0 + i * half
            out[f"{key}_name"], out[f"{key}_birth_year"] = _parent_lines(
                page, left, left + half - page.mm(5), who, parent, edition, points)
            bottom = max(bottom, page.y)
        page.y = bottom
    else:
        for who, key, parent in parents:
            out[f"{key}_name"] = _pair(page, x0, xv, x1, f"Họ, chữ đệm, tên người {who}",
                                       parent.name.upper if parent else "", points,
                                       style="bold", one_line=True)
            out[f"{key}_birth_year"] = _pair(page, x0, xv, x1, "Năm sinh",
                                             str(parent.birth_year) if parent else "", points)
            _pair(page, x0, xv, x1, "Nơi cư trú",
                  edition.residence(parent) if parent else "", points)
    page.newline(points, 0.6)
    out["registration_place"] = _pair(page, x0, xv, x1, edition.place_label,
                                      registration_place_text(reg, edition), points)
    out["registration_date"] = _pair(page, x0, xv, x1, "Ngày đăng ký",
                                     reg.registration_date.strftime("%d/%m/%Y"), points,
                                     one_line=True)
    return out


def render_two_column(reg: BirthRegistration, kind: DocumentKind, fonts: FontSet, *,
                      dpi: int = 300, seed: int = 0, seal: bool = True) -> RenderedDoc:
    rng = random.Random(seed)
    edition = BirthEdition.draw(rng, kind)
    side_by_side = rng.random() < 0.6
    points = edition.points
    while True:
        page = Page(fonts, dpi, margins_mm=(22.0, 14.0, 16.0, 12.0))
        printed = _body(page, reg, edition, points, side_by_side)
        if page.y + page.mm(62) <= page.height or points <= 8:
            break
        points -= 0.75
    page.newline(points, 1.6)
    cx = page.right - page.mm(45)
    sign(page, cx, (edition.signer_title, "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ, đóng dấu)",
                    rng.choice(("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "CÔNG CHỨC TƯ PHÁP - HỘ TỊCH"))),
         reg.registration_commune, points, rng, seal=seal)
    record = PrintedRecord(BIRTH_CERTIFICATE, LAYOUT, export_values(reg, printed),
                           reg.person.id_number)
    return RenderedDoc(page.image, (record,), dpi)
