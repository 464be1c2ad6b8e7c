"""The gazetteer of administrative units (kernel.places): parsing, resolving, correcting.

Tests marked by the ``gazetteer`` fixture need the shared data (shared/data/admin_units, see
shared/data/SOURCES.md section 2) and are skipped without it; the others use the built-in
province table or small files written here.
"""

import csv
import json
import pickle

import pytest

from kernel import places
from kernel.places import Gazetteer

GSO_CSV = places.shared_data_dir() / "admin_units" / places.GSO_CSV_NAME
OLDER_DIR = places.shared_data_dir() / "admin_units" / places.OLDER_DIR_NAME


@pytest.fixture(scope="module")
def builtin():
    return Gazetteer.builtin()


@pytest.fixture(scope="module")
def gazetteer():
    if not GSO_CSV.is_file() or not OLDER_DIR.is_dir():
        pytest.skip(f"shared admin-unit data not found ({GSO_CSV.parent})")
    return Gazetteer.load()  # cached for the session: loaded once


@pytest.fixture(scope="module")
def gso_rows():
    """(province code, district code, commune code, commune name) of the 2025-01 CSV."""
    if not GSO_CSV.is_file():
        pytest.skip(f"{GSO_CSV} not found")
    with GSO_CSV.open(encoding="utf-8-sig", newline="") as f:
        return [(r["Mã TP"], r["Mã QH"], r["Mã PX"], " ".join(r["Phường Xã"].split()))
                for r in csv.DictReader(f)]


def codes(match):
    return match.province_code, match.district_code, match.commune_code


# --- built-in province table ----------------------------------------------------------------


def test_builtin_has_63_provinces_with_types(builtin):
    assert len(builtin.provinces) == 63
    assert not builtin.districts and not builtin.communes
    types = {code: u.type for code, u in builtin.provinces.items()}
    assert {c for c, t in types.items() if t == "thành phố"} == {"01", "31", "48", "79", "92"}
    assert types["46"] == "tỉnh"  # Thừa Thiên Huế in the kernel table
    assert builtin.unit("91").name == "Kiên Giang"


@pytest.mark.parametrize("text,code", [
    ("tỉnh Kiên Giang", "91"),
    ("thành phố Hồ Chí Minh", "79"),
    ("TP. Hồ Chí Minh", "79"),
    ("Tp.HCM", "79"),
    ("tinh Kien Giang", "91"),
    ("Tỉnh Thừa Thiên Huế", "46"),
    ("t. Thanh Hóa", "38"),  # the kernel table spells it "Thanh Hoá"
    ("tỉnh Bà Rịa Vũng Tàu", "77"),
])
def test_builtin_resolves_provinces(builtin, text, code):
    m = builtin.resolve(text)
    assert m.province_code == code
    assert m.district_code is None and m.commune_code is None
    assert m.confidence > 0.9


def test_builtin_repairs_lost_diacritics_but_keeps_valid_spellings(builtin):
    assert builtin.correct("tinh Kien Giang") == "tinh Kiên Giang"  # unit word kept as printed
    assert builtin.correct("tỉnh Thanh Hóa") == "tỉnh Thanh Hóa"  # the other tone placement
    assert builtin.correct("tỉnh Bà Rịa Vũng Tàu") == "tỉnh Bà Rịa Vũng Tàu"


def test_builtin_leaves_unknown_places_alone(builtin):
    m = builtin.resolve("xã Sen Phương, huyện Phúc Thọ, thành phố Hà Nội")
    assert codes(m) == ("01", None, None)
    assert m.corrected == m.text
    assert builtin.resolve("Bệnh viện Từ Dũ").province_code is None


def test_former_province_is_recognised_not_corrected(builtin):
    # Vĩnh Phú (1968-1996) is one letter from Vĩnh Phúc: it must not be "repaired" into it
    m = builtin.resolve("tỉnh Vĩnh Phú")
    assert m.province_code is None and m.corrected == "tỉnh Vĩnh Phú"
    assert m.notes[0].method == "former"


def test_gazetteer_is_immutable_and_pickles_by_origin(builtin):
    with pytest.raises(AttributeError):
        builtin.source = "x"
    with pytest.raises(TypeError):
        builtin.provinces["99"] = None
    assert pickle.loads(pickle.dumps(builtin)).provinces.keys() == builtin.provinces.keys()


