"""Cross-checks, table-driven: what the document itself says against a reading. Each check is
tested alone (kernel.checks, kernel.civil_id, the lexicon, the gazetteer) and through the field
builder on a page, where it must send the right fields to review with the reason."""

import datetime as dt

import pytest

from kernel import checks, civil_id
from kernel.records import FieldStatus, FieldValue, DocType, ExtractedRecord, FIELD_NAMES
from kernel.syllables import SyllableLexicon
from ocr.extract import extract_birth_certificate
from ocr.register import check_page
from tests.test_extract import LINES, ocr_page

TODAY = dt.date(2026, 6, 1)


def fields_of(lines, **kw):
    return extract_birth_certificate(ocr_page(lines), **kw).fields


def replaced(old, new):
    return [line.replace(old, new) for line in LINES]


# --- dates --------------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [
    (dt.date(2017, 8, 24), []), (dt.date(1900, 1, 1), []), (dt.date(2996, 3, 14), ["date_in_future"]),
    (dt.date(2026, 6, 2), ["date_in_future"]), (dt.date(1899, 12, 31), ["date_too_old"])])
def test_date_plausible(value, expected):
    assert checks.date_plausible(value, TODAY) == expected


@pytest.mark.parametrize("digits,words,status,reasons,value", [
    ("24/08/2017", "Ngày hai mươi bốn tháng tám năm hai nghìn không trăm mười bảy",
     FieldStatus.AUTO, (), "2017-08-24"),
    ("24/08/2017", "Ngày hai mươi lăm tháng tám năm hai nghìn không trăm mười bảy",
     FieldStatus.REVIEW, ("date_words_disagree",), "2017-08-24"),
    ("24/98/2017", "Ngày hai mươi bốn tháng tám năm hai nghìn không trăm mười bảy",
     FieldStatus.AUTO, (), "2017-08-24"),  # a 0 read as 9, confirmed by the words
    ("24/98/2017", "Ngày hai mươi lăm tháng tám năm hai nghìn không trăm mười bảy",
     FieldStatus.REVIEW, ("date_repaired", "date_words_disagree"), "2017-08-24"),
    ("2?/??/2017", "Ngày hai mươi bốn tháng tám năm hai nghìn không trăm mười bảy",
     FieldStatus.REVIEW, ("date_from_words",), "2017-08-24"),
])
def test_date_in_digits_against_date_in_words(digits, words, status, reasons, value):
    lines = [l.replace("24/08/2017", digits) for l in LINES]
    lines = [l if not l.startswith("Ghi bằng chữ") else "Ghi bằng chữ: " + words for l in lines]
    f = fields_of(lines)["date_of_birth"]
    assert (f.status, f.reasons, f.value) == (status, reasons, value)
    if status is FieldStatus.AUTO:
        assert f.confidence >= 0.98  # two independent readings agree


@pytest.mark.parametrize("registered,born,book,expected", [
    (dt.date(2017, 8, 30), dt.date(2017, 8, 24), "01/2017", []),
    (dt.date(2017, 8, 24), dt.date(2017, 8, 24), None, []),  # the same day is fine
    (dt.date(2017, 8, 20), dt.date(2017, 8, 24), "01/2017", ["registered_before_birth"]),
    (dt.date(2018, 1, 3), dt.date(2017, 12, 30), "01/2017", ["book_year_disagrees"]),
    (dt.date(2018, 1, 3), None, "02", [])])
def test_registration_problems(registered, born, book, expected):
    assert checks.registration_problems(registered, born, book) == expected


def test_registration_before_birth_sends_both_dates_to_review():
    lines = [l.replace("30/08/2017", "20/08/2017") for l in LINES]
    lines = [l for l in lines if not l.startswith("Ghi bằng chữ")]  # nothing confirms the birth
    f = fields_of(lines)
    assert "registered_before_birth" in f["registration_date"].reasons
    assert "registered_before_birth" in f["date_of_birth"].reasons  # either may be misread
    f = fields_of([l.replace("30/08/2017", "20/08/2017") for l in LINES])
    assert f["date_of_birth"].status is FieldStatus.AUTO  # confirmed by the words: the other
    assert f["registration_date"].status is FieldStatus.REVIEW


