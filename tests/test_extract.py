"""Field extraction on OCR words, without running tesseract."""

import pytest

from kernel.records import DocType, FieldStatus, OcrPage, OcrWord
from ocr.extract import extract_birth_certificate
from ocr.tesseract import parse_tsv

LINES = [
    "GIẤY KHAI SINH",
    "Số: 12 Quyển số: 01/2017",
    "Họ, chữ đệm, tên: NGUYỄN THỊ THUỶ",
    "Ngày, tháng, năm sinh: 24/08/2017",
    "Ghi bằng chữ: Ngày hai mươi bốn tháng tám năm hai nghìn không trăm mười bảy",
    "Giới tính: Nữ Dân tộc: Kinh Quốc tịch: Việt Nam",
    "Nơi sinh: Trạm Y tế xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang",
    "Quê quán: xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang",
    "Số định danh cá nhân: 089317012345",
    "Họ, chữ đệm, tên người mẹ: TRẦN THỊ BÌNH",
    "Năm sinh: 1990 Dân tộc: Kinh Quốc tịch: Việt Nam",
    "Nơi cư trú: xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang",
    "Họ, chữ đệm, tên người cha: NGUYỄN VĂN HÙNG",
    "Năm sinh: 1988 Dân tộc: Tày Quốc tịch: Việt Nam",
    "Nơi đăng ký khai sinh: Ủy ban nhân dân xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang",
    "Ngày đăng ký: 30/08/2017",
]


def ocr_page(lines, conf=0.95, replace=None):
    words = []
    for n, line in enumerate(lines):
        x = 10
        for text in line.split():
            if replace and text in replace:
                text, c = replace[text]
            else:
                c = conf
            words.append(OcrWord(text=text, bbox=(x, n * 40, x + 20 * len(text), n * 40 + 30),
                                 confidence=c, line=n))
            x += 20 * len(text) + 15
    return OcrPage(words=tuple(words), width=2000, height=len(lines) * 40, engine="test")


def values(record):
    return {k: v.value for k, v in record.fields.items()}


def test_every_field_of_a_clean_certificate():
    rec = extract_birth_certificate(ocr_page(LINES))
    assert rec.doc_type is DocType.BIRTH_CERTIFICATE
    assert values(rec) == {
        "full_name": "NGUYỄN THỊ THUỶ", "date_of_birth": "2017-08-24", "sex": "F",
        "place_of_birth": "Trạm Y tế xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang",
        "hometown": "xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang", "ethnicity": "Kinh",
        "nationality": "Việt Nam", "id_number": "089317012345", "father_name": "NGUYỄN VĂN HÙNG",
        "father_birth_year": "1988", "mother_name": "TRẦN THỊ BÌNH", "mother_birth_year": "1990",
        "registration_number": "12", "book_number": "01/2017", "registration_date": "2017-08-30",
        "registration_place": "Ủy ban nhân dân xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang"}
    assert all(f.status is FieldStatus.AUTO for f in rec.fields.values())
    assert rec.fields["date_of_birth"].confidence >= 0.98  # digits and words agree


def test_garbled_labels_are_still_found():
    garbled = [line.replace("Ngày, tháng, năm sinh:", "Ngay, thang, nám sinh:")
               .replace("Số định danh cá nhân:", "Sô định danh cả nhân:") for line in LINES]
    rec = extract_birth_certificate(ocr_page(garbled))
    assert rec.fields["date_of_birth"].value == "2017-08-24"
    assert rec.fields["id_number"].value == "089317012345"


def test_words_disagreeing_with_digits_send_the_date_to_review():
    lines = [line.replace("24/08/2017", "21/08/2017") for line in LINES]
    field = extract_birth_certificate(ocr_page(lines)).fields["date_of_birth"]
    assert field.status is FieldStatus.REVIEW and "date_words_disagree" in field.reasons


def test_id_that_contradicts_sex_and_year_goes_to_review():
    lines = [line.replace("089317012345", "089217012345") for line in LINES]  # male digit
    field = extract_birth_certificate(ocr_page(lines)).fields["id_number"]
    assert field.status is FieldStatus.REVIEW and "id_sex_mismatch" in field.reasons


def test_low_ocr_confidence_goes_to_review_with_reason():
    rec = extract_birth_certificate(ocr_page(LINES, replace={"BÌNH": ("BÌNH", 0.2)}))
    field = rec.fields["mother_name"]
    assert field.value == "TRẦN THỊ BÌNH"
    assert field.status is FieldStatus.REVIEW and field.reasons == ("low_ocr_confidence",)


def test_missing_fields_are_null_and_required_ones_flagged():
    rec = extract_birth_certificate(ocr_page([l for l in LINES if "định danh" not in l
                                              and not l.startswith("Giới")]))
    assert rec.fields["id_number"].value is None and rec.fields["id_number"].status is FieldStatus.AUTO
    assert rec.fields["sex"].value is None and rec.fields["sex"].reasons == ("not_found",)


