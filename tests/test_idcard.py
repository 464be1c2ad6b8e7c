"""ID-card copies and declarations through the OCR stage: cards found on the page, one record
per card holder with the right 12-digit number; the ID's structure checked against sex and
birth year; a declaration gives the requester and the child as records of their own."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from kernel.records import DocType, FieldStatus
from synth.fonts import fonts_available

DPI = 300


def holder(**changes):
    from synth.idcard import CardHolder
    values = dict(id_number="036185001234", name="NGUYỄN THỊ HỒNG NHUNG",
                  date_of_birth=date(1985, 3, 12), sex="F", nationality="Việt Nam",
                  hometown="Hải Minh, Hải Hậu, Nam Định",
                  residence="Thôn 3, Hải Minh, Hải Hậu, Nam Định",
                  registration_place="Xã Hải Minh, Huyện Hải Hậu, Tỉnh Nam Định",
                  issued=date(2021, 5, 12), expiry=date(2025, 3, 12), edition="cccd2021")
    values.update(changes)
    return CardHolder(**values)


SECOND = dict(id_number="001090012345", name="TRẦN VĂN ĐỨC", date_of_birth=date(1990, 11, 2),
              sex="M", hometown="Đông Anh, Hà Nội", residence="Số 12, Dịch Vọng, Cầu Giấy, Hà Nội",
              registration_place="Xã Uy Nỗ, Huyện Đông Anh, Thành phố Hà Nội",
              issued=date(2024, 8, 1), expiry=date(2030, 11, 2), edition="cc2024")


def _page(tmp_path: Path, holders, arrangement: str, seed: int = 1) -> Path:
    from synth.copypage import id_copy_page
    from synth.degrade import ScanPlan, scan_page
    from synth.fonts import find_fonts
    image, _ = id_copy_page(holders, arrangement, find_fonts("Liberation Sans"),
                            find_fonts("Liberation Mono"), dpi=DPI, seed=seed)
    image = scan_page(image, ScanPlan(skew_deg=1.2, blur_sigma=0.5, noise_sigma=2.0), seed)
    path = tmp_path / "scan.png"
    image.save(path, dpi=(DPI, DPI))
    return path


def _process(path: Path):
    from kernel.places import Gazetteer
    from ocr.page import process_page
    return process_page(path, 1, dpi=DPI, lang="vie", timeout_s=120, auto_min=0.8,
                        gazetteer=Gazetteer.load(None))


@pytest.mark.skipif(not fonts_available(), reason="no Vietnamese TrueType font")
def test_cards_are_found_tilted_and_in_reading_order() -> None:
    from ocr.cardfind import find_cards
    from synth.copypage import id_copy_page
    from synth.fonts import find_fonts
    image, fields = id_copy_page([holder(), holder(**SECOND)], "two_pairs",
                                 find_fonts("Liberation Sans"), find_fonts("Liberation Mono"),
                                 dpi=150, seed=3, tilt=4.0)
    corners = find_cards(np.asarray(image.convert("L")))
    assert len(corners) == 4
    centres = [c.mean(axis=0) for c in corners]
    assert centres[0][0] < centres[1][0] and centres[0][1] < centres[2][1]  # rows, then columns
    bilevel = np.where(np.asarray(image.convert("L")) < 165, 0, 255).astype(np.uint8)
    assert len(find_cards(bilevel)) == 4  # the grey fill gone: the outlines still show them
    assert [f["id_number"] for f in fields] == ["036185001234", "001090012345"]


@pytest.mark.tesseract
@pytest.mark.skipif(not fonts_available(), reason="no Vietnamese TrueType font")
def test_two_cards_on_a_page_give_two_records(tmp_path: Path) -> None:
    out = _process(_page(tmp_path, [holder(), holder(**SECOND)], "two_fronts"))
    assert out.doc_class == "id_card"
    cards = [r for r in out.records if r.doc_type is DocType.ID_CARD]
    assert [(r.row, r.role) for r in cards] == [(1, "card"), (2, "card")]
    assert [r.fields["id_number"].value for r in cards] == ["036185001234", "001090012345"]
    assert cards[0].fields["date_of_birth"].value == "1985-03-12"
    assert cards[1].fields["sex"].value == "M"
    assert all(r.fields["id_number"].bbox is not None for r in cards)


@pytest.mark.tesseract
@pytest.mark.skipif(not fonts_available(), reason="no Vietnamese TrueType font")
def test_an_id_that_contradicts_sex_and_birth_year_goes_to_review(tmp_path: Path) -> None:
    # a woman born in 1985 must have 1 as the 4th digit and 85 after it: this card says 0, 92
    out = _process(_page(tmp_path, [holder(id_number="036092001234")], "front_back", seed=5))
    [card] = out.records
    number = card.fields["id_number"]
    assert number.value == "036092001234"
    assert number.status is FieldStatus.REVIEW
    assert {"id_sex_mismatch", "id_birth_year_mismatch"} <= set(number.reasons)
    # the back is read with the front: its MRZ-checked expiry exactly; its small-print issue
    # date right, or in review (a bold "5" may be read as "B" between two slashes)
    assert card.fields["expiry_date"].value == "2025-03-12"
    issued = card.fields["issue_date"]
    assert issued.value is not None
    assert issued.value == "2021-05-12" or issued.status is FieldStatus.REVIEW


@pytest.mark.tesseract
@pytest.mark.skipif(not fonts_available(), reason="no Vietnamese TrueType font")
def test_front_and_back_make_one_record_confirmed_by_the_mrz(tmp_path: Path) -> None:
    out = _process(_page(tmp_path, [holder(**SECOND)], "front_back", seed=7))
    [card] = out.records
    assert card.row == 1
    assert card.fields["id_number"].value == "001090012345"
    assert card.fields["id_number"].status is FieldStatus.AUTO
    assert card.fields["expiry_date"].value == "2030-11-02"
    assert card.fields["registration_place"].value  # printed on the back of a 2024 card


@pytest.mark.tesseract
@pytest.mark.skipif(not fonts_available(), reason="no Vietnamese TrueType font")
def test_a_declaration_gives_requester_and_subject(tmp_path: Path) -> None:
    from synth.declaration import DeclarationSpec, PersonOnForm, render_declaration
    from synth.fonts import find_fonts
    father = PersonOnForm("TRẦN VĂN ĐỨC", date(1983, 1, 2), residence="Thôn 3, xã Hải Minh, "
                          "huyện Hải Hậu, tỉnh Nam Định", id_paper="Căn cước công dân số "
                          "036083001234, do Cục Cảnh sát QLHC về TTXH cấp ngày 12/05/2021",
                          id_number="036083001234")
    mother = PersonOnForm("NGUYỄN THỊ HỒNG NHUNG", date(1985, 3, 12), residence=father.residence,
                          id_paper="Căn cước công dân số 036185001234", id_number="036185001234")
    child = PersonOnForm("TRẦN MINH ANH", date(2024, 3, 2), sex="F",
                         place_of_birth="Trạm y tế xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định",
                         hometown="xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định")
    spec = DeclarationSpec("UBND xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định", father, "Cha", child,
                           mother, father, None, "xã Hải Minh", date(2024, 3, 20))
    images, truth = render_declaration(spec, find_fonts("Liberation Serif"), dpi=DPI, seed=2)
    path = tmp_path / "page.png"
    images[0].convert("L").save(path, dpi=(DPI, DPI))
    out = _process(path)
    assert out.doc_class == "declaration_form"
    records = {r.role: r for r in out.records}
    assert set(records) == {"requester", "subject", "mother", "father"}
    assert all(r.doc_type is DocType.DECLARATION_FORM for r in records.values())
    requester, subject = records["requester"].fields, records["subject"].fields
    assert requester["full_name"].value == "TRẦN VĂN ĐỨC"
    assert requester["id_number"].value == "036083001234"
    assert requester["relationship"].value == "Cha"
    assert subject["full_name"].value == "TRẦN MINH ANH"
    assert subject["date_of_birth"].value == "2024-03-02"
    assert subject["sex"].value == "F"
    assert subject["mother_name"].value == "NGUYỄN THỊ HỒNG NHUNG"
    assert subject["id_number"].value is None  # the child has no paper on the form
    assert truth["subject"]["full_name"] == subject["full_name"].value


def test_a_number_is_settled_from_its_readings() -> None:
    from kernel.records import FieldValue
    from ocr.idnumber import repairs, settle

    def front(value, *reasons, confidence=0.7):
        return FieldValue(value=value, confidence=confidence, reasons=reasons,
                          status=FieldStatus.REVIEW if reasons else FieldStatus.AUTO)

    # a zero read as an eight: the only one-slip variant that decodes and fits a man of 1997
    assert repairs(["810097663000"], "M", 1997) == {"010097663000"}
    assert repairs(["0100976630000"], "M", 1997) >= {"010097663000"}  # a doubled digit
    confirmed = settle(front("036185001234", "low_ocr_confidence"), mrz="036185001234",
                       page=set(), runs=[], sex="F", birth_year=1985)
    assert confirmed.status is FieldStatus.AUTO and confirmed.confidence >= 0.99
    from_mrz = settle(front(None, "id_unreadable"), mrz="036185001234",
                      page=set(), runs=[], sex="F", birth_year=1985)
    assert (from_mrz.value, from_mrz.status, from_mrz.reasons) == (
        "036185001234", FieldStatus.REVIEW, ("id_from_mrz",))
    # a zero read as an eight on the front, one slip from the MRZ's: two readings agree
    slipped = settle(front("836185001234", "id_invalid_structure"), mrz="036185001234",
                     page=set(), runs=[], sex="F", birth_year=1985)
    assert (slipped.value, slipped.status) == ("036185001234", FieldStatus.AUTO)
    # two valid readings differ: the one under a check digit wins, for review
    disagree = settle(front("036185001239"), mrz="036185001234", page=set(), runs=[],
                      sex="F", birth_year=1985)
    assert (disagree.value, disagree.status) == ("036185001234", FieldStatus.REVIEW)
    # the card's reading misread, its line read alone and the page agree: auto
    outvoted = settle(front("036185001239"), mrz=None, page={"036185001234"}, runs=[],
                      sex="F", birth_year=1985, lines=("036185001234",))
    assert (outvoted.value, outvoted.status) == ("036185001234", FieldStatus.AUTO)
    repaired = settle(front(None, "id_unreadable"), mrz=None, page={"010097663000"},
                      runs=["810097663000"], sex="M", birth_year=1997)
    assert (repaired.value, repaired.status) == ("010097663000", FieldStatus.AUTO)
    alone = settle(front(None, "id_unreadable"), mrz=None, page=set(),
                   runs=["810097663000"], sex="M", birth_year=1997)
    assert (alone.value, alone.reasons) == ("010097663000", ("id_repaired",))


@pytest.mark.parametrize("turn,skew,dpi", [(0, 2.0, 300), (90, -3.0, 150), (270, 1.0, 200)])
def test_a_card_is_placed_on_the_cleaned_page_by_the_preprocessing_geometry(turn, skew, dpi):
    """The card's box on the cleaned page (where the review desk shows it) is where the card
    ended up after the turn, the deskew and the rescale: the preprocessing's own transform."""
    import cv2

    from ocr.cardfind import page_box
    from ocr.orient import apply_rotation
    from ocr.preprocess import PreprocessConfig, preprocess_array

    page = np.full((1400, 1000), 235, np.uint8)
    for y in range(100, 1300, 40):  # lines of print
        for x in range(80, 900, 70):
            page[y:y + 14, x:x + 50] = 30
    page[470:770, 200:700] = 235  # a margin around the card
    page[500:740, 250:640] = 40  # the card: a dark patch, not text
    m = cv2.getRotationMatrix2D((500, 700), skew, 1.0)
    scanned = apply_rotation(cv2.warpAffine(page, m, (1000, 1400), borderValue=235), turn)
    corners = np.array([[250, 500], [640, 500], [640, 740], [250, 740]], np.float64)
    corners = cv2.transform(corners.reshape(1, -1, 2), m)[0]
    if turn:  # the same turn applied to the card's corners
        h, w = 1400, 1000
        turned = {90: lambda x, y: (h - 1 - y, x), 180: lambda x, y: (w - 1 - x, h - 1 - y),
                  270: lambda x, y: (y, w - 1 - x)}[turn]
        corners = np.array([turned(x, y) for x, y in corners])
    out, info = preprocess_array(scanned, dpi, PreprocessConfig(erase_rules=False))
    box = page_box(corners, info["transform"], (out.shape[1], out.shape[0]))
    ink = (out < 128).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    big = stats[1:][np.argmax(stats[1:, cv2.CC_STAT_AREA])]
    want = (big[0], big[1], big[0] + big[2], big[1] + big[3])
    assert box is not None
    assert all(abs(a - b) <= 0.02 * max(out.shape) for a, b in zip(box, want)), (box, want)
