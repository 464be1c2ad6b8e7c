"""The birth-registration declaration (TỜ KHAI ĐĂNG KÝ KHAI SINH) of a dossier, filled in by
computer, as the official form (Thông tư 04/2020/TT-BTP; transcribed in
``../shared/data/docs/forms/``) lays it out: addressee, the requester (người yêu cầu), the
child (người được khai sinh), mother, father, the parents' marriage, the commitment and the
requester's signature; on a second page (when there is one) the form's foot-notes.

Each block's values come from a :class:`DeclarationSpec`; the returned truth has one record
per role (``requester``, ``subject``, ``mother``, ``father``) with
:data:`kernel.records.DECLARATION_FIELDS`, exactly as printed (dates ISO, sex M/F).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from PIL import Image

from kernel.records import DECLARATION_FIELDS
from kernel.vntext import nfc

from synth.certificate import SEX_WORDS
from synth.fonts import FontSet
from synth.forms import wrap_after
from synth.layout import put, put_centered
from synth.numwords import date_in_words
from synth.stamps import draw_signature
from synth.typeset import Page

TITLE = "TỜ KHAI ĐĂNG KÝ KHAI SINH"
FOOTNOTES = (
    "Chú thích:",
    "(1) Ghi rõ tên cơ quan đăng ký khai sinh.",
    "(2) Chỉ ghi trong trường hợp người có yêu cầu đăng ký hộ tịch chưa có/không cung cấp số "
    "định danh cá nhân/căn cước công dân/thẻ căn cước/chứng minh nhân dân; không cung cấp đầy "
    "đủ thông tin ngày, tháng, năm sinh.",
    "Trường hợp phải cung cấp thông tin \"Nơi cư trú\" thì ghi theo nơi đăng ký thường trú; nếu "
    "không có nơi đăng ký thường trú thì ghi theo nơi đăng ký tạm trú; trường hợp không có nơi "
    "đăng ký thường trú và nơi đăng ký tạm trú thì ghi theo nơi ở hiện tại.",
    "(3) Ghi số định danh cá nhân/căn cước công dân/thẻ căn cước. Trường hợp không có số định "
    "danh cá nhân/căn cước công dân/thẻ căn cước thì ghi giấy tờ hợp lệ thay thế (hộ chiếu, "
    "chứng minh nhân dân,...).",
    "(4) Trường hợp sinh tại cơ sở y tế thì ghi rõ tên cơ sở y tế và địa chỉ trụ sở cơ sở y tế "
    "đó. Trường hợp sinh ra ngoài cơ sở y tế thì ghi địa danh của 03 cấp hành chính (xã, "
    "huyện, tỉnh), nơi sinh ra.",
    "(5) Ghi đầy đủ ngày, tháng sinh của cha, mẹ (nếu có).",
    "(6) Đề nghị đánh dấu X vào ô nếu có yêu cầu cấp bản sao và ghi rõ số lượng.",
)


@dataclass(frozen=True)
class PersonOnForm:
    """A person's values as the form prints them (dates as dates; id_paper the full text)."""

    full_name: str
    date_of_birth: date
    ethnicity: str = "Kinh"
    nationality: str = "Việt Nam"
    residence: str = ""
    id_paper: str = ""
    id_number: str | None = None
    sex: str | None = None
    place_of_birth: str = ""
    hometown: str = ""


@dataclass(frozen=True)
class DeclarationSpec:
    office: str  # "UBND xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định"
    requester: PersonOnForm
    relationship: str  # "Cha", "Mẹ", "Ông nội" ...
    subject: PersonOnForm
    mother: PersonOnForm
    father: PersonOnForm | None
    marriage: str | None  # "Số: 12, Quyển số: 01/2015, đăng ký ngày 12/05/2015 tại UBND xã ..."
    signed_at: str  # the commune name of "Làm tại"
    signed_on: date
    two_pages: bool = False