def test_load_falls_back_to_builtin_without_shared_data(tmp_path, monkeypatch):
    monkeypatch.setenv("SOHOA_SHARED_DATA", str(tmp_path))
    g = Gazetteer.load()
    assert len(g.provinces) == 63 and not g.communes
    with pytest.raises(FileNotFoundError):
        Gazetteer.load(tmp_path)


# --- small files in the GSO and 2017 formats --------------------------------------------------

MINI_CSV = """\
Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh
Thành phố Hà Nội,01,Quận Ba Đình,001,Phường Phúc Xá,00001,Phường,
Thành phố Hà Nội,01,Huyện Phúc Thọ,272,Xã Sen  Phương,09733,Xã,
Thành phố Hà Nội,01,Huyện Phúc Thọ,272,Thị Trấn Phúc Thọ,09715,Thị trấn,
Tỉnh Quảng Trị,45,Huyện Cồn Cỏ,471,,,Huyện,
"""


@pytest.fixture()
def mini(tmp_path):
    path = tmp_path / places.GSO_CSV_NAME
    path.write_text("\ufeff" + MINI_CSV, encoding="utf-8")
    older = tmp_path / places.OLDER_DIR_NAME
    older.mkdir()
    (older / "tinh_tp.json").write_text(json.dumps({
        "01": {"name": "Hà Nội", "type": "thanh-pho", "code": "01"},
        "45": {"name": "Quảng Trị", "type": "tinh", "code": "45"}}), encoding="utf-8")
    (older / "quan_huyen.json").write_text(json.dumps({
        "272": {"name": "Phúc Thọ", "type": "huyen", "code": "272", "parent_code": "01"}}),
        encoding="utf-8")
    (older / "xa_phuong.json").write_text(json.dumps({
        "09733": {"name": "Sen Phương", "type": "xa", "code": "09733", "parent_code": "272"},
        "09799": {"name": "Cũ Xưa", "type": "xa", "code": "09799", "parent_code": "272"}}),
        encoding="utf-8")
    return path, older


def test_from_gso_csv_reads_the_format(mini):
    g = Gazetteer.from_gso_csv(mini[0])
    assert set(g.provinces) == {"01", "45"} and g.unit("01").type == "thành phố"
    assert g.unit("01").name == "Hà Nội" and g.unit("45").type == "tỉnh"
    assert g.unit("471").name == "Cồn Cỏ" and g.children("471") == ()  # island, no communes
    assert g.unit("09715").type == "thị trấn" and g.unit("09715").name == "Phúc Thọ"
    assert g.unit("09733").name == "Sen Phương"  # double space in the list
    assert g.path("09733")[0].code == "01"
    m = g.resolve("xã Sen Phuong, huyện Phúc Thọ, thành phố Hà Nội")
    assert codes(m) == ("01", "272", "09733")
    assert m.corrected == "xã Sen Phương, huyện Phúc Thọ, thành phố Hà Nội"


def test_from_files_merges_older_names(mini):
    g = Gazetteer.from_files(*mini)
    old = g.unit("09799")
    assert old is not None and not old.current and old.parent_code == "272"
    m = g.resolve("xã Cũ Xưa, huyện Phúc Thọ, thành phố Hà Nội")
    assert m.commune_code == "09799" and m.notes[0].historical
    assert m.corrected == m.text


def test_load_a_csv_path_and_cache(mini):
    g = Gazetteer.load(mini[0])
    assert g is Gazetteer.load(str(mini[0]))
    assert not any(not u.current for u in g.communes.values())  # the CSV alone
    both = Gazetteer.load(mini[0].parent)  # a folder: the CSV and the 2017 list beside it
    assert "09799" in both.communes


def test_not_a_gso_csv(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError):
        Gazetteer.from_gso_csv(bad)


# --- the shared lists (skipped without them) -----------------------------------------------


def test_load_counts(gazetteer):
    assert len(gazetteer.provinces) == 63
    current = [u for u in gazetteer.communes.values() if u.current]
    assert len(current) == 10051
    assert len(gazetteer.communes) > len(current)  # + units merged away since 2017


