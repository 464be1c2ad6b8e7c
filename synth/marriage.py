"""A marriage certificate (GIẤY CHỨNG NHẬN KẾT HÔN): a ruled table with a column of labels
and one column per spouse (husband left, wife right), then the registration and the
signatures of both spouses and of the officer.
"""

from __future__ import annotations

import random

from synth.events import MarriageRegistration, Spouse
from synth.fonts import FontSet
from synth.forms import wrap_after
from synth.layout import (fitting_font, hline, national_header, put, put_centered, rect, sign,
                          vline, wrap)
from synth.stamps import draw_signature
from synth.truth import MARRIAGE_CERTIFICATE, MARRIAGE_FIELDS, PrintedRecord, RenderedDoc, printed
from synth.typeset import Page

LAYOUT = "marriage_table"

ROW_LABELS = ("Họ, chữ đệm, tên", "Ngày, tháng, năm sinh", "Dân tộc", "Quốc tịch", "Nơi cư trú",
              "Giấy tờ tùy thân")
_FIELD_OF_ROW = ("full_name", "date_of_birth", "ethnicity", "nationality", "residence",
                 "id_paper")


def _values(spouse: Spouse, full_places: bool) -> tuple[str, ...]:
    person = spouse.birth.person
    return (person.name.upper, person.date_of_birth.strftime("%d/%m/%Y"), person.ethnicity,
            person.nationality, spouse.residence.text(full_places), spouse.paper.printed)


