"""A death extract (TRÍCH LỤC KHAI TỬ): label-value lines, as civil-status software prints
them, with the deceased's details, the time and place of death and the registration.
"""

from __future__ import annotations

import random

from synth.certificate import SEX_WORDS
from synth.events import DeathRegistration
from synth.fonts import FontSet
from synth.forms import wrap_after
from synth.layout import national_header, put, sign
from synth.truth import DEATH_EXTRACT, DEATH_FIELDS, PrintedRecord, RenderedDoc, printed
from synth.typeset import Page

LAYOUT = "death_lines"


def _line(page: Page, x0: float, x1: float, label: str, value: str, points: float, *,
          style: str = "regular") -> str:
    """'label: value' from x0, the value wrapping under the line up to x1."""
    regular = page.font("regular", points)
    font = page.font(style, points)
    indent = regular.getlength(f"{label}: ")
    lines = wrap_after(value, font, x1 - x0 - indent, x1 - x0) if value else []
    put(page, x0, f"{label}:", regular)
    for i, line in enumerate(lines):
        if line:
            put(page, x0 + indent if i == 0 else x0, line, font)
        if i < len(lines) - 1:
            page.newline(points, 1.45)
    page.newline(points, 1.75)
    return " ".join(line for line in lines if line)


def render_death(death: DeathRegistration, fonts: FontSet, *, dpi: int = 300, seed: int = 0,
                 seal: bool = True) -> RenderedDoc:
    rng = random.Random(seed)
    reg = death.registration
    person = death.deceased.person
    points = rng.choice((11.5, 12.0, 12.5, 13.0))
    page = Page(fonts, dpi, margins_mm=(25.0, 15.0, 18.0, 15.0))
    national_header(page, ("ỦY BAN NHÂN DÂN", f"{reg.commune.kind.upper()} "
                                              f"{reg.commune.name.upper()}"),
                    "TRÍCH LỤC KHAI TỬ", points)
    x0, x1 = page.left, page.right
    mid = x0 + (x1 - x0) * 0.5
    out: dict[str, str | None] = {}
    out["registration_number"] = _line(page, x0, mid, "Số", str(reg.number), points)
    page.y -= round(page.pt(points) * 1.75)
    out["book_number"] = _line(page, mid, x1, "Quyển số", reg.book_number, points)
    page.newline(points, 0.6)
    out["full_name"] = _line(page, x0, x1, "Họ, chữ đệm, tên", person.name.upper, points,
                             style="bold")
    dob = _line(page, x0, x1, "Ngày, tháng, năm sinh", person.date_of_birth.strftime("%d/%m/%Y"),
                points)
    out["date_of_birth"] = person.date_of_birth.isoformat() if dob else None
    thirds = [x0 + (x1 - x0) * f for f in (0.0, 0.33, 0.63, 1.0)]
    sex = _line(page, thirds[0], thirds[1], "Giới tính", SEX_WORDS[person.sex], points)
    out["sex"] = person.sex if sex else None
    page.y -= round(page.pt(points) * 1.75)
    out["ethnicity"] = _line(page, thirds[1], thirds[2], "Dân tộc", person.ethnicity, points)
    page.y -= round(page.pt(points) * 1.75)
    out["nationality"] = _line(page, thirds[2], thirds[3], "Quốc tịch", person.nationality,
                               points)
    paper = death.paper
    out["id_number"] = None
    if paper.kind in ("CCCD", "CC") and rng.random() < 0.7:
        if _line(page, x0, x1, "Số định danh cá nhân", paper.number or "", points):
            out["id_number"] = paper.number
    elif paper.number:
        if _line(page, x0, x1, "Giấy tờ tùy thân", paper.printed, points):
            out["id_number"] = paper.number
    _line(page, x0, x1, "Nơi cư trú cuối cùng", death.residence.text(), points)
    hour, minute = death.time_of_death
    died = _line(page, x0, x1, "Đã chết vào lúc",
                 f"{hour:02d} giờ {minute:02d} phút, ngày {death.died:%d/%m/%Y}", points)
    out["date_of_death"] = death.died.isoformat() if died else None
    out["place_of_death"] = _line(page, x0, x1, "Nơi chết", death.place_of_death, points)
    if death.cause:
        _line(page, x0, x1, "Nguyên nhân chết", death.cause, points)
    page.newline(points, 0.4)
    out["registration_place"] = _line(page, x0, x1, rng.choice(("Nơi đăng ký khai tử",
                                                                 "Đăng ký khai tử tại")),
                                      reg.place, points)
    registered = _line(page, x0, x1, "Ngày đăng ký", f"{reg.when:%d/%m/%Y}", points)
    out["registration_date"] = reg.when.isoformat() if registered else None
    page.newline(points, 1.0)
    sign(page, x1 - page.mm(42), ("NGƯỜI KÝ TRÍCH LỤC", "(Ký, ghi rõ họ, chữ đệm, tên, đóng dấu)",
                                  rng.choice(("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "KT. CHỦ TỊCH"))),
         reg.commune, points, rng, seal=seal)
    record = PrintedRecord(DEATH_EXTRACT, LAYOUT, printed(out, DEATH_FIELDS),
                           person.id_number, role="deceased")
    return RenderedDoc(page.image, (record,), dpi)