def _line(page: Page, label: str, value: str, points: float, *, x0: float | None = None,
          x1: float | None = None, style: str = "regular", bold_label: bool = False,
          advance: bool = True) -> str:
    """'label: value' from x0, the value wrapping under the line; the printed value."""
    x0 = page.left if x0 is None else x0
    x1 = page.right if x1 is None else x1
    label_font = page.font("bold" if bold_label else "regular", points)
    font = page.font(style, points)
    indent = label_font.getlength(f"{label}: ")
    lines = wrap_after(value, font, x1 - x0 - indent, x1 - page.left) if value else []
    put(page, x0, f"{label}:", label_font)
    for i, text in enumerate(lines):
        if text:
            put(page, x0 + indent if i == 0 else page.left, text, font)
        if i < len(lines) - 1:
            page.newline(points, 1.45)
    if advance:
        page.newline(points, 1.6)
    return " ".join(t for t in lines if t)


def _parent(page: Page, who: str, person: PersonOnForm | None, points: float) -> dict[str, str]:
    out: dict[str, str] = {}
    out["full_name"] = _line(page, f"Họ, chữ đệm, tên người {who}",
                             person.full_name if person else "", points, style="bold",
                             bold_label=True)
    thirds = [page.left + (page.right - page.left) * f for f in (0.0, 0.42, 0.7)]
    out["date_of_birth"] = _line(page, "Năm sinh", f"{person.date_of_birth:%d/%m/%Y}"
                                 if person else "", points, x1=thirds[1], advance=False)
    out["ethnicity"] = _line(page, "Dân tộc", person.ethnicity if person else "", points,
                             x0=thirds[1], x1=thirds[2], advance=False)
    out["nationality"] = _line(page, "Quốc tịch", person.nationality if person else "", points,
                               x0=thirds[2])
    out["residence"] = _line(page, "Nơi cư trú", person.residence if person else "", points)
    out["id_paper"] = _line(page, "Giấy tờ tùy thân", person.id_paper if person else "", points)
    return out


def _truth(values: dict[str, str], person: PersonOnForm | None, **extra: str | None
           ) -> dict[str, str | None]:
    out: dict[str, str | None] = dict.fromkeys(DECLARATION_FIELDS)
    for name in ("full_name", "ethnicity", "nationality", "residence", "place_of_birth",
                 "hometown"):
        if values.get(name):
            out[name] = nfc(values[name])
    if person is not None and values.get("date_of_birth"):
        out["date_of_birth"] = person.date_of_birth.isoformat()
    if person is not None and values.get("id_paper") and person.id_number:
        out["id_number"] = person.id_number
    out.update({k: (nfc(v) if v else None) for k, v in extra.items()})
    return out