def test_registration_year_must_be_the_book_year():
    f = fields_of(replaced("01/2017", "01/2016"))
    assert f["registration_date"].reasons == ("book_year_disagrees",)
    assert f["book_number"].reasons == ("book_year_disagrees",)


@pytest.mark.parametrize("book,expected", [
    ("01/2006", []), ("12", []), ("91/1979", ["book_number_implausible"]),
    ("01/2996", ["date_in_future"]), ("+996", ["book_number_malformed"]),
    ("SA0,Y", ["book_number_malformed"])])
def test_book_problems(book, expected):
    assert checks.book_problems(book) == expected


# --- ID number -----------------------------------------------------------------------------
@pytest.mark.parametrize("number,sex,year,province,expected", [
    ("089317012345", "F", 2017, "89", []),
    ("089317012345", "M", 2017, "89", ["id_sex_mismatch"]),
    ("089317012345", "F", 2016, "89", ["id_birth_year_mismatch"]),
    ("089317012345", "F", 2017, "01", ["id_province_mismatch"]),
    ("089217012345", "F", 1917, None, ["id_sex_mismatch", "id_birth_year_mismatch"]),  # 2 = male 2000s
    ("089117012345", "F", 1917, None, []),  # 1 = female 1900s
    ("099317012345", "F", 2017, None, ["id_invalid_structure"]),  # no province 099
    ("069391572", "M", 1975, "66", []),  # a 9-digit CMND carries nothing to check
])
def test_id_against_the_page(number, sex, year, province, expected):
    assert civil_id.inconsistencies(number, sex=sex, birth_year=year, province_code=province) == expected


@pytest.mark.parametrize("printed,reason,also", [
    ("089217012345", "id_sex_mismatch", "sex"),  # valid, but a boy's number on a girl's page
    ("089316012345", "id_birth_year_mismatch", None),  # born 2016 says the ID; 2017 the page
    ("001317012345", "id_province_mismatch", None),  # Hà Nội; registered in An Giang
])
def test_valid_id_contradicting_the_page_goes_to_review(printed, reason, also):
    from kernel.places import Gazetteer

    f = fields_of(replaced("089317012345", printed), gazetteer=Gazetteer.builtin())
    assert f["id_number"].status is FieldStatus.REVIEW and reason in f["id_number"].reasons
    if also:
        assert reason in f[also].reasons
    assert f["date_of_birth"].status is FieldStatus.AUTO  # confirmed by the words


def test_id_with_letters_for_digits_is_repaired_and_checked():
    f = fields_of(replaced("089317012345", "O8931701234S"))
    assert f["id_number"].value == "089317012345" and f["id_number"].status is FieldStatus.AUTO
    f = fields_of(replaced("089317012345", "O8921701234S"))  # repaired, and wrong for a girl
    assert f["id_number"].value == "089217012345"
    assert f["id_number"].reasons == ("id_sex_mismatch",)


# --- parents -------------------------------------------------------------------------------
@pytest.mark.parametrize("parent,child,expected", [
    (1990, 2017, []), (2005, 2017, []), (2006, 2017, ["parent_age_implausible"]),  # 11: no
    (1947, 2017, []), (1946, 2017, ["parent_age_implausible"]),  # 71: no
    (2030, 2017, ["date_in_future", "parent_age_implausible"]), (1990, None, []),
    (1790, None, ["date_too_old"])])
def test_parent_year(parent, child, expected):
    assert checks.parent_year_problems(parent, child, TODAY) == expected


def test_implausible_parent_year_goes_to_review():
    f = fields_of(replaced("Năm sinh: 1990", "Năm sinh: 2009"))
    assert f["mother_birth_year"].reasons == ("parent_age_implausible",)
    assert f["father_birth_year"].status is FieldStatus.AUTO


# --- names ---------------------------------------------------------------------------------
LEXICON = SyllableLexicon(
    frozenset({"nguyễn", "thị", "thuỷ", "trần", "bình", "văn", "hùng", "quân", "quần", "lê",
               "ế", "u", "li", "liễu", "mai"}), "test",
    name_counts={"thị": 600, "thuỷ": 60, "bình": 80, "văn": 900, "hùng": 90, "quân": 93,
                 "liễu": 12, "mai": 50})


