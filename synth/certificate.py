"""A birth certificate (GIẤY KHAI SINH) or extract (TRÍCH LỤC KHAI SINH) as an A4 page image.

The labels are fixed (the field extractor is written against them); each value is printed on
one line, shortened when it would not fit ("Ủy ban nhân dân" -> "UBND", "huyện" -> "H."), and
the returned fields are exactly what was printed, in the export form of kernel.records.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from PIL import Image

from kernel.records import FIELD_NAMES
from kernel.vntext import nfc

from synth.fonts import FontSet, find_fonts
from synth.names import NameBook
from synth.numwords import date_in_words
from synth.people import BODY_SHORT, BirthRegistration, Parent
from synth.places import Commune, PlaceStyle
from synth.stamps import draw_signature, ink, seal_mask
from synth.typeset import Box, Page

SEX_WORDS = {"M": "Nam", "F": "Nữ"}


class DocumentKind(str, Enum):
    BIRTH_CERTIFICATE = "giay_khai_sinh"
    BIRTH_EXTRACT = "trich_luc_khai_sinh"

    @property
    def title(self) -> str:
        return {DocumentKind.BIRTH_CERTIFICATE: "GIẤY KHAI SINH",
                DocumentKind.BIRTH_EXTRACT: "TRÍCH LỤC KHAI SINH"}[self]

    @property
    def signer_title(self) -> str:
        return {DocumentKind.BIRTH_CERTIFICATE: "NGƯỜI KÝ GIẤY KHAI SINH",
                DocumentKind.BIRTH_EXTRACT: "NGƯỜI KÝ TRÍCH LỤC"}[self]


@dataclass(frozen=True)
class RenderedPage:
    """The page image, the printed field values (export form) and where each value was drawn.

    Unpacks as ``image, fields = render_certificate(...)``.
    """

    image: Image.Image
    fields: dict[str, str | None]
    boxes: dict[str, Box] = field(default_factory=dict)
    kind: DocumentKind = DocumentKind.BIRTH_CERTIFICATE
    dpi: int = 300

    def __iter__(self) -> Iterator[Any]:
        yield self.image
        yield self.fields


def _places(commune: Commune, prefix: str = "") -> list[str]:
    styles = (PlaceStyle.FULL, PlaceStyle.ABBREVIATED, PlaceStyle.BARE)
    return [f"{prefix}{commune.format(s)}" for s in styles]


def _residence(parent: Parent) -> list[str]:
    return _places(parent.residence, f"{parent.hamlet}, ") + _places(parent.residence)


def _header(page: Page, reg: BirthRegistration, kind: DocumentKind, points: float) -> None:
    left_lines = ("ỦY BAN NHÂN DÂN", f"XÃ {reg.registration_commune.name.upper()}")
    right_lines = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    size = points
    while size > 8:  # both columns on one line each, with a gap between them
        regular, bold = page.font("regular", size), page.font("bold", size)
        left_w = max(page.length(left_lines[0], regular), page.length(left_lines[1], bold))
        right_w = max(page.length(t, bold) for t in right_lines)
        if left_w + right_w + page.mm(8) <= page.right - page.left + page.mm(10):
            break
        size -= 0.25
    left_cx = page.left - page.mm(5) + left_w / 2
    right_cx = page.right + page.mm(5) - right_w / 2
    page.centered(left_cx, left_lines[0], regular)
    page.centered(right_cx, right_lines[0], bold)
    page.newline(size, 1.3)
    page.centered(left_cx, left_lines[1], bold, underline=0.45)
    page.centered(right_cx, right_lines[1], page.font("bold", size + 0.5), underline=1.0)
    page.newline(size, 3.6)
    page.centered(page.width / 2, kind.title, page.font("bold", points + 5))
    page.newline(points, 2.6)


def _frame(page: Page) -> None:
    """The double frame printed on certificate paper, 10 mm from the edges."""
    for inset, width in ((page.mm(10), max(2, page.dpi // 60)), (page.mm(11.5), 1)):
        page.draw.rectangle([inset, inset, page.width - inset, page.height - inset],
                            outline=(40, 40, 40), width=width)


def _columns(page: Page) -> tuple[float, float]:
    span = page.right - page.left
    return page.left + 0.36 * span, page.left + 0.68 * span


def _parent_block(page: Page, who: str, parent: Parent | None, points: float,
                  out: dict[str, str | None], boxes: dict[str, Box]) -> None:
    key = "mother" if who == "mẹ" else "father"
    name = page.labelled(f"Họ, chữ đệm, tên người {who}",
                         parent.name.upper if parent else "", points=points, style="bold")
    out[f"{key}_name"], boxes[f"{key}_name"] = (name.text or None), name.box
    page.newline(points)
    col2, col3 = _columns(page)
    year = page.labelled("Năm sinh", str(parent.birth_year) if parent else "", points=points,
                         x1=col2)
    out[f"{key}_birth_year"], boxes[f"{key}_birth_year"] = (year.text or None), year.box
    page.labelled("Dân tộc", parent.ethnicity if parent else "", points=points, x0=col2, x1=col3)
    page.labelled("Quốc tịch", parent.nationality if parent else "", points=points, x0=col3)
    page.newline(points)
    page.labelled("Nơi cư trú", _residence(parent) if parent else "", points=points)
    page.newline(points)


def _signature_block(page: Page, reg: BirthRegistration, kind: DocumentKind, points: float,
                     seed: int, with_seal: bool) -> None:
    rng = random.Random(seed)
    signer = NameBook.builtin().name(rng, rng.choice("MF"), rng.randint(1965, 1990))
    cx = page.right - page.mm(45)
    page.newline(points, 1.2)
    page.centered(cx, kind.signer_title, page.font("bold", points))
    page.newline(points, 1.3)
    page.centered(cx, "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)",
                  page.font("italic", points - 1.5))
    page.newline(points, 1.3)
    page.centered(cx, rng.choice(("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "KT. CHỦ TỊCH")),
                  page.font("bold", points))
    top = page.y + page.pt(points) // 2
    height = page.mm(17)
    width = page.mm(45)
    sig_box = (round(cx - width / 2), top, round(cx + width / 2), top + height)
    draw_signature(page.image, sig_box, rng)
    page.y = top + height + page.pt(points) * 2
    page.centered(cx, signer.full, page.font("bold", points))
    if with_seal:
        diameter = page.mm(rng.uniform(33, 36))
        commune = reg.registration_commune
        ring = (f"ỦY BAN NHÂN DÂN XÃ {commune.name.upper()} * "
                f"H. {commune.district.upper()} - {commune.province.name.upper()} * ")
        mask = seal_mask(diameter, ring, page.fonts, seed)
        left = sig_box[0] - diameter * rng.uniform(0.35, 0.5)
        middle = (sig_box[1] + sig_box[3]) / 2 + rng.uniform(-0.1, 0.1) * diameter
        at = (round(left), round(middle - diameter / 2))
        ink(page.image, mask, at, angle=rng.uniform(-20, 20))


def render_certificate(reg: BirthRegistration,
                       kind: DocumentKind = DocumentKind.BIRTH_CERTIFICATE, *,
                       dpi: int = 300, seed: int = 0, seal: bool = True,
                       border: bool | None = None, points: float = 12.0,
                       fonts: FontSet | None = None,
                       place_label: str = "Nơi đăng ký khai sinh") -> RenderedPage:
    """Typeset ``reg`` on a clean A4 page (RGB) at ``dpi``; ``seed`` draws signer and seal.

    ``border`` (default: on certificates, not on extracts) draws the printed double frame;
    ``place_label`` is "Nơi đăng ký khai sinh" or, on some extracts, "Đăng ký khai sinh tại".
    """
    page = Page(fonts or find_fonts(), dpi)
    framed = kind is DocumentKind.BIRTH_CERTIFICATE if border is None else border
    if framed:
        _frame(page)
    person = reg.person
    out: dict[str, str | None] = dict.fromkeys(FIELD_NAMES)
    boxes: dict[str, Box] = {}

    def line(name: str | None, label: str, values: list[str] | str, style: str = "regular",
             export: Callable[[str], str] | None = None, **kw: Any) -> None:
        fitted = page.labelled(label, values, points=points, style=style, **kw)
        if name:
            out[name] = export(fitted.text) if export else fitted.text
            boxes[name] = fitted.box

    _header(page, reg, kind, points)
    col2, col3 = _columns(page)
    line("registration_number", "Số", str(reg.registration_number), x1=col2)
    line("book_number", "Quyển số", reg.book_number, x0=col2 + (col3 - col2) * 0.4)
    page.newline(points, 2.0)
    line("full_name", "Họ, chữ đệm, tên", person.name.upper, style="bold")
    page.newline(points)
    dob = person.date_of_birth
    line("date_of_birth", "Ngày, tháng, năm sinh", dob.strftime("%d/%m/%Y"),
         export=lambda _: dob.isoformat())
    page.newline(points)
    line(None, "Ghi bằng chữ", date_in_words(dob))
    page.newline(points)
    line("sex", "Giới tính", SEX_WORDS[person.sex], x1=col2,
         export=lambda printed: "M" if printed == "Nam" else "F")
    line("ethnicity", "Dân tộc", person.ethnicity, x0=col2, x1=col3)
    line("nationality", "Quốc tịch", person.nationality, x0=col3)
    page.newline(points)
    facility = f"{person.birth_facility} " if person.birth_facility else ""
    births = _places(person.place_of_birth, facility) + _places(person.place_of_birth)
    line("place_of_birth", "Nơi sinh", births if facility else births[:3])
    page.newline(points)
    line("hometown", "Quê quán", _places(person.hometown))
    page.newline(points)
    if reg.id_printed:
        line("id_number", "Số định danh cá nhân", person.id_number)
        page.newline(points)
    _parent_block(page, "mẹ", reg.mother, points, out, boxes)
    _parent_block(page, "cha", reg.father, points, out, boxes)
    line("registration_place", place_label,
         [f"{reg.registration_body} {reg.registration_commune.format()}"]
         + _places(reg.registration_commune, f"{BODY_SHORT} "))
    page.newline(points)
    line("registration_date", "Ngày đăng ký", reg.registration_date.strftime("%d/%m/%Y"),
         export=lambda _: reg.registration_date.isoformat())
    page.newline(points, 1.8)
    _signature_block(page, reg, kind, points, seed, seal)
    return RenderedPage(page.image, {k: (nfc(v) if v else None) for k, v in out.items()},
                        boxes, kind, dpi)
