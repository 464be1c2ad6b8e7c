"""A birth certificate or extract as a ruled form: every field in a box, its label inside
the box (inline or stacked above the value), sections for the mother and the father.
"""

from __future__ import annotations

import random

from synth.birthdoc import (BirthEdition, birth_place_text, dob_words, export_values,
                            registration_place_text)
from synth.certificate import SEX_WORDS, DocumentKind
from synth.fonts import FontSet
from synth.forms import Cell, draw_band, draw_rows
from synth.layout import national_header, put, sign
from synth.people import BirthRegistration, Parent
from synth.truth import BIRTH_CERTIFICATE, PrintedRecord, RenderedDoc
from synth.typeset import Page

LAYOUT = "boxed_form"


def _parent_rows(who: str, key: str, parent: Parent | None,
                 edition: BirthEdition) -> list[list[Cell]]:
    name = parent.name.upper if parent else ""
    return [
        [Cell(3, f"Họ, chữ đệm, tên người {who}", name, f"{key}_name", "bold", one_line=True),
         Cell(1, "Năm sinh", str(parent.birth_year) if parent else "", f"{key}_birth_year")],
        [Cell(1, "Dân tộc", parent.ethnicity if parent else ""),
         Cell(1, "Quốc tịch", parent.nationality if parent else "")],
        [Cell(1, "Nơi cư trú", edition.residence(parent) if parent else "")],
    ]


def _body(page: Page, reg: BirthRegistration, edition: BirthEdition, points: float,
          stacked: bool, spacing: float) -> dict[str, str]:
    """Everything above the signature; returns {field: printed value}."""
    commune = reg.registration_commune
    national_header(page, ("ỦY BAN NHÂN DÂN", f"{commune.kind.upper()} {commune.name.upper()}"),
                    edition.title, points)
    x0, x1 = page.left, page.right
    person = reg.person
    printed: dict[str, str] = {}
    printed |= draw_rows(page, [[
        Cell(1, "Số", str(reg.registration_number), "registration_number", one_line=True),
        Cell(1, "Quyển số", reg.book_number, "book_number", one_line=True)]],
        x0 + (x1 - x0) * 0.45, x1, points, line_spacing=spacing)
    page.y += page.mm(2.5)
    draw_band(page, x0, x1, "PHẦN KHAI VỀ NGƯỜI ĐƯỢC KHAI SINH", points - 1)
    child = [
        [Cell(3, "Họ, chữ đệm, tên", person.name.upper, "full_name", "bold", one_line=True),
         Cell(1, "Giới tính", SEX_WORDS[person.sex], "sex")],
        [Cell(2, "Ngày, tháng, năm sinh", person.date_of_birth.strftime("%d/%m/%Y"),
              "date_of_birth", one_line=True),
         Cell(1, "Dân tộc", person.ethnicity, "ethnicity"),
         Cell(1, "Quốc tịch", person.nationality, "nationality")],
        [Cell(1, "Ghi bằng chữ", dob_words(reg, edition))],
        [Cell(1, "Nơi sinh", birth_place_text(reg, edition), "place_of_birth")],
        [Cell(1, "Quê quán", edition.place(person.hometown), "hometown")],
    ]
    if reg.id_printed:
        child.append([Cell(1, "Số định danh cá nhân", person.id_number, "id_number",
                           one_line=True)])
    printed |= draw_rows(page, child, x0, x1, points, stacked=stacked, line_spacing=spacing)
    for who, key, parent in (("mẹ", "mother", reg.mother), ("cha", "father", reg.father)):
        page.y += page.mm(2.5)
        draw_band(page, x0, x1, f"PHẦN KHAI VỀ NGƯỜI {who.upper()}", points - 1)
        printed |= draw_rows(page, _parent_rows(who, key, parent, edition), x0, x1, points,
                             stacked=stacked, line_spacing=spacing)
    page.y += page.mm(2.5)
    printed |= draw_rows(page, [
        [Cell(1, edition.place_label, registration_place_text(reg, edition),
              "registration_place")],
        [Cell(1, "Ngày đăng ký", reg.registration_date.strftime("%d/%m/%Y"),
              "registration_date", one_line=True),
         Cell(1, "Ghi chú", "")]], x0, x1, points, stacked=stacked, line_spacing=spacing)
    return printed


def render_boxed(reg: BirthRegistration, kind: DocumentKind, fonts: FontSet, *, dpi: int = 300,
                 seed: int = 0, seal: bool = True) -> RenderedDoc:
    rng = random.Random(seed)
    edition = BirthEdition.draw(rng, kind)
    stacked = rng.random() < 0.5
    points, spacing = edition.points - (0.5 if stacked else 0), 1.45
    while True:  # smaller type until the signature fits on the page
        page = Page(fonts, dpi, margins_mm=(18.0, 12.0, 15.0, 12.0))
        printed = _body(page, reg, edition, points, stacked, spacing)
        if page.y + page.mm(62) <= page.height or points <= 8:
            break
        points, spacing = points - 0.75, max(1.25, spacing - 0.08)
    commune = reg.registration_commune
    page.newline(points, 1.9)
    cx = page.right - page.mm(42)
    if kind is DocumentKind.BIRTH_EXTRACT or rng.random() < 0.5:
        put(page, cx - page.mm(38),
            f"{commune.name}, ngày {reg.registration_date:%d} tháng "
            f"{reg.registration_date:%m} năm {reg.registration_date:%Y}",
            page.font("italic", points - 0.5))
        page.newline(points, 1.4)
    sign(page, cx, (edition.signer_title, "(Ký, ghi rõ họ, chữ đệm, tên, đóng dấu)",
                    rng.choice(("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "KT. CHỦ TỊCH"))),
         commune, points, rng, seal=seal)
    record = PrintedRecord(BIRTH_CERTIFICATE, LAYOUT, export_values(reg, printed),
                           reg.person.id_number)
    return RenderedDoc(page.image, (record,), dpi)
