import datetime as dt

import pytest

from kernel import civil_id
from kernel.records import FIELD_NAMES, record_id_for
from kernel.settings import Settings
from kernel.vndate import parse_date, parse_date_words, parse_number_words
from kernel.vntext import ascii_key, canonical_text, canonical_tones, nfc, strip_diacritics


@pytest.mark.parametrize("a,b", [("Hòa", "Hoà"), ("Thủy", "Thuỷ"), ("Khỏe", "Khoẻ"),
                                 ("HÒA", "HOÀ"), ("Thúy", "Thuý")])
def test_both_tone_placements_compare_equal(a, b):
    assert canonical_tones(a) == canonical_tones(b)
    assert a != b


@pytest.mark.parametrize("word", ["Nguyễn", "Hoàng", "Người", "Huỳnh", "Quý", "già", "Trường",
                                  "khuỷu", "Thoại", "Đặng"])
def test_canonical_tones_keeps_unambiguous_words(word):
    assert canonical_tones(word) == word


def test_nfd_input_is_normalized():
    nfd = "Nguyễn Thị Hoà".encode().decode()
    import unicodedata
    decomposed = unicodedata.normalize("NFD", nfd)
    assert decomposed != nfd
    assert canonical_text(decomposed) == canonical_text(nfd) == "NGUYỄN THỊ HOÀ"


def test_strip_diacritics_and_ascii_key():
    assert strip_diacritics("Đặng Thị Ánh") == "Dang Thi Anh"
    assert ascii_key("  nguyễn   văn  an ") == "NGUYEN VAN AN"
    assert nfc("e\u0301") == "é"


@pytest.mark.parametrize("text,expected", [
    ("24/08/2017", dt.date(2017, 8, 24)), ("4-8-2017", dt.date(2017, 8, 4)),
    ("ngày 12 tháng 3 năm 1987", dt.date(1987, 3, 12)), ("12.03.1987", dt.date(1987, 3, 12)),
    ("31/02/2000", None), ("không rõ", None), (None, None)])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Ngày hai mươi bốn tháng tám năm hai nghìn không trăm mười bảy", dt.date(2017, 8, 24)),
    ("ngày mười tháng năm năm một nghìn chín trăm tám mươi lăm", dt.date(1985, 5, 10)),
    ("Ngày ba mươi mốt tháng mười hai năm một nghìn chín trăm chín mươi chín", dt.date(1999, 12, 31)),
    ("Ngày mười lăm tháng mười một năm hai nghìn không trăm linh năm", dt.date(2005, 11, 15)),
    ("Ngày hai mươi tháng tư năm hai nghìn hai mươi", dt.date(2020, 4, 20)),
    ("Ngày ba mươi tháng hai năm hai nghìn", None), ("tháng tám", None)])
def test_parse_date_words(text, expected):
    assert parse_date_words(text) == expected


def test_number_words():
    assert parse_number_words("mot nghin chin tram tam muoi bay".split()) == 1987
    assert parse_number_words("hai muoi tu".split()) == 24
    assert parse_number_words("muoi".split()) == 10
    assert parse_number_words("foo".split()) is None


def test_civil_id_decode_and_checks():
    info = civil_id.decode("025188001010")  # the sample in the official form's foot-note
    assert info and info.province_code == "025" and info.sex == "F" and info.birth_year == 1988
    assert civil_id.decode("999188001010") is None  # no such province
    assert civil_id.decode("02518800101") is None
    assert civil_id.inconsistencies("025188001010", sex="F", birth_year=1988) == []
    assert civil_id.inconsistencies("025188001010", sex="M", birth_year=1987) == [
        "id_sex_mismatch", "id_birth_year_mismatch"]
    assert civil_id.inconsistencies("123456789", sex="M", birth_year=1950) == []


def test_civil_id_repair_only_where_valid():
    assert civil_id.repair("0251 8800 1010") == "025188001010"
    assert civil_id.repair("O2518800IOIO") == "025188001010"
    assert civil_id.repair("ABCDEFGHIJKL") is None
    assert civil_id.repair("0251880010") is None
    assert civil_id.repair("012345678") == "012345678"  # 9-digit CMND, leading zero kept


def test_mask_hides_most_digits():
    assert civil_id.mask("025188001010") == "0251******10"
    assert "188001" not in civil_id.mask("025188001010")
    assert civil_id.mask(None) == "-"


def test_record_id_is_stable_and_distinct():
    a = record_id_for("ab" * 32, 1, None)
    assert a == record_id_for("ab" * 32, 1, None)
    assert a != record_id_for("ab" * 32, 2, None) != record_id_for("cd" * 32, 1, None)


def test_settings_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOHOA_OCR_WORKERS", "3")
    s = Settings()
    assert s.ocr_workers == 3
    assert s.archive == str(tmp_path / "archive")
    assert s.registry_url == f"sqlite:///{tmp_path.as_posix()}/registry.sqlite"
    assert Settings(ocr_workers=1).ocr_workers == 1  # explicit value beats the environment
    assert s.fingerprint() == Settings().fingerprint()
    assert s.fingerprint() != Settings(match_upper=0.5).fingerprint()
    assert "s3_secret_key" not in s.fingerprint()


def test_field_names_are_the_export_contract():
    assert len(FIELD_NAMES) == 16 and FIELD_NAMES[0] == "full_name"


def test_id_province_must_be_where_the_birth_was_registered():
    assert civil_id.inconsistencies("025188001010", sex="F", birth_year=1988, province_code="25") == []
    assert civil_id.inconsistencies("025188001010", sex="F", birth_year=1988,
                                    province_code="01") == ["id_province_mismatch"]


@pytest.mark.parametrize("printed,expected", [
    ("Kinh", "Kinh"), ("Kính", "Kinh"), ("Tay", "Tày"), ("Hmông", "Mông"), ("Ê Đê", "Ê Đê"),
    ("Ede", "Ê Đê"), ("Bru-Vân Kiều", "Bru-Vân Kiều"), ("Xyz", None), ("", None)])
def test_ethnic_groups_are_recognized_and_repaired(printed, expected):
    from kernel.vnnames import ethnic_group
    assert ethnic_group(printed) == expected


@pytest.mark.parametrize("word,expected", [
    ("NGUYÊN", "NGUYỄN"), ("HƯỲNH", "HUỲNH"), ("TRAN", "TRẦN"), ("NGUYỄN", None), ("LO", None)])
def test_family_name_repair_only_where_one_name_fits(word, expected):
    from kernel.vnnames import repair_family_name
    assert repair_family_name(word) == expected


def test_joined_syllables_are_split_only_when_unambiguous():
    from kernel.syllables import SyllableLexicon
    lex = SyllableLexicon(frozenset({"nam", "lộc", "thị", "khanh", "an", "nama"}), "test")
    assert lex.split_joined("NAMLỘC") == ["NAM", "LỘC"]
    assert lex.split_joined("THỊKHANH") == ["THỊ", "KHANH"]
    assert lex.split_joined("LỘC") == ["LỘC"]
    assert SyllableLexicon(frozenset(), "none").split_joined("NAMLỘC") == ["NAMLỘC"]