@pytest.mark.parametrize("printed,expected", [
    ("UBND xã Phú Hòa Đồng, huyện Củ Chỉ, thành phố Hồ Chí Minh",
     "UBND xã Phú Hòa Đông, huyện Củ Chi, thành phố Hồ Chí Minh"),
    ("xã Ủy Nỗ, huyện Đông Anh, thành phố Hà Nội",
     "xã Uy Nỗ, huyện Đông Anh, thành phố Hà Nội"),
    ("H. Củ Chỉ, TP. Hồ Chí Minh", "H. Củ Chi, TP. Hồ Chí Minh"),
    ("XÃ PHÚ HÒA ĐỒNG, HUYỆN CỦ CHI, TP. HỒ CHÍ MINH",
     "XÃ PHÚ HÒA ĐÔNG, HUYỆN CỦ CHI, TP. HỒ CHÍ MINH"),
    ("x. Sen Phuong, h. Phuc Tho, t. Ha Noi", "x. Sen Phương, h. Phúc Thọ, t. Hà Nội"),
    ("Ủy ban nhân dân xã Sen Phưong, huyện Phúc Thọ, thành phố Hà Nội",
     "Ủy ban nhân dân xã Sen Phương, huyện Phúc Thọ, thành phố Hà Nội"),
])
def test_ocr_errors_are_corrected(gazetteer, printed, expected):
    assert gazetteer.correct(printed) == expected


def test_codes_agree_with_the_csv(gazetteer, gso_rows):
    by_name = {(p, d, n): c for p, d, c, n in gso_rows if c}
    m = gazetteer.resolve("UBND xã Phú Hòa Đồng, huyện Củ Chỉ, thành phố Hồ Chí Minh")
    assert codes(m) == ("79", "783", by_name[("79", "783", "Xã Phú Hòa Đông")])
    m = gazetteer.resolve("xã Sen Phương, huyện Phúc Thọ, thành phố Hà Nội")
    assert codes(m) == ("01", "272", by_name[("01", "272", "Xã Sen Phương")])
    assert m.confidence == 1.0 and not m.changed
    m = gazetteer.resolve("Ủy ban nhân dân phường Phúc Xá, quận Ba Đình, thành phố Hà Nội")
    assert codes(m) == ("01", "001", by_name[("01", "001", "Phường Phúc Xá")])


def test_every_commune_of_a_district_resolves_to_its_csv_code(gazetteer, gso_rows):
    rows = [r for r in gso_rows if r[1] == "783"]  # Củ Chi
    assert len(rows) > 20
    for p, d, c, name in rows:
        m = gazetteer.resolve(f"{name}, huyện Củ Chi, thành phố Hồ Chí Minh")
        assert codes(m) == (p, d, c), name
        assert not m.changed


def test_tone_placement_is_kept_as_printed(gazetteer):
    printed = "xã Hoà Tiến, huyện Hoà Vang, thành phố Đà Nẵng"  # the list writes "Hòa"
    m = gazetteer.resolve(printed)
    assert m.corrected == printed
    assert m.commune_code == "20326" and m.district_code == "497"
    assert [n.method for n in m.notes] == ["exact"] * 3


def test_only_the_wrong_word_is_rewritten(gazetteer):
    # "Hoà" (other tone placement) stays, "Đồng" becomes "Đông"
    assert gazetteer.correct("xã Phú Hoà Đồng, huyện Củ Chi, TP. Hồ Chí Minh") == \
        "xã Phú Hoà Đông, huyện Củ Chi, TP. Hồ Chí Minh"


def test_unknown_name_is_kept_and_unresolved(gazetteer):
    # there is no Tân Hòa in Chợ Mới (An Giang); the district and province still resolve
    printed = "Trạm y tế xã Tân Hòa, huyện Chợ Mới, tỉnh An Giang"
    m = gazetteer.resolve(printed)
    assert m.corrected == printed
    assert codes(m) == ("89", "893", None)
    assert m.notes[0].method == "unknown" and m.notes[0].text.startswith("Trạm y tế")
    assert m.confidence < 0.8


def test_ambiguous_name_is_kept(gazetteer):
    # Hoằng Hóa has both a Hoằng Đồng and a Hoằng Đông: "Hoằng Dong" could be either
    printed = "xã Hoằng Dong, huyện Hoằng Hóa, tỉnh Thanh Hóa"
    m = gazetteer.resolve(printed)
    assert m.corrected == printed
    assert m.commune_code is None and m.district_code == "399"
    assert m.notes[0].method == "ambiguous" and set(m.notes[0].candidates) == {"15952",
                                                                              "15997"}
    # printed exactly, either one is found
    assert gazetteer.resolve("xã Hoằng Đồng, huyện Hoằng Hóa, tỉnh Thanh Hóa").commune_code \
        == "15952"


