"""Normalizers, table-driven: dates (every form, in words for every year 1900-2030), names,
sex, ID numbers, places, book numbers, nationality, parents' ages."""

import datetime as dt
import unicodedata

import pytest

from kernel import civil_id
from kernel.checks import normalize_book_number
from kernel.vndate import date_candidates, parse_date, parse_date_words
from kernel.vntext import canonical_text
from ocr.fields import is_viet_nam, normalize_name, normalize_sex, read_date, year_or_age
from ocr.placetext import check_free_text, tidy_place

# --- dates in words -----------------------------------------------------------------------
# An independent speller (not kernel.vndate, not synth): the rules of Vietnamese numbers as a
# clerk writes them, with the variants in use (nghìn/ngàn, linh/lẻ, tư/bốn, mốt, lăm).
_DIGIT = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _two_digits(n: int, variant: int) -> str:
    tens, unit = divmod(n, 10)
    if tens == 0:
        return _DIGIT[unit]
    head = "mười" if tens == 1 else _DIGIT[tens] + " mươi"
    if unit == 0:
        return head
    if unit == 5:
        word = "lăm"
    elif unit == 1 and tens >= 2:
        word = "mốt"
    elif unit == 4 and tens >= 2 and variant % 2:
        word = "tư"
    else:
        word = _DIGIT[unit]
    return f"{head} {word}"


def spell_year(year: int, variant: int) -> str:
    thousands, rest = divmod(year, 1000)
    hundreds, last = divmod(rest, 100)
    out = [_DIGIT[thousands], "ngàn" if variant % 3 == 1 else "nghìn"]
    if hundreds or last:
        out += [_DIGIT[hundreds], "trăm"]
    if 0 < last < 10:
        out += ["lẻ" if variant % 2 else "linh", _DIGIT[last]]
    elif last:
        out.append(_two_digits(last, variant))
    return " ".join(out)


def spell_date(d: dt.date, variant: int) -> str:
    return (f"Ngày {_two_digits(d.day, variant)} tháng {_two_digits(d.month, variant + 1)} "
            f"năm {spell_year(d.year, variant)}")


def test_the_speller_itself():  # so that a wrong speller cannot hide a wrong parser
    assert spell_year(1987, 0) == "một nghìn chín trăm tám mươi bảy"
    assert spell_year(2005, 1) == "hai ngàn không trăm lẻ năm"
    assert spell_year(2000, 0) == "hai nghìn"
    assert spell_year(1915, 0) == "một nghìn chín trăm mười lăm"
    assert spell_year(2021, 0) == "hai nghìn không trăm hai mươi mốt"
    assert spell_date(dt.date(2017, 8, 24), 1) == (
        "Ngày hai mươi tư tháng tám năm hai ngàn không trăm mười bảy")


@pytest.mark.parametrize("year", range(1900, 2031))
def test_dates_in_words_for_every_year(year):
    for variant, (month, day) in enumerate([(1, 1), (5, 15), (12, 31)]):
        d = dt.date(year, month, day)
        assert parse_date_words(spell_date(d, variant + year)) == d


@pytest.mark.parametrize("day", range(1, 32))
def test_every_day_in_words(day):
    d = dt.date(2019, 1, day)
    assert parse_date_words(spell_date(d, day)) == d
    assert parse_date_words(spell_date(d, day).upper()) == d  # printed in capitals
    nfd = unicodedata.normalize("NFD", spell_date(d, day))
    assert parse_date_words(nfd) == d


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_in_words(month):
    d = dt.date(1999, month, 9)
    assert parse_date_words(spell_date(d, month)) == d


@pytest.mark.parametrize("text,expected", [
    ("Ngày mồng năm tháng Giêng năm một nghìn chín trăm linh năm", dt.date(1905, 1, 5)),
    ("ngày mùng một tháng chạp năm hai nghìn lẻ bốn", dt.date(2004, 12, 1)),
    ("Ngày ba mươi tháng hai năm hai nghìn", None),  # no 30 February
    ("tháng tám năm hai nghìn", None), ("", None), (None, None)])
