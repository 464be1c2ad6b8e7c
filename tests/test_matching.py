"""Matching: names, registry import and blocking, scoring and decisions (fast, SQLite)."""

from __future__ import annotations

import csv
import random
import time
import unicodedata
from pathlib import Path

import pytest

from kernel.errors import RegistryError
from kernel.records import FIELD_NAMES, MatchDecision
from matching import (CSV_COLUMNS, DEFAULT_RULES, Matcher, PersonQuery, RegistryStore, RuleSet,
                      decide, match_record, score_pair, split_name)

UPPER, LOWER, MARGIN, MAX = 0.88, 0.55, 0.08, 5

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
]


def write_csv(path: Path, rows: list[tuple[str, ...]], *, nfd: bool = False, bom: bool = False,
              header: tuple[str, ...] = CSV_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([unicodedata.normalize("NFD", v) if nfd else v for v in row])
    return path


@pytest.fixture()
def store(tmp_path: Path) -> RegistryStore:
    s = RegistryStore(f"sqlite:///{tmp_path / 'db' / 'registry.sqlite'}")
    report = s.import_csv(write_csv(tmp_path / "registry.csv", PEOPLE))
    assert report.errors == [] and report.inserted == len(PEOPLE)
    yield s
    s.close()


def fields(**values: str | None) -> dict[str, str | None]:
    out: dict[str, str | None] = dict.fromkeys(FIELD_NAMES)
    out.update(values)
    return out


def run(store: RegistryStore, **values: str | None):
    return match_record(store, fields(**values), upper=UPPER, lower=LOWER, margin=MARGIN,
                        max_candidates=MAX)


# -- names ------------------------------------------------------------------------------------

def test_split_name_and_keys() -> None:
    parts = split_name("Nguyễn Thị Minh Khai")
    assert (parts.family, parts.middle, parts.given) == ("NGUYỄN", "THỊ MINH", "KHAI")
    assert parts.ascii == "NGUYEN THI MINH KHAI"
    assert split_name("  nguyễn   văn  HÒA ").canonical == split_name("NGUYỄN VĂN HOÀ").canonical
    assert split_name("Lê Văn Quí").canonical == split_name("LÊ VĂN QUÝ").canonical == "LÊ VĂN QUÝ"
    assert split_name("Huỳnh Văn Tâm").family == split_name("Hoàng Văn Tâm").family
    assert split_name("Võ Thị Sáu").family_ascii == split_name("VU THI SAU").family_ascii
    assert split_name("Võ Thị Sáu").canonical == split_name("Vũ Thị Sáu").canonical
    assert split_name(unicodedata.normalize("NFD", "Đỗ Thị Hòa")).canonical == "ĐỖ THỊ HOÀ"
    one = split_name("An")
    assert (one.family, one.given) == ("", "AN")


# -- registry import ------------------------------------------------------------------------

def test_import_nfd_bom_leading_zero(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nfd.csv", PEOPLE, nfd=True, bom=True)
    with RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        report = store.import_csv(path)
        assert (report.inserted, report.updated, report.errors) == (len(PEOPLE), 0, [])
        person = store.get("001090012345")
        assert person is not None
        assert person.id_number == "001090012345"  # leading zeros kept
        assert person.full_name == "Nguyễn Văn An"
        assert unicodedata.is_normalized("NFC", person.full_name)
        assert unicodedata.is_normalized("NFC", person.place_of_birth or "")
        assert (person.sex, person.birth_year, person.date_of_birth) == ("M", 1990, "1990-05-12")
        assert store.get("1090012345") is None
        assert store.get("034301000777").sex == "F"  # "female"
        assert store.count() == len(PEOPLE)


def test_bad_rows_reported_with_line_numbers(tmp_path: Path) -> None:
    good = list(PEOPLE[0])
    multi_line = list(PEOPLE[1])
    multi_line[9] = "Hải Hậu\nNam Định"  # a quoted field over two lines: lines 3-4
    rows = [
        tuple(good),                                                   # line 2
        tuple(multi_line),                                             # lines 3-4
        ("001090099999", "Lê Văn B", "1990-02-30", "M", "", "", "", "", "", ""),  # 5 bad date
        ("001090099998", "Lê Văn C", "1990-02-03", "X", "", "", "", "", "", ""),  # 6 bad sex
        ("01090099997", "Lê Văn D", "1990-02-03", "M", "", "", "", "", "", ""),   # 7 11 digits
        ("001090099996", "", "1990-02-03", "M", "", "", "", "", "", ""),          # 8 no name
        ("001090099995", "Lê Văn E", "1990-02-03", "F", "", "", "", "", "", ""),  # 9 good
        ("001090099994", "Lê Văn G", "03/02/1990", "", "", "", "", "", "", ""),   # 10 two faults
        ("001090099995", "Lê Văn E", "1990-02-03", "F", "", "", "", "", "", ""),  # 11 duplicate
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    seen: list[int] = []
    with RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        report = store.import_csv(path, progress=seen.append)
        lines = {line: msg for line, msg in report.errors}
        assert sorted(lines) == [5, 6, 7, 8, 10, 11]
        assert "date_of_birth" in lines[5]
        assert "sex" in lines[6]
        assert "11 digits" in lines[7] and "leading zero" in lines[7]
        assert "full_name" in lines[8]
        assert "date_of_birth" in lines[10] and "sex" in lines[10]
        assert "duplicate" in lines[11]
        assert report.inserted == 3 and store.count() == 3
        assert store.get("001090099995") is not None
        assert seen and seen[-1] == len(rows)


def test_reimport_updates_without_duplicates(tmp_path: Path) -> None:
    with RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        store.import_csv(write_csv(tmp_path / "v1.csv", PEOPLE))
        changed = list(PEOPLE)
        moved = list(changed[0])
        moved[9] = "Số 9 Phố Huế, Hà Nội"
        changed[0] = tuple(moved)
        extra = ("001199000555", "Mai Thị Xuân", "1999-01-01", "F", "", "", "", "", "", "")
        report = store.import_csv(write_csv(tmp_path / "v2.csv", changed + [extra]))
        assert (report.inserted, report.updated, report.unchanged) == (1, 1, len(PEOPLE) - 1)
        assert store.count() == len(PEOPLE) + 1
        assert store.get("001090012345").permanent_address == "Số 9 Phố Huế, Hà Nội"


def test_blank_lines_skipped_and_short_rows_reported(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(",".join(CSV_COLUMNS) + "\n"
                    "001090012345,Nguyễn Văn An,1990-05-12,M,,,,,,\n"
                    "\n"
                    "001090012346,Nguyễn Văn Ba,1990-05-12,M\n"
                    "001090012347,Nguyễn Văn Bốn,1990-05-12,M,,,,,,\n", encoding="utf-8")
    with RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        report = store.import_csv(path)
        assert report.inserted == 2
        assert [line for line, _ in report.errors] == [4]
        assert "columns" in report.errors[0][1]


def test_bad_url_raises() -> None:
    with pytest.raises(RegistryError):
        RegistryStore("not a url")


def test_bad_header_raises(tmp_path: Path) -> None:
    header = ("id", "full_name", "date_of_birth", "sex")
    path = write_csv(tmp_path / "wrong.csv", [], header=header)
    with RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        with pytest.raises(RegistryError) as err:
            store.import_csv(path)
        assert "wrong.csv" in str(err.value) and "permanent_address" in str(err.value)
        assert store.count() == 0


def test_not_utf8_raises_and_imports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes((",".join(CSV_COLUMNS) + "\n").encode()
                     + b"001090012345,Nguy\xea\xe3n V\xe3n An,1990-05-12,M,,,,,,\n")
    with RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        with pytest.raises(RegistryError, match="UTF-8"):
            store.import_csv(path)
        assert store.count() == 0


# -- blocking -------------------------------------------------------------------------------

def ids(people) -> set[str]:
    return {p.id_number for p in people}


def test_candidates_by_id(store: RegistryStore) -> None:
    query = PersonQuery.from_fields(fields(id_number="001090012345"))
    assert ids(store.candidates(query)) == {"001090012345"}


def test_candidates_diacritics_lost_and_tone_placement(store: RegistryStore) -> None:
    lost = PersonQuery.from_fields(fields(full_name="NGUYEN VAN AN", date_of_birth="1990-05-12"))
    assert "001090012345" in ids(store.candidates(lost))
    tone = PersonQuery.from_fields(fields(full_name="ĐỖ THỊ HOÀ", date_of_birth="2001-02-03"))
    assert ids(store.candidates(tone)) == {"034301000777"}
    year_only = PersonQuery.from_fields(fields(full_name="DO THI HOA", date_of_birth="2001-12-31"))
    assert "034301000777" in ids(store.candidates(year_only))  # birth year + given name
    parents = PersonQuery.from_fields(fields(father_name="TRAN VAN LONG", mother_name="Lê Thị Mai"))
    assert ids(store.candidates(parents)) == {"079085001234", "079087005678"}
    assert store.candidates(PersonQuery.from_fields(fields(full_name="Nguyễn Văn An"))) == []


# -- decisions ------------------------------------------------------------------------------

def test_exact_person_with_id_is_matched(store: RegistryStore) -> None:
    result = run(store, full_name="NGUYỄN VĂN AN", date_of_birth="1990-05-12", sex="Nam",
                 id_number="001090012345", father_name="NGUYỄN VĂN BÌNH",
                 mother_name="TRẦN THỊ CÚC", place_of_birth="Tân Lập, Đan Phượng, Hà Nội")
    assert result.decision is MatchDecision.MATCHED
    assert result.registry_id == "001090012345"
    assert result.score is not None and result.score >= UPPER
    assert result.candidates[0].explanation["id_number"] > 0


def test_diacritics_lost_still_matches(store: RegistryStore) -> None:
    result = run(store, full_name="NGUYEN VAN AN", date_of_birth="1990-05-12", sex="M",
                 father_name="NGUYEN VAN BINH", mother_name="TRAN THI CUC")
    assert result.decision is MatchDecision.MATCHED
    assert result.registry_id == "001090012345"


def test_twins_go_to_review(store: RegistryStore) -> None:
    page = dict(date_of_birth="2005-08-24", sex="M", father_name="PHẠM VĂN ĐỨC",
                mother_name="VŨ THỊ HẠNH")
    for name in ("PHẠM VĂN NAM", "PHAM VAN NAM"):  # a lost breve cannot be ruled out
        result = run(store, full_name=name, **page)
        assert result.decision is MatchDecision.REVIEW, name
        assert result.registry_id is None
        assert {c.registry_id for c in result.candidates} == {"036205000111", "036205000222"}
        assert "ambiguous: second candidate within margin" in result.reasons
    # even with little else on the page
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


def test_namesakes_go_to_review_unless_parents_tell(store: RegistryStore) -> None:
    result = run(store, full_name="NGUYỄN THỊ LAN", date_of_birth="1988-03-15", sex="Nữ")
    assert result.decision is MatchDecision.REVIEW
    assert "ambiguous: second candidate within margin" in result.reasons
    result = run(store, full_name="NGUYỄN THỊ LAN", date_of_birth="1988-03-15", sex="Nữ",
                 father_name="NGUYỄN VĂN TÙNG", mother_name="HỒ THỊ LOAN")
    assert result.decision is MatchDecision.MATCHED and result.registry_id == "040188000002"


def test_absent_person_is_no_match(store: RegistryStore) -> None:
    result = run(store, full_name="BÙI VĂN KHẢI", date_of_birth="1960-01-01", sex="M")
    assert result.decision is MatchDecision.NO_MATCH and result.candidates == ()
    # blocked with An (same birth date and family name) but a different given name
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
    assert result.decision is not MatchDecision.MATCHED
    assert result.candidates[0].explanation["id_number"] < 0


def test_missing_fields_neither_add_nor_subtract(store: RegistryStore) -> None:
    person = store.get("001090012345")
    full = PersonQuery.from_fields(fields(full_name="Nguyễn Văn An", date_of_birth="1990-05-12",
                                          sex="M"))
    score = score_pair(full, person)
    assert score.score == pytest.approx(1.0)
    assert set(score.contributions) >= {"full_name", "given_name", "date_of_birth", "sex"}
    assert "father_name" not in score.contributions
    thin = score_pair(PersonQuery.from_fields(fields(full_name="Nguyễn Văn An")), person)
    assert LOWER <= thin.score < UPPER  # a name alone is not enough evidence


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


def test_matcher_reads_settings(store: RegistryStore) -> None:
    from kernel.settings import Settings

    matcher = Matcher(store, Settings())
    result = matcher.match(fields(full_name="Đỗ Thị Hòa", date_of_birth="2001-02-03", sex="F"))
    assert result.decision is MatchDecision.MATCHED


# -- rule set -------------------------------------------------------------------------------

def test_ruleset_round_trips_to_json() -> None:
    text = DEFAULT_RULES.to_json()
    again = RuleSet.from_json(text)
    assert again == DEFAULT_RULES
    assert again.fingerprint() == DEFAULT_RULES.fingerprint()
    assert DEFAULT_RULES.ident == f"{DEFAULT_RULES.name}@{DEFAULT_RULES.version}"


def test_blocking_rule_needs_an_indexed_column() -> None:
    from matching import BlockingRule

    with pytest.raises(ValueError):
        BlockingRule(name="family_only", columns=("family_ascii",))
    with pytest.raises(ValueError):
        BlockingRule(name="typo", columns=("dob",))


def test_ruleset_reports_every_problem() -> None:
    data = DEFAULT_RULES.model_dump(mode="json")
    data["comparisons"][0]["levels"][0]["when"] = "nonsense"
    data["comparisons"][1]["weight"] = 0
    data["comparisons"][2]["levels"] = data["comparisons"][2]["levels"][:-1]
    with pytest.raises(ValueError) as err:
        RuleSet.model_validate(data)
    message = str(err.value)
    assert "nonsense" in message and "weight" in message and "'else'" in message


# -- timing sanity ----------------------------------------------------------------------------

def test_import_20k_rows_timing(tmp_path: Path) -> None:
    rng = random.Random(7)
    families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]
    middles = ["Văn", "Thị", "Minh", "Đức", "Ngọc", "Thanh"]
    givens = ["An", "Bình", "Cường", "Dũng", "Hoà", "Hương", "Lan", "Mai", "Nam", "Thuỷ", "Quý"]
    rows = []
    for i in range(20_000):
        family = rng.choice(families)
        rows.append((f"0{rng.randint(1, 96):02d}{rng.randint(0, 3)}{i:08d}",
                     f"{family} {rng.choice(middles)} {rng.choice(givens)}",
                     f"{rng.randint(1940, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                     rng.choice("MF"), "Hà Nội", "Hà Nội", "Kinh",
                     f"{family} Văn {rng.choice(givens)}", f"Lê Thị {rng.choice(givens)}",
                     "Hà Nội"))
    path = write_csv(tmp_path / "big.csv", rows)
    with RegistryStore(f"sqlite:///{tmp_path / 'big.sqlite'}") as store:
        start = time.perf_counter()
        report = store.import_csv(path)
        elapsed = time.perf_counter() - start
        again = store.import_csv(path)
        query = PersonQuery.from_fields(fields(full_name=rows[0][1], date_of_birth=rows[0][2]))
        t0 = time.perf_counter()
        found = store.candidates(query)
        lookup = time.perf_counter() - t0
    print(f"\nimported 20k rows in {elapsed:.2f}s; re-import {again.unchanged} unchanged; "
          f"candidates in {lookup * 1000:.1f} ms")
    assert report.inserted == 20_000 and again.unchanged == 20_000
    assert rows[0][0] in ids(found)
    assert elapsed < 60
