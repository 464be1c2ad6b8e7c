"""The registry store on both backends: SQLite (embedded) and PostgreSQL (a real server started
by the session fixture `postgres_server`). Every test here runs once per backend."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from kernel.errors import RegistryError
from matching import CSV_COLUMNS, DEFAULT_RULES, PersonQuery, RegistryStore
from matching.legacy import encode_tcvn3, encode_vni
from test_matching import PEOPLE, fields, write_csv


@pytest.fixture()
def store(registry_url: str, tmp_path: Path):
    s = RegistryStore(registry_url)
    report = s.import_csv(write_csv(tmp_path / "registry.csv", PEOPLE))
    assert report.errors == [] and report.inserted == len(PEOPLE)
    yield s
    s.close()


def ids(people) -> set[str]:
    return {p.id_number for p in people}


def test_import_nfd_bom_leading_zero(registry_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nfd.csv", PEOPLE, nfd=True, bom=True)
    with RegistryStore(registry_url) as store:
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


def test_bad_rows_reported_with_line_numbers(registry_url: str, tmp_path: Path) -> None:
    multi_line = list(PEOPLE[1])
    multi_line[9] = "Hải Hậu\nNam Định"  # a quoted field over two lines: lines 3-4
    rows = [
        PEOPLE[0],                                                     # line 2
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
    with RegistryStore(registry_url) as store:
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


def test_reimport_updates_without_duplicates(registry_url: str, tmp_path: Path) -> None:
    with RegistryStore(registry_url) as store:
        store.import_csv(write_csv(tmp_path / "v1.csv", PEOPLE))
        changed = list(PEOPLE)
        moved = list(changed[0])
        moved[9] = "Số 9 Phố Huế, Hà Nội"
        renamed = list(changed[7])
        renamed[1] = "Huỳnh Văn Tâm Anh"  # a name change changes the keys too
        changed[0], changed[7] = tuple(moved), tuple(renamed)
        extra = ("001199000555", "Mai Thị Xuân", "1999-01-01", "F", "", "", "", "", "", "")
        report = store.import_csv(write_csv(tmp_path / "v2.csv", changed + [extra]))
        assert (report.inserted, report.updated, report.unchanged) == (1, 2, len(PEOPLE) - 2)
        assert store.count() == len(PEOPLE) + 1
        assert store.get("001090012345").permanent_address == "Số 9 Phố Huế, Hà Nội"
        found = store.candidates(PersonQuery.from_fields(
            fields(full_name="HUỲNH VĂN TÂM ANH", date_of_birth="1979-12-01")))
        assert ids(found) == {"089079000321"}
        again = store.import_csv(write_csv(tmp_path / "v3.csv", changed + [extra]))
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(PEOPLE) + 1)


def test_blank_lines_skipped_and_short_rows_reported(registry_url: str, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(",".join(CSV_COLUMNS) + "\n"
                    "001090012345,Nguyễn Văn An,1990-05-12,M,,,,,,\n"
                    "\n"
                    "001090012346,Nguyễn Văn Ba,1990-05-12,M\n"
                    "001090012347,Nguyễn Văn Bốn,1990-05-12,M,,,,,,\n", encoding="utf-8")
    with RegistryStore(registry_url) as store:
        report = store.import_csv(path)
        assert report.inserted == 2
        assert [line for line, _ in report.errors] == [4]
        assert "columns" in report.errors[0][1]


def test_bad_header_raises_and_imports_nothing(registry_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "wrong.csv", [], header=("id", "full_name", "date_of_birth"))
    with RegistryStore(registry_url) as store:
        with pytest.raises(RegistryError) as err:
            store.import_csv(path)
        assert "wrong.csv" in str(err.value) and "permanent_address" in str(err.value)
        assert store.count() == 0


def test_not_utf8_raises_with_the_legacy_hint(registry_url: str, tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes((",".join(CSV_COLUMNS) + "\n").encode()
                     + encode_tcvn3("001090012345,Nguyễn Văn An,1990-05-12,M,,,,,,\n"))
    with RegistryStore(registry_url) as store:
        with pytest.raises(RegistryError, match="UTF-8") as err:
            store.import_csv(path)
        assert "tcvn3" in str(err.value)
        assert store.count() == 0


@pytest.mark.parametrize("encoding,encode", [("tcvn3", encode_tcvn3), ("vni", encode_vni)])
def test_legacy_exports_import_as_unicode(registry_url: str, tmp_path: Path, encoding: str,
                                          encode) -> None:
    path = tmp_path / f"{encoding}.csv"
    rows = [",".join(CSV_COLUMNS)] + [",".join(f'"{v}"' for v in row) for row in PEOPLE]
    path.write_bytes(encode("\r\n".join(rows) + "\r\n"))
    with RegistryStore(registry_url) as store:
        report = store.import_csv(path, encoding=encoding)
        assert (report.inserted, report.errors) == (len(PEOPLE), [])
        assert store.get("025195000444").full_name == "NGUYỄN THỊ THUỶ"  # TCVN3 capitals too
        assert store.get("034301000777").mother_name == "Lê Thị Thủy"
        assert store.get("001090012345").place_of_birth == "Xã Tân Lập, Huyện Đan Phượng, Hà Nội"


def test_unknown_encoding_and_missing_file(registry_url: str, tmp_path: Path) -> None:
    with RegistryStore(registry_url) as store:
        with pytest.raises(RegistryError, match="encoding"):
            store.import_csv(write_csv(tmp_path / "x.csv", PEOPLE), encoding="latin-9")
        with pytest.raises(RegistryError, match="not found"):
            store.import_csv(tmp_path / "nowhere.csv")


# -- blocking -------------------------------------------------------------------------------

def test_candidates_by_each_blocking_rule(store: RegistryStore) -> None:
    by_id = store.candidate_rows(PersonQuery.from_fields(fields(id_number="001090012345")))
    assert [(c.person.id_number, c.rules) for c in by_id] == [("001090012345", ("id_number",))]
    lost = PersonQuery.from_fields(fields(full_name="NGUYEN VAN AN", date_of_birth="1990-05-12"))
    assert "001090012345" in ids(store.candidates(lost))
    tone = PersonQuery.from_fields(fields(full_name="ĐỖ THỊ HOÀ", date_of_birth="2001-02-03"))
    assert ids(store.candidates(tone)) == {"034301000777"}
    # a digit of the date misread: the year and the whole name still find her
    year = PersonQuery.from_fields(fields(full_name="DO THI HOA", date_of_birth="2001-12-31"))
    assert [c.rules for c in store.candidate_rows(year)] == [("year_name",)]
    # her own name and date misread: her mother's name and her birth year
    mother = PersonQuery.from_fields(fields(full_name="ĐỖ THỊ HCA", date_of_birth="2001-02-08",
                                            mother_name="LE THI THUY"))
    assert [c.rules for c in store.candidate_rows(mother)] == [("year_mother",)]
    parents = PersonQuery.from_fields(fields(father_name="TRAN VAN LONG", mother_name="Lê Thị Mai"))
    assert ids(store.candidates(parents)) == {"079085001234", "079087005678"}
    assert store.candidates(PersonQuery.from_fields(fields(full_name="Nguyễn Văn An"))) == []


def test_candidates_respect_the_limit_per_rule(store: RegistryStore) -> None:
    query = PersonQuery.from_fields(fields(full_name="NGUYỄN THỊ LAN", date_of_birth="1988-03-15"))
    assert len(store.candidates(query)) == 2
    assert len(store.candidates(query, limit=1)) == 1


# -- what the registry teaches the matcher ------------------------------------------------------

def test_term_frequencies_and_estimated_u(store: RegistryStore) -> None:
    tf = store.term_frequencies()
    assert tf.total == len(PEOPLE)
    assert tf.count("family", "NGUYỄN") == 4 and tf.count("family", "HOÀNG") == 1  # Huỳnh
    assert tf.count("given_ascii", "NAM") == 2  # Nam and Năm
    assert tf.count("father", "PHẠM VĂN ĐỨC") == 2  # the twins' father
    assert tf.share("given", "NO SUCH NAME") is None
    trained = store.rules_for(DEFAULT_RULES)
    assert trained.estimated_from and f"{len(PEOPLE)} people" in trained.estimated_from
    assert trained.fingerprint() != DEFAULT_RULES.fingerprint()
    assert store.rules_for(DEFAULT_RULES) is trained  # stored, not estimated again
    # a small registry says little about the population: u stays near the declared value
    declared = {lv.label: lv.u for lv in DEFAULT_RULES.comparisons[3].levels}
    learned = {lv.label: lv.u for lv in trained.comparisons[3].levels}
    assert declared["exact"] < learned["exact"] < 10 * declared["exact"]
    assert learned["different"] == pytest.approx(declared["different"], rel=0.02)
    with RegistryStore(store_url(store)) as other:  # another process reads the same estimates
        assert other.rules_for(DEFAULT_RULES).fingerprint() == trained.fingerprint()


def store_url(store: RegistryStore) -> str:
    return store._engine.url.render_as_string(hide_password=False)


def test_registry_of_an_older_version_gets_its_keys(registry_url: str, tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    with RegistryStore(registry_url) as store:
        store.import_csv(write_csv(tmp_path / "r.csv", PEOPLE))
    engine = create_engine(registry_url)
    with engine.begin() as conn:  # as the first sohoa left it: no keys, no schema mark
        conn.execute(text("UPDATE registry_person SET given_key = NULL, pob_units = NULL"))
        conn.execute(text("DELETE FROM registry_meta"))
    engine.dispose()
    with RegistryStore(registry_url) as store:
        query = PersonQuery.from_fields(fields(full_name="Đỗ Thị Hoà", date_of_birth="2001-02-03"))
        (found,) = store.candidate_rows(query)
        assert found.profile.given == "HOÀ" and found.profile.place_of_birth == "p34"


def test_bad_url_raises() -> None:
    with pytest.raises(RegistryError):
        RegistryStore("not a url")


def test_write_csv_helper_roundtrip(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", PEOPLE[:1])
    assert next(csv.reader(path.open(encoding="utf-8")))[0] == "id_number"