def test_dates_in_words_special_forms(text, expected):
    assert parse_date_words(text) == expected


# --- dates in digits ----------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("12/03/1987", dt.date(1987, 3, 12)), ("12-3-1987", dt.date(1987, 3, 12)),
    ("12.03.1987", dt.date(1987, 3, 12)), ("ngày 12 tháng 3 năm 1987", dt.date(1987, 3, 12)),
    ("Ngày 12 tháng 03 năm 1987", dt.date(1987, 3, 12)), ("12 / 03 / 1987", dt.date(1987, 3, 12)),
    ("01⁄02/2005", dt.date(2005, 2, 1)),  # OCR's fraction slash
    ("31⁄10⁄1980", dt.date(1980, 10, 31)),
    ("04 giờ 10 phút, ngày 05/1 1/1993", dt.date(1993, 11, 5)),  # a space inside a number
    ("31/02/2000", None), ("không rõ", None), ("", None)])
def test_dates_in_digits(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("24/93/1994", [dt.date(1994, 3, 24)]),  # a 0 read as 9
    ("69/02/2021", [dt.date(2021, 2, 9)]),
    ("30/83/2066", [dt.date(2006, 3, 30)]),  # two of them
    ("24/03/2096", [dt.date(2006, 3, 24)]),  # a year in the future
    ("12/03/1987", []),  # a good date needs no repair
    ("45/45/2017", []),  # nothing to read back as 0
])
def test_date_candidates(text, expected):
    assert date_candidates(text, today=dt.date(2026, 1, 1)) == expected


@pytest.mark.parametrize("text,value,reasons", [
    ("12/03/1987", dt.date(1987, 3, 12), []),
    ("24/93/1994", dt.date(1994, 3, 24), ["date_repaired"]),
    ("12/03/2996", dt.date(2006, 3, 12), ["date_repaired"]),
    ("12/03/1887", dt.date(1887, 3, 12), ["date_too_old"]),
    ("Chỉ chú", None, ["date_unreadable"])])
def test_read_date(text, value, reasons):
    assert read_date(text) == (value, reasons)


# --- names ---------------------------------------------------------------------------------
@pytest.mark.parametrize("printed,expected", [
    ("Nguyễn Thị Hoà", "NGUYỄN THỊ HOÀ"),  # tone placement kept as printed...
    ("NGUYỄN THỊ HÒA", "NGUYỄN THỊ HÒA"),  # ...either one
    ("Lê Thị Thuý", "LÊ THỊ THUÝ"), ("LÊ THỊ THÚY", "LÊ THỊ THÚY"),
    (unicodedata.normalize("NFD", "Trần Văn Đức"), "TRẦN VĂN ĐỨC"),  # NFD in, NFC out
    ("  TRẦN   VĂN  ĐỨC ", "TRẦN VĂN ĐỨC"), ("TRẦN, VĂN. ĐỨC:", "TRẦN VĂN ĐỨC"),
    ("NGUYỄN V4N AN", "NGUYỄN V N AN"),  # a digit in a name is no letter
])
def test_normalize_name(printed, expected):
    got = normalize_name(printed)
    assert got == expected and unicodedata.is_normalized("NFC", got)


@pytest.mark.parametrize("a,b", [("NGUYỄN THỊ HOÀ", "NGUYỄN THỊ HÒA"), ("LÊ THUÝ", "LÊ THÚY"),
                                 ("KHOẺ", "KHỎE"), ("QUÝ", "QUÝ")])
def test_both_tone_placements_are_one_name(a, b):
    assert canonical_text(a) == canonical_text(b)
    assert canonical_text(unicodedata.normalize("NFD", a)) == canonical_text(b)


@pytest.mark.parametrize("text,expected", [
    ("Nam", "M"), ("NAM", "M"), ("Nữ", "F"), ("NỮ", "F"), ("Nu", "F"),
    (unicodedata.normalize("NFD", "Nữ"), "F"), ("Nam.", "M"), ("Khác", None), ("", None)])