@pytest.mark.parametrize("name,expected", [
    ("NGUYỄN THỊ THUỶ", []), ("NGUYỄN THỊ THỦY", []),  # either tone placement
    ("NGUYỄN VĂN HỪNG", ["HỪNG"]),  # no such syllable
    ("NGUYỄN JOHN", ["JOHN"]), ("TRẦN THỊ LI Ế U", ["Ế", "U"]),  # 'LIỄU' torn apart
])
def test_names_of_real_syllables(name, expected):
    assert LEXICON.unknown_in_name(name) == expected


@pytest.mark.parametrize("name,expected", [
    ("NGUYỄN ĐÔNG QUÂN", []), ("NGUYỄN ĐÔNG QUẦN", ["QUẦN"]),  # a word, but no name is QUẦN
    ("QUẦN VĂN HÙNG", []),  # the family name is judged elsewhere
    ("NGUYỄN THỊ XYZ", [])])  # unknown altogether: the syllable check says so
def test_rare_marks_in_names(name, expected):
    assert LEXICON.rare_marks(name) == expected


@pytest.mark.parametrize("printed,reason", [
    ("NGUYỄN VĂN HỪNG", "name_unknown_syllable"), ("NGUYỄN VĂN QUẦN", "name_rare_marks"),
    ("NGUYỄN", "name_malformed"), ("XYZ VĂN HÙNG", "family_name_unusual")])
def test_doubtful_names_go_to_review(printed, reason):
    f = fields_of(replaced("NGUYỄN VĂN HÙNG", printed), lexicon=LEXICON)["father_name"]
    assert f.status is FieldStatus.REVIEW and f.reasons == (reason,)


def test_joined_name_is_split_and_its_family_name_repaired():
    lex = SyllableLexicon(frozenset({"nguyên", "nguyễn", "cẩm", "yến", "thị", "thuỷ"}), "test")
    assert lex.split_joined("NGUYÊNCẨMYẾN") == ["NGUYÊN", "CẨM", "YẾN"]
    f = fields_of(replaced("TRẦN THỊ BÌNH", "NGUYÊNCẨMYẾN"), lexicon=lex)
    assert f["mother_name"].value == "NGUYỄN CẨM YẾN"


# --- register pages ------------------------------------------------------------------------
@pytest.mark.parametrize("numbers,expected", [
    ([140, 141, 142], [[], [], []]),
    ([140, 14, 142], [[], ["number_out_of_sequence"], []]),
    ([95, 9, 97, 98], [[], ["number_out_of_sequence"], [], []]),
    ([96, 9], [["number_out_of_sequence"], ["number_out_of_sequence"]]),
    ([7], [[]]), ([None, 5, None], [[], [], []])])
def test_sequence_problems(numbers, expected):
    assert checks.sequence_problems(numbers) == expected


@pytest.mark.parametrize("numbers,expected", [
    ([56, 57, 58, None, 60], [None, None, None, 59, None]),
    ([1, None, None, 4], [None, 2, 3, None]),
    ([1, None, 5], [None, None, None]),  # the rows do not agree: no guess
    ([None, 5, None], [None, None, None])])
def test_sequence_gaps(numbers, expected):
    assert checks.sequence_gaps(numbers) == expected


@pytest.mark.parametrize("years,book,expected", [
    ([2006, 2006, 2068], 2006, [[], [], ["page_year_disagrees"]]),
    ([2996, 2006, 2006], None, [["page_year_disagrees"], [], []]),
    ([2006, 2007], None, [[], []]),  # no majority: not judged
    ([2006, None], 2006, [[], []])])
def test_page_year_problems(years, book, expected):
    assert checks.page_year_problems(years, book) == expected


def _row(number, reg_date):
    fields = {n: FieldValue(value=None, confidence=1.0, status=FieldStatus.AUTO) for n in FIELD_NAMES}
    fields["registration_number"] = FieldValue(value=number, confidence=0.9, status=FieldStatus.AUTO)
    fields["registration_date"] = FieldValue(value=reg_date, confidence=0.9, status=FieldStatus.AUTO)
    fields["book_number"] = FieldValue(value="01/2006", confidence=0.9, status=FieldStatus.AUTO)
    return ExtractedRecord(doc_type=DocType.BIRTH_REGISTER, fields=fields, row=1)