def render_declaration(spec: DeclarationSpec, fonts: FontSet, *, dpi: int = 300, seed: int = 0,
                       ) -> tuple[list[Image.Image], dict[str, dict[str, str | None]]]:
    """The page images (one or two) and the truth per role (page 1 holds every record)."""
    rng = random.Random(seed)
    points = rng.choice((11.0, 11.5, 12.0))
    page = Page(fonts, dpi, margins_mm=(22.0, 14.0, 16.0, 12.0))
    bold = page.font("bold", points)
    put_centered(page, page.width / 2, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    page.newline(points, 1.35)
    put_centered(page, page.width / 2, "Độc lập - Tự do - Hạnh phúc", page.font("bold", points + 0.5))
    page.newline(points, 3.0)
    put_centered(page, page.width / 2, TITLE, page.font("bold", points + 4))
    page.newline(points, 2.4)
    office = _line(page, "Kính gửi", spec.office, points, x0=page.left + page.mm(25))
    req = spec.requester
    r: dict[str, str] = {}
    r["full_name"] = _line(page, "Họ, chữ đệm, tên người yêu cầu", req.full_name, points,
                           style="bold", bold_label=True)
    r["date_of_birth"] = _line(page, "Ngày, tháng, năm sinh", f"{req.date_of_birth:%d/%m/%Y}", points)
    r["residence"] = _line(page, "Nơi cư trú", req.residence, points)
    r["id_paper"] = _line(page, "Giấy tờ tùy thân", req.id_paper, points)
    relationship = _line(page, "Quan hệ với người được khai sinh", spec.relationship, points)
    put(page, page.left, "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:", bold)
    page.newline(points, 1.7)
    child = spec.subject
    s: dict[str, str] = {}
    s["full_name"] = _line(page, "Họ, chữ đệm, tên", child.full_name, points, style="bold",
                           bold_label=True)
    words = date_in_words(child.date_of_birth)
    dob = _line(page, "Ngày, tháng, năm sinh", f"{child.date_of_birth:%d/%m/%Y}", points,
                x1=page.left + page.mm(85), advance=False)
    s["date_of_birth"] = dob
    _line(page, "ghi bằng chữ", words, points, x0=page.left + page.mm(87))
    thirds = [page.left + (page.right - page.left) * f for f in (0.0, 0.3, 0.62)]
    sex = _line(page, "Giới tính", SEX_WORDS[child.sex or "M"], points, x1=thirds[1], advance=False)
    s["ethnicity"] = _line(page, "Dân tộc", child.ethnicity, points, x0=thirds[1], x1=thirds[2],
                           advance=False)
    s["nationality"] = _line(page, "Quốc tịch", child.nationality, points, x0=thirds[2])
    s["place_of_birth"] = _line(page, "Nơi sinh", child.place_of_birth, points)
    s["hometown"] = _line(page, "Quê quán", child.hometown, points)
    m = _parent(page, "mẹ", spec.mother, points)
    f = _parent(page, "cha", spec.father, points)
    marriage = spec.marriage or ""
    _line(page, "Thông tin về Giấy chứng nhận kết hôn của cha, mẹ trẻ", marriage, points,
          style="italic")
    for text in ("Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được "
                 "sự thỏa thuận nhất trí của các bên liên quan theo quy định pháp luật.",
                 "Tôi chịu hoàn toàn trách nhiệm trước pháp luật về nội dung cam đoan của mình."):
        for line in wrap_after(text, page.font("regular", points), page.right - page.left - page.mm(8),
                               page.right - page.left):
            put(page, page.left + (page.mm(8) if text.startswith("Tôi cam") else 0), line,
                page.font("regular", points))
            page.newline(points, 1.45)
    page.newline(points, 0.6)
    cx = page.right - page.mm(40)
    when = spec.signed_on
    put_centered(page, cx, f"Làm tại: {spec.signed_at}, ngày {when.day:02d} tháng {when.month:02d} "
                           f"năm {when.year}", page.font("italic", points - 0.5))
    page.newline(points, 1.6)
    copies = rng.choice((0, 1, 2))
    put(page, page.left, f"Đề nghị cấp bản sao: Có {'X' if copies else ''}, Không "
        f"{'' if copies else 'X'}; Số lượng: {copies:02d} bản", page.font("regular", points - 1.5))
    put_centered(page, cx, "Người yêu cầu", bold)
    page.newline(points, 1.3)
    put_centered(page, cx, "(Ký, ghi rõ họ, chữ đệm, tên)", page.font("italic", points - 1.5))
    top = page.y + page.mm(2)
    draw_signature(page.image, (round(cx - page.mm(20)), top, round(cx + page.mm(20)),
                                top + page.mm(12)), rng)
    page.y = top + page.mm(19)
    put_centered(page, cx, req.full_name.title() if rng.random() < 0.5 else req.full_name, bold)
    images = [page.image]
    if spec.two_pages:
        images.append(footnotes_page(fonts, dpi, points))
    truth = {
        "requester": _truth(r, req, relationship=relationship),
        "subject": _truth(s, child, sex=child.sex if sex else None,
                          father_name=f["full_name"] or None, mother_name=m["full_name"] or None,
                          registration_place=office),
        "mother": _truth(m, spec.mother),
    }
    if spec.father is not None:
        truth["father"] = _truth(f, spec.father)
    return images, truth


def footnotes_page(fonts: FontSet, dpi: int, points: float = 11.5) -> Image.Image:
    """The form's second page: its foot-notes (no values)."""
    page = Page(fonts, dpi, margins_mm=(22.0, 18.0, 16.0, 12.0))
    font = page.font("italic", points - 1)
    for i, text in enumerate(FOOTNOTES):
        style = page.font("bold", points) if i == 0 else font
        for line in wrap_after(text, style, page.right - page.left, page.right - page.left):
            put(page, page.left, line, style)
            page.newline(points - 1, 1.45)
        page.newline(points - 1, 0.5)
    return page.image