def test_normalize_sex(text, expected):
    assert normalize_sex(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Việt Nam", True), ("ViệtNam", True), ("Việ Nam", True), ("VIỆT NAM", True),
    ("Viet Nan", True), ("Lào", False), ("Trung Quốc", False), ("", False)])
def test_nationality_viet_nam_as_ocr_reads_it(text, expected):
    assert is_viet_nam(text) is expected


# --- ID numbers ----------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("025188001010", "025188001010"),
    ("0251 8800 1010", "025188001010"), ("025.188.001.010", "025188001010"),
    ("O25188OO1O1O", "025188001010"),  # O for 0
    ("025188001O10", "025188001010"),
    ("O2518800IOIO", "025188001010"),  # I for 1
    ("0251880010l0", "025188001010"),  # l for 1
    ("02518800|010", "025188001010"),  # | for 1
    ("0S1188001010", "051188001010"),  # S for 5
    ("0B9188001010", "089188001010"),  # B for 8
    ("O99188001010", None),  # no province 099: the repair would not be a valid number
    ("0251880010", None), ("ABCDEFGHIJKL", None),
    ("O12345678", "012345678"),  # a 9-digit CMND, leading zero kept
    ("０２５１８８００１０１０", "025188001010"),  # full-width digits
])
def test_id_repair_only_where_valid(text, expected):
    assert civil_id.repair(text) == expected


# --- parents' ages, book numbers -------------------------------------------------------------
@pytest.mark.parametrize("text,ref,expected", [
    ("1976", None, ("1976", [])), ("Năm sinh: 1976", None, ("1976", [])),
    ("28 tuổi", 1984, ("1956", [])), ("28 tuoi", 1984, ("1956", [])),
    ("45 tuổi", 2001, ("1956", [])), ("không rõ", 1984, (None, ["year_unreadable"])),
    ("30 tuổi", None, (None, ["year_unreadable"]))])
def test_parent_age_to_birth_year(text, ref, expected):
    assert year_or_age(text, ref) == expected


@pytest.mark.parametrize("text,expected", [
    ("01/2006", "01/2006"), ("01 / 2006", "01/2006"), ("01⁄2006", "01/2006"),
    ("01|2006", "01/2006"), ("02", "02")])
def test_book_number(text, expected):
    assert normalize_book_number(text) == expected


# --- places --------------------------------------------------------------------------------
@pytest.mark.parametrize("printed,expected", [
    ("xã Xuân Đám,huyện Cát Hải", "xã Xuân Đám, huyện Cát Hải"),
    ("P.Ngọc Hiệp, TP.Nha Trang", "P. Ngọc Hiệp, TP. Nha Trang"),
    ("P.15, Q.4, TP. Hồ Chí Minh", "P. 15, Q. 4, TP. Hồ Chí Minh"),
    ("X. Tuy Lộc, TP, Yên Bái, T. Yên Bái", "X. Tuy Lộc, TP. Yên Bái, T. Yên Bái"),
    ("X. CaoSơn, H. Bạch Thông", "X. Cao Sơn, H. Bạch Thông"),
    ("xã Hồng Hạ, huyện A_ Lưới", "xã Hồng Hạ, huyện A Lưới"),
    ("thịtrấn A Lưới", "thị trấn A Lưới"),
    ("xã Lộc Tấn huyện Lộc Ninh tỉnh Bình Phước", "xã Lộc Tấn, huyện Lộc Ninh, tỉnh Bình Phước"),
    ("Trạm y tế xã Lộc Tấn", "Trạm y tế xã Lộc Tấn"),  # no comma after the free text
    ("xã Hồng Hạ. huyện A Lưới", "xã Hồng Hạ, huyện A Lưới"),
    ("UBND phường I 1, quận3, thành phố Hồ Chí Minh", "UBND phường 11, quận 3, thành phố Hồ Chí Minh"),
    ("phường l1, quận 3", "phường 11, quận 3"), ("phường II, quận 3", "phường 11, quận 3"),
    ("phường Long Bình, quận 9", "phường Long Bình, quận 9"),
    ("xã Bưng/Riềng", "xã Bưng Riềng"),
    ("huyện Buôn Đôn, tỉnh - Đắk Lắk", "huyện Buôn Đôn, tỉnh Đắk Lắk"),  # a speck for a dash
    ("Xóm I2, xã Yên Phong", "Xóm 12, xã Yên Phong"), ("Thôn 1 1, xã Hải Vân", "Thôn 11, xã Hải Vân"),
    ("X. Liên Hà, H. Đông Anh.TP. Hà Nội", "X. Liên Hà, H. Đông Anh, TP. Hà Nội"),
    ("X.TânHưng,.H. Sóc Sơn", "X. Tân Hưng, H. Sóc Sơn"),
    ("phường 15. quận 4. thành phố Hồ Chí Minh", "phường 15, quận 4, thành phố Hồ Chí Minh"),
    ("Trạm y tế xã Nam' Thanh, huyện Ea H'leo", "Trạm y tế xã Nam Thanh, huyện Ea H'leo"),
])
def test_tidy_place(printed, expected):
    assert tidy_place(printed) == expected