def test_a_real_name_elsewhere_is_not_fuzzily_replaced(gazetteer):
    # "Tân Hội" is a real commune name elsewhere, one letter from Hướng Hóa's "Tân Hợp"
    printed = "xã Tân Hội, huyện Hướng Hóa, tỉnh Quảng Trị"
    assert gazetteer.correct(printed) == printed


def test_a_misread_letter_is_repaired(gazetteer):
    m = gazetteer.resolve("xã Sen Phươrng, huyện Phúc Thọ, thành phố Hà Nội")
    assert m.commune_code == "09733"
    assert m.corrected == "xã Sen Phương, huyện Phúc Thọ, thành phố Hà Nội"
    assert m.notes[0].method == "fuzzy"


def test_2017_commune_merged_away_resolves(gazetteer, gso_rows):
    # Phương Chiểu (Hưng Yên city) was merged away after 2017: not in the 2025-01 list
    assert "12382" not in {c for _, _, c, _ in gso_rows}
    printed = "Xã Phương Chiểu, Thành phố Hưng Yên, Tỉnh Hưng Yên"
    m = gazetteer.resolve(printed)
    assert codes(m) == ("33", "323", "12382")
    assert m.corrected == printed
    assert m.notes[0].historical and not gazetteer.unit("12382").current


def test_2017_province_and_district_names_resolve(gazetteer):
    m = gazetteer.resolve("phường Phú Hội, thành phố Huế, tỉnh Thừa Thiên Huế")
    assert m.province_code == "46" and m.district_code == "474" and m.commune_code
    assert not m.changed
    # Quận 2 became part of Thành phố Thủ Đức (which took its code)
    assert codes(gazetteer.resolve("Quận 2, TP. Hồ Chí Minh")) == ("79", "769", None)


def test_name_reused_after_a_merger_maps_to_the_current_unit(gazetteer):
    # 2017: Thịnh Quang was 00223; the merged ward of 2025 keeps the name, under code 00235
    m = gazetteer.resolve("phường Thịnh Quang, quận Đống Đa, thành phố Hà Nội")
    assert m.commune_code == "00235" and m.notes[0].candidates == ("00223",)


def test_leading_free_text_and_keywords_are_preserved(gazetteer):
    for printed, fixed in [
        ("Trạm y tế xã Sen Phuơng, huyện Phúc Thọ, thành phố Hà Nội",
         "Trạm y tế xã Sen Phương, huyện Phúc Thọ, thành phố Hà Nội"),
        ("UBND xã Sen Phương, Huyện Phúc Thọ, TP Hà Nội",
         "UBND xã Sen Phương, Huyện Phúc Thọ, TP Hà Nội"),
        ("Bệnh viện đa khoa huyện Củ Chỉ, TP. Hồ Chí Minh",
         "Bệnh viện đa khoa huyện Củ Chi, TP. Hồ Chí Minh"),
    ]:
        assert gazetteer.correct(printed) == fixed


def test_levels_not_printed_are_not_invented(gazetteer):
    m = gazetteer.resolve("huyện Phúc Thọ, thành phố Hà Nội")
    assert m.commune_code is None and m.corrected == m.text
    m = gazetteer.resolve("xã Sen Phương, huyện Phúc Thọ")  # no province printed
    assert m.corrected == "xã Sen Phương, huyện Phúc Thọ"
    assert codes(m) == ("01", "272", "09733") and m.inferred == ("province",)


def test_missing_commas_and_bare_names(gazetteer):
    m = gazetteer.resolve("xã Sen Phương huyện Phúc Thọ thành phố Hà Nội")
    assert codes(m) == ("01", "272", "09733")
    m = gazetteer.resolve("Hải Minh, Hải Hậu, Nam Định")
    assert m.province_code == "36" and m.commune_code is not None
    # a name holding a unit word is not cut: "Phước Tỉnh" is a commune
    m = gazetteer.resolve("xã Phước Tỉnh huyện Long Điền tỉnh Bà Rịa - Vũng Tàu")
    assert m.province_code == "77" and m.notes[0].printed_name == "Phước Tỉnh"
    assert m.commune_code is not None


def test_hamlet_before_the_commune_is_left_alone(gazetteer):
    m = gazetteer.resolve("Thôn 3, xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định")
    assert m.notes[0].level is None and m.notes[0].method == "free_text"
    assert m.commune_code is not None and not m.changed
