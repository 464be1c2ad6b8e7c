"""Page classification (ocr.classify): by content, never by file name. One clean page of each
class through the OCR stage (process_page: card finding, OCR, classification), and the rules
on words alone."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from kernel.records import DocType, OcrPage, OcrWord
from ocr.classify import PageCues, classify_page
from synth.fonts import fonts_available

DPI = 200


def _words(*lines: str, confidence: float = 0.95) -> OcrPage:
    words, y = [], 100
    for i, line in enumerate(lines):
        x = 200
        for w in line.split():
            words.append(OcrWord(text=w, bbox=(x, y, x + 20 * len(w), y + 40),
                                 confidence=confidence, line=i))
            x += 20 * len(w) + 20
        y += 80
    return OcrPage(words=tuple(words), width=2480, height=3508, engine="test")


def test_the_longest_matching_title_wins() -> None:
    page = _words("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỜ KHAI ĐĂNG KÝ KHAI SINH",
                  "Kính gửi: UBND xã Hải Minh")
    assert classify_page(page).doc_class is DocType.DECLARATION_FORM
    page = _words("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "GIẤY KHAI SINH", "Họ, chữ đệm, tên: A")
    assert classify_page(page).doc_class is DocType.BIRTH_CERTIFICATE


def test_a_residence_paper_is_other_despite_its_birth_labels() -> None:
    page = _words("XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", "1. Họ, chữ đệm và tên: LÊ VĂN AN",
                  "2. Ngày, tháng, năm sinh: 01/02/1990", "10. Nơi tạm trú: Không",
                  "11. Nơi ở hiện tại: Thôn 2")
    assert classify_page(page).doc_class is DocType.OTHER


def test_blank_needs_no_words_and_little_ink() -> None:
    specks = _words(". ,", confidence=0.3)
    assert classify_page(specks, cues=PageCues(ink_fraction=0.0005)).doc_class is DocType.BLANK
    assert classify_page(specks, cues=PageCues(ink_fraction=0.05)).doc_class is DocType.UNKNOWN


def test_card_shapes_and_card_words_make_an_id_card_page() -> None:
    from ocr.cardfind import CardScan
    card = CardScan(corners=((0, 0), (10, 0), (10, 6), (0, 6)))
    page = _words("Họ và tên / Full name:", "NGUYỄN VĂN AN", "Ngày sinh / Date of birth: 01/01/1990")
    assert classify_page(page, cues=PageCues(cards=(card,))).doc_class is DocType.ID_CARD


def test_no_evidence_is_unknown() -> None:
    assert classify_page(_words("lorem ipsum dolor", "sit amet")).doc_class is DocType.UNKNOWN


# --- one clean page of each class, read by the OCR stage -----------------------------------

def _render(kind: str):
    """A clean page (RGB) of ``kind``, drawn from a fixed seed."""
    from synth.fonts import find_fonts
    from synth.names import NameBook
    from synth.people import make_registration

    rng = random.Random(7)
    serif = find_fonts("Liberation Serif")
    if kind == "declaration_form":
        from synth.declaration import DeclarationSpec, PersonOnForm, render_declaration
        mother = PersonOnForm("LÊ THỊ HOA", date(1990, 4, 2), residence="Thôn 2, xã Hải Minh, "
                              "huyện Hải Hậu, tỉnh Nam Định", id_paper="Căn cước công dân số "
                              "036190004321", id_number="036190004321")
        child = PersonOnForm("TRẦN MINH AN", date(2024, 3, 2), sex="M",
                             place_of_birth="xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định",
                             hometown="xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định")
        spec = DeclarationSpec("UBND xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định", mother, "Mẹ",
                               child, mother, None, None, "xã Hải Minh", date(2024, 3, 20))
        return render_declaration(spec, serif, dpi=DPI, seed=1)[0][0]
    if kind == "id_card":
        from synth.copypage import id_copy_page
        from synth.idcard import CardHolder
        holder = CardHolder("036185001234", "NGUYỄN THỊ HỒNG NHUNG", date(1985, 3, 12), "F",
                            "Việt Nam", "Hải Minh, Hải Hậu, Nam Định", "Thôn 3, Hải Minh, Hải "
                            "Hậu, Nam Định", "", date(2021, 5, 12), date(2025, 3, 12), "cccd2021")
        return id_copy_page([holder], "front_back", find_fonts("Liberation Sans"),
                            find_fonts("Liberation Mono"), dpi=DPI, seed=2)[0]
    if kind == "birth_certificate":
        from synth.certificate import render_certificate
        return render_certificate(make_registration(rng, NameBook.builtin()), dpi=DPI).image
    if kind == "birth_register":
        from synth.gazetteer import load_places
        from synth.plan import _register_pages
        from synth.register import render_register_page
        page = _register_pages(rng, NameBook.builtin(), load_places(shared=False), 1, set())[0]
        return render_register_page(page, serif, dpi=DPI).image
    if kind in ("marriage_certificate", "death_extract"):
        from synth.death import render_death
        from synth.events import make_death, make_marriage
        from synth.gazetteer import load_places
        from synth.marriage import render_marriage
        places = load_places(shared=False)
        if kind == "marriage_certificate":
            return render_marriage(make_marriage(rng, NameBook.builtin(), places), serif,
                                   dpi=DPI).image
        return render_death(make_death(rng, NameBook.builtin(), places), serif, dpi=DPI).image
    if kind == "other":
        from synth.places import random_commune, random_province
        from synth.residence import render_residence
        commune = random_commune(rng, random_province(rng))
        return render_residence(name="LÊ VĂN AN", dob=date(1990, 1, 2), sex="M",
                                id_number="036090001234", ethnicity="Kinh",
                                hometown=commune.format(), residence=f"Thôn 2, {commune.format()}",
                                head_of_household="LÊ VĂN AN", relation="Chủ hộ", commune=commune,
                                issued=date(2024, 5, 1), fonts=serif, dpi=DPI, seed=3)
    assert kind == "blank"
    from synth.copypage import separator_page
    return separator_page(dpi=DPI, seed=4)


CLASSES = ("declaration_form", "id_card", "birth_certificate", "birth_register",
           "marriage_certificate", "death_extract", "other", "blank")


@pytest.mark.tesseract
@pytest.mark.skipif(not fonts_available(), reason="no Vietnamese TrueType font")
@pytest.mark.parametrize("kind", CLASSES)
def test_a_clean_page_of_each_class(kind: str, tmp_path: Path) -> None:
    from ocr.page import process_page
    path = tmp_path / "scan.png"  # the name says nothing: classification reads the content
    _render(kind).convert("L").save(path, dpi=(DPI, DPI))
    out = process_page(path, 1, dpi=DPI, lang="vie", timeout_s=120, auto_min=0.8)
    assert out.doc_class == kind
    if kind in ("blank", "other"):
        assert out.records == ()
