"""Matching: name keys, every comparator, the rule set, scores and decisions (siblings, twins,
namesakes, near-names), legacy encodings. The registry store itself: tests/test_registry.py."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from kernel.records import FIELD_NAMES, MatchDecision
from matching import (CSV_COLUMNS, DEFAULT_RULES, Matcher, PersonQuery, RegistryPerson,
                      RegistryStore, RuleSet, decide, match_record, ocr_distance, score_pair,
                      split_name)
from matching.compare import level_of, profile
from matching.legacy import decode_legacy, decode_tcvn3, decode_vni, encode_tcvn3, encode_vni
from matching.places import PlaceCoder, compare_tokens

UPPER, LOWER, MARGIN, MAX = 0.88, 0.5, 0.08, 5

# id_number, full_name, date_of_birth, sex, place_of_birth, hometown, ethnicity,
# father_name, mother_name, permanent_address
PEOPLE = [
    ("001090012345", "Nguyễn Văn An", "1990-05-12", "Nam", "Xã Tân Lập, Huyện Đan Phượng, Hà Nội",
     "Hà Nội", "Kinh", "Nguyễn Văn Bình", "Trần Thị Cúc", "Số 5 Tân Lập, Đan Phượng, Hà Nội"),
    # twins: same birth date and parents, names differ by one mark
    ("036205000111", "Phạm Văn Nam", "2005-08-24", "M", "Xã Hải Hậu, Nam Định", "Nam Định",
     "Kinh", "Phạm Văn Đức", "Vũ Thị Hạnh", "Hải Hậu, Nam Định"),
    ("036205000222", "Phạm Văn Năm", "2005-08-24", "M", "Xã Hải Hậu, Nam Định", "Nam Định",
     "Kinh", "Phạm Văn Đức", "Vũ Thị Hạnh", "Hải Hậu, Nam Định"),
    # siblings: same parents, names differ by one mark, different birth dates
    ("079085001234", "Trần Văn Hùng", "1985-04-02", "M", "Quận 5, TP Hồ Chí Minh",
     "Hồ Chí Minh", "Kinh", "Trần Văn Long", "Lê Thị Mai", "Quận 5, TP Hồ Chí Minh"),
    ("079087005678", "Trần Văn Hưng", "1987-09-15", "M", "Quận 5, TP Hồ Chí Minh",
     "Hồ Chí Minh", "Kinh", "Trần Văn Long", "Lê Thị Mai", "Quận 5, TP Hồ Chí Minh"),
    # namesakes: same name and birth date, different families
    ("031188000001", "Nguyễn Thị Lan", "1988-03-15", "Nữ", "Hải Phòng", "Hải Phòng", "Kinh",
     "Nguyễn Văn Hải", "Đỗ Thị Sen", "Hải Phòng"),
    ("040188000002", "Nguyễn Thị Lan", "1988-03-15", "F", "Nghệ An", "Nghệ An", "Kinh",
     "Nguyễn Văn Tùng", "Hồ Thị Loan", "Vinh, Nghệ An"),
    # regional family-name spelling, tone placement, i/y spelling, registry in upper case
    ("089079000321", "Huỳnh Văn Tâm", "1979-12-01", "male", "An Giang", "An Giang", "Kinh",
     "Huỳnh Văn Tư", "Nguyễn Thị Bảy", "Long Xuyên, An Giang"),
    ("034301000777", "Đỗ Thị Hòa", "2001-02-03", "female", "Thái Bình", "Thái Bình", "Kinh",
     "Đỗ Văn Hải", "Lê Thị Thủy", "Thái Bình"),
    ("037070000999", "Lê Văn Quí", "1970-06-30", "M", "Ninh Bình", "Ninh Bình", "Kinh",
     "Lê Văn Tý", "Phạm Thị Nụ", "Ninh Bình"),
    ("025195000444", "NGUYỄN THỊ THUỶ", "1995-10-20", "F", "Phú Thọ", "Phú Thọ", "Kinh",
     "NGUYỄN VĂN HOÀ", "ĐINH THỊ KHOẺ", "Việt Trì, Phú Thọ"),
    # a near-name of Phạm Văn Nam: one syllable apart, same birth date, other parents
    ("036205000333", "Phạm Văn Nhân", "2005-08-24", "M", "Xã Hải Hậu, Nam Định", "Nam Định",
     "Kinh", "Phạm Văn Lộc", "Trần Thị Hoa", "Hải Hậu, Nam Định"),
]


def write_csv(path: Path, rows, *, nfd: bool = False, bom: bool = False,
              header: tuple[str, ...] = CSV_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([unicodedata.normalize("NFD", v) if nfd else v for v in row])
    return path


def fields(**values: str | None) -> dict[str, str | None]:
    out: dict[str, str | None] = dict.fromkeys(FIELD_NAMES)
    out.update(values)
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> RegistryStore:
    tmp = tmp_path_factory.mktemp("registry")
    s = RegistryStore(f"sqlite:///{tmp / 'registry.sqlite'}")
    report = s.import_csv(write_csv(tmp / "registry.csv", PEOPLE))
    assert report.errors == [] and report.inserted == len(PEOPLE)
    yield s
    s.close()


def run(store: RegistryStore, **values: str | None):
    return match_record(store, fields(**values), upper=UPPER, lower=LOWER, margin=MARGIN,
                        max_candidates=MAX)


def person(**values) -> RegistryPerson:
    base = dict(id_number="001090012345", full_name="Nguyễn Văn An", date_of_birth="1990-05-12",
                birth_year=1990, sex="M")
    base.update(values)
    return RegistryPerson(**base)


def level(name: str, query: dict, registry: dict) -> str | None:
    """The level label of comparison ``name`` for a page and a registry person."""
    comparison = next(c for c in DEFAULT_RULES.comparisons if c.name == name)
    q = profile(PersonQuery.from_fields(fields(**query)))
    p = profile(person(**registry))
    found = level_of(comparison, q, p)
    return found.label if found else None


# -- names ------------------------------------------------------------------------------------

def test_split_name_and_keys() -> None:
    parts = split_name("Nguyễn Thị Minh Khai")
    assert (parts.family, parts.middle, parts.given) == ("NGUYỄN", "THỊ MINH", "KHAI")
    assert parts.ascii == "NGUYEN THI MINH KHAI"
    assert split_name("  nguyễn   văn  HÒA ").canonical == split_name("NGUYỄN VĂN HOÀ").canonical
    assert split_name("Lê Văn Quí").canonical == split_name("LÊ VĂN QUÝ").canonical == "LÊ VĂN QUÝ"
    assert split_name("Huỳnh Văn Tâm").family == split_name("Hoàng Văn Tâm").family
    assert split_name("Võ Thị Sáu").family_ascii == split_name("VU THI SAU").family_ascii
    assert split_name(unicodedata.normalize("NFD", "Đỗ Thị Hòa")).canonical == "ĐỖ THỊ HOÀ"
    one = split_name("An")
    assert (one.family, one.given) == ("", "AN")


def test_ocr_distance_prices_ocr_slips_below_other_edits() -> None:
    assert ocr_distance("HƯNG", "HUNG") == pytest.approx(0.3)  # horn lost
    assert ocr_distance("NGUYỄN", "NGUYÊN") == pytest.approx(0.25)  # tone lost
    assert ocr_distance("ĐỨC", "DUC") == pytest.approx(0.6)  # two marks
    assert ocr_distance("LAN", "IAN") == pytest.approx(0.6)  # a shape OCR confuses
    assert ocr_distance("PHẠM", "PHARN") == pytest.approx(0.85)  # "rn" for "m", and the dot
    assert ocr_distance("MINH", "MINH") == 0.0
    assert ocr_distance("TÂM", "TÂN") == 1.0  # another name
    assert ocr_distance("AN", "ANH") == 1.0


# -- comparators, level by level ------------------------------------------------------------

def test_name_part_levels() -> None:
    reg = dict(full_name="Trần Văn Hưng")
    assert level("given_name", dict(full_name="TRẦN VĂN HƯNG"), reg) == "exact"
    assert level("given_name", dict(full_name="TRAN VAN HUNG"), reg) == "unmarked"
    assert level("given_name", dict(full_name="TRẦN VĂN HÙNG"), reg) == "marks"
    assert level("given_name", dict(full_name="TRẦN VĂN HƯUG"), reg) == "ocr"  # n read as u
    assert level("given_name", dict(full_name="TRẦN VĂN HƯNGS"), reg) == "similar"
    assert level("given_name", dict(full_name="TRẦN VĂN LONG"), reg) == "different"
    assert level("given_name", dict(date_of_birth="1990-05-12"), reg) is None  # no name
    # family names: regional spellings are one name; tone placement does not matter
    assert level("family_name", dict(full_name="HOÀNG VĂN TÂM"),
                 dict(full_name="Huỳnh Văn Tâm")) == "exact"
    assert level("family_name", dict(full_name="VŨ THỊ SÁU"), dict(full_name="Võ Thị Sáu")) == "exact"
    assert level("family_name", dict(full_name="NGUYÊN VĂN AN"), reg | dict(
        full_name="Nguyễn Văn An")) == "marks"
    assert level("given_name", dict(full_name="ĐỖ THỊ HOÀ"), dict(full_name="Đỗ Thị Hòa")) == "exact"
    assert level("middle_name", dict(full_name="NGUYỄN AN"), dict(full_name="Nguyễn Văn An")) is None


def test_parent_name_levels() -> None:
    reg = dict(father_name="Nguyễn Văn Bình")
    assert level("father_name", dict(father_name="NGUYỄN VĂN BÌNH"), reg) == "exact"
    assert level("father_name", dict(father_name="NGUYEN VAN BINH"), reg) == "unmarked"
    assert level("father_name", dict(father_name="NGUYỄN VĂN BINH"), reg) == "marks"
    assert level("father_name", dict(father_name="NGUYỄN VĂN BÌUH"), reg) == "ocr"
    assert level("father_name", dict(father_name="LÊ ĐÌNH BÌNH"), reg) == "given_same"
    assert level("father_name", dict(father_name="TRẦN ĐỨC HẢI"), reg) == "different"
    assert level("father_name", dict(father_name=None), reg) is None


def test_date_levels() -> None:
    reg = dict(date_of_birth="1990-05-12")
    assert level("date_of_birth", dict(date_of_birth="1990-05-12"), reg) == "exact"
    assert level("date_of_birth", dict(date_of_birth="1990-12-05"), reg) == "day_month_swapped"
    assert level("date_of_birth", dict(date_of_birth="1990-05-13"), reg) == "one_digit"
    assert level("date_of_birth", dict(date_of_birth="1996-05-12"), reg) == "one_digit"
    assert level("date_of_birth", dict(date_of_birth="1990-05-21"), reg) == "one_digit"  # swap
    assert level("date_of_birth", dict(date_of_birth="1990-05-28"), reg) == "same_month"
    assert level("date_of_birth", dict(date_of_birth="1991-08-30"), reg) == "near_year"
    assert level("date_of_birth", dict(date_of_birth="1975-08-30"), reg) == "different"
    assert level("date_of_birth", dict(date_of_birth="1990-02-30"), reg) is None  # unreadable


def test_id_number_levels() -> None:
    reg = dict(id_number="001090012345")
    assert level("id_number", dict(id_number="001090012345"), reg) == "exact"
    assert level("id_number", dict(id_number="001090012845"), reg) == "one_digit"
    assert level("id_number", dict(id_number="001090013245"), reg) == "one_digit"  # swap
    assert level("id_number", dict(id_number="001090099999"), reg) == "different_12"
    assert level("id_number", dict(id_number="123456789"), reg) is None  # CMND vs 12 digits
    nine = dict(id_number="123456789")
    assert level("id_number", dict(id_number="123456780"), nine) == "one_digit"
    assert level("id_number", dict(id_number="987654321"), nine) == "different"


def test_sex_and_ethnicity_levels() -> None:
    assert level("sex", dict(sex="Nam"), dict(sex="M")) == "same"
    assert level("sex", dict(sex="Nữ"), dict(sex="M")) == "different"
    assert level("ethnicity", dict(ethnicity="kinh"), dict(ethnicity="Kinh")) == "same"
    assert level("ethnicity", dict(ethnicity="Tày"), dict(ethnicity="Kinh")) == "different"


def test_places_compare_by_unit_code() -> None:
    coder = PlaceCoder.load()
    here = coder.tokens("Xã Tân Lập, Huyện Đan Phượng, Hà Nội")
    assert "p01" in here.split()
    assert coder.tokens("") == "" and coder.tokens("nowhere at all") == ""
    same = compare_tokens(coder.tokens("tỉnh Nam Định"), coder.tokens("Nam Định"))
    assert same and same.province and not same.commune
    other = compare_tokens(coder.tokens("Hải Phòng"), coder.tokens("Nghệ An"))
    assert other and not other.province and other.both_have_province
    assert compare_tokens(here, "") is None
    reg = dict(place_of_birth="Xã Tân Lập, Huyện Đan Phượng, Thành phố Hà Nội")
    assert level("place_of_birth", dict(place_of_birth="Hà Nội"), reg) == "same_province"
    assert level("place_of_birth", dict(place_of_birth="tỉnh Nghệ An"), reg) == "different"
    assert level("place_of_birth", dict(place_of_birth="???"), reg) is None
    if coder.gazetteer.communes:  # with the shared unit lists
        assert level("place_of_birth", dict(place_of_birth="xã Tân Lập, huyện Đan Phượng, "
                                                           "thành phố Hà Nội"), reg) == "same_commune"


@pytest.mark.skipif(PlaceCoder.load().reform is None, reason="no 2025 conversion table")
def test_places_across_the_2025_reform() -> None:
    coder = PlaceCoder.load()
    before = coder.tokens("xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định")
    after = coder.tokens("Xã Hải Anh, Tỉnh Ninh Bình")  # the commune it was merged into
    shared = compare_tokens(before, after)
    assert shared and shared.commune
    # a province that absorbed others stands for them all
    assert compare_tokens(coder.tokens("tỉnh Kiên Giang"), coder.tokens("Tỉnh An Giang")).province


# -- scores ---------------------------------------------------------------------------------

def test_weights_follow_term_frequencies(store: RegistryStore) -> None:
    tf = store.term_frequencies()
    rules = store.rules_for(DEFAULT_RULES)
    common = score_pair(PersonQuery.from_fields(fields(full_name="NGUYỄN THỊ LAN")),
                        store.get("031188000001"), rules, tf=tf, registry_size=2_000_000)
    rare = score_pair(PersonQuery.from_fields(fields(full_name="ĐỖ THỊ HOÀ")),
                      store.get("034301000777"), rules, tf=tf, registry_size=2_000_000)
    assert rare.contributions["family_name"] > common.contributions["family_name"]
    assert common.contributions["given_name"] > 0


def test_missing_fields_neither_add_nor_subtract(store: RegistryStore) -> None:
    registered = store.get("001090012345")
    full = score_pair(PersonQuery.from_fields(fields(full_name="Nguyễn Văn An",
                                                     date_of_birth="1990-05-12", sex="M")),
                      registered)
    assert full.score > 0.99
    assert set(full.contributions) == {"family_name", "middle_name", "given_name",
                                       "date_of_birth", "sex"}
    thin = score_pair(PersonQuery.from_fields(fields(full_name="Nguyễn Văn An")), registered)
    assert thin.score < 0.05  # a name alone says little about which of a million people
    assert "prior" in thin.explain() and "given_name=exact" in thin.explain()


# -- decisions ------------------------------------------------------------------------------

def test_exact_person_with_id_is_matched(store: RegistryStore) -> None:
    result = run(store, full_name="NGUYỄN VĂN AN", date_of_birth="1990-05-12", sex="Nam",
                 id_number="001090012345", father_name="NGUYỄN VĂN BÌNH",
                 mother_name="TRẦN THỊ CÚC", place_of_birth="Tân Lập, Đan Phượng, Hà Nội")
    assert result.decision is MatchDecision.MATCHED
    assert result.registry_id == "001090012345"
    assert result.score is not None and result.score >= 0.99
    assert result.candidates[0].explanation["id_number"] > 10


def test_diacritics_lost_still_matches(store: RegistryStore) -> None:
    result = run(store, full_name="NGUYEN VAN AN", date_of_birth="1990-05-12", sex="M",
                 father_name="NGUYEN VAN BINH", mother_name="TRAN THI CUC")
    assert result.decision is MatchDecision.MATCHED
    assert result.registry_id == "001090012345"


def test_ocr_slips_in_name_and_date_still_match(store: RegistryStore) -> None:
    result = run(store, full_name="NGUYÊN VĂN AN", date_of_birth="1990-05-13", sex="M",
                 father_name="NGUYỄN VĂN BÌNH", mother_name="TRẦN THI CÚC")
    assert result.decision is MatchDecision.MATCHED and result.registry_id == "001090012345"
    swapped = run(store, full_name="NGUYỄN VĂN AN", date_of_birth="1990-12-05", sex="M",
                  father_name="NGUYỄN VĂN BÌNH", mother_name="TRẦN THỊ CÚC")
    assert swapped.decision is MatchDecision.MATCHED


def test_twins_go_to_review(store: RegistryStore) -> None:
    page = dict(date_of_birth="2005-08-24", sex="M", father_name="PHẠM VĂN ĐỨC",
                mother_name="VŨ THỊ HẠNH")
    for name in ("PHẠM VĂN NAM", "PHAM VAN NAM", "PHẠM VĂN NĂM"):  # a lost breve, or not?
        result = run(store, full_name=name, **page)
        assert result.decision is MatchDecision.REVIEW, name
        assert result.registry_id is None
        assert {c.registry_id for c in result.candidates[:2]} == {"036205000111", "036205000222"}
        assert "ambiguous: second candidate within margin" in result.reasons
    result = run(store, full_name="PHẠM VĂN NAM", date_of_birth="2005-08-24")
    assert result.decision is MatchDecision.REVIEW
    # the ID on the page tells the twins apart
    result = run(store, full_name="PHẠM VĂN NAM", id_number="036205000111", **page)
    assert result.decision is MatchDecision.MATCHED and result.registry_id == "036205000111"


def test_siblings_go_to_review(store: RegistryStore) -> None:
    result = run(store, full_name="TRAN VAN HUNG", sex="M", father_name="Trần Văn Long",
                 mother_name="Lê Thị Mai")  # date of birth unreadable
    assert result.decision is MatchDecision.REVIEW
    assert len(result.candidates) == 2
    # with the date, the right brother
    result = run(store, full_name="TRẦN VĂN HƯNG", date_of_birth="1987-09-15", sex="M",
                 father_name="Trần Văn Long", mother_name="Lê Thị Mai")
    assert result.decision is MatchDecision.MATCHED and result.registry_id == "079087005678"


def test_a_sibling_is_never_linked_for_an_absent_person(store: RegistryStore) -> None:
    # a third child of the Trần family, not in the registry: parents, places agree
    result = run(store, full_name="TRẦN VĂN TUẤN", date_of_birth="1985-04-02", sex="M",
                 father_name="TRẦN VĂN LONG", mother_name="LÊ THỊ MAI",
                 place_of_birth="Quận 5, TP Hồ Chí Minh")
    assert result.decision is not MatchDecision.MATCHED
    assert "given_name disagrees with the best candidate" in result.reasons


def test_namesakes_go_to_review_unless_parents_tell(store: RegistryStore) -> None:
    result = run(store, full_name="NGUYỄN THỊ LAN", date_of_birth="1988-03-15", sex="Nữ")
    assert result.decision is MatchDecision.REVIEW
    assert "ambiguous: second candidate within margin" in result.reasons
    result = run(store, full_name="NGUYỄN THỊ LAN", date_of_birth="1988-03-15", sex="Nữ",
                 father_name="NGUYỄN VĂN TÙNG", mother_name="HỒ THỊ LOAN")
    assert result.decision is MatchDecision.MATCHED and result.registry_id == "040188000002"


def test_near_name_is_not_linked(store: RegistryStore) -> None:
    # Phạm Văn Nhân's page: the twins and the near-name share the date; only he fits
    result = run(store, full_name="PHẠM VĂN NHÂN", date_of_birth="2005-08-24", sex="M",
                 father_name="PHẠM VĂN LỘC", mother_name="TRẦN THỊ HOA")
    assert result.decision is MatchDecision.MATCHED and result.registry_id == "036205000333"
    # someone absent, one syllable from him, with other parents: no link
    result = run(store, full_name="PHẠM VĂN NHẬT", date_of_birth="2005-08-24", sex="M",
                 father_name="PHẠM VĂN TOÀN", mother_name="ĐỖ THỊ HUỆ")
    assert result.decision is MatchDecision.NO_MATCH


def test_absent_person_is_no_match(store: RegistryStore) -> None:
    result = run(store, full_name="BÙI VĂN KHẢI", date_of_birth="1960-01-01", sex="M")
    assert result.decision is MatchDecision.NO_MATCH and result.candidates == ()
    result = run(store, full_name="NGUYỄN VĂN ANH", date_of_birth="1990-05-12", sex="M",
                 father_name="LÊ VĂN TÁM", mother_name="HÀ THỊ NGA")
    assert result.decision is MatchDecision.NO_MATCH
    assert result.candidates and result.candidates[0].registry_id == "001090012345"


def test_spelling_equivalences_match(store: RegistryStore) -> None:
    cases = [
        ("034301000777", dict(full_name="ĐỖ THỊ HOÀ", date_of_birth="2001-02-03", sex="F")),
        ("089079000321", dict(full_name="HOÀNG VĂN TÂM", date_of_birth="1979-12-01", sex="M")),
        ("037070000999", dict(full_name="LÊ VĂN QUÝ", date_of_birth="1970-06-30", sex="M")),
        ("025195000444", dict(full_name="Nguyễn Thị Thủy", date_of_birth="1995-10-20", sex="F",
                              father_name="Nguyễn Văn Hòa", mother_name="Đinh Thị Khỏe")),
    ]
    for expected, page in cases:
        result = run(store, **page)
        assert result.decision is MatchDecision.MATCHED, page
        assert result.registry_id == expected


def test_disagreeing_12_digit_id_blocks_a_link(store: RegistryStore) -> None:
    result = run(store, full_name="NGUYỄN VĂN AN", date_of_birth="1990-05-12", sex="M",
                 id_number="001090054321", father_name="NGUYỄN VĂN BÌNH",
                 mother_name="TRẦN THỊ CÚC")
    assert result.decision is MatchDecision.REVIEW
    assert "id_number disagrees with the best candidate" in result.reasons
    assert result.candidates[0].explanation["id_number"] < 0


def test_auto_link_floor_holds_whatever_the_thresholds(store: RegistryStore) -> None:
    page = fields(full_name="NGUYỄN VĂN AN", date_of_birth="1990-05-12")
    loose = match_record(store, page, upper=0.0, lower=0.0, margin=0.0, max_candidates=3)
    scored = loose.score or 0.0
    assert (loose.decision is MatchDecision.MATCHED) == (scored >= DEFAULT_RULES.auto_link_floor)


def test_decide_orders_and_limits_candidates(store: RegistryStore) -> None:
    query = PersonQuery.from_fields(fields(full_name="NGUYEN THI LAN", date_of_birth="1988-03-15",
                                           mother_name="HO THI LOAN"))
    people = [store.get(i) for i in ("031188000001", "040188000002", "001090012345")]
    result = decide(query, people, upper=UPPER, lower=LOWER, margin=MARGIN, max_candidates=2)
    assert len(result.candidates) == 2
    assert result.candidates[0].registry_id == "040188000002"
    assert result.candidates[0].score >= result.candidates[1].score
    none = decide(query, [], upper=UPPER, lower=LOWER, margin=MARGIN, max_candidates=2)
    assert none.decision is MatchDecision.NO_MATCH and none.score is None


def test_matcher_reads_settings_and_names_its_rules(store: RegistryStore) -> None:
    from kernel.settings import Settings

    matcher = Matcher(store, Settings())
    result = matcher.match(fields(full_name="Đỗ Thị Hòa", date_of_birth="2001-02-03", sex="F"))
    assert result.decision is MatchDecision.MATCHED
    assert matcher.rules.estimated_from
    assert matcher.rules.provenance().startswith(DEFAULT_RULES.ident + "#")


# -- rule set -------------------------------------------------------------------------------

def test_ruleset_round_trips_to_json() -> None:
    again = RuleSet.from_json(DEFAULT_RULES.to_json())
    assert again == DEFAULT_RULES
    assert again.fingerprint() == DEFAULT_RULES.fingerprint()
    assert DEFAULT_RULES.ident == f"{DEFAULT_RULES.name}@{DEFAULT_RULES.version}"
    assert DEFAULT_RULES.provenance() == f"{DEFAULT_RULES.ident}#{DEFAULT_RULES.fingerprint()}"


def test_blocking_rule_needs_an_indexed_column() -> None:
    from matching import BlockingRule

    with pytest.raises(ValueError):
        BlockingRule(name="family_only", columns=("family_ascii",))
    with pytest.raises(ValueError):
        BlockingRule(name="typo", columns=("dob",))


def test_ruleset_reports_every_problem() -> None:
    data = DEFAULT_RULES.model_dump(mode="json")
    data["comparisons"][0]["levels"][0]["when"] = "nonsense"
    data["comparisons"][1]["levels"][0]["m"] = 0
    data["comparisons"][2]["levels"] = data["comparisons"][2]["levels"][:-1]
    data["comparisons"][3]["levels"][1]["tf"] = "given"  # tf on a non-exact level
    data["presence"] = 1.5
    with pytest.raises(ValueError) as err:
        RuleSet.model_validate(data)
    message = str(err.value)
    for expected in ("nonsense", "m must be", "'else'", "term frequencies", "presence"):
        assert expected in message


# -- legacy encodings -----------------------------------------------------------------------

LETTERS = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"


def test_legacy_encodings_round_trip_every_letter() -> None:
    for text in (LETTERS, LETTERS.upper()):
        assert decode_vni(encode_vni(text)) == text
        assert decode_tcvn3(encode_tcvn3(text)) == text


def test_legacy_encodings_known_bytes() -> None:
    assert decode_tcvn3(b"B\xb6o Th\xbeng") == "Bảo Thắng"
    assert decode_tcvn3(b"M\xad\xeang Kh\xad\xacng") == "Mường Khương"
    assert decode_vni("Xin chaøo caùc baïn, Vieät Nam, Ñaø Naüng".encode("cp1252")) == \
        "Xin chào các bạn, Việt Nam, Đà Nẵng"
    assert decode_vni("NGUYEÃN THÒ THUÛY".encode("cp1252")) == "NGUYỄN THỊ THỦY"
    assert decode_legacy("Hòa".encode(), "utf-8") == "Hòa"
    with pytest.raises(ValueError):
        decode_legacy(b"x", "koi8-r")


def test_a_linked_registry_entry_confirms_or_questions_the_names_read():
    from kernel.records import FieldStatus, FieldValue
    from matching.confirm import confirm_names
    from matching.person import RegistryPerson

    person = RegistryPerson(id_number="001317595701", full_name="Đỗ Minh Hiếu",
                            date_of_birth="2017-10-15", birth_year=2017, sex="M",
                            father_name="Đỗ Văn Hoà", mother_name=None)
    fields = {
        "full_name": FieldValue(value="ĐỖ MINH HIỂU", confidence=0.93, status=FieldStatus.AUTO),
        "father_name": FieldValue(value="ĐỖ VĂN HÒA", confidence=0.6, status=FieldStatus.REVIEW,
                                  reasons=("low_ocr_confidence",)),
        "mother_name": FieldValue(value="LÊ THỊ AN", confidence=0.95, status=FieldStatus.AUTO),
    }
    out = confirm_names(fields, person)
    assert out["full_name"].status is FieldStatus.REVIEW
    assert "registry_marks_differ" in out["full_name"].reasons
    assert out["father_name"].status is FieldStatus.AUTO  # other tone placement, same name
    assert out["father_name"].confidence >= 0.97 and out["father_name"].reasons == ()
    assert out["mother_name"] == fields["mother_name"]  # the registry does not say
    assert out["full_name"].value == "ĐỖ MINH HIỂU"  # the printed reading is kept