def test_register_page_rows_checked_together():
    rows = check_page([_row("140", "2006-03-14"), _row("14", "2006-03-16"),
                       _row(None, "2068-03-19"), _row("143", "2006-03-20")])
    assert rows[0].fields["registration_number"].status is FieldStatus.AUTO
    assert rows[1].fields["registration_number"].value == "141"  # '14' was misread
    assert rows[1].fields["registration_number"].reasons == ("number_out_of_sequence",
                                                             "number_from_neighbours")
    assert rows[2].fields["registration_number"].value == "142"  # between 140 and 143
    assert rows[2].fields["registration_number"].reasons == ("number_from_neighbours",)
    assert rows[2].fields["registration_date"].reasons == ("page_year_disagrees",
                                                           "date_out_of_order")
    assert rows[3].fields["registration_date"].status is FieldStatus.AUTO


D = dt.date


@pytest.mark.parametrize("dates,expected", [
    ([D(2003, 2, 20), D(2003, 2, 21), D(2003, 2, 25)], [[], [], []]),
    ([D(2003, 2, 20), D(2003, 3, 23), D(2003, 2, 25)], [[], ["date_out_of_order"], []]),
    ([D(2003, 2, 20), None, D(2003, 2, 25)], [[], [], []]),
    ([D(2003, 2, 20), D(2003, 2, 10)], [["date_out_of_order"], ["date_out_of_order"]])])
def test_registrations_in_date_order(dates, expected):
    assert checks.order_problems(dates) == expected


@pytest.mark.parametrize("registered,born,note,expected", [
    (D(1997, 3, 1), D(1997, 1, 10), "", []),
    (D(1997, 3, 1), D(1986, 11, 25), "", ["registered_late_without_note"]),  # '1996' misread
    (D(2020, 5, 8), D(2015, 7, 26), "Đăng ký quá hạn", []),
    (D(2020, 5, 8), D(2015, 7, 26), "Đăng ký lại", [])])
def test_late_registration_needs_a_note(registered, born, note, expected):
    assert checks.late_without_note(registered, born, note) == expected


def test_register_page_birth_long_before_registration():
    row = _row("5", "1997-03-01")
    fields = dict(row.fields)
    fields["date_of_birth"] = FieldValue(value="1986-11-25", confidence=0.9, status=FieldStatus.AUTO)
    row = row.model_copy(update={"fields": fields})
    out = check_page([row], [""])
    assert out[0].fields["date_of_birth"].reasons == ("registered_late_without_note",)
    assert check_page([row], ["Đăng ký quá hạn"])[0].fields["date_of_birth"].status is FieldStatus.AUTO


@pytest.fixture(scope="module")
def real_lexicon():
    lex = SyllableLexicon.load()
    if not lex.name_counts:
        pytest.skip("../shared/data/names is not here")
    return lex


@pytest.mark.parametrize("name,doubtful", [
    ("NGUYỄN ĐÔNG QUẦN", ["QUẦN"]), ("NGUYỄN THỊ TRẤN", ["TRẤN"]), ("NGUYỄN VĂN THẲNG", ["THẲNG"]),
    ("NGUYỄN ĐÔNG QUÂN", []), ("NGUYỄN THỊ TRÂN", []), ("NGUYỄN VĂN THẮNG", []),
    ("LÊ THỊ HOÀ", []), ("LÊ THỊ HÒA", []), ("TRẦN THỊ THUÝ", []), ("TRẦN THỊ THÚY", [])])
def test_rare_marks_with_the_real_name_lists(real_lexicon, name, doubtful):
    assert real_lexicon.rare_marks(name) == doubtful


@pytest.mark.parametrize("joined,parts", [
    ("MAITHANHTRÚC", ["MAI", "THANH", "TRÚC"]), ("THỊTHÔNG", ["THỊ", "THÔNG"]),
    ("NGUYÊNCẨMYẾN", ["NGUYÊN", "CẨM", "YẾN"]), ("ytế", ["y", "tế"]), ("NGUYỄN", ["NGUYỄN"])])
def test_joined_syllables_with_the_real_lists(real_lexicon, joined, parts):
    assert real_lexicon.split_joined(joined) == parts
    assert not real_lexicon.known("thịthông")  # two syllables run together in a list entry