@pytest.mark.parametrize("free,expected,reasons,known", [
    ("Tố dân phố 4", "Tổ dân phố 4", [], False),
    ("Trạm ytế", "Trạm y tế", [], True), ("Uỷ ban nhân dân", "Uỷ ban nhân dân", [], True),
    ("Tại nhà", "Tại nhà", [], True), ("Khu phế 2", "Khu phế 2", ["place_garbled"], False),
    ("Ấp Mỹ Lộc", "Ấp Mỹ Lộc", [], False), ("Thôn i11", "Thôn i11", ["place_garbled"], False),
    ("Tổ 12A", "Tổ 12A", [], False)])
def test_free_text_of_a_place(free, expected, reasons, known):
    assert check_free_text(free, None) == (expected, reasons, known)


# --- places against the unit list (old and new names to codes) ------------------------------
@pytest.fixture(scope="module")
def units():
    from kernel.places import Gazetteer

    g = Gazetteer.load(None)
    if not g.communes:
        pytest.skip("../shared/data/admin_units is not here")
    return g


@pytest.mark.parametrize("printed,province,district,commune,text", [
    # provinces of 1976-2008, kept as printed, coded by the district's current province
    ("xã Kim Sơn, thị xã Sơn Tây, tỉnh Hà Tây", "01", "269", "09610", None),
    ("P. Quảng Phúc, TX. Ba Đồn, T. Bình Trị Thiên", "44", "458", "19102", None),
    ("UBND xã Đại Lãnh, huyện Đại Lộc, tỉnh Quảng Nam Đà Nẵng", "49", "506", "20506",
     "UBND xã Đại Lãnh, huyện Đại Lộc, tỉnh Quảng Nam - Đà Nẵng"),
    ("Ấp Mỹ Lộc, xã Quách Phẩm, huyện Đầm Dơi, tỉnh Minh Hải", "96", "970", "32182", None),
    # a province's name after its split: the district is where the land went
    ("xã Tênh Phông, huyện Tuần Giáo, tỉnh Lai Châu", "11", "099", "03304", None),
    ("P. Thuận Hưng, Q. Thốt Nốt, T. Hậu Giang", "92", "923", "31228", None),
    # the 2017 spelling and today's of one commune
    ("xã Dlê Yang, huyện Ea H'leo, tỉnh Đắk Lắk", "66", "645", "24205", None),
    ("xã Dliê Yang, huyện Ea H'leo, tỉnh Đắk Lắk", "66", "645", "24205", None),
    # OCR: a lost dash, a lost comma, a misread unit word, a numbered ward
    ("xã Bưng Riềng, huyện Xuyên Mộc, tỉnh Bà Rịa Vũng Tàu", "77", None, None,
     "xã Bưng Riềng, huyện Xuyên Mộc, tỉnh Bà Rịa - Vũng Tàu"),
    ("UBND xã Tiên Cảnh, huyện Tiên Phước, tính Quảng Nam", "49", None, None,
     "UBND xã Tiên Cảnh, huyện Tiên Phước, tỉnh Quảng Nam"),
    ("UBND phường I 1, quận 3, thành phố Hồ Chí Minh", "79", None, None,
     "UBND phường 11, quận 3, thành phố Hồ Chí Minh"),
    ("Ủy ban nhân dân X. Tuy Lộc, TP. Yên Bái, T. Yên Bái", "15", "132", "04276", None),
])
def test_places_old_and_new_names_to_codes(units, printed, province, district, commune, text):
    from ocr.placetext import check_place

    match = units.resolve(check_place(printed, units).text)
    assert match.province_code == province
    if district:
        assert (match.district_code, match.commune_code) == (district, commune)
    result = check_place(printed, units)
    assert result.reasons == [] and result.text == (text or printed)


