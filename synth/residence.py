"""A residence confirmation (XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ, form CT07 of the commune police):
the "other" page of a dossier. It carries a person's name, birth date, ID and addresses under
labels much like a birth certificate's, so only its title and its own words (cư trú, tạm trú,
chủ hộ, Công an) tell it apart: a test of classifying by content.
"""

from __future__ import annotations

import random
from datetime import date

from PIL import Image

from synth.certificate import SEX_WORDS
from synth.fonts import FontSet
from synth.forms import wrap_after
from synth.layout import national_header, put, sign
from synth.places import Commune
from synth.typeset import Page


def render_residence(*, name: str, dob: date, sex: str, id_number: str, ethnicity: str,
                     hometown: str, residence: str, head_of_household: str, relation: str,
                     commune: Commune, issued: date, fonts: FontSet, dpi: int, seed: int,
                     ) -> Image.Image:
    rng = random.Random(seed)
    points = rng.choice((11.5, 12.0, 12.5))
    page = Page(fonts, dpi, margins_mm=(22.0, 14.0, 16.0, 12.0))
    police = f"CÔNG AN {commune.kind.upper()} {commune.name.upper()}"
    national_header(page, (f"CÔNG AN {commune.province.kind.upper()} "
                           f"{commune.province.name.upper()}", police),
                    "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", points)
    regular = page.font("regular", points)
    width = page.right - page.left

    def line(text: str, indent: float = 0.0) -> None:
        for i, part in enumerate(wrap_after(text, regular, width - indent, width)):
            put(page, page.left + (indent if i == 0 else 0), part, regular)
            page.newline(points, 1.5)

    line(f"Công an {commune.kind} {commune.name} xác nhận thông tin về cư trú của công dân "
         "như sau:", page.mm(8))
    rows = [f"1. Họ, chữ đệm và tên: {name}", f"2. Ngày, tháng, năm sinh: {dob:%d/%m/%Y}",
            f"3. Giới tính: {SEX_WORDS[sex]}", f"4. Số định danh cá nhân: {id_number}",
            f"5. Dân tộc: {ethnicity}   6. Tôn giáo: Không   7. Quốc tịch: Việt Nam",
            f"8. Quê quán: {hometown}", f"9. Nơi thường trú: {residence}",
            "10. Nơi tạm trú: Không", f"11. Nơi ở hiện tại: {residence}",
            f"12. Họ, chữ đệm và tên chủ hộ: {head_of_household}   "
            f"Quan hệ với chủ hộ: {relation}"]
    for row in rows:
        line(row)
    page.newline(points, 0.5)
    line("Giấy xác nhận có giá trị 30 ngày kể từ ngày cấp.", page.mm(8))
    page.newline(points, 0.8)
    cx = page.right - page.mm(42)
    put(page, cx - page.mm(38), f"{commune.name}, ngày {issued.day:02d} tháng {issued.month:02d} "
                                f"năm {issued.year}", page.font("italic", points - 0.5))
    page.newline(points, 1.8)
    sign(page, cx, ("TRƯỞNG CÔNG AN", "(Ký, ghi rõ họ tên, đóng dấu)"), commune, points, rng)
    return page.image
