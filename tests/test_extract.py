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
    from ocr.placetext import check_place

    full = Gazetteer.load(None)
    if not full.communes:
        import pytest
        pytest.skip("../shared/data/admin_units is not here")
    text, reasons, province, _ = check_place("UBND xã Phú Hòa Đồng, huyện Củ Chỉ, thành phố Hồ Chí Minh", full)
    assert text == "UBND xã Phú Hòa Đông, huyện Củ Chi, thành phố Hồ Chí Minh" and reasons == []
    assert province == "79"
    text, reasons, _, _ = check_place("xã Không Có Thật, huyện Củ Chi, thành phố Hồ Chí Minh", full)
    assert text.startswith("xã Không Có Thật") and reasons == ["place_unresolved"]


def test_with_provinces_only_unknown_communes_are_not_flagged():
    from kernel.places import Gazetteer
    from ocr.placetext import check_place

    text, reasons, province, _ = check_place("xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang", Gazetteer.builtin())
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


def _words(rows, width=1000):
    """OcrPage from [(y, [(x, text), ...]), ...] with 20 px per letter."""
    words = []
    for n, (y, items) in enumerate(rows):
        for x, text in items:
            words.append(OcrWord(text=text, bbox=(x, y, x + 20 * len(text), y + 30),
                                 confidence=0.95, line=n))
    return OcrPage(words=tuple(words), width=width, height=2000, engine="test")


def _line(x, text):
    out = []
    for w in text.split():
        out.append((x, w))
        x += 20 * len(w) + 15
    return out


def test_a_value_that_ran_to_the_margin_goes_on_at_the_next_line_start():
    from ocr.labels import BIRTH
    from ocr.lines import reading_lines
    from ocr.scan import scan

    full = _line(10, "Nơi đăng ký khai sinh: xã Tân Hòa, huyện Chợ Mới, tỉnh An")  # to x ~ 1150
    page = _words([(0, full), (40, _line(10, "Giang")), (80, _line(10, "Ngày đăng ký: 30/08/2017"))],
                  width=full[-1][0] + 60 + 10)
    raw = scan(reading_lines(page), BIRTH, page.width)
    assert raw["registration_place"].text.endswith("tỉnh An Giang")
    assert raw["registration_date"].text == "30/08/2017"
    # a short line is not continued by the next one, which is another thing
    page = _words([(0, _line(10, "Nơi sinh: xã Tân Hòa")), (40, _line(10, "Giang")),
                   (80, _line(10, "Quê quán: xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang"))], width=1200)
    assert scan(reading_lines(page), BIRTH, page.width)["place_of_birth"].text == "xã Tân Hòa"


def test_marriage_table_read_from_its_text_when_its_rules_are_not_found():
    from ocr.extract import extract_page

    rows = [(0, _line(300, "GIẤY CHỨNG NHẬN KẾT HÔN")), (60, _line(60, "Số: 15 Quyển số: 01/1990")),
            (120, _line(420, "Thông tin người chồng") + _line(980, "Thông tin người vợ")),
            (180, _line(40, "Họ, chữ đệm, tên") + _line(400, "LÊ BÁ TRÚC") + _line(960, "ĐOÀN THỊ MAI")),
            (240, _line(40, "Ngày, tháng, năm sinh") + _line(400, "04/09/1962") + _line(960, "13/05/1969")),
            (300, _line(40, "Dân tộc") + _line(400, "Kinh") + _line(960, "Kinh")),
            (360, _line(40, "Quốc tịch") + _line(400, "Việt Nam") + _line(960, "Việt Nam")),
            (420, _line(40, "Nơi cư trú") + _line(400, "Thôn 7, xã Yên Dương,") + _line(960, "Thôn 7, xã Hợp Châu,")),
            (460, _line(400, "huyện Tam Đảo") + _line(960, "huyện Tam Đảo")),
            (520, _line(40, "Giấy tờ tùy thân") + _line(400, "CMND số 133418046") + _line(960, "CMND số 134332930")),
            (600, _line(40, "Đăng ký kết hôn tại: Ủy ban nhân dân xã Hợp Châu")),
            (660, _line(40, "Ngày đăng ký: 16/05/1990"))]
    records = extract_page(_words(rows, width=1500), ())
    got = {r.role: {k: v.value for k, v in r.fields.items()} for r in records}
    assert got["husband"]["full_name"] == "LÊ BÁ TRÚC" and got["wife"]["full_name"] == "ĐOÀN THỊ MAI"
    assert got["husband"]["date_of_birth"] == "1962-09-04" and got["wife"]["id_number"] == "134332930"
    assert got["husband"]["residence"] == "Thôn 7, xã Yên Dương, huyện Tam Đảo"
    assert got["wife"]["registration_date"] == "1990-05-16" and got["wife"]["book_number"] == "01/1990"