@pytest.mark.parametrize("printed,reason", [
    ("xã Diê Yang, huyện Ea H'leo, tỉnh Đắk Lắk", "place_spelling_uncertain"),  # Dlê or Dliê?
    ("UBND xã Nhị Bình, huyện Châu Thành, tỉnh Tiền", "place_unresolved"),  # cut short
    ("phường quận 3, thành phố Hồ Chí Minh", "place_garbled"),  # the ward's number is gone
    ("Cao Sơn, H. Bạch Thông, T. Bắc Kạn", "place_unit_word_lost"),
    ("xã Tân Hiệp, huyện Yên Thế", "place_incomplete"),  # no province printed
    ("Khu phế 2, phường 13, quận 3, thành phố Hồ Chí Minh", "place_garbled"),
    ("xã Tân Hiệp, huyện Yên Thế, tỉnh", "place_truncated"),
    ("UBND Hòa Trạch, Bế Trạch, Quảng Bình", "place_unresolved"),  # Bố Trạch, no unit word
    ("Thôn i11, X. Thạch Trung, TP. Hà Tĩnh, T. Nghệ Tĩnh", "place_garbled")])
def test_doubtful_places_go_to_review(units, printed, reason):
    from ocr.placetext import check_place

    assert reason in check_place(printed, units).reasons


@pytest.mark.parametrize("printed,verified", [
    ("Trạm y tế xã Lộc Tấn, huyện Lộc Ninh, tỉnh Bình Phước", True),
    ("xã Lộc Tấn, huyện Lộc Ninh, tỉnh Bình Phước", True),
    ("Xóm 10, xã Hà Giang, huyện Hà Trung, tỉnh Thanh Hóa", False),  # a number no list checks
    ("phường 13, quận 3, thành phố Hồ Chí Minh", False),
    ("xã Dliê Yang, huyện Ea H'leo, tỉnh Đắk Lắk", False),  # two spellings of the commune
    ("Ấp Mỹ Lộc, xã Quách Phẩm, huyện Đầm Dơi, tỉnh Minh Hải", False)])  # free hamlet name
def test_places_every_word_of_which_the_list_confirms(units, printed, verified):
    from ocr.placetext import check_place

    assert check_place(printed, units).verified is verified


@pytest.mark.parametrize("printed,value,canonical", [
    ("NGUYỄN THỊ HOÀ", "NGUYỄN THỊ HOÀ", "NGUYỄN THỊ HÒA"),
    ("NGUYỄN THỊ HÒA", "NGUYỄN THỊ HÒA", "NGUYỄN THỊ HÒA"),
    (unicodedata.normalize("NFD", "Nguyễn Thị Thuý"), "NGUYỄN THỊ THUÝ", "NGUYỄN THỊ THÚY")])
def test_name_field_keeps_the_printed_text_and_its_canonical_form(printed, value, canonical):
    from ocr.extract import extract_birth_certificate
    from tests.test_extract import LINES, ocr_page

    lines = [l.replace("TRẦN THỊ BÌNH", printed) for l in LINES]
    field = extract_birth_certificate(ocr_page(lines)).fields["mother_name"]
    assert field.value == value and field.canonical == canonical_text(value)
    assert canonical_text(field.value) == canonical_text(canonical)
