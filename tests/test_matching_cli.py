"""`sohoa match RECORDS.csv --out MATCHES.csv`: typed records through the pipeline's matcher."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matching import RegistryStore
from matching.bulk import Thresholds, match_queries, read_records
from matching.legacy import encode_vni
from sohoa.match_commands import match_app
from test_matching import PEOPLE, write_csv

RECORDS = [
    # record_id, full_name, date_of_birth, sex, father_name, mother_name, id_number
    ("r1", "NGUYEN VAN AN", "12/05/1990", "Nam", "NGUYỄN VĂN BÌNH", "TRẦN THỊ CÚC", ""),
    ("r2", "PHẠM VĂN NAM", "2005-08-24", "M", "PHẠM VĂN ĐỨC", "VŨ THỊ HẠNH", ""),
    ("r3", "BÙI VĂN KHẢI", "1960-01-01", "M", "", "", ""),
    ("r4", "", "", "", "", "", "036205000222"),
]


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{tmp / 'registry.sqlite'}"
    with RegistryStore(url) as store:
        store.import_csv(write_csv(tmp / "registry.csv", PEOPLE))
    return url


def write_records(path: Path, rows=RECORDS, id_column: str = "record_id") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow((id_column, "full_name", "date_of_birth", "sex", "father_name",
                    "mother_name", "id_number"))
        w.writerows(rows)
    return path


def test_match_command_writes_decisions_and_rules(registry: str, tmp_path: Path) -> None:
    out = tmp_path / "out" / "matches.csv"
    result = CliRunner().invoke(match_app, [  # alone, the app is its one command
        str(write_records(tmp_path / "records.csv")), "--out", str(out),
        "--registry-url", registry, "--workers", "1"])
    assert result.exit_code == 0, result.output
    rows = {r["record_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert list(rows) == ["r1", "r2", "r3", "r4"]
    assert (rows["r1"]["decision"], rows["r1"]["registry_id"]) == ("matched", "001090012345")
    assert rows["r2"]["decision"] == "review"  # twins
    twins = [c.split(":")[0] for c in rows["r2"]["candidates"].split("|")[:2]]
    assert sorted(twins) == ["036205000111", "036205000222"]
    assert "ambiguous" in rows["r2"]["reasons"]
    assert rows["r3"]["decision"] == "no_match" and rows["r3"]["score"] == ""
    assert rows["r4"]["decision"] == "review"  # an ID alone is no link
    assert "id_number=exact" in rows["r4"]["explanation"]
    rules = json.loads((tmp_path / "out" / "matches.rules.json").read_text(encoding="utf-8"))
    assert rules["name"] == "sohoa-fs" and rules["estimated_from"]
    assert "3 matched" not in result.output and "1 matched" in result.output


def test_match_command_needs_an_id_column(registry: str, tmp_path: Path) -> None:
    path = write_records(tmp_path / "r.csv", id_column="name_of_row")
    result = CliRunner().invoke(match_app, [str(path), "--out",
                                            str(tmp_path / "m.csv"), "--registry-url", registry])
    assert result.exit_code == 2
    assert "record_id or query_id" in result.output


def test_match_command_refuses_an_empty_registry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    RegistryStore(url).close()
    result = CliRunner().invoke(match_app, [str(write_records(tmp_path / "r.csv")),
                                            "--out", str(tmp_path / "m.csv"),
                                            "--registry-url", url])
    assert result.exit_code == 1 and "registry is empty" in result.output


def test_records_file_problems_and_legacy_encoding(tmp_path: Path) -> None:
    path = tmp_path / "vni.csv"
    text = ("query_id,full_name,date_of_birth,nickname\r\n"
            "q1,Nguyễn Văn An,ngày 12 tháng 5 năm 1990,An\r\n"
            "q1,Nguyễn Văn An,1990-05-12,An\r\n"
            ",Lê Văn B,1990-05-12,B\r\n"
            "q3,Lê Văn C\r\n")
    path.write_bytes(encode_vni(text))
    parsed = read_records(path, encoding="vni")
    assert parsed.id_column == "query_id" and parsed.unknown_columns == ["nickname"]
    assert [(q, p.full_name, p.date_of_birth) for q, p in parsed.queries] == [
        ("q1", "Nguyễn Văn An", "1990-05-12")]
    assert [line for line, _ in parsed.problems] == [3, 4, 5]


def test_two_workers_give_the_same_decisions(registry: str, tmp_path: Path) -> None:
    parsed = read_records(write_records(tmp_path / "r.csv", RECORDS * 1))
    many = [(f"{q}-{i}", p) for i in range(130) for q, p in parsed.queries]  # several chunks
    thresholds = Thresholds(0.88, 0.5, 0.08, 3)
    one, rules_one = match_queries(registry, many, thresholds, workers=1)
    two, rules_two = match_queries(registry, many, thresholds, workers=2)
    assert [(m.query_id, m.result) for m in one] == [(m.query_id, m.result) for m in two]
    assert rules_one.fingerprint() == rules_two.fingerprint()


def test_match_joins_the_main_command_line() -> None:
    import typer

    app = typer.Typer()

    @app.command()
    def other() -> None:  # a second command, as the real CLI has
        pass

    app.add_typer(match_app)  # how sohoa/cli.py registers it
    result = CliRunner().invoke(app, ["match", "--help"])
    assert result.exit_code == 0 and "--out" in result.output