def _table(page: Page, marriage: MarriageRegistration, points: float,
           full_places: bool) -> list[dict[str, str]]:
    """Draw the label/husband/wife table; returns the printed values per spouse."""
    x0, x1 = page.left, page.right
    edges = (x0, x0 + (x1 - x0) * 0.27, x0 + (x1 - x0) * 0.635, x1)
    pad = page.mm(1.8)
    step = round(page.pt(points) * 1.45)
    bold = page.font("bold", points)
    out: list[dict[str, str]] = [{}, {}]
    top = page.y
    head_h = step + 2 * pad
    put_centered(page, (edges[1] + edges[2]) / 2, "Thông tin người chồng", bold,
                 y=top + pad + round(step * 0.78))
    put_centered(page, (edges[2] + edges[3]) / 2, "Thông tin người vợ", bold,
                 y=top + pad + round(step * 0.78))
    y = top + head_h
    hline(page, x0, x1, y)
    columns = [_values(marriage.husband, full_places), _values(marriage.wife, full_places)]
    for r, label in enumerate(ROW_LABELS):
        width = edges[2] - edges[1] - 2 * pad
        cells = []
        for values in columns:
            text = values[r]
            if r == 0:
                font = fitting_font(page, text, "bold", points, width, points - 3)
                cells.append((font, [text]))
            else:
                font = page.font("regular", points)
                cells.append((font, wrap_after(text, font, width, width) if text else []))
        label_lines = wrap(label, page.font("regular", points), edges[1] - edges[0] - 2 * pad)
        n = max([len(label_lines)] + [len(lines) for _, lines in cells] + [1])
        baseline = y + pad + round(step * 0.78)
        for i, line in enumerate(label_lines):
            put(page, edges[0] + pad, line, page.font("regular", points), y=baseline + i * step)
        for c, (font, lines) in enumerate(cells):
            for i, line in enumerate(lines):
                put(page, edges[c + 1] + pad, line, font, y=baseline + i * step)
            out[c][_FIELD_OF_ROW[r]] = " ".join(line for line in lines if line)
        y += n * step + 2 * pad
        hline(page, x0, x1, y)
    for x in edges[1:-1]:
        vline(page, x, top, y)
    rect(page, (x0, top, x1, y), width=max(2, page.dpi // 100))
    page.y = y
    return out


def _record(spouse: Spouse, role: str, values: dict[str, str],
            registration: dict[str, str]) -> PrintedRecord:
    fields = {**values, **registration,
              "date_of_birth": spouse.birth.person.date_of_birth.isoformat(),
              "id_number": spouse.paper.number if values.get("id_paper") else None}
    return PrintedRecord(MARRIAGE_CERTIFICATE, LAYOUT, printed(fields, MARRIAGE_FIELDS),
                         spouse.birth.person.id_number, role=role)


def render_marriage(marriage: MarriageRegistration, fonts: FontSet, *, dpi: int = 300,
                    seed: int = 0, seal: bool = True) -> RenderedDoc:
    rng = random.Random(seed)
    reg = marriage.registration
    commune = reg.commune
    points = rng.choice((11.5, 12.0, 12.5))
    full_places = rng.random() < 0.8
    page = Page(fonts, dpi, margins_mm=(20.0, 14.0, 16.0, 12.0))
    if rng.random() < 0.7:  # the printed double frame of certificate paper
        for inset, width in ((page.mm(8), max(2, dpi // 60)), (page.mm(9.5), 1)):
            page.draw.rectangle([inset, inset, page.width - inset, page.height - inset],
                                outline=(40, 40, 40), width=width)
    national_header(page, ("ỦY BAN NHÂN DÂN", f"{commune.kind.upper()} {commune.name.upper()}"),
                    "GIẤY CHỨNG NHẬN KẾT HÔN", points)
    regular = page.font("regular", points)
    number, book = str(reg.number), reg.book_number
    put(page, page.left, f"Số: {number}", regular)
    put(page, page.left + (page.right - page.left) * 0.55, f"Quyển số: {book}", regular)
    page.newline(points, 2.0)
    spouses = _table(page, marriage, points, full_places)
    page.newline(points, 2.2)
    label = rng.choice(("Nơi đăng ký kết hôn", "Đăng ký kết hôn tại"))
    place_lines = wrap_after(reg.place, regular, page.right - page.left
                             - regular.getlength(f"{label}: "), page.right - page.left)
    put(page, page.left, f"{label}:", regular)
    for i, line in enumerate(place_lines):
        x = page.left + regular.getlength(f"{label}: ") if i == 0 else page.left
        put(page, x, line, regular)
        page.newline(points, 1.5)
    put(page, page.left, f"Ngày đăng ký: {reg.when:%d/%m/%Y}", regular)
    page.newline(points, 2.4)
    # the spouses sign on the left, the officer on the right
    cx_left, cx_right = page.left + page.mm(40), page.right - page.mm(42)
    top = page.y
    put_centered(page, cx_left, "Chồng", page.font("bold", points))
    sig_w, sig_h = page.mm(30), page.mm(11)
    draw_signature(page.image, (round(cx_left - page.mm(28)), top + page.mm(3),
                                round(cx_left - page.mm(28)) + sig_w, top + page.mm(3) + sig_h),
                   rng)
    page.y = top + page.mm(22)
    put_centered(page, cx_left, "Vợ", page.font("bold", points))
    draw_signature(page.image, (round(cx_left - page.mm(28)), page.y + page.mm(3),
                                round(cx_left - page.mm(28)) + sig_w, page.y + page.mm(3) + sig_h),
                   rng)
    page.y = top
    sign(page, cx_right, ("NGƯỜI KÝ GIẤY CHỨNG NHẬN", "(Ký, ghi rõ họ, chữ đệm, tên, đóng dấu)",
                          rng.choice(("CHỦ TỊCH", "PHÓ CHỦ TỊCH"))), commune, points, rng,
         seal=seal)
    registration = {"registration_number": number, "book_number": book,
                    "registration_date": reg.when.isoformat(),
                    "registration_place": " ".join(line for line in place_lines if line)}
    records = (_record(marriage.husband, "husband", spouses[0], registration),
               _record(marriage.wife, "wife", spouses[1], registration))
    return RenderedDoc(page.image, records, dpi)