def test_a_page_without_labels_is_unknown():
    rec = extract_birth_certificate(ocr_page(["Lorem ipsum dolor", "sit amet"]))
    assert rec.doc_type is DocType.UNKNOWN
    assert rec.fields["full_name"].value is None


def test_parse_tsv_keeps_lines_and_confidences():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t10\t20\t30\t10\t96.5\tHọ,\n"
           "5\t1\t1\t1\t1\t2\t45\t20\t30\t10\t91\ttên:\n"
           "5\t1\t1\t1\t2\t1\t10\t40\t30\t10\t88\tAN\n"
           "5\t1\t1\t1\t2\t2\t50\t40\t30\t10\t-1\t \n")
    words = parse_tsv(tsv)
    assert [(w.text, w.line) for w in words] == [("Họ,", 0), ("tên:", 0), ("AN", 1)]
    assert words[0].bbox == (10, 20, 40, 30) and abs(words[0].confidence - 0.965) < 1e-9


def test_garbled_family_names_are_repaired_from_the_lexicon():
    rec = extract_birth_certificate(ocr_page(LINES, replace={
        "NGUYỄN": ("NGUYÊN", 0.55), "TRẦN": ("TRÂN", 0.6)}))
    assert rec.fields["father_name"].value == "NGUYỄN VĂN HÙNG"
    assert rec.fields["mother_name"].value == "TRẦN THỊ BÌNH"
    assert rec.fields["full_name"].value == "NGUYỄN THỊ THUỶ"
    assert rec.fields["full_name"].status is FieldStatus.AUTO


def test_given_names_are_not_repaired():
    lines = [l.replace("NGUYỄN THỊ THUỶ", "LÊ THỊ NGUYÊN") for l in LINES]
    assert extract_birth_certificate(ocr_page(lines)).fields["full_name"].value == "LÊ THỊ NGUYÊN"


def test_place_names_are_repaired_against_the_unit_list():
    from kernel.places import Gazetteer
    from ocr.fields import check_place

    full = Gazetteer.load(None)
    if not full.communes:
        import pytest
        pytest.skip("../shared/data/admin_units is not here")
    text, reasons, province = check_place("UBND xã Phú Hòa Đồng, huyện Củ Chỉ, thành phố Hồ Chí Minh", full)
    assert text == "UBND xã Phú Hòa Đông, huyện Củ Chi, thành phố Hồ Chí Minh" and reasons == []
    assert province == "79"
    text, reasons, _ = check_place("xã Không Có Thật, huyện Củ Chi, thành phố Hồ Chí Minh", full)
    assert text.startswith("xã Không Có Thật") and reasons == ["place_unresolved"]


def test_with_provinces_only_unknown_communes_are_not_flagged():
    from kernel.places import Gazetteer
    from ocr.fields import check_place

    text, reasons, province = check_place("xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang", Gazetteer.builtin())
    assert text == "xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang" and reasons == [] and province == "89"


def test_names_with_syllables_that_do_not_exist_go_to_review():
    from kernel.syllables import SyllableLexicon

    lexicon = SyllableLexicon(frozenset({"nguyễn", "thị", "thuỷ", "trần", "bình", "văn", "hùng"}), "test")
    rec = extract_birth_certificate(ocr_page(LINES, replace={"HÙNG": ("HỪNG", 0.97)}),
                                    lexicon=lexicon)
    assert rec.fields["father_name"].reasons == ("name_unknown_syllable",)
    assert rec.fields["full_name"].status is FieldStatus.AUTO  # both tone placements are known
    assert SyllableLexicon(frozenset(), "none").unknown("XYZ ABC") == []  # no lexicon: no check


def test_id_from_another_province_than_the_registration_goes_to_review():
    from kernel.places import Gazetteer

    lines = [l.replace("089317012345", "001317012345") for l in LINES]  # 001 = Hà Nội
    field = extract_birth_certificate(ocr_page(lines), gazetteer=Gazetteer.builtin()).fields["id_number"]
    assert field.reasons == ("id_province_mismatch",)
    same = extract_birth_certificate(ocr_page(LINES), gazetteer=Gazetteer.builtin()).fields["id_number"]
    assert same.status is FieldStatus.AUTO


@pytest.mark.parametrize("text,ref,expected", [
    ("1976", None, ("1976", [])), ("28 tuổi", 1984, ("1956", [])), ("28 tuoi", 1984, ("1956", [])),
    ("không rõ", 1984, (None, ["year_unreadable"])), ("30 tuổi", None, (None, ["year_unreadable"]))])
def test_parent_age_becomes_a_birth_year(text, ref, expected):
    from ocr.fields import year_or_age
    assert year_or_age(text, ref) == expected


@pytest.mark.parametrize("text,expected", [
    ("Chứng minh nhân dân số 069391572, cấp ngày 20/06/1995", "069391572"),
    ("Căn cước công dân số 025188001010 do Cục Cảnh sát cấp ngày 20/11/2021", "025188001010"),
    ("Căn cước công dân số O25188OO1O1O", "025188001010"),
    ("không có", None)])
def test_id_number_from_an_id_paper_line(text, expected):
    from ocr.fields import id_from_paper
    assert id_from_paper(text) == expected
